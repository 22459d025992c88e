// Package store keeps Leadbell's data in one bbolt file and a write-ahead
// log beside it: webhook events (stored exactly once), their read state,
// a directory of the leads they name, settings and the webhook
// registration, and a capped log of rejected deliveries.
//
// # Writes: a write-ahead log, then bbolt
//
// A delivery is acknowledged only once its event is on disk, so the cost
// of making it durable decides ingest speed. A bbolt commit costs two
// fdatasyncs and a write per dirty page (about a dozen, scattered), and
// under load it was the limit. So an Append takes two steps:
//
//  1. The ingest goroutine (ingest.go) takes every waiting Append, decides
//     which events are duplicates (see Deduplication), gives the others
//     their sequence numbers, appends them to the write-ahead log (wal.go)
//     in one sequential write, fdatasyncs it, and answers. That is one
//     sync per batch, of a file whose blocks already exist (the log files
//     are zero-filled when made), so no file system journal commit rides
//     along, and a sync costs about the same whatever the batch's size.
//     Under load it lingers up to 0.5 ms for company, until the batch is
//     half again as large as the one before (so batches grow while
//     requests keep coming); a lone delivery never waits.
//  2. The writer goroutine (writer.go), the only one that writes to bbolt,
//     applies the logged events later, many batches to a transaction: it
//     commits once 1024 events wait or 25 ms after the first, or at once
//     when a request somebody waits for (SetRead, settings, a rejection)
//     or a read (below) needs it. Its commits are bbolt's own, fsync'd;
//     NoSync is never set, so the file is always a consistent bbolt file.
//
// The events bucket's sequence is the log's checkpoint: the commit that
// applies logged events sets it to the highest of them, in the same
// transaction. Open replays the log records above it (replay.go), so an
// event answered before a crash is applied exactly once after it. The log
// is two files used in turn; one is written from its start again only
// when every record in it is applied, so every valid record above the
// checkpoint is one to replay, wherever it lies; a reader takes each of
// them and skips what is torn or fails its CRC (details in wal.go). A
// damaged record costs that record alone: the log files are copied aside
// (<db>.wal0.damaged-<time>) for recovery and every valid record is
// replayed. Close applies everything and invalidates the log, so the next
// Open reads nothing.
//
// # A failing disk
//
// When writes fail (no space, a read-only file system, an I/O error, the
// data folder removed), events are still taken while the log's prepared
// room lasts (two zero-filled segments of walSegment: about 6,000
// deliveries of a typical 1.3 KB, measured 3,952-3,971 of the simulator's
// replies on a full 48 MiB tmpfs); past it Append fails at once with
// ErrCannotSave. Retries back off from 100 ms to 5 s, Health says what is
// wrong, and the problem is logged once when it starts, every five minutes
// while it lasts and once when it ends (health.go).
//
// # A damaged file
//
// Open first checks the whole file read-only (bbolt's Tx.Check: each page
// reachable once, of its type, keys in order; 57 ms for a 66 MB file of
// 100,000 events), and turns bbolt's refusals and panics while opening it
// into ErrDamaged, naming the file; nothing is written to a damaged file.
// MoveAside keeps it (and its log) under a name ending in
// .damaged-<time>, never deleting it, so that Open makes a new one; the
// app does so only when the user agrees.
//
// Reads see every event acknowledged before they start. Event finds an
// event that is only in the log in the tail (the logged events bbolt does
// not have yet, in memory), so an event pushed to the UI as soon as it is
// answered can be fetched by its id at once. Every other read (List,
// After, LastID, LeadEvents, Overview, Stats, ...) first asks the writer
// to commit and waits until it has applied everything logged before the
// read began (awaitApplied); with nothing pending that costs nothing.
//
// The writer's commits are off the answer's path but still cost disk time
// and CPU, and on this kind of disk a page in a different place costs
// about as much as a small fsync. So the layout keeps the pages an event
// dirties together: every bucket written per event is keyed by something
// that grows (a sequence number, or the event time, which is almost always
// "now"), so a batch of events dirties the same few right-most pages
// whatever its size.
// A hash-keyed index, or one per lead or campaign, would instead dirty a
// page in a random place for every event: with a hash-keyed dedupe bucket
// and a per-lead index, a commit of 16 events wrote about 40 pages instead
// of 17, and 32 writers got roughly half the throughput. (The lead
// directory has a record per lead, but it is keyed by an id that grows as
// leads appear, and written only when an event changes the record: a new
// lead's record goes at the right edge, and the events of known leads
// write nothing. A new lead's record names the event that brought it
// rather than copying its strings: with the strings, the records added
// 6% to the pages a commit wrote when every event had a new lead, and
// durable ingest lost about as much.) The lookups that need a hash
// (deduplication, interned strings) therefore live in memory, rebuilt at
// Open from an append-only journal (journal.go). Each bucket a commit touches also costs its branch
// pages, so a commit touches as few as it can: the events, the time index
// and the journal, the strings only for new searchable text, and the lead
// directory only for a new lead or a change to one. Pages are 8 KiB (for
// new files): the trees are shallower and a batch's events fill fewer
// leaves, so a commit of 15 events writes about 13 pages, against 17 with
// 4 KiB pages.
//
// # Layout
//
//	events    seq (8 bytes, big endian) -> event record (codec.go), Raw last
//	by_time   when (8) + seq (8) -> summary (summary.go): flags, type,
//	          campaign and lead string ids, text string ids
//	strs      string id (4) -> an interned searchable string (lower-cased
//	          text); files upgraded from schema 1 also hold campaign and
//	          lead IDs behind a marker, which searches read past
//	journal   block number (8) -> records (journal.go): (fingerprint, seq)
//	          per event with a Key, (sha256(string)[:16], id) per interned
//	          string, IDs included
//	leads     string id of the lead ID (4, big endian) -> the lead's record
//	          (leads_codec.go): its e-mail, name and company, or, while
//	          they are exactly one event's, that event's seq and a hash of
//	          them; once the lead has a category update, its category,
//	          campaign ID, time and event seq. Written by the writer with
//	          the events, only when one changes the record
//	meta      schema version, counters (stats.go), the last string id, and
//	          leads_seq: the seq up to which leads holds the events
//	settings  name -> JSON document (a Doc, settings.go), each declared by
//	          the package owning its type: hook_token, settings,
//	          registration, confirmed, health (app/engine), alive and,
//	          until moved to backfilled, backfilled_replies
//	          (app/engine/catchup). meta also holds rejected_redacted once
//	          the rejected log has been redacted (rejections.go)
//	rejected  seq (8) -> JSON Rejection, the newest 1000, sampled: at most
//	          5 of each status per second are written, all are counted
//	pruned    seq (8) -> tombstone of a pruned event with a Key: its type
//	          and sha256(Key)[:16] (prune.go)
//	backfilled Message-ID -> when (8, Unix ns) and the event id of a reply
//	          the catch-up stored from a lead's history (backfilled.go)
//
// "when" is Event.When() as Unix nanoseconds with the sign bit flipped, so a
// cursor walking by_time backwards lists events newest first by event time,
// and an event that arrives late lands where it belongs.
//
// Event records are of codec version 2, which added StatsID, Category and
// PreviousCategory after Company; version 1 records, in files and log
// files written before, read with those empty, so no migration rewrites
// them (a binary that knows only version 1 reads version 2 records as
// corrupt).
//
// The schema version is 3: schema 2 with the log files <db>.wal0 and
// <db>.wal1 beside the database, which a binary of schema 2 would not read
// (so it refuses the file). Schema 1 kept the dedupe log in a bucket of its
// own and found strings through a str_hash bucket keyed by hash; Open
// upgrades such a file in place, in one transaction (migrate.go; under a
// second for a million events), and a schema 2 file by setting the version.
//
// # Reads
//
// Every query walks by_time newest first and tests its filters on the
// summaries alone; it reads an event record only for the events it returns.
// The first page of an unfiltered List reads 51 summaries. A filter costs
// one summary per event skipped: cheap for the common ones (type, campaign,
// unread), and a full walk of by_time at worst, which is what a text search
// for a rare word does. That walk is made small: the text of an event is
// interned in strs as a few strings (lead name+email+company, campaign name,
// subject, first 4 KiB of body), which repeat across a lead's or a
// campaign's events, so a search first scans the distinct strings once per
// word into a bitset of matching ids and then tests a few ids per summary.
// Pages of the file that a read touches count in the process's RSS, so the
// search path reads only strs and by_time. A campaign or lead filter finds
// the ID's string id in the in-memory string index (strindex.go).
//
// Lead timelines (LeadEvents) are a walk with a lead filter as well, by the
// reasoning above: a per-lead index would cost ingest for every event to
// speed up one screen.
//
// Every event a read returns (Event, List, After, LeadEvents, SetRead) is
// completed from the lead directory: the name, e-mail and company it lacks
// (opens and clicks of the spec's shape carry only a lead_id), and, unless
// it is a category update, which keeps its own, the lead's current
// category. A value the event carries is never replaced. A page reads one
// directory record per distinct lead on it, found by the lead's string id
// in the summary. Event and Lead fold in the lead's events that are still
// only in the log, so they need not wait for the writer. A text search
// matches the event's own text only.
//
// # The lead directory
//
// A lead's identity is the latest non-empty e-mail, name and company its
// events carried, in the order they were stored; its category is that of
// its LEAD_CATEGORY_UPDATED event with the latest event time (Event.When;
// of the same time, the later stored), so an older update delivered late
// changes nothing. The directory is derived from the events: meta's
// leads_seq, set by every commit that applies events, says how far it
// holds them, and Open first folds in, in seq order, whatever lies beyond
// (leads_build.go): once for a file written before the directory existed,
// and again after a binary that does not keep it has stored events. Like
// the pruned bucket, it came without a schema change. That catch-up
// takes every event's lead string id from the time index's summaries (4 bytes an event in memory;
// hashing each lead ID to look it up costs several times more) and reads
// the head of every event record, in transactions of 16,384 events that
// each write the records they changed once, in key order, and move
// leads_seq on, so a crash midway loses nothing. It runs before the log is
// replayed, so replayed events find the directory the writer left.
//
// # Memory
//
// bbolt reads through a shared mapping of the file, and every page a read
// touches counts in the process's RSS; the kernel also maps up to 64 KiB of
// cached neighbours with each page it faults in, pages of other buckets
// that the read never needed. A full scan of the time index over a million
// events left 3.5 times its own size resident that way (about 175 MB).
// Long reads (scans, the journal at Open) and the writer therefore drop
// their mappings every few megabytes (releaseMapped, Linux only): the pages
// stay in the page cache, so this costs a minor fault on the next access.
//
// The in-memory indexes take 16 bytes per event with a Key (dedupe) and
// 20 to 30 bytes per distinct string, IDs included: 16 MB for a million
// events, and 2 to 3 MB more per hundred thousand new leads or replies.
// The tail holds the events logged but not yet applied: a commit's worth
// at most (25 ms, or 1024 events), unless bbolt fails.
//
// # Deduplication
//
// An event's Key is fingerprinted (8 bytes of its SHA-256) and looked up in
// an in-memory index loaded from the journal at Open (plus the replayed
// log); a hit is confirmed against the event's Key, read from the tail or
// bbolt. The ingest goroutine owns the index and decides before it logs, so
// duplicates within one batch are caught too, and a duplicate is never
// logged: Append returns the event stored first, with dup=true.
//
// # Retention and compaction
//
// Prune (prune.go) deletes old events of chosen types, never replies or
// category updates, in transactions of at most 1000 events, keeping the
// counters and the time index in step and leaving a tombstone per event
// so that a redelivery is still a duplicate; interned strings are kept
// (see prune.go for why). bbolt keeps the freed pages, so Open compacts a
// file over 8 MiB that is more than half free pages into a copy beside it
// and renames the copy over it (compact.go).
// The pruned bucket was added without a schema change: a binary without it
// opens the file and ignores the bucket, but would store a redelivery of a
// pruned event again. Delete (delete.go) removes one event the user chose,
// replies included, the same way: counters, time index and a tombstone. A
// lead's directory record keeps what a deleted event told of the lead,
// except a category only that event set: deleting the category update
// that set it falls back to the lead's newest remaining one (a walk of the
// time index with a lead filter).
//
// # Durability and cancellation
//
// The file is opened with a lock timeout (ErrLocked when another process has
// it), which also guards the log files; the map freelist, and the freelist
// synced on each commit: without it bbolt rebuilds the freelist at open by
// reading every page. Append returns only after the fdatasync of the log
// write that holds its event has returned: a kill -9 or a power cut after
// that loses nothing (a new log file's directory entry is synced when it
// is made). An Append whose context ends while it waits returns ctx.Err(),
// but its event may be stored anyway; retrying it is safe because of the
// Key. If bbolt fails to apply logged events, they stay in the log and the
// tail and the writer tries again; reads then stop waiting for them.
//
// # Measured
//
// The figures live in what measures them, not here: `make bench` prints
// ingest through HTTP (acknowledged events a second, p50 and p99, at 1,
// 32 and 128 connections, against a bare Go handler), the first inbox page
// and searches over a store of a million events, bytes on disk per event
// and peak RSS of `leadbell serve`; BenchmarkAppend, BenchmarkApply,
// BenchmarkSeeded and BenchmarkOpenBuildsLeads (go test -bench) measure
// the store alone. What bounds ingest is CPU: HTTP on both ends, parsing,
// the log's sync once a batch, bbolt's apply and the garbage collector.
package store
