package store

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"slices"
)

// The write-ahead log is what makes an event durable before it is answered
// (see doc.go and ingest.go). It is two files beside the database,
// <db>.wal0 and <db>.wal1, used in turn: records are appended to one until
// it is full, then the writer moves to the other, once every record in that
// one has been applied to bbolt by a synced commit. A file is filled with
// zeros when it is made, so that appending a record overwrites blocks that
// already exist: fdatasync then flushes the data alone, with no journal
// commit for a new size or new blocks (about half the cost of a sync of a
// growing or fallocated file, on ext4).
//
// A record is
//
//	[0:4]   length of seq + payload (uint32, big endian)
//	[4:8]   CRC-32C of seq + payload
//	[8:16]  seq (the event's sequence number)
//	[16:]   payload: the event record of codec.go
//
// The records of one file have consecutive seqs from its start. Bytes past
// the last record are zeros or records of an earlier turn, whose seqs are
// all applied already, so a reader takes every valid record with a seq
// above the database's checkpoint, wherever it finds one (see read).
const (
	walHeaderLen = 16
	// walSegment is the size to which a new log file is zero-filled, and
	// the step by which a file grows when a batch does not fit anywhere
	// (see write). Two of them carry about 6,000 deliveries of a typical
	// 1.3 KB through a full disk (health.go): enough for hours of a busy
	// account's replies, opens and clicks, for 8 MiB of a user's disk.
	walSegment = 4 << 20
	// walMaxRecord bounds a record's length, so that a reader never trusts
	// a length field beyond it (an event is at most a 1 MiB body and its
	// parsed fields).
	walMaxRecord = 64 << 20
)

var walCRC = crc32.MakeTable(crc32.Castagnoli)

// walRecord is one record read back from the log.
type walRecord struct {
	seq     uint64
	payload []byte
}

// wal is the log's two files. Only the ingest goroutine writes to it
// (after Open, which reads it).
type wal struct {
	files [2]*os.File
	cur   int       // the file being appended to
	off   int64     // where the next record goes in it
	size  [2]int64  // each file's length
	last  [2]uint64 // the highest seq written to each file in its turn
	buf   []byte
	// failed is set when a write or sync failed for good: nothing more is
	// written in this process (see write).
	failed error
	// sync is fdatasync; tests make it fail.
	sync func(*os.File) error
	// faults injects a failing disk's errors (Options.Faults).
	faults *Faults
}

func walPaths(db string) [2]string { return [2]string{db + ".wal0", db + ".wal1"} }

// openWAL opens the log files of the database at path, creating and
// zero-filling them when they do not exist.
func openWAL(path string) (*wal, error) {
	l := &wal{sync: fdatasync}
	created := false
	for i, p := range walPaths(path) {
		f, err := os.OpenFile(p, os.O_RDWR|os.O_CREATE, 0o600)
		if err != nil {
			l.close()
			return nil, fmt.Errorf("store: unable to open the log: %w", err)
		}
		l.files[i] = f
		fi, err := f.Stat()
		if err != nil {
			l.close()
			return nil, fmt.Errorf("store: unable to open the log: %w", err)
		}
		l.size[i] = fi.Size()
		if l.size[i] < walSegment {
			if err := zeroFill(f, l.size[i], walSegment); err != nil {
				l.close()
				return nil, fmt.Errorf("store: unable to prepare the log: %w", err)
			}
			l.size[i] = walSegment
			created = true
		}
	}
	if created {
		// A new file's name must be on disk before a record in it is
		// acknowledged.
		if err := syncDir(filepath.Dir(path)); err != nil {
			l.close()
			return nil, fmt.Errorf("store: unable to prepare the log: %w", err)
		}
	}
	return l, nil
}

// zeroFill writes zeros from off to size and syncs them.
func zeroFill(f *os.File, off, size int64) error {
	zeros := make([]byte, 256<<10)
	for off < size {
		n, err := f.WriteAt(zeros[:min(int64(len(zeros)), size-off)], off)
		if err != nil {
			return err
		}
		off += int64(n)
	}
	return f.Sync()
}

