package testkit

import (
	"sync/atomic"
	"testing"
)

func TestPollReturnsTheFirstAcceptedValue(t *testing.T) {
	var n atomic.Int32
	got := Poll(t, "the third call", func() int32 { return n.Add(1) }, func(v int32) bool { return v >= 3 })
	if got != 3 {
		t.Fatalf("Poll returned %d, want 3", got)
	}
	calls := 0
	WaitFor(t, "a condition that holds at once", func() bool { calls++; return true })
	if calls != 1 {
		t.Fatalf("WaitFor looked %d times at a condition that held at once", calls)
	}
}
