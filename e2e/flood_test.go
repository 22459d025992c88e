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
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/leadbell/leadbell/app/smartlead/simulator"
	"github.com/leadbell/leadbell/event"
)

// The hostile traffic that TestFloodLosesNoGenuineDelivery runs beside a
// stream of genuine deliveries.
const (
	floodForged      = 10000
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
	gen    *simulator.Generator
	client *http.Client
	n      atomic.Int64
}

var floodTypes = []event.Type{event.Sent, event.Opened, event.Clicked, event.Replied}

func (g *genuineSender) send() delivery {
	i := g.n.Add(1)
	shape := simulator.ShapeSpec
	if i%2 == 0 {
		shape = simulator.ShapeLive
	}
	body, header := simulator.Payload(g.gen.Event(floodTypes[i%int64(len(floodTypes))]), shape, secret)
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

// TestFloodLosesNoGenuineDelivery runs 10,000 forged requests (real-looking
// deliveries to a guessed path token, and anonymous or junk bodies to the
// right one), 500 slowloris connections and 1,500 silent ones beside a
// stream of genuine deliveries: every genuine one is acknowledged and
// stored once, nothing forged is stored, and the server still answers
// afterwards. It reports the genuine deliveries' p99 ack latency with and
// without the flood.
func TestFloodLosesNoGenuineDelivery(t *testing.T) {
	sim := newSim(t, simulator.FamilyLive)
	listen := freeAddr(t)
	p := start(t, []string{"SMARTLEAD_API_KEY=" + sim.APIKey()}, serveArgs(t.TempDir(), listen, sim)...)
	hook := p.waitState("listening").WebhookURL
	g := &genuineSender{hook: hook, gen: simulator.NewGenerator(11),
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
	badStatus := make(chan map[string]int, 1)
	go func() {
		got := floodForgeries(hook)
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
	if bad["wrong_token 404"]+bad["wrong_token 503"]+bad["anonymous 400"]+bad["anonymous 503"]+bad["not_json 400"]+bad["not_json 503"] != floodForged ||
		bad["wrong_token 404"] == 0 || bad["anonymous 400"] == 0 || bad["not_json 400"] == 0 {
		t.Errorf("forged requests answered %v, want each to a wrong token 404 and each anonymous or junk body 400 (or 503 when busy)", bad)
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
	if got := answers["404"] + answers["400"] + answers["503"]; got < floodForged {
		t.Errorf("the inspector counts %d answers 404, 400 or 503, want at least the %d forged requests: %v", got, floodForged, answers)
	}
	if got := answers["200"]; got < uint64(len(all)) {
		t.Errorf("the inspector counts %d answers 200, want at least the %d genuine deliveries", got, len(all))
	}
	if got := answers["408"]; got < uint64(slow.bodyTimeouts.Load()) {
		t.Errorf("the inspector counts %d answers 408, want at least the %d slow bodies answered so", got, slow.bodyTimeouts.Load())
	}
	t.Logf("genuine deliveries: %d without the flood, %d beside it, all acknowledged and stored once", len(quiet), len(flood))
	t.Logf("p99 ack latency without the flood: %v (p50 %v)", percentile(latencies(quiet), 99), percentile(latencies(quiet), 50))
	t.Logf("p99 ack latency during the forged flood: %v (p50 %v, %d deliveries)", percentile(duringBad, 99), percentile(duringBad, 50), len(duringBad))
	t.Logf("p99 ack latency over the whole flood: %v", percentile(latencies(flood), 99))
	t.Logf("hostile: forged requests %v; slow connections cut off in headers %d, answered 408 %d; silent connections %d",
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

// forgery is one forged request: kind names it in the answer counts.
type forgery struct {
	kind   string
	url    string
	body   []byte
	header http.Header
}

// forgeries are what someone who does not know the path token can send:
// real-looking deliveries, signed or not, to a guessed token; and, to the
// right URL (leaked, or guessed by luck), bodies that name no lead or
// message, and junk.
func forgeries(hook string) []forgery {
	gen := simulator.NewGenerator(99)
	guessed := hook[:strings.LastIndex(hook, "/")+1] + strings.Repeat("0", 64)
	var out []forgery
	for i := range 16 {
		ev := gen.Event(floodTypes[i%len(floodTypes)])
		spec, sh := simulator.Payload(ev, simulator.ShapeSpec, "not-the-secret")
		live, lh := simulator.Payload(ev, simulator.ShapeLive, "guessed")
		right, rh := simulator.Payload(ev, simulator.ShapeSpec, secret) // even with the secret
		out = append(out,
			forgery{"wrong_token", guessed, spec, sh},
			forgery{"wrong_token", guessed, live, lh},
			forgery{"wrong_token", guessed, right, rh},
			forgery{"anonymous", hook, []byte(`{"event":"EMAIL_REPLIED"}`), nil},
			forgery{"anonymous", hook, fmt.Appendf(nil, `{"event_type":"EMAIL_OPEN","n":%d}`, i), nil},
			forgery{"not_json", hook, []byte("<xml>" + strings.Repeat("a", i*50) + "</xml>"), sh},
		)
	}
	return out
}

// floodForgeries posts floodForged forged requests from floodWorkers
// connections and counts the answers by kind and status.
func floodForgeries(hook string) map[string]int {
	forged := forgeries(hook)
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: floodWorkers}}
	var (
		next atomic.Int64
		mu   sync.Mutex
		got  = map[string]int{}
		wg   sync.WaitGroup
	)
	for range floodWorkers {
		wg.Go(func() {
			for {
				i := next.Add(1) - 1
				if i >= floodForged {
					return
				}
				f := forged[int(i)%len(forged)]
				req, _ := http.NewRequest(http.MethodPost, f.url, bytes.NewReader(f.body))
				req.Header = f.header.Clone()
				if req.Header == nil {
					req.Header = http.Header{"Content-Type": {"application/json"}}
				}
				code := 0
				if resp, err := client.Do(req); err == nil {
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					code = resp.StatusCode
				}
				mu.Lock()
				got[fmt.Sprintf("%s %d", f.kind, code)]++
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
				switch simulator.SlowRequest(ctx, addr, path, inBody) {
				case simulator.SlowTimedOut:
					s.bodyTimeouts.Add(1)
				case simulator.SlowCut:
					if !inBody {
						s.headerCuts.Add(1)
					}
				case simulator.SlowUnreachable:
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
