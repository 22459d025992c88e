// Package notify turns newly stored events into desktop notifications:
// "Jane Doe (Acme Corp) replied" with the first words of the reply, or
// "5 new replies" when a burst arrives.
//
// # Where it sits
//
// The receiver stores an event, acknowledges SmartLead, then publishes the
// event on the broker. A Notifier reads a broker subscription (Run) or is
// handed events one by one (Handle); neither ever waits for the desktop,
// which is reached from a timer through a Sender.
//
// # Rules, in the order they apply
//
//  1. Never twice for one event: the ids of the last few thousand events
//     are remembered, so a redelivery after a catch-up raises nothing.
//  2. Only types switched on in the settings (replies by default). The
//     settings are read through a function on every event, so a change
//     applies at once.
//  3. A backfilled event (fetched from SmartLead after an outage) pops up
//     only if it happened within the last five minutes.
//  4. Nothing during quiet hours (a daily local-time window that may wrap
//     midnight, "22:00" to "07:00") or while paused (the tray's "Pause
//     notifications for 1 hour": PauseUntil). Events silenced this way are
//     not shown later either: the inbox has them.
//
// # Timing and grouping
//
// The rule of the product is that three or more notifications within ten
// seconds become one ("5 new replies", or "8 new events" when the types are
// mixed), that a burst of ten gives exactly one notification, and that a
// single reply gives exactly one. The notifier keeps it like this:
//
//   - An event that passes the rules is held in a batch; events arriving
//     meanwhile join it. The batch is due once Hold (2 s) passed without a
//     new event, or Window (10 s) after its first event, whichever comes
//     first: a burst is collected while it lasts, yet nothing waits more
//     than ten seconds.
//   - At most two notifications pop up within any Window. When a batch is
//     due and the window has room for each of its events (one or two of
//     them), each pops up on its own; otherwise the whole batch becomes
//     one group. A burst of ten is therefore one group; one reply is one
//     notification, two seconds after it arrived.
//   - A batch that starts while two notifications already went out within
//     the window is not due before the older of them leaves it. A steady
//     trickle thus yields at most two pop-ups per ten seconds, the later
//     ones groups.
//
// Quiet hours, the pause and the type switches are checked again when a
// batch is due, so a pause clicked during the hold holds.
//
// # Text from strangers
//
// A reply is written by whoever the lead is, so every piece of an event
// shown is cleaned before it leaves the package: HTML is reduced to its
// text, quoted earlier mail ("On … wrote:", "> …") is dropped, control
// characters, invalid UTF-8, bidi overrides and invisible characters are
// removed, white space collapses to single spaces, and the result is cut
// on a word (or between runes) with "…". The reply excerpt is at most 120
// runes; names, companies and subjects at most 60. The D-Bus sender then
// writes the remaining angle brackets as ‹ › and escapes & for servers
// that read markup in bodies, so a lead's text is never taken for a tag.
//
// # Delivery
//
// On Linux the notifications go to org.freedesktop.Notifications on the
// session bus, through github.com/godbus/dbus/v5 directly (DBusSender)
// rather than github.com/gen2brain/beeep: beeep takes the app name from a
// package variable, uses the process-wide shared bus connection (which a
// test cannot point at its own bus once anything opened it), cannot ask for
// or suppress a sound except through its "alert" variant, escapes nothing,
// and on failure runs notify-send or kdialog as child processes. The Sender
// interface is where another platform's delivery plugs in.
//
// # Wiring
//
//	sender := notify.NewDBusSender(notify.DBusOptions{
//		Icon:         "/usr/share/icons/hicolor/256x256/apps/leadbell.png",
//		DesktopEntry: "leadbell",
//	})
//	defer sender.Close()
//	n := notify.New(notify.Options{
//		Sender:   sender,
//		Settings: func() settings.Notifications { return current().Notifications },
//		Logger:   log,
//	})
//	go func() {
//		for ctx.Err() == nil {
//			if err := n.Run(ctx, b.Subscribe(0)); err != nil {
//				log.Warn("resubscribing", "error", err)
//			}
//		}
//	}()
//	// tray: n.PauseUntil(time.Now().Add(time.Hour)); on quit: n.Stop()
package notify
