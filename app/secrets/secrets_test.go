package secrets

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestFileRoundTripAndMode(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "secrets.json")
	f := NewFile(path)
	if _, err := f.Get(APIKey); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Get on an empty store: %v, want ErrNotFound", err)
	}
	if err := f.Set(APIKey, "sl-key-123"); err != nil {
		t.Fatal(err)
	}
	if err := f.Set(NgrokToken, "ngrok-456"); err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Errorf("file mode %v, want 0600", info.Mode().Perm())
	}
	again := NewFile(path) // a new process reads what the last one kept
	if v, err := again.Get(APIKey); err != nil || v != "sl-key-123" {
		t.Fatalf("Get = %q, %v", v, err)
	}
	if err := again.Delete(APIKey); err != nil {
		t.Fatal(err)
	}
	if _, err := again.Get(APIKey); !errors.Is(err, ErrNotFound) {
		t.Fatalf("after Delete: %v, want ErrNotFound", err)
	}
	if v, _ := again.Get(NgrokToken); v != "ngrok-456" {
		t.Fatalf("Delete removed another secret")
	}
}

func TestCorruptFileErrorDoesNotQuoteIt(t *testing.T) {
	path := filepath.Join(t.TempDir(), "secrets.json")
	os.WriteFile(path, []byte(`{"smartlead_api_key": "sl-leaky-key`), 0o600)
	_, err := NewFile(path).Get(APIKey)
	if err == nil || strings.Contains(err.Error(), "sl-leaky-key") {
		t.Fatalf("error %v: want a failure that does not quote the file", err)
	}
}

// With no keychain service on the session bus (as on this test machine),
// Open falls back to the file, and says so.
func TestOpenFallsBackToFileWithoutKeychain(t *testing.T) {
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path="+filepath.Join(t.TempDir(), "no-bus"))
	s := Open(t.TempDir())
	if s.Kind() != "file" {
		t.Fatalf("Kind %q, want file when no keychain answers", s.Kind())
	}
	if err := s.Set(APIKey, "k"); err != nil {
		t.Fatal(err)
	}
}
