package broker

import (
	"testing"

	"github.com/leadbell/leadbell/event"
)

func TestPublishReachesEverySubscriberInOrder(t *testing.T) {
	b := New()
	a, c := b.Subscribe(8), b.Subscribe(8)
	for _, id := range []string{"1", "2", "3"} {
		b.Publish(event.Event{ID: id, Raw: []byte(`{}`)})
	}
	for _, s := range []*Subscription{a, c} {
		for _, want := range []string{"1", "2", "3"} {
			got := <-s.C
			if got.ID != want {
				t.Fatalf("got event %q, want %q", got.ID, want)
			}
			if got.Raw != nil {
				t.Fatalf("published event carries its raw payload")
			}
		}
	}
}

func TestLaggingSubscriberIsDroppedNotBlocking(t *testing.T) {
	b := New()
	slow := b.Subscribe(2)
	fast := b.Subscribe(16)
	for i := range 5 {
		b.Publish(event.Event{ID: string(rune('a' + i))})
	}
	n := 0
	for range slow.C {
		n++
	}
	if n != 2 {
		t.Fatalf("slow subscriber got %d events before being closed, want 2", n)
	}
	if b.Len() != 1 {
		t.Fatalf("broker has %d subscribers, want 1 (the slow one dropped)", b.Len())
	}
	if len(fast.C) != 5 {
		t.Fatalf("fast subscriber has %d events, want 5", len(fast.C))
	}
}

func TestCancelTwiceIsSafe(t *testing.T) {
	b := New()
	s := b.Subscribe(1)
	s.Cancel()
	s.Cancel()
	if _, ok := <-s.C; ok {
		t.Fatal("channel still open after Cancel")
	}
	b.Publish(event.Event{ID: "x"}) // must not panic on a closed subscriber
}
