package store

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

// bbolt never gives a file's free pages back to the file system: after a
// prune (prune.go) deleted most events, the file keeps its size and every
// backup copies the holes. So Open compacts a file that is mostly free
// space, before the log is replayed and the goroutines start: bbolt's
// Compact copies every bucket into a new file beside it (<db>.compact),
// which is synced and then renamed over the old one, and the directory is
// synced. A crash before the rename leaves the old file, whole, and a
// stray copy that the next Open deletes; a crash after it leaves the new
// one, whole. Either holds the events bucket's sequence, the log's
// checkpoint (see doc.go), so the log replays onto either.
//
// bbolt's lock belongs to the old file, which a second process waiting for
// it would get once this one moves to the new file; the store's own lock
// file (<db>.lock, lock_unix.go), held from before bbolt's open until
// Close, keeps that process out. Where a file cannot be renamed over while
// it is open (Windows), the copy is deleted and the old file kept.
const (
	// compactMinSize is the smallest file Open considers compacting.
	compactMinSize = 8 << 20
	// compactTxSize is how many bytes of keys and values a transaction of
	// the copy takes.
	compactTxSize = 32 << 20
)

// compactPath is where the compacted copy of the file at path is made.
func compactPath(path string) string { return path + ".compact" }

// compactFault, when Options.compactFault is set (by tests), is called at
// each step of a compaction ("copied", before the rename); an error it
// returns abandons the compaction there, as a crash would.
type compactFault func(step string) error

// sparse reports whether more than half of db's file is free pages and the
// file is at least compactMinSize.
func sparse(db *bolt.DB, path string) (bool, int64) {
	info, err := os.Stat(path)
	if err != nil || info.Size() < compactMinSize {
		return false, 0
	}
	st := db.Stats()
	free := int64(st.FreePageN+st.PendingPageN) * int64(db.Info().PageSize)
	return free*2 > info.Size(), info.Size()
}

// compactIfSparse compacts the file of db when it is mostly free space (or
// when force says its free pages hold what must not stay on disk) and
// returns the database to use: db itself, or the compacted file opened
// with bopts. A compaction that fails before the rename is logged and the
// old file kept; after the rename, only reopening can fail.
func compactIfSparse(db *bolt.DB, path string, log *slog.Logger, bopts *bolt.Options, fault compactFault, force bool) (*bolt.DB, error) {
	tmp := compactPath(path)
	// A copy left by a crash: this process holds the lock, so nobody is
	// making it now.
	if err := os.Remove(tmp); err == nil {
		log.Info("removed an unfinished compaction", "path", tmp)
	}
	ok, before := sparse(db, path)
	if !ok && !force {
		return db, nil
	}
	start := time.Now()
	if err := compactCopy(db, tmp, bopts, fault); err != nil {
		_ = os.Remove(tmp)
		log.Warn("compaction abandoned, the file is kept as it is", "error", err)
		return db, nil
	}
	if err := os.Rename(tmp, path); err != nil {
		_ = os.Remove(tmp)
		log.Warn("compaction abandoned, the file is kept as it is", "error", err)
		return db, nil
	}
	// The new file is in place: from here on the old one is gone.
	dirErr := syncDir(filepath.Dir(path))
	_ = db.Close()
	if dirErr != nil {
		return nil, fmt.Errorf("store: unable to sync the directory after compaction: %w", dirErr)
	}
	ndb, err := bolt.Open(path, 0o600, bopts)
	if errors.Is(err, bolterrors.ErrTimeout) {
		return nil, fmt.Errorf("%w: %s", ErrLocked, path)
	}
	if err != nil {
		return nil, fmt.Errorf("store: unable to open %s after compaction: %w", path, err)
	}
	var after int64
	if info, err := os.Stat(path); err == nil {
		after = info.Size()
	}
	log.Info("compacted the file", "path", path, "bytes_before", before, "bytes_after", after, "took", time.Since(start).Round(time.Millisecond))
	return ndb, nil
}

// compactCopy copies db into a new file at tmp and syncs it.
func compactCopy(db *bolt.DB, tmp string, bopts *bolt.Options, fault compactFault) error {
	opts := *bopts
	// One sync at the end instead of one per transaction.
	opts.NoSync = true
	opts.PageSize = pageSize
	dst, err := bolt.Open(tmp, 0o600, &opts)
	if err != nil {
		return err
	}
	if err := bolt.Compact(dst, db, compactTxSize); err != nil {
		return errors.Join(err, dst.Close())
	}
	if err := dst.Close(); err != nil {
		return err
	}
	f, err := os.OpenFile(tmp, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		_ = f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if fault != nil {
		return fault("copied")
	}
	return nil
}
