package webhook

import (
	"context"
	"fmt"

	"github.com/leadbell/leadbell/app/smartlead"
	"github.com/leadbell/leadbell/event"
)

// Replay runs a stored event's raw payload through the pipeline again
// (parse, dedupe, store) as if SmartLead had re-delivered it, for the
// inspector. It skips verification: the payload is Leadbell's own copy,
// verified when it first arrived (and its secret_key is redacted). A replay
// of a stored event is a duplicate and stores nothing.
func (r *Receiver) Replay(ctx context.Context, stored event.Event) (event.Event, bool, error) {
	ev, err := smartlead.Parse(stored.Raw)
	if err != nil {
		return event.Event{}, false, fmt.Errorf("webhook: unable to replay event %s: %w", stored.ID, err)
	}
	ev.ReceivedAt = r.cfg.Now().UTC()
	ev.VerifiedBy = stored.VerifiedBy
	got, dup, err := r.cfg.Store.Append(ctx, ev)
	if err != nil {
		return event.Event{}, false, err
	}
	if !dup {
		r.cfg.OnStored(got)
	}
	return got, dup, nil
}
