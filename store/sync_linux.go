package store

import (
	"os"
	"syscall"
)

// fdatasync flushes f's data, and its size only when that changed: the log
// overwrites blocks that already exist, so this skips the file system's
// journal (see wal.go).
func fdatasync(f *os.File) error {
	for {
		err := syscall.Fdatasync(int(f.Fd()))
		if err != syscall.EINTR {
			return err
		}
	}
}

// syncDir makes the names in dir durable, such as a new log file's.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