// read returns the records with a seq above applied, in seq order, and
// how many seqs between applied and the highest of them no valid record
// holds: none, unless the files are damaged. Every record in the files
// with a seq above applied was written in this turn (a file is written
// again only once everything in it is applied, and Open applies
// everything before writing), so each is taken, wherever it lies, and a
// damaged record costs that record alone.
func (l *wal) read(applied uint64) (recs []walRecord, missing uint64, err error) {
	for i := range l.files {
		data, err := l.contents(i)
		if err != nil {
			return nil, 0, fmt.Errorf("store: unable to read the log: %w", err)
		}
		recs = append(recs, scanWAL(data, applied)...)
	}
	slices.SortFunc(recs, func(a, b walRecord) int { return cmpU64(a.seq, b.seq) })
	recs = slices.CompactFunc(recs, func(a, b walRecord) bool { return a.seq == b.seq })
	if n := len(recs); n > 0 {
		missing = recs[n-1].seq - applied - uint64(n)
	}
	return recs, missing, nil
}

// contents returns file i's bytes.
func (l *wal) contents(i int) ([]byte, error) {
	data := make([]byte, l.size[i])
	n, err := l.files[i].ReadAt(data, 0)
	if err == io.EOF {
		err = nil
	}
	return data[:n], err
}

// walSpan bounds the seqs a reader looks for past a damaged stretch: a
// record's seq is above applied and far below applied+walSpan, so eight
// stray bytes are almost never taken for one before its checksum is
// computed.
const walSpan = 1 << 32

// scanWAL returns the valid records in data whose seq is above applied.
// Where the bytes at a record's place are not a valid record (the torn end
// of a crash, zeros, damage), it looks at each later offset for one; while
// it looks, a candidate's seq must be in range before its checksum is
// computed, so that the search costs a few nanoseconds a byte.
func scanWAL(data []byte, applied uint64) []walRecord {
	var out []walRecord
	aligned := true // off is where a valid record ended
	for off := 0; len(data)-off >= walHeaderLen; {
		r, n, ok := walRecordAt(data[off:], func(seq uint64) bool {
			return aligned || seq > applied && seq-applied < walSpan
		})
		if !ok {
			off++
			aligned = false
			continue
		}
		if r.seq > applied && r.seq-applied < walSpan {
			out = append(out, r)
		}
		off += n
		aligned = true
	}
	return out
}

// walRecordAt reads the record at the start of data, and its length; its
// checksum is computed only when try accepts its seq.
func walRecordAt(data []byte, try func(seq uint64) bool) (walRecord, int, bool) {
	n := binary.BigEndian.Uint32(data)
	if n < 8 || n > walMaxRecord || int(n) > len(data)-8 {
		return walRecord{}, 0, false
	}
	body := data[8 : 8+n]
	seq := binary.BigEndian.Uint64(body)
	if !try(seq) || crc32.Checksum(body, walCRC) != binary.BigEndian.Uint32(data[4:]) {
		return walRecord{}, 0, false
	}
	return walRecord{seq: seq, payload: body[8:]}, 8 + int(n), true
}

// appendRecord adds one record to the batch being built in l.buf.
func (l *wal) appendRecord(seq uint64, payload []byte) {
	start := len(l.buf)
	l.buf = binary.BigEndian.AppendUint32(l.buf, uint32(8+len(payload)))
	l.buf = append(l.buf, 0, 0, 0, 0)
	l.buf = binary.BigEndian.AppendUint64(l.buf, seq)
	l.buf = append(l.buf, payload...)
	crc := crc32.Checksum(l.buf[start+8:], walCRC)
	binary.BigEndian.PutUint32(l.buf[start+4:], crc)
}

// discard drops the batch built by appendRecord, unwritten.
func (l *wal) discard() { l.buf = l.buf[:0] }

