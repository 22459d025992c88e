//go:build !linux

package store

import "os"

// fdatasync is a full fsync where fdatasync is not to be had.
func fdatasync(f *os.File) error { return f.Sync() }

// syncDir makes the names in dir durable where the system allows syncing
// a directory; where it does not (Windows), creating the file is enough.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return nil
	}
	defer d.Close()
	_ = d.Sync()
	return nil
}
