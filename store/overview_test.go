package store

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/leadbell/leadbell/event"
)

func TestOverviewCountsByBucketTypeAndCampaign(t *testing.T) {
	st, err := Open(filepath.Join(t.TempDir(), "leadbell.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	from := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
	add := func(typ event.Type, campaign, name string, at time.Time) event.Event {
		return event.Event{Type: typ, SourceType: string(typ), Timestamp: at, ReceivedAt: at, CampaignID: campaign, CampaignName: name,
			Key: fmt.Sprint(typ, campaign, at.UnixNano())}
	}
	evs := []event.Event{
		add(event.Sent, "1", "Alpha", from.Add(10*time.Minute)),
		add(event.Replied, "1", "Alpha", from.Add(50*time.Minute)),
		add(event.Opened, "2", "Beta", from.Add(90*time.Minute)),
		add(event.Other, "2", "Beta", from.Add(95*time.Minute)),
		add(event.Sent, "", "", from.Add(2*time.Hour+time.Minute)),
		add(event.CategoryUpdated, "", "", from.Add(2*time.Hour+2*time.Minute)),
		add(event.Sent, "1", "Alpha", from.Add(-time.Minute)), // before the range
		add(event.Sent, "1", "Alpha", from.Add(3*time.Hour)),  // after it
	}
	if _, err := st.AppendMany(context.Background(), evs); err != nil {
		t.Fatal(err)
	}
	o, err := st.Overview(from, time.Hour, 3)
	if err != nil {
		t.Fatal(err)
	}
	want := []map[event.Type]int{
		{event.Sent: 1, event.Replied: 1},
		{event.Opened: 1, event.Other: 1},
		{event.Sent: 1, event.CategoryUpdated: 1},
	}
	for i, b := range o.Buckets {
		if fmt.Sprint(b.Counts) != fmt.Sprint(want[i]) || !b.Start.Equal(from.Add(time.Duration(i)*time.Hour)) {
			t.Errorf("bucket %d: %v at %v, want %v", i, b.Counts, b.Start, want[i])
		}
	}
	got := map[string]string{}
	for _, c := range o.Campaigns {
		got[c.ID] = fmt.Sprint(c.Name, c.Counts)
	}
	if len(got) != 2 || got["1"] != fmt.Sprint("Alpha", map[event.Type]int{event.Sent: 1, event.Replied: 1}) ||
		got["2"] != fmt.Sprint("Beta", map[event.Type]int{event.Opened: 1, event.Other: 1}) {
		t.Errorf("campaigns %v", got)
	}
	if stats, err := st.Stats(); err != nil || stats.Counts[event.CategoryUpdated] != 1 || stats.Total != len(evs) {
		t.Errorf("Stats = %+v (%v), want one category update among %d events", stats, err, len(evs))
	}
}
