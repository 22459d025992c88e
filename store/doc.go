// Package store keeps Leadbell's data in one bbolt file: webhook events
// (stored exactly once), their read state, settings and the webhook
// registration, and a capped log of rejected deliveries.
//
// # Writes: one writer, group commit
//
// A delivery is acknowledged only once its event is committed and fsync'd,
// so the cost of a commit decides ingest speed. Every write goes to one
// writer goroutine, which takes a request, drains whatever else is already
// waiting into the same transaction and commits once (writer.go). At low
// load that is one commit per event; under load many events share each
// commit. bbolt's DB.Batch also groups, but waits a fixed 10 ms for company;
// design.md measured 2,200 events/s for it against 17,000 for this.
//
// A commit costs two fdatasyncs plus one write per dirty page, and a commit
// of 15 events costs little more than one of 8, so under load the writer
// lingers: when a batch is smaller than the one before it (of at least 4
// events), it waits up to 0.5 ms for the requests of the connections that
// filled that batch, which are on their way. A lone delivery never waits.
//
// On this kind of disk a page in a different place costs about as much as
// a small fsync. So the layout keeps the pages an event dirties together:
// every bucket written per event is keyed by something that grows (a
// sequence number, or the event time, which is almost always "now"), so a
// batch of events dirties the same few right-most pages whatever its size.
// A hash-keyed index, or one per lead or campaign, would instead dirty a
// page in a random place for every event: with a hash-keyed dedupe bucket
// and a per-lead index, a commit of 16 events wrote about 40 pages instead
// of 17, and 32 writers got roughly half the throughput. The lookups that
// need a hash (deduplication, interned strings) therefore live in memory,
// rebuilt at Open from an append-only journal (journal.go). Each bucket a
// commit touches also costs its branch pages, so a commit touches as few as
// it can: the events, the time index and the journal, and the strings only
// for new searchable text. Pages are 8 KiB (for new files): the trees are
// shallower and a batch's events fill fewer leaves, so a commit of 15
// events writes about 13 pages, against 17 with 4 KiB pages.
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
//	meta      schema version and counters (stats.go)
//	settings  key -> JSON
//	rejected  seq (8) -> JSON Rejection, the newest 1000
//
// "when" is Event.When() as Unix nanoseconds with the sign bit flipped, so a
// cursor walking by_time backwards lists events newest first by event time,
// and an event that arrives late lands where it belongs.
//
// The schema version is 2. Schema 1 kept the dedupe log in a bucket of its
// own and found strings through a str_hash bucket keyed by hash; Open
// upgrades such a file in place, in one transaction (migrate.go; under a
// second for a million events).
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
//
// # Deduplication
//
// An event's Key is fingerprinted (8 bytes of its SHA-256) and looked up in
// an in-memory index loaded from the journal at Open; a hit is confirmed
// against the stored event's Key. The lookup and the insert happen in the
// writer's transaction, so duplicates within one batch are caught too.
//
// # Durability and cancellation
//
// The file is opened with a lock timeout (ErrLocked when another process has
// it), the map freelist, and the freelist synced on each commit: without it
// bbolt rebuilds the freelist at open by reading every page. NoSync is never
// set: a request is answered only after its transaction's commit, fsyncs
// included, has returned. An Append whose context ends while it waits
// returns ctx.Err(), but its event may be committed anyway; retrying it is
// safe because of the Key.
//
// # Measured
//
// On the 2-core development machine, with a store of a million generated
// events (BenchmarkSeeded, STORE_BENCH_EVENTS=1000000): first page of List
// 0.04 ms; a text search for a word only the oldest event has (a full
// scan) 77 ms; Append from 32 goroutines about 28,000 events/s (23,000 to
// 27,000 on an empty store, which varies with the disk; 2,500/s from one
// goroutine, which waits for every fsync); peak RSS of the test process
// 81 MB. Through HTTP (make bench), 32 connections get 11,000 to 13,000
// acknowledged events/s, a little under a third of a bare Go handler's
// rate, with p99 about 6 ms; `leadbell serve` over a million events peaks
// at 70 MB RSS, at about 1,600 bytes on disk per event.
package store
