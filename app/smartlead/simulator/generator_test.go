package simulator_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/leadbell/leadbell/app/smartlead"
	"github.com/leadbell/leadbell/app/smartlead/simulator"
	"github.com/leadbell/leadbell/event"
)

var fixedNow = func() time.Time { return time.Date(2025, 3, 14, 9, 26, 53, 589_000_000, time.UTC) }

func TestGeneratorIsDeterministic(t *testing.T) {
	render := func(seed int64) []byte {
		g := simulator.NewGenerator(seed)
		g.Now = fixedNow
		var out bytes.Buffer
		for range 5 {
			for _, typ := range event.Types {
				ev := g.Event(typ)
				out.Write(ev.SpecJSON())
				out.Write(ev.LiveJSON("s3cret"))
			}
		}
		return out.Bytes()
	}
	if !bytes.Equal(render(7), render(7)) {
		t.Fatal("same seed and clock gave different payloads")
	}
	if bytes.Equal(render(7), render(8)) {
		t.Fatal("different seeds gave the same payloads")
	}
}

func TestGeneratedPayloadsParse(t *testing.T) {
	g := simulator.NewGenerator(42)
	g.Now = fixedNow
	for _, typ := range event.Types {
		for round := range 6 { // several rounds: ids as numbers and strings, deprecated fields or not
			ev := g.Event(typ)
			shapes := []struct {
				name string
				body []byte
			}{{"spec", ev.SpecJSON()}, {"live", ev.LiveJSON("s3cret")}}
			for _, sh := range shapes {
				t.Run(string(typ)+"/"+sh.name, func(t *testing.T) {
					got, err := smartlead.Parse(sh.body)
					if err != nil {
						t.Fatalf("round %d: Parse: %v", round, err)
					}
					if got.Type != typ {
						t.Errorf("round %d: type %q, want %q", round, got.Type, typ)
					}
					if got.LeadEmail != ev.Lead.Email {
						t.Errorf("round %d: lead email %q, want %q", round, got.LeadEmail, ev.Lead.Email)
					}
					if got.CampaignID != ev.Campaign.ID || got.LeadID != ev.Lead.ID {
						t.Errorf("round %d: campaign/lead %q/%q, want %q/%q", round, got.CampaignID, got.LeadID, ev.Campaign.ID, ev.Lead.ID)
					}
					if !got.Timestamp.Equal(ev.At.Truncate(time.Second)) && !got.Timestamp.Equal(ev.At) {
						t.Errorf("round %d: timestamp %v, want %v", round, got.Timestamp, ev.At)
					}
					checkContent(t, typ, ev, got)
				})
			}
		}
	}
}

// checkContent checks what each type carries beyond the envelope.
func checkContent(t *testing.T, typ event.Type, ev simulator.Sample, got event.Event) {
	t.Helper()
	switch typ {
	case event.Replied:
		if got.Body == "" || got.Subject == "" || got.MessageID != ev.MessageID {
			t.Errorf("reply: body %q subject %q message id %q (want %q)", got.Body, got.Subject, got.MessageID, ev.MessageID)
		}
	case event.Bounced:
		if !strings.Contains(got.Body, ev.Body[:12]) {
			t.Errorf("bounce body %q, want it to hold %q", got.Body, ev.Body)
		}
	case event.Clicked:
		if got.URL != ev.URL {
			t.Errorf("url %q, want %q", got.URL, ev.URL)
		}
	}
}

func TestLivePayloadHabits(t *testing.T) {
	g := simulator.NewGenerator(3)
	var numeric, stringy, deprecated int
	for range 40 {
		ev := g.Event(event.Replied)
		body := ev.LiveJSON("s3cret")
		var m map[string]any
		if err := json.Unmarshal(body, &m); err != nil {
			t.Fatal(err)
		}
		switch m["sl_email_lead_id"].(type) {
		case float64:
			numeric++
		case string:
			stringy++
		}
		if _, ok := m["reply_body"]; ok {
			deprecated++
		}
		if m["from_email"] == ev.Lead.Email || m["to_email"] != ev.Lead.Email {
			t.Fatalf("from_email must be the user's mailbox and to_email the lead: %v / %v", m["from_email"], m["to_email"])
		}
		if m["secret_key"] != "s3cret" {
			t.Fatalf("secret_key %v, want the secret", m["secret_key"])
		}
		for _, k := range []string{"event_timestamp", "stats_id", "sl_email_lead_map_id", "campaign_status", "sent_message", "reply_message", "app_url", "leadCorrespondence", "metadata", "description"} {
			if _, ok := m[k]; !ok {
				t.Fatalf("live reply lacks %q", k)
			}
		}
	}
	if numeric == 0 || stringy == 0 || deprecated == 0 {
		t.Errorf("want ids as numbers and strings and some deprecated fields; got %d numeric, %d string, %d deprecated", numeric, stringy, deprecated)
	}
	if bytes.Contains(g.Event(event.Opened).LiveJSON(""), []byte("secret_key")) {
		t.Error("an unsigned live payload carries secret_key")
	}
}
