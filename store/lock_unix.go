//go:build !windows

package store

import (
	"errors"
	"fmt"
	"os"
	"syscall"
	"time"
)

// A store holds <db>.lock (flock) for its whole life, besides bbolt's own
// lock on the database file. bbolt's lock belongs to the file, and
// compaction renames a new file over the old one (compact.go): a second
// process waiting for the old file's lock would get it once the first
// moved on, and run beside it. The lock file is never renamed.

type fileLock struct{ f *os.File }

// lockFile takes the exclusive lock on path, waiting up to timeout for
// another process to let go of it (then ErrLocked).
func lockFile(path string, timeout time.Duration) (*fileLock, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("store: unable to open the lock file: %w", err)
	}
	deadline := time.Now().Add(timeout)
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		switch {
		case err == nil:
			return &fileLock{f: f}, nil
		case !errors.Is(err, syscall.EWOULDBLOCK):
			f.Close()
			return nil, fmt.Errorf("store: unable to lock %s: %w", path, err)
		case time.Now().After(deadline):
			f.Close()
			return nil, fmt.Errorf("%w: %s", ErrLocked, path)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// release lets go of the lock (closing the file drops it).
func (l *fileLock) release() error { return l.f.Close() }
