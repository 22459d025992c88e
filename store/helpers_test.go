package store

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/leadbell/leadbell/event"
	"github.com/leadbell/leadbell/internal/testkit"
)

// openTest opens a store in a fresh temporary directory and closes it when
// the test ends.
func openTest(tb testing.TB) *Store {
	tb.Helper()
	s, err := Open(filepath.Join(tb.TempDir(), "leadbell.db"), Options{})
	if err != nil {
		tb.Fatalf("Open: %v", err)
	}
	tb.Cleanup(func() { _ = s.Close() })
	return s
}

// fixture is one event of testdata/events.json: the event's JSON form plus
// the key, which the JSON contract leaves out.
type fixture struct {
	Key   string      `json:"key"`
	Event event.Event `json:"event"`
}

// loadFixtures reads testdata/events.json in file (arrival) order.
func loadFixtures(tb testing.TB) []event.Event {
	tb.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "events.json"))
	if err != nil {
		tb.Fatal(err)
	}
	var fs []fixture
	if err := json.Unmarshal(data, &fs); err != nil {
		tb.Fatal(err)
	}
	evs := make([]event.Event, len(fs))
	for i, f := range fs {
		evs[i] = f.Event
		evs[i].Key = f.Key
	}
	return evs
}

// mustAppendAll stores evs one by one, in order, and returns them as stored.
func mustAppendAll(tb testing.TB, s *Store, evs []event.Event) []event.Event {
	tb.Helper()
	out := make([]event.Event, len(evs))
	for i, ev := range evs {
		st, dup, err := s.Append(context.Background(), ev)
		if err != nil || dup {
			tb.Fatalf("Append(%d): dup=%v err=%v", i, dup, err)
		}
		out[i] = st
	}
	return out
}

// Made-up but realistic vocabulary for generated events.
var (
	genFirst     = []string{"Aisha", "Mateo", "Yuki", "Priya", "Lars", "Chloé", "Jürgen", "Wei", "Fatima", "Siobhán", "Tomás", "Ingrid", "Kwame", "Ana", "Dmitri", "Leila"}
	genLast      = []string{"Okafor", "García", "Tanaka", "Raman", "Johansson", "Dubois", "Müller", "Zhang", "Al-Sayed", "O'Connor", "Silva", "Berg", "Mensah", "Costa", "Ivanov", "Haddad"}
	genCompanies = []string{"Northwind", "Acme Robotics", "Globex", "Initech", "Umbrella Health", "Stark Logistics", "Wayne Foods", "Hooli", "Vandelay Imports", "Soylent Labs"}
	genCampaigns = []string{"Q3 Outreach EU", "SaaS founders", "Agencies follow-up", "Webinar invite", "Enterprise pilots", "Retail expansion"}
	genSubjects  = []string{"Quick question, {first}", "{company} + Leadbell?", "Idea for {company}", "Re: Quick question, {first}", "Following up"}
	genReplies   = []string{
		"Hi Morgan, thanks for reaching out. Could you send over some times for next week? Best, {first}",
		"Not right now, we just signed with another vendor. Ping me again in Q2?",
		"I am out of the office until Monday with limited access to e-mail.",
		"What does pricing look like for a team of 12? Also, do you integrate with HubSpot?",
		"Please remove me from your list.",
	}
	genTypes = []event.Type{ // weighted: sends and opens dominate
		event.Sent, event.Sent, event.Sent, event.Sent, event.Sent,
		event.Opened, event.Opened, event.Opened, event.Clicked,
		event.Replied, event.Bounced, event.Unsubscribed,
	}
)

