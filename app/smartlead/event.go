package smartlead

import (
	"strings"

	"github.com/leadbell/leadbell/event"
)

// sourceNames maps every event name SmartLead sends, of either family, to
// Leadbell's type.
var sourceNames = map[string]event.Type{
	"EMAIL_SENT": event.Sent, "FIRST_EMAIL_SENT": event.Sent,
	"EMAIL_OPENED": event.Opened, "EMAIL_OPEN": event.Opened,
	"EMAIL_CLICKED": event.Clicked, "EMAIL_LINK_CLICK": event.Clicked,
	"EMAIL_REPLIED": event.Replied, "EMAIL_REPLY": event.Replied,
	"EMAIL_BOUNCED": event.Bounced, "EMAIL_BOUNCE": event.Bounced,
	"EMAIL_UNSUBSCRIBED": event.Unsubscribed, "LEAD_UNSUBSCRIBED": event.Unsubscribed,
	"LEAD_CATEGORY_UPDATED": event.CategoryUpdated,
}

// shortNames are what people type on a command line (leadbell trigger reply).
var shortNames = map[string]event.Type{
	"SENT": event.Sent, "SEND": event.Sent, "OPENED": event.Opened, "OPEN": event.Opened,
	"CLICKED": event.Clicked, "CLICK": event.Clicked, "REPLIED": event.Replied, "REPLY": event.Replied,
	"BOUNCED": event.Bounced, "BOUNCE": event.Bounced, "UNSUBSCRIBED": event.Unsubscribed, "UNSUBSCRIBE": event.Unsubscribed,
	"CATEGORY": event.CategoryUpdated, "CATEGORY_UPDATED": event.CategoryUpdated,
}

// mapType maps a name SmartLead sent to Leadbell's type; a name it does not
// know is OTHER (kept and shown, never dropped).
func mapType(name string) event.Type {
	if t, ok := sourceNames[strings.ToUpper(name)]; ok {
		return t
	}
	return event.Other
}

// ParseEventType maps a name SmartLead or a person uses for an event type
// (EMAIL_REPLY, EMAIL_REPLIED, reply, ...) to Leadbell's type. Names it does
// not know report false.
func ParseEventType(name string) (event.Type, bool) {
	name = strings.ToUpper(strings.TrimSpace(name))
	if t, ok := sourceNames[name]; ok {
		return t, true
	}
	t, ok := shortNames[name]
	return t, ok
}
