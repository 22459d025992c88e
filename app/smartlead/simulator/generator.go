package simulator

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/leadbell/leadbell/app/smartlead"
	"github.com/leadbell/leadbell/event"
)

// Lead is a prospect in a campaign, as SmartLead knows them.
type Lead struct {
	ID           string // sl_email_lead_id
	MapID        string // sl_email_lead_map_id: the lead in this campaign
	CampaignID   string
	Email        string
	FirstName    string
	LastName     string
	Company      string
	Website      string
	CustomFields map[string]string // job_title, city, linkedin
}

// Name is the lead's full name.
func (l Lead) Name() string { return strings.TrimSpace(l.FirstName + " " + l.LastName) }

// thread is what has been sent to one lead: the current sequence step.
type thread struct {
	step      int
	statsID   string
	sent      SentMessage
	mailbox   int
	opens     int
	firstOpen time.Time
	replied   bool
}

// Generator makes realistic, deterministic SmartLead data from a seed:
// an account (campaigns, clients, lead categories), leads and events whose
// threads hang together (a lead is sent step 1 before it opens, replies
// quote what was sent). The account can change while it runs
// (AddCampaign, RemoveCampaign, ...), as a user's does. It is safe for
// concurrent use.
type Generator struct {
	// Now is the generator's clock; events happen at Now(). Default
	// time.Now; set a fixed clock for byte-identical output.
	Now func() time.Time

	mu           sync.Mutex
	rng          *rand.Rand
	campaigns    []campaignRecord
	clients      map[string]string // client name by id
	categories   []Category
	leads        []Lead
	leadCategory map[string]Category  // by lead map id
	threads      map[string]*thread   // by lead map id
	lastAt       map[string]time.Time // by lead map id
	serial       int
	nextCampaign int
	nextLead     int
	nextClient   int
}

// NewGenerator returns a generator seeded with seed.
func NewGenerator(seed int64) *Generator {
	g := &Generator{Now: time.Now, rng: rand.New(rand.NewPCG(uint64(seed), 0x5eed)),
		clients: map[string]string{}, categories: DefaultCategories(), leadCategory: map[string]Category{},
		threads: map[string]*thread{}, lastAt: map[string]time.Time{}}
	base := 1_400_000 + g.rng.IntN(90_000)
	created := time.Date(2024, 9, 2, 8, 0, 0, 0, time.UTC)
	for i, c := range campaignNames {
		g.campaigns = append(g.campaigns, campaignRecord{
			Campaign: smartlead.Campaign{ID: strconv.Itoa(base + i*137), Name: c.name, Status: c.status},
			created:  created.AddDate(0, 0, i*9)})
	}
	g.nextCampaign = base + len(campaignNames)*137
	leadBase := 1_480_000 + g.rng.IntN(100_000)
	for i, p := range g.rng.Perm(len(people)) {
		co := companies[g.rng.IntN(len(companies))]
		camp := g.campaigns[i%len(g.campaigns)]
		g.leads = append(g.leads, g.newLead(leadBase+i*31+g.rng.IntN(30), people[p], co, camp.ID))
	}
	g.nextLead = leadBase + len(people)*31
	g.nextClient = 8800 + g.rng.IntN(100)
	return g
}

// newLead makes a lead of campaignID; g.rng must be safe to use.
func (g *Generator) newLead(id int, name [2]string, co company, campaignID string) Lead {
	first, last := name[0], name[1]
	return Lead{
		ID: strconv.Itoa(id), MapID: strconv.Itoa(id*3 + 7), CampaignID: campaignID,
		Email:     asciiName(first) + "." + asciiName(last) + "@" + co.domain,
		FirstName: first, LastName: last, Company: co.name, Website: "https://" + co.domain,
		CustomFields: map[string]string{
			"job_title": jobTitles[g.rng.IntN(len(jobTitles))],
			"city":      co.city,
			"linkedin":  "https://www.linkedin.com/in/" + asciiName(first) + "-" + asciiName(last) + "-" + strconv.Itoa(100+g.rng.IntN(900)),
		},
	}
}

