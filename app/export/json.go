package export

import (
	"bufio"
	"encoding/json"
	"io"

	"github.com/leadbell/leadbell/event"
)

// jsonEncoder writes one JSON array of events, one element a line:
//
//	[
//	{"id":"1",...},
//	{"id":"2",...}
//	]
//
// An array rather than NDJSON because the UI's download and most tools
// (jq, a spreadsheet's JSON import, JSON.parse) take a file that is one JSON
// value; one element a line still lets line tools read it. Each element is
// an Event exactly as the API serves it, with raw only when asked for.
type jsonEncoder struct {
	w     *bufio.Writer
	first bool
}

func newJSONEncoder(w io.Writer) *jsonEncoder {
	return &jsonEncoder{w: bufio.NewWriter(w), first: true}
}

func (e *jsonEncoder) begin() error {
	_, err := e.w.WriteString("[")
	return err
}

func (e *jsonEncoder) event(ev event.Event) error {
	b, err := json.Marshal(ev)
	if err != nil {
		return err
	}
	sep := ",\n"
	if e.first {
		sep, e.first = "\n", false
	}
	if _, err := e.w.WriteString(sep); err != nil {
		return err
	}
	_, err = e.w.Write(b)
	return err
}

func (e *jsonEncoder) flush() error { return e.w.Flush() }

func (e *jsonEncoder) end() error {
	closing := "\n]\n"
	if e.first {
		closing = "]\n" // no events: []
	}
	if _, err := e.w.WriteString(closing); err != nil {
		return err
	}
	return e.w.Flush()
}
