package smartlead

import (
	"bytes"
	"encoding/json"
	"math"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// value is one JSON scalar read leniently. SmartLead sends the same field as
// a number in one payload and a string in the next ("sl_email_lead_id":
// "1482956" and 121 are both seen), so every scalar of a payload is read
// through it. Decoding never fails: a value of an unexpected kind (an
// object, an array) reads as absent rather than losing the whole delivery.
type value struct {
	text string // the string's contents, or a number's or boolean's literal text
	kind valueKind
}

type valueKind uint8

const (
	kindAbsent valueKind = iota // missing, null, or not a scalar
	kindString
	kindNumber
	kindBool
)

// UnmarshalJSON implements json.Unmarshaler. It never returns an error.
func (v *value) UnmarshalJSON(b []byte) error {
	*v = value{}
	b = bytes.TrimSpace(b)
	if len(b) == 0 {
		return nil
	}
	switch c := b[0]; {
	case c == '"':
		if s, ok := plainString(b); ok {
			v.text, v.kind = s, kindString
			break
		}
		var s string
		if json.Unmarshal(b, &s) == nil {
			v.text, v.kind = s, kindString
		}
	case c == '-' || (c >= '0' && c <= '9'):
		v.text, v.kind = string(b), kindNumber
	case c == 't' || c == 'f':
		v.text, v.kind = string(b), kindBool
	}
	return nil
}

// plainString returns the contents of the JSON string literal b when they
// need no unquoting (see plainBytes): most strings of a payload are like
// that, and decoding them again was the costly part.
func plainString(b []byte) (string, bool) {
	if len(b) < 2 || b[0] != '"' || b[len(b)-1] != '"' || !plainBytes(b[1:len(b)-1]) {
		return "", false
	}
	return string(b[1 : len(b)-1]), true
}

// plainBytes reports whether the contents of a JSON string literal decode
// to themselves: no escapes, no control characters and valid UTF-8, which
// is what encoding/json returns for them too.
func plainBytes(in []byte) bool {
	ascii := true
	for _, c := range in {
		switch {
		case c == '\\' || c == '"' || c < ' ':
			return false
		case c >= utf8.RuneSelf:
			ascii = false
		}
	}
	return ascii || utf8.Valid(in)
}

// raw is the value as sent, for idempotency keys: not cleaned, only trimmed.
func (v value) raw() string { return strings.TrimSpace(v.text) }

// str is the value as display text: a string or a number; a boolean in a
// text field is a mistyped value and reads as missing.
func (v value) str() string {
	if v.kind != kindString && v.kind != kindNumber {
		return ""
	}
	return cleanText(v.text)
}

// int is the value as a whole number; 0 when it is absent or not one.
func (v value) int() int {
	s := strings.TrimSpace(v.text)
	if v.kind != kindString && v.kind != kindNumber || s == "" {
		return 0
	}
	if n, err := strconv.Atoi(s); err == nil {
		return n
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f != math.Trunc(f) || f > math.MaxInt32 || f < math.MinInt32 {
		return 0
	}
	return int(f)
}

// time is the value as a time; the zero time when it is absent or cannot be
// read (an unreadable timestamp is not a reason to drop a delivery).
func (v value) time() time.Time {
	if v.kind != kindString && v.kind != kindNumber {
		return time.Time{}
	}
	return parseTime(v.text)
}

// firstStr returns the first of vs that is non-empty as display text.
func firstStr(vs ...value) string {
	for _, v := range vs {
		if s := v.str(); s != "" {
			return s
		}
	}
	return ""
}

// firstTime returns the first of vs that reads as a time.
func firstTime(vs ...value) time.Time {
	for _, v := range vs {
		if t := v.time(); !t.IsZero() {
			return t
		}
	}
	return time.Time{}
}

// message is a live-shape message object (sent_message, reply_message,
// bounce_message): {message_id, html, text, time}. A bare string is taken
// as its text; anything else reads as empty.
type message struct {
	MessageID value `json:"message_id"`
	HTML      value `json:"html"`
	Text      value `json:"text"`
	Time      value `json:"time"`
}

// UnmarshalJSON implements json.Unmarshaler. It never returns an error.
func (m *message) UnmarshalJSON(b []byte) error {
	*m = message{}
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0:
	case b[0] == '"':
		_ = m.Text.UnmarshalJSON(b)
	case b[0] == '{':
		messageDecoder.decode(reflect.ValueOf(m).Elem(), b) // type errors leave fields empty
	}
	return nil
}

var messageDecoder = newStructDecoder(reflect.TypeFor[message]())

// body is the message as plain text: its text part, else its HTML part
// converted.
func (m message) body() string {
	if s := m.Text.str(); s != "" {
		return s
	}
	return htmlToText(m.HTML.text)
}

// urlList is a list of URLs such as link_details or link_clicked: an array
// of strings, or objects with a "url"; a lone string counts as a list of one.
type urlList []string

// UnmarshalJSON implements json.Unmarshaler. It never returns an error.
func (l *urlList) UnmarshalJSON(b []byte) error {
	*l = nil
	b = bytes.TrimSpace(b)
	add := func(it []byte) {
		var v value
		if len(it) > 0 && it[0] == '{' {
			var o urlObject
			urlObjectDecoder.decode(reflect.ValueOf(&o).Elem(), it)
			v = o.URL
		} else {
			_ = v.UnmarshalJSON(it)
		}
		if s := v.str(); s != "" {
			*l = append(*l, s)
		}
	}
	switch {
	case len(b) == 0:
	case b[0] == '[':
		eachElement(b, add)
	default:
		add(b)
	}
	return nil
}

// urlObject is an item of a urlList given as an object.
type urlObject struct {
	URL value `json:"url"`
}

var urlObjectDecoder = newStructDecoder(reflect.TypeFor[urlObject]())

// first is the first URL, or "".
func (l urlList) first() string {
	if len(l) == 0 {
		return ""
	}
	return l[0]
}

// customFields are a lead's custom fields. Values arrive as strings,
// numbers, booleans, and sometimes nested JSON; all become strings (nested
// values as compact JSON) and nulls are left out.
type customFields map[string]string

// UnmarshalJSON implements json.Unmarshaler. It never returns an error.
func (c *customFields) UnmarshalJSON(b []byte) error {
	*c = nil
	var m map[string][]byte // as json.Unmarshal into a map: the last of a repeated key wins
	eachMember(b, func(key, val []byte) {
		if m == nil {
			m = make(map[string][]byte)
		}
		m[string(key)] = val
	})
	for k, raw := range m {
		k = cleanText(k)
		var v value
		_ = v.UnmarshalJSON(raw)
		s := v.str()
		switch v.kind {
		case kindBool:
			s = v.text
		case kindAbsent:
			var buf bytes.Buffer
			if raw = bytes.TrimSpace(raw); bytes.Equal(raw, []byte("null")) || json.Compact(&buf, raw) != nil {
				continue
			}
			s = cleanText(buf.String())
		}
		if k == "" {
			continue
		}
		if *c == nil {
			*c = make(customFields, len(m))
		}
		(*c)[k] = s
	}
	return nil
}

// fullName joins a first and last name, either of which may be missing.
func fullName(first, last value) string {
	return strings.TrimSpace(first.str() + " " + last.str())
}
