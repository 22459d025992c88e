package api

import (
	"bufio"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/leadbell/leadbell/app/desk"
	"github.com/leadbell/leadbell/app/settings"
	"github.com/leadbell/leadbell/event"
	"github.com/leadbell/leadbell/store"
)

// The frontend's API types (frontend/src/lib/api.ts) are written by hand
// beside the Go types the API serves. TestTSTypes keeps the two in step:
// the same JSON field names on both sides, optional in TypeScript exactly
// when Go may leave the field out, and null allowed where Go sends null.

// tsUnchecked are the interfaces of api.ts left out of tsTypes, and why;
// they are checked by reading only.
var tsUnchecked = map[string]string{
	"DemoState":     "app.DemoState: package app imports this one, a cycle",
	"Campaign":      "a map built in its handler (control.go): no Go type",
	"ReplayResult":  "a map built in its handler (control.go): no Go type",
	"EventQuery":    "a query string, not JSON",
	"AnswerRequest": "an anonymous struct in its handler (desk.go): no Go type",
}

// tsTypes pairs each other interface of api.ts with the Go type whose JSON
// it describes.
var tsTypes = []tsType{
	{ts: "Status", goType: reflect.TypeFor[Status]()},
	{ts: "Warning", goType: reflect.TypeFor[Warning]()},
	{ts: "Storage", goType: reflect.TypeFor[Storage]()},
	{ts: "LeadEvent", goType: reflect.TypeFor[event.Event]()},
	{ts: "EventPage", goType: reflect.TypeFor[store.Page]()},
	{ts: "Stats", goType: reflect.TypeFor[Stats]()},
	{ts: "StatsBucket", goType: reflect.TypeFor[store.Bucket]()},
	{ts: "CampaignStats", goType: reflect.TypeFor[CampaignStats]()},
	{ts: "Delivery", goType: reflect.TypeFor[Delivery]()},
	{ts: "Answers", goType: reflect.TypeFor[Answers]()},
	{ts: "Settings", goType: reflect.TypeFor[Settings]()},
	{ts: "Scope", goType: reflect.TypeFor[settings.Scope]()},
	{ts: "OtherWebhook", goType: reflect.TypeFor[OtherWebhook]()},
	{ts: "Notifications", goType: reflect.TypeFor[settings.Notifications]()},
	{ts: "QuietHours", goType: reflect.TypeFor[settings.QuietHours]()},
	{ts: "Retention", goType: reflect.TypeFor[settings.Retention]()},
	{ts: "SettingsUpdate", goType: reflect.TypeFor[settings.Update](), request: true},
	{ts: "Outbox", goType: reflect.TypeFor[Outbox]()},
	{ts: "Category", goType: reflect.TypeFor[Category]()},
	{ts: "Draft", goType: reflect.TypeFor[desk.Draft]()},
}

type tsType struct {
	ts     string
	goType reflect.Type
	// request marks a body the frontend sends: any field may be left out,
	// so every field is optional in TypeScript whatever Go's tags say.
	request bool
}

func TestTSTypes(t *testing.T) {
	src, err := os.ReadFile(filepath.Join("..", "..", "frontend", "src", "lib", "api.ts"))
	if err != nil {
		t.Fatal(err)
	}
	ifaces, err := parseTSInterfaces(string(src))
	if err != nil {
		t.Fatalf("api.ts: %v", err)
	}
	for name := range ifaces {
		if _, ok := tsUnchecked[name]; !ok && !slices.ContainsFunc(tsTypes, func(tt tsType) bool { return tt.ts == name }) {
			t.Errorf("api.ts has interface %s: pair it with its Go type in tsTypes, or say in tsUnchecked why not", name)
		}
	}
	for _, tt := range tsTypes {
		t.Run(tt.ts, func(t *testing.T) {
			ts, ok := ifaces[tt.ts]
			if !ok {
				t.Fatalf("api.ts has no `export interface %s`", tt.ts)
			}
			for _, p := range compareFields(jsonFields(tt.goType), ts, tt.request) {
				t.Errorf("%s (Go %v): %s", tt.ts, tt.goType, p)
			}
		})
	}
}

