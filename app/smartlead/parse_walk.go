package smartlead

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Redact returns a copy of raw, any body (not JSON, cut short), in which
// the value of every top-level secret_key member is replaced by
// "[redacted]": what the Inspector and the rejected log may show and keep.
// It splices bytes at the members' offsets, so every other byte stays as
// received.
func Redact(raw []byte) json.RawMessage { return redactWith(raw, walkTopLevel) }

// redactObject is redact for a body known to be a valid JSON object.
func redactObject(raw []byte) json.RawMessage {
	return redactWith(raw, func(raw []byte, fn func(string, int, int)) error {
		walkObject(raw, fn)
		return nil
	})
}

func redactWith(raw []byte, walk func([]byte, func(string, int, int)) error) json.RawMessage {
	// Most deliveries have no such member: skip the walk unless the name
	// is there, or could be spelled with escapes.
	if !bytes.Contains(raw, []byte(`"`+secretField+`"`)) && !escapesSecretLetter(raw) {
		return bytes.Clone(raw)
	}
	var spans [][2]int
	_ = walk(raw, func(k string, start, end int) {
		if k == secretField {
			spans = append(spans, [2]int{start, end})
		}
	})
	out := make([]byte, 0, len(raw))
	last := 0
	for _, s := range spans {
		out = append(out, raw[last:s[0]]...)
		out = append(out, redactedSecret...)
		last = s[1]
	}
	return append(out, raw[last:]...)
}

// escapesSecretLetter reports whether raw has a \u escape of a character
// of "secret_key": the only way to spell that name other than plainly, as
// the short escapes (\n, \/, ...) stand for none of its characters. An
// escaped backslash followed by "u" counts too, which only costs a walk.
func escapesSecretLetter(raw []byte) bool {
	for i := 0; ; {
		j := bytes.Index(raw[i:], []byte(`\u`))
		if j < 0 || i+j+6 > len(raw) {
			return false
		}
		i += j + 2
		n, err := strconv.ParseUint(string(raw[i:i+4]), 16, 16)
		if err == nil && n < utf8.RuneSelf && strings.IndexByte(secretField, byte(n)) >= 0 {
			return true
		}
	}
}

// walkTopLevel calls fn for each member of the JSON object raw with the
// member's key and the byte offsets [start, end) of its value. A body that
// is not valid JSON is walked as far as it can be, with a json.Decoder.
func walkTopLevel(raw []byte, fn func(key string, start, end int)) error {
	if validJSON(raw) {
		if t := bytes.TrimLeft(raw, " \t\r\n"); len(t) == 0 || t[0] != '{' {
			return ErrNotJSON
		}
		walkObject(raw, fn)
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return ErrNotJSON
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		key, _ := tok.(string)
		// The offset is just past the key; the value starts after the colon.
		start := int(dec.InputOffset())
		for start < len(raw) && (raw[start] == ':' || isJSONSpace(raw[start])) {
			start++
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return err
		}
		fn(key, start, int(dec.InputOffset()))
	}
	return nil
}

// walkObject is walkTopLevel for valid JSON: a plain scan of the bytes
// (a json.Decoder's tokens allocate for every member: see parse_valid.go);
// fn is not called when raw is not an object. Keys are unquoted as
// encoding/json does.
func walkObject(raw []byte, fn func(key string, start, end int)) {
	members(raw, func(key []byte, start, end int) { fn(string(key), start, end) })
}

// members calls fn with the unquoted key and the offsets [start, end) of
// the value of each member of the JSON object b, in order. b must be valid
// JSON; if it is not an object, fn is not called.
func members(b []byte, fn func(key []byte, start, end int)) {
	i := skipSpace(b, 0)
	if i >= len(b) || b[i] != '{' {
		return
	}
	i++
	for {
		if i = skipSpace(b, i); i >= len(b) || b[i] == '}' {
			return
		}
		if b[i] == ',' {
			i = skipSpace(b, i+1)
		}
		keyEnd := skipString(b, i)
		key := unquote(b[i:keyEnd])
		start := skipSpace(b, skipSpace(b, keyEnd)+1) // past ':'
		if start >= len(b) {
			return
		}
		end := skipValue(b, start)
		fn(key, start, end)
		i = end
	}
}

func skipSpace(raw []byte, i int) int {
	for i < len(raw) && isJSONSpace(raw[i]) {
		i++
	}
	return i
}

// skipString returns the offset just past the string that starts at i.
func skipString(raw []byte, i int) int {
	for i++; i < len(raw); i++ {
		switch raw[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return len(raw)
}

// skipValue returns the offset just past the value that starts at i.
func skipValue(raw []byte, i int) int {
	switch raw[i] {
	case '"':
		return skipString(raw, i)
	case '{', '[':
		depth := 0
		for i < len(raw) {
			switch raw[i] {
			case '"':
				i = skipString(raw, i)
				continue
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return i + 1
				}
			}
			i++
		}
		return len(raw)
	}
	for i < len(raw) && raw[i] != ',' && raw[i] != '}' && raw[i] != ']' && !isJSONSpace(raw[i]) {
		i++
	}
	return i
}

func isJSONSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }
