package e2e

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/leadbell/leadbell/app/smartlead/simulator"
	"github.com/leadbell/leadbell/event"
)

// TestBrowserDesk drives the reply desk in Chromium against leadbell serve
// and the SmartLead simulator, which shows what SmartLead received: an
// answer typed and sent once its undo window is over, an answer taken back
// within it, a category set from the menu with a number key, the inbox
// filtered by it, a reply marked done with e, and one snoozed for two
// seconds that comes back unread. Screenshots of the reply box and the
// category menu, light and dark, go to artifacts/desk-*.png.
func TestBrowserDesk(t *testing.T) {
	p, sim := serveWithSim(t, t.TempDir())
	gen := sim.Generator()
	leads := gen.Leads()
	first := gen.EventFor(event.Replied, leads[0])
	a := emitID(t, p, sim, first)
	b := emitID(t, p, sim, gen.EventFor(event.Replied, leads[1]))

	br := newBrowser(t)
	tb := br.tab(t)
	scheme(tb, "light")
	tb.open(p, "/#/inbox")
	tb.waitFor("both replies", sel(row(a))+` && `+sel(row(b)))
	pane := sel(`[data-testid=reading-pane]`)
	badge := `Number(` + sel(`[data-testid=unread-count]`) + `?.textContent.trim() ?? 0)`

	// An answer, typed (line breaks kept, markup as text) and sent with
	// Ctrl+Enter once its draft is kept; it leaves when the undo window ends.
	const answer = "Thursday 3pm works.\nTalk soon, <b>Sam</b> & co"
	tb.click(row(a))
	tb.waitFor("the first reply in the pane", pane+`?.dataset.id === `+quoteJS(a))
	tb.press("r")
	tb.waitFor("r to open the reply box, focused", `document.activeElement?.dataset.testid === "reply-text"`)
	if on := evalJS[bool](tb, sel(`[data-testid=reply-signature]`)+`.checked`); !on {
		t.Error(`"Add my SmartLead signature" is off in a new answer, want on`)
	}
	tb.typeInto(`[data-testid=reply-text]`, answer)
	tb.waitFor("the draft to be kept", sel(`[data-testid=draft-saved]`))
	var draft struct{ Body string }
	if code := p.getJSON("/api/events/"+a+"/draft", &draft); code != http.StatusOK || draft.Body != answer {
		t.Fatalf("the kept draft: %d %q, want 200 %q", code, draft.Body, answer)
	}
	shoot(tb, filepath.Join("artifacts", "desk-reply-light.png"))
	tb.do("send with Ctrl+Enter", chromedp.KeyEvent(kb.Enter, chromedp.KeyModifiers(chromedp.ModifierCtrl)))
	tb.waitFor("the undo bar counting down", sel(`[data-testid=undo-bar][data-state=waiting] [data-testid=undo-countdown]`))
	if n := len(sim.ThreadReplies()); n != 0 {
		t.Fatalf("SmartLead holds %d answers during the undo window, want none", n)
	}
	shoot(tb, filepath.Join("artifacts", "desk-undo-light.png"))
	tb.waitFor("the undo window to end", `!`+sel(`[data-testid=undo-bar][data-state=waiting]`))
	tb.waitFor("the answer to be sent", sel(`[data-testid=reply-sent]`)+` && !`+sel(`[data-testid=reply-box]`))
	got := sim.ThreadReplies()
	if len(got) != 1 {
		t.Fatalf("SmartLead holds %d answers after one Send, want 1", len(got))
	}
	const html = "<p>Thursday 3pm works.<br>Talk soon, &lt;b&gt;Sam&lt;/b&gt; &amp; co</p>"
	if g := got[0]; g.StatsID != first.StatsID || g.ReplyMessageID != first.MessageID || g.Body != html || !g.AddSignature {
		t.Errorf("SmartLead got stats id %q, reply message id %q, body %q, signature %v; want %q, %q, %q, true",
			g.StatsID, g.ReplyMessageID, g.Body, g.AddSignature, first.StatsID, first.MessageID, html)
	}
	tb.waitFor(`the timeline to show "Sent from Leadbell"`,
		sel(`[data-testid=timeline] li[data-source=LEADBELL_ANSWER]`)+`?.textContent.includes("Sent from Leadbell")`)
	shoot(tb, filepath.Join("artifacts", "desk-sent-light.png"))
	if code := p.draftCode(a); code != http.StatusNoContent {
		t.Errorf("GET the draft of the answered reply: %d, want 204 (dropped once sent)", code)
	}

	// An answer taken back within the window: the text is back in the box,
	// kept as a draft, and SmartLead gets nothing more.
	const never = "Actually, let me check my calendar first."
	tb.click(row(b))
	tb.waitFor("the second reply in the pane", pane+`?.dataset.id === `+quoteJS(b))
	tb.click(`[data-testid=reply-open]`)
	tb.waitFor("the reply box, focused", `document.activeElement?.dataset.testid === "reply-text"`)
	tb.typeInto(`[data-testid=reply-text]`, never)
	tb.click(`[data-testid=reply-send]`)
	tb.waitFor("the undo bar", sel(`[data-testid=undo-bar][data-state=waiting]`))
	tb.click(`[data-testid=undo-send]`)
	tb.waitFor("Undo to put the text back in the box",
		`!`+sel(`[data-testid=undo-bar]`)+` && `+sel(`[data-testid=reply-text]`)+`?.value === `+quoteJS(never)+` && !`+sel(`[data-testid=reply-text]`)+`.readOnly`)
	var kept struct {
		Outbox []outboxJSON `json:"outbox"`
	}
	p.getJSON("/api/outbox?event_id="+b, &kept)
	if len(kept.Outbox) != 1 || kept.Outbox[0].State != "cancelled" {
		t.Fatalf("the outbox holds %+v for the answer taken back, want one cancelled", kept.Outbox)
	}
	if n := len(sim.ThreadReplies()); n != 1 {
		t.Fatalf("SmartLead holds %d answers after an Undo, want still 1", n)
	}
	tb.waitFor("the draft kept again", sel(`[data-testid=draft-saved]`))
	if code := p.getJSON("/api/events/"+b+"/draft", &draft); code != http.StatusOK || draft.Body != never {
		t.Fatalf("the draft after Undo: %d %q, want 200 %q", code, draft.Body, never)
	}
	tb.press(kb.Escape) // closes the box, keeping the draft
	tb.waitFor("Esc to close the box", `!`+sel(`[data-testid=reply-box]`)+` && `+pane)

	// A category from the menu, picked with a number key: the row's chip
	// follows, and SmartLead has it.
	tb.press("c")
	tb.waitFor("the category menu with the account's categories", sel(`[data-testid=category-menu] [data-testid=category-option]`))
	firstCat := evalJS[string](tb, sel(`[data-testid=category-option]`)+`.dataset.name`)
	shoot(tb, filepath.Join("artifacts", "desk-category-light.png"))
	tb.press("1")
	tb.waitFor("the row's chip to say "+firstCat, sel(row(b)+` [data-testid=row-category]`)+`?.textContent.trim() === `+quoteJS(firstCat))
	tb.waitFor("the pane's chip and the closed menu", sel(`[data-testid=reading-pane] [data-testid=category]`)+`?.textContent.trim() === `+quoteJS(firstCat)+` && !`+sel(`[data-testid=category-menu]`))
	var evB eventJSON
	p.getJSON("/api/events/"+b, &evB)
	if cat, paused := sim.LeadCategory(evB.CampaignID, evB.LeadID); cat != firstCat || paused {
		t.Errorf("SmartLead has the lead in %q (paused %v), want %q, not paused", cat, paused, firstCat)
	}

	// The inbox filtered by that category.
	tb.selectValue(`[data-testid=filter-category]`, firstCat)
	tb.waitRows("the inbox filtered by "+firstCat, []string{b})
	tb.selectValue(`[data-testid=filter-category]`, "")
	tb.waitFor("both replies again", sel(row(a))+` && `+sel(row(b)))

	// e marks a reply done: it leaves the inbox and the count of replies
	// waiting (made unread first with u, so that it counts), and the Done
	// view has it.
	tb.click(row(a))
	tb.waitFor("the first reply in the pane", pane+`?.dataset.id === `+quoteJS(a))
	tb.press("u")
	tb.waitFor("u to mark it unread", sel(row(a))+`.dataset.read === "false"`)
	waiting := p.waitNeedsYou(t)
	tb.waitFor(fmt.Sprintf("the inbox count to say %d", waiting), badge+` === `+strconv.Itoa(waiting))
	tb.press("e")
	tb.waitRows("e to take the reply out of the inbox", []string{b})
	tb.waitFor(fmt.Sprintf("the inbox count to drop to %d", waiting-1), badge+` === `+strconv.Itoa(waiting-1))
	tb.click(`[data-testid=view-done]`)
	tb.waitRows("the Done view", []string{a})
	tb.click(`[data-testid=view-inbox]`)
	tb.waitRows("the inbox again", []string{b})

	// Snoozed for two seconds (through the API): it leaves, the inbox is
	// calm and empty, and it comes back unread.
	var snoozed eventJSON
	until := time.Now().Add(2 * time.Second).UTC().Format(time.RFC3339Nano)
	if code := p.postJSON("/api/events/"+b+"/snooze", map[string]any{"until": until}, &snoozed); code != http.StatusOK {
		t.Fatalf("snooze answered %d", code)
	}
	tb.waitFor("the snoozed reply to leave, and the inbox to say so", `!`+sel(row(b))+` && `+sel(`[data-testid=caught-up]`))
	tb.waitFor("the reply back from its snooze, unread", sel(row(b))+`?.dataset.read === "false"`)

	// ? lists every key.
	tb.press("?")
	tb.waitFor("the shortcuts sheet", sel(`[data-testid=shortcuts]`)+`?.open`)
	shoot(tb, filepath.Join("artifacts", "desk-shortcuts-light.png"))
	for _, k := range []string{"Reply", "Snooze", "Category", "Mark read or unread", "Delete", "Search"} {
		if !evalJS[bool](tb, sel(`[data-testid=shortcuts]`)+`.textContent.includes(`+quoteJS(k)+`)`) {
			t.Errorf("the shortcuts sheet does not mention %q", k)
		}
	}
	tb.press(kb.Escape)
	tb.waitFor("Esc to close the sheet", `!`+sel(`[data-testid=shortcuts]`)+`.open`)

	// Dark: the draft taken back is restored when the reply is opened again.
	dark := br.tab(t)
	scheme(dark, "dark")
	dark.open(p, "/#/inbox")
	dark.click(row(b))
	dark.waitFor("the draft restored in the reply box", sel(`[data-testid=reply-text]`)+`?.value === `+quoteJS(never))
	dark.press("r")
	dark.waitFor("the reply box, focused", `document.activeElement?.dataset.testid === "reply-text"`)
	shoot(dark, filepath.Join("artifacts", "desk-reply-dark.png"))
	dark.press(kb.Escape)
	dark.waitFor("Esc to close the box", `!`+sel(`[data-testid=reply-box]`))
	dark.press("c")
	dark.waitFor("the category menu", sel(`[data-testid=category-menu] [data-testid=category-option][aria-checked=true]`))
	shoot(dark, filepath.Join("artifacts", "desk-category-dark.png"))
	dark.press(kb.Escape)
	dark.waitFor("Esc to close the menu", `!`+sel(`[data-testid=category-menu]`))
	dark.press("b")
	dark.waitFor("the snooze menu", sel(`[data-testid=snooze-menu] [data-testid=snooze-option]`))
	shoot(dark, filepath.Join("artifacts", "desk-snooze-dark.png"))
	dark.press(kb.Escape)
	dark.waitFor("Esc to close the menu", `!`+sel(`[data-testid=snooze-menu]`))

	if n := len(sim.ThreadReplies()); n != 1 {
		t.Errorf("SmartLead holds %d answers at the end, want 1", n)
	}
	if strings.Contains(p.logs(), "panic") {
		t.Errorf("leadbell logged a panic:\n%s", p.logs())
	}
	p.stop()
}

