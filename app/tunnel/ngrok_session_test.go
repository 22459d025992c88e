package tunnel

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// The sessions below run the real ngrok client against fakeNgrok.

// testToken is shaped like an ngrok authtoken and is valid nowhere.
const testToken = "2xLbTestOnly0nLy9Fake_5kQpZrWvYs3NotAToken7Hd"

func TestNgrokServesThroughTheTunnel(t *testing.T) {
	f := newFakeNgrok(t, testToken)
	logs := newLogBuffer()
	ctx, cancel := context.WithCancel(context.Background())
	tun, err := Ngrok(ctx, f.options(testToken, logs.logger()))
	if err != nil {
		t.Fatalf("Ngrok: %v", err)
	}
	defer tun.Close()
	cancel() // ctx bounds the connect only

	if got, want := tun.URL(), "https://f00d-203-0-113-7.ngrok-free.app"; got != want {
		t.Errorf("URL() = %q, want %q (the URL ngrok assigned)", got, want)
	}
	if !tun.Ephemeral() || tun.Name() != "ngrok" {
		t.Errorf("Ephemeral() = %v, Name() = %q; want true, ngrok", tun.Ephemeral(), tun.Name())
	}
	if s, err := tun.State(); s != StateConnected || err != nil {
		t.Errorf("State() = %s, %v; want connected", s, err)
	}
	serveHello(t, tun)
	if got := getThroughEdge(t, f); got != "hello from leadbell" {
		t.Errorf("GET through the tunnel = %q", got)
	}

	if err := tun.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	if s, _ := tun.State(); s != StateDisconnected {
		t.Errorf("State() after Close = %s, want disconnected", s)
	}
	if _, err := tun.Listener().Accept(); err == nil {
		t.Error("Accept after Close returned a connection")
	}
	logs.assertNo(t, testToken)
}

func TestNgrokStaticDomain(t *testing.T) {
	f := newFakeNgrok(t, testToken)
	opts := f.options(testToken, nil)
	opts.Domain = "https://Leadbell-Jane.ngrok-free.app/"
	tun, err := Ngrok(context.Background(), opts)
	if err != nil {
		t.Fatalf("Ngrok: %v", err)
	}
	defer tun.Close()
	const want = "https://leadbell-jane.ngrok-free.app"
	if binds := f.bindRequests(); len(binds) != 1 || binds[0].URL != want {
		t.Errorf("bind requests = %+v, want one for %s", binds, want)
	}
	if tun.URL() != want || tun.Ephemeral() {
		t.Errorf("URL() = %q, Ephemeral() = %v; want %q, false", tun.URL(), tun.Ephemeral(), want)
	}
}

func TestNgrokRefusals(t *testing.T) {
	tests := []struct {
		name     string
		token    string
		authErr  string // the fake refuses the session with this message
		bindErr  string // the fake refuses the endpoint with this message
		domain   string
		want     error
		wantText string
	}{
		{name: "reset token", token: testToken + "x", want: ErrBadAuthtoken, wantText: "ERR_NGROK_107"},
		{name: "malformed token", token: testToken, authErr: "ERR_NGROK_105", want: ErrBadAuthtoken, wantText: "does not look like"},
		{name: "session limit", token: testToken, authErr: "ERR_NGROK_108", want: ErrRefused, wantText: "limited to 1 simultaneous"},
		{name: "domain not reserved", token: testToken, bindErr: "ERR_NGROK_319", domain: "leadbell-jane.ngrok.app", want: ErrRefused, wantText: "leadbell-jane.ngrok.app"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeNgrok(t, testToken)
			f.setAuthErr(tt.authErr)
			f.setBindErr(tt.bindErr)
			logs := newLogBuffer()
			opts := f.options(tt.token, logs.logger())
			opts.Domain = tt.domain
			opts.ConnectTimeout = time.Minute // a refusal must not wait for it

			tun, err := Ngrok(context.Background(), opts)
			if err == nil {
				tun.Close()
				t.Fatal("Ngrok succeeded")
			}
			t.Logf("err: %v", err)
			if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.wantText) {
				t.Errorf("err = %v; want %v mentioning %q", err, tt.want, tt.wantText)
			}
			if tt.want != ErrBadAuthtoken && errors.Is(err, ErrBadAuthtoken) {
				t.Errorf("err = %v also claims a bad authtoken", err)
			}
			// The first refusal ends the connect: the client's own loop
			// would have asked again after half a second, and on for a
			// minute.
			if got := f.authtokens(); len(got) != 1 || got[0] != tt.token {
				t.Errorf("the fake saw %d Auth requests, want exactly 1 with the token", len(got))
			}
			// The fake's message quoted the token back; neither the error
			// nor any log line may.
			if strings.Contains(err.Error(), tt.token) {
				t.Errorf("err contains the authtoken: %v", err)
			}
			logs.assertNo(t, tt.token)
		})
	}
}

