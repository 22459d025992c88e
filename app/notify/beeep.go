//go:build !linux

package notify

import (
	"context"
	"fmt"

	"github.com/gen2brain/beeep"
)

// BeeepSender shows notifications through github.com/gen2brain/beeep where
// there is no D-Bus: toasts on Windows, the Notification Center on macOS.
type BeeepSender struct {
	icon string
}

// NewBeeepSender returns a sender that names the app appName (beeep keeps
// the name process-wide) and shows icon, a path to a PNG file.
func NewBeeepSender(appName, icon string) *BeeepSender {
	if appName == "" {
		appName = DefaultAppName
	}
	beeep.AppName = appName
	return &BeeepSender{icon: icon}
}

// Send shows n, giving up waiting when ctx ends (the platform's helper
// process may still finish showing it).
func (s *BeeepSender) Send(ctx context.Context, n Notification) error {
	done := make(chan error, 1)
	title, body := platformSafe(n.Summary), platformSafe(n.Body)
	go func() { done <- beeep.Notify(title, body, s.icon) }()
	select {
	case err := <-done:
		if err != nil {
			return fmt.Errorf("notify: %w", err)
		}
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Close releases nothing; it matches DBusSender.
func (s *BeeepSender) Close() error { return nil }
