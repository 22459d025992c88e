package smartlead

import (
	"encoding/json"
	"reflect"
	"strings"
	"unicode"
	"unicode/utf8"
)

// A delivery is decoded in one pass over its bytes by a small decoder made
// for the payload structs, not by json.Unmarshal: that one reflects on
// every field at every call, and hands each Unmarshaler (every field here
// is one) bytes that it then decodes again with a nested json.Unmarshal,
// which validates them once more. The body is validated once, by the
// caller, with validJSON.
//
// The decoder follows encoding/json's rules, which the parse tests pin
// down: a member sets the field whose json name is its key, or else the one
// whose name equals it ignoring case; members matching no field are
// skipped; a repeated key decodes again into the same field (an object into
// the same struct, so that their members merge); a value of the wrong kind
// leaves a struct field as it was, and null sets a pointer field to nil;
// and a field of a type with an UnmarshalJSON method gets the value's bytes.

// structDecoder decodes a JSON object into one struct type.
type structDecoder struct {
	exact  map[string]*fieldDecoder
	folded map[string]*fieldDecoder // by foldName of the json name
}

// fieldDecoder decodes one field's value.
type fieldDecoder struct {
	index []int
	kind  fieldKind
	sub   *structDecoder // for struct and pointer-to-struct fields
}

type fieldKind uint8

const (
	fieldUnmarshaler fieldKind = iota // has UnmarshalJSON (pointer receiver)
	fieldStruct
	fieldStructPointer
)

var unmarshalerType = reflect.TypeFor[json.Unmarshaler]()

// newStructDecoder builds the decoder of struct type t from its fields'
// json tags, fields of embedded structs included. It panics on a field type
// it cannot decode, which the parse tests would catch at once.
func newStructDecoder(t reflect.Type) *structDecoder {
	d := &structDecoder{exact: map[string]*fieldDecoder{}, folded: map[string]*fieldDecoder{}}
	for _, f := range reflect.VisibleFields(t) {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if f.Anonymous || !f.IsExported() || name == "" || name == "-" {
			continue
		}
		fd := &fieldDecoder{index: f.Index}
		switch {
		case reflect.PointerTo(f.Type).Implements(unmarshalerType):
			fd.kind = fieldUnmarshaler
		case f.Type.Kind() == reflect.Struct:
			fd.kind, fd.sub = fieldStruct, newStructDecoder(f.Type)
		case f.Type.Kind() == reflect.Pointer && f.Type.Elem().Kind() == reflect.Struct:
			fd.kind, fd.sub = fieldStructPointer, newStructDecoder(f.Type.Elem())
		default:
			panic("smartlead: cannot decode field " + f.Name + " of type " + f.Type.String())
		}
		d.exact[name] = fd
		d.folded[string(foldName(nil, []byte(name)))] = fd
	}
	return d
}

// field returns the decoder of the field that a member with this key sets.
func (d *structDecoder) field(key []byte) *fieldDecoder {
	if fd, ok := d.exact[string(key)]; ok {
		return fd
	}
	var buf [64]byte
	return d.folded[string(foldName(buf[:0], key))]
}

// decode decodes the JSON object b (valid JSON) into v, an addressable
// struct of the decoder's type.
func (d *structDecoder) decode(v reflect.Value, b []byte) {
	eachMember(b, func(key, val []byte) {
		fd := d.field(key)
		if fd == nil || len(val) == 0 {
			return
		}
		f := v.FieldByIndex(fd.index)
		switch fd.kind {
		case fieldUnmarshaler:
			_ = f.Addr().Interface().(json.Unmarshaler).UnmarshalJSON(val)
		case fieldStruct:
			if val[0] == '{' {
				fd.sub.decode(f, val)
			}
		case fieldStructPointer:
			if val[0] == 'n' {
				f.SetZero()
				return
			}
			if f.IsNil() {
				f.Set(reflect.New(f.Type().Elem()))
			}
			if val[0] == '{' {
				fd.sub.decode(f.Elem(), val)
			}
		}
	})
}

// foldName appends to out the form of name under which encoding/json
// matches keys ignoring case: foldName(x) == foldName(y) exactly when
// bytes.EqualFold(x, y).
func foldName(out, name []byte) []byte {
	for i := 0; i < len(name); {
		if c := name[i]; c < utf8.RuneSelf {
			if 'a' <= c && c <= 'z' {
				c -= 'a' - 'A'
			}
			out = append(out, c)
			i++
			continue
		}
		r, n := utf8.DecodeRune(name[i:])
		out = utf8.AppendRune(out, unicode.ToUpper(unicode.ToLower(r)))
		i += n
	}
	return out
}

// eachMember calls fn with the unquoted key and the value's bytes of each
// member of the JSON object b, in order. b must be valid JSON; if it is not
// an object, fn is not called.
func eachMember(b []byte, fn func(key, val []byte)) {
	members(b, func(key []byte, start, end int) { fn(key, b[start:end]) })
}

// eachElement calls fn with the bytes of each element of the JSON array b,
// in order. b must be valid JSON; if it is not an array, fn is not called.
func eachElement(b []byte, fn func(val []byte)) {
	i := skipSpace(b, 0)
	if i >= len(b) || b[i] != '[' {
		return
	}
	i++
	for {
		if i = skipSpace(b, i); i >= len(b) || b[i] == ']' {
			return
		}
		if b[i] == ',' {
			i = skipSpace(b, i+1)
		}
		end := skipValue(b, i)
		fn(b[i:end])
		i = end
	}
}

// unquote returns the contents of a JSON string literal as encoding/json
// decodes them, sharing b's bytes when they need no unquoting.
func unquote(b []byte) []byte {
	if len(b) >= 2 && plainBytes(b[1:len(b)-1]) {
		return b[1 : len(b)-1]
	}
	var s string
	_ = json.Unmarshal(b, &s)
	return []byte(s)
}
