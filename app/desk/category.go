package desk

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/leadbell/leadbell/app/smartlead"
	"github.com/leadbell/leadbell/event"
	"github.com/leadbell/leadbell/store"
)

// categoriesFresh is how long the account's categories are used before
// they are read again.
const categoriesFresh = 10 * time.Minute

// ErrUnknownCategory: the account has no category of that name.
var ErrUnknownCategory = errors.New("desk: no such category")

// Categories is the account's lead categories, read from SmartLead at most
// every ten minutes; SmartLead's defaults when it cannot say.
func (d *Desk) Categories(ctx context.Context) ([]smartlead.Category, error) {
	d.mu.Lock()
	if d.categories != nil && time.Since(d.catsAt) < categoriesFresh {
		defer d.mu.Unlock()
		return slices.Clone(d.categories), nil
	}
	d.mu.Unlock()
	c := d.cfg.Client()
	if c == nil {
		return nil, ErrSignedOut
	}
	cats, err := c.Categories(ctx)
	if err != nil {
		d.cfg.Logger.Warn("unable to read the account's categories; using SmartLead's defaults", "error", err)
		return slices.Clone(smartlead.DefaultCategories), nil
	}
	d.mu.Lock()
	d.categories, d.catsAt = cats, time.Now()
	d.mu.Unlock()
	return slices.Clone(cats), nil
}

// SetCategory sets the SmartLead category of lead leadID to the one named
// name ("" clears it), pausing the lead's sequence when pause is set, and
// records the change in the lead's timeline, which updates every row of
// the lead as SmartLead's own category events do. It returns that record.
func (d *Desk) SetCategory(ctx context.Context, leadID, name string, pause bool) (event.Event, error) {
	c := d.cfg.Client()
	if c == nil {
		return event.Event{}, ErrSignedOut
	}
	known, err := d.cfg.Store.LeadEvents(leadID, 1)
	if err != nil {
		return event.Event{}, err
	}
	if len(known) == 0 || known[0].CampaignID == "" {
		return event.Event{}, fmt.Errorf("%w: lead %q", store.ErrNotFound, leadID)
	}
	last := known[0]
	id := ""
	if name != "" {
		cats, err := d.Categories(ctx)
		if err != nil {
			return event.Event{}, err
		}
		i := slices.IndexFunc(cats, func(c smartlead.Category) bool { return c.Name == name })
		if i < 0 {
			return event.Event{}, fmt.Errorf("%w: %q", ErrUnknownCategory, name)
		}
		id = cats[i].ID
	}
	if err := c.SetLeadCategory(ctx, last.CampaignID, leadID, id, pause); err != nil {
		return event.Event{}, err
	}
	now := time.Now().UTC()
	ev := event.Event{
		Type: event.CategoryUpdated, SourceType: SourceCategory, Timestamp: now, ReceivedAt: now,
		CampaignID: last.CampaignID, CampaignName: last.CampaignName,
		LeadID: leadID, LeadEmail: last.LeadEmail, LeadName: last.LeadName, Company: last.Company,
		Category: name, PreviousCategory: last.Category, Read: true,
		Key: fmt.Sprintf("leadbell-category|%s|%d", leadID, now.UnixNano()),
	}
	stored, _, err := d.cfg.Store.Append(ctx, ev)
	if err != nil {
		return event.Event{}, err
	}
	d.cfg.Logger.Info("lead category set", "lead_id", leadID, "category", name, "paused", pause)
	d.cfg.Stored(stored)
	return stored, nil
}

// SourceCategory is the source_type of a category set from Leadbell.
const SourceCategory = "LEADBELL_CATEGORY"
