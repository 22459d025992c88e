package main

import (
	"context"
	"fmt"
	"time"
)

// runner watches leadbell while the traffic runs: it prints progress, kills
// and restarts leadbell halfway, and samples the restarted one's memory.
type runner struct {
	o     options
	g     *genuine
	h     *hostile
	began time.Time

	ackedBeforeKill int64
	downtime        time.Duration
	pids            []int
	samples         []memory
}

// watch runs until traffic ends and returns the leadbell then running.
func (r *runner) watch(traffic context.Context, p *leadbell, restart func() (*leadbell, error)) (*leadbell, error) {
	r.pids = append(r.pids, p.pid())
	killAt := time.After(r.o.duration / 2)
	sample := time.NewTicker(time.Second)
	defer sample.Stop()
	every := min(30*time.Second, max(r.o.duration/10, 5*time.Second))
	progress := time.NewTicker(every)
	defer progress.Stop()
	killed := false
	for {
		select {
		case <-traffic.Done():
			return p, nil
		case <-killAt:
			r.ackedBeforeKill = r.g.acks.Load()
			at := time.Now()
			p.kill()
			fmt.Printf("%7s  kill -9 pid %d after %d acknowledgements; restarting on the same data\n", r.elapsed(), p.pid(), r.ackedBeforeKill)
			next, err := restart()
			if err != nil {
				return p, err
			}
			if _, err := next.waitListening(traffic); err != nil && traffic.Err() == nil {
				return next, err
			}
			p, killed = next, true
			r.downtime = time.Since(at)
			r.pids = append(r.pids, p.pid())
			fmt.Printf("%7s  pid %d listening again after %v\n", r.elapsed(), p.pid(), r.downtime.Round(time.Millisecond))
		case <-sample.C:
			if done, err := p.exited(); done {
				return p, fmt.Errorf("soak: leadbell (pid %d) exited by itself: %v", p.pid(), err)
			}
			if killed {
				if m, err := readMemory(p.pid()); err == nil {
					r.samples = append(r.samples, m)
				}
			}
		case <-progress.C:
			m, _ := readMemory(p.pid())
			fmt.Printf("%7s  events %d, acknowledged %d, retries %d, queued %d; slow cut %d+%d; rss %s\n",
				r.elapsed(), len(r.g.all()), r.g.acks.Load(), r.g.retries.Load(), r.g.queue.len(),
				r.h.headerCuts.Load(), r.h.bodyTimeouts.Load(), kib(m.rss))
		}
	}
}

func (r *runner) elapsed() string { return time.Since(r.began).Round(time.Second).String() }

// print writes the summary.
func (r *runner) print(v verdict, mem growth, hostile []string) {
	g, h := r.g, r.h
	fmt.Println()
	fmt.Println("Summary")
	fmt.Printf("  traffic             %v (rate %d events/s, %d forged/s, %d slow connections)\n", r.o.duration, r.o.rate, r.o.forged, r.o.slw)
	fmt.Printf("  kill -9             pid %v; %d acknowledgements before it; back listening in %v\n", r.pids, r.ackedBeforeKill, r.downtime.Round(time.Millisecond))
	fmt.Printf("  genuine events      %d made (%d threads sent out of order), %d attempts, %d acknowledged (%d as duplicates)\n",
		v.events, g.reordered.Load(), g.attempts.Load(), g.acks.Load(), g.dupAcks.Load())
	fmt.Printf("                      %d sent twice on purpose, %d retried after no answer or 503\n", g.duplicates.Load(), g.retries.Load())
	fmt.Printf("                      %d made with another secret and %d with none: %d stored as verified by the path token\n",
		g.mismatched.Load(), g.unsigned.Load(), v.byURLToken)
	fmt.Printf("  final check         %d delivered once more: %d answered as the duplicate they were, %d acknowledged only now\n",
		v.redelivered, v.ackedDuring, v.newAtEnd)
	fmt.Printf("                      %d events listed by GET /api/events, for %d made\n", v.listed, v.events)
	fmt.Println("  hostile answers     (kind, status; 0 = no answer, as while leadbell was down; never 200)")
	fmt.Println(indent(hostile))
	fmt.Printf("  slow connections    %d cut off in their headers (the kill -9 included), %d answered 408 in their body\n", h.headerCuts.Load(), h.bodyTimeouts.Load())
	fmt.Printf("  silent connections  %d opened in bursts of 1,200, %d closed by leadbell within 2 s to make room\n", h.silentOpened.Load(), h.silentClosed.Load())
	fmt.Printf("  memory              %d samples of pid %d over the second half; mean of the first third -> last third:\n", mem.samples, r.pids[len(r.pids)-1])
	fmt.Printf("                      RssAnon %s -> %s (the verdict), VmRSS %s -> %s, RssFile %s -> %s (bbolt's map)\n",
		kib(mem.firstAnon), kib(mem.lastAnon), kib(mem.firstRSS), kib(mem.lastRSS), kib(mem.firstFile), kib(mem.lastFile))
	if len(v.failures) > 0 {
		fmt.Println("  problems")
		fmt.Println(indent(v.failures))
	}
}
