package webhook

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/leadbell/leadbell/app/smartlead/simulator"
	"github.com/leadbell/leadbell/internal/testkit"
)

// limitedServer serves h on a loopback listener capped at max connections.
func limitedServer(t *testing.T, max int, h http.Handler) (*connLimit, string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	l := newConnLimit(ln, max, slog.New(slog.DiscardHandler))
	srv := &http.Server{Handler: h, ConnState: l.track}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return l, ln.Addr().String()
}

var ok = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") })

func dial(t *testing.T, addr string) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// get sends a keep-alive request on c and reads the answer.
func get(t *testing.T, c net.Conn, r *bufio.Reader) int {
	t.Helper()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	defer c.SetDeadline(time.Time{})
	if _, err := io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(r, nil)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// closedByServer reports whether the server closed c (waiting up to wait).
func closedByServer(c net.Conn, wait time.Duration) bool {
	c.SetReadDeadline(time.Now().Add(wait))
	_, err := c.Read(make([]byte, 1))
	return err != nil && !errors.Is(err, os.ErrDeadlineExceeded)
}

func (l *connLimit) counts() (open, fresh, idle int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.open, l.fresh.Len(), l.idle.Len()
}

func waitCounts(t *testing.T, l *connLimit, open, fresh, idle int) {
	t.Helper()
	want := [3]int{open, fresh, idle}
	testkit.Poll(t, fmt.Sprintf("open, fresh and idle connections %v", want), func() [3]int {
		o, f, i := l.counts()
		return [3]int{o, f, i}
	}, func(got [3]int) bool { return got == want })
}

func TestConnLimitClosesTheOldestSilentConnection(t *testing.T) {
	l, addr := limitedServer(t, 2, ok)
	oldest := dial(t, addr)
	waitCounts(t, l, 1, 1, 0)
	younger := dial(t, addr)
	waitCounts(t, l, 2, 2, 0)

	c := dial(t, addr)
	if code := get(t, c, bufio.NewReader(c)); code != 200 {
		t.Fatalf("a newcomer at the cap: %d, want 200", code)
	}
	if !closedByServer(oldest, 5*time.Second) {
		t.Error("the oldest silent connection is still open")
	}
	if closedByServer(younger, 100*time.Millisecond) {
		t.Error("the younger silent connection was closed too")
	}
	if n := l.evicted.Load(); n != 1 {
		t.Errorf("evicted %d, want 1", n)
	}
}

func TestConnLimitClosesSilentBeforeIdle(t *testing.T) {
	l, addr := limitedServer(t, 2, ok)
	keep := dial(t, addr)
	keepR := bufio.NewReader(keep)
	if code := get(t, keep, keepR); code != 200 {
		t.Fatal(code)
	}
	waitCounts(t, l, 1, 0, 1)
	silent := dial(t, addr) // younger than the idle one
	waitCounts(t, l, 2, 1, 1)

	c := dial(t, addr)
	if code := get(t, c, bufio.NewReader(c)); code != 200 {
		t.Fatalf("a newcomer at the cap: %d, want 200", code)
	}
	if !closedByServer(silent, 5*time.Second) {
		t.Error("the silent connection is still open")
	}
	if code := get(t, keep, keepR); code != 200 {
		t.Errorf("the idle keep-alive connection was closed instead: %d", code)
	}
}

func TestConnLimitWaitsWhileEveryConnectionIsBusy(t *testing.T) {
	entered, release := make(chan string, 2), make(chan struct{})
	l, addr := limitedServer(t, 1, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		entered <- r.URL.Path
		<-release
	}))
	busy := dial(t, addr)
	fmt.Fprint(busy, "GET /first HTTP/1.1\r\nHost: x\r\n\r\n")
	if got := <-entered; got != "/first" {
		t.Fatal(got)
	}
	next := dial(t, addr)
	fmt.Fprint(next, "GET /second HTTP/1.1\r\nHost: x\r\n\r\n")
	select {
	case got := <-entered:
		t.Fatalf("%s was served beside a busy connection at a cap of one", got)
	case <-time.After(200 * time.Millisecond):
	}
	if l.evicted.Load() != 0 {
		t.Fatal("a busy connection was closed for room")
	}
	close(release)
	if got := <-entered; got != "/second" {
		t.Fatal(got)
	}
}

