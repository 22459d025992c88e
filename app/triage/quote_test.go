package triage

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestOwnText checks that quoted messages, attributions, Outlook header
// blocks, signatures and disclaimers are left out, in real-looking mails
// from testdata/quotes (each .txt with the lead's own words in .want).
func TestOwnText(t *testing.T) {
	files, err := filepath.Glob("testdata/quotes/*.txt")
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			in, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			want, err := os.ReadFile(strings.TrimSuffix(file, ".txt") + ".want")
			if err != nil {
				t.Fatal(err)
			}
			got := strings.TrimSpace(ownText(string(in)))
			if got != strings.TrimSpace(string(want)) {
				t.Errorf("ownText:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}

// TestQuotedTextIgnored checks that cues in a quote do not decide the class.
func TestQuotedTextIgnored(t *testing.T) {
	tests := []struct {
		name, body string
		want       Class
	}{
		{"quoted unsubscribe line", "Sounds good, let's talk next week.\n\n> If not interested, reply unsubscribe.", Interested},
		{"german attribution", "Kein Interesse.\n\nAm 12.03.2026 um 09:14 schrieb Lukas Weber <lukas@x.de>:\nHätten Sie Zeit für einen Termin?", NotInterested},
		{"french attribution", "Merci de me désinscrire.\n\nLe mar. 10 mars 2026 à 09:12, Hugo <hugo@x.fr> a écrit :\nSeriez-vous intéressé par une démo ?", Unsubscribe},
		{"spanish attribution", "No, gracias.\n\nEl mar, 10 mar 2026 a las 9:12, Carlos (<carlos@x.es>) escribió:\n¿Te interesa una llamada el jueves a las 10?", NotInterested},
		{"only a quote", "\n> Would you be open to a call?\n> Best, Tom", Question},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Classify(Reply{Subject: "Re: Quick question", Body: tt.body}); got.Class != tt.want {
				t.Errorf("Classify = %s (%s), want %s", got.Class, got.Reason, tt.want)
			}
		})
	}
}

// TestBodyLines checks that lines are cut as strings.Split cuts them,
// whatever the order they are read in.
func TestBodyLines(t *testing.T) {
	for _, body := range []string{"", "\n", "a", "a\n", "a\n\nb", " A \r\n\tÉ\n" + strings.Repeat("x\n", 20) + "y"} {
		want := strings.Split(body, "\n")
		lines := newBodyLines(body)
		for _, i := range append([]int{0, 3, 1, 2}, 19, 0, 5, 21, 22, 23) {
			if got := lines.has(i); got != (i < len(want)) {
				t.Fatalf("%q: has(%d) = %v", body, i, got)
			}
			if i >= len(want) {
				continue
			}
			raw, folded := lines.line(i)
			if raw != want[i] || folded != fold(strings.TrimSpace(want[i])) {
				t.Errorf("%q: line(%d) = %q, %q", body, i, raw, folded)
			}
			if after, wantAfter := lines.after(i), strings.Join(want[i+1:], "\n"); after != wantAfter {
				t.Errorf("%q: after(%d) = %q, want %q", body, i, after, wantAfter)
			}
		}
	}
}
