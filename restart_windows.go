package main

import (
	"fmt"
	"os"
	"os/exec"
)

// restart starts a new Leadbell as this one was started, and this one
// ends: after the damaged data file was kept aside, it opens a new one.
func restart() error {
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("unable to start Leadbell again: %w", err)
	}
	cmd := exec.Command(exe, os.Args[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("unable to start Leadbell again: %w", err)
	}
	return nil
}
