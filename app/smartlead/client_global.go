package smartlead

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
)

// The global webhook API (/webhook/...), for user- and client-level
// webhooks. Only SmartLead's current doc pages describe it; no independent
// code run against a real account uses it (docs/smartlead-api.md), so
// Leadbell offers it as a choice, not the default. The bodies are the
// current docs' (a string association_type, event_type_map keyed by the
// live event names); the spec's integer association_type and spec-named
// keys belong to an older page and are not sent. An account without these
// routes answers them as missing: the calls then fail with ErrUnsupported.

// CreateWebhook registers w at its Level (a user-level w has neither
// CampaignID nor ClientID) and returns it with its ID.
func (c *Client) CreateWebhook(ctx context.Context, w Webhook) (Webhook, error) {
	const op = "create webhook"
	var ans apiWebhook
	if err := c.call(ctx, op, http.MethodPost, "/webhook/create", apiCreateBody(w), &ans); err != nil {
		return Webhook{}, err
	}
	if ans.ID == "" {
		return Webhook{}, fmt.Errorf("smartlead: %s: the answer carries no webhook id", op)
	}
	w.ID, w.Enabled = string(ans.ID), true
	return w, nil
}

// GetWebhook reads webhook id as SmartLead has it now; ErrNotFound when it
// is gone.
func (c *Client) GetWebhook(ctx context.Context, id string) (Webhook, error) {
	const op = "get webhook"
	if id == "" {
		return Webhook{}, fmt.Errorf("smartlead: %s: no webhook id", op)
	}
	var ans apiWebhook
	if err := c.call(ctx, op, http.MethodGet, "/webhook/"+url.PathEscape(id), nil, &ans); err != nil {
		return Webhook{}, err
	}
	got := ans.webhook()
	if got.ID == "" {
		got.ID = id
	}
	return got, nil
}

// UpdateWebhook saves w (found by w.ID): its name, URL, event types and
// categories. Saving re-enables a webhook SmartLead disabled.
func (c *Client) UpdateWebhook(ctx context.Context, w Webhook) (Webhook, error) {
	const op = "update webhook"
	if w.ID == "" {
		return Webhook{}, fmt.Errorf("smartlead: %s: no webhook id", op)
	}
	if err := c.call(ctx, op, http.MethodPut, "/webhook/update/"+url.PathEscape(w.ID), apiUpdateBody(w), nil); err != nil {
		return Webhook{}, err
	}
	w.Enabled = true
	return w, nil
}

// DeleteWebhook deletes webhook id; ErrNotFound when it is gone. The
// current docs take the id in a JSON body (the old page's
// /webhook/delete/{id} is not used).
func (c *Client) DeleteWebhook(ctx context.Context, id string) error {
	const op = "delete webhook"
	if id == "" {
		return fmt.Errorf("smartlead: %s: no webhook id", op)
	}
	return c.call(ctx, op, http.MethodDelete, "/webhook/delete", map[string]any{"id": apiWireID(id)}, nil)
}
