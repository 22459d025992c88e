package store

import (
	"cmp"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/leadbell/leadbell/event"
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
	// ErrWriteFailed is returned by Append, and by Failed, once writing
	// the log failed (a full disk, an I/O error): the store takes no new
	// events until it is opened again.
	ErrWriteFailed = errors.New("store: writing failed")
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
	bucketPruned   = []byte("pruned")

	allBuckets = [][]byte{
		bucketEvents, bucketByTime,
		bucketJournal, bucketStrs, bucketMeta, bucketSettings, bucketRejected,
		bucketPruned, bucketLeads, bucketBackfilled, bucketSnoozes, bucketOutbox, bucketTriage,
	}
)

const (
	// schemaVersion is kept in the meta bucket; Open upgrades a file of
	// schema 1 or 2 (see migrate.go) and refuses any other version.
	schemaVersion = 3
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
	// RedactRejected, when set, removes secrets from a rejected body kept
	// by an older Leadbell: Open runs it once over the rejected log and
	// compacts the file, so that the old pages are not left in it.
	RedactRejected func(body []byte) []byte
	// Faults, when set, makes writes fail as a failing disk does: for
	// tests of what Leadbell does then (faults.go).
	Faults *Faults

	// compactFault is a test's hook into compaction (compact.go).
	compactFault compactFault
	// leadsChunk, when set (by tests), is how many events a transaction
	// of catchUpLeads reads instead of buildChunk (leads_build.go).
	leadsChunk int
}

// Store is Leadbell's bbolt database with a write-ahead log beside it.
// Appends go through the ingest goroutine (ingest.go) and every write to
// bbolt through one writer goroutine (writer.go); reads run concurrently
// in read transactions. Its methods are safe for concurrent use.
type Store struct {
	db   *bolt.DB
	path string
	log  *slog.Logger

	// mu guards closed and the sending side of appends and ops: senders
	// hold it for reading, Close takes it for writing before it closes
	// appends.
	mu         sync.RWMutex
	closed     bool
	appends    chan *appendOp // to the ingest goroutine (ingest.go)
	ingestDone chan struct{}  // closed when the ingest goroutine has exited
	ops        chan op        // to the writer (writer.go)
	done       chan struct{}  // closed when the writer has exited

	statsMu sync.Mutex
	stats   Stats // as of the last commit

	// Owned by the ingest goroutine: the log, the last seq given out and
	// the dedupe index (see ingest.go, wal.go and dedupe.go). ingestGate
	// is held while it works on a batch; tests hold it to line requests up.
	wal        *wal
	seq        uint64
	dd         *dedupeIndex
	inBatch    map[uint64][]*pending // a batch's keyed events (ingest.go)
	ingestGate sync.Mutex
	// tail holds the logged events that bbolt does not have yet.
	tail tailIndex
	// written is the highest seq in the log, applied the highest that the
	// writer has committed to bbolt; everything up to it is there.
	written, applied atomic.Uint64
	// failure is the log's write failure, if one happened (Failed).
	failure atomic.Pointer[error]
	// logRetryAt is when a log write that could not be made is tried
	// again (owned by the ingest goroutine; see health.go).
	logRetryAt time.Time
	// health tracks what stops the store from saving (health.go); faults
	// injects a failing disk's errors (Options.Faults).
	health *health
	faults *Faults
	lock   *fileLock // <db>.lock, held until Close
	// applyFailing is set while the writer fails to apply logged events.
	applyFailing atomic.Bool
	// progress is closed and replaced after each of the writer's commits;
	// hurry asks the writer to commit now (see awaitApplied).
	progressMu sync.Mutex
	progress   chan struct{}
	hurry      chan struct{}

	// Owned by the writer goroutine: the journal's last block (journal.go).
	journal journalTail
	// strIdx maps interned strings to their ids; the writer adds to it,
	// reads look up campaign and lead IDs in it (see strindex.go).
	strIdx *strIndex

	linger     time.Duration // the ingest goroutine's longest wait for company
	applyDelay time.Duration // the writer's longest wait for company

	// pruneBatch is how many events one of Prune's transactions deletes
	// at most (prune.go); afterPrune, when set (by tests), is called
	// after each of them with what it deleted.
	pruneBatch int
	afterPrune func(map[event.Type]int)

	rejected      atomic.Uint64 // Reject calls since Open, dropped ones included
	rejectSampler rejectSampler // which rejections are written (rejections.go)
	commits       atomic.Uint64 // transactions the writer committed since Open
	walWrites     atomic.Uint64 // batches written to the log since Open
	leadWrites    atomic.Uint64 // lead directory records written since Open
}

