package smartlead

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// API families, as reported by Client.Family.
const (
	apiFamilySpec = "spec"
	apiFamilyLive = "live"
)

// Webhook is a webhook registration. CampaignID "" means user level (every
// campaign of the account). EventTypes use the spec's names whatever family
// the account speaks; a name SmartLead has and the spec lacks is kept as is.
type Webhook struct {
	ID         string
	CampaignID string
	Name       string
	URL        string
	EventTypes []EventType
	Enabled    bool
}

// apiNeedID refuses a call about a webhook without an id: the spec
// route would lose its last segment and read as missing.
func apiNeedID(op string, w Webhook) error {
	if w.ID == "" {
		return fmt.Errorf("smartlead: %s: webhook has no id", op)
	}
	return nil
}

func apiCampaignWebhooksPath(campaignID string) string {
	return "/campaigns/" + url.PathEscape(campaignID) + "/webhooks"
}

// spec sends a call to the spec family unless the account is known to
// speak only the live one. It reports fallback=true when the caller must
// use the live family instead; otherwise resp is the spec family's answer
// (2xx) or err its error. See apiRouteMissing for how a missing route is
// told from a missing webhook.
func (c *Client) spec(ctx context.Context, op, method, path string, in any) (resp *apiResponse, fallback bool, err error) {
	fam := c.Family()
	if fam == apiFamilyLive {
		return nil, true, nil
	}
	resp, err = c.send(ctx, op, method, path, in)
	if err != nil {
		return nil, false, err
	}
	if resp.ok() {
		c.setFamily(apiFamilySpec)
		return resp, false, nil
	}
	if fam == "" && apiRouteMissing(resp.status, resp.body) {
		c.setFamily(apiFamilyLive)
		return nil, true, nil
	}
	switch resp.status {
	case http.StatusBadRequest, http.StatusNotFound, http.StatusConflict, http.StatusUnprocessableEntity:
		c.setFamily(apiFamilySpec) // the route exists: it answered about the request
	}
	return nil, false, c.apiError(op, resp, false)
}

// live performs a live-family call; a missing route there means neither
// family is offered.
func (c *Client) live(ctx context.Context, op, method, path string, in, out any) error {
	resp, err := c.send(ctx, op, method, path, in)
	if err != nil {
		return err
	}
	if !resp.ok() {
		return c.apiError(op, resp, apiRouteMissing(resp.status, resp.body))
	}
	return c.decode(op, resp, out)
}

