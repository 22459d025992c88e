package secrets

import (
	"errors"
	"fmt"
	"path/filepath"

	"github.com/zalando/go-keyring"
)

// service is the keychain service name Leadbell's secrets are filed under.
const service = "Leadbell"

// Keyring keeps secrets in the OS keychain (Secret Service on Linux,
// Keychain on macOS, Credential Manager on Windows).
type Keyring struct{}

// Kind is "keychain".
func (Keyring) Kind() string { return "keychain" }

// Get returns the secret called name.
func (Keyring) Get(name string) (string, error) {
	v, err := keyring.Get(service, name)
	if errors.Is(err, keyring.ErrNotFound) {
		return "", ErrNotFound
	}
	if err != nil {
		return "", fmt.Errorf("secrets: keychain: %w", err)
	}
	return v, nil
}

// Set keeps value as the secret called name.
func (Keyring) Set(name, value string) error {
	if err := keyring.Set(service, name, value); err != nil {
		return fmt.Errorf("secrets: keychain: %w", err)
	}
	return nil
}

// Delete forgets the secret called name.
func (Keyring) Delete(name string) error {
	err := keyring.Delete(service, name)
	if err != nil && !errors.Is(err, keyring.ErrNotFound) {
		return fmt.Errorf("secrets: keychain: %w", err)
	}
	return nil
}

// Open returns the OS keychain when it answers, else the 0600 file in dir
// (a server, a minimal desktop, a container).
func Open(dir string) Store {
	if _, err := keyring.Get(service, "probe"); err == nil || errors.Is(err, keyring.ErrNotFound) {
		return Keyring{}
	}
	return NewFile(filepath.Join(dir, "secrets.json"))
}
