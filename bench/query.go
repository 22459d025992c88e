package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/leadbell/leadbell/app/smartlead"
	"github.com/leadbell/leadbell/app/smartlead/simulator"
	"github.com/leadbell/leadbell/event"
	"github.com/leadbell/leadbell/store"
)

// needle is a word written into exactly one stored reply, so a search for it
// has to look at every event.
const needle = "quokkabench"

// seed fills a store with n events shaped like a real account's month:
// mostly sends and opens, some clicks, a few replies, bounces and unsubscribes.
func seed(path string, n int) error {
	st, err := store.Open(path, store.Options{})
	if err != nil {
		return err
	}
	defer st.Close()
	stats, err := st.Stats()
	if err != nil {
		return err
	}
	if stats.Total >= n {
		return nil // cached from an earlier run
	}
	gen := simulator.NewGenerator(1)
	rng := rand.New(rand.NewPCG(1, 2))
	mix := []struct {
		t event.Type
		w int
	}{{event.Sent, 40}, {event.Opened, 36}, {event.Clicked, 12}, {event.Replied, 7}, {event.Bounced, 3}, {event.Unsubscribed, 2}}
	now := time.Now().UTC()
	const batch = 5000
	evs := make([]event.Event, 0, batch)
	for i := stats.Total; i < n; i++ {
		pick, t := rng.IntN(100), mix[0].t
		for _, m := range mix {
			if pick < m.w {
				t = m.t
				break
			}
			pick -= m.w
		}
		s := gen.Event(t)
		raw := s.LiveJSON("")
		if i%2 == 0 {
			raw = s.SpecJSON()
		}
		ev, err := smartlead.Parse(raw)
		if err != nil {
			return fmt.Errorf("bench: generated payload does not parse: %w", err)
		}
		if i == n/2 && t == event.Replied || i == n/2+1 {
			ev.Body += " " + needle
		}
		ev.ReceivedAt = now.Add(-time.Duration(n-i) * 2 * time.Second)
		ev.Timestamp = ev.ReceivedAt.Add(-time.Duration(rng.IntN(5000)) * time.Millisecond)
		ev.Key = fmt.Sprintf("bench|%d", i)
		evs = append(evs, ev)
		if len(evs) == batch || i == n-1 {
			if _, err := st.AppendMany(context.Background(), evs); err != nil {
				return err
			}
			evs = evs[:0]
			if (i+1)%100000 == 0 {
				fmt.Fprintf(os.Stderr, "  seeded %d events\n", i+1)
			}
		}
	}
	return nil
}

type queryResult struct {
	events         int
	firstPage      time.Duration // median
	firstPageMax   time.Duration
	search         time.Duration // median, rare term
	searchHits     int
	commonSearch   time.Duration
	bytesPerEvent  float64
	peakRSS        int64 // bytes, the serving process's VmHWM
	searchFoundOne bool
}

var uiLine = regexp.MustCompile(`Open (http://\S+) in your browser`)

// benchQueries serves the seeded store with the real binary and measures
// what the UI asks for most: the first inbox page and a search.
func benchQueries(bin, dir string, n int) (queryResult, error) {
	var r queryResult
	db := filepath.Join(dir, "leadbell.db")
	if err := seed(db, n); err != nil {
		return r, err
	}
	info, err := os.Stat(db)
	if err != nil {
		return r, err
	}
	r.events = n
	r.bytesPerEvent = float64(info.Size()) / float64(n)

	cmd := exec.Command(bin, "serve", "--data", dir, "--ui", "127.0.0.1:0", "--tunnel", "none", "--listen", "127.0.0.1:0")
	cmd.Env = []string{"HOME=" + dir, "PATH=" + os.Getenv("PATH"), "LEADBELL_LOG=warn"}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return r, err
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return r, err
	}
	defer func() { cmd.Process.Signal(os.Interrupt); cmd.Wait() }()
	ui := ""
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		if m := uiLine.FindStringSubmatch(sc.Text()); m != nil {
			ui = m[1]
			break
		}
	}
	go io.Copy(io.Discard, out)
	if ui == "" {
		return r, fmt.Errorf("bench: leadbell serve did not start")
	}
	ui, client, err := uiClient(ui)
	if err != nil {
		return r, err
	}

	var pages []time.Duration
	for range 21 {
		d, _, err := timeGet(client, ui+"/api/events?limit=50")
		if err != nil {
			return r, err
		}
		pages = append(pages, d)
	}
	r.firstPage, r.firstPageMax = median(pages), slices.Max(pages)

	var searches []time.Duration
	for range 5 {
		d, body, err := timeGet(client, ui+"/api/events?limit=50&q="+needle)
		if err != nil {
			return r, err
		}
		searches = append(searches, d)
		r.searchHits = strings.Count(body, `"id":`)
	}
	r.search = median(searches)
	var common []time.Duration
	for range 5 {
		d, _, err := timeGet(client, ui+"/api/events?limit=50&q=thanks")
		if err != nil {
			return r, err
		}
		common = append(common, d)
	}
	r.commonSearch = median(common)
	r.peakRSS, err = peakRSS(cmd.Process.Pid)
	return r, err
}

// uiClient reads the link leadbell serve printed (http://host:port/?token=...)
// and returns the UI's address and a client for it alone, which sends the
// token, as a bearer, with every call.
func uiClient(link string) (string, *http.Client, error) {
	u, err := url.Parse(link)
	token := ""
	if err == nil {
		token = u.Query().Get("token")
	}
	if err != nil || u.Host == "" || token == "" {
		return "", nil, fmt.Errorf("bench: leadbell serve printed %q, not http://host:port/?token=<token>", link)
	}
	return "http://" + u.Host, &http.Client{Transport: bearer{token: token, next: http.DefaultTransport}}, nil
}

// bearer adds "Authorization: Bearer <token>" to every request.
type bearer struct {
	token string
	next  http.RoundTripper
}

func (b bearer) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+b.token)
	return b.next.RoundTrip(r)
}

func timeGet(client *http.Client, url string) (time.Duration, string, error) {
	t0 := time.Now()
	resp, err := client.Get(url)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	d := time.Since(t0)
	if resp.StatusCode != http.StatusOK {
		return 0, "", fmt.Errorf("bench: GET %s: %s", url, resp.Status)
	}
	return d, string(b), err
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

// peakRSS reads a process's high-water resident set size.
func peakRSS(pid int) (int64, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb << 10, err
		}
	}
	return 0, fmt.Errorf("bench: no VmHWM for pid %d", pid)
}
