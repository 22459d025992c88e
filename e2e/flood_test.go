package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/leadbell/leadbell/app/smartlead"
	"github.com/leadbell/leadbell/app/smartlead/smartleadtest"
)

// The hostile traffic that TestFloodLosesNoGenuineDelivery runs beside a
// stream of genuine deliveries.
const (
	floodBadSigs     = 10000
	floodSlowConns   = 500  // half trickle their headers, half their body
	floodSilentConns = 1500 // open and never send a byte: over the listener's cap
	floodWorkers     = 32
	genuineWorkers   = 4
	genuinePace      = 40 * time.Millisecond // per worker: about 100 deliveries a second
)

// delivery is one genuine delivery as the sender saw it.
type delivery struct {
	status  int
	id      string
	err     error
	sent    time.Time
	latency time.Duration
}

// genuineSender posts signed deliveries, in both shapes, made by gen.
type genuineSender struct {
	hook   string
	gen    *smartleadtest.Generator
	client *http.Client
	n      atomic.Int64
}

var floodTypes = []smartlead.EventType{smartlead.EventSent, smartlead.EventOpened, smartlead.EventClicked, smartlead.EventReplied}

func (g *genuineSender) send() delivery {
	i := g.n.Add(1)
	shape := smartleadtest.ShapeSpec
	if i%2 == 0 {
		shape = smartleadtest.ShapeLive
	}
	body, header := smartleadtest.Payload(g.gen.Event(floodTypes[i%int64(len(floodTypes))]), shape, secret)
	req, _ := http.NewRequest(http.MethodPost, g.hook, bytes.NewReader(body))
	req.Header = header
	began := time.Now()
	resp, err := g.client.Do(req)
	if err != nil {
		return delivery{err: err, sent: began, latency: time.Since(began)}
	}
	defer resp.Body.Close()
	var answer struct{ Status, ID string }
	err = json.NewDecoder(resp.Body).Decode(&answer)
	d := delivery{status: resp.StatusCode, id: answer.ID, err: err, sent: began, latency: time.Since(began)}
	if d.err == nil && (d.status != 200 || answer.Status != "received") {
		d.err = fmt.Errorf("answered %d %q", d.status, answer.Status)
	}
	return d
}

// stream sends from genuineWorkers goroutines until more() says stop.
func (g *genuineSender) stream(more func(sent int) bool) []delivery {
	var (
		mu  sync.Mutex
		out []delivery
		wg  sync.WaitGroup
	)
	for range genuineWorkers {
		wg.Go(func() {
			for {
				mu.Lock()
				goOn := more(len(out))
				mu.Unlock()
				if !goOn {
					return
				}
				d := g.send()
				mu.Lock()
				out = append(out, d)
				mu.Unlock()
				time.Sleep(genuinePace)
			}
		})
	}
	wg.Wait()
	return out
}