// TestBrowserDeskTriage drives what Leadbell thinks of a reply: two
// replies, one asking for a meeting and one out of the office, get a
// suggestion in the reading pane with its reason and a dashed tag on their
// rows; the inbox filters by it; a accepts it, and SmartLead has the
// matching category (Meeting Request, Out Of Office). Settings save a
// changed pop-up rule for a kind of reply. Screenshots of the pane with
// the suggestion, the inbox rows and the notifications card, light and
// dark, go to artifacts/triage-*.png.
func TestBrowserDeskTriage(t *testing.T) {
	p, sim := serveWithSim(t, t.TempDir())
	gen := sim.Generator()
	leads := gen.Leads()
	withBody := func(s simulator.Sample, text string) simulator.Sample {
		s.Body = text
		s.BodyHTML = "<div>" + strings.ReplaceAll(text, "\n", "<br>") + "</div>"
		return s
	}
	meet := emitID(t, p, sim, withBody(gen.EventFor(event.Replied, leads[0]),
		"Hi,\n\nYes, this is relevant for us. Can you do Wednesday at 3:30pm GMT? If not, send me a couple of slots.\n\nSarah"))
	away := emitID(t, p, sim, withBody(gen.EventFor(event.Replied, leads[1]),
		"Thank you for your email. I'm out of the office until January 12 and will respond when I return."))

	br := newBrowser(t)
	tb := br.tab(t)
	scheme(tb, "light")
	tb.open(p, "/#/inbox")
	rowsAre := func(what string, want ...string) {
		t.Helper()
		slices.Sort(want)
		js, _ := json.Marshal(want)
		tb.waitFor(what+fmt.Sprintf(" (rows %v)", want),
			`JSON.stringify([...document.querySelectorAll('[data-testid=event-row]')].map(r => r.dataset.id).sort()) === `+quoteJS(string(js)))
	}
	rowsAre("both replies", meet, away)
	tb.waitFor("Leadbell's tags on both rows",
		sel(row(meet)+` [data-testid=row-triage]`)+`?.dataset.triage === "interested" && `+sel(row(away)+` [data-testid=row-triage]`)+`?.dataset.triage === "out_of_office"`)

	// The inbox filtered by what Leadbell thinks.
	tb.selectValue(`[data-testid=filter-triage]`, "out_of_office")
	rowsAre("the inbox filtered to out-of-office replies", away)
	tb.selectValue(`[data-testid=filter-triage]`, "none")
	tb.waitFor("no reply left to sort", sel(`[data-testid=event-row]`)+` === null && `+sel(`.rows`)+`?.textContent.includes("No replies match")`)
	tb.selectValue(`[data-testid=filter-triage]`, "")
	rowsAre("both replies again", meet, away)
	shoot(tb, filepath.Join("artifacts", "triage-rows-light.png"))

	// The suggestion, with its reason, and a to accept it.
	suggestion := sel(`[data-testid=reading-pane] [data-testid=triage-suggestion]`)
	tb.click(row(meet))
	tb.waitFor("the suggestion with its reason and Accept",
		suggestion+`?.dataset.category === "Meeting Request" && `+sel(`[data-testid=triage-reason]`)+`?.textContent.trim().length > 3 && `+sel(`[data-testid=triage-accept]`))
	t.Logf("the pane says %q", evalJS[string](tb, suggestion+`.textContent.trim().replace(/\s+/g, " ")`))
	shoot(tb, filepath.Join("artifacts", "triage-pane-light.png"))
	tb.press("a")
	tb.waitFor("a to set the category, and the suggestion to go",
		sel(row(meet)+` [data-testid=row-category]`)+`?.textContent.trim() === "Meeting Request" && !`+suggestion)
	var ev eventJSON
	p.getJSON("/api/events/"+meet, &ev)
	if cat, paused := sim.LeadCategory(ev.CampaignID, ev.LeadID); cat != "Meeting Request" || paused {
		t.Errorf("SmartLead has the lead who asked for a meeting in %q (paused %v), want Meeting Request, not paused", cat, paused)
	}
	tb.press("?")
	tb.waitFor("the shortcuts sheet to list a", sel(`[data-testid=shortcuts]`)+`?.open && `+sel(`[data-testid=shortcuts]`)+`.textContent.includes("Accept what Leadbell thinks")`)
	tb.press(kb.Escape)

	// Dark: the out-of-office reply, accepted with a.
	dark := br.tab(t)
	scheme(dark, "dark")
	dark.open(p, "/#/inbox")
	dark.click(row(away))
	dark.waitFor("the out-of-office suggestion with its reason",
		suggestion+`?.dataset.category === "Out Of Office" && `+sel(`[data-testid=triage-label]`)+`?.textContent === "Out of office" && `+sel(`[data-testid=triage-reason]`)+`?.textContent.includes("12")`)
	t.Logf("the pane says %q", evalJS[string](dark, suggestion+`.textContent.trim().replace(/\s+/g, " ")`))
	shoot(dark, filepath.Join("artifacts", "triage-pane-dark.png"))
	dark.press("a")
	dark.waitFor("a to set Out Of Office", sel(`[data-testid=reading-pane] [data-testid=category]`)+`?.textContent.trim() === "Out Of Office" && !`+suggestion)
	p.getJSON("/api/events/"+away, &ev)
	if cat, _ := sim.LeadCategory(ev.CampaignID, ev.LeadID); cat != "Out Of Office" {
		t.Errorf("SmartLead has the lead out of the office in %q, want Out Of Office", cat)
	}

	// Settings: a changed pop-up rule is saved with the rest.
	card := `document.getElementById("notif").closest("section")`
	dark.open(p, "/#/settings")
	dark.waitFor("the pop-up rules", sel(`[data-testid=pop-out_of_office]`)+`?.value === "never" && `+sel(`[data-testid=pop-interested]`)+`.value === "now"`)
	dark.do("show the card", chromedp.Evaluate[chromedp.Void](card+`.scrollIntoView({block: "center"})`))
	shoot(dark, filepath.Join("artifacts", "triage-settings-dark.png"))
	dark.selectValue(`[data-testid=pop-question]`, "now")
	dark.selectValue(`[data-testid=pop-out_of_office]`, "silent")
	dark.click(`[data-testid=quiet-enabled]`)
	dark.click(`[data-testid=urgent-in-quiet-hours]`)
	dark.click(`[data-testid=settings-save]`)
	dark.waitFor("the save to be done", sel(`[data-testid=save-result]`)+`?.textContent.includes("Saved")`)
	var saved struct {
		Notifications struct {
			Triage             map[string]string `json:"triage"`
			UrgentInQuietHours bool              `json:"urgent_in_quiet_hours"`
		} `json:"notifications"`
	}
	p.getJSON("/api/settings", &saved)
	want := map[string]string{"interested": "now", "question": "now", "not_now": "normal", "not_interested": "normal",
		"unsubscribe": "silent", "out_of_office": "silent", "wrong_person": "normal", "auto_reply": "never"}
	if n := saved.Notifications; !maps.Equal(n.Triage, want) || !n.UrgentInQuietHours {
		t.Errorf("saved pop-ups %v, urgent in quiet hours %v; want %v, true", n.Triage, n.UrgentInQuietHours, want)
	}
	tb.open(p, "/#/settings")
	tb.waitFor("the saved rule", sel(`[data-testid=pop-question]`)+`?.value === "now" && `+sel(`[data-testid=urgent-in-quiet-hours]`)+`.checked`)
	tb.do("show the card", chromedp.Evaluate[chromedp.Void](card+`.scrollIntoView({block: "center"})`))
	shoot(tb, filepath.Join("artifacts", "triage-settings-light.png"))

	if strings.Contains(p.logs(), "panic") {
		t.Errorf("leadbell logged a panic:\n%s", p.logs())
	}
	p.stop()
}