// signalling is a listener that says when it has handed out a connection.
type signalling struct {
	net.Listener
	accepted chan struct{}
}

func (s signalling) Accept() (net.Conn, error) {
	c, err := s.Listener.Accept()
	if err == nil {
		s.accepted <- struct{}{}
	}
	return c, err
}

func TestConnLimitCloseEndsAWaitingAccept(t *testing.T) {
	inner, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln := signalling{inner, make(chan struct{}, 2)}
	l := newConnLimit(ln, 1, slog.New(slog.DiscardHandler))
	dial(t, ln.Addr().String())
	first, err := l.Accept()
	if err != nil {
		t.Fatal(err)
	}
	l.track(first, http.StateActive) // busy: not to be closed for room
	second := dial(t, ln.Addr().String())
	accepted := make(chan error, 1)
	go func() {
		_, err := l.Accept()
		accepted <- err
	}()
	<-ln.accepted // the first
	<-ln.accepted // the second, for which there is no slot: Accept waits
	l.Close()
	if err := <-accepted; !errors.Is(err, net.ErrClosed) {
		t.Fatalf("Accept after Close: %v, want net.ErrClosed", err)
	}
	if !closedByServer(second, 5*time.Second) {
		t.Error("the connection that waited for a slot was left open")
	}
	first.Close()
	first.Close() // a second Close gives nothing back twice
	if open, _, _ := l.counts(); open != 0 {
		t.Fatalf("open %d after closing the only connection", open)
	}
}

// TestConnLimitThousandSilentConnections opens a thousand connections that
// say nothing, far over the cap, and still gets requests answered.
func TestConnLimitThousandSilentConnections(t *testing.T) {
	const max = 128
	l, addr := limitedServer(t, max, ok)
	for range 1000 {
		dial(t, addr)
	}
	for i := range 20 {
		resp, err := (&http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}).Get("http://" + addr)
		if err != nil {
			t.Fatalf("request %d beside 1000 silent connections: %v", i, err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("request %d: %d", i, resp.StatusCode)
		}
	}
	if open, _, _ := l.counts(); open > max {
		t.Fatalf("%d connections open, over the cap of %d", open, max)
	}
	if n := l.evicted.Load(); n < 1000-max {
		t.Fatalf("closed %d silent connections for room, want at least %d", n, 1000-max)
	}
}

// TestTrickledBodiesAtTheCapDoNotHoldADeliveryBack: with every connection
// of the hook listener sending a delivery's body a byte at a time, a
// genuine delivery still gets in at once (the trickler that has been at it
// longest is closed for room) and is answered while the others are still
// trickling, long before their body timeout.
func TestTrickledBodiesAtTheCapDoNotHoldADeliveryBack(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	const max = 16
	hs := NewServer(ServerConfig{Handler: ok, Listener: ln, MaxConns: max, Limits: LimitConfig{Path: "/hooks/t0k3n", BodyTimeout: time.Minute}})
	go hs.Serve()
	t.Cleanup(func() { hs.Close() })
	addr := ln.Addr().String()

	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	outcomes := make(chan simulator.SlowOutcome, max)
	for range max {
		go func() { outcomes <- simulator.SlowRequest(ctx, addr, "/hooks/t0k3n", true) }()
	}
	testkit.Poll(t, fmt.Sprintf("all %d tricklers sending their bodies", max), func() int {
		hs.conns.mu.Lock()
		defer hs.conns.mu.Unlock()
		return hs.conns.reading.Len()
	}, func(n int) bool { return n == max })

	client := &http.Client{Timeout: 20 * time.Second} // a third of the body timeout
	resp, err := client.Post("http://"+addr+"/hooks/t0k3n", "application/json", strings.NewReader(`{"event":"EMAIL_REPLIED"}`))
	if err != nil {
		t.Fatalf("the genuine delivery was held back: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("the genuine delivery got %d", resp.StatusCode)
	}
	if hs.conns.evicted.Load() == 0 {
		t.Fatal("no trickler was closed for room")
	}
	select {
	case o := <-outcomes:
		if o != simulator.SlowCut {
			t.Errorf("a trickler ended %v, want cut for room", o)
		}
	case <-time.After(10 * time.Second):
		t.Error("no trickler was cut")
	}
}