// Leads returns the leads of the account's campaigns.
func (g *Generator) Leads() []Lead {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]Lead(nil), g.leads...)
}

// Event makes one event of type t (Leadbell's names; EventOther is taken
// as EventCategoryUpdated) for a lead of an active campaign, continuing
// that lead's thread. It returns the zero Sample when the account has no
// leads left (every campaign removed).
func (g *Generator) Event(t event.Type) Sample {
	g.mu.Lock()
	defer g.mu.Unlock()
	if len(g.leads) == 0 {
		return Sample{}
	}
	return g.event(t, g.pickLead())
}

// EventFor makes one event of type t for lead (one of Leads), continuing
// that lead's thread: a test can then have one lead open, and later reply.
func (g *Generator) EventFor(t event.Type, lead Lead) Sample {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.event(t, lead)
}

// event makes an event for lead; g.mu must be held.
func (g *Generator) event(t event.Type, lead Lead) Sample {
	if t == event.Other {
		t = event.CategoryUpdated
	}
	now := g.Now().UTC().Truncate(time.Millisecond)
	// One lead's events are at least a second apart, as they are in life:
	// the spec's idempotency key (lead, event, timestamp to the second)
	// then tells them apart even when a burst is generated at once.
	if last, ok := g.lastAt[lead.MapID]; ok && now.Sub(last) < time.Second {
		now = last.Add(time.Second)
	}
	g.lastAt[lead.MapID] = now
	camp := g.campaign(lead.CampaignID)
	th := g.threads[lead.MapID]
	switch {
	case th == nil:
		th = g.send(lead, camp, nil, now, t != event.Sent)
	case t == event.Sent && (th.step >= 3 || th.replied):
		th = g.send(lead, camp, nil, now, false) // a new round for this lead
	case t == event.Sent:
		th = g.send(lead, camp, th, now, false) // the next follow-up
	}
	g.threads[lead.MapID] = th
	s := Sample{
		Type: t, Campaign: camp, Lead: lead, Sequence: th.step, Subject: th.sent.Subject,
		At: now, StatsID: th.statsID, MessageID: th.sent.MessageID, Sent: th.sent,
		FromEmail: senderMailboxes[th.mailbox], FromName: senderName, EmailAccountID: 5100 + th.mailbox,
		StringIDs: g.rng.IntN(3) == 0, Deprecated: g.rng.IntN(4) == 0, ClientID: g.clientOf(camp.ID),
	}
	vars := g.vars(lead, camp)
	switch t {
	case event.Opened:
		th.opens++
		if th.firstOpen.IsZero() {
			th.firstOpen = now
		}
		s.OpenCount, s.FirstOpenedAt = th.opens, th.firstOpen
	case event.Clicked:
		s.URL = fill(clickURLs[g.rng.IntN(len(clickURLs))], vars)
	case event.Replied:
		th.replied = true
		r := replies[g.rng.IntN(len(replies))]
		vars["quote"] = quote(th.sent, senderName, senderMailboxes[th.mailbox])
		s.Body, s.BodyHTML = fill(r.text, vars), fill(r.html, vars)
		s.Subject = "Re: " + strings.TrimPrefix(th.sent.Subject, "Re: ")
		s.MessageID = g.messageID(lead.Email[strings.IndexByte(lead.Email, '@')+1:])
		s.RepliedFrom = lead.Email
		if strings.Contains(r.text, "sam.patel@") && g.rng.IntN(2) == 0 {
			s.RepliedFrom = "sam.patel@" + lead.Email[strings.IndexByte(lead.Email, '@')+1:]
		}
	case event.CategoryUpdated:
		prev := g.leadCategory[lead.MapID]
		s.PrevCategory, s.PrevCategoryID = prev.Name, prev.ID
		if len(g.categories) > 0 {
			c := g.categories[g.rng.IntN(len(g.categories))]
			s.Category, s.CategoryID = c.Name, c.ID
			g.leadCategory[lead.MapID] = c
		}
	case event.Bounced:
		s.Body = bounces[g.rng.IntN(len(bounces))]
		s.BodyHTML = "<p>" + s.Body + "</p>"
		s.MessageID = g.messageID("mx.google.com")
	}
	return s
}