// waitNeedsYou waits until the status counts a reply waiting for the user
// (needs_you) and returns the count.
func (p *proc) waitNeedsYou(t *testing.T) int {
	t.Helper()
	deadline := time.Now().Add(browserWait)
	for {
		var st struct {
			NeedsYou int `json:"needs_you"`
		}
		p.getJSON("/api/status", &st)
		if st.NeedsYou > 0 {
			return st.NeedsYou
		}
		if time.Now().After(deadline) {
			t.Fatalf("the status counts no reply waiting for the user after one was marked unread")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// draftCode is the status GET /api/events/{id}/draft answers.
func (p *proc) draftCode(id string) int {
	p.t.Helper()
	resp, err := p.client.Get(p.UI + "/api/events/" + id + "/draft")
	if err != nil {
		p.t.Fatalf("GET draft: %v", err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// scheme makes the tab's page follow a light or dark OS setting.
func scheme(tb *tab, name string) {
	tb.t.Helper()
	if _, err := chromedp.Call(tb.ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
		Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: name}},
	}); err != nil {
		tb.t.Fatal(err)
	}
}

// selectValue chooses value in the select matching css, with the change
// event a user's choice makes.
func (tb *tab) selectValue(css, value string) {
	tb.t.Helper()
	tb.do("choose "+value+" in "+css, chromedp.Evaluate[chromedp.Void](`(() => {
		const el = `+sel(css)+`;
		el.value = `+quoteJS(value)+`;
		el.dispatchEvent(new Event("change", {bubbles: true}));
	})()`))
}
