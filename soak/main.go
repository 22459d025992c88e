// Command soak runs `leadbell serve` under mixed traffic for ten minutes
// and checks that it lost nothing and did not grow.
//
//	go run ./soak                      (make soak)
//	SOAK_DURATION=2m go run ./soak
//	go run ./soak -duration 1m -bin build/bin/leadbell
//
// Genuine deliveries, made by the SmartLead simulator's generator, arrive at
// the path token Leadbell registered, in both payload shapes, out of order,
// some twice, and are retried until acknowledged, as SmartLead does. Most
// are signed with the webhook secret; some carry another secret (one
// mistyped in SmartLead) or none, which the path token alone vouches for:
// they too must be acknowledged and stored, and the status must warn about
// the secret. Beside them run forgeries (real-looking deliveries to a
// guessed path token, anonymous and junk bodies to the right one), bodies
// over 1 MiB, slowloris connections and bursts of silent ones; none may be
// answered 200. Halfway through, leadbell is killed with SIGKILL and
// started again on the same data. At the end every event is delivered once
// more and must be stored exactly once, verified as it was sent, and the
// resident memory of the restarted process, sampled every second, must not
// have grown from the first third of the second half to the last.
package main

import (
	"context"
	"flag"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/leadbell/leadbell/app/smartlead/simulator"
)

// secret is the webhook secret shared by the simulator and leadbell.
const secret = "soak-webhook-secret"

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "soak:", err)
		os.Exit(1)
	}
}

type options struct {
	duration          time.Duration
	bin               string
	rate, forged, slw int
	keep              bool
}

func parseOptions() (options, error) {
	def := 10 * time.Minute
	if v := os.Getenv("SOAK_DURATION"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			return options{}, fmt.Errorf("SOAK_DURATION: %w", err)
		}
		def = d
	}
	var o options
	flag.DurationVar(&o.duration, "duration", def, "how long the traffic runs (or SOAK_DURATION)")
	flag.StringVar(&o.bin, "bin", "", "a leadbell binary to run (default: build one)")
	flag.IntVar(&o.rate, "rate", 40, "genuine events a second")
	flag.IntVar(&o.forged, "forged", 200, "forged requests a second")
	flag.IntVar(&o.slw, "slow", 100, "slowloris connections kept open")
	flag.BoolVar(&o.keep, "keep", false, "keep the data directory and log")
	flag.Parse()
	if o.duration < 20*time.Second {
		return o, fmt.Errorf("a duration of %v is too short to kill and restart in the middle (20s at least)", o.duration)
	}
	return o, nil
}

func run() error {
	o, err := parseOptions()
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "leadbell-soak-")
	if err != nil {
		return err
	}
	logPath := filepath.Join(tmp, "leadbell.log")
	failed := true
	defer func() {
		if failed || o.keep {
			fmt.Printf("data and log kept in %s\n", tmp)
			return
		}
		os.RemoveAll(tmp)
	}()
	if o.bin == "" {
		if o.bin, err = buildLeadbell(tmp); err != nil {
			return err
		}
	}

	sim := simulator.NewServer(simulator.Options{Family: simulator.FamilyLive, Secret: secret, Seed: 1, RetryDelays: []time.Duration{}})
	defer sim.Close()
	listen, err := freeAddr()
	if err != nil {
		return err
	}
	env := []string{"SMARTLEAD_API_KEY=" + sim.APIKey(), "LEADBELL_WEBHOOK_SECRET=" + secret}
	args := []string{"serve", "--data", filepath.Join(tmp, "data"), "--ui", "127.0.0.1:0", "--tunnel", "none",
		"--listen", listen, "--smartlead-url", sim.URL(), "--watchdog", "30s"}
	p, err := startLeadbell(o.bin, env, args, logPath)
	if err != nil {
		return err
	}
	defer func() {
		if done, _ := p.exited(); !done {
			p.kill()
		}
	}()
	ctx := context.Background()
	st, err := p.waitListening(ctx)
	if err != nil {
		return err
	}
	hookURL, err := url.Parse(st.WebhookURL)
	if err != nil {
		return err
	}
	fmt.Printf("Leadbell soak: %v of mixed traffic against %s (pid %d), kill -9 at %v\n",
		o.duration, o.bin, p.pid(), o.duration/2)

	traffic, stop := context.WithTimeout(ctx, o.duration)
	defer stop()
	began := time.Now()
	g := newGenuine(simulator.NewGenerator(2026), secret, st.WebhookURL, 7)
	h := newHostile(st.WebhookURL, listen, hookURL.Path)
	var wg sync.WaitGroup
	wg.Go(func() { g.produce(traffic, o.rate) })
	wg.Go(func() { g.deliverAll(traffic, 8) })
	wg.Go(func() { h.run(traffic, o.forged, o.slw) })

	r := &runner{o: o, g: g, h: h, began: began}
	p, err = r.watch(traffic, p, func() (*leadbell, error) { return startLeadbell(o.bin, env, args, logPath) })
	wg.Wait()
	if err != nil {
		return err
	}

	fmt.Printf("traffic over after %v; delivering every event once more and checking the store\n", time.Since(began).Round(time.Second))
	v := checkStoredOnce(ctx, p, g)
	if want := int(g.mismatched.Load() + g.unsigned.Load()); v.byURLToken != want {
		v.fail("%d events stored as verified by their path token alone, want the %d sent with another secret or none", v.byURLToken, want)
	}
	var end status
	if err := p.getJSON(ctx, "/api/status", &end); err != nil {
		v.fail("%v", err)
	} else {
		if g.mismatched.Load() > 0 && !end.warned("secret_mismatch") {
			v.fail("the status does not warn about deliveries with another secret: %+v", end.Warnings)
		}
		if end.ConfirmedAt == nil {
			v.fail("the status has no confirmed_at after SmartLead's deliveries")
		}
	}
	mem := memoryGrowth(r.samples)
	if err := p.stop(); err != nil {
		v.fail("%v", err)
	}
	lines, forgedAccepted := h.summary()
	if forgedAccepted > 0 {
		v.fail("%d hostile requests were answered 200", forgedAccepted)
	}
	if n := unexpectedTotal(g); n > 0 {
		v.fail("%d genuine deliveries got an answer other than 200 or 503", n)
	}
	if mem.samples < 6 {
		v.fail("only %d memory samples: run longer", mem.samples)
	} else if mem.grew() {
		v.fail("anonymous memory grew from %d to %d KiB", mem.firstAnon, mem.lastAnon)
	}
	r.print(v, mem, lines)
	if len(v.failures) > 0 {
		return fmt.Errorf("FAIL: %d problem(s), see above (leadbell's log: %s)", len(v.failures), logPath)
	}
	failed = false
	fmt.Println("PASS")
	return nil
}

func unexpectedTotal(g *genuine) int64 {
	var n int64
	g.unexpected.Range(func(_, v any) bool {
		n += v.(*atomic.Int64).Load()
		return true
	})
	return n
}

func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

func kib(n int) string { return fmt.Sprintf("%.1f MiB", float64(n)/1024) }

func indent(lines []string) string { return "    " + strings.Join(lines, "\n    ") }