// genEvents makes n deterministic events with keys prefix+index, arriving a
// second apart from a base time plus start seconds (so that batches made
// with growing starts follow each other), about one in ten with an event
// time hours before its arrival.
func genEvents(n int, start uint64, prefix string) []event.Event {
	rng := rand.New(rand.NewPCG(start, 7))
	base := time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC)
	leads := max(n/20, 10)
	evs := make([]event.Event, n)
	for i := range evs {
		lead := rng.IntN(leads)
		first, last := genFirst[lead%len(genFirst)], genLast[lead/len(genFirst)%len(genLast)]
		company := genCompanies[lead%len(genCompanies)]
		camp := lead % len(genCampaigns)
		fill := func(s string) string {
			return strings.ReplaceAll(strings.ReplaceAll(s, "{first}", first), "{company}", company)
		}
		received := base.Add(time.Duration(int(start)+i) * time.Second)
		ts := received.Add(-time.Duration(rng.IntN(5000)) * time.Millisecond)
		if rng.IntN(10) == 0 {
			ts = received.Add(-time.Duration(rng.IntN(48*60)) * time.Minute)
		}
		ev := event.Event{
			Type:         genTypes[rng.IntN(len(genTypes))],
			Timestamp:    ts,
			ReceivedAt:   received,
			CampaignID:   strconv.Itoa(1400000 + camp*137),
			CampaignName: genCampaigns[camp],
			LeadID:       strconv.Itoa(1480000 + lead*31),
			LeadEmail:    fmt.Sprintf("%s.%s%d@%s.example", strings.ToLower(first), strings.ToLower(last), lead, strings.ToLower(company)),
			LeadName:     first + " " + last,
			Company:      company,
			Subject:      fill(genSubjects[rng.IntN(len(genSubjects))]),
			VerifiedBy:   event.VerifiedBySignature,
			Key:          prefix + strconv.Itoa(i),
		}
		ev.SourceType = string(ev.Type)
		ev.SequenceNumber = 1 + rng.IntN(3)
		switch ev.Type {
		case event.Replied:
			ev.Body = fill(genReplies[rng.IntN(len(genReplies))])
		case event.Bounced:
			ev.Body = "550 5.1.1 The email account that you tried to reach does not exist."
		case event.Clicked:
			ev.URL = "https://leadbell.example/demo?c=" + ev.CampaignID
		case event.Opened:
			ev.OpenCount = 1 + rng.IntN(4)
		}
		ev.Raw, _ = json.Marshal(map[string]any{
			"event": ev.SourceType, "timestamp": ts.Format(time.RFC3339Nano),
			"campaign": map[string]any{"id": ev.CampaignID, "name": ev.CampaignName},
			"lead":     map[string]any{"id": ev.LeadID, "email": ev.LeadEmail, "first_name": first, "last_name": last, "company": company},
			"email":    map[string]any{"subject": ev.Subject, "body": ev.Body, "sequence_number": ev.SequenceNumber},
		})
		evs[i] = ev
	}
	return evs
}

// blockOp is a writer request that holds the writer until release is
// closed, so that a test can line requests up behind it.
type blockOp struct {
	started chan struct{}
	release chan struct{}
}

func (o *blockOp) size() int { return 1 }
func (o *blockOp) apply(*txn) error {
	close(o.started)
	<-o.release
	return nil
}
func (o *blockOp) finish(error) {}

// holdWriter stalls s's writer until the returned function is called.
func holdWriter(tb testing.TB, s *Store) (release func()) {
	tb.Helper()
	o := &blockOp{started: make(chan struct{}), release: make(chan struct{})}
	if err := s.submit(context.Background(), o); err != nil {
		tb.Fatal(err)
	}
	<-o.started
	return sync.OnceFunc(func() { close(o.release) })
}

// waitQueued waits until n requests wait in s's writer's queue.
func waitQueued(tb testing.TB, s *Store, n int) {
	tb.Helper()
	testkit.WaitFor(tb, fmt.Sprintf("%d requests queued for the writer", n), func() bool { return len(s.ops) >= n })
}

// holdIngest stalls s's ingest goroutine before its next batch until the
// returned function is called: it takes one request and waits.
func holdIngest(tb testing.TB, s *Store) (release func()) {
	tb.Helper()
	s.ingestGate.Lock()
	return sync.OnceFunc(s.ingestGate.Unlock)
}

// waitAppends waits until n appends wait in s's ingest queue.
func waitAppends(tb testing.TB, s *Store, n int) {
	tb.Helper()
	testkit.WaitFor(tb, fmt.Sprintf("%d appends queued for ingest", n), func() bool { return len(s.appends) >= n })
}

// indexesOf maps events to their fixture indexes, for readable failures.
func indexesOf(stored, got []event.Event) []int {
	byID := make(map[string]int, len(stored))
	for i, ev := range stored {
		byID[ev.ID] = i
	}
	out := make([]int, len(got))
	for i, ev := range got {
		idx, ok := byID[ev.ID]
		if !ok {
			idx = -1
		}
		out[i] = idx
	}
	return out
}

// containsFold reports whether every word of text occurs, ignoring case, in
// the searchable fields of ev: the test's own statement of Query.Text.
func containsFold(ev event.Event, text string) bool {
	hay := strings.ToLower(strings.Join([]string{ev.LeadName, ev.LeadEmail, ev.Company, ev.CampaignName, ev.Subject, ev.Body}, "\n"))
	for _, w := range strings.Fields(strings.ToLower(text)) {
		if !strings.Contains(hay, w) {
			return false
		}
	}
	return true
}
