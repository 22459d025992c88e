package e2e

import (
	"io"
	"net"
	"net/netip"
	"strings"
	"sync"
	"testing"

	"github.com/leadbell/leadbell/app/smartlead/simulator"
	"github.com/leadbell/leadbell/event"
)

// TestBrowserReach walks the step after signing in when SmartLead cannot
// reach this computer: the window shows "Make this computer reachable"
// instead of the inbox, refuses a malformed address with a sentence, takes
// an address of the user's own, follows Leadbell as it connects again, and
// shows SmartLead's confirmation, the warning about a plain-http address,
// and then a category update in Activity.
//
// SmartLead here must look like it is on the internet (Leadbell judges an
// address by where SmartLead's API is), so the simulator is reached
// through an address of this machine outside the private ranges, and so is
// the user's "own address".
func TestBrowserReach(t *testing.T) {
	pub := publicScopeIP(t)
	sim := newSim(t, simulator.FamilyLive)
	api := forward(t, pub, strings.TrimSuffix(strings.TrimPrefix(sim.URL(), "http://"), "/api/v1"))
	listen := freeAddr(t)
	own := "http://" + forward(t, pub, listen)

	b := newBrowser(t)
	p := start(t, []string{"SMARTLEAD_API_KEY=" + sim.APIKey()}, "serve", "--data", t.TempDir(), "--ui", "127.0.0.1:0",
		"--tunnel", "none", "--listen", listen, "--smartlead-url", "http://"+api+"/api/v1", "--webhook-secret", secret, "--watchdog", "1h")
	st := p.waitState("unreachable")
	if st.Message == "" || st.Registered {
		t.Fatalf("unreachable with message %q, registered %v: want a reason and nothing registered", st.Message, st.Registered)
	}
	if n := len(sim.Webhooks()); n != 0 {
		t.Fatalf("SmartLead holds %d webhooks for an address it cannot reach, want 0", n)
	}

	tb := b.tab(t)
	tb.open(p, "/#/inbox")
	tb.waitFor("the reach panel in the inbox's place", sel(`[data-testid=reach-panel] [data-testid=reach-form]`))
	tb.waitFor("the status to say unreachable", sel(`[data-testid=status-state]`)+`?.dataset.state === "unreachable"`)
	if n := evalJS[int](tb, `document.querySelectorAll('[data-testid=event-row], [data-testid=empty-inbox]').length`); n != 0 {
		t.Errorf("the inbox shows beside the reach panel (%d elements)", n)
	}
	link := evalJS[[]string](tb, `(() => { const a = `+sel(`[data-testid=ngrok-token-link]`)+`; return a ? [a.href, a.target, a.rel] : [] })()`)
	if len(link) != 3 || link[0] != "https://dashboard.ngrok.com/get-started/your-authtoken" || link[1] != "_blank" || !strings.Contains(link[2], "noopener") {
		t.Errorf("the ngrok token link is %q, want the dashboard's authtoken page, opened apart with noopener", link)
	}

	tb.click(`[data-testid=reach-own]`)
	tb.waitFor("the address field", sel(`[data-testid=public-url]`))
	// The server refuses an address with credentials in it: a sentence, not a Go error.
	tb.typeInto(`[data-testid=public-url]`, "https://someone@leads.example.com")
	tb.click(`[data-testid=reach-save]`)
	tb.waitFor("the refusal", sel(`[data-testid=reach-error]`))
	refusal := evalJS[string](tb, sel(`[data-testid=reach-error]`)+`.textContent.trim()`)
	if strings.Contains(refusal, "invalid request") || strings.Contains(refusal, "settings:") || !strings.Contains(refusal, "https://") {
		t.Errorf("the refusal of a bad address reads %q: want the server's sentence without its Go prefixes", refusal)
	}

	tb.clearInput(`[data-testid=public-url]`)
	tb.typeInto(`[data-testid=public-url]`, own)
	tb.click(`[data-testid=reach-save]`)
	tb.waitFor("the panel to say SmartLead can reach this computer", sel(`[data-testid=reach-panel]`)+`?.dataset.reachable === "true"`)
	tb.waitFor("SmartLead's confirmation", sel(`[data-testid=reach-confirmed]`))
	tb.waitFor("the status to say confirmed", sel(`[data-testid=status-state]`)+`?.dataset.state === "listening" && `+
		sel(`[data-testid=status-state]`)+`.dataset.confirmed === "true"`)
	tb.waitFor("the plain-http warning", sel(`[data-testid=warnings] [data-testid=warning][data-code=plain_http]`))
	if bg := evalJS[string](tb, `getComputedStyle(`+sel(`[data-testid=warnings]`)+`).backgroundColor`); bg == evalJS[string](tb, `getComputedStyle(document.body).backgroundColor`) {
		t.Errorf("the warnings strip has the page's own background %s: want it set apart", bg)
	}
	if n := len(activeHooks(sim)); n == 0 {
		t.Fatal("SmartLead holds no active webhook after the address was saved")
	}

	tb.click(`[data-testid=reach-done]`)
	tb.waitFor("the inbox", sel(`[data-testid=empty-inbox]`))

	ev := sim.Generator().Event(event.CategoryUpdated)
	id := emitID(t, p, sim, ev)
	var stored eventJSON
	p.getJSON("/api/events/"+id, &stored)
	tb.click(`[data-testid=nav-activity]`)
	tb.waitFor("the category update in Activity", sel(row(id)))
	if stored.Category == "" {
		t.Fatalf("the stored category update %s has no category", id)
	}
	if text := evalJS[string](tb, sel(row(id))+`.textContent`); !strings.Contains(text, "Marked "+stored.Category) {
		t.Errorf("the category update's row reads %q, want it to say Marked %s", text, stored.Category)
	}
	tb.click(`[data-testid=filter-type-LEAD_CATEGORY_UPDATED]`)
	tb.waitRows("only category updates", []string{id})

	tb.click(`[data-testid=nav-settings]`)
	tb.waitFor("the connection section", sel(`[data-testid=reach-status]`)+`?.dataset.confirmed === "true"`)
	tb.waitFor("the category notification switch", sel(`[data-testid=notify-LEAD_CATEGORY_UPDATED]`))
	p.stop()
}