// Open opens (or creates) the database at path, creating its directory with
// mode 0700 and the file with mode 0600. If another process holds the file it
// fails with ErrLocked once opts.Timeout has passed.
func Open(path string, opts Options) (*Store, error) {
	return open(path, opts, lingerMax, applyDelay)
}

// open is Open with the ingest goroutine's longest linger (ingest.go) and
// the writer's longest delay (writer.go).
func open(path string, opts Options, linger, delay time.Duration) (*Store, error) {
	if opts.Timeout <= 0 {
		opts.Timeout = time.Second
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	opts.Logger = opts.Logger.With("component", "store")
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("store: unable to create directory: %w", err)
	}
	lock, err := lockFile(path+".lock", opts.Timeout)
	if err != nil {
		return nil, err
	}
	opened := false
	defer func() {
		if !opened {
			_ = lock.release()
		}
	}()
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		// A new database: log files left beside it belong to one that was
		// deleted, and their records must not be replayed into this one.
		for _, p := range walPaths(path) {
			if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
				return nil, fmt.Errorf("store: unable to remove a stale log: %w", err)
			}
		}
	}
	bopts := &bolt.Options{
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
	}
	if _, err := os.Stat(path); err == nil {
		if err := checkFile(path, opts.Timeout); err != nil {
			return nil, err
		}
	}
	var db *bolt.DB
	err = guard(path, func() (err error) {
		db, err = bolt.Open(path, 0o600, bopts)
		return err
	})
	switch {
	case errors.Is(err, bolterrors.ErrTimeout):
		return nil, fmt.Errorf("%w: %s", ErrLocked, path)
	case errors.Is(err, ErrDamaged):
		return nil, err
	case isDamage(err):
		return nil, damaged(path, err)
	case err != nil:
		return nil, fmt.Errorf("store: unable to open %s: %w", path, err)
	}
	// Secrets that an older Leadbell kept are scrubbed before anything
	// else: redacted in place, then the file compacted so that the pages
	// that held them are not left in it, free but readable.
	var scrubbed bool
	if err := guard(path, func() (err error) {
		if err := db.Update(func(tx *bolt.Tx) (err error) {
			scrubbed, err = redactRejections(tx, opts.RedactRejected)
			return err
		}); err != nil {
			return err
		}
		if scrubbed {
			opts.Logger.Info("removed webhook secrets kept in the log of refused deliveries", "path", path)
		}
		db, err = compactIfSparse(db, path, opts.Logger, bopts, opts.compactFault, scrubbed)
		return err
	}); err != nil {
		if db != nil {
			_ = db.Close()
		}
		return nil, err
	}
	s := &Store{
		db:         db,
		path:       path,
		log:        opts.Logger,
		appends:    make(chan *appendOp, queueSize),
		ingestDone: make(chan struct{}),
		ops:        make(chan op, queueSize),
		done:       make(chan struct{}),
		tail:       tailIndex{m: make(map[uint64]*pending)},
		inBatch:    make(map[uint64][]*pending),
		progress:   make(chan struct{}),
		hurry:      make(chan struct{}, 1),
		linger:     linger,
		applyDelay: delay,
		pruneBatch: pruneBatch,
		faults:     opts.Faults,
	}
	s.health = newHealth(func(level, msg string, args ...any) {
		switch level {
		case "error":
			s.log.Error(msg, args...)
		case "warn":
			s.log.Warn(msg, args...)
		default:
			s.log.Info(msg, args...)
		}
	})
	if err := guard(path, func() error { return db.Update(s.initBuckets) }); err != nil {
		_ = db.Close()
		switch {
		case errors.Is(err, ErrDamaged):
			return nil, err
		case isDamage(err):
			return nil, damaged(path, err)
		}
		return nil, fmt.Errorf("store: unable to initialise %s: %w", path, err)
	}
	// Every error reading what is already in the file means its bytes are
	// not what was written.
	if err := guard(path, func() error {
		return db.View(func(tx *bolt.Tx) error {
			var err error
			if s.stats, err = loadStats(tx.Bucket(bucketMeta)); err != nil {
				return fmt.Errorf("counters: %w", err)
			}
			jc, err := loadJournal(tx.Bucket(bucketJournal), s.stats.Total)
			if err != nil {
				return fmt.Errorf("journal: %w", err)
			}
			s.dd, s.strIdx, s.journal = loadDedupe(jc.dedupe), loadStrIndex(jc.strings), jc.tail
			s.seq = tx.Bucket(bucketEvents).Sequence()
			releaseMapped(tx)
			return nil
		})
	}); err != nil {
		_ = db.Close()
		if errors.Is(err, ErrDamaged) {
			return nil, err
		}
		return nil, damaged(path, err)
	}
	if err := guard(path, func() error { return s.catchUpLeads(cmp.Or(opts.leadsChunk, buildChunk)) }); err != nil {
		_ = db.Close()
		return nil, err
	}
	if s.wal, err = openWAL(path); err != nil {
		_ = db.Close()
		return nil, err
	}
	s.wal.faults = opts.Faults
	if err := guard(path, s.replay); err != nil {
		_ = s.wal.close()
		_ = db.Close()
		return nil, err
	}
	s.written.Store(s.seq)
	s.applied.Store(s.seq)
	info, err := os.Stat(path)
	if err != nil {
		_ = s.wal.close()
		_ = db.Close()
		return nil, fmt.Errorf("store: unable to open %s: %w", path, err)
	}
	s.lock, opened = lock, true
	go s.writer()
	go s.ingest()
	go s.watchFolder(info)
	return s, nil
}

