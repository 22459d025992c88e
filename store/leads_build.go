package store

import (
	"encoding/binary"
	"fmt"
	"slices"
	"time"

	"github.com/leadbell/leadbell/event"
	bolt "go.etcd.io/bbolt"
)

// buildChunk is how many events one transaction of catchUpLeads reads:
// it bounds the transaction's dirty pages and the records it holds in
// memory (a new lead per event at worst), and what a crash midway throws
// away.
const buildChunk = 1 << 14

// catchUpLeads brings the lead directory (leads.go) up to date with the
// events bucket: it folds in, in seq order, every event after leads_seq.
// Open calls it before the log is replayed, so that the replayed events
// find the directory as the writer left it. Each transaction reads at most
// chunk events and moves leads_seq on with them, so a crash midway keeps
// what was done and the next Open goes on from there.
//
// It walks the time index once for the events' lead string ids (4 bytes
// an event in memory: hashing every lead ID to look it up in the string
// index costs several times more), then the events bucket, of whose
// records it reads only the head (codec.go, readHead). A file written
// before the directory existed pays that once.
func (s *Store) catchUpLeads(chunk int) error {
	var from, last uint64
	var leadOf []uint32 // the lead ID's string id of the events from..last
	err := s.db.View(func(tx *bolt.Tx) error {
		from = 1
		if v := tx.Bucket(bucketMeta).Get(metaLeadsSeq); len(v) == 8 {
			from = readU64(v) + 1
		}
		events := tx.Bucket(bucketEvents)
		last = events.Sequence()
		if k, _ := events.Cursor().Last(); k != nil {
			last = max(last, binary.BigEndian.Uint64(k))
		}
		if from > last {
			return nil
		}
		leadOf = summaryLeads(tx, from, last)
		return nil
	})
	if err != nil || from > last {
		return err
	}
	start, first := time.Now(), from
	s.log.Info("building the lead directory", "events", last-from+1)
	read, skipped := 0, 0
	for from <= last {
		err := s.db.Update(func(tx *bolt.Tx) error {
			n, next, bad, err := foldChunk(tx, from, last, chunk, leadOf[from-first:])
			read, skipped, from = read+n, skipped+bad, next
			if err != nil {
				return err
			}
			return tx.Bucket(bucketMeta).Put(metaLeadsSeq, u64(next-1))
		})
		if err != nil {
			return fmt.Errorf("store: unable to build the lead directory: %w", err)
		}
	}
	s.log.Info("built the lead directory", "events", read, "skipped", skipped, "took", time.Since(start).Round(time.Millisecond))
	return nil
}

// summaryLeads returns the lead ID's string id of every event from seq
// from to last, indexed by seq-from, read from the time index's summaries
// (0 for an event without a lead, or without a summary).
func summaryLeads(tx *bolt.Tx, from, last uint64) []uint32 {
	leadOf := make([]uint32, last-from+1)
	c := tx.Bucket(bucketByTime).Cursor()
	n := 0
	for k, v := c.First(); k != nil; k, v = c.Next() {
		if n++; n%releaseEntries == 0 {
			releaseMapped(tx)
		}
		if len(k) != 16 {
			continue
		}
		if seq := binary.BigEndian.Uint64(k[8:]); seq >= from && seq <= last {
			leadOf[seq-from] = summaryLead(v)
		}
	}
	releaseMapped(tx)
	return leadOf
}

// foldChunk folds up to chunk events from seq from on into the directory,
// in tx; leadOf[i] is the lead string id of event from+i. It returns how
// many events it read, the seq to go on from (last+1 at the end) and how
// many it could not use. The records it changes are kept in memory and
// written once, in key order, at the end: a lead's events cost a map
// lookup each, and an event's strings are copied only when they change its
// lead's record.
func foldChunk(tx *bolt.Tx, from, last uint64, chunk int, leadOf []uint32) (n int, next uint64, skipped int, err error) {
	type entry struct {
		rec   leadRec
		dirty bool
	}
	leads := tx.Bucket(bucketLeads)
	leads.FillPercent = leadsFill
	// A lead whose id is above the last key has no record yet: on a first
	// build, none has.
	var top uint32
	if k, _ := leads.Cursor().Last(); len(k) == 4 {
		top = binary.BigEndian.Uint32(k)
	}
	byID := map[uint32]*entry{}
	next = last + 1
	var d decoder
	mapped := 0
	events := tx.Bucket(bucketEvents)
	c := events.Cursor()
	for k, v := c.Seek(seqKey(from)); k != nil; k, v = c.Next() {
		seq := binary.BigEndian.Uint64(k)
		if n == chunk {
			next = seq
			break
		}
		n++
		if mapped += len(v); mapped >= releaseBytes {
			releaseMapped(tx)
			mapped = 0
		}
		var id uint32
		if i := seq - from; i < uint64(len(leadOf)) {
			id = leadOf[i]
		}
		h, ok := readHead(v, &d)
		switch {
		case !ok:
			// Reading it fails too; it has nothing to give.
			skipped++
			continue
		case len(h.leadID) == 0:
			continue
		case id == 0:
			skipped++ // no summary
			continue
		}
		e := byID[id]
		if e == nil {
			e = &entry{rec: leadRec{Lead: Lead{ID: string(h.leadID)}}, dirty: true}
			if id <= top {
				if r, err := decodeLead(leads.Get(strKey(id)), e.rec.ID); err == nil {
					r.resolve(events)
					e.rec, e.dirty = r, false
				}
			}
			byID[id] = e
		}
		if mergeIdentity(&e.rec, seq, h.leadEmail, h.leadName, h.company) {
			e.dirty = true
		}
		if eventType(h.typ) == event.CategoryUpdated {
			ev := event.Event{
				Type: event.CategoryUpdated, Timestamp: d.parseTime(h.timestamp), ReceivedAt: d.parseTime(h.receivedAt),
				Category: string(h.category), CampaignID: string(h.campaignID),
			}
			if d.err != nil {
				skipped++
				continue
			}
			if e.rec.merge(seq, &ev) {
				e.dirty = true
			}
		}
	}
	ids := make([]uint32, 0, len(byID))
	for id, e := range byID {
		if e.dirty {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	for _, id := range ids {
		if err := leads.Put(strKey(id), encodeLead(&byID[id].rec)); err != nil {
			return n, next, skipped, err
		}
	}
	return n, next, skipped, nil
}