// publicScopeIP returns an IPv4 address of this machine outside the
// loopback, private, link-local and shared ranges, which Leadbell takes for
// an address on the internet; the test is skipped on a machine without one.
func publicScopeIP(t *testing.T) string {
	t.Helper()
	shared := netip.MustParsePrefix("100.64.0.0/10")
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range addrs {
		n, ok := a.(*net.IPNet)
		if !ok {
			continue
		}
		ip, ok := netip.AddrFromSlice(n.IP)
		if !ok {
			continue
		}
		ip = ip.Unmap()
		if !ip.Is4() || ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsUnspecified() || shared.Contains(ip) {
			continue
		}
		return ip.String()
	}
	t.Skip("this machine has no address outside the private ranges, so no SmartLead here can look like it is on the internet")
	return ""
}

// forward listens on ip and copies every connection to and from target;
// it returns the address it listens on and stops when t ends.
func forward(t *testing.T, ip, target string) string {
	t.Helper()
	ln, err := net.Listen("tcp", net.JoinHostPort(ip, "0"))
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var conns []net.Conn
	track := func(c net.Conn) {
		mu.Lock()
		conns = append(conns, c)
		mu.Unlock()
	}
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	wg.Go(func() {
		for {
			in, err := ln.Accept()
			if err != nil {
				return
			}
			out, err := net.Dial("tcp", target)
			if err != nil {
				in.Close()
				continue
			}
			track(in)
			track(out)
			wg.Go(func() { io.Copy(out, in); out.Close() })
			wg.Go(func() { io.Copy(in, out); in.Close() })
		}
	})
	return ln.Addr().String()
}
