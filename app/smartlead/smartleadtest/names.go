package smartleadtest

import (
	"slices"

	"github.com/leadbell/leadbell/app/smartlead"
)

// liveName is an event type name of SmartLead's webhook API with
// Leadbell's type for it.
type liveName struct {
	live string
	typ  smartlead.EventType
}

// liveEventNames are the event type names SmartLead's webhook API accepts
// (docs/smartlead-api.md), in the order it lists them, with Leadbell's
// name for each. The spec's names (EMAIL_REPLIED, ...) are not among
// them: the API refuses those. A name Leadbell has no type for is kept
// as is.
var liveEventNames = []liveName{
	{"EMAIL_SENT", smartlead.EventSent},
	{"EMAIL_OPEN", smartlead.EventOpened},
	{"EMAIL_LINK_CLICK", smartlead.EventClicked},
	{"EMAIL_REPLY", smartlead.EventReplied},
	{"EMAIL_BOUNCE", smartlead.EventBounced},
	{"LEAD_UNSUBSCRIBED", smartlead.EventUnsubscribed},
	{"LEAD_CATEGORY_UPDATED", smartlead.EventCategoryUpdated},
	{"CAMPAIGN_STATUS_CHANGED", "CAMPAIGN_STATUS_CHANGED"},
	{"UNTRACKED_REPLIES", "UNTRACKED_REPLIES"},
	{"MANUAL_STEP_REACHED", "MANUAL_STEP_REACHED"},
}

// typeOfLive maps a live event name to the stored type; false for any
// other name, the spec's included.
func typeOfLive(name string) (smartlead.EventType, bool) {
	for _, n := range liveEventNames {
		if name == n.live {
			return n.typ, true
		}
	}
	return "", false
}

// liveNameOf is the live name of a stored type.
func liveNameOf(t smartlead.EventType) string {
	if t == smartlead.EventOther {
		t = smartlead.EventCategoryUpdated
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
func sortTypes(ts []smartlead.EventType) []smartlead.EventType {
	rank := func(t smartlead.EventType) int {
		return slices.IndexFunc(liveEventNames, func(n liveName) bool { return n.typ == t })
	}
	slices.SortFunc(ts, func(a, b smartlead.EventType) int { return rank(a) - rank(b) })
	return slices.Compact(ts)
}

// subscribed reports whether w takes events of type t.
func subscribed(w smartlead.Webhook, t smartlead.EventType) bool {
	if t == smartlead.EventOther {
		t = smartlead.EventCategoryUpdated
	}
	return slices.Contains(w.EventTypes, t)
}