// CreateWebhook registers w and returns it with its ID. On an account that
// only has the per-campaign API, a user-level w fails with
// ErrCampaignRequired: register one per campaign instead.
func (c *Client) CreateWebhook(ctx context.Context, w Webhook) (Webhook, error) {
	const op = "create webhook"
	resp, fallback, err := c.spec(ctx, op, http.MethodPost, "/webhook/create", apiSpecBody(w, false))
	if err != nil {
		return Webhook{}, err
	}
	if !fallback {
		var ans apiWebhook
		if err := c.decode(op, resp, &ans); err != nil {
			return Webhook{}, err
		}
		if ans.ID == "" {
			return Webhook{}, fmt.Errorf("smartlead: %s: answer carries no webhook id", op)
		}
		w.ID, w.Enabled = string(ans.ID), true
		return w, nil
	}
	if w.CampaignID == "" {
		return Webhook{}, fmt.Errorf("smartlead: %s: %w", op, ErrCampaignRequired)
	}
	w.ID = ""
	var ans apiWebhook
	if err := c.live(ctx, op, http.MethodPost, apiCampaignWebhooksPath(w.CampaignID), apiLiveBody(w), &ans); err != nil {
		return Webhook{}, err
	}
	if ans.ID != "" {
		w.ID, w.Enabled = string(ans.ID), true
		return w, nil
	}
	// The live API answers {"ok": true}: find what we made in the list,
	// the newest webhook with our URL and name.
	list, err := c.ListWebhooks(ctx, w.CampaignID)
	if err != nil {
		return Webhook{}, err
	}
	var found *Webhook
	for i, h := range list {
		if h.URL == w.URL && h.Name == w.Name && (found == nil || apiIDLess(found.ID, h.ID)) {
			found = &list[i]
		}
	}
	if found == nil {
		return Webhook{}, fmt.Errorf("smartlead: %s: created webhook is not in the campaign's list", op)
	}
	return *found, nil
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

// GetWebhook reads the registration w.ID as SmartLead has it now. It fails
// with ErrNotFound when the webhook is gone. On the per-campaign API it
// needs w.CampaignID.
func (c *Client) GetWebhook(ctx context.Context, w Webhook) (Webhook, error) {
	const op = "get webhook"
	if err := apiNeedID(op, w); err != nil {
		return Webhook{}, err
	}
	resp, fallback, err := c.spec(ctx, op, http.MethodGet, "/webhook/"+url.PathEscape(w.ID), nil)
	if err != nil {
		return Webhook{}, err
	}
	if !fallback {
		var ans apiWebhook
		if err := c.decode(op, resp, &ans); err != nil {
			return Webhook{}, err
		}
		got := ans.webhook()
		if got.ID == "" {
			got.ID = w.ID
		}
		return got, nil
	}
	return c.findLive(ctx, op, w)
}

// findLive looks w up in its campaign's list.
func (c *Client) findLive(ctx context.Context, op string, w Webhook) (Webhook, error) {
	if w.CampaignID == "" {
		return Webhook{}, fmt.Errorf("smartlead: %s: %w", op, ErrCampaignRequired)
	}
	list, err := c.ListWebhooks(ctx, w.CampaignID)
	if err != nil {
		return Webhook{}, err
	}
	for _, h := range list {
		if h.ID == w.ID {
			return h, nil
		}
	}
	return Webhook{}, &APIError{Op: op, Status: http.StatusNotFound, Message: "webhook not in the campaign's list"}
}

// UpdateWebhook saves w (found by w.ID) and returns it as saved. Saving
// always enables the webhook, whatever w.Enabled says: it is how a webhook
// SmartLead disabled after failed deliveries is repaired (the per-campaign
// API has no on/off switch at all, and saving there re-enables too).
func (c *Client) UpdateWebhook(ctx context.Context, w Webhook) (Webhook, error) {
	const op = "update webhook"
	if err := apiNeedID(op, w); err != nil {
		return Webhook{}, err
	}
	_, fallback, err := c.spec(ctx, op, http.MethodPut, "/webhook/update/"+url.PathEscape(w.ID), apiSpecBody(w, true))
	if err != nil {
		return Webhook{}, err
	}
	if !fallback {
		w.Enabled = true
		return w, nil
	}
	if w.CampaignID == "" {
		return Webhook{}, fmt.Errorf("smartlead: %s: %w", op, ErrCampaignRequired)
	}
	if err := c.live(ctx, op, http.MethodPost, apiCampaignWebhooksPath(w.CampaignID), apiLiveBody(w), nil); err != nil {
		return Webhook{}, err
	}
	return c.findLive(ctx, op, w)
}

// DeleteWebhook removes the registration w.ID (on the per-campaign API,
// from w.CampaignID). Deleting a webhook that is gone fails with ErrNotFound.
func (c *Client) DeleteWebhook(ctx context.Context, w Webhook) error {
	const op = "delete webhook"
	if err := apiNeedID(op, w); err != nil {
		return err
	}
	_, fallback, err := c.spec(ctx, op, http.MethodDelete, "/webhook/delete/"+url.PathEscape(w.ID), nil)
	if err != nil || !fallback {
		return err
	}
	if w.CampaignID == "" {
		return fmt.Errorf("smartlead: %s: %w", op, ErrCampaignRequired)
	}
	return c.live(ctx, op, http.MethodDelete, apiCampaignWebhooksPath(w.CampaignID),
		map[string]any{"id": apiWireID(w.ID)}, nil)
}

// ListWebhooks lists the webhooks of one campaign. Only the per-campaign
// API has a list; an account without it fails with ErrUnsupported.
func (c *Client) ListWebhooks(ctx context.Context, campaignID string) ([]Webhook, error) {
	const op = "list webhooks"
	if campaignID == "" {
		return nil, fmt.Errorf("smartlead: %s: %w", op, ErrCampaignRequired)
	}
	var wire []apiWebhook
	if err := c.live(ctx, op, http.MethodGet, apiCampaignWebhooksPath(campaignID), nil, &wire); err != nil {
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

// RetriggerFailed asks SmartLead to deliver again the campaign's webhook
// events that failed between from and to (for instance while Leadbell was
// offline). SmartLead re-delivers them on its own time.
func (c *Client) RetriggerFailed(ctx context.Context, campaignID string, from, to time.Time) error {
	const op = "retrigger failed events"
	if campaignID == "" {
		return fmt.Errorf("smartlead: %s: %w", op, ErrCampaignRequired)
	}
	const layout = "2006-01-02T15:04:05.000Z"
	body := map[string]string{"fromTime": from.UTC().Format(layout), "toTime": to.UTC().Format(layout)}
	return c.live(ctx, op, http.MethodPost, apiCampaignWebhooksPath(campaignID)+"/retrigger-failed-events", body, nil)
}
