package e2e

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp/kb"
	"github.com/leadbell/leadbell/event"
)

// TestBrowserDelete deletes a reply from the inbox in Chromium against
// leadbell serve and the SmartLead simulator: it leaves the list, the API
// and the unread count, and SmartLead delivering it again does not bring it
// back.
func TestBrowserDelete(t *testing.T) {
	b := newBrowser(t)
	p, sim := serveWithSim(t, t.TempDir())
	gen := sim.Generator()
	gone := gen.Event(event.Replied)
	goneID := emitID(t, p, sim, gone)
	keptID := emitID(t, p, sim, gen.Event(event.Replied))
	if st := p.status(); st.Unread != 2 {
		t.Fatalf("unread %d with two new replies, want 2", st.Unread)
	}

	// Another window has the inbox open too.
	other := b.tab(t)
	other.open(p, "/#/inbox")
	other.waitFor("both replies' rows in the other window", sel(row(goneID))+` && `+sel(row(keptID)))

	tb := b.tab(t)
	tb.open(p, "/#/inbox")
	tb.waitFor("both replies' rows", sel(row(goneID))+` && `+sel(row(keptID)))
	tb.click(row(goneID))
	pane := sel(`[data-testid=reading-pane]`)
	tb.waitFor("the reply in the reading pane", pane+`?.dataset.id === `+quoteJS(goneID))

	// "#" asks too, and Escape takes the question back.
	confirm := sel(`[data-testid=confirm-delete]`)
	tb.press("#")
	tb.waitFor("# to ask for confirmation", confirm)
	tb.waitFor("the confirm button to have the focus", `document.activeElement?.dataset.testid === "confirm-delete-yes"`)
	tb.press(kb.Escape)
	tb.waitFor("Escape to take the question back", `!`+confirm)
	if got := evalJS[string](tb, pane+`?.dataset.id ?? ""`); got != goneID {
		t.Fatalf("after Escape the reading pane shows %q, want the reply %s still selected", got, goneID)
	}

	tb.click(`[data-testid=delete-event]`)
	tb.waitFor("the Delete button to ask for confirmation", confirm)
	if text := evalJS[string](tb, confirm+`.innerText`); !strings.Contains(text, "Delete this reply for good?") || !strings.Contains(text, "SmartLead keeps its copy.") {
		t.Errorf("confirmation reads %q", text)
	}
	tb.click(`[data-testid=confirm-delete-yes]`)
	tb.waitFor("the deleted reply's row to go", `!`+sel(row(goneID)))
	tb.waitFor("the selection to move to the other reply", pane+`?.dataset.id === `+quoteJS(keptID))
	if !evalJS[bool](tb, `!!`+sel(row(keptID))) {
		t.Error("the other reply's row went too")
	}
	tb.waitFor("the unread badge to say 1", sel(`[data-testid=unread-count]`)+`?.textContent.trim() === "1"`)
	other.waitFor("the row to go in the other window as well", `!`+sel(row(goneID))+` && `+sel(row(keptID)))

	var page pageJSON
	p.getJSON("/api/events?type=EMAIL_REPLIED", &page)
	if ids := idsOf(page.Events); len(ids) != 1 || ids[0] != keptID {
		t.Fatalf("GET /api/events lists replies %v, want only %s", ids, keptID)
	}
	if page.Events[0].Read {
		t.Fatal("the other reply was marked read: the unread count below would prove nothing")
	}
	if st := p.status(); st.Unread != 1 || st.Counts[string(event.Replied)] != 1 {
		t.Errorf("status after delete: unread %d, replies %d; want 1 and 1", st.Unread, st.Counts[string(event.Replied)])
	}
	var ev eventJSON
	if code := p.getJSON("/api/events/"+goneID, &ev); code != http.StatusNotFound {
		t.Errorf("GET the deleted reply: status %d, want 404", code)
	}

	// SmartLead delivers the same reply again: a duplicate of the deleted
	// event, and it stays deleted.
	emit(t, sim, gone)
	waitDuplicateOf(t, p, goneID)
	p.getJSON("/api/events?type=EMAIL_REPLIED", &page)
	if ids := idsOf(page.Events); len(ids) != 1 || ids[0] != keptID {
		t.Errorf("after the redelivery GET /api/events lists replies %v, want only %s", ids, keptID)
	}
	if st := p.status(); st.Unread != 1 {
		t.Errorf("unread %d after the redelivery, want 1", st.Unread)
	}
	if evalJS[bool](tb, `!!`+sel(row(goneID))) {
		t.Error("the deleted reply's row came back after the redelivery")
	}
	p.stop()
}

// waitDuplicateOf waits until the newest delivery in the inspector's log
// was answered as a duplicate of the event id.
func waitDuplicateOf(t *testing.T, p *proc, id string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		var log struct {
			Deliveries []struct {
				Status    int    `json:"status"`
				EventID   string `json:"event_id"`
				Duplicate bool   `json:"duplicate"`
			} `json:"deliveries"`
		}
		p.getJSON("/api/deliveries?limit=1", &log)
		if len(log.Deliveries) == 1 {
			d := log.Deliveries[0]
			if d.Status == http.StatusOK && d.Duplicate && d.EventID == id {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("the newest delivery was answered %+v, want 200 as a duplicate of %s", d, id)
			}
		} else if time.Now().After(deadline) {
			t.Fatal("the inspector's log holds no delivery")
		}
		time.Sleep(50 * time.Millisecond)
	}
}
