package store

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/leadbell/leadbell/event"
)

// closedStore writes n events to a new store and closes it, returning its
// path.
func closedStore(t *testing.T, n int) string {
	t.Helper()
	s := openTest(t)
	mustAppendAll(t, s, genEvents(n, 1, "damaged-"))
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	return s.Path()
}

func TestOpenDamagedFile(t *testing.T) {
	tests := []struct {
		name   string
		damage func(data []byte, rng *rand.Rand) []byte
	}{
		{"random bytes over every data page", func(data []byte, rng *rand.Rand) []byte {
			for i := 2 * pageSize; i < len(data); i++ {
				data[i] = byte(rng.Uint32())
			}
			return data
		}},
		{"random bytes over the first data pages", func(data []byte, rng *rand.Rand) []byte {
			for i := 2 * pageSize; i < 6*pageSize; i++ {
				data[i] = byte(rng.Uint32())
			}
			return data
		}},
		{"random bytes over the header", func(data []byte, rng *rand.Rand) []byte {
			for i := range 2 * pageSize {
				data[i] = byte(rng.Uint32())
			}
			return data
		}},
		{"zeros over the whole file", func(data []byte, _ *rand.Rand) []byte {
			clear(data)
			return data
		}},
		{"a few stray bytes", func(data []byte, _ *rand.Rand) []byte {
			return data[:100]
		}},
	}
	for _, tt := range tests {
		for seed := range uint64(3) {
			t.Run(tt.name, func(t *testing.T) {
				path := closedStore(t, 400)
				data, err := os.ReadFile(path)
				if err != nil {
					t.Fatal(err)
				}
				damaged := tt.damage(data, rand.New(rand.NewPCG(seed, seed)))
				if err := os.WriteFile(path, damaged, 0o600); err != nil {
					t.Fatal(err)
				}
				s, err := Open(path, Options{})
				if err == nil {
					s.Close()
					t.Fatal("Open took a damaged file")
				}
				if !errors.Is(err, ErrDamaged) || !strings.Contains(err.Error(), path) {
					t.Fatalf("Open: %v, want ErrDamaged naming %s", err, path)
				}
				after, _ := os.ReadFile(path)
				if !bytes.Equal(after, damaged) {
					t.Error("Open changed the damaged file")
				}

				aside, err := MoveAside(path, time.Date(2026, 12, 5, 4, 30, 0, 0, time.UTC))
				if err != nil {
					t.Fatal(err)
				}
				if want := path + ".damaged-20261205-043000"; aside != want {
					t.Errorf("moved aside to %s, want %s", aside, want)
				}
				if kept, _ := os.ReadFile(aside); !bytes.Equal(kept, damaged) {
					t.Error("the file kept aside is not the damaged file")
				}
				for _, p := range walPaths(path) {
					if _, err := os.Stat(p + ".damaged-20261205-043000"); err != nil {
						t.Errorf("its log was not kept aside with it: %v", err)
					}
				}
				fresh, err := Open(path, Options{})
				if err != nil {
					t.Fatalf("Open after MoveAside: %v", err)
				}
				defer fresh.Close()
				if st, _ := fresh.Stats(); st.Total != 0 {
					t.Errorf("a fresh start holds %d events", st.Total)
				}
			})
		}
	}
}

func TestMoveAsideWaitsForTheLock(t *testing.T) {
	s := openTest(t)
	if _, err := MoveAside(s.Path(), time.Now()); !errors.Is(err, ErrLocked) {
		t.Fatalf("MoveAside of an open store: %v, want ErrLocked", err)
	}
	if _, err := os.Stat(s.Path()); err != nil {
		t.Fatalf("the open store's file moved: %v", err)
	}
}

func TestReplayKeepsADamagedLogAside(t *testing.T) {
	s := openTest(t)
	release := holdWriter(t, s)
	defer release()
	stored := mustAppendAll(t, s, genEvents(12, 1, "gap-"))
	path := crashCopy(t, s)
	// Damage the 5th record's payload: it fails its checksum.
	log0 := walPaths(path)[0]
	data, err := os.ReadFile(log0)
	if err != nil {
		t.Fatal(err)
	}
	recs := scanWAL(data, 0)
	if len(recs) != len(stored) {
		t.Fatalf("%d records in the log, want %d", len(recs), len(stored))
	}
	at := bytes.Index(data, recs[4].payload)
	data[at+len(recs[4].payload)/2] ^= 0xff
	if err := os.WriteFile(log0, data, 0o600); err != nil {
		t.Fatal(err)
	}
	want := append(append([]event.Event{}, stored[:4]...), stored[5:]...)
	openCopy(t, path, want).Close()

	kept, _ := filepath.Glob(log0 + ".damaged-*")
	if len(kept) != 1 {
		t.Fatalf("damaged log kept as %v, want one copy", kept)
	}
	if got, _ := os.ReadFile(kept[0]); !bytes.Equal(got, data) {
		t.Error("the copy kept aside is not the damaged log")
	}
	// Opening again replays nothing and keeps nothing more.
	openCopy(t, path, want).Close()
	if again, _ := filepath.Glob(log0 + ".damaged-*"); len(again) != 1 {
		t.Errorf("a second open kept the log again: %v", again)
	}
}
