package notify

import "time"

// clock is the notifier's view of time. The real one is package time; tests
// use a fake one that they advance by hand, so that grouping and quiet hours
// are checked without sleeping and without wall-clock assertions.
type clock interface {
	Now() time.Time
	AfterFunc(d time.Duration, f func()) stopper
}

// stopper cancels a pending AfterFunc; *time.Timer is one.
type stopper interface {
	Stop() bool
}

// realClock is the clock of the running app.
type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }

func (realClock) AfterFunc(d time.Duration, f func()) stopper { return time.AfterFunc(d, f) }
