package tunnel

import (
	"net/netip"
	"net/url"
	"strings"
)

// Reach is whether SmartLead can reach a public address.
type Reach struct {
	// OK is false when the address is one only this computer or this
	// network can reach, and SmartLead's API is not on it.
	OK bool
	// Problem says why not, in a sentence for the user; "" when OK.
	Problem string
	// PlainHTTP is set for a reachable http:// address: events would
	// travel unencrypted.
	PlainHTTP bool
}

// netScope is how far an address can be reached from.
type netScope int

const (
	scopePublic   netScope = iota
	scopePrivate           // this network only: RFC 1918, unique local, link-local, CGNAT, .local names
	scopeLoopback          // this computer only
)

// privateSuffixes are name suffixes that only resolve inside a network.
var privateSuffixes = []string{".local", ".lan", ".internal", ".home.arpa", ".localdomain", ".intranet"}

// scopeOf classifies a URL's host. A name is taken as public (SmartLead
// resolves it, not this computer), but for localhost and the suffixes
// that only resolve inside a network.
func scopeOf(host string) netScope {
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	if ip, err := netip.ParseAddr(strings.Trim(host, "[]")); err == nil {
		ip = ip.Unmap()
		switch {
		case ip.IsLoopback() || ip.IsUnspecified():
			return scopeLoopback
		case ip.IsPrivate() || ip.IsLinkLocalUnicast() || netip.MustParsePrefix("100.64.0.0/10").Contains(ip):
			return scopePrivate
		}
		return scopePublic
	}
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return scopeLoopback
	}
	if !strings.Contains(host, ".") {
		return scopePrivate // a bare machine name
	}
	for _, s := range privateSuffixes {
		if strings.HasSuffix(host, s) {
			return scopePrivate
		}
	}
	return scopePublic
}

// CheckReach says whether SmartLead, whose API is at apiURL, can reach
// publicURL. A loopback address is reachable only from an API on loopback
// too, and a private one only from an API on loopback or a private
// network (the built-in simulator and tests run there); the real
// SmartLead is on the internet.
func CheckReach(publicURL, apiURL string) Reach {
	pub, err := url.Parse(publicURL)
	if err != nil || pub.Host == "" {
		return Reach{Problem: "SmartLead cannot reach this computer yet: Leadbell has no public address."}
	}
	apiScope := scopePublic
	if api, err := url.Parse(apiURL); err == nil && api.Host != "" {
		apiScope = scopeOf(api.Hostname())
	}
	host := pub.Hostname()
	if ip, err := netip.ParseAddr(host); err == nil && ip.IsUnspecified() {
		return Reach{Problem: "SmartLead cannot reach this computer yet: Leadbell has no public address. Add a free ngrok token, or a public address that reaches this computer."}
	}
	switch s := scopeOf(host); {
	case s == scopeLoopback && apiScope != scopeLoopback:
		return Reach{Problem: "SmartLead cannot reach this computer yet: Leadbell's address (" + host + ") only works on this computer. Add a free ngrok token, or a public address of your own that reaches this computer."}
	case s == scopePrivate && apiScope == scopePublic:
		return Reach{Problem: "SmartLead cannot reach this computer yet: Leadbell's address (" + host + ") only works inside your network. Add a free ngrok token, or a public address that reaches this computer."}
	case s == scopePublic && pub.Scheme == "http":
		return Reach{OK: true, PlainHTTP: true}
	}
	return Reach{OK: true}
}
