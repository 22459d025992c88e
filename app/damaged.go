package app

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/leadbell/leadbell/app/smartlead"
	"github.com/leadbell/leadbell/store"
)

// DamagedError is what Start returns when the data file cannot be read
// (store.ErrDamaged) and the user has not agreed to start fresh. Nothing
// in the file was changed.
type DamagedError struct {
	Path  string // the data file
	cause error
}

func (e *DamagedError) Error() string {
	// What bbolt found, without the store's own words around it.
	found := strings.TrimPrefix(e.cause.Error(), fmt.Sprintf("%v: %s: ", store.ErrDamaged, e.Path))
	found = strings.TrimPrefix(found, "panic: ")
	return fmt.Sprintf("the data file %s is damaged and cannot be read (%s). Nothing in it was changed. "+
		"To keep it aside for recovery and start with an empty inbox, run again with --start-fresh.", e.Path, found)
}

func (e *DamagedError) Unwrap() error { return e.cause }

// openStore opens the data directory's store. A damaged file is moved
// aside (never deleted) and a new one made only when cfg.StartFresh says
// the user agreed; otherwise it is a DamagedError.
func openStore(cfg Config) (*store.Store, error) {
	path := filepath.Join(cfg.DataDir, DBFile)
	opts := store.Options{Timeout: time.Second, Logger: cfg.Logger, RedactRejected: redactSecret}
	st, err := store.Open(path, opts)
	if !errors.Is(err, store.ErrDamaged) {
		return st, err
	}
	if !cfg.StartFresh {
		return nil, &DamagedError{Path: path, cause: err}
	}
	aside, merr := store.MoveAside(path, time.Now())
	if merr != nil {
		return nil, fmt.Errorf("%w; and it could not be kept aside: %w", &DamagedError{Path: path, cause: err}, merr)
	}
	cfg.Logger.Warn("the data file was damaged; it is kept aside and Leadbell starts with an empty inbox",
		"kept", aside, "error", err)
	return store.Open(path, opts)
}

// redactSecret is smartlead.Redact for the store's rejected log.
func redactSecret(body []byte) []byte { return smartlead.Redact(body) }
