package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/leadbell/leadbell/app/smartlead/simulator"
	"github.com/leadbell/leadbell/event"
)

// logical is one logical SmartLead event and every id Leadbell answered for
// it: each delivery of it, duplicates and retries included, must get the
// same id.
type logical struct {
	body   []byte
	header http.Header
	shape  simulator.Shape
	auth   auth

	mu  sync.Mutex
	ids map[string]int // id -> acknowledgements
}

func (e *logical) ack(id string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.ids == nil {
		e.ids = map[string]int{}
	}
	e.ids[id]++
}

func (e *logical) acked() map[string]int {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make(map[string]int, len(e.ids))
	for k, v := range e.ids {
		out[k] = v
	}
	return out
}

// auth is how a genuine delivery vouches for itself beyond its path token.
type auth int

const (
	// signed: with the webhook secret (X-Smartlead-Signature in the spec
	// shape, secret_key in the live one).
	signed auth = iota
	// mismatched: with another secret, as when the secret typed in
	// SmartLead differs from Leadbell's. The path token still vouches for
	// it: it is acknowledged, stored, and the status warns.
	mismatched
	// unsigned: neither signature nor secret_key.
	unsigned
)

// mistypedSecret is the secret of mismatched deliveries.
const mistypedSecret = "soak-webhook-secret-typo"

// verifiedBy is what Leadbell must record as the verified_by of an event
// delivered in shape.
func (a auth) verifiedBy(shape simulator.Shape) string {
	switch {
	case a != signed:
		return event.VerifiedByURLToken
	case shape == simulator.ShapeLive:
		return event.VerifiedBySecretKey
	}
	return event.VerifiedBySignature
}

// genuine is SmartLead's side of the soak: it makes events, delivers them in
// both shapes, out of order and sometimes twice, and retries what is not
// acknowledged, as SmartLead does.
type genuine struct {
	gen    *simulator.Generator
	secret string
	hook   atomic.Pointer[string]
	client *http.Client
	rng    *rand.Rand
	queue  *queue

	mu     sync.Mutex
	events []*logical

	attempts, acks, duplicates, retries, reordered atomic.Int64
	mismatched, unsigned                           atomic.Int64 // events made so
	dupAcks                                        atomic.Int64 // answered {"duplicate": true}
	unexpected                                     sync.Map     // status -> *atomic.Int64: answers a genuine delivery must never get
}

func newGenuine(gen *simulator.Generator, secret, hook string, seed uint64) *genuine {
	g := &genuine{gen: gen, secret: secret, rng: rand.New(rand.NewPCG(seed, 1)), queue: newQueue(),
		client: &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 8}}}
	g.hook.Store(&hook)
	return g
}

var threadTypes = []event.Type{event.Sent, event.Opened, event.Clicked, event.Replied}

// produce makes about rate events a second until ctx ends: a lead's thread
// (sent, opened, clicked, replied, or the start of it), half the time
// shuffled so that a reply may arrive before its send. One event in twenty
// carries another secret, one in twenty none.
func (g *genuine) produce(ctx context.Context, rate int) {
	leads := g.gen.Leads()
	for ctx.Err() == nil {
		lead := leads[g.rng.IntN(len(leads))]
		batch := make([]*logical, 0, len(threadTypes))
		for _, t := range threadTypes[:1+g.rng.IntN(len(threadTypes))] {
			shape := simulator.ShapeSpec
			if g.rng.IntN(2) == 0 {
				shape = simulator.ShapeLive
			}
			a, secret := signed, g.secret
			switch g.rng.IntN(20) {
			case 0:
				a, secret = mismatched, mistypedSecret
				g.mismatched.Add(1)
			case 1:
				a, secret = unsigned, ""
				g.unsigned.Add(1)
			}
			body, header := simulator.Payload(g.gen.EventFor(t, lead), shape, secret)
			batch = append(batch, &logical{body: body, header: header, shape: shape, auth: a})
		}
		if len(batch) > 1 && g.rng.IntN(2) == 0 {
			g.rng.Shuffle(len(batch), func(i, j int) { batch[i], batch[j] = batch[j], batch[i] })
			g.reordered.Add(1)
		}
		g.mu.Lock()
		g.events = append(g.events, batch...)
		g.mu.Unlock()
		for _, e := range batch {
			g.queue.push(e)
		}
		select {
		case <-ctx.Done():
		case <-time.After(time.Duration(len(batch)) * time.Second / time.Duration(rate)):
		}
	}
}

