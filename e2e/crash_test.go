package e2e

import (
	"bytes"
	"encoding/json"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/leadbell/leadbell/app/smartlead/simulator"
	"github.com/leadbell/leadbell/event"
)

// TestKill9LosesNoAcknowledgedEvent kills leadbell with SIGKILL in the
// middle of a burst of deliveries, restarts it, and finds every delivery it
// had answered 200, each stored once.
func TestKill9LosesNoAcknowledgedEvent(t *testing.T) {
	dir := t.TempDir()
	listen := freeAddr(t)
	args := []string{"serve", "--data", dir, "--ui", "127.0.0.1:0", "--tunnel", "none", "--listen", listen}
	p := start(t, nil, args...)
	hookURL := p.status().WebhookURL

	gen := simulator.NewGenerator(42)
	types := []event.Type{event.Sent, event.Opened, event.Clicked, event.Replied}
	const n = 20000
	bodies := make([][]byte, n)
	for i := range bodies {
		s := gen.Event(types[i%len(types)])
		if i%2 == 0 {
			bodies[i] = s.SpecJSON()
		} else {
			bodies[i] = s.LiveJSON("")
		}
	}

	var (
		acked   sync.Map // body index -> event id
		nAcked  atomic.Int64
		next    atomic.Int64
		wg      sync.WaitGroup
		killed  = make(chan struct{})
		killAt  = int64(1500)
		client  = &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
		killOne sync.Once
	)
	for range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next.Add(1) - 1
				if i >= n {
					return
				}
				resp, err := client.Post(hookURL, "application/json", bytes.NewReader(bodies[i]))
				if err != nil {
					select {
					case <-killed:
						return // the process is gone: the rest was never acknowledged
					default:
						continue
					}
				}
				var answer struct{ Status, ID string }
				err = json.NewDecoder(resp.Body).Decode(&answer)
				resp.Body.Close()
				if err == nil && resp.StatusCode == 200 && answer.Status == "received" {
					acked.Store(i, answer.ID)
					if nAcked.Add(1) == killAt {
						killOne.Do(func() { p.kill(); close(killed) })
					}
				}
			}
		}()
	}
	wg.Wait()
	killOne.Do(func() { p.kill(); close(killed) })
	if nAcked.Load() < killAt {
		t.Fatalf("only %d deliveries acknowledged before the burst ended", nAcked.Load())
	}

	p = start(t, nil, args...)
	ids := map[string]bool{}
	missing := 0
	acked.Range(func(k, v any) bool {
		var ev eventJSON
		if code := p.getJSON("/api/events/"+v.(string), &ev); code != 200 {
			missing++
		}
		ids[v.(string)] = true
		return true
	})
	if missing > 0 {
		t.Fatalf("%d of %d acknowledged events are missing after kill -9", missing, nAcked.Load())
	}
	if len(ids) != int(nAcked.Load()) {
		t.Fatalf("%d acknowledged deliveries share %d ids: distinct events were merged", nAcked.Load(), len(ids))
	}
	// Redelivering what was acknowledged stores nothing new.
	before := p.status()
	acked.Range(func(k, v any) bool {
		resp, err := client.Post(p.status().WebhookURL, "application/json", bytes.NewReader(bodies[k.(int64)]))
		if err != nil {
			t.Fatal(err)
		}
		var answer struct{ ID string }
		json.NewDecoder(resp.Body).Decode(&answer)
		resp.Body.Close()
		if answer.ID != v.(string) {
			t.Fatalf("redelivery of an acknowledged event got id %q, want %q", answer.ID, v)
		}
		return k.(int64) < 300 // a sample is enough
	})
	after := p.status()
	if total(after) != total(before) {
		t.Fatalf("redelivery changed the stored total from %d to %d", total(before), total(after))
	}
	t.Logf("acknowledged %d deliveries before kill -9; all %d found after restart", nAcked.Load(), len(ids))
	p.stop()
}

func total(st status) int {
	n := 0
	for _, c := range st.Counts {
		n += c
	}
	return n
}
