package notify

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestExcerptOfRealReplies(t *testing.T) {
	tests := []struct {
		file string
		want string
	}{
		{"reply_gmail.html", "Hi Tom, Yes & happy to chat. Does Thursday 2pm work? Marta"},
		{"reply_outlook.txt", "Thanks Tom - not a priority for us this quarter. Try me again in July? Best, Priya"},
		{"reply_quoted.txt", "Yes, send the deck over."},
		{"reply_hostile.html", "Click here <b>now</b> Your file: fdp.exe [31mred[0m bell zerowidth broken"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join("testdata", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			got := excerpt(string(raw), excerptLen)
			if got != tt.want {
				t.Errorf("excerpt =\n %q\nwant\n %q", got, tt.want)
			}
			checkShowable(t, got, excerptLen)
		})
	}
}

func TestExcerpt(t *testing.T) {
	long := strings.Repeat("word ", 60)                                 // 300 runes
	longWord := strings.Repeat("é", 200)                                // one word, two bytes a rune
	nearEnd := strings.Repeat("a", 100) + " " + strings.Repeat("b", 40) // a space late in the limit
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"plain", "Yes, Thursday works.", "Yes, Thursday works."},
		{"markup", `<p>Hi <b>Tom</b>,<br>see <a href="https://x.example">this</a></p>`, "Hi Tom, see this"},
		{"script and style dropped", `<style>b{}</style><div>ok</div><script>alert("x")</script>`, "ok"},
		{"entities decoded", "<p>Fish &amp; chips &lt;3</p>", "Fish & chips <3"},
		{"not markup: an address stays", "Ask Tom <tom@example.com> please", "Ask Tom <tom@example.com> please"},
		{"not markup: a heart stays", "I <3 it", "I <3 it"},
		{"control characters", "a\x00b\x1b[2Jc\x07d\x7fe", "ab[2Jcde"},
		{"C1 controls", "a\u0085b\u009bc", "a bc"},
		{"line breaks and tabs collapse", "  one\r\n\r\n\ttwo   three \n", "one two three"},
		{"unicode separators collapse", "one\u2028two\u2029three\u00a0four", "one two three four"},
		{"bidi overrides", "invoice\u202Efdp.exe\u202C ok", "invoicefdp.exe ok"},
		{"bidi isolates and marks", "\u2066a\u2069\u200eb\u200f\u061cc", "abc"},
		{"zero-width and BOM", "\ufeffze\u200bro\u2060", "zero"},
		{"emoji joiner kept", "team 👩\u200d💻 here", "team 👩\u200d💻 here"},
		{"invalid UTF-8", "a\xffb\xc3", "ab"},
		{"noncharacters", "a\uffffb\ufdd0c", "abc"},
		{"quoted lines skipped", "Sure.\n> Hi\n> old text", "Sure."},
		{"only a quote is kept as it is", "> just this", "> just this"},
		{"original message separator", "No thanks.\n-----Original Message-----\nFrom: Tom", "No thanks."},
		{"empty", "", ""},
		{"only spaces", " \n\t ", ""},
		{"cut on a word", long, strings.TrimSpace(strings.Repeat("word ", 24)) + "…"},
		{"cut between runes of a long word", longWord, strings.Repeat("é", 119) + "…"},
		{"a space too early is not used", strings.Repeat("x", 30) + " " + strings.Repeat("y", 200), strings.Repeat("x", 30) + " " + strings.Repeat("y", 88) + "…"},
		{"cut at a late space", nearEnd, strings.Repeat("a", 100) + "…"},
		{"exactly the limit is not cut", strings.Repeat("z", 120), strings.Repeat("z", 120)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := excerpt(tt.in, excerptLen)
			if got != tt.want {
				t.Errorf("excerpt(%q) =\n %q\nwant\n %q", tt.in, got, tt.want)
			}
			checkShowable(t, got, excerptLen)
		})
	}
}

func TestLine(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"name", "Jane Doe", "Jane Doe"},
		{"name with markup", "<b>Jane</b> Doe", "Jane Doe"},
		{"name with bidi", "Jane\u202e eoD", "Jane eoD"},
		{"name over two lines", "Jane\nDoe", "Jane Doe"},
		{"a name that starts like a quote stays", "> Jane", "> Jane"},
		{"long company", strings.Repeat("Acme ", 20), strings.TrimSpace(strings.Repeat("Acme ", 12)) + "…"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := line(tt.in, nameLen)
			if got != tt.want {
				t.Errorf("line(%q) = %q, want %q", tt.in, got, tt.want)
			}
			checkShowable(t, got, nameLen)
		})
	}
}

// checkShowable asserts what every shown string must be: valid UTF-8, one
// line, no control or bidi characters, at most max runes.
func checkShowable(t *testing.T, s string, max int) {
	t.Helper()
	if !utf8.ValidString(s) {
		t.Errorf("%q is not valid UTF-8", s)
	}
	if n := utf8.RuneCountInString(s); n > max {
		t.Errorf("%q has %d runes, more than %d", s, n, max)
	}
	for _, r := range s {
		if unicode.IsControl(r) || invisible(r) || (unicode.IsSpace(r) && r != ' ') {
			t.Errorf("%q holds %U", s, r)
		}
	}
}
