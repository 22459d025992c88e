//go:build desktop && linux

package app

import "github.com/leadbell/leadbell/app/notify"

// newSender shows notifications over D-Bus (org.freedesktop.Notifications).
func newSender(icon string) interface {
	notify.Sender
	Close() error
} {
	return notify.NewDBusSender(notify.DBusOptions{Icon: icon, DesktopEntry: "leadbell"})
}
