package store

import (
	"encoding/binary"
	"fmt"
	"time"

	"github.com/leadbell/leadbell/event"
	bolt "go.etcd.io/bbolt"
)

// Overview is the shape of recent activity: counts by type in equal time
// buckets, and per campaign.
type Overview struct {
	From      time.Time       `json:"from"`
	Step      time.Duration   `json:"-"`
	Buckets   []Bucket        `json:"buckets"`
	Campaigns []CampaignCount `json:"campaigns"`
}

// Bucket counts the events of one time slot.
type Bucket struct {
	Start  time.Time          `json:"start"`
	Counts map[event.Type]int `json:"counts"`
}

// CampaignCount counts one campaign's events in the whole range.
type CampaignCount struct {
	ID     string             `json:"id"`
	Name   string             `json:"name"`
	Counts map[event.Type]int `json:"counts"`
}

// codeTypes is typeCodes inverted.
var codeTypes = func() map[byte]event.Type {
	m := make(map[byte]event.Type, len(typeCodes))
	for t, c := range typeCodes {
		m[c] = t
	}
	return m
}()

// Overview counts the events whose time falls in n buckets of step from
// from on. It reads only the time index's summaries, plus one event per
// campaign for the campaign's name.
func (s *Store) Overview(from time.Time, step time.Duration, n int) (Overview, error) {
	if step <= 0 || n <= 0 {
		return Overview{}, fmt.Errorf("store: overview needs a positive step and count")
	}
	o := Overview{From: from, Step: step, Buckets: make([]Bucket, n)}
	for i := range o.Buckets {
		o.Buckets[i] = Bucket{Start: from.Add(time.Duration(i) * step), Counts: map[event.Type]int{}}
	}
	type campaign struct {
		counts map[event.Type]int
		seq    uint64 // its newest event, for the name
	}
	byID := map[uint32]*campaign{}
	lo, hi := whenKey(from), whenKey(from.Add(time.Duration(n)*step))
	err := s.view(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketByTime).Cursor()
		for k, v := c.Seek(timeKey(lo, 0)); k != nil; k, v = c.Next() {
			when := binary.BigEndian.Uint64(k)
			if when >= hi {
				break
			}
			sum, ok := parseSummary(v)
			if !ok {
				continue
			}
			t, known := codeTypes[sum.code]
			if !known {
				t = event.Other
			}
			o.Buckets[int((when-lo)/uint64(step))].Counts[t]++
			if sum.campaign == 0 {
				continue
			}
			cc := byID[sum.campaign]
			if cc == nil {
				cc = &campaign{counts: map[event.Type]int{}}
				byID[sum.campaign] = cc
			}
			cc.counts[t]++
			cc.seq = binary.BigEndian.Uint64(k[8:])
		}
		for _, cc := range byID {
			ev, err := getEvent(tx, cc.seq, false)
			if err != nil {
				return err
			}
			o.Campaigns = append(o.Campaigns, CampaignCount{ID: ev.CampaignID, Name: ev.CampaignName, Counts: cc.counts})
		}
		return nil
	})
	if err != nil {
		return Overview{}, fmt.Errorf("store: unable to count events: %w", err)
	}
	return o, nil
}
