package smartlead

import (
	"cmp"
	"slices"
)

// The wire forms of a webhook in the two API families.

// apiLiveNames maps the spec's event names to the live API's.
var apiLiveNames = map[EventType]string{
	EventSent:         "EMAIL_SENT",
	EventOpened:       "EMAIL_OPEN",
	EventClicked:      "EMAIL_LINK_CLICK",
	EventReplied:      "EMAIL_REPLY",
	EventBounced:      "EMAIL_BOUNCE",
	EventUnsubscribed: "LEAD_UNSUBSCRIBED",
}

// apiEventType maps a name from either family to Leadbell's EventType.
func apiEventType(name string) EventType {
	for spec, live := range apiLiveNames {
		if name == live || name == string(spec) {
			return spec
		}
	}
	if name == "FIRST_EMAIL_SENT" {
		return EventSent
	}
	return EventType(name)
}

// apiSortTypes orders event types as the UI shows them, unknown ones last.
func apiSortTypes(ts []EventType) []EventType {
	rank := func(t EventType) int {
		if i := slices.Index(EventTypes, t); i >= 0 {
			return i
		}
		return len(EventTypes)
	}
	slices.SortFunc(ts, func(a, b EventType) int {
		if ra, rb := rank(a), rank(b); ra != rb {
			return ra - rb
		}
		return cmp.Compare(a, b)
	})
	return slices.Compact(ts)
}

// apiWebhook is a webhook as either family describes it.
type apiWebhook struct {
	ID           apiID          `json:"id"`
	Name         string         `json:"name"`
	URL          string         `json:"webhook_url"`
	CampaignID   apiID          `json:"email_campaign_id"`
	EventTypeMap map[string]any `json:"event_type_map"`
	EventTypes   []string       `json:"event_types"`
	IsActive     *bool          `json:"is_active"`
	Status       string         `json:"status"`
}

func (w apiWebhook) webhook() Webhook {
	out := Webhook{ID: string(w.ID), CampaignID: string(w.CampaignID), Name: w.Name, URL: w.URL, Enabled: true}
	for name, on := range w.EventTypeMap {
		if on == true || on == "true" || on == float64(1) {
			out.EventTypes = append(out.EventTypes, apiEventType(name))
		}
	}
	for _, name := range w.EventTypes {
		out.EventTypes = append(out.EventTypes, apiEventType(name))
	}
	out.EventTypes = apiSortTypes(out.EventTypes)
	switch {
	case w.IsActive != nil:
		out.Enabled = *w.IsActive
	case w.Status == "DISABLED" || w.Status == "INACTIVE" || w.Status == "disabled":
		out.Enabled = false
	}
	return out
}

// apiSpecBody is the spec's create/update body; an update also switches
// the webhook on.
func apiSpecBody(w Webhook, update bool) map[string]any {
	m := map[string]any{}
	for _, t := range w.EventTypes {
		m[string(t)] = true
	}
	b := map[string]any{"name": w.Name, "webhook_url": w.URL, "event_type_map": m,
		"association_type": 1, "email_campaign_id": nil}
	if w.CampaignID != "" {
		b["association_type"] = 3
		b["email_campaign_id"] = apiWireID(w.CampaignID)
	}
	if update {
		b["is_active"] = true
	}
	return b
}

// apiLiveBody is the live family's upsert body; id nil creates.
func apiLiveBody(w Webhook) map[string]any {
	types := make([]string, 0, len(w.EventTypes))
	for _, t := range w.EventTypes {
		if live, ok := apiLiveNames[t]; ok {
			types = append(types, live)
		} else {
			types = append(types, string(t))
		}
	}
	var id any
	if w.ID != "" {
		id = apiWireID(w.ID)
	}
	return map[string]any{"id": id, "name": w.Name, "webhook_url": w.URL,
		"event_types": types, "categories": []string{}}
}
