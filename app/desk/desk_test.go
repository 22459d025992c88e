package desk

import (
	"context"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"github.com/leadbell/leadbell/app/broker"
	"github.com/leadbell/leadbell/app/smartlead"
	"github.com/leadbell/leadbell/app/smartlead/simulator"
	"github.com/leadbell/leadbell/event"
	"github.com/leadbell/leadbell/internal/testkit"
	"github.com/leadbell/leadbell/store"
)

// fixture is a desk on a real store, signed in to a simulated SmartLead
// that holds one lead's reply.
type fixture struct {
	sim    *simulator.Server
	st     *store.Store
	client *smartlead.Client
	reply  event.Event // as stored
	sample simulator.Sample

	mu      sync.Mutex
	stored  []event.Event
	woken   []event.Event
	changed []event.Event
}

// newFixture stores a reply of a lead; spec stores it as a spec-shape
// delivery would (without SmartLead's stats_id: the desk must look it up).
func newFixture(t *testing.T, spec bool) *fixture {
	t.Helper()
	f := &fixture{sim: simulator.NewServer(simulator.Options{Seed: 4})}
	t.Cleanup(f.sim.Close)
	var err error
	if f.st, err = store.Open(filepath.Join(t.TempDir(), "leadbell.db"), store.Options{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.st.Close() })
	f.client = smartlead.NewClient(f.sim.URL(), f.sim.APIKey(), smartlead.ClientOptions{Limiter: rate.NewLimiter(rate.Inf, 0), MaxRetries: -1})
	lead := f.sim.Generator().Leads()[1]
	f.sample = f.sim.Generator().EventFor(event.Replied, lead)
	if _, err := f.sim.Emit(context.Background(), f.sample); err != nil {
		t.Fatal(err)
	}
	payload := f.sample.LiveJSON("")
	if spec {
		payload = f.sample.SpecJSON()
	}
	ev, err := smartlead.Parse(payload)
	if err != nil {
		t.Fatal(err)
	}
	ev.ReceivedAt = time.Now().UTC()
	if f.reply, _, err = f.st.Append(context.Background(), ev); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *fixture) desk(undo time.Duration) *Desk {
	return New(Config{Store: f.st, Client: func() *smartlead.Client { return f.client }, Undo: undo,
		Stored:  func(ev event.Event) { f.mu.Lock(); f.stored = append(f.stored, ev); f.mu.Unlock() },
		Changed: func(ev event.Event) { f.mu.Lock(); f.changed = append(f.changed, ev); f.mu.Unlock() },
		Woken:   func(ev event.Event) { f.mu.Lock(); f.woken = append(f.woken, ev); f.mu.Unlock() }})
}

// run runs d until the test ends.
func run(t *testing.T, d *Desk) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); d.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
}

