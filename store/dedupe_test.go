package store

import (
	"context"
	"slices"
	"testing"
)

func TestDedupeIndexFindsEveryEntry(t *testing.T) {
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
			d := newDedupeIndex(tt.runSize)
			for i := range tt.entries {
				// entries i and i+entries/2+1 share a fingerprint
				d.add(dedupeEntry{fp: uint64(i % (tt.entries/2 + 1)), seq: uint64(i + 1)})
			}
			if len(d.runs) > maxRuns {
				t.Errorf("%d runs, want at most %d", len(d.runs), maxRuns)
			}
			for i := range tt.entries {
				fp := uint64(i % (tt.entries/2 + 1))
				var seqs []uint64
				d.candidates(fp, func(seq uint64) bool {
					seqs = append(seqs, seq)
					return false
				})
				if !slices.Contains(seqs, uint64(i+1)) {
					t.Errorf("fp %d: candidates %v lack seq %d", fp, seqs, i+1)
				}
			}
			if d.candidates(1<<40, func(uint64) bool { return true }) {
				t.Error("an unknown fingerprint has candidates")
			}
		})
	}
}

// funcOp runs fn in the writer's transaction and reports its error.
type funcOp struct {
	fn   func(w *txn) error
	done chan error
}

func (o *funcOp) size() int          { return 1 }
func (o *funcOp) apply(w *txn) error { return o.fn(w) }
func (o *funcOp) finish(err error)   { o.done <- err }

func inWriter(tb testing.TB, s *Store, fn func(w *txn) error) {
	tb.Helper()
	o := &funcOp{fn: fn, done: make(chan error, 1)}
	if err := s.submit(context.Background(), o); err != nil {
		tb.Fatal(err)
	}
	if err := <-o.done; err != nil {
		tb.Fatal(err)
	}
}

func TestSharedFingerprintIsNotADuplicate(t *testing.T) {
	s := openTest(t)
	evs := genEvents(2, 1, "fp-")
	a := mustAppendAll(t, s, evs[:1])[0]
	seqA, _ := parseID(a.ID)
	// Pretend b's key fingerprints like a's. The ingest goroutine owns the
	// index; holding its gate keeps it away meanwhile.
	s.ingestGate.Lock()
	s.dd.add(dedupeEntry{fp: fingerprint(evs[1].Key), seq: seqA})
	s.ingestGate.Unlock()
	b, dup, err := s.Append(context.Background(), evs[1])
	if err != nil || dup || b.ID == a.ID {
		t.Fatalf("Append: id %s dup %v err %v, want a new event", b.ID, dup, err)
	}
	again, dup, err := s.Append(context.Background(), evs[1])
	if err != nil || !dup || again.ID != b.ID {
		t.Errorf("Append again: id %s dup %v err %v, want dup of %s", again.ID, dup, err, b.ID)
	}
}
