package tunnel

import "testing"

func TestCheckReach(t *testing.T) {
	const real, sim = "https://server.smartlead.ai/api/v1", "http://127.0.0.1:41234/api/v1"
	tests := []struct {
		name, public, api string
		ok, plain         bool
	}{
		{"ngrok", "https://calm-otter.ngrok-free.app", real, true, false},
		{"own domain over http", "http://leads.example.com", real, true, true},
		{"loopback", "http://127.0.0.1:8788", real, false, false},
		{"localhost", "http://localhost:8788", real, false, false},
		{"IPv6 loopback", "http://[::1]:8788", real, false, false},
		{"unspecified", "http://0.0.0.0:8788", real, false, false},
		{"private", "http://192.168.1.20:8788", real, false, false},
		{"link-local", "http://169.254.10.2:8788", real, false, false},
		{"CGNAT", "http://100.72.1.1", real, false, false},
		{"IPv6 unique local", "http://[fd00::5]:8788", real, false, false},
		{".local name", "https://mybox.local", real, false, false},
		{"bare machine name", "http://mybox:8788", real, false, false},
		{"public IP over https", "https://203.0.113.7", real, true, false},
		{"loopback, simulator on loopback", "http://127.0.0.1:8788", sim, true, false},
		{"private, simulator on loopback", "http://192.168.1.20:8788", sim, true, false},
		{"loopback, API on a private network", "http://127.0.0.1:8788", "http://10.0.0.5/api/v1", false, false},
		{"private, API on a private network", "http://10.0.0.7:8788", "http://10.0.0.5/api/v1", true, false},
		{"no address", "", real, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := CheckReach(tt.public, tt.api)
			if r.OK != tt.ok || r.PlainHTTP != tt.plain {
				t.Fatalf("CheckReach(%q, %q) = %+v, want ok=%v plain=%v", tt.public, tt.api, r, tt.ok, tt.plain)
			}
			if !r.OK && r.Problem == "" {
				t.Error("no problem given for an unreachable address")
			}
		})
	}
}
