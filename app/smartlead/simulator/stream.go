package simulator

import (
	"context"
	"sync"
	"time"

	"github.com/leadbell/leadbell/event"
)

// StreamOptions shape the demo stream of Server.Run.
type StreamOptions struct {
	// Interval is the mean gap between sends, opens, clicks and the odd
	// bounce or unsubscribe. Default 1 s.
	Interval time.Duration
	// ReplyEvery is the mean gap between replies. Default 5 s.
	ReplyEvery time.Duration
	// Max stops the stream after that many events; 0 means no limit.
	Max int
}

// streamMix is how often each kind of non-reply event happens, in parts.
var streamMix = []struct {
	t     event.Type
	parts int
}{
	{event.Sent, 40}, {event.Opened, 32}, {event.Clicked, 14},
	{event.Bounced, 5}, {event.Unsubscribed, 4}, {event.CategoryUpdated, 5},
}

// Run streams generated events to the registered webhooks until ctx ends
// (or Max events): sends, opens and clicks often, a reply every ReplyEvery
// or so, the odd bounce, unsubscribe and category change. Each event is
// emitted on its own, so a failing receiver delays only its own retries;
// with Options.OutOfOrderRate an event is held back and sent after the
// next one, and Options.DuplicateRate repeats some deliveries. Run returns
// nil once ctx ends and its deliveries have stopped.
func (s *Server) Run(ctx context.Context, opts StreamOptions) error {
	if opts.Interval <= 0 {
		opts.Interval = time.Second
	}
	if opts.ReplyEvery <= 0 {
		opts.ReplyEvery = 5 * time.Second
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		select {
		case <-s.done:
			cancel()
		case <-ctx.Done():
		}
	}()
	var wg sync.WaitGroup
	defer wg.Wait()
	emit := func(ev Sample) {
		wg.Go(func() { _, _ = s.Emit(ctx, ev) })
	}
	nextEvent := time.NewTimer(s.jitter(opts.Interval))
	nextReply := time.NewTimer(s.jitter(opts.ReplyEvery))
	defer nextEvent.Stop()
	defer nextReply.Stop()
	var held *Sample
	for n := 0; opts.Max == 0 || n < opts.Max; n++ {
		var ev Sample
		select {
		case <-ctx.Done():
			return nil
		case <-nextEvent.C:
			ev = s.gen.Event(s.pickType())
			nextEvent.Reset(s.jitter(opts.Interval))
		case <-nextReply.C:
			ev = s.gen.Event(event.Replied)
			nextReply.Reset(s.jitter(opts.ReplyEvery))
		}
		if ev.Type == "" {
			continue // every campaign is gone: nothing happens
		}
		switch {
		case held == nil && s.chance(s.opts.OutOfOrderRate):
			held = &ev
		case held != nil:
			early, late := *held, ev
			wg.Go(func() { // the later event first, then the one held back
				_, _ = s.Emit(ctx, late)
				_, _ = s.Emit(ctx, early)
			})
			held = nil
		default:
			emit(ev)
		}
	}
	if held != nil {
		emit(*held)
	}
	return nil
}

// jitter spreads a mean gap over [d/2, 3d/2).
func (s *Server) jitter(d time.Duration) time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return d/2 + time.Duration(s.rng.Int64N(int64(d)))
}

func (s *Server) pickType() event.Type {
	s.mu.Lock()
	defer s.mu.Unlock()
	total := 0
	for _, m := range streamMix {
		total += m.parts
	}
	n := s.rng.IntN(total)
	for _, m := range streamMix {
		if n < m.parts {
			return m.t
		}
		n -= m.parts
	}
	return event.Sent
}