// TestFloodLosesNoGenuineDelivery runs 10,000 bad signatures, 500 slowloris
// connections and 1,500 silent ones beside a stream of genuine deliveries:
// every genuine one is acknowledged and stored once, and the server still
// answers afterwards. It reports the genuine deliveries' p99 ack latency
// with and without the flood.
func TestFloodLosesNoGenuineDelivery(t *testing.T) {
	sim := newSim(t, smartleadtest.FamilySpec)
	listen := freeAddr(t)
	p := start(t, []string{"SMARTLEAD_API_KEY=" + sim.APIKey()}, serveArgs(t.TempDir(), listen, sim)...)
	hook := p.waitState("listening").WebhookURL
	g := &genuineSender{hook: hook, gen: smartleadtest.NewGenerator(11),
		client: &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: genuineWorkers}}}

	quiet := g.stream(func(sent int) bool { return sent < 300 })

	slowCtx, stopSlow := context.WithCancel(context.Background())
	defer stopSlow()
	slow := startSlowloris(slowCtx, listen, mustPath(t, hook))
	silent := make([]net.Conn, 0, floodSilentConns)
	for range floodSilentConns {
		if c, err := net.Dial("tcp", listen); err == nil {
			silent = append(silent, c)
		}
	}
	var badDone atomic.Bool
	var badEnded time.Time
	badStatus := make(chan map[int]int, 1)
	go func() {
		got := floodBadSignatures(hook)
		badEnded = time.Now()
		badDone.Store(true)
		badStatus <- got
	}()
	began := time.Now()
	flood := g.stream(func(sent int) bool {
		if !badDone.Load() {
			return true
		}
		// Go on until the slow connections have met both timeouts.
		return !slow.cutOff() && time.Since(began) < 25*time.Second
	})
	stopSlow()
	slow.wg.Wait()
	for _, c := range silent {
		c.Close()
	}
	bad := <-badStatus
	var duringBad []time.Duration
	for _, d := range flood {
		if d.sent.Before(badEnded) {
			duringBad = append(duringBad, d.latency)
		}
	}

	// The server still answers, and has lost nothing genuine.
	after := g.send()
	all := append(append(slices.Clone(quiet), flood...), after)
	failed := 0
	for i, d := range all {
		if d.err != nil {
			failed++
			if failed <= 5 {
				t.Errorf("genuine delivery %d: %v", i, d.err)
			}
		}
	}
	if failed > 0 {
		t.Fatalf("%d of %d genuine deliveries were not acknowledged\n%s", failed, len(all), tail(p.logs()))
	}
	if bad[401]+bad[503] != floodBadSigs {
		t.Errorf("bad signatures answered %v, want each 401 (or 503 when busy)", bad)
	}
	if !slow.cutOff() {
		t.Errorf("slow connections: %d cut off in their headers, %d answered 408; want both", slow.headerCuts.Load(), slow.bodyTimeouts.Load())
	}
	stored := listAll(t, p)
	for _, d := range all {
		if stored[d.id] != 1 {
			t.Errorf("acknowledged event %s is stored %d times, want once", d.id, stored[d.id])
		}
	}
	if len(stored) != len(all) {
		t.Errorf("%d events stored, want the %d genuine ones", len(stored), len(all))
	}
	if total(p.status()) != len(all) {
		t.Errorf("status counts %d events, want %d", total(p.status()), len(all))
	}
	// The inspector counts every answer, not only the deliveries it keeps.
	var inspector struct {
		Answers struct {
			ByStatus       map[string]uint64 `json:"by_status"`
			ConnectionsCut uint64            `json:"connections_cut"`
		}
	}
	if code := p.getJSON("/api/deliveries?limit=10", &inspector); code != http.StatusOK {
		t.Fatalf("GET /api/deliveries: %d", code)
	}
	answers := inspector.Answers.ByStatus
	if got := answers["401"] + answers["503"]; got < floodBadSigs {
		t.Errorf("the inspector counts %d answers 401 or 503, want at least the %d bad signatures: %v", got, floodBadSigs, answers)
	}
	if got := answers["200"]; got < uint64(len(all)) {
		t.Errorf("the inspector counts %d answers 200, want at least the %d genuine deliveries", got, len(all))
	}
	if got := answers["408"]; got < uint64(slow.bodyTimeouts.Load()) {
		t.Errorf("the inspector counts %d answers 408, want at least the %d slow bodies answered so", got, slow.bodyTimeouts.Load())
	}
	t.Logf("genuine deliveries: %d without the flood, %d beside it, all acknowledged and stored once", len(quiet), len(flood))
	t.Logf("p99 ack latency without the flood: %v (p50 %v)", percentile(latencies(quiet), 99), percentile(latencies(quiet), 50))
	t.Logf("p99 ack latency during the bad-signature flood: %v (p50 %v, %d deliveries)", percentile(duringBad, 99), percentile(duringBad, 50), len(duringBad))
	t.Logf("p99 ack latency over the whole flood: %v", percentile(latencies(flood), 99))
	t.Logf("hostile: bad signatures %v; slow connections cut off in headers %d, answered 408 %d; silent connections %d",
		bad, slow.headerCuts.Load(), slow.bodyTimeouts.Load(), len(silent))
	t.Logf("the inspector's counts: %v; connections cut %d", answers, inspector.Answers.ConnectionsCut)
	p.stop()
}

