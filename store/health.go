package store

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"sync"
	"syscall"
	"time"
)

// When the disk fails (no space left, a file system turned read-only, an
// I/O error, the data folder removed), the store keeps answering reads
// from what it has, and:
//
//   - events keep being taken while the log has room prepared for them:
//     a log file is zero-filled when it is made (wal.go), so writing into
//     it needs no new blocks, and the two files carry walSegment*2 bytes
//     of events (about 6,000 deliveries of a typical 1.3 KB) while bbolt
//     cannot apply them;
//   - past that room the log would have to grow, which it tries no more
//     often than the back-off allows: meanwhile Append fails at once with
//     ErrCannotSave, which the receiver answers 503 with Retry-After, and
//     nothing answered is lost;
//   - the writer retries bbolt with a back-off (100 ms doubling to 5 s),
//     draining its queue meanwhile so that nobody blocks on it;
//   - Health says what is wrong, and HealthChanged tells whoever watches,
//     once when it starts and once when it ends; the log says it once when
//     it starts, every five minutes while it lasts and once when it ends.

// ErrCannotSave is returned by Append while the disk cannot take new events
// (see Health): nothing was written, and the same event may be appended
// again later.
var ErrCannotSave = errors.New("store: unable to save new events now")

// Problems a Health can report.
const (
	ProblemDiskFull = "disk_full" // no space left (or over quota)
	ProblemReadOnly = "read_only" // the file system turned read-only
	ProblemIO       = "io_error"  // the disk reported an error
	ProblemRemoved  = "removed"   // the data folder or file was removed
)

// Health is what stops the store from saving new events, if anything.
type Health struct {
	// Problem is one of the Problem constants, or "" when writes work.
	Problem string
	// Since is when the problem started.
	Since time.Time
	// Err is the last error behind it.
	Err error
}

// OK reports whether nothing stops the store from saving.
func (h Health) OK() bool { return h.Problem == "" }

// problemOf names the problem behind a failed write.
func problemOf(err error) string {
	var errno syscall.Errno
	switch {
	case errors.Is(err, syscall.ENOSPC), errors.Is(err, syscall.EDQUOT):
		return ProblemDiskFull
	case runtime.GOOS == "windows" && errors.As(err, &errno) && (errno == 39 || errno == 112):
		// ERROR_HANDLE_DISK_FULL, ERROR_DISK_FULL
		return ProblemDiskFull
	case errors.Is(err, syscall.EROFS):
		return ProblemReadOnly
	case errors.Is(err, os.ErrNotExist):
		return ProblemRemoved
	}
	return ProblemIO
}

// retryable reports whether a failed write of the log may be tried again
// at the same place: it wrote nothing the kernel could have lost (unlike a
// failed sync) and the cause can pass.
func retryable(err error) bool {
	switch problemOf(err) {
	case ProblemDiskFull, ProblemReadOnly:
		return true
	}
	return false
}

// Back-off of the retries of a failing disk.
const (
	retryFirst = 100 * time.Millisecond
	retryMax   = 5 * time.Second
	// problemLogEvery is how often a lasting problem is logged again.
	problemLogEvery = 5 * time.Minute
)

// backoff is the delay before the retry that follows attempts failures.
func backoff(attempts int) time.Duration {
	d := retryFirst
	for range min(attempts, 16) {
		d *= 2
		if d >= retryMax {
			return retryMax
		}
	}
	return d
}

// health tracks the problems of the store's two writers (the log and
// bbolt) and the data folder's presence; the store's Health is the first
// of them.
type health struct {
	mu       sync.Mutex
	sources  map[string]*problem // "log", "db", "folder"
	changed  chan struct{}       // closed and replaced at each change
	reported Health              // what was last reported
	lastLog  time.Time           // when the problem was last logged
	logf     func(level string, msg string, args ...any)
}

type problem struct {
	h        Health
	attempts int
}

func newHealth(logf func(level, msg string, args ...any)) *health {
	return &health{sources: map[string]*problem{}, changed: make(chan struct{}), logf: logf}
}

