package export

import (
	"encoding/csv"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/leadbell/leadbell/event"
)

// csvColumns are the CSV header: the Event's JSON names in design.md's
// order, without raw (a payload is no spreadsheet cell), custom_fields (a
// map) or message_id.
var csvColumns = []string{
	"id", "type", "source_type", "timestamp", "received_at",
	"campaign_id", "campaign_name", "lead_id", "lead_email", "lead_name", "company",
	"sequence_number", "subject", "body", "url", "open_count", "app_url",
	"verified_by", "read", "backfilled",
}

// utf8BOM starts the file so that Excel reads it as UTF-8 (without it,
// Excel takes a double-clicked CSV for the local code page and garbles every
// accented name); other spreadsheets and most CSV readers skip it.
const utf8BOM = "\ufeff"

// csvEncoder writes RFC 4180 CSV (fields quoted when they hold a comma, a
// quote or a line break; lines end in \n, which every spreadsheet reads).
type csvEncoder struct {
	w   io.Writer
	csv *csv.Writer
	row []string
}

func newCSVEncoder(w io.Writer) *csvEncoder {
	return &csvEncoder{w: w, csv: csv.NewWriter(w), row: make([]string, len(csvColumns))}
}

func (e *csvEncoder) begin() error {
	if _, err := io.WriteString(e.w, utf8BOM); err != nil {
		return err
	}
	return e.csv.Write(csvColumns)
}

func (e *csvEncoder) event(ev event.Event) error {
	r := e.row[:0]
	r = append(r,
		ev.ID, string(ev.Type), ev.SourceType, csvTime(ev.Timestamp), csvTime(ev.ReceivedAt),
		ev.CampaignID, ev.CampaignName, ev.LeadID, ev.LeadEmail, ev.LeadName, ev.Company,
		csvInt(ev.SequenceNumber), ev.Subject, ev.Body, ev.URL, csvInt(ev.OpenCount), ev.AppURL,
		ev.VerifiedBy, strconv.FormatBool(ev.Read), strconv.FormatBool(ev.Backfilled),
	)
	for i, cell := range r {
		r[i] = neutralise(cell)
	}
	return e.csv.Write(r)
}

func (e *csvEncoder) flush() error {
	e.csv.Flush()
	return e.csv.Error()
}

func (e *csvEncoder) end() error { return e.flush() }

// neutralise defuses formula injection. Reply text, names and subjects are
// written by strangers, and a spreadsheet runs a cell that starts with =, +,
// -, @, tab or carriage return as a formula (=HYPERLINK(...) to leak data,
// =cmd|... through DDE). As OWASP's "CSV Injection" page recommends, such a
// cell gets a leading single quote, which spreadsheets take as "this is
// text". It applies to every cell: the ones Leadbell writes itself (ids,
// times, counts, true/false) never start with those characters. The
// csv.Writer quotes separators and quotes, so a dangerous character cannot
// start a cell in the middle of a field either. Some importers trim
// leading spaces (and newlines) before they look, so the first other
// character decides.
func neutralise(cell string) string {
	rest := strings.TrimLeft(cell, " \n")
	if rest == "" {
		return cell
	}
	switch rest[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + cell
	}
	return cell
}

// csvTime is an RFC 3339 time as in the JSON form; empty when unknown.
func csvTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.RFC3339Nano)
}

// csvInt leaves a zero (a field the payload lacked) empty, as JSON omits it.
func csvInt(n int) string {
	if n == 0 {
		return ""
	}
	return strconv.Itoa(n)
}