// write appends the batch built by appendRecord, whose highest seq is last,
// and syncs it. applied is the highest seq bbolt has durably applied: a
// file may be written from its start again only when everything in it is
// applied. Otherwise a batch that does not fit makes the file grow, by
// zero-filled segments made before any record is written to them.
//
// A write that cannot be made now (no room to grow, no space, a read-only
// file system) returns an error wrapping ErrCannotSave and leaves the log
// as it was, to be tried again: nothing is acknowledged. When some of the
// batch's bytes landed before the write failed, the writer moves past
// them, and burned reports that the batch's seqs must not be given out
// again: the next Open replays what stays of it, unacknowledged events
// whose Keys make them harmless, and no other record may share their seqs.
//
// Any other failed write, and every failed sync, ends the log for this
// process: after a failed fdatasync the kernel may have dropped the dirty
// pages and report the next sync clean. So the range is zeroed (best
// effort) and every later write returns the first error; the deliveries
// get 503 and SmartLead retries them after a restart.
func (l *wal) write(last, applied uint64) (burned bool, err error) {
	defer func() { l.buf = l.buf[:0] }()
	if l.failed != nil {
		return false, l.failed
	}
	if err := l.makeRoom(int64(len(l.buf)), applied); err != nil {
		return false, err
	}
	f := l.files[l.cur]
	n, err := 0, l.faults.check(faultWrite)
	if err == nil {
		n, err = f.WriteAt(l.buf, l.off)
	}
	if err != nil {
		_ = zeroFill(f, l.off, l.off+int64(len(l.buf)))
		if retryable(err) {
			if n > 0 {
				l.off += int64(len(l.buf))
				burned = true
			}
			return burned, fmt.Errorf("%w: unable to write the log: %w", ErrCannotSave, err)
		}
		l.failed = fmt.Errorf("%w: unable to write the log: %w", ErrWriteFailed, err)
		return false, l.failed
	}
	if err := l.sync(f); err != nil {
		_ = zeroFill(f, l.off, l.off+int64(len(l.buf)))
		l.failed = fmt.Errorf("%w: unable to sync the log: %w", ErrWriteFailed, err)
		return false, l.failed
	}
	l.off += int64(len(l.buf))
	l.last[l.cur] = last
	return false, nil
}

// makeRoom makes sure n bytes can be written at the log's position: it
// moves to the other file when this one is full and everything in the
// other is applied, else grows this one.
func (l *wal) makeRoom(n int64, applied uint64) error {
	if l.off > 0 && l.off+n > l.size[l.cur] {
		if other := 1 - l.cur; l.last[other] <= applied {
			l.cur, l.off, l.last[other] = other, 0, 0
		}
	}
	if need := l.off + n; need > l.size[l.cur] {
		return l.grow(need)
	}
	return nil
}

// probe tells whether the log can be written again after a failed write:
// it makes room for a small batch and writes zeros over the next bytes
// (zeros or an earlier turn's records, all applied) and syncs them.
func (l *wal) probe(applied uint64) error {
	const n = 4096
	if err := l.makeRoom(n, applied); err != nil {
		return err
	}
	err := l.faults.check(faultWrite)
	if err == nil {
		err = zeroFill(l.files[l.cur], l.off, l.off+n)
	}
	if err != nil {
		return fmt.Errorf("%w: unable to write the log: %w", ErrCannotSave, err)
	}
	return nil
}

// grow zero-fills the current file up to at least need bytes, a whole
// number of segments, and syncs it; on failure the file keeps its size for
// the log's purposes (zeros past it are harmless).
func (l *wal) grow(need int64) error {
	size := (need + walSegment - 1) / walSegment * walSegment
	err := l.faults.check(faultGrow)
	if err == nil {
		err = zeroFill(l.files[l.cur], l.size[l.cur], size)
	}
	if err != nil {
		return fmt.Errorf("%w: unable to make room in the log: %w", ErrCannotSave, err)
	}
	l.size[l.cur] = size
	return nil
}

// reset starts the log afresh once every record in it is applied: it
// invalidates the first record of each file, so that the next Open reads
// nothing, and writes from the start of the first file again.
func (l *wal) reset() error {
	var zero [walHeaderLen]byte
	for _, f := range l.files {
		if _, err := f.WriteAt(zero[:], 0); err != nil {
			return fmt.Errorf("store: unable to reset the log: %w", err)
		}
		if err := fdatasync(f); err != nil {
			return fmt.Errorf("store: unable to reset the log: %w", err)
		}
	}
	l.cur, l.off, l.last = 0, 0, [2]uint64{}
	return nil
}

func (l *wal) close() error {
	var first error
	for _, f := range l.files {
		if f != nil {
			if err := f.Close(); err != nil && first == nil {
				first = err
			}
		}
	}
	return first
}
