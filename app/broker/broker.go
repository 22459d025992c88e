// Package broker fans newly stored events out to whoever is watching: the
// browser's event stream, the window, notifications and the tray.
//
// Publishing never blocks the receiver: a subscriber that falls more than its
// buffer behind is dropped (its channel is closed) and is expected to catch up
// from the store, which is the source of truth. Nothing is lost that way; the
// broker only carries news.
package broker

import (
	"sync"

	"github.com/leadbell/leadbell/event"
)

// DefaultBuffer is how many events a subscriber may lag before it is dropped.
const DefaultBuffer = 256

// Broker delivers published events to every current subscriber.
type Broker struct {
	mu   sync.Mutex
	subs map[*Subscription]struct{}
}

// Subscription is one subscriber's feed. Events arrive on C in publishing
// order; C is closed when the subscriber lags too far or is cancelled.
type Subscription struct {
	C      <-chan event.Event
	c      chan event.Event
	broker *Broker
	once   sync.Once
}

// New returns an empty broker.
func New() *Broker {
	return &Broker{subs: make(map[*Subscription]struct{})}
}

// Subscribe starts a feed with room for buffer events (DefaultBuffer if <= 0).
func (b *Broker) Subscribe(buffer int) *Subscription {
	if buffer <= 0 {
		buffer = DefaultBuffer
	}
	c := make(chan event.Event, buffer)
	s := &Subscription{C: c, c: c, broker: b}
	b.mu.Lock()
	b.subs[s] = struct{}{}
	b.mu.Unlock()
	return s
}

// Cancel ends the subscription and closes its channel. It is safe to call
// more than once.
func (s *Subscription) Cancel() {
	s.broker.mu.Lock()
	defer s.broker.mu.Unlock()
	s.closeLocked()
}

func (s *Subscription) closeLocked() {
	s.once.Do(func() {
		delete(s.broker.subs, s)
		close(s.c)
	})
}

// Publish hands ev to every subscriber without waiting for any of them.
func (b *Broker) Publish(ev event.Event) {
	ev.Raw = nil // subscribers fetch the raw payload on demand
	b.mu.Lock()
	defer b.mu.Unlock()
	for s := range b.subs {
		select {
		case s.c <- ev:
		default:
			s.closeLocked()
		}
	}
}

// Len reports the number of current subscribers.
func (b *Broker) Len() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.subs)
}
