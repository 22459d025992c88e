package store

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/leadbell/leadbell/event"
)

// An event value in the "events" bucket is a small binary record, not JSON:
// it is about half the size and several times faster to encode and decode,
// and its fixed header lets SetRead flip the read flag and find the event's
// time-index key without decoding anything.
//
//	[0]     codec version (eventCodecV2; eventCodecV1 records are read too)
//	[1]     flags (flagRead, flagBackfilled, flagDone, flagSnoozed)
//	[2:10]  when key (see whenKey)
//	[10:]   the fields, in the order of encodeEvent
//
// Strings are a uvarint length and the bytes, integers are varints, times are
// a uvarint length and time.Time's binary form (length 0 for the zero time).
// Raw comes last, so that reading an event without it stops before it. The
// ID is not in the record: it is the bucket key.
//
// Version 2 added StatsID, Category and PreviousCategory, right after
// Company: the fields the lead directory needs (leads.go) then all lie in
// the head of the record, which is all that building the directory at Open
// decodes. A version 1 record reads with the three empty, so files and log
// files written before keep working as they are; a binary that knows only
// version 1 reads version 2 records as corrupt.
const (
	eventCodecV1   = 1
	eventCodecV2   = 2
	eventHeaderLen = 10

	flagRead       = 1 << 0
	flagBackfilled = 1 << 1
	// flagDone and flagSnoozed are the reply desk's (desk.go); a binary
	// from before them ignores them, as it does the triage class in the
	// high four bits (triage.go).
	flagDone    = 1 << 2
	flagSnoozed = 1 << 3
)

var errCorrupt = errors.New("store: corrupt record")

// whenKey maps a time onto 8 big-endian-sortable bytes: Unix nanoseconds
// with the sign bit flipped so that times before 1970 sort first. Times
// outside the int64 nanosecond range are clamped to its ends.
func whenKey(t time.Time) uint64 {
	const limit = math.MaxInt64 / int64(time.Second)
	switch sec := t.Unix(); {
	case sec <= -limit:
		return 0
	case sec >= limit:
		return math.MaxUint64
	}
	return uint64(t.UnixNano()) ^ (1 << 63)
}

// seqKey is the 8-byte big-endian key of an event's sequence number.
func seqKey(seq uint64) []byte {
	return binary.BigEndian.AppendUint64(make([]byte, 0, 8), seq)
}

// timeKey is when (8 bytes) followed by seq (8 bytes): walking a bucket keyed
// by it goes in event-time order, ties broken by arrival.
func timeKey(when, seq uint64) []byte {
	k := make([]byte, 16)
	binary.BigEndian.PutUint64(k, when)
	binary.BigEndian.PutUint64(k[8:], seq)
	return k
}

// formatID and parseID convert between a sequence number and the decimal
// string used as Event.ID.
func formatID(seq uint64) string { return strconv.FormatUint(seq, 10) }

func parseID(id string) (uint64, bool) {
	seq, err := strconv.ParseUint(id, 10, 64)
	return seq, err == nil && seq > 0
}

func eventFlags(ev *event.Event) byte {
	var f byte
	if ev.Read {
		f |= flagRead
	}
	if ev.Backfilled {
		f |= flagBackfilled
	}
	if ev.Done {
		f |= flagDone
	}
	return f | triageCode(ev.Triage)
}

