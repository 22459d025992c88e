package main

import (
	"bytes"
	"strings"
	"testing"
)

// TestSecretFlagsWarn: a secret given as a flag is readable by every user
// of the computer; serve says so, and names the safer way. The warning
// never repeats the secret.
func TestSecretFlagsWarn(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"api key", []string{"--api-key", "sl-key-123456"}, []string{"--api-key", "SMARTLEAD_API_KEY"}},
		{"webhook secret", []string{"--webhook-secret", "whsec-abcdef"}, []string{"--webhook-secret", "LEADBELL_WEBHOOK_SECRET"}},
		{"neither", []string{"--watchdog", "1m"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stderr bytes.Buffer
			if _, _, err := parseServe("serve", tt.args, &stderr, false); err != nil {
				t.Fatal(err)
			}
			out := stderr.String()
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("stderr %q does not name %s", out, w)
				}
			}
			if tt.want == nil && out != "" {
				t.Errorf("stderr %q, want nothing", out)
			}
			if strings.Contains(out, "sl-key-123456") || strings.Contains(out, "whsec-abcdef") {
				t.Errorf("the warning repeats the secret: %q", out)
			}
		})
	}
}

func TestScopeFlag(t *testing.T) {
	tests := []struct {
		args    []string
		wantErr bool
	}{
		{[]string{"--scope", "account"}, false},
		{[]string{"--scope", "client", "--client-id", "42"}, false},
		{[]string{"--scope", "client"}, true},
		{[]string{"--scope", "everything"}, true},
		{[]string{"--scope", "account", "--campaign", "7"}, true},
		{[]string{"--scope", "campaigns", "--campaign", "7"}, false},
	}
	for _, tt := range tests {
		_, _, err := parseServe("serve", tt.args, &bytes.Buffer{}, false)
		if (err != nil) != tt.wantErr {
			t.Errorf("%v: err %v, want an error: %v", tt.args, err, tt.wantErr)
		}
	}
}