func (s *Store) initBuckets(tx *bolt.Tx) error {
	for _, name := range allBuckets {
		if _, err := tx.CreateBucketIfNotExists(name); err != nil {
			return err
		}
	}
	if err := s.migrate(tx); err != nil {
		return err
	}
	return countNeedsYou(tx)
}

// migrate upgrades a file of an older schema.
func (s *Store) migrate(tx *bolt.Tx) error {
	meta := tx.Bucket(bucketMeta)
	switch v := meta.Get(metaSchema); {
	case v == nil:
		return meta.Put(metaSchema, u64(schemaVersion))
	case len(v) == 8 && readU64(v) == schemaVersion:
		return nil
	case len(v) == 8 && readU64(v) == 1:
		s.log.Info("upgrading the file to schema 3", "path", s.path)
		return migrateV1(tx)
	case len(v) == 8 && readU64(v) == 2:
		s.log.Info("upgrading the file to schema 3", "path", s.path)
		return migrateV2(tx)
	}
	return fmt.Errorf("unsupported schema version %x", meta.Get(metaSchema))
}

// Path returns the database file's path.
func (s *Store) Path() string { return s.path }

// Close stops accepting writes, logs and applies every request already
// queued and closes the database. Calling it again does nothing.
func (s *Store) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	close(s.appends)
	s.mu.Unlock()
	<-s.ingestDone
	close(s.ops)
	<-s.done
	var first error
	if s.applied.Load() == s.seq {
		// Everything logged is in bbolt: the next Open need not read
		// the log.
		first = s.wal.reset()
	}
	if err := s.wal.close(); err != nil && first == nil {
		first = fmt.Errorf("store: unable to close the log: %w", err)
	}
	if err := s.db.Close(); err != nil && first == nil {
		first = fmt.Errorf("store: unable to close: %w", err)
	}
	if err := s.lock.release(); err != nil && first == nil {
		first = fmt.Errorf("store: unable to release the lock: %w", err)
	}
	return first
}

// view runs fn in a read transaction that sees every event appended before
// the call (see awaitApplied), mapping a closed database to ErrClosed.
func (s *Store) view(fn func(tx *bolt.Tx) error) error {
	s.awaitApplied()
	return s.viewNow(fn)
}

// viewNow is view without waiting for the writer.
func (s *Store) viewNow(fn func(tx *bolt.Tx) error) error {
	err := s.db.View(fn)
	if errors.Is(err, bolterrors.ErrDatabaseNotOpen) {
		return ErrClosed
	}
	return err
}

// Failed returns the error that stopped the store taking new events (it
// wraps ErrWriteFailed), or nil while it takes them.
func (s *Store) Failed() error {
	if err := s.failure.Load(); err != nil {
		return *err
	}
	return nil
}
