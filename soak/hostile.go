package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/leadbell/leadbell/app/smartlead/simulator"
)

// hostile is the internet's side of the soak: forged deliveries, bodies
// over the limit, connections that trickle or say nothing. A forger does
// not know the path token, which alone verifies a delivery: what it sends
// to a guessed token is answered 404, and what reaches the right URL
// (leaked, or guessed by luck) but names no lead or message, or is not
// JSON, is answered 400. None of it may be answered 200.
type hostile struct {
	hook, addr, path string
	client           *http.Client
	forged           []forgery

	mu      sync.Mutex
	answers map[string]int // "kind status" -> count; status 0 is no answer

	headerCuts, bodyTimeouts, silentOpened, silentClosed atomic.Int64
}

// forgery is one kind of forged request.
type forgery struct {
	kind   string
	path   string
	body   []byte
	header http.Header
}

func newHostile(hook, addr, path string) *hostile {
	gen := simulator.NewGenerator(4242)
	h := &hostile{hook: hook, addr: addr, path: path, answers: map[string]int{},
		client: &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 16}}}
	guessed := "/hooks/" + strings.Repeat("0", 64)
	plain := http.Header{"Content-Type": {"application/json"}}
	for i := range 40 {
		ev := gen.Event(threadTypes[i%len(threadTypes)])
		spec, sh := simulator.Payload(ev, simulator.ShapeSpec, "forged-secret")
		live, lh := simulator.Payload(ev, simulator.ShapeLive, "guessed-secret")
		signed, gh := simulator.Payload(ev, simulator.ShapeSpec, secret) // even with the secret
		h.forged = append(h.forged,
			forgery{"wrong_token", guessed, spec, sh},
			forgery{"wrong_token_live", guessed, live, lh},
			forgery{"wrong_token_signed", guessed, signed, gh},
			forgery{"anonymous", path, fmt.Appendf(nil, `{"event_type":"EMAIL_OPEN","n":%d}`, i), plain},
			forgery{"anonymous", path, []byte(`{"event":"EMAIL_REPLIED"}`), plain},
			forgery{"not_json", path, []byte("<xml>" + strings.Repeat("a", i*50) + "</xml>"), sh})
	}
	return h
}

func (h *hostile) count(kind string, status int) {
	h.mu.Lock()
	h.answers[fmt.Sprintf("%s %d", kind, status)]++
	h.mu.Unlock()
}

// run sends forged requests at about rate a second, oversized ones, keeps
// slow connections open, and opens bursts of silent ones, until ctx ends.
func (h *hostile) run(ctx context.Context, rate, slow int) {
	var wg sync.WaitGroup
	const workers = 4
	for w := range workers {
		wg.Go(func() { h.forge(ctx, w, time.Second*workers/time.Duration(rate)) })
	}
	wg.Go(func() { h.oversize(ctx) })
	wg.Go(func() { h.silentBursts(ctx) })
	for i := range slow {
		wg.Go(func() {
			for ctx.Err() == nil {
				h.slowConn(ctx, i%2 == 1)
			}
		})
	}
	wg.Wait()
}

func (h *hostile) forge(ctx context.Context, w int, every time.Duration) {
	tick := time.NewTicker(every)
	defer tick.Stop()
	for i := w; ; i += 7 {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		f := h.forged[i%len(h.forged)]
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+h.addr+f.path, bytes.NewReader(f.body))
		req.Header = f.header.Clone()
		status := 0
		if resp, err := h.client.Do(req); err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			status = resp.StatusCode
		} else if ctx.Err() != nil {
			return
		}
		h.count(f.kind, status)
	}
}

// oversize sends a body over 1 MiB every second, stating its length or
// chunked; the answer is 413, or the connection is cut while it sends.
func (h *hostile) oversize(ctx context.Context) {
	big := bytes.Repeat([]byte("x"), 2<<20)
	for i := 0; ; i++ {
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Second):
		}
		var body io.Reader = bytes.NewReader(big)
		kind := "oversized"
		if i%2 == 1 {
			body, kind = io.MultiReader(bytes.NewReader(big[:3<<19])), "oversized_chunked" // no length: chunked
		}
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, h.hook, body)
		req.Header.Set("Content-Type", "application/json")
		status := 0
		if resp, err := h.client.Do(req); err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			status = resp.StatusCode
		}
		h.count(kind, status)
	}
}

// slowConn trickles a byte a second, of the headers or of the body, until
// the server ends the connection or ctx ends.
func (h *hostile) slowConn(ctx context.Context, inBody bool) {
	switch simulator.SlowRequest(ctx, h.addr, h.path, inBody) {
	case simulator.SlowTimedOut:
		h.bodyTimeouts.Add(1)
	case simulator.SlowCut:
		h.headerCuts.Add(1)
	case simulator.SlowUnreachable: // leadbell is down (kill -9): try again shortly
		select {
		case <-ctx.Done():
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// silentBursts opens 1,200 connections that send nothing every 30 s and
// holds them 2 s (less than the server's 5 s header timeout), and counts
// how many the server closed to make room for others.
func (h *hostile) silentBursts(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-time.After(30 * time.Second):
		}
		var conns []net.Conn
		for range 1200 {
			if c, err := net.DialTimeout("tcp", h.addr, time.Second); err == nil {
				conns = append(conns, c)
			}
		}
		h.silentOpened.Add(int64(len(conns)))
		select {
		case <-ctx.Done():
		case <-time.After(2 * time.Second):
		}
		for _, c := range conns {
			c.SetReadDeadline(time.Now().Add(time.Millisecond))
			if _, err := c.Read(make([]byte, 1)); err != nil && !errors.Is(err, os.ErrDeadlineExceeded) {
				h.silentClosed.Add(1)
			}
			c.Close()
		}
	}
}

// summary lists the answers, and what a forged or oversized request must
// never get.
func (h *hostile) summary() (lines []string, accepted int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for k, n := range h.answers {
		lines = append(lines, fmt.Sprintf("%-22s %7d", k, n))
		if strings.HasSuffix(k, " 200") {
			accepted += n
		}
	}
	slices.Sort(lines)
	return lines, accepted
}
