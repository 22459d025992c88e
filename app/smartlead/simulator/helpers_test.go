package simulator_test

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/leadbell/leadbell/app/smartlead/simulator"
)

// wait is how long a test waits for something that happens in the
// background before it fails.
const wait = 10 * time.Second

// arrival is one request a receiver got.
type arrival struct {
	body   []byte
	header http.Header
	path   string
}

// receiver is a webhook endpoint on loopback that answers what answer
// says for the n-th delivery (from 0), keeps what it got and reports each
// arrival on a channel.
type receiver struct {
	*httptest.Server
	mu       sync.Mutex
	got      []arrival
	answer   func(n int) int
	arrivals chan arrival
}

func newReceiver(t *testing.T, answer func(n int) int) *receiver {
	t.Helper()
	r := &receiver{answer: answer, arrivals: make(chan arrival, 1024)}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		a := arrival{body: body, header: req.Header.Clone(), path: req.URL.Path}
		r.mu.Lock()
		n := len(r.got)
		r.got = append(r.got, a)
		r.mu.Unlock()
		w.WriteHeader(r.answer(n))
		r.arrivals <- a
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *receiver) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.got)
}

func (r *receiver) body(i int) []byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.got[i].body
}

// next waits for the next arrival.
func (r *receiver) next(t *testing.T) arrival {
	t.Helper()
	select {
	case a := <-r.arrivals:
		return a
	case <-time.After(wait):
		t.Fatal("no delivery arrived")
		return arrival{}
	}
}

func always(status int) func(int) int { return func(int) int { return status } }

// newFake starts a fake that Close stops at the end of the test.
func newFake(t *testing.T, opts simulator.Options) *simulator.Server {
	t.Helper()
	s := simulator.NewServer(opts)
	t.Cleanup(s.Close)
	return s
}

// callKey makes a raw API call with key and returns status, headers and body.
func callKey(t *testing.T, s *simulator.Server, key, method, path, body string) (int, http.Header, string) {
	t.Helper()
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	u := s.URL() + path + sep + "api_key=" + url.QueryEscape(key)
	req, err := http.NewRequest(method, u, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, res.Header, string(b)
}

// call makes a raw API call with the fake's key.
func call(t *testing.T, s *simulator.Server, method, path, body string) (int, string) {
	t.Helper()
	status, _, b := callKey(t, s, s.APIKey(), method, path, body)
	return status, b
}

// mustCall makes a call that must answer 200 and decodes its answer.
func mustCall(t *testing.T, s *simulator.Server, method, path, body string, out any) {
	t.Helper()
	status, b := call(t, s, method, path, body)
	if status != http.StatusOK {
		t.Fatalf("%s %s = %d %s", method, path, status, b)
	}
	if out != nil {
		if err := json.Unmarshal([]byte(b), out); err != nil {
			t.Fatalf("%s %s: answer %s: %v", method, path, b, err)
		}
	}
}

// jsonOf renders v as JSON for a request body.
func jsonOf(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// changed is the JSON of base with change applied: a value "-" removes
// the key, any other sets it.
func changed(t *testing.T, base, change map[string]any) string {
	t.Helper()
	b := maps.Clone(base)
	for k, v := range change {
		if v == "-" {
			delete(b, k)
		} else {
			b[k] = v
		}
	}
	return jsonOf(t, b)
}

// allCategories are the names of the fake's categories.
func allCategories(s *simulator.Server) []string {
	var out []string
	for _, c := range s.Categories() {
		out = append(out, c.Name)
	}
	return out
}

// allLiveTypes are the live names of Leadbell's event types.
var allLiveTypes = []string{"EMAIL_SENT", "EMAIL_OPEN", "EMAIL_LINK_CLICK", "EMAIL_REPLY", "EMAIL_BOUNCE", "LEAD_UNSUBSCRIBED", "LEAD_CATEGORY_UPDATED"}

// saveCampaignHook saves a campaign webhook through the per-campaign API
// (id "" creates) and returns its id.
func saveCampaignHook(t *testing.T, s *simulator.Server, cid, id, hookURL string, types []string) string {
	t.Helper()
	if types == nil {
		types = allLiveTypes
	}
	var wireID any
	if id != "" {
		wireID = json.Number(id)
	}
	var ans struct {
		ID json.Number `json:"id"`
	}
	mustCall(t, s, "POST", "/campaigns/"+cid+"/webhooks", jsonOf(t, map[string]any{"id": wireID, "name": "Leadbell",
		"webhook_url": hookURL, "event_types": types, "categories": allCategories(s)}), &ans)
	return ans.ID.String()
}

// createGlobalHook creates a webhook through the global API; extra adds
// or overrides body fields.
func createGlobalHook(t *testing.T, s *simulator.Server, assoc, hookURL string, extra map[string]any) string {
	t.Helper()
	types := map[string]bool{}
	for _, n := range allLiveTypes {
		types[n] = true
	}
	body := map[string]any{"name": "Leadbell " + assoc, "webhook_url": hookURL, "association_type": assoc,
		"event_type_map": types, "categories": allCategories(s)}
	for k, v := range extra {
		body[k] = v
	}
	var ans struct {
		OK bool        `json:"ok"`
		ID json.Number `json:"id"`
	}
	mustCall(t, s, "POST", "/webhook/create", jsonOf(t, body), &ans)
	if !ans.OK || ans.ID == "" {
		t.Fatalf("create answered %+v", ans)
	}
	return fmt.Sprint(ans.ID)
}

func mustAtoi(t *testing.T, s string) int {
	t.Helper()
	var n int
	if _, err := fmt.Sscan(s, &n); err != nil {
		t.Fatalf("%q is not a number", s)
	}
	return n
}

// keysOf lists a JSON object's keys, sorted.
func keysOf(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// message is SmartLead's error body for msg, as the fake writes it.
func message(msg string) string {
	b, _ := json.Marshal(map[string]string{"message": msg})
	return string(b) + "\n"
}

// leadOf returns a lead of campaign cid.
func leadOf(t *testing.T, s *simulator.Server, cid string) simulator.Lead {
	t.Helper()
	for _, l := range s.Generator().Leads() {
		if l.CampaignID == cid {
			return l
		}
	}
	t.Fatalf("campaign %s has no leads", cid)
	return simulator.Lead{}
}
