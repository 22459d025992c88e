//go:build !windows

package main

import (
	"fmt"
	"os"
	"syscall"
)

// restart replaces this process with a new Leadbell, started as this one
// was: after the damaged data file was kept aside, it opens a new one.
func restart() error {
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("unable to start Leadbell again: %w", err)
	}
	return syscall.Exec(exe, os.Args, os.Environ())
}
