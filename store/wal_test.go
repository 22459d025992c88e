package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/leadbell/leadbell/event"
)

// crashCopy copies s's files, as a kill -9 would leave them on disk (the
// page cache survives the process), to a new directory, and returns the
// copy's database path. The caller holds the writer, so that bbolt is not
// in the middle of a commit.
func crashCopy(t *testing.T, s *Store) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), "leadbell.db")
	src := []string{s.Path()}
	dsts := []string{dst}
	for i, p := range walPaths(s.Path()) {
		src, dsts = append(src, p), append(dsts, walPaths(dst)[i])
	}
	for i := range src {
		data, err := os.ReadFile(src[i])
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dsts[i], data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dst
}

// openCopy opens a crash copy and checks that it holds exactly want, with
// the same IDs, and that appending them again finds duplicates.
func openCopy(t *testing.T, path string, want []event.Event) *Store {
	t.Helper()
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatalf("Open after a crash: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	got, err := s.After("", MaxLimit)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("%d events after the crash, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i].ID != want[i].ID || got[i].Key != want[i].Key {
			t.Errorf("event %d: id %s key %q, want id %s key %q", i, got[i].ID, got[i].Key, want[i].ID, want[i].Key)
		}
	}
	if st, _ := s.Stats(); st.Total != len(want) {
		t.Errorf("Total = %d, want %d", st.Total, len(want))
	}
	for _, i := range []int{0, len(want) - 1} {
		again, dup, err := s.Append(context.Background(), want[i])
		if err != nil || !dup || again.ID != want[i].ID {
			t.Errorf("event %d again: id %s dup %v err %v, want dup of %s", i, again.ID, dup, err, want[i].ID)
		}
	}
	return s
}

