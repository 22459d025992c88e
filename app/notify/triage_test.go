package notify

import (
	"testing"
	"testing/synctest"
	"time"

	"github.com/leadbell/leadbell/app/settings"
	"github.com/leadbell/leadbell/event"
)

// Replies pop up by what they say, with the default rules: an interested
// lead at once (and through quiet hours when the user lets it), an
// unsubscribe request without a sound, out-of-office and automatic replies
// never; a reply the desk has not triaged yet is triaged here.
func TestRepliesPopByTriage(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, localTime(12, 0, 0))
		h.set(func(c *settings.Notifications) { c.Triage = settings.DefaultTriagePops() })
		ooo := reply("1", "Olga Ode", "", "I am out of the office until 12 January with no access to email.")
		stop := reply("2", "Uma Under", "", "Please remove me from your mailing list.")
		keen := reply("3", "Kai Keen", "", "Yes, interested! Can we book a call on Tuesday at 10am?")
		auto := reply("4", "Noreply Desk", "", "")
		auto.Triage = "auto_reply" // the desk's verdict wins over the text
		for _, ev := range []event.Event{ooo, stop, keen, auto} {
			h.n.Handle(ev)
		}
		synctest.Wait()
		if got := h.rec.summaries(); len(got) != 1 || got[0] != "Kai Keen replied" {
			t.Fatalf("at once: %q, want only the interested lead", got)
		}
		advance(time.Minute)
		all := h.rec.all()
		if len(all) != 2 || all[1].Summary != "Uma Under replied" || all[1].Sound {
			t.Fatalf("after the hold: %+v, want the unsubscribe request, without a sound", all)
		}
		if !all[0].Sound {
			t.Error("the interested lead popped up without a sound")
		}

		h.set(func(c *settings.Notifications) {
			c.QuietHours = settings.QuietHours{Enabled: true, Start: "11:00", End: "23:00"}
			c.UrgentInQuietHours = true
		})
		h.n.Handle(reply("5", "Kai Keen", "", "Interested, let's set up a meeting next week."))
		h.n.Handle(reply("6", "Quinn Quest", "", "How much does it cost per seat?"))
		advance(time.Minute)
		if got := h.rec.summaries(); len(got) != 3 || got[2] != "Kai Keen replied" {
			t.Errorf("in quiet hours: %q, want only the interested lead let through", got)
		}
	})
}