// deliverAll runs workers that deliver queued events until ctx ends.
func (g *genuine) deliverAll(ctx context.Context, workers int) {
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for {
				e, ok := g.queue.pop(ctx)
				if !ok {
					return
				}
				g.deliverOnce(ctx, e)
			}
		})
	}
	wg.Wait()
}

// deliverOnce makes one attempt; a failure is retried later and one in ten
// acknowledged events is delivered again.
func (g *genuine) deliverOnce(ctx context.Context, e *logical) {
	id, dup, code, err := g.post(ctx, e)
	switch {
	case err == nil:
		if dup {
			g.dupAcks.Add(1)
		}
		e.ack(id)
		g.acks.Add(1)
		if rand.IntN(10) == 0 {
			g.duplicates.Add(1)
			g.queue.later(e, time.Duration(rand.IntN(3000))*time.Millisecond)
		}
	case ctx.Err() != nil:
	default:
		if code != 0 && code != http.StatusServiceUnavailable {
			g.countUnexpected(code)
		}
		g.retries.Add(1)
		g.queue.later(e, 500*time.Millisecond)
	}
}

func (g *genuine) countUnexpected(code int) {
	n, _ := g.unexpected.LoadOrStore(code, new(atomic.Int64))
	n.(*atomic.Int64).Add(1)
}

// post delivers e once and returns the id of a 200 answer, or the status
// and an error.
func (g *genuine) post(ctx context.Context, e *logical) (id string, dup bool, code int, err error) {
	g.attempts.Add(1)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, *g.hook.Load(), bytes.NewReader(e.body))
	if err != nil {
		return "", false, 0, err
	}
	req.Header = e.header.Clone()
	resp, err := g.client.Do(req)
	if err != nil {
		return "", false, 0, err
	}
	defer resp.Body.Close()
	var answer struct {
		Status    string `json:"status"`
		ID        string `json:"id"`
		Duplicate bool   `json:"duplicate"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&answer); err != nil {
		return "", false, resp.StatusCode, err
	}
	if resp.StatusCode != http.StatusOK || answer.Status != "received" || answer.ID == "" {
		return "", false, resp.StatusCode, fmt.Errorf("soak: delivery answered %d %q", resp.StatusCode, answer.Status)
	}
	return answer.ID, answer.Duplicate, resp.StatusCode, nil
}

// all returns every event made so far.
func (g *genuine) all() []*logical {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]*logical(nil), g.events...)
}

// queue is an unbounded FIFO of events to deliver.
type queue struct {
	mu    sync.Mutex
	items []*logical
	ready chan struct{}
}

func newQueue() *queue { return &queue{ready: make(chan struct{}, 1)} }

func (q *queue) push(e *logical) {
	q.mu.Lock()
	q.items = append(q.items, e)
	q.mu.Unlock()
	select {
	case q.ready <- struct{}{}:
	default:
	}
}

// later pushes e after d.
func (q *queue) later(e *logical, d time.Duration) { time.AfterFunc(d, func() { q.push(e) }) }

func (q *queue) pop(ctx context.Context) (*logical, bool) {
	for {
		q.mu.Lock()
		if len(q.items) > 0 {
			e := q.items[0]
			q.items[0] = nil
			q.items = q.items[1:]
			more := len(q.items) > 0
			q.mu.Unlock()
			if more {
				select {
				case q.ready <- struct{}{}:
				default:
				}
			}
			return e, true
		}
		q.mu.Unlock()
		select {
		case <-q.ready:
		case <-ctx.Done():
			return nil, false
		}
	}
}

func (q *queue) len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.items)
}
