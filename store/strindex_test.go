package store

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/leadbell/leadbell/event"
	bolt "go.etcd.io/bbolt"
)

func TestStrIndexFindsEveryEntry(t *testing.T) {
	tests := []struct {
		name    string
		runSize int
		entries int
	}{
		{"recent only", 100, 50},
		{"a few runs", 8, 60},
		{"runs merged", 2, 2*maxRuns + 7},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x := newStrIndex(tt.runSize)
			for i := range tt.entries {
				// As the writer does: one commit's strings, then seal.
				x.add([]strEntry{{newPart("s" + strconv.Itoa(i)).hash, uint32(i + 1)}})
				x.seal()
			}
			if len(x.runs) > maxRuns {
				t.Errorf("%d runs, want at most %d", len(x.runs), maxRuns)
			}
			for i := range tt.entries {
				if id, ok := x.get(newPart("s" + strconv.Itoa(i)).hash); !ok || id != uint32(i+1) {
					t.Errorf("string %d: id %d, %v; want %d", i, id, ok, i+1)
				}
			}
			if id, ok := x.get(newPart("absent").hash); ok {
				t.Errorf("an absent string has id %d", id)
			}
		})
	}
}

func TestStrIndexRemoveTakesBackAnAdd(t *testing.T) {
	x := newStrIndex(100)
	kept := strEntry{newPart("kept").hash, 1}
	x.add([]strEntry{kept})
	failed := []strEntry{{newPart("failed").hash, 2}, {newPart("failed too").hash, 3}}
	x.add(failed)
	x.remove(failed)
	for _, e := range failed {
		if id, ok := x.get(e.hash); ok {
			t.Errorf("removed entry still has id %d", id)
		}
	}
	if id, ok := x.get(kept.hash); !ok || id != kept.id {
		t.Errorf("kept entry: id %d, %v; want %d", id, ok, kept.id)
	}
}

func TestFailedTransactionLeavesNoString(t *testing.T) {
	s := openTest(t)
	boom := errors.New("boom")
	lost := newPart("a string from a failed transaction")
	bad := &funcOp{fn: func(w *txn) error {
		if _, err := w.intern(lost); err != nil {
			return err
		}
		return boom
	}, done: make(chan error, 1)}
	if err := s.submit(context.Background(), bad); err != nil {
		t.Fatal(err)
	}
	if err := <-bad.done; !errors.Is(err, boom) {
		t.Fatalf("err = %v, want boom", err)
	}
	if id, ok := s.strIdx.get(lost.hash); ok {
		t.Errorf("the failed transaction's string has id %d", id)
	}
	// Its id was rolled back with the transaction: the next string takes it.
	var id uint32
	inWriter(t, s, func(w *txn) error {
		var err error
		id, err = w.intern(newPart("the next string"))
		return err
	})
	if id != 1 {
		t.Errorf("next string id = %d, want 1", id)
	}
}

func TestMarkAllReadSeesCampaignOfSameBatch(t *testing.T) {
	s := openTest(t)
	release := holdWriter(t, s)
	ev := genEvents(1, 1, "batch-")[0]
	ev.CampaignID = "campaign-new-in-this-batch"
	// Logged and answered while the writer is held, so that it applies
	// the event in the same transaction as MarkAllRead.
	mustAppendAll(t, s, []event.Event{ev})
	marked := make(chan int, 1)
	go func() {
		n, err := s.MarkAllRead(Query{Campaign: ev.CampaignID})
		if err != nil {
			t.Error(err)
		}
		marked <- n
	}()
	waitQueued(t, s, 2)
	release()
	if n := <-marked; n != 1 {
		t.Errorf("MarkAllRead in the same batch marked %d, want 1", n)
	}
}

func TestIDsAreNotStoredAsText(t *testing.T) {
	s := openTest(t)
	evs := genEvents(2, 1, "ids-")
	evs[0].LeadID = "42"
	// A text that spells a marked lead ID stays searchable text.
	evs[1].LeadID = "43"
	evs[1].Body = "\x00l42"
	stored := mustAppendAll(t, s, evs)
	if err := s.view(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketStrs).ForEach(func(k, v []byte) error {
			if strings.HasPrefix(string(v), idCampaign) || strings.HasPrefix(string(v), idLead) {
				t.Errorf("strs holds the ID %q", v)
			}
			return nil
		})
	}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		q    Query
		want string
	}{
		{"lead filter", Query{Lead: "42"}, stored[0].ID},
		{"text spelling the ID", Query{Text: "l42"}, stored[1].ID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			page, err := s.List(tt.q)
			if err != nil {
				t.Fatal(err)
			}
			if len(page.Events) != 1 || page.Events[0].ID != tt.want {
				t.Errorf("got %v, want only event %s", indexesOf(stored, page.Events), tt.want)
			}
		})
	}
}