func TestReplayAfterCrash(t *testing.T) {
	s := openTest(t)
	applied := mustAppendAll(t, s, genEvents(30, 1, "applied-"))
	// Answered while the writer is held: in the log, not in bbolt.
	release := holdWriter(t, s)
	defer release()
	logged := mustAppendAll(t, s, genEvents(40, 31, "logged-"))
	path := crashCopy(t, s)

	c := openCopy(t, path, append(applied, logged...))
	next, dup, err := c.Append(context.Background(), genEvents(1, 71, "next-")[0])
	if err != nil || dup || next.ID != "71" {
		t.Errorf("Append after the replay: id %s dup %v err %v, want 71", next.ID, dup, err)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	// Replayed once: opening again applies nothing twice.
	openCopy(t, path, append(append(applied, logged...), next))
}

func TestReplayStopsAtATornRecord(t *testing.T) {
	s := openTest(t)
	release := holdWriter(t, s)
	defer release()
	stored := mustAppendAll(t, s, genEvents(10, 1, "torn-"))
	path := crashCopy(t, s)
	// Tear the last record, as a write cut short by a power loss would;
	// its sync never returned, so it was never answered.
	data, err := os.ReadFile(walPaths(path)[0])
	if err != nil {
		t.Fatal(err)
	}
	recs := scanWAL(data, 0)
	if len(recs) != len(stored) {
		t.Fatalf("%d records in the log, want %d", len(recs), len(stored))
	}
	last := recs[len(recs)-1]
	end := bytes.Index(data, last.payload) + len(last.payload)
	data[end-1] ^= 0xff
	if err := os.WriteFile(walPaths(path)[0], data, 0o600); err != nil {
		t.Fatal(err)
	}
	openCopy(t, path, stored[:len(stored)-1])
}

func TestLogTurnsOver(t *testing.T) {
	// Events of about 256 KiB fill a log file in 16 events.
	big := func(n int, start uint64, prefix string) []event.Event {
		evs := genEvents(n, start, prefix)
		for i := range evs {
			evs[i].Raw = bytes.Repeat([]byte("x"), 256<<10)
		}
		return evs
	}
	t.Run("to the other file once it is applied", func(t *testing.T) {
		s := openTest(t)
		var stored []event.Event
		for i := range 5 {
			stored = append(stored, mustAppendAll(t, s, big(20, uint64(20*i+1), fmt.Sprintf("turn%d-", i)))...)
			s.awaitApplied() // applied: the next file may be reused
		}
		release := holdWriter(t, s)
		defer release()
		stored = append(stored, mustAppendAll(t, s, big(20, 101, "held-"))...)
		if s.wal.last[0] == 0 || s.wal.last[1] == 0 {
			t.Errorf("last seqs per file %v: the log did not turn over", s.wal.last)
		}
		openCopy(t, crashCopy(t, s), stored)
	})
	t.Run("growing while nothing is applied", func(t *testing.T) {
		s := openTest(t)
		release := holdWriter(t, s)
		defer release()
		stored := mustAppendAll(t, s, big(40, 1, "grow-"))
		// The first file fills, the second takes over, and then grows as
		// the first is not applied yet.
		if s.wal.size[1] <= walSegment {
			t.Errorf("second file is %d bytes, want it grown past %d", s.wal.size[1], walSegment)
		}
		openCopy(t, crashCopy(t, s), stored)
	})
}

func TestCloseLeavesNothingToReplay(t *testing.T) {
	s := openTest(t)
	mustAppendAll(t, s, genEvents(5, 1, "closed-"))
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	for _, p := range walPaths(s.Path()) {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if recs := scanWAL(data, 5); len(recs) != 0 {
			t.Errorf("%s: %d records not applied after Close, want none", filepath.Base(p), len(recs))
		}
	}
}

// walFile builds the bytes of a log file holding records with these seqs.
func walFile(seqs ...uint64) []byte {
	var l wal
	for _, seq := range seqs {
		l.appendRecord(seq, binary.BigEndian.AppendUint64(nil, seq))
	}
	return l.buf
}

func TestWALRead(t *testing.T) {
	// damage flips a byte of the record with seq at in a file built by
	// walFile: in its length (the reader must find the next one by
	// itself) or in its payload (its checksum fails).
	damage := func(file []byte, at uint64, field int) []byte {
		const recLen = 8 + 8 + 8 // header, seq, payload of walFile's records
		for off := 0; off+recLen <= len(file); off += recLen {
			if binary.BigEndian.Uint64(file[off+8:]) == at {
				file[off+field] ^= 0x5a
			}
		}
		return file
	}
	const inLength, inPayload = 1, 20
	tests := []struct {
		name        string
		files       [2][]byte
		applied     uint64
		want        []uint64
		wantMissing uint64
	}{
		{"empty", [2][]byte{nil, nil}, 0, nil, 0},
		{"applied already", [2][]byte{walFile(1, 2, 3), nil}, 3, nil, 0},
		{"partly applied", [2][]byte{walFile(4, 5, 6), nil}, 4, []uint64{5, 6}, 0},
		{"across both files", [2][]byte{walFile(8, 9), walFile(5, 6, 7)}, 5, []uint64{6, 7, 8, 9}, 0},
		{"stale records of an earlier turn", [2][]byte{append(walFile(10, 11), walFile(3, 4)...), walFile(5, 6)}, 9, []uint64{10, 11}, 0},
		{"a torn record ends the run", [2][]byte{append(walFile(7, 8), walFile(9)[:10]...), nil}, 6, []uint64{7, 8}, 0},
		{"stale bytes after a torn record", [2][]byte{append(append(walFile(7, 8), walFile(9)[:10]...), walFile(2, 3)...), nil}, 6, []uint64{7, 8}, 0},
		{"past a gap", [2][]byte{walFile(3, 4), walFile(7, 8)}, 2, []uint64{3, 4, 7, 8}, 2},
		{"a damaged payload costs its record alone", [2][]byte{damage(walFile(3, 4, 5, 6), 4, inPayload), nil}, 2, []uint64{3, 5, 6}, 1},
		{"a damaged length costs its record alone", [2][]byte{damage(walFile(3, 4, 5, 6), 4, inLength), nil}, 2, []uint64{3, 5, 6}, 1},
		{"a damaged first record", [2][]byte{damage(walFile(3, 4, 5), 3, inLength), walFile(6)}, 2, []uint64{4, 5, 6}, 1},
		{"a damaged zero-filled tail", [2][]byte{append(walFile(3, 4), 0, 0, 0, 0, 9, 9, 9, 9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), nil}, 2, []uint64{3, 4}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "leadbell.db")
			for i, p := range walPaths(path) {
				if err := os.WriteFile(p, tt.files[i], 0o600); err != nil {
					t.Fatal(err)
				}
			}
			l, err := openWAL(path)
			if err != nil {
				t.Fatal(err)
			}
			defer l.close()
			recs, missing, err := l.read(tt.applied)
			if err != nil {
				t.Fatal(err)
			}
			var got []uint64
			for _, r := range recs {
				got = append(got, r.seq)
				if binary.BigEndian.Uint64(r.payload) != r.seq {
					t.Errorf("record %d has payload %x", r.seq, r.payload)
				}
			}
			if !slices.Equal(got, tt.want) || missing != tt.wantMissing {
				t.Errorf("read(%d) = %v, %d missing; want %v, %d", tt.applied, got, missing, tt.want, tt.wantMissing)
			}
		})
	}
}