func TestNgrokReconnects(t *testing.T) {
	f := newFakeNgrok(t, testToken)
	notes := make(chan stateNote, 16)
	opts := f.options(testToken, nil)
	opts.OnState = func(s State, err error) { notes <- stateNote{s, err} }
	tun, err := Ngrok(context.Background(), opts)
	if err != nil {
		t.Fatalf("Ngrok: %v", err)
	}
	defer tun.Close()
	serveHello(t, tun)
	url := tun.URL()

	f.setDown(true)
	f.drop()
	if err := waitState(t, notes, StateReconnecting); !errors.Is(err, ErrUnreachable) {
		t.Errorf("reconnecting because %v, want ErrUnreachable", err)
	}
	if s, err := tun.State(); s != StateReconnecting || err == nil {
		t.Errorf("State() while down = %s, %v; want reconnecting with a reason", s, err)
	}

	f.setDown(false)
	if err := waitState(t, notes, StateConnected); err != nil {
		t.Errorf("connected with %v", err)
	}
	// The client binds again with the ID and token ngrok gave the
	// endpoint, which is how ngrok keeps its URL.
	binds := f.bindRequests()
	if want := (fakeBind{ID: "bind_1", Token: "bindtoken_bind_1"}); len(binds) != 2 || binds[1] != want {
		t.Errorf("bind requests = %+v; want the second %+v", binds, want)
	}
	if tun.URL() != url {
		t.Errorf("URL() after reconnect = %q, want %q", tun.URL(), url)
	}
	if got := getThroughEdge(t, f); got != "hello from leadbell" {
		t.Errorf("GET after reconnect = %q", got)
	}
}

func TestNgrokRevokedTokenStopsReconnecting(t *testing.T) {
	f := newFakeNgrok(t, testToken)
	logs := newLogBuffer()
	notes := make(chan stateNote, 16)
	opts := f.options(testToken, logs.logger())
	opts.OnState = func(s State, err error) { notes <- stateNote{s, err} }
	tun, err := Ngrok(context.Background(), opts)
	if err != nil {
		t.Fatalf("Ngrok: %v", err)
	}
	defer tun.Close()
	accepted := make(chan error, 1)
	go func() {
		_, err := tun.Listener().Accept()
		accepted <- err
	}()

	f.setAuthErr("ERR_NGROK_107")
	f.drop()
	waitState(t, notes, StateReconnecting)
	err = waitState(t, notes, StateDisconnected)
	if !errors.Is(err, ErrBadAuthtoken) || strings.Contains(err.Error(), testToken) {
		t.Errorf("disconnected with %v; want ErrBadAuthtoken without the token", err)
	}
	select {
	case err := <-accepted:
		if err == nil {
			t.Error("Accept returned a connection after the session was refused")
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Accept still blocked after the tunnel gave up")
	}
	n := len(f.authtokens())
	if s, _ := tun.State(); s != StateDisconnected {
		t.Errorf("State() = %s, want disconnected", s)
	}
	// The client, told to stop, makes no new attempt: its next one would
	// have come after half a second.
	time.Sleep(1500 * time.Millisecond)
	if got := len(f.authtokens()); got != n {
		t.Errorf("%d more Auth requests after the refusal", got-n)
	}
	logs.assertNo(t, testToken)
}

func TestNgrokCloseWhileReconnecting(t *testing.T) {
	f := newFakeNgrok(t, testToken)
	notes := make(chan stateNote, 16)
	opts := f.options(testToken, nil)
	opts.OnState = func(s State, err error) { notes <- stateNote{s, err} }
	tun, err := Ngrok(context.Background(), opts)
	if err != nil {
		t.Fatalf("Ngrok: %v", err)
	}
	accepted := make(chan error, 1)
	go func() {
		_, err := tun.Listener().Accept()
		accepted <- err
	}()
	f.setDown(true)
	f.drop()
	waitState(t, notes, StateReconnecting)

	// Quitting while ngrok is away must not wait for it.
	if err := tun.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	select {
	case err := <-accepted:
		if err == nil {
			t.Error("Accept returned a connection after Close")
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Accept still blocked after Close")
	}
	f.setDown(false)
	select {
	case n := <-notes:
		t.Errorf("OnState(%s, %v) after Close", n.state, n.err)
	default:
	}
}

// serveHello serves a plain handler on the tunnel's listener.
func serveHello(t *testing.T, tun Tunnel) {
	t.Helper()
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "hello from leadbell")
	})}
	go srv.Serve(tun.Listener())
	t.Cleanup(func() { srv.Close() })
}

// getThroughEdge is a visitor of the public URL.
func getThroughEdge(t *testing.T, f *fakeNgrok) string {
	t.Helper()
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := client.Get("http://" + f.edge.Addr().String() + "/hooks/abc")
	if err != nil {
		t.Fatalf("GET through the fake edge: %v", err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// waitState reads notes until want arrives and returns its error. The
// bound only keeps a broken test from hanging.
func waitState(t *testing.T, notes <-chan stateNote, want State) error {
	t.Helper()
	timeout := time.After(30 * time.Second)
	for {
		select {
		case n := <-notes:
			if n.state == want {
				return n.err
			}
			t.Logf("state %s (%v) before %s", n.state, n.err, want)
		case <-timeout:
			t.Fatalf("no %s state", want)
			return fmt.Errorf("no %s", want)
		}
	}
}
