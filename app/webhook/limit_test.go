package webhook

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/leadbell/leadbell/app/smartlead"
	"github.com/leadbell/leadbell/internal/testkit"
	"github.com/leadbell/leadbell/store"
)

const limitPath = "/hooks/" + testToken

// echo answers 200 with what it saw of the body: its length, its SHA-256
// and the stated length.
var echo = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	b, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusTeapot)
		return
	}
	fmt.Fprintf(w, "%d %x %d", len(b), sha256.Sum256(b), r.ContentLength)
})

func echoOf(b []byte, stated int64) string {
	return fmt.Sprintf("%d %x %d", len(b), sha256.Sum256(b), stated)
}

// unsized hides a reader's length from the HTTP client, which then sends
// the body chunked.
type unsized struct{ io.Reader }

func TestLimitAnswers(t *testing.T) {
	small := bytes.Repeat([]byte("a"), 2<<10)
	whole := bytes.Repeat([]byte("b"), MaxBody)
	over := bytes.Repeat([]byte("c"), MaxBody+1)
	chunked := bytes.Repeat([]byte("d"), 300<<10)
	tests := []struct {
		name       string
		method     string
		path       string
		body       io.Reader
		wantStatus int
		wantEcho   string // what the next handler saw; "" when it must not be called
	}{
		{"small body reaches the receiver whole", "POST", limitPath, bytes.NewReader(small), 200, echoOf(small, int64(len(small)))},
		{"body of exactly MaxBody", "POST", limitPath, bytes.NewReader(whole), 200, echoOf(whole, MaxBody)},
		{"chunked body, handed on with its length", "POST", limitPath, unsized{bytes.NewReader(chunked)}, 200, echoOf(chunked, int64(len(chunked)))},
		{"stated length over MaxBody", "POST", limitPath, bytes.NewReader(over), 413, ""},
		{"chunked body over MaxBody", "POST", limitPath, unsized{bytes.NewReader(over)}, 413, ""},
		{"GET passes through", "GET", limitPath, nil, 200, echoOf(nil, 0)},
		{"POST elsewhere passes through unread", "POST", "/hooks/other", unsized{bytes.NewReader(small)}, 200, echoOf(small, -1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			called := false
			lim := Limit(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				called = true
				echo(w, r)
			}), LimitConfig{Path: limitPath})
			srv := httptest.NewServer(lim)
			defer srv.Close()
			req, _ := http.NewRequest(tt.method, srv.URL+tt.path, tt.body)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			got, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("status %d (%s), want %d", resp.StatusCode, got, tt.wantStatus)
			}
			if tt.wantEcho == "" {
				if called {
					t.Error("the receiver was called")
				}
				if !strings.Contains(string(got), `"status":"error"`) {
					t.Errorf("answer %s, want the receiver's error shape", got)
				}
				return
			}
			if string(got) != tt.wantEcho {
				t.Errorf("the receiver saw %q, want %q", got, tt.wantEcho)
			}
		})
	}
}

// slowPost sends the headers of a POST that states n bytes of body and
// then only part of them, and leaves the connection open.
func slowPost(t *testing.T, addr string, n int, part []byte) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	fmt.Fprintf(c, "POST %s HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n", limitPath, n)
	if _, err := c.Write(part); err != nil {
		t.Fatal(err)
	}
	return c
}

