package smartlead

// PlainText returns s as readable text: HTML (a tag of a known element)
// becomes its text with line breaks kept; plain text is left as it is, so
// "Tom <tom@example.com> wrote:" keeps its address.
func PlainText(s string) string {
	if !looksLikeHTML(s) {
		return s
	}
	return htmlToText(s)
}
