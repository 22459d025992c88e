package store

import (
	"bytes"
	"errors"
	"math"
	"testing"
	"time"

	"github.com/leadbell/leadbell/event"
)

func TestWhenKeySortsLikeTime(t *testing.T) {
	times := []time.Time{
		{}, // year 1: clamped to the lowest key
		time.Date(1600, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(1969, 12, 31, 23, 59, 59, 999, time.UTC),
		time.Unix(0, 0),
		time.Unix(0, 1),
		time.Date(2025, 3, 1, 9, 0, 0, 0, time.FixedZone("CET", 3600)),
		time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC),
		time.Date(2300, 1, 1, 0, 0, 0, 0, time.UTC),
	}
	for i := 1; i < len(times); i++ {
		a, b := whenKey(times[i-1]), whenKey(times[i])
		if a > b || (a == b && !(i == 1 || i == len(times)-1)) {
			t.Errorf("whenKey(%v) = %x, whenKey(%v) = %x: out of order", times[i-1], a, times[i], b)
		}
	}
	if whenKey(times[0]) != 0 || whenKey(times[len(times)-1]) != math.MaxUint64 {
		t.Error("times outside the nanosecond range are not clamped")
	}
}

func TestEventCodecRoundTrip(t *testing.T) {
	for i, ev := range loadFixtures(t) {
		ev.Read, ev.Backfilled = i%2 == 0, i%3 == 0
		if i%2 == 1 {
			ev.StatsID, ev.Category, ev.PreviousCategory = "stats-"+ev.Key, "Meeting Request", "Interested"
		}
		ev.Timestamp = ev.Timestamp.In(time.FixedZone("", -5*3600))
		got, err := decodeEvent(uint64(i+1), encodeEvent(&ev), true)
		if err != nil {
			t.Fatalf("event %d: %v", i, err)
		}
		ev.ID = got.ID
		if g, w := mustJSON(t, got), mustJSON(t, ev); g != w || got.Key != ev.Key {
			t.Errorf("event %d:\n got %s\nwant %s", i, g, w)
		}
		if _, off := got.Timestamp.Zone(); !ev.Timestamp.IsZero() && off != -5*3600 {
			t.Errorf("event %d: zone offset %d lost", i, off)
		}
	}
}

func TestDecodeEventRejectsDamage(t *testing.T) {
	ev := loadFixtures(t)[9]
	rec := encodeEvent(&ev)
	tests := []struct {
		name string
		rec  []byte
	}{
		{"empty", nil},
		{"other version", append([]byte{9}, rec[1:]...)},
		{"length past the end", append(bytes.Clone(rec[:eventHeaderLen]), 0xff, 0x01)},
	}
	for n := eventHeaderLen; n < len(rec); n += 7 {
		tests = append(tests, struct {
			name string
			rec  []byte
		}{"truncated", rec[:n]})
	}
	for _, tt := range tests {
		if _, err := decodeEvent(1, tt.rec, true); !errors.Is(err, errCorrupt) {
			t.Errorf("%s (%d bytes): err = %v, want errCorrupt", tt.name, len(tt.rec), err)
		}
	}
}

func TestSummaryRoundTrip(t *testing.T) {
	tests := []struct {
		name     string
		typ      event.Type
		flags    byte
		camp, ld uint32
		refs     []uint32
	}{
		{"known type", event.Replied, flagRead, 3, 70000, []uint32{1, 300, math.MaxUint32}},
		{"other type", "EMAIL_FORWARDED", 0, 0, 0, nil},
		{"category update", event.CategoryUpdated, 0, 7, 9, []uint32{2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, ok := parseSummary(encodeSummary(tt.flags, tt.typ, tt.camp, tt.ld, tt.refs))
			if !ok || s.flags != tt.flags || s.campaign != tt.camp || s.lead != tt.ld || !s.isType(tt.typ) || s.isType(event.Sent) {
				t.Fatalf("parsed %+v ok %v", s, ok)
			}
			var refs []uint32
			s.eachRef(func(id uint32) bool { refs = append(refs, id); return false })
			if len(refs) != len(tt.refs) {
				t.Fatalf("refs %v, want %v", refs, tt.refs)
			}
			for i := range refs {
				if refs[i] != tt.refs[i] {
					t.Fatalf("refs %v, want %v", refs, tt.refs)
				}
			}
		})
	}
}
