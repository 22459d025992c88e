package smartlead

import "testing"

func TestHTMLToText(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"plain", "Hello there", "Hello there"},
		{"entities", "Tom &amp; Jerry &lt;3 &quot;hi&quot; &#39;yo&#39; &eacute;t&eacute; &#x1F600;", "Tom & Jerry <3 \"hi\" 'yo' été 😀"},
		{"nbsp collapses", "a&nbsp;&nbsp; b", "a b"},
		{"white space collapses", "  one\n   two\t\tthree  ", "one two three"},
		{"br", "one<br>two<br/>three<BR />four", "one\ntwo\nthree\nfour"},
		{"two br leave a blank line", "one<br><br>two", "one\n\ntwo"},
		{"many br leave one blank line", "one<br><br><br><br>two", "one\n\ntwo"},
		{"paragraphs", "<p>one</p><p>two</p>", "one\n\ntwo"},
		{"divs", "<div>one</div><div>two</div>", "one\ntwo"},
		{"gmail blank line", "<div>Hi</div><div><br></div><div>Thanks</div>", "Hi\n\nThanks"},
		{"list", "Options:<ul><li>one</li><li>two</li></ul>done", "Options:\none\ntwo\ndone"},
		{"unclosed li", "<ol><li>one<li>two</ol>", "one\ntwo"},
		{"inline elements", "<p>Say <b>yes</b> or <a href=\"https://x.example\">no</a>.</p>", "Say yes or no."},
		{"script and style dropped", "<style>p{color:red}</style>a<script>var x = '<p>b</p>';</script>c", "ac"},
		{"head dropped", "<html><head><title>T</title><meta charset=utf-8></head><body>body</body></html>", "body"},
		{"unclosed head ends at body", "<head><title>T</title><body>text", "text"},
		{"unclosed head ends at content", "<head><style>x</style><div>text</div>", "text"},
		{"comments dropped", "a<!-- hidden -->b<!--[if mso]>c<![endif]-->", "ab"},
		{"table cells", "<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>", "a b\nc"},
		{"pre keeps lines", "<pre>a  b\nc</pre>", "a  b\nc"},
		{"blockquote", "Yes.<blockquote>On Mon, Tom wrote:<br>hi</blockquote>", "Yes.\n\nOn Mon, Tom wrote:\nhi"},
		{"broken markup", "<div>a <b>b</div> c <p", "a b\nc"},
		{"stray angle", "1 < 2 and 3 > 2", "1 < 2 and 3 > 2"},
		{"control characters", "a\u0000b\u001bc", "abc"},
		{"empty", "", ""},
		{"only markup", "<html><body><br></body></html>", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := htmlToText(tt.in); got != tt.want {
				t.Errorf("htmlToText(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestCleanText(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"unchanged", "Re: hello", "Re: hello"},
		{"trimmed", " \t hi \n", "hi"},
		{"crlf", "a\r\nb\rc", "a\nb\nc"},
		{"tabs and newlines kept", "a\tb\nc", "a\tb\nc"},
		{"C0 and DEL dropped", "a\x00b\x07c\x1bd\x7fe", "abcde"},
		{"C1 dropped", "a\u0085b\u009bc", "abc"},
		{"unicode kept", "Grüße 😀", "Grüße 😀"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := cleanText(tt.in); got != tt.want {
				t.Errorf("cleanText(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestLooksLikeHTML(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"<div>hi</div>", true},
		{"hi<br>there", true},
		{"<P>hi", true},
		{"plain text", false},
		{"On Mon, Jane <jane@x.example> wrote:", false},
		{"1 < 2 > 0", false},
		{"<3 you", false},
		{"<madeup>tag</madeup>", false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := looksLikeHTML(tt.in); got != tt.want {
				t.Errorf("looksLikeHTML(%q) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}
