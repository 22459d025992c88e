package tunnel

import (
	"sync"

	ngrok "golang.ngrok.com/ngrok/v2"
)

// onEvent follows the client's session. The client calls it on its own
// goroutines and asks that it not block: it only updates the state under
// the lock and queues a note for OnState.
func (t *ngrokTunnel) onEvent(ev ngrok.Event) {
	switch e := ev.(type) {
	case *ngrok.EventAgentConnectSucceeded:
		t.sessionUp()
	case *ngrok.EventAgentDisconnected:
		t.sessionDown(e.Error)
	}
}

// sessionUp: a session is made, the first one or a new one after a drop.
func (t *ngrokTunnel) sessionUp() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.up = true
	if t.phase == running && t.state == StateReconnecting {
		t.log.Info("ngrok session back", "url", t.URL())
		t.setLocked(StateConnected, nil)
	}
}

// sessionDown: a session dropped, or an attempt to make one failed. The
// client tries again by itself, forever; a refused authtoken is the one
// failure worth stopping it for.
func (t *ngrokTunnel) sessionDown(err error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	// A nil error or a context's is the client winding down after Close
	// or an abandoned connect, not news.
	if err == nil || isContextErr(err) || t.phase == closed || t.state == StateDisconnected {
		return
	}
	t.up = false
	f, refused := refusalOf(err, t.r)
	if t.phase == connecting {
		t.lastErr = err
		if refused {
			select {
			case t.refused <- f.err():
			default: // one is enough
			}
		}
		return
	}
	if refused && f.badToken() {
		t.log.Error("ngrok no longer accepts the authtoken; tunnel closed", "error", f.err())
		t.setLocked(StateDisconnected, f.err())
		go t.shutdown()
		return
	}
	why := classify(err, t.r)
	if t.state != StateReconnecting {
		t.log.Warn("ngrok session dropped; reconnecting", "error", why)
	}
	t.setLocked(StateReconnecting, why)
}

// setLocked records the state and, when it changed, queues a note for
// OnState. t.mu is held.
func (t *ngrokTunnel) setLocked(s State, err error) {
	changed := s != t.state
	t.state, t.stateErr = s, err
	if changed && t.notes != nil {
		t.notes.push(s, err)
	}
}

// State is the connection as of now: StateConnected; StateReconnecting
// with the last failure; StateDisconnected after Close (nil) or once ngrok
// refused the authtoken (ErrBadAuthtoken).
func (t *ngrokTunnel) State() (State, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.state, t.stateErr
}

// notifier calls OnState in order, one call at a time, on a goroutine of
// its own: the client's goroutines must not wait on the app.
type notifier struct {
	fn   func(State, error)
	wake chan struct{}
	done chan struct{}

	mu    sync.Mutex
	queue []stateNote
}

type stateNote struct {
	state State
	err   error
}

func newNotifier(fn func(State, error)) *notifier {
	n := &notifier{fn: fn, wake: make(chan struct{}, 1), done: make(chan struct{})}
	go n.run()
	return n
}

// push queues a note; it never blocks.
func (n *notifier) push(s State, err error) {
	n.mu.Lock()
	n.queue = append(n.queue, stateNote{s, err})
	n.mu.Unlock()
	select {
	case n.wake <- struct{}{}:
	default: // a wake-up is already pending; it will see this note
	}
}

// stop ends the notifier; no call starts after it.
func (n *notifier) stop() { close(n.done) }

func (n *notifier) run() {
	for {
		select {
		case <-n.done:
			return
		case <-n.wake:
		}
		n.mu.Lock()
		notes := n.queue
		n.queue = nil
		n.mu.Unlock()
		for _, note := range notes {
			select {
			case <-n.done:
				return
			default:
			}
			n.fn(note.state, note.err)
		}
	}
}