func TestLimitCutsOffASlowBody(t *testing.T) {
	called := false
	lim := Limit(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { called = true }),
		LimitConfig{Path: limitPath, BodyTimeout: 200 * time.Millisecond})
	srv := httptest.NewServer(lim)
	t.Cleanup(srv.Close) // after the connections slowPost leaves open
	c := slowPost(t, srv.Listener.Addr().String(), 100, []byte(`{"event":`))
	c.SetDeadline(time.Now().Add(10 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestTimeout || !resp.Close {
		t.Fatalf("status %d, close %v: want 408 and the connection closed", resp.StatusCode, resp.Close)
	}
	if called || lim.Stats().SlowBodies != 1 {
		t.Fatalf("receiver called %v, stats %+v: want not called, one slow body", called, lim.Stats())
	}
}

// TestLimitSlowSendersHoldNoSlot fills the server with stalled bodies and
// still gets a delivery through the single slot, which it could not if a
// stalled body held it (QueueWait is short).
func TestLimitSlowSendersHoldNoSlot(t *testing.T) {
	lim := Limit(echo, LimitConfig{Path: limitPath, MaxInFlight: 1, QueueWait: 100 * time.Millisecond, BodyTimeout: 30 * time.Second})
	srv := httptest.NewServer(lim)
	t.Cleanup(srv.Close) // after the connections slowPost leaves open
	for range 50 {
		slowPost(t, srv.Listener.Addr().String(), 1000, []byte(`{"event":"EMAIL_REPLIED",`))
	}
	body := []byte(`{"event":"EMAIL_REPLIED"}`)
	for i := range 5 {
		resp, err := http.Post(srv.URL+limitPath, "application/json", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || string(got) != echoOf(body, int64(len(body))) {
			t.Fatalf("delivery %d beside 50 stalled bodies: %d %s, want 200", i, resp.StatusCode, got)
		}
	}
}

// blocking is a next handler that holds its slot until released.
type blocking struct {
	entered chan struct{}
	release chan struct{}
}

func (b blocking) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b.entered <- struct{}{}
	<-b.release
}

func TestLimitShedsWhenTheSlotsStayFull(t *testing.T) {
	next := blocking{entered: make(chan struct{}, 10), release: make(chan struct{})}
	lim := Limit(next, LimitConfig{Path: limitPath, MaxInFlight: 2, QueueWait: 50 * time.Millisecond, RetryAfter: 7 * time.Second})
	srv := httptest.NewServer(lim)
	t.Cleanup(srv.Close) // after the connections slowPost leaves open
	post := func() *http.Response {
		resp, err := http.Post(srv.URL+limitPath, "application/json", strings.NewReader("{}"))
		if err != nil {
			t.Error(err)
			return nil
		}
		resp.Body.Close()
		return resp
	}
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() { post() })
		<-next.entered
	}
	resp := post()
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") != "7" {
		t.Fatalf("third request: %d, Retry-After %q; want 503 and 7", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	if st := lim.Stats(); st.Shed != 1 || st.InFlight != 2 {
		t.Fatalf("stats %+v, want one shed and two in flight", st)
	}
	close(next.release)
	wg.Wait()
	if resp := post(); resp.StatusCode != 200 {
		t.Fatalf("after the slots freed: %d, want 200", resp.StatusCode)
	}
	if st := lim.Stats(); st.InFlight != 0 {
		t.Fatalf("stats %+v, want every slot given back", st)
	}
}

