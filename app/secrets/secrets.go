// Package secrets keeps the credentials Leadbell must remember (the
// SmartLead API key, the ngrok authtoken). This file is the fallback for
// machines without an OS keychain: a JSON file readable by the user alone.
package secrets

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
)

// Names of the secrets Leadbell keeps.
const (
	APIKey     = "smartlead_api_key"
	NgrokToken = "ngrok_authtoken"
)

// ErrNotFound means no secret of that name is kept.
var ErrNotFound = errors.New("secrets: not found")

// Store keeps named secrets.
type Store interface {
	Get(name string) (string, error) // ErrNotFound when absent
	Set(name, value string) error
	Delete(name string) error
	// Kind is "keychain" or "file", for the settings to say where the key is.
	Kind() string
}

// File keeps secrets in a 0600 JSON file.
type File struct {
	path string
	mu   sync.Mutex
}

// NewFile keeps secrets in path (created on first Set, mode 0600).
func NewFile(path string) *File { return &File{path: path} }

// Kind is "file".
func (f *File) Kind() string { return "file" }

// Get returns the secret called name.
func (f *File) Get(name string) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	m, err := f.load()
	if err != nil {
		return "", err
	}
	v, ok := m[name]
	if !ok {
		return "", ErrNotFound
	}
	return v, nil
}

// Set keeps value as the secret called name.
func (f *File) Set(name, value string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	m, err := f.load()
	if err != nil {
		return err
	}
	m[name] = value
	return f.save(m)
}

// Delete forgets the secret called name; forgetting an absent one is fine.
func (f *File) Delete(name string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	m, err := f.load()
	if err != nil {
		return err
	}
	if _, ok := m[name]; !ok {
		return nil
	}
	delete(m, name)
	return f.save(m)
}

func (f *File) load() (map[string]string, error) {
	m := map[string]string{}
	b, err := os.ReadFile(f.path)
	if errors.Is(err, os.ErrNotExist) {
		return m, nil
	}
	if err != nil {
		return nil, fmt.Errorf("secrets: unable to read %s: %w", f.path, err)
	}
	if err := json.Unmarshal(b, &m); err != nil {
		// Never quote the file: it holds secrets.
		return nil, fmt.Errorf("secrets: %s is not valid JSON", f.path)
	}
	return m, nil
}

// save writes a new file and renames it over the old one, so a crash
// leaves either the old secrets or the new ones.
func (f *File) save(m map[string]string) error {
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(f.path), 0o700); err != nil {
		return fmt.Errorf("secrets: unable to make %s: %w", filepath.Dir(f.path), err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(f.path), ".secrets-*")
	if err != nil {
		return fmt.Errorf("secrets: unable to save: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("secrets: unable to save: %w", err)
	}
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return fmt.Errorf("secrets: unable to save: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("secrets: unable to save: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("secrets: unable to save: %w", err)
	}
	if err := os.Rename(tmp.Name(), f.path); err != nil {
		return fmt.Errorf("secrets: unable to save: %w", err)
	}
	return nil
}