// TestCompareFields makes sure the comparison sees each kind of mismatch,
// so that TestTSTypes passing means something.
func TestCompareFields(t *testing.T) {
	type inner struct {
		Shared string `json:"shared"`
	}
	type sample struct {
		inner
		ID      string  `json:"id"`
		Note    string  `json:"note,omitempty"`
		When    *string `json:"when"`
		Nested  inner   `json:"nested,omitempty"` // a struct is never empty
		Skipped string  `json:"-"`
		hidden  string
	}
	goFields := jsonFields(reflect.TypeFor[sample]())
	if got, want := slices.Sorted(maps.Keys(goFields)), []string{"id", "nested", "note", "shared", "when"}; !slices.Equal(got, want) {
		t.Fatalf("JSON fields of sample: %v, want %v", got, want)
	}
	good := map[string]tsField{
		"shared": {}, "id": {}, "note": {optional: true}, "when": {nullable: true}, "nested": {},
	}
	if p := compareFields(goFields, good, false); len(p) != 0 {
		t.Errorf("a matching interface is reported: %q", p)
	}
	for _, tt := range []struct {
		name string
		edit func(map[string]tsField)
	}{
		{"a field Go does not send", func(m map[string]tsField) { m["bogus"] = tsField{optional: true} }},
		{"a field Go sends is missing", func(m map[string]tsField) { delete(m, "shared") }},
		{"optional though always sent", func(m map[string]tsField) { m["id"] = tsField{optional: true} }},
		{"required though omitted when empty", func(m map[string]tsField) { m["note"] = tsField{} }},
		{"no null for a nil pointer", func(m map[string]tsField) { m["when"] = tsField{} }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ts := maps.Clone(good)
			tt.edit(ts)
			if p := compareFields(goFields, ts, false); len(p) != 1 {
				t.Errorf("got %d problems %q, want 1", len(p), p)
			}
		})
	}
	if p := compareFields(goFields, good, true); len(p) == 0 {
		t.Error("a request type with required fields is not reported")
	}
}

func TestParseTSInterfaces(t *testing.T) {
	const src = `
/** Not an interface. */
export type Kind = "a" | "b";

export interface Base {
  id: string;
}

/** A doc comment. */
export interface Thing extends Base {
  /** when: it says so here, but this line is a comment. */
  when: string | null;
  note?: string;
  nested: { inner: boolean; other?: number };
  deeper?: {
    inner: boolean;
  };
  raw?: unknown;
}
export interface Empty {}
`
	got, err := parseTSInterfaces(src)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]map[string]tsField{
		"Base":  {"id": {}},
		"Empty": {},
		"Thing": {
			"id": {}, "when": {nullable: true}, "note": {optional: true}, "nested": {},
			"deeper": {optional: true}, "raw": {optional: true, nullable: true},
		},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("parsed %v\nwant %v", got, want)
	}
}

// goField is one JSON field of a Go struct as encoding/json writes it.
type goField struct {
	optional bool // left out when zero or empty (omitempty, omitzero)
	nullable bool // a pointer always written: null when nil
}

