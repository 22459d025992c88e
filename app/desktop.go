//go:build desktop

package app

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"

	"github.com/godbus/dbus/v5"
	"github.com/wailsapp/wails/v2"
	"github.com/wailsapp/wails/v2/pkg/options"
	"github.com/wailsapp/wails/v2/pkg/options/assetserver"
	"github.com/wailsapp/wails/v2/pkg/options/linux"
	"github.com/wailsapp/wails/v2/pkg/runtime"

	"github.com/leadbell/leadbell/app/engine"
	"github.com/leadbell/leadbell/app/notify"
	"github.com/leadbell/leadbell/app/settings"
)

// HasWindow reports whether this build can open the desktop window.
const HasWindow = true

// instanceID names this app for Wails' single-instance lock (a D-Bus name
// on Linux).
const instanceID = "app.leadbell.desktop"

// ErrWokeFirst means another Leadbell was running: its window was brought
// forward and this copy touched nothing.
var ErrWokeFirst = errors.New("app: Leadbell is already running; its window was brought forward")

// Desktop runs Leadbell in its window until the user quits. The store's lock
// is taken before Wails starts: a second copy raises the first one's window
// and exits without touching the store or the tunnel (on Linux, Wails runs
// OnStartup before its own single-instance check would end that copy).
//
// The same UI is served to browsers on cfg.UIAddr as well, when that
// address is free; ready is told its URL.
func Desktop(ctx context.Context, cfg Config, assets fs.FS, icon []byte, ready func(uiURL string)) error {
	cfg.SetDefaults()
	launched := time.Now()
	sess, err := NewSession(cfg, assets)
	if errors.Is(err, ErrAlreadyRunning) {
		if raiseErr := raiseFirstInstance(); raiseErr != nil {
			return fmt.Errorf("%w (and its window could not be raised: %v)", err, raiseErr)
		}
		return ErrWokeFirst
	}
	if damage := (*DamagedError)(nil); errors.As(err, &damage) {
		return showDamaged(ctx, cfg, damage, icon)
	}
	if err != nil {
		return err
	}

	if ui, err := ServeUI(cfg.UIAddr, cfg.DataDir, sess, cfg.Logger); err != nil {
		cfg.Logger.Warn("no browser UI beside the window", "error", err)
	} else {
		defer ui.Stop()
		if ready != nil {
			ready(ui.URL)
		}
	}

	runCtx, stopRun := context.WithCancel(ctx)
	runErr := make(chan error, 1)
	var window atomic.Pointer[context.Context]
	go func() {
		err := sess.Run(runCtx)
		runErr <- err
		// The engine stopped by itself (a server failed, or neither the
		// account nor the demo could start): close the window rather than
		// leave it up with nothing behind it.
		if c := window.Load(); c != nil && runCtx.Err() == nil {
			cfg.Logger.Error("Leadbell stopped", "error", err)
			runtime.Quit(*c)
		}
	}()

	// Desktop notifications name the icon by path: keep a copy beside the data.
	iconPath := filepath.Join(cfg.DataDir, "leadbell.png")
	if err := os.WriteFile(iconPath, icon, 0o644); err != nil {
		cfg.Logger.Warn("unable to write the notification icon", "error", err)
	}
	sender := newSender(iconPath)
	defer sender.Close()
	notifier := notify.New(notify.Options{
		Sender: sender,
		Settings: func() settings.Notifications {
			if in := sess.Current(); in != nil {
				return in.Engine.NotificationSettings()
			}
			return settings.Notifications{} // stopping: nothing is shown
		},
		Logger: cfg.Logger,
	})
	defer notifier.Stop()
	// Says when the current session's disk refuses new events, and when it
	// takes them again; pops up the current session's events, the demo's
	// included.
	go sess.Follow(runCtx, func(ctx context.Context, in *Instance) {
		engine.WatchStorage(ctx, in.Store, in.Engine.DataDir(), func(n engine.Notice) { notifier.Notice(n.Title, n.Body) })
	})
	go sess.Follow(runCtx, func(ctx context.Context, in *Instance) {
		if err := notifier.Run(ctx, in.Engine.Broker().Subscribe(0)); err != nil {
			cfg.Logger.Debug("notifications resubscribe", "error", err)
		}
	})
	go sess.Follow(runCtx, func(ctx context.Context, in *Instance) {
		back := in.Back.Subscribe(0)
		defer func() { back.Cancel() }()
		for {
			select {
			case <-ctx.Done():
				return
			case ev, ok := <-back.C:
				if !ok {
					back = in.Back.Subscribe(0)
					continue
				}
				notifier.Back(ev)
			}
		}
	})

	var tr *tray
	err = wails.Run(&options.App{
		Title:            "Leadbell",
		Width:            1240,
		Height:           800,
		MinWidth:         880,
		MinHeight:        560,
		BackgroundColour: &options.RGBA{R: 247, G: 248, B: 250, A: 255},
		AssetServer: &assetserver.Options{Handler: saveExports(sess, sess, func() context.Context {
			if c := window.Load(); c != nil {
				return *c
			}
			return nil
		})},
		// Closing the window hides it to the tray; Quit is in the tray menu.
		HideWindowOnClose: true,
		OnDomReady: func(context.Context) {
			cfg.Logger.Info("window ready", "since_launch_ms", time.Since(launched).Milliseconds())
		},
		OnStartup: func(c context.Context) {
			window.Store(&c)
			tr = startTray(icon, trayActions{
				Open: func() {
					runtime.WindowUnminimise(c)
					runtime.WindowShow(c)
				},
				Pause: notifier.PauseUntil,
				Quit:  func() { runtime.Quit(c) },
			})
			go bridge(runCtx, c, sess, tr)
			go func() { // SIGINT/SIGTERM close the window like Quit does
				<-ctx.Done()
				runtime.Quit(c)
			}()
		},
		SingleInstanceLock: &options.SingleInstanceLock{
			UniqueId: instanceID,
			OnSecondInstanceLaunch: func(options.SecondInstanceData) {
				if c := window.Load(); c != nil {
					runtime.WindowUnminimise(*c)
					runtime.WindowShow(*c)
				}
			},
		},
		Linux: &linux.Options{Icon: icon, ProgramName: "leadbell", WebviewGpuPolicy: linux.WebviewGpuPolicyNever},
	})
	if tr != nil {
		tr.stop()
	}
	stopRun()
	if e := <-runErr; e != nil && err == nil {
		err = e
	}
	notifier.Stop() // before the session goes: its timers read the settings
	if e := sess.Stop(); e != nil && err == nil {
		err = e
	}
	return err
}