// encodeEvent encodes ev without its ID.
func encodeEvent(ev *event.Event) []byte {
	b := make([]byte, eventHeaderLen, 256+len(ev.Body)+len(ev.Subject)+len(ev.Raw))
	b[0] = eventCodecV2
	b[1] = eventFlags(ev)
	binary.BigEndian.PutUint64(b[2:], whenKey(ev.When()))
	b = appendString(b, string(ev.Type))
	b = appendString(b, ev.SourceType)
	b = appendTime(b, ev.Timestamp)
	b = appendTime(b, ev.ReceivedAt)
	b = appendString(b, ev.CampaignID)
	b = appendString(b, ev.CampaignName)
	b = appendString(b, ev.LeadID)
	b = appendString(b, ev.LeadEmail)
	b = appendString(b, ev.LeadName)
	b = appendString(b, ev.Company)
	b = appendString(b, ev.StatsID)
	b = appendString(b, ev.Category)
	b = appendString(b, ev.PreviousCategory)
	keys := make([]string, 0, len(ev.CustomFields))
	for k := range ev.CustomFields {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	b = binary.AppendUvarint(b, uint64(len(keys)))
	for _, k := range keys {
		b = appendString(b, k)
		b = appendString(b, ev.CustomFields[k])
	}
	b = binary.AppendVarint(b, int64(ev.SequenceNumber))
	b = appendString(b, ev.Subject)
	b = appendString(b, ev.Body)
	b = appendString(b, ev.URL)
	b = binary.AppendVarint(b, int64(ev.OpenCount))
	b = appendString(b, ev.AppURL)
	b = appendString(b, ev.MessageID)
	b = appendString(b, ev.VerifiedBy)
	b = appendString(b, ev.Key)
	b = binary.AppendUvarint(b, uint64(len(ev.Raw)))
	return append(b, ev.Raw...)
}

// decodeEvent decodes a record written by encodeEvent, with Raw when
// withRaw is set. What it returns is copied, so b may be memory owned by a
// transaction.
func decodeEvent(seq uint64, b []byte, withRaw bool) (event.Event, error) {
	var d decoder
	ev, err := decodeHead(seq, b, &d)
	if err != nil {
		return event.Event{}, err
	}
	if n := d.uvarint(); n > 0 && n <= uint64(len(d.b)) {
		ev.CustomFields = make(map[string]string, n)
		for range n {
			k := d.str()
			ev.CustomFields[k] = d.str()
		}
	}
	ev.SequenceNumber = int(d.varint())
	ev.Subject = d.str()
	ev.Body = d.str()
	ev.URL = d.str()
	ev.OpenCount = int(d.varint())
	ev.AppURL = d.str()
	ev.MessageID = d.str()
	ev.VerifiedBy = d.str()
	ev.Key = d.str()
	if withRaw {
		if raw := d.bytes(); len(raw) > 0 {
			ev.Raw = bytes.Clone(raw)
		}
	}
	if d.err != nil {
		return event.Event{}, fmt.Errorf("%w: event %d", errCorrupt, seq)
	}
	return ev, nil
}

// decodeHead decodes the header and the fields up to PreviousCategory,
// leaving d after them.
func decodeHead(seq uint64, b []byte, d *decoder) (event.Event, error) {
	h, ok := readHead(b, d)
	if !ok {
		return event.Event{}, fmt.Errorf("%w: event %d", errCorrupt, seq)
	}
	ev := event.Event{
		ID:               formatID(seq),
		Read:             h.flags&flagRead != 0,
		Backfilled:       h.flags&flagBackfilled != 0,
		Done:             h.flags&flagDone != 0,
		Type:             eventType(h.typ),
		SourceType:       string(h.sourceType),
		Timestamp:        d.parseTime(h.timestamp),
		ReceivedAt:       d.parseTime(h.receivedAt),
		CampaignID:       string(h.campaignID),
		CampaignName:     string(h.campaignName),
		LeadID:           string(h.leadID),
		LeadEmail:        string(h.leadEmail),
		LeadName:         string(h.leadName),
		Company:          string(h.company),
		StatsID:          string(h.statsID),
		Category:         string(h.category),
		PreviousCategory: string(h.previousCategory),
	}
	if d.err != nil {
		return event.Event{}, fmt.Errorf("%w: event %d", errCorrupt, seq)
	}
	return ev, nil
}

// recordHead is the head of an event record, the fields up to
// PreviousCategory, as they lie in the record: neither copied nor parsed.
// It is all the lead directory needs (leads_build.go).
type recordHead struct {
	flags                                  byte
	typ, sourceType, timestamp, receivedAt []byte
	campaignID, campaignName               []byte
	leadID, leadEmail, leadName, company   []byte
	statsID, category, previousCategory    []byte // empty in version 1
}

// readHead reads the head of the record b, leaving d after it.
func readHead(b []byte, d *decoder) (h recordHead, ok bool) {
	if len(b) < eventHeaderLen || b[0] != eventCodecV1 && b[0] != eventCodecV2 {
		return recordHead{}, false
	}
	*d = decoder{b: b[eventHeaderLen:]}
	h.flags = b[1]
	h.typ = d.bytes()
	h.sourceType = d.bytes()
	h.timestamp = d.bytes()
	h.receivedAt = d.bytes()
	h.campaignID = d.bytes()
	h.campaignName = d.bytes()
	h.leadID = d.bytes()
	h.leadEmail = d.bytes()
	h.leadName = d.bytes()
	h.company = d.bytes()
	if b[0] >= eventCodecV2 {
		h.statsID = d.bytes()
		h.category = d.bytes()
		h.previousCategory = d.bytes()
	}
	return h, d.err == nil
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func appendTime(b []byte, t time.Time) []byte {
	if t.IsZero() {
		return append(b, 0)
	}
	tb, err := t.MarshalBinary()
	if err != nil {
		// Only zone offsets that Go cannot represent fail; the instant is
		// what matters, so keep it in UTC.
		tb, _ = t.UTC().MarshalBinary()
	}
	b = binary.AppendUvarint(b, uint64(len(tb)))
	return append(b, tb...)
}

// decoder reads the fields of a record, remembering the first error so that
// callers check once at the end.
type decoder struct {
	b   []byte
	err error
}

func (d *decoder) uvarint() uint64 {
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.fail()
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) varint() int64 {
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.fail()
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) bytes() []byte {
	n := d.uvarint()
	if n > uint64(len(d.b)) {
		d.fail()
		return nil
	}
	v := d.b[:n]
	d.b = d.b[n:]
	return v
}

func (d *decoder) str() string { return string(d.bytes()) }

func (d *decoder) time() time.Time { return d.parseTime(d.bytes()) }

// parseTime parses a time read by bytes: time.Time's binary form, or
// nothing for the zero time.
func (d *decoder) parseTime(tb []byte) time.Time {
	if len(tb) == 0 {
		return time.Time{}
	}
	var t time.Time
	if err := t.UnmarshalBinary(tb); err != nil {
		d.fail()
	}
	return t
}

// eventType converts a type read by bytes, without allocating for the
// known ones.
func eventType(b []byte) event.Type {
	if t, ok := knownTypes[string(b)]; ok {
		return t
	}
	return event.Type(b)
}

func (d *decoder) fail() {
	if d.err == nil {
		d.err = errCorrupt
	}
	d.b = nil
}
