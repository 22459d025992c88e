package engine

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/leadbell/leadbell/app/api"
	"github.com/leadbell/leadbell/app/smartlead/simulator"
	"github.com/leadbell/leadbell/event"
)

// A reply recovered from the message history was never delivered: replaying
// it is refused with a reason, not attempted as a webhook payload.
func TestReplayOfAHistoryReplyIsRefused(t *testing.T) {
	sim := simulator.NewServer(simulator.Options{})
	defer sim.Close()
	e := newEngine(t, sim, sim.APIKey(), "")
	ev := event.Event{
		Type: event.Replied, SourceType: "EMAIL_REPLY", Timestamp: time.Now().Add(-time.Hour).UTC(),
		CampaignID: "7", LeadID: "42", LeadEmail: "jane@example.com", Body: "Sounds good",
		MessageID: "<m1@example.com>", Backfilled: true, Key: "history:<m1@example.com>",
	}
	stored, _, err := e.store.Append(context.Background(), ev)
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = e.Replay(context.Background(), stored.ID)
	if !errors.Is(err, api.ErrInvalid) {
		t.Fatalf("Replay of a history reply = %v, want api.ErrInvalid", err)
	}
}
