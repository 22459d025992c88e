package engine

import (
	"context"
	"log/slog"
	"net"
	"slices"
	"strings"
	"time"
)

// Wake detection. A laptop that slept has been deaf for as long as it
// slept, and its tunnel is often dead without knowing it yet: the watchdog
// must check at once, not at its next period. Go cannot ask the OS whether
// it slept, but every time.Now() carries two clocks: the wall clock, which
// runs on while the machine sleeps, and the monotonic clock, which (on
// Linux and macOS) stands still meanwhile. Reading both every few seconds,
// a wall clock that moved well past the monotonic one means a sleep. Where
// the monotonic clock counts sleep as well, the reading itself comes
// late, which is the second test. A change of the machine's network
// addresses (another Wi-Fi, a VPN, a cable) also calls for a check.

// wakeReason says why the watchdog should check at once.
type wakeReason string

const (
	wakeSlept   wakeReason = "slept"   // the machine slept or this process was frozen
	wakeNetwork wakeReason = "network" // the machine's addresses changed
)

// wakeEvent is one detected wake.
type wakeEvent struct {
	reason wakeReason
	slept  time.Duration // how long the clocks say it was away (wakeSlept)
}

// wakeClock reads the wall clock (without its monotonic reading) and a
// monotonic clock. Tests replace it to make the clocks jump.
type wakeClock interface {
	Now() (wall time.Time, mono time.Duration)
}

// systemClock is the machine's clocks; mono counts from start.
type systemClock struct{ start time.Time }

func (c systemClock) Now() (time.Time, time.Duration) {
	now := time.Now()
	return now.Round(0), now.Sub(c.start)
}

// wakeWatch says how wakes are detected; the zero value is filled in by
// setDefaults.
type wakeWatch struct {
	clock     wakeClock
	every     time.Duration // how often to read the clocks
	threshold time.Duration // a jump larger than this is a sleep
	// ticks starts a ticker of period d; stop ends it. Tests hand out a
	// channel of their own.
	ticks func(d time.Duration) (c <-chan time.Time, stop func())
	// addrs fingerprints the machine's network addresses; nil checks none.
	addrs func() (string, error)
}

// Default wake detection: read the clocks every 5 s; a jump of more than
// 15 s is a sleep (a busy machine delays a ticker by milliseconds, and NTP
// slews the clock instead of stepping it).
const (
	defaultWakeEvery     = 5 * time.Second
	defaultWakeThreshold = 15 * time.Second
)

func (w *wakeWatch) setDefaults() {
	if w.clock == nil {
		w.clock = systemClock{start: time.Now()}
	}
	if w.every <= 0 {
		w.every = defaultWakeEvery
	}
	if w.threshold <= 0 {
		w.threshold = defaultWakeThreshold
	}
	if w.ticks == nil {
		w.ticks = func(d time.Duration) (<-chan time.Time, func()) {
			t := time.NewTicker(d)
			return t.C, t.Stop
		}
	}
}

// run reports wakes on out until ctx ends. A wake is dropped when one is
// already waiting: the check it asks for is the same.
func (w wakeWatch) run(ctx context.Context, out chan<- wakeEvent, log *slog.Logger) {
	ticks, stop := w.ticks(w.every)
	defer stop()
	d := wakeDetector{watch: w}
	d.observe() // the first reading is the baseline
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticks:
		}
		ev, ok := d.observe()
		if !ok {
			continue
		}
		log.Info("wake detected", "reason", string(ev.reason), "away", ev.slept.Round(time.Second))
		select {
		case out <- ev:
		default:
		}
	}
}

// wakeDetector compares each reading of the clocks and addresses with the
// one before.
type wakeDetector struct {
	watch   wakeWatch
	started bool
	wall    time.Time
	mono    time.Duration
	addrs   string
}

// observe takes a reading and reports the wake it reveals, if any.
func (d *wakeDetector) observe() (wakeEvent, bool) {
	wall, mono := d.watch.clock.Now()
	addrs := d.addrs
	if d.watch.addrs != nil {
		if a, err := d.watch.addrs(); err == nil {
			addrs = a
		}
	}
	prevWall, prevMono, prevAddrs, started := d.wall, d.mono, d.addrs, d.started
	d.wall, d.mono, d.addrs, d.started = wall, mono, addrs, true
	if !started {
		return wakeEvent{}, false
	}
	monoDelta := mono - prevMono
	skew := wall.Sub(prevWall) - monoDelta
	switch {
	case skew > d.watch.threshold:
		// The wall clock ran on while the monotonic one stood still.
		return wakeEvent{reason: wakeSlept, slept: skew}, true
	case monoDelta > d.watch.every+d.watch.threshold:
		// Both ran, but this reading came far too late.
		return wakeEvent{reason: wakeSlept, slept: monoDelta - d.watch.every}, true
	case addrs != prevAddrs:
		return wakeEvent{reason: wakeNetwork}, true
	}
	return wakeEvent{}, false
}

// interfaceAddrs fingerprints the addresses of the interfaces that are up,
// loopback and link-local ones left out (they say nothing about the way
// out).
func interfaceAddrs() (string, error) {
	ifs, err := net.Interfaces()
	if err != nil {
		return "", err
	}
	var parts []string
	for _, ifc := range ifs {
		if ifc.Flags&net.FlagUp == 0 || ifc.Flags&net.FlagLoopback != 0 {
			continue
		}
		addrs, err := ifc.Addrs()
		if err != nil {
			continue
		}
		for _, a := range addrs {
			ipn, ok := a.(*net.IPNet)
			if !ok || ipn.IP.IsLinkLocalUnicast() {
				continue
			}
			parts = append(parts, ifc.Name+"="+ipn.String())
		}
	}
	slices.Sort(parts)
	return strings.Join(parts, ","), nil
}
