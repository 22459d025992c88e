package engine

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/leadbell/leadbell/app/api"
	"github.com/leadbell/leadbell/app/smartlead"
	"github.com/leadbell/leadbell/app/smartlead/simulator"
	"github.com/leadbell/leadbell/internal/testkit"
)

// wakeTestClock is a wall and a monotonic clock that a test moves by hand.
type wakeTestClock struct {
	mu    sync.Mutex
	wall  time.Time
	mono  time.Duration
	addrs string
}

func newWakeTestClock() *wakeTestClock {
	return &wakeTestClock{wall: time.Date(2025, 6, 2, 9, 0, 0, 0, time.UTC), addrs: "wlan0=192.168.1.20/24"}
}

func (c *wakeTestClock) Now() (time.Time, time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.wall, c.mono
}

// advance moves the wall clock by wall and the monotonic clock by mono.
func (c *wakeTestClock) advance(wall, mono time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.wall, c.mono = c.wall.Add(wall), c.mono+mono
}

func (c *wakeTestClock) setAddrs(a string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.addrs = a
}

func (c *wakeTestClock) Addrs() (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.addrs, nil
}

// watch is a wake watch on c whose ticks the test sends.
func (c *wakeTestClock) watch(ticks chan time.Time) wakeWatch {
	w := wakeWatch{clock: c, addrs: c.Addrs, every: 5 * time.Second, threshold: 15 * time.Second,
		ticks: func(time.Duration) (<-chan time.Time, func()) { return ticks, func() {} }}
	w.setDefaults()
	return w
}

func TestWakeDetector(t *testing.T) {
	tests := []struct {
		name       string
		wall, mono time.Duration // how far each clock moved between two readings
		addrs      string
		want       wakeReason // "" for no wake
		slept      time.Duration
	}{
		{name: "a normal tick", wall: 5 * time.Second, mono: 5 * time.Second},
		{name: "a late tick on a busy machine", wall: 7 * time.Second, mono: 7 * time.Second},
		{name: "the clock stepped back", wall: -time.Hour, mono: 5 * time.Second},
		{name: "a small NTP step", wall: 15 * time.Second, mono: 5 * time.Second},
		{name: "asleep for 40 minutes", wall: 40*time.Minute + 5*time.Second, mono: 5 * time.Second, want: wakeSlept, slept: 40 * time.Minute},
		{name: "asleep where the monotonic clock counts sleep", wall: 2 * time.Hour, mono: 2 * time.Hour, want: wakeSlept, slept: 2*time.Hour - 5*time.Second},
		{name: "another network", wall: 5 * time.Second, mono: 5 * time.Second, addrs: "wlan0=10.0.0.7/24", want: wakeNetwork},
		{name: "asleep and another network", wall: time.Hour, mono: 5 * time.Second, addrs: "wlan0=10.0.0.7/24", want: wakeSlept, slept: time.Hour - 5*time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newWakeTestClock()
			d := wakeDetector{watch: c.watch(nil)}
			if _, ok := d.observe(); ok {
				t.Fatal("the first reading reported a wake")
			}
			c.advance(tt.wall, tt.mono)
			if tt.addrs != "" {
				c.setAddrs(tt.addrs)
			}
			got, ok := d.observe()
			if ok != (tt.want != "") || got.reason != tt.want || got.slept != tt.slept {
				t.Fatalf("observe = %+v, %v; want %q (slept %s)", got, ok, tt.want, tt.slept)
			}
			if _, ok := d.observe(); ok {
				t.Error("the same wake was reported twice")
			}
		})
	}
}

// A wake (simulated by moving the clocks, not by sleeping) makes the
// watchdog check at once: a webhook deleted behind Leadbell's back is back
// long before the hour-long period is over.
func TestWakeChecksAtOnce(t *testing.T) {
	tests := []struct {
		name string
		wake func(c *wakeTestClock)
	}{
		{"after a sleep", func(c *wakeTestClock) { c.advance(25*time.Minute, 5*time.Second) }},
		{"after a network change", func(c *wakeTestClock) { c.advance(5*time.Second, 5*time.Second); c.setAddrs("eth0=10.1.2.3/16") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sim := simulator.NewServer(simulator.Options{NoTestEvents: true})
			defer sim.Close()
			e := newEngine(t, sim, sim.APIKey(), "", sim.Campaigns()[0].ID)
			e.cfg.Watchdog = time.Hour
			clock, ticks := newWakeTestClock(), make(chan time.Time)
			e.wake = clock.watch(ticks)
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan struct{})
			go func() { defer close(done); e.Run(ctx) }()
			defer func() { cancel(); <-done }()
			waitEngineState(t, e, api.StateListening)

			hooks := enabledHooks(sim)
			if len(hooks) != 1 {
				t.Fatalf("%d hooks, want 1", len(hooks))
			}
			sim.RemoveWebhook(hooks[0].ID)
			ticks <- time.Now() // an ordinary tick: taken once the baseline is read
			tt.wake(clock)
			ticks <- time.Now()
			testkit.Poll(t, "the deleted webhook recreated after the wake", func() []smartlead.Webhook { return enabledHooks(sim) },
				func(h []smartlead.Webhook) bool {
					return len(h) == 1 && h[0].URL == e.HookURL() && h[0].ID != hooks[0].ID
				})
			waitEngineState(t, e, api.StateListening)
		})
	}
}

// waitEngineState polls the engine's status until it is state.
func waitEngineState(t *testing.T, e *Engine, state string) api.Status {
	t.Helper()
	return testkit.Poll(t, "state "+state, e.Status, func(st api.Status) bool { return st.State == state })
}
