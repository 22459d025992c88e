package webhook

import (
	"container/list"
	"context"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// connLimit caps the open connections of the webhook listener, which
// anyone on the internet can reach. When the cap is reached it makes room
// by closing the connection that has waited longest without a request in
// progress: first one that never finished sending a request (slowloris),
// then the oldest idle keep-alive, then the one that has been sending a
// delivery's body the longest (a body trickled a byte at a time: a genuine
// one arrives in milliseconds). A connection whose request is being
// handled is never closed for room; when every one is, Accept waits for one
// to finish. A newcomer therefore always gets in while the old ones merely
// wait, and a flood of silent or trickling connections cannot lock genuine
// deliveries out.
//
// It needs to see the connections' states: set the server's ConnState to
// track, its ConnContext to withConn, and tell it when a delivery's body
// starts and stops arriving (body).
type connLimit struct {
	net.Listener
	max     int
	log     *slog.Logger
	wake    chan struct{} // a slot was freed, or a connection went idle
	done    chan struct{} // the listener is closed
	close   sync.Once
	evicted atomic.Uint64
	warned  atomic.Int64 // when the last warning was logged (unix nanoseconds)

	mu      sync.Mutex
	open    int
	fresh   list.List // *limitedConn that have not sent a whole request yet, oldest first
	idle    list.List // *limitedConn between requests, oldest first
	reading list.List // *limitedConn sending a delivery's body, oldest first
}

// limitedConn is a connection that gives its slot back when it closes.
type limitedConn struct {
	net.Conn
	l *connLimit
	// guarded by l.mu
	elem   *list.Element // in l.fresh or l.idle; nil while a request is in progress
	in     *list.List
	closed bool
}

// newConnLimit wraps ln so that at most max of its connections are open.
func newConnLimit(ln net.Listener, max int, log *slog.Logger) *connLimit {
	return &connLimit{Listener: ln, max: max, log: log, wake: make(chan struct{}, 1), done: make(chan struct{})}
}

// Accept waits for a connection and a slot for it, closing a waiting
// connection to make one if it must.
func (l *connLimit) Accept() (net.Conn, error) {
	nc, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	c := &limitedConn{Conn: nc, l: l}
	for {
		l.mu.Lock()
		if l.open < l.max {
			l.open++
			c.elem, c.in = l.fresh.PushBack(c), &l.fresh
			l.mu.Unlock()
			return c, nil
		}
		victim := l.oldestWaiting()
		l.mu.Unlock()
		if victim != nil {
			l.evict(victim)
			continue
		}
		select {
		case <-l.wake:
		case <-l.done:
			nc.Close()
			return nil, net.ErrClosed
		}
	}
}

// oldestWaiting is the connection to close for room, or nil. l.mu is held.
func (l *connLimit) oldestWaiting() *limitedConn {
	for _, q := range []*list.List{&l.fresh, &l.idle, &l.reading} {
		if e := q.Front(); e != nil {
			return e.Value.(*limitedConn)
		}
	}
	return nil
}

func (l *connLimit) evict(c *limitedConn) {
	n := l.evicted.Add(1)
	c.Close()
	now := time.Now().UnixNano()
	if last := l.warned.Load(); now-last >= int64(time.Minute) && l.warned.CompareAndSwap(last, now) {
		l.log.Warn("too many connections to the webhook URL, closing the oldest waiting ones",
			"limit", l.max, "closed_so_far", n)
	}
}

// track follows a connection's state; it is the server's ConnState hook.
func (l *connLimit) track(nc net.Conn, s http.ConnState) {
	c, ok := nc.(*limitedConn)
	if !ok {
		return
	}
	l.mu.Lock()
	if c.closed {
		l.mu.Unlock()
		return
	}
	c.unlist()
	switch s {
	case http.StateNew:
		c.elem, c.in = l.fresh.PushBack(c), &l.fresh
	case http.StateIdle:
		c.elem, c.in = l.idle.PushBack(c), &l.idle
	}
	l.mu.Unlock()
	if s == http.StateIdle {
		l.signal() // an Accept waiting at the cap may close it for room
	}
}

// connKey is the request context's key for its *limitedConn.
type connKey struct{}

// withConn puts the connection in its requests' context; it is the
// server's ConnContext hook.
func (l *connLimit) withConn(ctx context.Context, nc net.Conn) context.Context {
	return context.WithValue(ctx, connKey{}, nc)
}

// body is told when a delivery's body starts (reading) and stops
// arriving on r's connection: while it does, the connection may be closed
// for room.
func (l *connLimit) body(r *http.Request, reading bool) {
	c, ok := r.Context().Value(connKey{}).(*limitedConn)
	if !ok {
		return
	}
	l.mu.Lock()
	if !c.closed {
		c.unlist()
		if reading {
			c.elem, c.in = l.reading.PushBack(c), &l.reading
		}
	}
	l.mu.Unlock()
	if reading {
		l.signal() // an Accept waiting at the cap may close it for room
	}
}

// signal wakes an Accept that waits for room.
func (l *connLimit) signal() {
	select {
	case l.wake <- struct{}{}:
	default:
	}
}

// unlist takes c out of the waiting lists. l.mu is held.
func (c *limitedConn) unlist() {
	if c.elem != nil {
		c.in.Remove(c.elem)
		c.elem, c.in = nil, nil
	}
}

// Close closes the listener; an Accept waiting for a slot returns.
func (l *connLimit) Close() error {
	l.close.Do(func() { close(l.done) })
	return l.Listener.Close()
}

// Close closes the connection and gives its slot back, once.
func (c *limitedConn) Close() error {
	err := c.Conn.Close()
	l := c.l
	l.mu.Lock()
	if c.closed {
		l.mu.Unlock()
		return err
	}
	c.closed = true
	c.unlist()
	l.open--
	l.mu.Unlock()
	l.signal()
	return err
}
