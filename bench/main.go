// Command bench measures Leadbell where it matters and prints tables: the
// triage's precision and recall per class on its labelled replies, durable
// ingest beside a bare Go handler, the first inbox page and a search over a
// large store, bytes on disk per event, and peak memory.
//
//	go run ./bench                    (make bench)
//	BENCH_EVENTS=200000 go run ./bench
//	BENCH_SECONDS=5 BENCH_CACHE=/tmp/lb-bench go run ./bench
//	BENCH_INGEST_ONLY=1 go run ./bench   (the ingest table alone)
//	BENCH_SHAPE=live go run ./bench      (live-shape deliveries, secret in the body)
package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"time"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func run() error {
	events := envInt("BENCH_EVENTS", 1_000_000)
	seconds := envInt("BENCH_SECONDS", 3)
	tmp, err := os.MkdirTemp("", "leadbell-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	cache := os.Getenv("BENCH_CACHE") // keeps the seeded store between runs
	if cache == "" {
		cache = filepath.Join(tmp, "store")
	}
	cache = filepath.Join(cache, strconv.Itoa(events))

	fmt.Printf("Leadbell bench — %s, %d CPUs\n\n", time.Now().Format("2006-01-02 15:04"), runtime.NumCPU())
	if os.Getenv("BENCH_INGEST_ONLY") == "" {
		if err := benchTriage(); err != nil {
			return err
		}
	}
	live := os.Getenv("BENCH_SHAPE") == "live"
	shape := "signed spec-shape"
	if live {
		shape = "live-shape (secret_key in the body)"
	}
	fmt.Printf("Ingest: %s replies over loopback HTTP, %ds per row; leadbell = verify, parse, dedupe, fsync'd write-ahead log (group commit), then 200\n\n", shape, seconds)
	bare, full, err := benchIngest(tmp, []int{1, 32, 128}, time.Duration(seconds)*time.Second, live)
	if err != nil {
		return err
	}
	fmt.Println("| conns | bare events/s | bare p50 | bare p99 | leadbell events/s | leadbell p50 | leadbell p99 | leadbell/bare |")
	fmt.Println("|---:|---:|---:|---:|---:|---:|---:|---:|")
	for i := range bare {
		b, f := bare[i], full[i]
		fmt.Printf("| %d | %.0f | %s | %s | %.0f | %s | %s | %.0f%% |\n", b.conns, b.rate, ms(b.p50), ms(b.p99), f.rate, ms(f.p50), ms(f.p99), 100*f.rate/b.rate)
		if b.errors+f.errors > 0 {
			fmt.Printf("|   | (%d bare errors, %d leadbell errors) |\n", b.errors, f.errors)
		}
	}

	if os.Getenv("BENCH_INGEST_ONLY") != "" {
		return nil
	}
	// Built after the ingest table, which does not need the binary.
	bin := filepath.Join(tmp, "leadbell")
	build := exec.Command("go", "build", "-o", bin, "github.com/leadbell/leadbell")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		return fmt.Errorf("building leadbell: %w", err)
	}

	fmt.Printf("\nQueries: `leadbell serve` over a store of %d events (first page: median of 21, max shown; search: median of 5)\n\n", events)
	if err := os.MkdirAll(cache, 0o700); err != nil {
		return err
	}
	q, err := benchQueries(bin, cache, events)
	if err != nil {
		return err
	}
	fmt.Println("| measure | value |")
	fmt.Println("|---|---:|")
	fmt.Printf("| first inbox page (50 events) | %s (max %s) |\n", ms(q.firstPage), ms(q.firstPageMax))
	fmt.Printf("| search, rare word (%d hits, full scan) | %s |\n", q.searchHits, ms(q.search))
	fmt.Printf("| search, common word (first 50 hits) | %s |\n", ms(q.commonSearch))
	fmt.Printf("| bytes on disk per event | %.0f |\n", q.bytesPerEvent)
	fmt.Printf("| peak RSS of leadbell serve | %.1f MB |\n", float64(q.peakRSS)/1e6)
	return nil
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d.Microseconds())/1000) }

func envInt(key string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(key)); err == nil && v > 0 {
		return v
	}
	return def
}
