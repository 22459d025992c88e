package store

import (
	"errors"
	"sync"
	"syscall"
)

// Faults makes the store's writes fail as a failing disk makes them fail,
// so that what Leadbell does then can be tested without filling a real
// disk: set on Options.Faults. The zero value injects nothing.
//
// A full disk (ENOSPC) fails what needs new blocks: growing a log file and
// bbolt's commits (which grow the file, or rewrite pages a copy-on-write
// file system must allocate); writing into a log file's prepared zeros
// still works, as it does on a real full disk. Any other error (EROFS,
// EIO) fails every write.
type Faults struct {
	mu  sync.Mutex
	err error
}

// Fail makes the writes fail with err from now on; nil heals the disk.
func (f *Faults) Fail(err error) {
	f.mu.Lock()
	f.err = err
	f.mu.Unlock()
}

// Write kinds Faults tells apart.
const (
	faultGrow   = iota // new blocks for a log file
	faultWrite         // into a log file's prepared blocks
	faultCommit        // a bbolt commit
)

// check returns the error a write of kind meets now.
func (f *Faults) check(kind int) error {
	if f == nil {
		return nil
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err == nil || (kind == faultWrite && errors.Is(f.err, syscall.ENOSPC)) {
		return nil
	}
	return f.err
}
