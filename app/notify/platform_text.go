package notify

import "strings"

// platformSafe makes a notification's text safe for the helpers beeep hands
// it to off Linux, where reply text, written by strangers, would otherwise
// reach an interpreter:
//
//   - on Windows, go-toast puts the text in a CDATA section of toast XML
//     and, when the native call fails, pastes that XML into a PowerShell
//     here-string, where $( ... ) and backticks are evaluated: so "]]>"
//     (which ends the CDATA and makes the native call fail) is broken up,
//     and "$" and "`" become look-alikes;
//   - on macOS, terminal-notifier takes the text as an argument: a leading
//     "-" could read as an option, so it gets a word joiner in front.
//
// The text is already one line without control characters (Notification).
func platformSafe(s string) string {
	s = strings.NewReplacer(
		"$", "\uFF04", // ＄ FULLWIDTH DOLLAR SIGN
		"`", "\u02CB", // ˋ MODIFIER LETTER GRAVE ACCENT
		"]]>", "]] >",
		`"@`, `" @`, // a here-string's end, should a line break ever get through
		"'@", "' @",
	).Replace(s)
	if strings.HasPrefix(s, "-") {
		s = "\u2060" + s
	}
	return s
}
