package smartlead

import (
	"cmp"
	"slices"

	"github.com/leadbell/leadbell/event"
)

// The wire forms of a webhook. Both APIs name event types with the live
// names, never the spec's (docs/smartlead-api.md: "Spec names are not
// accepted there").

// apiLiveNames maps Leadbell's event types to the names SmartLead's
// webhook APIs accept.
var apiLiveNames = map[event.Type]string{
	event.Sent:            "EMAIL_SENT",
	event.Opened:          "EMAIL_OPEN",
	event.Clicked:         "EMAIL_LINK_CLICK",
	event.Replied:         "EMAIL_REPLY",
	event.Bounced:         "EMAIL_BOUNCE",
	event.Unsubscribed:    "LEAD_UNSUBSCRIBED",
	event.CategoryUpdated: "LEAD_CATEGORY_UPDATED",
}

// LiveName is the name SmartLead's webhook APIs use for t.
func LiveName(t event.Type) string {
	if live, ok := apiLiveNames[t]; ok {
		return live
	}
	return string(t)
}

// apiEventType maps a name from either vocabulary to Leadbell's event.Type;
// a name it does not know is kept as is.
func apiEventType(name string) event.Type {
	if t, ok := sourceNames[name]; ok {
		return t
	}
	return event.Type(name)
}

// apiSortTypes orders event types as the UI shows them, unknown ones last.
func apiSortTypes(ts []event.Type) []event.Type {
	rank := func(t event.Type) int {
		if i := slices.Index(event.Types, t); i >= 0 {
			return i
		}
		return len(event.Types)
	}
	slices.SortFunc(ts, func(a, b event.Type) int {
		if ra, rb := rank(a), rank(b); ra != rb {
			return ra - rb
		}
		return cmp.Compare(a, b)
	})
	return slices.Compact(ts)
}

// apiWebhook is a webhook as either API describes it: the per-campaign
// list ({id, name, webhook_url, email_campaign_id, event_types,
// categories}, no is_active), the per-campaign save's answer (with
// event_type_map and category_id_map) and the global API's.
type apiWebhook struct {
	ID           apiID          `json:"id"`
	Name         string         `json:"name"`
	URL          string         `json:"webhook_url"`
	CampaignID   apiID          `json:"email_campaign_id"`
	ClientID     apiID          `json:"client_id"`
	EventTypeMap map[string]any `json:"event_type_map"`
	EventTypes   []string       `json:"event_types"`
	Categories   []string       `json:"categories"`
	IsActive     *bool          `json:"is_active"`
}

func (w apiWebhook) webhook() Webhook {
	out := Webhook{ID: string(w.ID), CampaignID: string(w.CampaignID), ClientID: string(w.ClientID),
		Name: w.Name, URL: w.URL, Enabled: w.IsActive == nil || *w.IsActive}
	for name, on := range w.EventTypeMap {
		if on == true || on == "true" || on == float64(1) {
			out.EventTypes = append(out.EventTypes, apiEventType(name))
		}
	}
	for _, name := range w.EventTypes {
		out.EventTypes = append(out.EventTypes, apiEventType(name))
	}
	out.EventTypes = apiSortTypes(out.EventTypes)
	out.Categories = slices.Clone(w.Categories)
	return out
}

func apiTypeNames(ts []event.Type) []string {
	names := make([]string, 0, len(ts))
	for _, t := range ts {
		names = append(names, LiveName(t))
	}
	return names
}

// apiCampaignBody is the per-campaign save body; id null creates.
func apiCampaignBody(w Webhook) map[string]any {
	var id any
	if w.ID != "" {
		id = apiWireID(w.ID)
	}
	return map[string]any{"id": id, "name": w.Name, "webhook_url": w.URL,
		"event_types": apiTypeNames(w.EventTypes), "categories": nonNil(w.Categories)}
}

// apiCreateBody is the global create body of SmartLead's current docs.
func apiCreateBody(w Webhook) map[string]any {
	m := map[string]any{}
	for _, t := range w.EventTypes {
		m[LiveName(t)] = true
	}
	b := map[string]any{"name": w.Name, "webhook_url": w.URL, "association_type": string(w.Level()), "event_type_map": m}
	switch w.Level() {
	case LevelCampaign:
		b["email_campaign_id"] = apiWireID(w.CampaignID)
	case LevelClient:
		b["client_id"] = apiWireID(w.ClientID)
	}
	return b
}

// apiUpdateBody is the global update body of SmartLead's current docs.
func apiUpdateBody(w Webhook) map[string]any {
	return map[string]any{"name": w.Name, "webhook_url": w.URL,
		"event_types": apiTypeNames(w.EventTypes), "categories": nonNil(w.Categories)}
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
