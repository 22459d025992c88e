package engine

import (
	"context"
	"fmt"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/leadbell/leadbell/app/api"
	"github.com/leadbell/leadbell/app/smartlead/simulator"
	"github.com/leadbell/leadbell/event"
	"github.com/leadbell/leadbell/internal/testkit"
	"github.com/leadbell/leadbell/store"
)

func TestStorageMessages(t *testing.T) {
	for _, tt := range []struct {
		problem string
		free    uint64
		known   bool
		restart bool
		want    []string
	}{
		{store.ProblemDiskFull, 64 << 10, true, false, []string{"Your disk is full", "cannot save new replies", "SmartLead will send them again once there is room", "64 KB free", "/data/leadbell"}},
		{store.ProblemDiskFull, 0, false, false, []string{"Your disk is full", "Free some space", "/data/leadbell"}},
		{store.ProblemReadOnly, 0, true, false, []string{"read-only", "cannot save new replies", "/data/leadbell"}},
		{store.ProblemRemoved, 0, true, false, []string{"data folder /data/leadbell was removed", "Put the folder back"}},
		{store.ProblemIO, 0, true, true, []string{"reported an error", "Restart Leadbell"}},
		{store.ProblemIO, 0, true, false, []string{"reported an error", "once it can write"}},
	} {
		msg := storageMessage(tt.problem, "/data/leadbell", tt.free, tt.known, tt.restart)
		for _, w := range tt.want {
			if !strings.Contains(msg, w) {
				t.Errorf("%s: %q does not say %q", tt.problem, msg, w)
			}
		}
		for _, jargon := range []string{"webhook", "ENOSPC", "errno", "bbolt", "store:"} {
			if strings.Contains(strings.ToLower(msg), strings.ToLower(jargon)) {
				t.Errorf("%s: %q says %q to a salesperson", tt.problem, msg, jargon)
			}
		}
	}
	for n, want := range map[uint64]string{0: "0 bytes", 65536: "64 KB", 12 << 20: "12 MB", 3 << 30: "3.0 GB"} {
		if got := sizeWords(n); got != want {
			t.Errorf("sizeWords(%d) = %q, want %q", n, got, want)
		}
	}
}

// A disk that turns read-only while Leadbell runs: deliveries are refused
// at once with a retryable answer, the status says so in words, a notice
// goes out when it starts and when it ends, saving resumes by itself, and
// SmartLead's failed deliveries for the gap are re-triggered and stored
// once each.
func TestDiskRefusesThenRecovers(t *testing.T) {
	sim := simulator.NewServer(simulator.Options{Seed: 9, RetryDelays: []time.Duration{}, NoTestEvents: true})
	defer sim.Close()
	faults := &store.Faults{}
	e := newEngineOn(t, store.Options{Faults: faults}, sim, sim.APIKey(), "")
	e.cfg.Watchdog, e.cfg.RetryDelay = time.Hour, time.Hour
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); e.Run(ctx) }()
	defer func() { cancel(); <-done }()
	waitEngineState(t, e, api.StateListening)

	notices := make(chan Notice, 4)
	go WatchStorage(ctx, e.store, e.cfg.DataDir, func(n Notice) { notices <- n })

	gen := sim.Generator()
	leads := gen.Leads()
	before := emitSample(t, sim, gen.EventFor(event.Replied, leads[0]))
	if len(before) != 1 || !before[0].OK() {
		t.Fatalf("deliveries %+v, want one taken", before)
	}

	testkit.WaitFor(t, "the first reply to be applied", func() bool { return len(storedOfType(t, e, event.Replied)) == 1 })
	faults.Fail(fmt.Errorf("write: %w", syscall.EROFS))
	var refused []simulator.Sample
	for _, lead := range leads[1:4] {
		s := gen.EventFor(event.Replied, lead)
		start := time.Now()
		ds := emitSample(t, sim, s)
		if len(ds) != 1 || ds[0].Status != 503 {
			t.Fatalf("delivery on a read-only disk answered %d (%s), want 503", ds[0].Status, ds[0].Err)
		}
		if took := time.Since(start); took > time.Second {
			t.Errorf("a refused delivery waited %v for its answer, want under a second", took)
		}
		refused = append(refused, s)
	}
	st := waitStatus(t, e, "cannot_save", func(st api.Status) bool { return st.State == api.StateCannotSave })
	if st.Storage == nil || st.Storage.Problem != store.ProblemReadOnly || st.Storage.DataDir != e.cfg.DataDir ||
		!strings.Contains(st.Message, "read-only") {
		t.Errorf("status while read-only: %+v (storage %+v)", st, st.Storage)
	}
	select {
	case n := <-notices:
		if !strings.Contains(n.Title, "cannot save") || !strings.Contains(n.Body, "read-only") {
			t.Errorf("notice %+v, want one saying new replies cannot be saved, and why", n)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no notice when the disk started refusing")
	}
	// Reads go on.
	if got := storedOfType(t, e, event.Replied); len(got) != 1 {
		t.Errorf("%d replies readable on a read-only disk, want the one taken before", len(got))
	}

	faults.Fail(nil)
	waitStatus(t, e, "listening", func(st api.Status) bool { return st.State == api.StateListening })
	select {
	case n := <-notices:
		if !strings.Contains(n.Title, "saving replies again") {
			t.Errorf("notice %+v, want one saying saving works again", n)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no notice when the disk took events again")
	}
	testkit.WaitFor(t, fmt.Sprintf("the catch-up to store %d replies", 1+len(refused)), func() bool {
		return len(storedOfType(t, e, event.Replied)) >= 1+len(refused) && e.catchUp.Idle()
	})
	byMsg := map[string]int{}
	for _, r := range storedOfType(t, e, event.Replied) {
		byMsg[r.MessageID]++
	}
	for _, s := range refused {
		if byMsg[s.MessageID] != 1 {
			t.Errorf("refused reply %s stored %d times after the catch-up, want once", s.MessageID, byMsg[s.MessageID])
		}
	}
	if n := len(sim.Undelivered()); n != 0 {
		t.Errorf("SmartLead still holds %d failed deliveries", n)
	}
}
