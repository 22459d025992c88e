// Package testkit holds what the tests of several packages share, as
// bbolt's btesting does: waiting for something to happen, with a deadline.
// Tests synchronise on events; where the only event is a state that can be
// read, they poll it with WaitFor or Poll, never with a bare sleep.
package testkit

import (
	"testing"
	"time"
)

// Deadline is how long WaitFor and Poll wait before failing the test. It
// only bounds a failing test (CI machines are slow); nothing is asserted
// about how long a passing wait took.
const Deadline = 30 * time.Second

// interval is how often a condition is looked at.
const interval = 5 * time.Millisecond

// WaitFor polls cond until it holds, failing tb with what after Deadline.
func WaitFor(tb testing.TB, what string, cond func() bool) {
	tb.Helper()
	Poll(tb, what, func() bool { return cond() }, func(ok bool) bool { return ok })
}

// Poll calls get until ok accepts what it returns, and returns that; after
// Deadline it fails tb with what and the last value got.
func Poll[T any](tb testing.TB, what string, get func() T, ok func(T) bool) T {
	tb.Helper()
	deadline := time.Now().Add(Deadline)
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		v := get()
		if ok(v) {
			return v
		}
		if time.Now().After(deadline) {
			tb.Fatalf("waited %v for %s; last seen: %+v", Deadline, what, v)
		}
		<-tick.C
	}
}
