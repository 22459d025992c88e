package notify

import (
	"fmt"
	"strings"

	"github.com/leadbell/leadbell/event"
)

// single words the notification for one event. Every piece of the event is
// written by a stranger or derived from what one wrote, so each goes through
// line or excerpt before it is shown.
func single(ev event.Event, sound bool) Notification {
	n := Notification{Events: 1, Type: ev.Type, EventID: ev.ID, Sound: sound}
	who := leadName(ev)
	switch ev.Type {
	case event.Replied:
		n.Summary = who + " replied"
		if c := line(ev.Company, nameLen); c != "" {
			n.Summary = who + " (" + c + ") replied"
		}
		n.Body = excerpt(ev.Body, excerptLen)
		if n.Body == "" {
			n.Body = line(ev.Subject, excerptLen)
		}
	case event.Opened:
		n.Summary = who + " opened your email"
		if s := line(ev.Subject, nameLen); s != "" {
			n.Summary = who + " opened “" + s + "”"
		}
		n.Body = line(ev.CampaignName, excerptLen)
	case event.Clicked:
		n.Summary = who + " clicked a link"
		n.Body = line(ev.URL, excerptLen)
	case event.Bounced:
		n.Summary = who + " bounced"
		n.Body = excerpt(ev.Body, excerptLen)
	case event.Unsubscribed:
		n.Summary = who + " unsubscribed"
		n.Body = line(ev.CampaignName, excerptLen)
	case event.Sent:
		n.Summary = "Email sent to " + who
		n.Body = line(ev.Subject, excerptLen)
	case event.CategoryUpdated:
		n.Summary = who + " marked " + line(ev.Category, nameLen)
		if ev.Category == "" {
			n.Summary = who + "'s category changed"
		}
		n.Body = line(ev.CampaignName, excerptLen)
	default:
		n.Summary = "New event from " + who
		n.Body = line(ev.SourceType, excerptLen)
	}
	return n
}

// leadName is who the event is about: the lead's name, else their address,
// else "A lead".
func leadName(ev event.Event) string {
	if s := line(ev.LeadName, nameLen); s != "" {
		return s
	}
	if s := line(ev.LeadEmail, nameLen); s != "" {
		return s
	}
	return "A lead"
}

// plural names several events of one type in a grouped title.
var plural = map[event.Type]string{
	event.Replied:      "new replies",
	event.Opened:       "new opens",
	event.Clicked:      "new clicks",
	event.Bounced:      "new bounces",
	event.Unsubscribed: "new unsubscribes",
	event.Sent:         "emails sent",
	// "leads" and not "category updates": the notification is about them.
	event.CategoryUpdated: "leads categorised",
}

// namesShown is how many leads a grouped body names before "and N more".
const namesShown = 3

// grouped words one notification for a whole batch: "5 new replies" with the
// first leads' names, or "8 new events" with a count of each type when the
// types are mixed.
func grouped(b *batch, sound bool) Notification {
	n := Notification{Events: b.count, Sound: sound}
	if len(b.byType) == 1 {
		for t := range b.byType {
			n.Type = t
		}
	}
	words, ok := plural[n.Type]
	if !ok {
		words = "new events"
	}
	n.Summary = fmt.Sprintf("%d %s", b.count, words)
	if n.Type != "" {
		n.Body = cut(names(b), excerptLen)
	} else {
		n.Body = cut(breakdown(b), excerptLen)
	}
	return n
}

// names lists the first leads of a batch: "Jane Doe, Bob and 3 more".
func names(b *batch) string {
	var shown []string
	seen := map[string]bool{}
	for _, ev := range b.events {
		who := leadName(ev)
		if !seen[who] && len(shown) < namesShown {
			seen[who] = true
			shown = append(shown, who)
		}
	}
	more := b.count - len(shown)
	switch {
	case more > 0:
		return strings.Join(shown, ", ") + fmt.Sprintf(" and %d more", more)
	case len(shown) > 1:
		return strings.Join(shown[:len(shown)-1], ", ") + " and " + shown[len(shown)-1]
	default:
		return strings.Join(shown, "")
	}
}

// breakdownOrder puts what matters most first.
var breakdownOrder = []event.Type{
	event.Replied, event.Opened, event.Clicked, event.Bounced,
	event.CategoryUpdated, event.Unsubscribed, event.Sent, event.Other,
}

// breakdown counts a mixed batch by type, replies first: "4 replies,
// 3 opens, 1 click".
func breakdown(b *batch) string {
	var parts []string
	for _, t := range breakdownOrder {
		if c := b.byType[t]; c > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", c, noun(t, c)))
		}
	}
	return strings.Join(parts, ", ")
}

// nouns are the singular and plural words for events of a type.
var nouns = map[event.Type][2]string{
	event.Replied:         {"reply", "replies"},
	event.Opened:          {"open", "opens"},
	event.Clicked:         {"click", "clicks"},
	event.Bounced:         {"bounce", "bounces"},
	event.Unsubscribed:    {"unsubscribe", "unsubscribes"},
	event.Sent:            {"sent", "sent"},
	event.CategoryUpdated: {"category change", "category changes"},
}

// noun is the word for c events of type t.
func noun(t event.Type, c int) string {
	w, ok := nouns[t]
	if !ok {
		w = [2]string{"other", "others"}
	}
	if c == 1 {
		return w[0]
	}
	return w[1]
}
