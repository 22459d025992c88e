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

// GetJSON decodes the setting stored under key into v. It reports false, and
// leaves v alone, when there is no such setting.
func (s *Store) GetJSON(key string, v any) (bool, error) {
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

// PutJSON stores v, encoded as JSON, under key; it returns once that is on
// disk.
func (s *Store) PutJSON(key string, v any) error {
	if key == "" {
		return errEmptyKey
	}
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("store: unable to encode setting %q: %w", key, err)
	}
	return s.writeSetting(key, data)
}

// DeleteKey removes the setting under key; removing a missing key is not an
// error.
func (s *Store) DeleteKey(key string) error {
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
