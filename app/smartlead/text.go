package smartlead

import (
	"strings"
	"unicode"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// cleanText makes a string from a payload safe to show as plain text: line
// endings become \n, control characters other than \n and \t are dropped
// (payload text is written by strangers and may carry terminal escapes or
// NULs), and surrounding white space is trimmed.
func cleanText(s string) string {
	if strings.IndexByte(s, '\r') >= 0 {
		s = strings.ReplaceAll(s, "\r\n", "\n")
		s = strings.ReplaceAll(s, "\r", "\n")
	}
	s = strings.Map(func(r rune) rune {
		if r != '\n' && r != '\t' && unicode.IsControl(r) {
			return -1
		}
		return r
	}, s)
	return strings.TrimSpace(s)
}

// droppedElements hold no text a reader wants to see.
var droppedElements = map[atom.Atom]bool{
	atom.Script: true, atom.Style: true, atom.Head: true, atom.Title: true,
	atom.Noscript: true, atom.Template: true, atom.Object: true,
}

// headChildren may appear inside <head>; any other start tag ends it even
// when </head> is missing, as in a browser.
var headChildren = map[atom.Atom]bool{
	atom.Meta: true, atom.Link: true, atom.Title: true, atom.Style: true,
	atom.Script: true, atom.Base: true, atom.Noscript: true, atom.Template: true,
}

// lineBreaks says how many line breaks the start or end of an element puts
// into the text: 1 ends a line, 2 leaves a blank line (a paragraph).
var lineBreaks = map[atom.Atom]int{
	atom.Div: 1, atom.Li: 1, atom.Ul: 1, atom.Ol: 1, atom.Dl: 1, atom.Dt: 1,
	atom.Dd: 1, atom.Tr: 1, atom.Table: 1, atom.Section: 1, atom.Article: 1,
	atom.Header: 1, atom.Footer: 1, atom.Nav: 1, atom.Aside: 1, atom.Main: 1,
	atom.Form: 1, atom.Address: 1, atom.Center: 1, atom.Hr: 1, atom.Figure: 1,
	atom.Figcaption: 1, atom.Body: 1,
	atom.P: 2, atom.H1: 2, atom.H2: 2, atom.H3: 2, atom.H4: 2, atom.H5: 2,
	atom.H6: 2, atom.Blockquote: 2, atom.Pre: 2,
}

// htmlToText turns an HTML e-mail body into readable plain text: the
// contents of script, style and head are dropped, block elements and <br>
// become line breaks, entities are decoded and runs of white space collapse
// to one space. It reads with the HTML tokenizer, so broken markup degrades
// to its text rather than to an error.
func htmlToText(s string) string {
	z := html.NewTokenizer(strings.NewReader(s))
	var w textWriter
	var drop atom.Atom // the element whose contents are being dropped
	var dropDepth, pre int
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return cleanText(w.b.String())
		case html.TextToken:
			if dropDepth > 0 {
				continue
			}
			w.text(string(z.Text()), pre > 0)
		case html.StartTagToken, html.SelfClosingTagToken, html.EndTagToken:
			name, _ := z.TagName()
			a := atom.Lookup(name)
			start := tt != html.EndTagToken
			if dropDepth > 0 {
				switch {
				case drop == atom.Head && start && !headChildren[a]:
					dropDepth = 0 // the body began without </head>
				case a != drop || tt == html.SelfClosingTagToken:
					continue
				case start:
					dropDepth++
					continue
				default:
					dropDepth--
					continue
				}
			}
			switch {
			case droppedElements[a] && tt == html.StartTagToken:
				drop, dropDepth = a, 1
			case a == atom.Br:
				w.lineBreak()
			case a == atom.Td || a == atom.Th:
				w.space()
			case a == atom.Pre && tt == html.StartTagToken:
				pre++
				w.block(lineBreaks[a])
			case a == atom.Pre && tt == html.EndTagToken:
				pre = max(pre-1, 0)
				w.block(lineBreaks[a])
			default:
				w.block(lineBreaks[a])
			}
		}
	}
}

// textWriter assembles text, holding back spaces and line breaks until
// the next visible character so that none pile up at line ends.
type textWriter struct {
	b         strings.Builder
	spacePend bool
	linesPend int
}

func (w *textWriter) space() { w.spacePend = true }

// lineBreak adds one line break; two in a row leave a blank line.
func (w *textWriter) lineBreak() { w.linesPend = min(w.linesPend+1, 2) }

// block ensures at least n pending line breaks (n may be 0).
func (w *textWriter) block(n int) { w.linesPend = max(w.linesPend, n) }

func (w *textWriter) text(s string, pre bool) {
	for _, r := range s {
		switch {
		case pre && r == '\n':
			w.lineBreak()
		case !pre && (unicode.IsSpace(r) || r == '\u00a0'):
			w.spacePend = true
		default:
			w.put(r)
		}
	}
}

func (w *textWriter) put(r rune) {
	if w.b.Len() > 0 {
		if w.linesPend > 0 {
			w.b.WriteString(strings.Repeat("\n", w.linesPend))
		} else if w.spacePend {
			w.b.WriteByte(' ')
		}
	}
	w.linesPend, w.spacePend = 0, false
	w.b.WriteRune(r)
}

// looksLikeHTML reports whether s holds at least one tag of a known HTML
// element. Fields whose format SmartLead does not document (the deprecated
// reply_body, the spec's reply.body) are converted only when it does, so
// "On Monday, Jane <jane@example.com> wrote:" stays as it is.
func looksLikeHTML(s string) bool {
	if strings.IndexByte(s, '<') < 0 {
		return false
	}
	z := html.NewTokenizer(strings.NewReader(s))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return false
		case html.StartTagToken, html.EndTagToken, html.SelfClosingTagToken:
			name, _ := z.TagName()
			if atom.Lookup(name) != 0 {
				return true
			}
		}
	}
}
