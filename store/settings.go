package store

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

var errEmptyKey = errors.New("store: empty settings key")

// A Doc names one small JSON document kept in the store's settings bucket,
// and its Go type. Each is declared once, beside its type, by the package
// that owns it, so that no key is spelled twice:
//
//	var registrationDoc = store.Doc[Registration]("registration")
//
// store/doc.go lists them all.
type Doc[T any] string

// Get reads the document; ok is false, and v zero, when there is none.
func (d Doc[T]) Get(s *Store) (v T, ok bool, err error) {
	ok, err = s.getJSON(string(d), &v)
	return v, ok, err
}

// Load decodes the document into *v, which keeps what the stored document
// does not name (defaults set beforehand); it reports false, and leaves *v
// alone, when there is none.
func (d Doc[T]) Load(s *Store, v *T) (bool, error) { return s.getJSON(string(d), v) }

// Put saves v as the document; it returns once that is on disk.
func (d Doc[T]) Put(s *Store, v T) error { return s.putJSON(string(d), v) }

// Delete removes the document; removing a missing one is not an error.
func (d Doc[T]) Delete(s *Store) error { return s.deleteKey(string(d)) }

// getJSON decodes the setting stored under key into v. It reports false, and
// leaves v alone, when there is no such setting.
func (s *Store) getJSON(key string, v any) (bool, error) {
	var data []byte
	err := s.view(func(tx *bolt.Tx) error {
		data = bytes.Clone(tx.Bucket(bucketSettings).Get([]byte(key)))
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("store: unable to read setting %q: %w", key, err)
	}
	if data == nil {
		return false, nil
	}
	if err := json.Unmarshal(data, v); err != nil {
		return true, fmt.Errorf("store: unable to decode setting %q: %w", key, err)
	}
	return true, nil
}

// putJSON stores v, encoded as JSON, under key; it returns once that is on
// disk.
func (s *Store) putJSON(key string, v any) error {
	if key == "" {
		return errEmptyKey
	}
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("store: unable to encode setting %q: %w", key, err)
	}
	return s.writeSetting(key, data)
}

// deleteKey removes the setting under key; removing a missing key is not an
// error.
func (s *Store) deleteKey(key string) error {
	if key == "" {
		return errEmptyKey
	}
	return s.writeSetting(key, nil)
}

func (s *Store) writeSetting(key string, data []byte) error {
	o := &settingOp{key: []byte(key), data: data, done: make(chan error, 1)}
	if err := s.submit(context.Background(), o); err != nil {
		return err
	}
	if err := <-o.done; err != nil {
		return fmt.Errorf("store: unable to save setting %q: %w", key, err)
	}
	return nil
}

// settingOp puts data under key, or deletes key when data is nil.
type settingOp struct {
	key, data []byte
	done      chan error
}

func (o *settingOp) size() int        { return 1 }
func (o *settingOp) finish(err error) { o.done <- err }

func (o *settingOp) apply(w *txn) error {
	if o.data == nil {
		return w.settings.Delete(o.key)
	}
	return w.settings.Put(o.key, o.data)
}