func (f *fixture) entry(t *testing.T, id string) store.OutboxEntry {
	t.Helper()
	e, err := f.st.OutboxEntry(id)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func (f *fixture) waitState(t *testing.T, id string, want store.OutboxState) store.OutboxEntry {
	t.Helper()
	return testkit.Poll(t, "the answer "+string(want), func() store.OutboxEntry { return f.entry(t, id) },
		func(e store.OutboxEntry) bool { return e.State == want })
}

// An answer waits out its undo window, then reaches SmartLead once, with
// the thread's fields, and shows in the lead's timeline as sent from
// Leadbell.
func TestAnswerIsSentOnceAfterTheUndoWindow(t *testing.T) {
	for _, spec := range []bool{false, true} {
		name := map[bool]string{false: "live delivery", true: "spec delivery, thread from the history"}[spec]
		t.Run(name, func(t *testing.T) {
			f := newFixture(t, spec)
			d := f.desk(150 * time.Millisecond)
			run(t, d)
			e, err := d.Answer(f.reply.ID, Answer{Body: "Tuesday at 10 works.\n\nBest,\nSam <sam@vendor.test>", CC: []string{"boss@vendor.test"}, Signature: true, Delay: -1})
			if err != nil {
				t.Fatal(err)
			}
			if e.State != store.OutboxWaiting || e.SendAt.Sub(e.CreatedAt) != 150*time.Millisecond {
				t.Fatalf("kept as %+v, want waiting for the undo window", e)
			}
			if n := len(f.sim.ThreadReplies()); n != 0 {
				t.Fatalf("%d answers at SmartLead within the undo window", n)
			}
			sent := f.waitState(t, e.ID, store.OutboxSent)
			got := f.sim.ThreadReplies()
			if len(got) != 1 {
				t.Fatalf("SmartLead took %d answers, want 1", len(got))
			}
			r := got[0]
			if r.StatsID != f.sample.StatsID || r.ReplyMessageID != f.sample.MessageID || r.CC != "boss@vendor.test" ||
				r.Body != "<p>Tuesday at 10 works.</p>\n<p>Best,<br>Sam &lt;sam@vendor.test&gt;</p>" || !r.AddSignature {
				t.Errorf("SmartLead took %+v", r)
			}
			if sent.SentAt.IsZero() || sent.Attempts != 1 {
				t.Errorf("the answer is kept as %+v, want sent once", sent)
			}
			timeline, _ := f.st.LeadEvents(f.reply.LeadID, 0)
			last := timeline[len(timeline)-1]
			if last.Type != event.Sent || last.SourceType != SourceAnswer || !strings.HasPrefix(last.Body, "Tuesday at 10") {
				t.Errorf("the lead's timeline ends with %+v, want the answer sent from Leadbell", last)
			}
			f.mu.Lock()
			defer f.mu.Unlock()
			if len(f.stored) != 1 || f.stored[0].ID != last.ID {
				t.Errorf("told of %d stored events, want the answer", len(f.stored))
			}
		})
	}
}

// An answer taken back within its window never reaches SmartLead; one
// already sent cannot be taken back.
func TestCancelWithinTheUndoWindow(t *testing.T) {
	f := newFixture(t, false)
	d := f.desk(time.Hour)
	run(t, d)
	e, err := d.Answer(f.reply.ID, Answer{Body: "Never mind.", Delay: -1})
	if err != nil {
		t.Fatal(err)
	}
	if c, err := d.Cancel(e.ID); err != nil || c.State != store.OutboxCancelled {
		t.Fatalf("Cancel: %+v, %v", c, err)
	}
	now, err := d.Answer(f.reply.ID, Answer{Body: "Right away.", Delay: 0})
	if err != nil {
		t.Fatal(err)
	}
	f.waitState(t, now.ID, store.OutboxSent)
	if _, err := d.Cancel(now.ID); err != ErrTooLate {
		t.Errorf("taking back a sent answer: %v, want ErrTooLate", err)
	}
	if got := f.sim.ThreadReplies(); len(got) != 1 || !strings.Contains(got[0].Body, "Right away.") {
		t.Errorf("SmartLead took %d answers, want only the one not taken back", len(got))
	}
}

// Leadbell killed after Send and before the window ended: the next start
// sends the answer, once.
func TestAnswerKeptAcrossAKillIsSentOnce(t *testing.T) {
	f := newFixture(t, false)
	first := f.desk(time.Hour) // never runs: killed in the window
	e, err := first.Answer(f.reply.ID, Answer{Body: "Sent after a restart.", Delay: 0})
	if err != nil {
		t.Fatal(err)
	}
	for range 2 { // two starts: the second finds it sent
		d := f.desk(time.Hour)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { defer close(done); d.Run(ctx) }()
		f.waitState(t, e.ID, store.OutboxSent)
		cancel()
		<-done
	}
	if n := len(f.sim.ThreadReplies()); n != 1 {
		t.Errorf("SmartLead took %d answers, want 1", n)
	}
}

// An answer left sending by a crash is settled by what SmartLead shows:
// sent if its history has it, failed (to send again by hand) if not;
// SmartLead is never asked twice.
func TestAnswerInterruptedWhileSending(t *testing.T) {
	f := newFixture(t, false)
	sending := func(body string) store.OutboxEntry {
		e, err := f.st.AddOutbox(store.OutboxEntry{EventID: f.reply.ID, CampaignID: f.reply.CampaignID, LeadID: f.reply.LeadID,
			Body: body, CreatedAt: time.Now().UTC(), SendAt: time.Now().UTC(), State: store.OutboxSending, Attempts: 1})
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	reached := sending("It reached SmartLead before the crash.")
	if err := f.client.ReplyInThread(context.Background(), f.reply.CampaignID, smartlead.ThreadReply{StatsID: f.sample.StatsID,
		Body: answerHTML(reached.Body), ReplyMessageID: f.sample.MessageID, ReplyTime: f.sample.At}); err != nil {
		t.Fatal(err)
	}
	lost := sending("It never left.")
	d := f.desk(time.Hour)
	run(t, d)
	f.waitState(t, reached.ID, store.OutboxSent)
	failed := f.waitState(t, lost.ID, store.OutboxFailed)
	if !strings.Contains(failed.Problem, "closed while sending") || failed.Body != "It never left." {
		t.Errorf("the lost answer is kept as %+v, want failed with its text and why", failed)
	}
	if n := len(f.sim.ThreadReplies()); n != 1 {
		t.Errorf("SmartLead took %d answers, want only the one before the crash", n)
	}
}

// A refused answer is kept with its text and a sentence saying why.
func TestRefusedAnswerSaysWhy(t *testing.T) {
	f := newFixture(t, false)
	d := f.desk(time.Hour)
	run(t, d)
	f.sim.FailNext(5, http.StatusTooManyRequests)
	e, err := d.Answer(f.reply.ID, Answer{Body: "Hello?", Delay: 0})
	if err != nil {
		t.Fatal(err)
	}
	failed := f.waitState(t, e.ID, store.OutboxFailed)
	if failed.Problem != "SmartLead is rate limiting this API key: send it again in a minute." || failed.Body != "Hello?" {
		t.Errorf("kept as %+v", failed)
	}
	if _, err := d.Answer(f.reply.ID, Answer{Body: "  \n "}); err != ErrEmpty {
		t.Errorf("an empty answer: %v, want ErrEmpty", err)
	}
}

// A snoozed reply comes back unread when its time comes, once, and says so.
func TestSnoozedReplyComesBack(t *testing.T) {
	f := newFixture(t, false)
	if _, err := f.st.SetRead(f.reply.ID, true); err != nil {
		t.Fatal(err)
	}
	d := f.desk(time.Hour)
	run(t, d)
	if _, err := f.st.Snooze(f.reply.ID, time.Now().Add(100*time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	d.Snoozed()
	testkit.WaitFor(t, "the reply back from its snooze", func() bool {
		f.mu.Lock()
		defer f.mu.Unlock()
		return len(f.woken) > 0
	})
	ev, err := f.st.Event(f.reply.ID)
	if err != nil || ev.Read || !ev.SnoozedUntil.IsZero() {
		t.Errorf("the reply after its snooze: %+v, %v; want unread and not snoozed", ev, err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.woken) != 1 || len(f.changed) != 1 {
		t.Errorf("told %d times of a woken reply and %d of a change, want once each", len(f.woken), len(f.changed))
	}
}

func TestSetCategory(t *testing.T) {
	f := newFixture(t, false)
	d := f.desk(time.Hour)
	ctx := context.Background()
	ev, err := d.SetCategory(ctx, f.reply.LeadID, "Meeting Request", true)
	if err != nil {
		t.Fatal(err)
	}
	if cat, paused := f.sim.LeadCategory(f.reply.CampaignID, f.reply.LeadID); cat != "Meeting Request" || !paused {
		t.Errorf("SmartLead has %q (paused %v), want Meeting Request, paused", cat, paused)
	}
	if ev.Type != event.CategoryUpdated || ev.Category != "Meeting Request" || ev.SourceType != SourceCategory {
		t.Errorf("recorded %+v", ev)
	}
	if got, _ := f.st.Event(f.reply.ID); got.Category != "Meeting Request" {
		t.Errorf("the reply reads category %q, want the lead's new one", got.Category)
	}
	if _, err := d.SetCategory(ctx, f.reply.LeadID, "Hot Lead", false); err == nil || !strings.Contains(err.Error(), "no such category") {
		t.Errorf("an unknown category: %v", err)
	}
}

// A new reply is triaged off the receiver's path, and one stored before
// the desk ran is triaged at its start; each change is told.
func TestRepliesAreTriaged(t *testing.T) {
	f := newFixture(t, false) // a reply stored before the desk runs
	feed := broker.New()
	d := f.desk(time.Hour)
	d.cfg.New = feed
	run(t, d)
	testkit.Poll(t, "the stored reply triaged", func() event.Event { ev, _ := f.st.Event(f.reply.ID); return ev },
		func(ev event.Event) bool { return ev.Triage != "" && ev.TriageReason != "" })
	ooo, _, err := f.st.Append(context.Background(), event.Event{Type: event.Replied, SourceType: "EMAIL_REPLY", LeadID: "9", CampaignID: f.reply.CampaignID,
		ReceivedAt: time.Now().UTC(), Body: "I am out of the office until 12 January with limited access to email.", Key: "ooo"})
	if err != nil {
		t.Fatal(err)
	}
	feed.Publish(ooo)
	got := testkit.Poll(t, "the new reply triaged", func() event.Event { ev, _ := f.st.Event(ooo.ID); return ev },
		func(ev event.Event) bool { return ev.Triage != "" })
	if got.Triage != "out_of_office" || !strings.Contains(got.TriageReason, "12 January") {
		t.Errorf("triaged as %q (%q), want out_of_office until 12 January", got.Triage, got.TriageReason)
	}
	testkit.WaitFor(t, "both triages told", func() bool {
		f.mu.Lock()
		defer f.mu.Unlock()
		return len(f.changed) == 2
	})
}
