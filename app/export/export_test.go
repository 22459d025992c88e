package export

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/leadbell/leadbell/event"
	"github.com/leadbell/leadbell/store"
)

// base is the time of the first seeded event; one follows every minute.
var base = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)

// seed stores n events in a real store file: every third a reply, the
// rest opens; campaigns 1 and 2 alternate; every tenth body says "pricing".
func seed(t *testing.T, n int) (*store.Store, []event.Event) {
	t.Helper()
	st, err := store.Open(filepath.Join(t.TempDir(), "leadbell.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	evs := make([]event.Event, n)
	for i := range evs {
		typ, body := event.Opened, ""
		if i%3 == 0 {
			typ, body = event.Replied, fmt.Sprintf("reply number %d", i)
		}
		if i%10 == 0 {
			body += " about pricing"
		}
		at := base.Add(time.Duration(i) * time.Minute)
		evs[i] = event.Event{
			Type: typ, SourceType: string(typ), Timestamp: at, ReceivedAt: at.Add(time.Second),
			CampaignID: fmt.Sprint(1 + i%2), LeadID: fmt.Sprint(1000 + i), LeadEmail: fmt.Sprintf("lead%d@example.com", i),
			Body: body, Key: fmt.Sprintf("key-%d", i), Raw: json.RawMessage(fmt.Sprintf(`{"n":%d}`, i)),
		}
	}
	res, err := st.AppendMany(context.Background(), evs)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range res {
		evs[i].ID = r.Event.ID
	}
	return st, evs
}

// ids are the IDs of the events of a JSON export, in its order.
func ids(t *testing.T, out []byte) []string {
	t.Helper()
	var evs []event.Event
	if err := json.Unmarshal(out, &evs); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	var got []string
	for _, ev := range evs {
		got = append(got, ev.ID)
	}
	return got
}

func TestWriteFilters(t *testing.T) {
	st, evs := seed(t, 1300) // three pages of the store's largest
	newestFirst := func(keep func(i int, ev event.Event) bool) []string {
		var want []string
		for i, ev := range slices.Backward(evs) {
			if keep(i, ev) {
				want = append(want, ev.ID)
			}
		}
		return want
	}
	tests := []struct {
		name string
		o    Options
		keep func(i int, ev event.Event) bool
	}{
		{"all", Options{}, func(int, event.Event) bool { return true }},
		{"replies", Options{Type: event.Replied}, func(i int, _ event.Event) bool { return i%3 == 0 }},
		{"campaign", Options{Campaign: "2"}, func(i int, _ event.Event) bool { return i%2 == 1 }},
		{"text", Options{Text: "pricing"}, func(i int, _ event.Event) bool { return i%10 == 0 }},
		{"since", Options{Since: base.Add(1000 * time.Minute)}, func(i int, _ event.Event) bool { return i >= 1000 }},
		{"until", Options{Until: base.Add(200 * time.Minute)}, func(i int, _ event.Event) bool { return i < 200 }},
		{"replies in a window", Options{Type: event.Replied, Since: base.Add(100 * time.Minute), Until: base.Add(1100 * time.Minute)},
			func(i int, _ event.Event) bool { return i%3 == 0 && i >= 100 && i < 1100 }},
		{"nothing", Options{Campaign: "no such campaign"}, func(int, event.Event) bool { return false }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			tt.o.Format = FormatJSON
			n, err := Write(context.Background(), &out, st, tt.o)
			if err != nil {
				t.Fatal(err)
			}
			want := newestFirst(tt.keep)
			got := ids(t, out.Bytes())
			if n != len(want) || !slices.Equal(got, want) {
				t.Fatalf("wrote %d events %v..., want %d %v...", n, got[:min(5, len(got))], len(want), want[:min(5, len(want))])
			}
			// The CSV export of the same options has the same rows.
			var csvOut bytes.Buffer
			tt.o.Format = FormatCSV
			if _, err := Write(context.Background(), &csvOut, st, tt.o); err != nil {
				t.Fatal(err)
			}
			rows := readCSV(t, csvOut.Bytes())[1:]
			var csvIDs []string
			for _, r := range rows {
				csvIDs = append(csvIDs, r[0])
			}
			if !slices.Equal(csvIDs, want) {
				t.Fatalf("CSV rows %d, want %d in the same order", len(csvIDs), len(want))
			}
		})
	}
}

func TestWriteRaw(t *testing.T) {
	st, evs := seed(t, 3)
	tests := []struct {
		name string
		raw  bool
	}{{"without raw", false}, {"with raw", true}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			if _, err := Write(context.Background(), &out, st, Options{Format: FormatJSON, Raw: tt.raw}); err != nil {
				t.Fatal(err)
			}
			var got []event.Event
			if err := json.Unmarshal(out.Bytes(), &got); err != nil {
				t.Fatal(err)
			}
			for i, ev := range got {
				want := ""
				if tt.raw {
					want = string(evs[len(evs)-1-i].Raw)
				}
				if string(ev.Raw) != want {
					t.Errorf("event %s raw %q, want %q", ev.ID, ev.Raw, want)
				}
			}
		})
	}
}

// watched is a store that records how much of the export was written by
// the time each page was read.
type watched struct {
	*store.Store
	out     *bytes.Buffer
	written []int
	cancel  context.CancelFunc // called after the first page, when set
}

func (w *watched) List(q store.Query) (store.Page, error) {
	w.written = append(w.written, w.out.Len())
	if len(w.written) == 2 && w.cancel != nil {
		w.cancel()
	}
	return w.Store.List(q)
}

// TestWriteStreams checks that each page is written out before the next is
// read: an export holds one page, not the whole file.
func TestWriteStreams(t *testing.T) {
	st, _ := seed(t, 1200)
	var out bytes.Buffer
	src := &watched{Store: st, out: &out}
	if _, err := Write(context.Background(), &out, src, Options{Format: FormatCSV}); err != nil {
		t.Fatal(err)
	}
	if len(src.written) != 3 {
		t.Fatalf("%d pages read, want 3 for 1200 events", len(src.written))
	}
	if src.written[0] != 0 {
		t.Errorf("%d bytes written before the first page was read, want 0", src.written[0])
	}
	for i := 1; i < len(src.written); i++ {
		rows := bytes.Count(out.Bytes()[:src.written[i]], []byte("\n"))
		if want := 1 + store.MaxLimit*i; rows != want {
			t.Errorf("before page %d: %d lines written, want %d", i+1, rows, want)
		}
	}
}

func TestWriteStopsWhenCancelled(t *testing.T) {
	st, _ := seed(t, 1200)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out bytes.Buffer
	src := &watched{Store: st, out: &out, cancel: cancel}
	// The second List cancels; Write notices before asking for a third.
	n, err := Write(ctx, &out, src, Options{Format: FormatJSON})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v, want context.Canceled", err)
	}
	if n != 2*store.MaxLimit || len(src.written) != 2 {
		t.Fatalf("wrote %d events from %d pages, want %d from 2", n, len(src.written), 2*store.MaxLimit)
	}
}

func TestWriteFailsCleanly(t *testing.T) {
	st, _ := seed(t, 3)
	st.Close()
	var out bytes.Buffer
	_, err := Write(context.Background(), &out, st, Options{Format: FormatCSV})
	if !errors.Is(err, store.ErrClosed) {
		t.Fatalf("err %v, want store.ErrClosed", err)
	}
	if out.Len() != 0 {
		t.Errorf("wrote %q before failing, want nothing", out.Bytes())
	}
}
