//go:build desktop

package app

import (
	"fmt"
	"sync"
	"time"

	"fyne.io/systray"

	"github.com/leadbell/leadbell/app/api"
)

// tray is Leadbell's icon in the system tray (a StatusNotifierItem over
// D-Bus on Linux): how many replies wait for the user, a status line, and
// the menu.
type tray struct {
	status, pause *systray.MenuItem
	end           func()
	mu            sync.Mutex
	last          string
}

// trayActions are what the menu does.
type trayActions struct {
	Open  func()
	Pause func(until time.Time)
	Quit  func()
}

// startTray shows the icon; it returns once the menu exists.
func startTray(icon []byte, do trayActions) *tray {
	t := &tray{}
	ready := make(chan struct{})
	start, end := systray.RunWithExternalLoop(func() {
		systray.SetIcon(icon)
		systray.SetTitle("Leadbell")
		systray.SetTooltip("Leadbell")
		open := systray.AddMenuItem("Open Leadbell", "Show the inbox")
		t.pause = systray.AddMenuItem("Pause notifications for 1 hour", "No pop-ups for an hour")
		systray.AddSeparator()
		t.status = systray.AddMenuItem("Starting…", "Leadbell's connection")
		t.status.Disable()
		systray.AddSeparator()
		quit := systray.AddMenuItem("Quit", "Stop receiving and quit")
		systray.SetOnTapped(do.Open)
		go func() {
			for {
				select {
				case <-open.ClickedCh:
					do.Open()
				case <-t.pause.ClickedCh:
					until := time.Now().Add(time.Hour)
					do.Pause(until)
					t.pause.SetTitle("Notifications paused until " + until.Format("15:04"))
					t.pause.Disable()
					time.AfterFunc(time.Hour, func() {
						t.pause.SetTitle("Pause notifications for 1 hour")
						t.pause.Enable()
					})
				case <-quit.ClickedCh:
					do.Quit()
					return
				}
			}
		}()
		close(ready)
	}, nil)
	t.end = end
	start()
	<-ready
	return t
}

// update shows the state and how many replies need the user.
func (t *tray) update(st api.Status, waiting int) {
	line := map[string]string{
		api.StateListening: "Listening", api.StateReconnecting: "Reconnecting…", api.StateSignedOut: "Signed out",
		api.StateStalled: "Stalled: events are not coming back", api.StateUnauthorized: "SmartLead refused the key",
		api.StateStarting: "Starting…", api.StateError: "Cannot reach SmartLead",
		api.StateUnreachable: "SmartLead cannot reach this computer yet",
		api.StateCannotSave:  "Cannot save new replies: see the window",
	}[st.State]
	if st.Demo {
		line += " (demo)"
	}
	tip := "Leadbell — " + line
	switch {
	case waiting == 1:
		tip = "Leadbell — 1 reply waiting for you · " + line
	case waiting > 1:
		tip = fmt.Sprintf("Leadbell — %d replies waiting for you · %s", waiting, line)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if tip == t.last {
		return
	}
	t.last = tip
	t.status.SetTitle(line)
	systray.SetTooltip(tip)
	if waiting > 0 {
		systray.SetTitle(fmt.Sprintf("Leadbell (%d)", waiting))
	} else {
		systray.SetTitle("Leadbell")
	}
}

func (t *tray) stop() { t.end() }
