package smartlead

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/leadbell/leadbell/event"
)

// Webhook is a webhook registration: at campaign level when CampaignID is
// set, at client level when ClientID is, else at user level (every
// campaign of the account). event.Types use Leadbell's names whatever the
// wire says; a name SmartLead has and Leadbell lacks is kept as is.
// Categories are lead category names: SmartLead delivers an event only
// for leads in one of them, and refuses an empty list.
type Webhook struct {
	ID         string
	CampaignID string
	ClientID   string
	Name       string
	URL        string
	EventTypes []event.Type
	Categories []string
	Enabled    bool
}

// Level is where a webhook applies, in the words of SmartLead's
// association_type.
type Level string

// Levels. A user-level webhook takes priority over client- and
// campaign-level ones for the same event type (docs/smartlead-api.md).
const (
	LevelUser     Level = "user"
	LevelClient   Level = "client"
	LevelCampaign Level = "campaign"
)

// Level is where w applies.
func (w Webhook) Level() Level {
	switch {
	case w.CampaignID != "":
		return LevelCampaign
	case w.ClientID != "":
		return LevelClient
	}
	return LevelUser
}

func campaignWebhooksPath(campaignID string) string {
	return "/campaigns/" + url.PathEscape(campaignID) + "/webhooks"
}

// The per-campaign API. It is the only webhook API that code run against
// real accounts uses (an agent toolkit, two CLIs, an MCP server, an n8n
// node: docs/smartlead-api.md, "Registering a webhook"), so Leadbell
// registers through it by default.

// SaveCampaignWebhook creates w (w.ID empty) or updates it, in campaign
// w.CampaignID, and returns it as saved. Saving also re-enables a webhook
// SmartLead disabled after failed deliveries: the per-campaign API has no
// on/off switch. SmartLead refuses an empty Categories list.
func (c *Client) SaveCampaignWebhook(ctx context.Context, w Webhook) (Webhook, error) {
	const op = "save campaign webhook"
	if w.CampaignID == "" {
		return Webhook{}, fmt.Errorf("smartlead: %s: no campaign", op)
	}
	var ans apiWebhook
	if err := c.call(ctx, op, http.MethodPost, campaignWebhooksPath(w.CampaignID), apiCampaignBody(w), &ans); err != nil {
		return Webhook{}, err
	}
	if ans.ID != "" {
		w.ID = string(ans.ID)
		w.Enabled = true
		return w, nil
	}
	// An answer without the saved webhook (seen as {"ok": true} in older
	// descriptions): find it in the list, the newest with our URL and name.
	list, err := c.CampaignWebhooks(ctx, w.CampaignID)
	if err != nil {
		return Webhook{}, err
	}
	var found *Webhook
	for i, h := range list {
		match := h.ID == w.ID || w.ID == "" && h.URL == w.URL && h.Name == w.Name
		if match && (found == nil || apiIDLess(found.ID, h.ID)) {
			found = &list[i]
		}
	}
	if found == nil {
		return Webhook{}, fmt.Errorf("smartlead: %s: the saved webhook is not in the campaign's list", op)
	}
	return *found, nil
}

// CampaignWebhooks lists the webhooks of one campaign, other tools' too.
// The list does not say whether a webhook is enabled (it has no
// is_active): Enabled is always true.
func (c *Client) CampaignWebhooks(ctx context.Context, campaignID string) ([]Webhook, error) {
	const op = "list campaign webhooks"
	var wire []apiWebhook
	if err := c.call(ctx, op, http.MethodGet, campaignWebhooksPath(campaignID), nil, &wire); err != nil {
		return nil, err
	}
	out := make([]Webhook, 0, len(wire))
	for _, w := range wire {
		h := w.webhook()
		if h.CampaignID == "" {
			h.CampaignID = campaignID
		}
		out = append(out, h)
	}
	return out, nil
}

// DeleteCampaignWebhook deletes webhook w.ID of campaign w.CampaignID.
// A webhook that is gone fails with ErrNotFound.
func (c *Client) DeleteCampaignWebhook(ctx context.Context, w Webhook) error {
	const op = "delete campaign webhook"
	if w.ID == "" || w.CampaignID == "" {
		return fmt.Errorf("smartlead: %s: no webhook or campaign id", op)
	}
	return c.call(ctx, op, http.MethodDelete, campaignWebhooksPath(w.CampaignID),
		map[string]any{"id": apiWireID(w.ID)}, nil)
}

// RetriggerFailed asks SmartLead to deliver again the campaign's webhook
// events that failed between from and to (for instance while Leadbell was
// offline). SmartLead re-delivers them on its own time. It is a private
// beta on some accounts (403).
func (c *Client) RetriggerFailed(ctx context.Context, campaignID string, from, to time.Time) error {
	const op = "retrigger failed events"
	if campaignID == "" {
		return fmt.Errorf("smartlead: %s: no campaign", op)
	}
	const layout = "2006-01-02T15:04:05.000Z"
	body := map[string]string{"fromTime": from.UTC().Format(layout), "toTime": to.UTC().Format(layout)}
	return c.call(ctx, op, http.MethodPost, campaignWebhooksPath(campaignID)+"/retrigger-failed-events", body, nil)
}

// apiIDLess orders ids numerically when both are numbers.
func apiIDLess(a, b string) bool {
	na, ea := strconv.ParseInt(a, 10, 64)
	nb, eb := strconv.ParseInt(b, 10, 64)
	if ea == nil && eb == nil {
		return na < nb
	}
	return a < b
}
