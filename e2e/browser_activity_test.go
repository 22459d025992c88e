package e2e

import (
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/leadbell/leadbell/event"
)

// TestBrowserActivityFilters clicks Activity's type chips, picks a campaign
// and searches, and each time finds exactly the rows that /api/events
// returns for the same query.
func TestBrowserActivityFilters(t *testing.T) {
	b := newBrowser(t)
	p, sim := serveWithSim(t, t.TempDir())
	gen := sim.Generator()
	// Twelve events: all fit in the window, so every matching row is in
	// the DOM.
	for _, typ := range []event.Type{
		event.Sent, event.Sent, event.Opened, event.Opened,
		event.Opened, event.Clicked, event.Clicked, event.Replied,
		event.Replied, event.Bounced, event.Unsubscribed, event.Sent,
	} {
		emit(t, sim, gen.Event(typ))
	}
	apiIDs := func(q url.Values) []string {
		t.Helper()
		var list pageJSON
		p.getJSON("/api/events?"+q.Encode(), &list)
		return idsOf(list.Events)
	}
	var all pageJSON
	p.getJSON("/api/events", &all)
	if len(all.Events) != 12 {
		t.Fatalf("the API lists %d events, want 12", len(all.Events))
	}

	tb := b.tab(t)
	tb.open(p, "/#/activity")
	tb.waitRows("every event", idsOf(all.Events))

	// The type with most events, and the campaign of one of them.
	byType := map[string][]eventJSON{}
	for _, e := range all.Events {
		byType[e.Type] = append(byType[e.Type], e)
	}
	typ := event.Opened
	var campaign struct {
		CampaignID string `json:"campaign_id"`
	}
	p.getJSON("/api/events/"+byType[string(typ)][0].ID, &campaign)
	if campaign.CampaignID == "" {
		t.Fatal("the opened event has no campaign id")
	}

	chip := `[data-testid=filter-type-` + string(typ) + `]`
	tb.click(chip)
	tb.waitFor("the chip to be pressed", sel(chip)+`.getAttribute("aria-pressed") === "true"`)
	want := apiIDs(url.Values{"type": {string(typ)}})
	if len(want) != len(byType[string(typ)]) {
		t.Fatalf("the API filters %s to %v", typ, want)
	}
	tb.waitRows("the "+string(typ)+" rows", want)
	if types := evalJS[[]string](tb, `[...document.querySelectorAll('[data-testid=event-row]')].map(r => r.dataset.type)`); strings.Join(types, ",") != strings.TrimSuffix(strings.Repeat(string(typ)+",", len(want)), ",") {
		t.Errorf("rows of types %v under the %s filter", types, typ)
	}

	tb.do("pick the campaign", chromedp.SetValue(chromedp.CSS(`[data-testid=filter-campaign]`), campaign.CampaignID))
	tb.waitRows("the "+string(typ)+" rows of campaign "+campaign.CampaignID, apiIDs(url.Values{"type": {string(typ)}, "campaign": {campaign.CampaignID}}))

	tb.click(`[data-testid=filter-type-all]`)
	tb.waitFor("All to be pressed", sel(`[data-testid=filter-type-all]`)+`.getAttribute("aria-pressed") === "true"`)
	byCampaign := apiIDs(url.Values{"campaign": {campaign.CampaignID}})
	if len(byCampaign) == 0 || len(byCampaign) == len(all.Events) {
		t.Fatalf("the API filters campaign %s to %v: want some, not all", campaign.CampaignID, byCampaign)
	}
	tb.waitRows("every row of campaign "+campaign.CampaignID, byCampaign)

	tb.clearInput(`[data-testid=filter-campaign]`) // "All campaigns"
	tb.waitRows("every event again", idsOf(all.Events))

	word, only := uniqueWord(t, p, all.Events)
	tb.typeInto(`[data-testid=search]`, word)
	tb.waitRows("the one event with "+word, []string{only})
	if got := apiIDs(url.Values{"q": {word}}); len(got) != 1 || got[0] != only {
		t.Fatalf("the API searches %q to %v, want [%s]", word, got, only)
	}
	tb.press(kb.Escape) // clears the search
	tb.waitRows("every event after Esc", idsOf(all.Events))
	p.stop()
}

// uniqueWord finds a word of a lead's name or email that the API's search
// matches in exactly one event, and that event's id.
func uniqueWord(t *testing.T, p *proc, evs []eventJSON) (string, string) {
	t.Helper()
	for _, e := range evs {
		var full struct {
			LeadName  string `json:"lead_name"`
			LeadEmail string `json:"lead_email"`
		}
		p.getJSON("/api/events/"+e.ID, &full)
		words := strings.Fields(full.LeadName)
		if at := strings.IndexByte(full.LeadEmail, '@'); at > 0 {
			words = append(words, full.LeadEmail[:at])
		}
		for _, w := range words {
			if len([]rune(w)) < 4 {
				continue
			}
			var list pageJSON
			p.getJSON("/api/events?"+url.Values{"q": {w}}.Encode(), &list)
			if len(list.Events) == 1 && list.Events[0].ID == e.ID {
				return w, e.ID
			}
		}
	}
	t.Fatal("no word of a lead's name or email is found in exactly one event")
	return "", ""
}
