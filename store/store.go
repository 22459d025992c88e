package store

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

// Sentinel errors; check them with errors.Is.
var (
	// ErrNotFound is returned when an event or key does not exist.
	ErrNotFound = errors.New("store: not found")
	// ErrLocked is returned by Open when another process holds the file.
	ErrLocked = errors.New("store: database is locked by another process")
	// ErrClosed is returned by every method called after Close.
	ErrClosed = errors.New("store: closed")
	// ErrBadCursor is returned for a malformed Query.Before or After id.
	ErrBadCursor = errors.New("store: bad cursor")
)

// Bucket names. See doc.go for what each holds.
var (
	bucketEvents   = []byte("events")
	bucketByTime   = []byte("by_time")
	bucketJournal  = []byte("journal")
	bucketStrs     = []byte("strs")
	bucketMeta     = []byte("meta")
	bucketSettings = []byte("settings")
	bucketRejected = []byte("rejected")

	allBuckets = [][]byte{
		bucketEvents, bucketByTime,
		bucketJournal, bucketStrs, bucketMeta, bucketSettings, bucketRejected,
	}
)

const (
	// schemaVersion is kept in the meta bucket; Open upgrades a file of
	// schema 1 (see migrate.go) and refuses any other version.
	schemaVersion = 2
	// pageSize is the page size of a new file (store.go, Open).
	pageSize = 8192
	// queueSize is how many requests may wait for the writer.
	queueSize = 4096
	// maxBatch caps the events (or other requests) in one transaction so
	// that a transaction's dirty pages stay small.
	maxBatch = 2048

	// Mapped pages are released (see releaseMapped) every releaseEntries
	// entries a scan reads, every releaseBytes of strings a search reads,
	// and every releaseCommits commits, which bounds what reads and writes
	// leave resident to a few megabytes.
	releaseEntries = 1 << 16
	releaseBytes   = 8 << 20
	releaseCommits = 64
)

// Options configures Open.
type Options struct {
	// Timeout is how long Open waits for the file lock before failing with
	// ErrLocked. Zero means one second.
	Timeout time.Duration
	// Logger receives the store's own failures. Nil discards them.
	Logger *slog.Logger
}

// Store is Leadbell's bbolt database. All writes go through one writer
// goroutine (see writer.go); reads run concurrently in read transactions.
// Its methods are safe for concurrent use.
type Store struct {
	db   *bolt.DB
	path string
	log  *slog.Logger

	// mu guards closed and the sending side of ops: senders hold it for
	// reading, Close takes it for writing before it closes ops.
	mu     sync.RWMutex
	closed bool
	ops    chan op
	done   chan struct{} // closed when the writer has exited

	statsMu sync.Mutex
	stats   Stats // as of the last commit

	// Owned by the writer goroutine: the dedupe index and the journal's
	// last block (see dedupe.go and journal.go).
	dd      *dedupeIndex
	journal journalTail
	// strIdx maps interned strings to their ids; the writer adds to it,
	// reads look up campaign and lead IDs in it (see strindex.go).
	strIdx *strIndex

	linger time.Duration // the writer's longest wait for company (writer.go)

	rejected atomic.Uint64 // Reject calls since Open, dropped ones included
	commits  atomic.Uint64 // transactions the writer committed since Open
}

// Open opens (or creates) the database at path, creating its directory with
// mode 0700 and the file with mode 0600. If another process holds the file it
// fails with ErrLocked once opts.Timeout has passed.
func Open(path string, opts Options) (*Store, error) {
	return open(path, opts, lingerMax)
}

// open is Open with the writer's longest linger (see writer.go).
func open(path string, opts Options, linger time.Duration) (*Store, error) {
	if opts.Timeout <= 0 {
		opts.Timeout = time.Second
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("store: unable to create directory: %w", err)
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{
		Timeout: opts.Timeout,
		// The map freelist allocates in O(1). The freelist is still synced
		// on each commit: without it bbolt rebuilds the freelist at open by
		// walking every page, which reads the whole file into memory.
		FreelistType: bolt.FreelistMapType,
		// A commit writes the right-most leaf of each bucket it changes and
		// the branch pages above it, each a separate disk write; 8 KiB pages
		// make the trees shallower and a batch's events fit in fewer leaves
		// (measured: 12-14 pages a commit instead of 16-17, and about 8%
		// more events/s at 32 connections). It only applies to a new file.
		PageSize: pageSize,
	})
	if errors.Is(err, bolterrors.ErrTimeout) {
		return nil, fmt.Errorf("%w: %s", ErrLocked, path)
	}
	if err != nil {
		return nil, fmt.Errorf("store: unable to open %s: %w", path, err)
	}
	s := &Store{
		db:     db,
		path:   path,
		log:    opts.Logger,
		ops:    make(chan op, queueSize),
		done:   make(chan struct{}),
		linger: linger,
	}
	if err := db.Update(s.initBuckets); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("store: unable to initialise %s: %w", path, err)
	}
	if err := db.View(func(tx *bolt.Tx) error {
		var err error
		if s.stats, err = loadStats(tx.Bucket(bucketMeta)); err != nil {
			return fmt.Errorf("counters: %w", err)
		}
		jc, err := loadJournal(tx.Bucket(bucketJournal), s.stats.Total)
		if err != nil {
			return fmt.Errorf("journal: %w", err)
		}
		s.dd, s.strIdx, s.journal = loadDedupe(jc.dedupe), loadStrIndex(jc.strings), jc.tail
		releaseMapped(tx)
		return nil
	}); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("store: unable to load %s: %w", path, err)
	}
	go s.writer()
	return s, nil
}

func (s *Store) initBuckets(tx *bolt.Tx) error {
	for _, name := range allBuckets {
		if _, err := tx.CreateBucketIfNotExists(name); err != nil {
			return err
		}
	}
	meta := tx.Bucket(bucketMeta)
	switch v := meta.Get(metaSchema); {
	case v == nil:
		return meta.Put(metaSchema, u64(schemaVersion))
	case len(v) == 8 && readU64(v) == schemaVersion:
		return nil
	case len(v) == 8 && readU64(v) == 1:
		s.log.Info("store: upgrading the file to schema 2", "path", s.path)
		return migrateV1(tx)
	}
	return fmt.Errorf("unsupported schema version %x", meta.Get(metaSchema))
}

// Path returns the database file's path.
func (s *Store) Path() string { return s.path }

// Close stops accepting writes, commits every request already queued and
// closes the database. Calling it again does nothing.
func (s *Store) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	close(s.ops)
	s.mu.Unlock()
	<-s.done
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("store: unable to close: %w", err)
	}
	return nil
}

// view runs fn in a read transaction, mapping a closed database to ErrClosed.
func (s *Store) view(fn func(tx *bolt.Tx) error) error {
	err := s.db.View(fn)
	if errors.Is(err, bolterrors.ErrDatabaseNotOpen) {
		return ErrClosed
	}
	return err
}
