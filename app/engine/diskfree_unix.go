//go:build !windows

package engine

import "syscall"

// freeSpace is the space left to this user on the file system of dir.
func freeSpace(dir string) (uint64, bool) {
	var fs syscall.Statfs_t
	if err := syscall.Statfs(dir, &fs); err != nil {
		return 0, false
	}
	return uint64(fs.Bavail) * uint64(fs.Bsize), true
}