func mustPath(t *testing.T, hook string) string {
	t.Helper()
	u, err := url.Parse(hook)
	if err != nil {
		t.Fatal(err)
	}
	return u.Path
}

func tail(s string) string {
	if len(s) > 4000 {
		return s[len(s)-4000:]
	}
	return s
}

// floodBadSignatures posts floodBadSigs deliveries whose signature or
// secret_key is wrong, from floodWorkers connections, and counts the answers.
func floodBadSignatures(hook string) map[int]int {
	gen := smartleadtest.NewGenerator(99)
	var bodies [][]byte
	var headers []http.Header
	for i := range 64 {
		ev := gen.Event(floodTypes[i%len(floodTypes)])
		switch i % 3 {
		case 0: // a real payload, a forged signature
			body, h := smartleadtest.Payload(ev, smartleadtest.ShapeSpec, "not-the-secret")
			bodies, headers = append(bodies, body), append(headers, h)
		case 1: // the live shape with a guessed secret_key
			body, h := smartleadtest.Payload(ev, smartleadtest.ShapeLive, "guessed")
			bodies, headers = append(bodies, body), append(headers, h)
		default: // no signature at all
			body, h := smartleadtest.Payload(ev, smartleadtest.ShapeSpec, "")
			bodies, headers = append(bodies, body), append(headers, h)
		}
	}
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: floodWorkers}}
	var (
		next atomic.Int64
		mu   sync.Mutex
		got  = map[int]int{}
		wg   sync.WaitGroup
	)
	for range floodWorkers {
		wg.Go(func() {
			for {
				i := next.Add(1) - 1
				if i >= floodBadSigs {
					return
				}
				req, _ := http.NewRequest(http.MethodPost, hook, bytes.NewReader(bodies[i%64]))
				req.Header = headers[i%64].Clone()
				code := 0
				if resp, err := client.Do(req); err == nil {
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					code = resp.StatusCode
				}
				mu.Lock()
				got[code]++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return got
}

// slowloris keeps floodSlowConns connections that send a byte a second:
// half never finish their headers, half never finish their body. Each one
// the server cuts off is opened again until ctx ends.
type slowloris struct {
	wg           sync.WaitGroup
	headerCuts   atomic.Int64 // closed by the server before the headers were done
	bodyTimeouts atomic.Int64 // answered 408 before the body was done
}

func (s *slowloris) cutOff() bool { return s.headerCuts.Load() > 0 && s.bodyTimeouts.Load() > 0 }

func startSlowloris(ctx context.Context, addr, path string) *slowloris {
	s := &slowloris{}
	for i := range floodSlowConns {
		inBody := i%2 == 1
		s.wg.Go(func() {
			for ctx.Err() == nil {
				switch smartleadtest.SlowRequest(ctx, addr, path, inBody) {
				case smartleadtest.SlowTimedOut:
					s.bodyTimeouts.Add(1)
				case smartleadtest.SlowCut:
					if !inBody {
						s.headerCuts.Add(1)
					}
				case smartleadtest.SlowUnreachable:
					sleepCtx(ctx, 100*time.Millisecond)
				}
			}
		})
	}
	return s
}

func sleepCtx(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}

// listAll pages through GET /api/events and counts each id.
func listAll(t *testing.T, p *proc) map[string]int {
	t.Helper()
	seen := map[string]int{}
	before := ""
	for {
		var page pageJSON
		p.getJSON("/api/events?limit=500&before="+url.QueryEscape(before), &page)
		for _, ev := range page.Events {
			seen[ev.ID]++
		}
		if page.Next == "" || len(page.Events) == 0 {
			return seen
		}
		before = page.Next
	}
}

func latencies(ds []delivery) []time.Duration {
	out := make([]time.Duration, 0, len(ds))
	for _, d := range ds {
		out = append(out, d.latency)
	}
	return out
}

// percentile is the q-th percentile of ds (nearest rank).
func percentile(ds []time.Duration, q int) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	i := (len(s)*q + 99) / 100
	return s[max(0, i-1)].Round(100 * time.Microsecond)
}
