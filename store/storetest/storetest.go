// Package storetest helps the tests of code that uses a store.
package storetest

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/leadbell/leadbell/store"
)

// Damaged makes a new data directory holding a store file named name whose
// pages after the header are overwritten with bytes bbolt cannot read, as
// a disk fault leaves them. It returns the directory and the file's bytes.
func Damaged(tb testing.TB, name string) (dir string, damaged []byte) {
	tb.Helper()
	dir = tb.TempDir()
	path := filepath.Join(dir, name)
	st, err := store.Open(path, store.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	if err := st.Close(); err != nil {
		tb.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	for i := 16 << 10; i < len(data); i++ {
		data[i] = byte(i*7919 + i>>3)
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		tb.Fatal(err)
	}
	return dir, data
}
