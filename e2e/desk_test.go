package e2e

import (
	"net/http"
	"strings"
	"testing"

	"github.com/leadbell/leadbell/app/smartlead/simulator"
	"github.com/leadbell/leadbell/event"
	"github.com/leadbell/leadbell/internal/testkit"
)

// outboxJSON is an answer as GET /api/outbox/{id} shows it.
type outboxJSON struct {
	ID      string `json:"outbox_id"`
	State   string `json:"state"`
	Problem string `json:"problem"`
}

// TestAnswerSurvivesAKill9: Send clicked, Leadbell killed with SIGKILL in
// the undo window: the next start sends the answer, and SmartLead gets it
// exactly once, across a second restart too.
func TestAnswerSurvivesAKill9(t *testing.T) {
	sim := newSim(t, simulator.FamilyLive)
	dir := t.TempDir()
	listen := freeAddr(t)
	key := []string{"SMARTLEAD_API_KEY=" + sim.APIKey()}
	p := start(t, key, serveArgs(dir, listen, sim)...)
	p.waitState("listening")
	reply := sim.Generator().Event(event.Replied)
	emit(t, sim, reply)
	var page pageJSON
	p.getJSON("/api/events?type=EMAIL_REPLIED", &page)
	if len(page.Events) != 1 {
		t.Fatalf("%d replies stored, want 1", len(page.Events))
	}
	var kept outboxJSON
	if code := p.postJSON("/api/events/"+page.Events[0].ID+"/reply", map[string]any{"body": "Thursday 3pm works for me.", "delay_s": 2}, &kept); code != http.StatusAccepted || kept.State != "waiting" {
		t.Fatalf("reply answered %d %+v, want 202 waiting", code, kept)
	}
	p.kill() // within the two seconds of the undo window
	if n := len(sim.ThreadReplies()); n != 0 {
		t.Fatalf("SmartLead took %d answers before the window ended", n)
	}

	for restart := range 2 {
		p = start(t, key, serveArgs(dir, listen, sim)...)
		sent := testkit.Poll(t, "the answer sent after the restart", func() outboxJSON {
			var e outboxJSON
			p.getJSON("/api/outbox/"+kept.ID, &e)
			return e
		}, func(e outboxJSON) bool { return e.State == "sent" || e.State == "failed" })
		if sent.State != "sent" {
			t.Fatalf("after restart %d the answer is %+v, want sent", restart+1, sent)
		}
		got := sim.ThreadReplies()
		if len(got) != 1 || !strings.Contains(got[0].Body, "Thursday 3pm works for me.") || got[0].StatsID != reply.StatsID {
			t.Fatalf("after restart %d SmartLead holds %d answers, want exactly this one", restart+1, len(got))
		}
		p.stop()
	}
}
