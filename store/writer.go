package store

import (
	"context"
	"time"
)

// The writer is the only goroutine that writes to bbolt, a group commit:
// it takes a request, drains every request already waiting (up to maxBatch
// events), applies them all in one transaction, commits it once and only
// then answers them. Most of its requests are applyOps: events already in
// the log (ingest.go), which nobody waits for. So it lets them accumulate
// for up to applyDelay, and commits at once only for a request somebody
// waits for (SetRead, settings, a rejection) or a read that needs the
// events (awaitApplied). Its commits are bbolt's own, fsync'd: the log is
// reused only after a synced commit has applied what it held.

// op is one request to the writer.
type op interface {
	// size is how many events the request carries, for the batch cap.
	size() int
	// apply does the request's work in tx. Its outcome for the caller (such
	// as ErrNotFound) is kept in the op; a returned error is fatal to the
	// whole transaction.
	apply(w *txn) error
	// finish answers the caller: err is nil once the transaction holding
	// the request is committed, or the reason it is not.
	finish(err error)
}

// submit queues o for the writer (see enqueue).
func (s *Store) submit(ctx context.Context, o op) error {
	return enqueue(ctx, s, s.ops, o)
}

// enqueue sends v on one of the store's queues. It fails with ErrClosed
// after Close and with ctx.Err() if ctx ends while the queue is full.
func enqueue[T any](ctx context.Context, s *Store, queue chan<- T, v T) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return ErrClosed
	}
	select {
	case queue <- v:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// trySubmit queues o unless the queue is full or the store closed.
func (s *Store) trySubmit(o op) bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return false
	}
	select {
	case s.ops <- o:
		return true
	default:
		return false
	}
}

// The writer commits log-only batches at least every applyDelay, or once
// applyBatch events wait. A commit costs two fsyncs and about a dozen page
// writes whatever its size (see doc.go), so under load a longer delay
// spends less CPU per event; reads that need the events ask for a commit
// at once (awaitApplied), so the delay is never seen by them.
const (
	applyDelay = 25 * time.Millisecond
	applyBatch = 1024
)

// writer is the only goroutine that writes to the database. It exits when
// ops is closed and drained.
func (s *Store) writer() {
	defer close(s.done)
	var backlog []op // applyOps whose commit failed, oldest first
	batch := make([]op, 0, 256)
	wait := time.NewTimer(time.Hour)
	wait.Stop()
	for open := true; open; {
		batch = append(batch[:0], backlog...)
		backlog = nil
		if len(batch) == 0 {
			o, ok := <-s.ops
			if !ok {
				break
			}
			batch = append(batch, o)
		}
		n, urgent := 0, false
		for _, o := range batch {
			n += o.size()
			_, logged := o.(*applyOp)
			urgent = urgent || !logged
		}
	drain:
		for n < maxBatch {
			select {
			case o, ok := <-s.ops:
				if !ok {
					open = false
					break drain
				}
				batch = append(batch, o)
				n += o.size()
				_, logged := o.(*applyOp)
				urgent = urgent || !logged
			default:
				break drain
			}
		}
		if open && !urgent && n < applyBatch {
			wait.Reset(s.applyDelay)
		linger:
			for n < applyBatch {
				select {
				case o, ok := <-s.ops:
					if !ok {
						open = false
						break linger
					}
					batch = append(batch, o)
					n += o.size()
					if _, logged := o.(*applyOp); !logged {
						break linger
					}
				case <-s.hurry:
					break linger
				case <-wait.C:
					break linger
				}
			}
			wait.Stop()
		}
		backlog = s.commit(batch)
		clear(batch)
		s.applyFailing.Store(len(backlog) > 0)
		s.progressed()
		if len(backlog) > 0 && open {
			backlog, open = s.waitToRetry(backlog)
		}
	}
}

// waitToRetry waits out the back-off after a failed commit of logged
// events (health.go), still taking requests so that nobody blocks on the
// queue: logged events join the backlog, and any other request ends the
// wait, to be tried (and answered) at once. It returns the backlog and
// whether ops is still open.
func (s *Store) waitToRetry(backlog []op) ([]op, bool) {
	_, attempts := s.health.failing("db")
	wait := time.NewTimer(backoff(attempts - 1))
	defer wait.Stop()
	for {
		select {
		case <-wait.C:
			return backlog, true
		case o, ok := <-s.ops:
			if !ok {
				return backlog, false
			}
			backlog = append(backlog, o)
			if _, logged := o.(*applyOp); !logged {
				return backlog, true
			}
		}
	}
}

// commit applies batch in one transaction and answers its requests. If
// that fails, the requests are retried in order, each alone so that one bad
// request cannot fail the others, except runs of logged events, which are
// retried together and, if they fail again, returned with every later one
// to be tried after retryDelay: they are answered already and must reach
// bbolt, in order.
func (s *Store) commit(batch []op) (backlog []op) {
	defer func() {
		if len(backlog) == 0 && hasLogged(batch) {
			s.health.ok("db", time.Now())
		}
	}()
	if err := s.commitOnce(batch); err == nil {
		return nil
	} else if len(batch) == 1 {
		if _, logged := batch[0].(*applyOp); logged {
			s.health.fail("db", err, time.Now())
			return []op{batch[0]} // not batch: the writer reuses it
		}
		s.log.Warn("write failed", "error", err)
		batch[0].finish(err)
		return nil
	} else {
		s.log.Debug("batch failed, retrying one by one", "requests", len(batch), "error", err)
	}
	for i := 0; i < len(batch); {
		if _, logged := batch[i].(*applyOp); !logged || len(backlog) > 0 {
			if logged {
				backlog = append(backlog, batch[i])
			} else {
				s.commit(batch[i : i+1])
			}
			i++
			continue
		}
		j := i + 1
		for j < len(batch) {
			if _, logged := batch[j].(*applyOp); !logged {
				break
			}
			j++
		}
		if err := s.commitOnce(batch[i:j]); err != nil {
			s.health.fail("db", err, time.Now())
			backlog = append(backlog, batch[i:j]...)
		}
		i = j
	}
	return backlog
}

// commitOnce applies batch in one transaction and, if it commits, answers
// its requests; otherwise it answers none and returns the error.
func (s *Store) commitOnce(batch []op) error {
	b := s.beginBatch()
	for _, o := range batch {
		b.add(o)
	}
	if err := b.commit(); err != nil {
		return err
	}
	for _, o := range batch {
		o.finish(nil)
	}
	return nil
}

// hasLogged reports whether batch holds logged events.
func hasLogged(batch []op) bool {
	for _, o := range batch {
		if _, logged := o.(*applyOp); logged {
			return true
		}
	}
	return false
}
