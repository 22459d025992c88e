// Package e2e drives the real leadbell binary over loopback, against the
// SmartLead simulator: the way a user and SmartLead meet it.
package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// bin is the leadbell binary built once for the whole package.
var bin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "leadbell-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	bin = filepath.Join(dir, "leadbell")
	build := exec.Command("go", "build", "-o", bin, "github.com/leadbell/leadbell")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building leadbell:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// proc is one running leadbell.
type proc struct {
	t   *testing.T
	cmd *exec.Cmd
	// UI is the UI's address, http://127.0.0.1:port; Link is the link
	// leadbell printed, which opens it in a browser (UI/?token=...).
	UI, Link string
	client   *http.Client // sends the UI token with every call to UI
	mu       sync.Mutex
	stderr   bytes.Buffer
	done     chan struct{}
	err      error
}

// start runs leadbell serve or demo with args and waits until it says, on
// its ready descriptor (--ready-fd), where its UI is.
func start(t *testing.T, env []string, args ...string) *proc {
	t.Helper()
	ready, readyW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer ready.Close()
	p := &proc{t: t, cmd: exec.Command(bin, append(args, "--ready-fd", "3")...), done: make(chan struct{})}
	p.cmd.Env = append(cleanEnv(), env...)
	p.cmd.ExtraFiles = []*os.File{readyW} // fd 3 in the child
	p.cmd.Stdout = io.Discard
	p.cmd.Stderr = writerFunc(func(b []byte) (int, error) {
		p.mu.Lock()
		defer p.mu.Unlock()
		return p.stderr.Write(b)
	})
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	readyW.Close() // the child's copy stays open until it writes
	announced := make(chan readyLine, 1)
	go func() {
		var line readyLine
		if json.NewDecoder(ready).Decode(&line) == nil {
			announced <- line
		}
	}()
	go func() { p.err = p.cmd.Wait(); close(p.done) }()
	t.Cleanup(func() { p.kill() })
	var line readyLine
	select {
	case line = <-announced:
	case <-p.done:
		t.Fatalf("leadbell exited before serving: %v\n%s", p.err, p.logs())
	case <-time.After(30 * time.Second):
		t.Fatalf("leadbell did not say it was ready\n%s", p.logs())
	}
	p.Link = line.Link
	base, token, err := parseLink(p.Link)
	if err != nil {
		t.Fatalf("leadbell gave a link that opens nothing: %v", err)
	}
	if base != line.UI {
		t.Fatalf("ready line %+v: the link is not on the UI's address", line)
	}
	p.UI, p.client = base, uiClient(base, token)
	return p
}

// readyLine is what leadbell writes on --ready-fd once its UI is served.
type readyLine struct {
	UI   string `json:"ui"`
	Link string `json:"link"`
}

func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "SMARTLEAD_") || strings.HasPrefix(kv, "LEADBELL_") || strings.HasPrefix(kv, "NGROK_") {
			continue
		}
		env = append(env, kv)
	}
	return env
}

// dataDir is the --data the process was started with.
func (p *proc) dataDir() string {
	for i, a := range p.cmd.Args {
		if a == "--data" && i+1 < len(p.cmd.Args) {
			return p.cmd.Args[i+1]
		}
	}
	return ""
}

func (p *proc) logs() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stderr.String()
}

func (p *proc) kill() {
	if p.cmd.Process != nil {
		p.cmd.Process.Kill()
		<-p.done
	}
}

// stop sends SIGTERM and waits for a clean exit.
func (p *proc) stop() {
	p.t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		p.t.Fatal(err)
	}
	select {
	case <-p.done:
	case <-time.After(20 * time.Second):
		p.t.Fatalf("leadbell did not stop after SIGTERM\n%s", p.logs())
	}
	if p.err != nil {
		p.t.Fatalf("leadbell exited with %v after SIGTERM\n%s", p.err, p.logs())
	}
}

type status struct {
	State       string         `json:"state"`
	Message     string         `json:"message"`
	WebhookURL  string         `json:"webhook_url"`
	WebhookID   string         `json:"webhook_id"` // the ids of every webhook, comma-separated
	Registered  bool           `json:"registered"`
	Counts      map[string]int `json:"counts"`
	Unread      int            `json:"unread"`
	Demo        bool           `json:"demo"`
	ConfirmedAt *time.Time     `json:"confirmed_at"`
	Warnings    []warning      `json:"warnings"`
}

