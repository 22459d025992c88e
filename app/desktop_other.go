//go:build desktop && !linux

package app

import "github.com/leadbell/leadbell/app/notify"

// newSender shows notifications with the platform's own service (Windows
// toasts, the macOS Notification Center), through beeep.
func newSender(icon string) interface {
	notify.Sender
	Close() error
} {
	return notify.NewBeeepSender("Leadbell", icon)
}
