package app

import (
	"context"
	"errors"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/leadbell/leadbell/store"
	"github.com/leadbell/leadbell/store/storetest"
)

// damagedFile makes a data directory whose store is damaged.
func damagedFile(t *testing.T) (dir, path string) {
	t.Helper()
	dir, _ = storetest.Damaged(t, DBFile)
	return dir, filepath.Join(dir, DBFile)
}

func TestStartRefusesADamagedFile(t *testing.T) {
	dir, path := damagedFile(t)
	before, _ := os.ReadFile(path)
	_, err := Start(Config{DataDir: dir, Tunnel: "none", Listen: "127.0.0.1:0"}, nil)
	var damage *DamagedError
	if !errors.As(err, &damage) || damage.Path != path || !errors.Is(err, store.ErrDamaged) {
		t.Fatalf("Start: %v, want a DamagedError for %s", err, path)
	}
	for _, want := range []string{path, "is damaged", "Nothing in it was changed", "--start-fresh"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the message %q does not say %q", err, want)
		}
	}
	if after, _ := os.ReadFile(path); string(after) != string(before) {
		t.Error("Start changed the damaged file")
	}

	in, err := Start(Config{DataDir: dir, Tunnel: "none", Listen: "127.0.0.1:0", StartFresh: true}, nil)
	if err != nil {
		t.Fatalf("Start with StartFresh: %v", err)
	}
	defer in.Stop()
	kept, _ := filepath.Glob(path + store.DamagedSuffix + "*")
	if len(kept) != 1 {
		t.Fatalf("kept aside: %v, want the damaged file", kept)
	}
	if got, _ := os.ReadFile(kept[0]); string(got) != string(before) {
		t.Error("the file kept aside is not the damaged file")
	}
}

func TestDamagedPage(t *testing.T) {
	const chromium = "/usr/bin/chromium"
	if _, err := os.Stat(chromium); err != nil {
		t.Fatalf("this test needs Chromium at %s (Debian: apt-get install chromium): %v", chromium, err)
	}
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium), chromedp.NoSandbox, chromedp.Headless, chromedp.DisableGPU,
		chromedp.UserDataDir(t.TempDir()))...)
	defer cancelAlloc()

	for _, tt := range []struct {
		button, says string
		fresh        bool
	}{
		{"#fresh", "Starting with an empty inbox", true},
		{"#quit", "Closing", false},
	} {
		t.Run(tt.button, func(t *testing.T) {
			_, path := damagedFile(t)
			chosen := make(chan bool, 1)
			srv := httptest.NewServer(damagedPage(path, func(fresh bool) { chosen <- fresh }))
			defer srv.Close()
			ctx, cancel := chromedp.NewContext(alloc)
			defer cancel()
			ctx, cancelT := context.WithTimeout(ctx, 30*time.Second)
			defer cancelT()

			if _, err := chromedp.Run(ctx, chromedp.Navigate(srv.URL)); err != nil {
				t.Fatal(err)
			}
			heading, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("h1")))
			if err != nil {
				t.Fatal(err)
			}
			shown, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#path")))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := chromedp.Run(ctx, chromedp.Click(chromedp.CSS(tt.button))); err != nil {
				t.Fatal(err)
			}
			status, err := chromedp.Run(ctx, chromedp.Poll[string](`document.getElementById("said").textContent || null`))
			if err != nil {
				t.Fatal(err)
			}
			if heading != "Leadbell can’t open your saved replies" || shown != path {
				t.Errorf("the page says %q about %q", heading, shown)
			}
			if !strings.Contains(status, tt.says) {
				t.Errorf("after the click the page says %q, want %q", status, tt.says)
			}
			select {
			case got := <-chosen:
				if got != tt.fresh {
					t.Errorf("chose fresh=%v, want %v", got, tt.fresh)
				}
			case <-ctx.Done():
				t.Fatal("no choice was reported")
			}
			kept, _ := filepath.Glob(path + store.DamagedSuffix + "*")
			if _, err := os.Stat(path); tt.fresh != (len(kept) == 1 && err != nil) {
				t.Errorf("fresh=%v: kept aside %v, the file still there: %v", tt.fresh, kept, err == nil)
			}
		})
	}
}

func TestDamagedPageWhileAnotherLeadbellHoldsTheFile(t *testing.T) {
	_, path := damagedFile(t)
	// Another Leadbell waiting for the file holds its lock.
	if err := os.Rename(path, path+".x"); err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	srv := httptest.NewServer(damagedPage(path, func(bool) { t.Error("a choice was reported for a failed move") }))
	defer srv.Close()
	resp, err := srv.Client().Post(srv.URL+"/start-fresh", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 409 {
		t.Errorf("start-fresh while the file is held: %d, want 409", resp.StatusCode)
	}
}