// jsonFields lists the JSON fields encoding/json writes for struct type t,
// embedded structs flattened.
func jsonFields(t reflect.Type) map[string]goField {
	out := map[string]goField{}
	for f := range t.Fields() {
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		ft := f.Type
		if f.Anonymous && name == "" {
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				for n, sub := range jsonFields(ft) {
					if _, ok := out[n]; !ok {
						out[n] = sub
					}
				}
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		optional := hasOpt(opts, "omitzero") || hasOpt(opts, "omitempty") && canBeEmpty(ft)
		out[name] = goField{optional: optional, nullable: !optional && ft.Kind() == reflect.Pointer}
	}
	return out
}

func hasOpt(opts, opt string) bool {
	return slices.Contains(strings.Split(opts, ","), opt)
}

// canBeEmpty reports whether omitempty can leave out a value of type t:
// encoding/json never counts a struct (a time.Time, say) as empty.
func canBeEmpty(t reflect.Type) bool {
	return t.Kind() != reflect.Struct
}

// tsField is one field of a TypeScript interface.
type tsField struct {
	optional bool // name?: type
	nullable bool // its type admits null
}

// compareFields lists what differs between a Go type's JSON fields and a
// TypeScript interface, as sentences.
func compareFields(goFields map[string]goField, ts map[string]tsField, request bool) []string {
	var problems []string
	for _, name := range slices.Sorted(maps.Keys(goFields)) {
		g := goFields[name]
		f, ok := ts[name]
		switch {
		case !ok:
			problems = append(problems, "field "+name+" is missing in api.ts")
		case request:
			if !f.optional {
				problems = append(problems, "field "+name+" of a request body must be optional (name?:)")
			}
		case g.optional && !f.optional:
			problems = append(problems, "field "+name+" is left out when empty (omitempty/omitzero): make it optional (name?:)")
		case !g.optional && f.optional:
			problems = append(problems, "field "+name+" is always sent: make it required (no ?)")
		case g.nullable && !f.nullable:
			problems = append(problems, "field "+name+" is a pointer sent as null when unset: its type must admit null")
		}
	}
	for _, name := range slices.Sorted(maps.Keys(ts)) {
		if _, ok := goFields[name]; !ok {
			problems = append(problems, "field "+name+" is in api.ts but Go has no such JSON field")
		}
	}
	return problems
}

var (
	tsInterfaceRE = regexp.MustCompile(`^export interface (\w+)(?: extends ([\w, ]+))? \{`)
	tsFieldRE     = regexp.MustCompile(`^\s*(\w+)(\??):\s*(.*?);?\s*$`)
)

// parseTSInterfaces reads the fields of each `export interface` in
// TypeScript source: one field per line, as api.ts is written; interfaces
// it extends are merged in.
func parseTSInterfaces(src string) (map[string]map[string]tsField, error) {
	out := map[string]map[string]tsField{}
	extends := map[string][]string{}
	var cur map[string]tsField
	depth := 0
	sc := bufio.NewScanner(strings.NewReader(src))
	for sc.Scan() {
		line := sc.Text()
		if cur == nil {
			m := tsInterfaceRE.FindStringSubmatch(line)
			if m == nil {
				continue
			}
			cur, depth = map[string]tsField{}, strings.Count(line, "{")-strings.Count(line, "}")
			out[m[1]] = cur
			for base := range strings.SplitSeq(m[2], ",") {
				if base = strings.TrimSpace(base); base != "" {
					extends[m[1]] = append(extends[m[1]], base)
				}
			}
			if depth <= 0 {
				cur = nil
			}
			continue
		}
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, "//") || strings.HasPrefix(trimmed, "/*") || strings.HasPrefix(trimmed, "*") {
			continue
		}
		if depth == 1 {
			if m := tsFieldRE.FindStringSubmatch(line); m != nil {
				cur[m[1]] = tsField{optional: m[2] == "?", nullable: admitsNull(m[3])}
			}
		}
		depth += strings.Count(line, "{") - strings.Count(line, "}")
		if depth <= 0 {
			cur = nil
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if cur != nil {
		return nil, errors.New("an interface is not closed")
	}
	for name, bases := range extends {
		for _, base := range bases {
			fields, ok := out[base]
			if !ok {
				return nil, fmt.Errorf("interface %s extends %s, which is not defined there", name, base)
			}
			for n, f := range fields {
				if _, ok := out[name][n]; !ok {
					out[name][n] = f
				}
			}
		}
	}
	return out, nil
}

// admitsNull reports whether a TypeScript type written on one line lists
// null among its alternatives (or is unknown, which includes it).
func admitsNull(typ string) bool {
	if typ == "unknown" || typ == "any" {
		return true
	}
	for _, alt := range strings.Split(typ, "|") {
		if strings.TrimSpace(alt) == "null" {
			return true
		}
	}
	return false
}