// fail records that source's write failed with err, and returns how many
// attempts have failed in a row.
func (h *health) fail(source string, err error, now time.Time) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	p := h.sources[source]
	if kind := problemOf(err); p == nil || p.h.Problem != kind {
		p = &problem{h: Health{Problem: kind, Since: now}}
		h.sources[source] = p
	}
	p.h.Err = err
	p.attempts++
	h.reportLocked(now)
	if cur := h.currentLocked(); now.Sub(h.lastLog) >= problemLogEvery {
		h.logf("warn", "still unable to save new events", "problem", cur.Problem,
			"for", now.Sub(cur.Since).Round(time.Second), "attempts", p.attempts, "error", cur.Err)
		h.lastLog = now
	}
	return p.attempts
}

// ok records that source's write worked.
func (h *health) ok(source string, now time.Time) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.sources[source] == nil {
		return
	}
	delete(h.sources, source)
	h.reportLocked(now)
}

// failing reports source's problem, if any, and how many attempts failed.
func (h *health) failing(source string) (Health, int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if p := h.sources[source]; p != nil {
		return p.h, p.attempts
	}
	return Health{}, 0
}

// current is what stops the store from saving, if anything.
func (h *health) current() Health {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.currentLocked()
}

// currentLocked is the problem of the first failing source (the folder,
// the log, then bbolt), since the first of them failed.
func (h *health) currentLocked() Health {
	var cur Health
	for _, src := range []string{"folder", "log", "db"} {
		p := h.sources[src]
		if p == nil {
			continue
		}
		if cur.OK() {
			cur = p.h
		}
		if p.h.Since.Before(cur.Since) {
			cur.Since = p.h.Since
		}
	}
	return cur
}

// reportLocked logs and wakes the watchers when the problem (not its
// last error) started, changed or ended: once each, whichever write met it.
func (h *health) reportLocked(now time.Time) {
	cur, was := h.currentLocked(), h.reported
	if cur.Problem == was.Problem && cur.Since.Equal(was.Since) {
		return
	}
	switch {
	case cur.OK():
		h.logf("info", "saving works again", "problem", was.Problem, "after", now.Sub(was.Since).Round(time.Millisecond))
	case was.OK():
		h.logf("error", "unable to save new events", "problem", cur.Problem, "error", cur.Err)
	case cur.Problem != was.Problem:
		h.logf("error", "unable to save new events, for another reason", "problem", cur.Problem, "error", cur.Err)
	}
	h.lastLog = now
	h.reported = cur
	close(h.changed)
	h.changed = make(chan struct{})
}

// Health reports what stops the store from saving new events, if anything.
func (s *Store) Health() Health { return s.health.current() }

// HealthChanged is closed when Health's problem next starts, changes or
// ends.
func (s *Store) HealthChanged() <-chan struct{} {
	s.health.mu.Lock()
	defer s.health.mu.Unlock()
	return s.health.changed
}

// folderCheckEvery is how often the store checks that its file is still
// where it was opened, and tries a failed log again when no delivery
// comes to try it.
const folderCheckEvery = time.Second

// watchFolder checks, every folderCheckEvery until the store closes, that
// the database file is still at its path. A data folder removed while
// Leadbell runs leaves the open files working, unlinked: whatever is
// written to them is gone at the next start. So the store stops taking
// events (ErrCannotSave) until the file is back, and says so; it never
// makes a new folder behind the user's back.
func (s *Store) watchFolder(opened os.FileInfo) {
	t := time.NewTicker(folderCheckEvery)
	defer t.Stop()
	for {
		select {
		case <-s.done:
			return
		case now := <-t.C:
			s.probeLog(now)
			info, err := os.Stat(s.path)
			switch {
			case err == nil && os.SameFile(info, opened):
				s.health.ok("folder", now)
			case err == nil:
				s.health.fail("folder", fmt.Errorf("%s is another file than the one opened: %w", s.path, os.ErrNotExist), now)
			case errors.Is(err, os.ErrNotExist):
				s.health.fail("folder", err, now)
			}
		}
	}
}

// probeLog tries the log again, once its back-off has passed, when its
// last write failed: so that the problem ends when the disk is back even
// if no delivery comes to find out.
func (s *Store) probeLog(now time.Time) {
	if h, _ := s.health.failing("log"); h.OK() || s.Failed() != nil {
		return
	}
	s.ingestGate.Lock() // the ingest goroutine owns the log between batches
	defer s.ingestGate.Unlock()
	if now.Before(s.logRetryAt) {
		return
	}
	if err := s.wal.probe(s.applied.Load()); err != nil {
		s.logRetryAt = now.Add(backoff(s.health.fail("log", err, now) - 1))
		return
	}
	s.health.ok("log", now)
}