// TestLimitBudgetSparesSmallBodies has a stalled sender take the whole
// shared budget: a big body is then refused, a small one still passes.
func TestLimitBudgetSparesSmallBodies(t *testing.T) {
	lim := Limit(echo, LimitConfig{Path: limitPath, MaxBuffered: 64 << 10, BodyTimeout: 30 * time.Second})
	srv := httptest.NewServer(lim)
	t.Cleanup(srv.Close) // after the connections slowPost leaves open
	hog := slowPost(t, srv.Listener.Addr().String(), 200<<10, bytes.Repeat([]byte("h"), 100<<10))
	testkit.WaitFor(t, "the stalled body to draw on the budget", func() bool { return lim.Stats().Buffered == 64<<10 })

	post := func(n int) int {
		resp, err := http.Post(srv.URL+limitPath, "application/json", bytes.NewReader(bytes.Repeat([]byte("x"), n)))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := post(100 << 10); code != http.StatusServiceUnavailable {
		t.Fatalf("a 100 KiB body with the budget taken: %d, want 503", code)
	}
	if code := post(4 << 10); code != 200 {
		t.Fatalf("a 4 KiB body with the budget taken: %d, want 200", code)
	}
	hog.Close()
	testkit.WaitFor(t, "the budget to be given back", func() bool { return lim.Stats().Buffered == 0 })
	if code := post(100 << 10); code != 200 {
		t.Fatalf("a 100 KiB body once the budget is back: %d, want 200", code)
	}
}

func TestLimitSamplesRefusals(t *testing.T) {
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	var rejected []store.Rejection
	next := blocking{entered: make(chan struct{}, 1), release: make(chan struct{})}
	lim := Limit(next, LimitConfig{Path: limitPath, MaxInFlight: 1, QueueWait: time.Millisecond,
		Now: func() time.Time { return now }, Reject: func(r store.Rejection) { rejected = append(rejected, r) }})
	serve := func(body string, stated int64) int {
		req := httptest.NewRequest(http.MethodPost, limitPath, strings.NewReader(body))
		req.ContentLength = stated
		req.Header.Set(smartlead.SignatureHeader, "sha256=00")
		w := httptest.NewRecorder()
		lim.ServeHTTP(w, req)
		return w.Code
	}
	go serve("{}", 2) // holds the only slot
	<-next.entered
	defer close(next.release)

	for range 5 {
		if code := serve("", MaxBody+1); code != 413 {
			t.Fatalf("too large: %d", code)
		}
		if code := serve(`{"n":1}`, 7); code != 503 {
			t.Fatalf("no slot: %d", code)
		}
	}
	now = now.Add(sampleEvery)
	serve("", MaxBody+1)
	if st := lim.Stats(); st.TooLarge != 6 || st.Shed != 5 {
		t.Fatalf("stats %+v: want every refusal counted", st)
	}
	var got []string
	for _, r := range rejected {
		got = append(got, fmt.Sprintf("%d %d %q %s", r.Status, r.BodySize, r.Body, r.Headers[smartlead.SignatureHeader]))
	}
	want := []string{
		fmt.Sprintf("413 %d \"\" sha256=00", MaxBody+1),
		`503 7 "{\"n\":1}" sha256=00`,
		fmt.Sprintf("413 %d \"\" sha256=00", MaxBody+1),
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("sampled:\n%s\nwant one of each kind a second:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestLimitKeepsTheContextAfterTheBody checks that the body's deadline does
// not outlive the body: a receiver slower than BodyTimeout (a slow commit)
// still has a live request.
func TestLimitKeepsTheContextAfterTheBody(t *testing.T) {
	lim := Limit(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.ReadAll(r.Body)
		time.Sleep(300 * time.Millisecond)
		if r.Context().Err() != nil {
			http.Error(w, "canceled", http.StatusInternalServerError)
		}
	}), LimitConfig{Path: limitPath, BodyTimeout: 50 * time.Millisecond})
	srv := httptest.NewServer(lim)
	t.Cleanup(srv.Close) // after the connections slowPost leaves open
	resp, err := http.Post(srv.URL+limitPath, "application/json", strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("status %d: the request's context ended with the body's deadline", resp.StatusCode)
	}
}

// TestLimitInFrontOfTheReceiver runs real deliveries through the limiter
// and the receiver: the body the receiver verifies is the one sent.
func TestLimitInFrontOfTheReceiver(t *testing.T) {
	st, err := store.Open(filepath.Join(t.TempDir(), "leadbell.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	srv := httptest.NewServer(Limit(New(Config{Token: testToken, Secret: testSecret, Store: st}), LimitConfig{Path: limitPath}))
	defer srv.Close()
	spec := fixtureBody(t, "reply_spec.json")
	live := fixtureBody(t, "reply_live.json")
	tests := []struct {
		name   string
		path   string
		body   io.Reader
		header map[string]string
		want   int
	}{
		{"signed spec delivery", limitPath, bytes.NewReader(spec), signed(spec), 200},
		{"live delivery, chunked", limitPath, unsized{bytes.NewReader(live)}, nil, 200},
		{"not JSON", limitPath, strings.NewReader("hello"), nil, 400},
		{"wrong token", "/hooks/nope", bytes.NewReader(spec), signed(spec), 404},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodPost, srv.URL+tt.path, tt.body)
			for k, v := range tt.header {
				req.Header.Set(k, v)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			got, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tt.want {
				t.Fatalf("status %d (%s), want %d", resp.StatusCode, got, tt.want)
			}
		})
	}
	stats, err := st.Stats()
	if err != nil {
		t.Fatal(err)
	}
	if stats.Total != 2 {
		t.Fatalf("stored %d events, want the 2 genuine ones", stats.Total)
	}
}

// A request that is not a delivery is answered without reading its body,
// on a connection that closes: a slow sender cannot keep it busy.
func TestNonDeliveryClosesTheConnection(t *testing.T) {
	srv := httptest.NewServer(Limit(http.NotFoundHandler(), LimitConfig{Path: "/hooks/right"}))
	defer srv.Close()
	c, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	// Headers whole, body barely begun: as a slowloris would.
	fmt.Fprintf(c, "POST /hooks/wrong HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n{")
	c.SetReadDeadline(time.Now().Add(30 * time.Second))
	res, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusNotFound || !res.Close {
		t.Errorf("a POST to a wrong path: %d, Connection close %v; want 404 and the connection closed", res.StatusCode, res.Close)
	}
}
