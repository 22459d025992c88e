package triage

import (
	"strings"
	"testing"
)

func TestClassify(t *testing.T) {
	tests := []struct {
		name, subject, body string
		want                Class
		reason              string
	}{
		{"later beats not interested", "Re: Quick question", "Not interested right now but maybe next quarter.", NotNow, ""},
		{"remove me", "Re: Quick question", "Please remove me", Unsubscribe, "asks to be removed from the list"},
		{"unsubscribe beats not interested", "Re: Quick question", "Not interested, and take me off your list.", Unsubscribe, ""},
		{"left with a referral", "Re: Quick question", "I'm no longer with the company, contact jane@x.com", WrongPerson, "points to jane@x.com"},
		{"left, remove me, and a referral", "Re: Quick question", "I have left the company, please remove me from your list. Contact jane@x.com instead.", WrongPerson, ""},
		{"meeting request as a question", "Re: Quick question", "Could we hop on a call Thursday at 2pm?", Interested, "mentions a meeting time"},
		{"a real question", "Re: Quick question", "How does this integrate with HubSpot?", Question, ""},
		{"out of office with a question", "Automatic reply: Quick question", "I'm out of the office until Monday. Need urgent help? Call the front desk.", OutOfOffice, ""},
		{"subject of a new thread counts", "Unsubscribe", "", Unsubscribe, ""},
		{"salesperson's subject does not count", "Re: Are you free for a call Thursday at 2pm?", "No thanks.", NotInterested, ""},
		{"link query is not a question", "Re: Quick question", "Sounds good: https://cal.example/me?week=2", Interested, ""},
		{"empty", "", "", Question, "no text of its own"},
		{"no sign either way", "Re: Quick question", "Received, thanks.", Question, "read it yourself"},
		{"german", "AW: Kurze Frage", "Bitte entfernen Sie mich aus Ihrem Verteiler.", Unsubscribe, ""},
		{"french accents dropped", "RE : Question rapide", "Ca ne m'interesse pas, merci.", NotInterested, ""},
		{"spanish", "RE: Pregunta rápida", "¿Cuánto cuesta?", Question, "asks about pricing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Classify(Reply{Subject: tt.subject, Body: tt.body})
			if got.Class != tt.want {
				t.Errorf("Classify = %s (%s), want %s", got.Class, got.Reason, tt.want)
			}
			if !strings.Contains(got.Reason, tt.reason) {
				t.Errorf("Reason = %q, want it to contain %q", got.Reason, tt.reason)
			}
		})
	}
}

// TestTextCap checks that only the first maxBody bytes are read.
func TestTextCap(t *testing.T) {
	filler := strings.Repeat("word ", maxBody/5+10)
	if got := Classify(Reply{Body: filler + "Please unsubscribe me."}); got.Class == Unsubscribe {
		t.Errorf("a cue past the cap was read: %+v", got)
	}
	if got := Classify(Reply{Body: "Please unsubscribe me. " + filler}); got.Class != Unsubscribe {
		t.Errorf("a cue before the cap was missed: %+v", got)
	}
	// A cut through a multi-byte letter must not leave half of it.
	l := readLead(Reply{Body: strings.Repeat("é", maxBody)})
	if len(l.text) > maxBody || !strings.HasSuffix(l.text, "é") {
		t.Errorf("cap cut badly: %d bytes", len(l.text))
	}
}
