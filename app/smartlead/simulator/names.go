package simulator

import (
	"slices"

	"github.com/leadbell/leadbell/app/smartlead"
	"github.com/leadbell/leadbell/event"
)

// liveName is an event type name of SmartLead's webhook API with
// Leadbell's type for it.
type liveName struct {
	live string
	typ  event.Type
}

// liveEventNames are the event type names SmartLead's webhook API accepts
// (docs/smartlead-api.md), in the order it lists them, with Leadbell's
// name for each. The spec's names (EMAIL_REPLIED, ...) are not among
// them: the API refuses those. A name Leadbell has no type for is kept
// as is.
var liveEventNames = []liveName{
	{"EMAIL_SENT", event.Sent},
	{"EMAIL_OPEN", event.Opened},
	{"EMAIL_LINK_CLICK", event.Clicked},
	{"EMAIL_REPLY", event.Replied},
	{"EMAIL_BOUNCE", event.Bounced},
	{"LEAD_UNSUBSCRIBED", event.Unsubscribed},
	{"LEAD_CATEGORY_UPDATED", event.CategoryUpdated},
	{"CAMPAIGN_STATUS_CHANGED", "CAMPAIGN_STATUS_CHANGED"},
	{"UNTRACKED_REPLIES", "UNTRACKED_REPLIES"},
	{"MANUAL_STEP_REACHED", "MANUAL_STEP_REACHED"},
}

// typeOfLive maps a live event name to the stored type; false for any
// other name, the spec's included.
func typeOfLive(name string) (event.Type, bool) {
	for _, n := range liveEventNames {
		if name == n.live {
			return n.typ, true
		}
	}
	return "", false
}

// liveNameOf is the live name of a stored type.
func liveNameOf(t event.Type) string {
	if t == event.Other {
		t = event.CategoryUpdated
	}
	for _, n := range liveEventNames {
		if n.typ == t {
			return n.live
		}
	}
	return string(t)
}

// liveNames lists the accepted names, for error messages.
func liveNames() []string {
	out := make([]string, len(liveEventNames))
	for i, n := range liveEventNames {
		out[i] = n.live
	}
	return out
}

// sortTypes orders types as liveEventNames does and drops repeats.
func sortTypes(ts []event.Type) []event.Type {
	rank := func(t event.Type) int {
		return slices.IndexFunc(liveEventNames, func(n liveName) bool { return n.typ == t })
	}
	slices.SortFunc(ts, func(a, b event.Type) int { return rank(a) - rank(b) })
	return slices.Compact(ts)
}

// subscribed reports whether w takes events of type t.
func subscribed(w smartlead.Webhook, t event.Type) bool {
	if t == event.Other {
		t = event.CategoryUpdated
	}
	return slices.Contains(w.EventTypes, t)
}
