package notify

import (
	"strings"
	"testing"
)

func TestPlatformSafe(t *testing.T) {
	for _, tt := range []struct{ name, in string }{
		{"powershell subexpression", "Sounds good ]]><x $(Start-Process calc.exe)"},
		{"variable", "cost is $env:USERPROFILE"},
		{"backtick escape", "line`nbreak"},
		{"here-string end", `quote "@ end`},
		{"leading dash", "-execute rm"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			out := platformSafe(tt.in)
			for _, bad := range []string{"$", "`", "]]>", `"@`, "'@"} {
				if strings.Contains(out, bad) {
					t.Errorf("platformSafe(%q) = %q still holds %q", tt.in, out, bad)
				}
			}
			if strings.HasPrefix(out, "-") {
				t.Errorf("platformSafe(%q) = %q starts with a dash", tt.in, out)
			}
		})
	}
	if got := platformSafe("Jane Doe (Acme) replied"); got != "Jane Doe (Acme) replied" {
		t.Errorf("plain text changed: %q", got)
	}
}