// pickLead picks a lead, preferring active campaigns as SmartLead only
// sends for those (replies to paused ones still arrive now and then).
func (g *Generator) pickLead() Lead {
	for range 8 {
		l := g.leads[g.rng.IntN(len(g.leads))]
		if g.campaign(l.CampaignID).Status == "ACTIVE" {
			return l
		}
	}
	return g.leads[g.rng.IntN(len(g.leads))]
}

// send sends the next sequence step to lead; backdated when the event
// being made needs an earlier send.
func (g *Generator) send(lead Lead, camp smartlead.Campaign, prev *thread, now time.Time, backdate bool) *thread {
	th := &thread{step: 1, mailbox: g.rng.IntN(len(senderMailboxes))}
	vars := g.vars(lead, camp)
	subject := fill(subjects[g.rng.IntN(len(subjects))], vars)
	if prev != nil {
		th.step, th.mailbox = prev.step+1, prev.mailbox
		subject = "Re: " + strings.TrimPrefix(prev.sent.Subject, "Re: ")
	}
	at := now
	if backdate {
		at = now.Add(-time.Duration(20+g.rng.IntN(2000)) * time.Minute)
	}
	text := fill(sentBodies[min(th.step, len(sentBodies))-1], vars)
	th.statsID = g.uuid()
	th.sent = SentMessage{MessageID: g.messageID(strings.SplitN(senderMailboxes[th.mailbox], "@", 2)[1]),
		Subject: subject, Text: text, HTML: textHTML(text), At: at}
	return th
}

func (g *Generator) vars(lead Lead, camp smartlead.Campaign) map[string]string {
	return map[string]string{
		"first": lead.FirstName, "company": lead.Company, "city": lead.CustomFields["city"],
		"domain": lead.Email[strings.IndexByte(lead.Email, '@')+1:],
		"slug":   strings.ReplaceAll(asciiName(lead.Company), ".", ""), "campaign": camp.ID,
	}
}

// uuid is a random, seed-determined UUID-looking string (stats ids are).
func (g *Generator) uuid() string {
	a, b := g.rng.Uint64(), g.rng.Uint64()
	return fmt.Sprintf("%08x-%04x-4%03x-%04x-%012x", a>>32, a>>16&0xffff, a&0xfff, 0x8000|b>>48&0x3fff, b&0xffffffffffff)
}

func (g *Generator) messageID(domain string) string {
	g.serial++
	return fmt.Sprintf("<%x.%d@%s>", g.rng.Uint64(), g.serial, domain)
}

// textHTML is the HTML a mail client makes of a plain text e-mail.
func textHTML(text string) string {
	var b strings.Builder
	for _, line := range strings.Split(text, "\n") {
		if line == "" {
			b.WriteString("<div><br></div>")
			continue
		}
		b.WriteString("<div>" + htmlEscape(line) + "</div>")
	}
	return b.String()
}

// quote is Gmail's quoted history of the e-mail a reply answers.
func quote(sent SentMessage, name, mailbox string) string {
	return `<div class="gmail_quote"><div dir="ltr" class="gmail_attr">On ` +
		sent.At.Format("Mon, 2 Jan 2006 at 15:04") + ", " + htmlEscape(name) + " &lt;" + mailbox +
		`&gt; wrote:<br></div><blockquote class="gmail_quote" style="margin:0px 0px 0px 0.8ex;border-left:1px solid rgb(204,204,204);padding-left:1ex">` +
		sent.HTML + `</blockquote></div>`
}

var htmlEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;")

func htmlEscape(s string) string { return htmlEscaper.Replace(s) }