// warning is one entry of the status's warnings.
type warning struct{ Code, Message string }

// warned reports whether the status carries a warning of code.
func (st status) warned(code string) bool {
	return slices.ContainsFunc(st.Warnings, func(w warning) bool { return w.Code == code })
}

// waitStatus polls the status until ok says it is what the test waits for.
func (p *proc) waitStatus(what string, ok func(status) bool) status {
	p.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		st := p.status()
		if ok(st) {
			return st
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("the status never showed %s: %+v\n%s", what, st, p.logs())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (p *proc) status() status {
	p.t.Helper()
	var st status
	p.getJSON("/api/status", &st)
	return st
}

// waitState polls the status until it is state.
func (p *proc) waitState(state string) status {
	p.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		st := p.status()
		if st.State == state {
			return st
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("state %q (%s), want %q\n%s", st.State, st.Message, state, p.logs())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (p *proc) getJSON(path string, v any) int {
	p.t.Helper()
	resp, err := p.client.Get(p.UI + path)
	if err != nil {
		p.t.Fatalf("GET %s: %v\n%s", path, err, p.logs())
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		p.t.Fatalf("GET %s: %v", path, err)
	}
	return resp.StatusCode
}

func (p *proc) postJSON(path string, body any, v any) int {
	p.t.Helper()
	b, _ := json.Marshal(body)
	resp, err := p.client.Post(p.UI+path, "application/json", bytes.NewReader(b))
	if err != nil {
		p.t.Fatalf("POST %s: %v", path, err)
	}
	defer resp.Body.Close()
	if v != nil {
		if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
			p.t.Fatalf("POST %s: %v", path, err)
		}
	}
	return resp.StatusCode
}

// putJSON sends body to the UI's path with PUT and returns the status.
func (p *proc) putJSON(path string, body any) int {
	p.t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest(http.MethodPut, p.UI+path, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	resp, err := p.client.Do(req)
	if err != nil {
		p.t.Fatalf("PUT %s: %v", path, err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// freeAddr returns a loopback address nobody listens on right now.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// sseReader collects the messages of an event stream.
type sseReader struct {
	mu     sync.Mutex
	events []sseMessage
	cancel context.CancelFunc
}

type sseMessage struct{ ID, Event, Data string }

// openStream opens the UI's event stream (path /api/stream).
func (p *proc) openStream(path string, header map[string]string) *sseReader {
	t := p.t
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, p.UI+path, nil)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := p.client.Do(req)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/event-stream") {
		cancel()
		t.Fatalf("stream content type %q", ct)
	}
	s := &sseReader{cancel: cancel}
	t.Cleanup(cancel)
	go func() {
		defer resp.Body.Close()
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		var m sseMessage
		for sc.Scan() {
			line := sc.Text()
			switch {
			case line == "":
				if m.Event != "" {
					s.mu.Lock()
					s.events = append(s.events, m)
					s.mu.Unlock()
				}
				m = sseMessage{}
			case strings.HasPrefix(line, "id: "):
				m.ID = line[4:]
			case strings.HasPrefix(line, "event: "):
				m.Event = line[7:]
			case strings.HasPrefix(line, "data: "):
				m.Data = line[6:]
			}
		}
	}()
	return s
}

// wait returns the messages of kind event once n of them have arrived.
func (s *sseReader) wait(t *testing.T, event string, n int) []sseMessage {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		s.mu.Lock()
		var got []sseMessage
		for _, m := range s.events {
			if m.Event == event {
				got = append(got, m)
			}
		}
		s.mu.Unlock()
		if len(got) >= n {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("stream delivered %d %q messages, want %d", len(got), event, n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(b []byte) (int, error) { return f(b) }

var _ io.Writer = writerFunc(nil)

type result struct {
	code           int
	stdout, stderr string
}

// exec2 runs leadbell to completion (bounded) and returns what it printed.
func exec2(t *testing.T, env []string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(cleanEnv(), env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return result{code: code, stdout: out.String(), stderr: errb.String()}
}
