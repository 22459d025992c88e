package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/leadbell/leadbell/app/smartlead"
	"github.com/leadbell/leadbell/app/webhook"
	"github.com/leadbell/leadbell/store"
)

const (
	benchToken  = "b3nchb3nchb3nchb3nchb3nchb3nchb3nchb3nchb3nchb3nchb3nchb3nchb3nc"
	benchSecret = "bench-secret"
)

// ingestResult is one row of the ingest table.
type ingestResult struct {
	conns    int
	rate     float64 // acknowledged deliveries per second
	p50, p99 time.Duration
	errors   int64
}

// payloads makes unique, realistic reply deliveries: the lead id carries a
// counter so that no two are duplicates. Spec-shape ones are signed in a
// header; live-shape ones (what SmartLead sends today) carry the secret in
// the body, as SmartLead's do.
type payloads struct {
	n      atomic.Int64
	prefix []byte
	suffix []byte
	signed bool
}

func newPayloads(run int, live bool) *payloads {
	if live {
		return &payloads{
			prefix: fmt.Appendf(nil, `{"webhook_id":4711,"webhook_name":"Leadbell","webhook_url":"https://example.ngrok.app/hooks/t","event_type":"EMAIL_REPLY","event_timestamp":"2026-11-20T10:30:00.000Z","sl_email_lead_map_id":2233445,"sl_lead_email":"jane.doe@acme.example","to_email":"jane.doe@acme.example","to_name":"Jane Doe","from_email":"sam@vendor.example","campaign_id":123,"campaign_name":"Q4 SaaS founders — EU","campaign_status":"ACTIVE","sequence_number":1,"stats_id":"9f0c1e2d-%d`, run),
			suffix: []byte(`","sl_email_lead_id":"1482956","subject":"Re: Quick question","sent_message":{"message_id":"<abc123@smartlead.ai>","html":"<p>Hi Jane, quick question about your Q1 plans.</p>","text":"Hi Jane, quick question about your Q1 plans.","time":"2026-11-19T09:00:00.000Z"},"reply_message":{"message_id":"<reply-abc123@acme.example>","html":"<div>Thanks for reaching out. We are looking at this for Q1; could you send a short deck and two times that work next week?</div><div>Best, Jane</div>","text":"Thanks for reaching out. We are looking at this for Q1; could you send a short deck and two times that work next week? Best, Jane","time":"2026-11-20T10:30:00.000Z"},"cc_emails":[],"client_id":null,"app_url":"https://app.smartlead.ai/app/master-inbox?leadMap=2233445","secret_key":"` + benchSecret + `","description":"Jane replied","metadata":{"webhook_created_at":"2026-11-01T08:00:00.000Z"},"leadCorrespondence":{"targetLeadEmail":"jane.doe@acme.example","replyReceivedFrom":"jane.doe@acme.example","repliedCompanyDomain":"acme.example"}}`),
		}
	}
	return &payloads{
		prefix: fmt.Appendf(nil, `{"event":"EMAIL_REPLIED","timestamp":"2026-11-20T10:30:00Z","campaign_id":123,"campaign_name":"Q4 SaaS founders — EU","email_account_id":456,"sequence_number":1,"lead_id":"%d-`, run),
		suffix: []byte(`","lead":{"email":"jane.doe@acme.example","first_name":"Jane","last_name":"Doe","company_name":"Acme Corp","custom_fields":{"job_title":"CEO","city":"Lyon"}},"email":{"subject":"Quick question","message_id":"abc123@smartlead.ai"},"reply":{"subject":"Re: Quick question","body":"Thanks for reaching out. We are looking at this for Q1; could you send a short deck and two times that work next week? Best, Jane","received_at":"2026-11-20T10:30:00Z","message_id":"reply-abc123"}}`),
		signed: true,
	}
}

func (p *payloads) next() []byte {
	b := slices.Clip(p.prefix)
	b = fmt.Appendf(b, "%d", p.n.Add(1))
	return append(b, p.suffix...)
}

// benchIngest measures the full receiving path (HTTP, verify, parse, dedupe,
// durable commit) and a bare no-op handler, driven alike.
func benchIngest(dir string, conns []int, d time.Duration, live bool) (bare, full []ingestResult, err error) {
	noop := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"status":"received"}`)
	})
	st, err := store.Open(filepath.Join(dir, "ingest.db"), store.Options{})
	if err != nil {
		return nil, nil, err
	}
	defer st.Close()
	recv := webhook.New(webhook.Config{Token: benchToken, Secret: benchSecret, Store: st, Logger: slog.New(slog.DiscardHandler)})

	for run, c := range conns {
		r, err := drive(noop, c, d, newPayloads(run, live))
		if err != nil {
			return nil, nil, err
		}
		bare = append(bare, r)
		stopProfile := profile(c)
		f, err := drive(recv, c, d, newPayloads(run, live))
		stopProfile()
		if err != nil {
			return nil, nil, err
		}
		full = append(full, f)
	}
	return bare, full, nil
}

// drive serves h on loopback and posts signed deliveries to it from conns
// connections for d.
func drive(h http.Handler, conns int, d time.Duration, p *payloads) (ingestResult, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return ingestResult{}, err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(ln)
	defer srv.Shutdown(context.Background())

	url := "http://" + ln.Addr().String() + "/hooks/" + benchToken
	tr := &http.Transport{MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 10 * time.Second}

	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		lat     []time.Duration
		errs    atomic.Int64
		stop    = time.Now().Add(d)
		started = time.Now()
	)
	for range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			mine := make([]time.Duration, 0, 4096)
			for time.Now().Before(stop) {
				body := p.next()
				req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				if p.signed {
					req.Header.Set(smartlead.SignatureHeader, "sha256="+smartlead.Sign(body, benchSecret))
				}
				t0 := time.Now()
				resp, err := client.Do(req)
				if err != nil {
					errs.Add(1)
					continue
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					errs.Add(1)
					continue
				}
				mine = append(mine, time.Since(t0))
			}
			mu.Lock()
			lat = append(lat, mine...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	elapsed := time.Since(started)
	if len(lat) == 0 {
		return ingestResult{}, fmt.Errorf("no delivery was acknowledged at %d connections (%d errors)", conns, errs.Load())
	}
	slices.Sort(lat)
	return ingestResult{
		conns:  conns,
		rate:   float64(len(lat)) / elapsed.Seconds(),
		p50:    lat[len(lat)/2],
		p99:    lat[len(lat)*99/100],
		errors: errs.Load(),
	}, nil
}

// profile writes a CPU profile of the leadbell run at conns connections to
// $BENCH_CPUPROFILE.conns, when that is set, to see where the time goes.
func profile(conns int) func() {
	path := os.Getenv("BENCH_CPUPROFILE")
	if path == "" {
		return func() {}
	}
	f, err := os.Create(fmt.Sprintf("%s.%d", path, conns))
	if err != nil {
		return func() {}
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return func() {}
	}
	return func() { pprof.StopCPUProfile(); f.Close() }
}