// bridge pushes new events to the window as Wails events (streaming
// responses are buffered by the asset server on Windows) and keeps the
// count of replies that need the user (unread, not done, snoozed, out of
// the office or automatic: store.Stats.NeedsYou) in the title and the tray. It follows the session across a
// switch to or from the demo.
func bridge(ctx, window context.Context, sess *Session, tr *tray) {
	in, changed := sess.Current(), sess.Changed()
	sub, upd := in.Engine.Broker().Subscribe(0), in.Changes.Subscribe(0)
	defer func() { sub.Cancel(); upd.Cancel() }()
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	title := ""
	for {
		select {
		case <-ctx.Done():
			return
		case <-changed:
			sub.Cancel()
			upd.Cancel()
			if in, changed = sess.Current(), sess.Changed(); in == nil {
				return
			}
			sub, upd = in.Engine.Broker().Subscribe(0), in.Changes.Subscribe(0)
			runtime.EventsEmit(window, "leadbell:resync")
		case ev, ok := <-sub.C:
			if !ok { // fell behind: the page catches up from the API
				sub = in.Engine.Broker().Subscribe(0)
				runtime.EventsEmit(window, "leadbell:resync")
				continue
			}
			runtime.EventsEmit(window, "leadbell:event", ev)
		case ev, ok := <-upd.C:
			if !ok {
				upd = in.Changes.Subscribe(0)
				continue
			}
			runtime.EventsEmit(window, "leadbell:updated", ev)
		case <-tick.C:
		}
		if stats, err := in.Store.Stats(); err == nil {
			status := in.Engine.Status()
			status.Demo = in.demo
			tr.update(status, stats.NeedsYou)
			t := "Leadbell"
			if in.demo {
				t = "Leadbell (demo)"
			}
			if stats.NeedsYou > 0 {
				t = fmt.Sprintf("(%d) %s", stats.NeedsYou, t)
			}
			if t != title {
				runtime.WindowSetTitle(window, t)
				title = t
			}
		}
	}
}

// raiseFirstInstance asks the running copy, through Wails' single-instance
// D-Bus name, to bring its window forward.
func raiseFirstInstance() error {
	conn, err := dbus.ConnectSessionBus()
	if err != nil {
		return err
	}
	defer conn.Close()
	id := "wails_app_app_leadbell_desktop"
	name, path := "org."+id+".SingleInstance", dbus.ObjectPath("/org/"+id+"/SingleInstance")
	return conn.Object(name, path).Call(name+".SendMessage", 0, `{"Args":[],"WorkingDirectory":""}`).Store()
}
