package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// buildLeadbell builds the repository's root package (no desktop tags: the
// soak needs only `leadbell serve`) into dir.
func buildLeadbell(dir string) (string, error) {
	bin := filepath.Join(dir, "leadbell")
	build := exec.Command("go", "build", "-o", bin, "github.com/leadbell/leadbell")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		return "", fmt.Errorf("soak: unable to build leadbell: %w", err)
	}
	return bin, nil
}

// leadbell is one running `leadbell serve`.
type leadbell struct {
	cmd    *exec.Cmd
	ui     string       // http://127.0.0.1:port
	client *http.Client // sends the UI token with every call to ui
	done   chan struct{}
	err    error
}

var uiLine = regexp.MustCompile(`Open (http://\S+) in your browser`)

// startLeadbell runs bin with args, its stderr appended to logPath, and
// waits until it announces its UI.
func startLeadbell(bin string, env, args []string, logPath string) (*leadbell, error) {
	logf, err := os.OpenFile(logPath, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return nil, err
	}
	p := &leadbell{cmd: exec.Command(bin, args...), done: make(chan struct{})}
	p.cmd.Env = append(os.Environ(), env...)
	p.cmd.Stderr = logf
	stdout, err := p.cmd.StdoutPipe()
	if err != nil {
		logf.Close()
		return nil, err
	}
	if err := p.cmd.Start(); err != nil {
		logf.Close()
		return nil, fmt.Errorf("soak: unable to start leadbell: %w", err)
	}
	ui := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if m := uiLine.FindStringSubmatch(sc.Text()); m != nil {
				ui <- m[1]
			}
		}
	}()
	go func() { p.err = p.cmd.Wait(); logf.Close(); close(p.done) }()
	select {
	case link := <-ui:
		if p.ui, p.client, err = uiClient(link); err != nil {
			p.kill()
			return nil, err
		}
		return p, nil
	case <-p.done:
		return nil, fmt.Errorf("soak: leadbell exited before serving: %v (see %s)", p.err, logPath)
	case <-time.After(30 * time.Second):
		p.kill()
		return nil, fmt.Errorf("soak: leadbell did not announce its UI (see %s)", logPath)
	}
}

// uiClient reads the link leadbell printed (http://host:port/?token=...)
// and returns the UI's address and a client that sends the token, as a
// bearer, with every call to it.
func uiClient(link string) (string, *http.Client, error) {
	u, err := url.Parse(link)
	token := ""
	if err == nil {
		token = u.Query().Get("token")
	}
	if err != nil || u.Host == "" || token == "" {
		return "", nil, fmt.Errorf("soak: leadbell printed %q, not http://host:port/?token=<token>", link)
	}
	return "http://" + u.Host, &http.Client{Transport: tokenTransport{host: u.Host, token: token, next: http.DefaultTransport}}, nil
}

// tokenTransport adds "Authorization: Bearer <token>" to the requests for
// host (the UI), and to no other.
type tokenTransport struct {
	host, token string
	next        http.RoundTripper
}

func (tt tokenTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.URL.Host == tt.host {
		r = r.Clone(r.Context())
		r.Header.Set("Authorization", "Bearer "+tt.token)
	}
	return tt.next.RoundTrip(r)
}

func (p *leadbell) pid() int { return p.cmd.Process.Pid }

// exited reports whether the process is gone, and why.
func (p *leadbell) exited() (bool, error) {
	select {
	case <-p.done:
		return true, p.err
	default:
		return false, nil
	}
}

// kill sends SIGKILL: no chance to finish anything.
func (p *leadbell) kill() {
	p.cmd.Process.Kill()
	<-p.done
}

// stop sends SIGTERM and waits for a clean exit.
func (p *leadbell) stop() error {
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		return err
	}
	select {
	case <-p.done:
		if p.err != nil {
			return fmt.Errorf("soak: leadbell exited with %v after SIGTERM", p.err)
		}
		return nil
	case <-time.After(30 * time.Second):
		p.kill()
		return fmt.Errorf("soak: leadbell did not stop within 30 s of SIGTERM")
	}
}

// getJSON fetches the UI's path into v.
func (p *leadbell) getJSON(ctx context.Context, path string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.ui+path, nil)
	if err != nil {
		return err
	}
	resp, err := p.client.Do(req)
	if err != nil {
		return fmt.Errorf("soak: GET %s: %w", path, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("soak: GET %s: %s", path, resp.Status)
	}
	return json.NewDecoder(resp.Body).Decode(v)
}

// status is the part of GET /api/status the soak reads.
type status struct {
	State       string         `json:"state"`
	Message     string         `json:"message"`
	WebhookURL  string         `json:"webhook_url"`
	Counts      map[string]int `json:"counts"`
	ConfirmedAt *time.Time     `json:"confirmed_at"`
	Warnings    []struct {
		Code string `json:"code"`
	} `json:"warnings"`
}

// warned reports whether the status carries a warning of code.
func (st status) warned(code string) bool {
	for _, w := range st.Warnings {
		if w.Code == code {
			return true
		}
	}
	return false
}

// waitListening polls the status until the engine listens.
func (p *leadbell) waitListening(ctx context.Context) (status, error) {
	deadline := time.Now().Add(30 * time.Second)
	for {
		var st status
		err := p.getJSON(ctx, "/api/status", &st)
		if err == nil && st.State == "listening" {
			return st, nil
		}
		if time.Now().After(deadline) {
			return st, fmt.Errorf("soak: leadbell is %q (%s), not listening: %v", st.State, st.Message, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// memory is one reading of a process's resident memory, in KiB.
type memory struct{ rss, anon, file int }

// readMemory reads VmRSS, RssAnon and RssFile from /proc/pid/status.
func readMemory(pid int) (memory, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return memory{}, err
	}
	var m memory
	for _, line := range strings.Split(string(b), "\n") {
		name, value, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		kb, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(value), " kB"))
		switch name {
		case "VmRSS":
			m.rss = kb
		case "RssAnon":
			m.anon = kb
		case "RssFile":
			m.file = kb
		}
	}
	if m.rss == 0 {
		return m, fmt.Errorf("soak: no VmRSS in /proc/%d/status", pid)
	}
	return m, nil
}
