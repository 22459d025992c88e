package store

import (
	"bytes"
	"crypto/sha256"
	"os"
	"strconv"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"
)

// rssFileKB is this process's resident file-backed memory.
func rssFileKB(t *testing.T) int {
	t.Helper()
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	for line := range strings.Lines(string(data)) {
		if v, ok := strings.CutPrefix(line, "RssFile:"); ok {
			n, err := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
	}
	t.Fatal("no RssFile in /proc/self/status")
	return 0
}

func TestReleaseMappedDropsPagesAndKeepsData(t *testing.T) {
	s := openTest(t)
	if _, err := s.AppendMany(t.Context(), genEvents(8000, 1, "rss-")); err != nil {
		t.Fatal(err)
	}
	sum := func(tx *bolt.Tx) []byte {
		h := sha256.New()
		_ = tx.Bucket(bucketEvents).ForEach(func(k, v []byte) error {
			h.Write(k)
			h.Write(v)
			return nil
		})
		return h.Sum(nil)
	}
	s.awaitApplied() // the events are in bbolt
	err := s.db.View(func(tx *bolt.Tx) error {
		releaseMapped(tx)
		before := sum(tx)
		touched := rssFileKB(t)
		releaseMapped(tx)
		released := rssFileKB(t)
		// The events bucket is several megabytes; reading it mapped it.
		if touched-released < 2048 {
			t.Errorf("RssFile %d kB after reading, %d kB after release: want at least 2 MB dropped", touched, released)
		}
		if after := sum(tx); !bytes.Equal(before, after) {
			t.Error("data read after the release differs")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
