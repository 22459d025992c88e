package triage

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestScannersAgree checks that every scanner answers as its regular
// expression does on the whole text, on the corpus replies and on texts
// made of them that are long, repetitive or cut anywhere.
func TestScannersAgree(t *testing.T) {
	bodies := corpusBodies(t)
	var texts []string
	for i, b := range bodies {
		joined := fold(b + "\n" + bodies[(i*7+3)%len(bodies)])
		texts = append(texts, b, joined, joined[:i*31%len(joined)])
		if i%150 == 0 {
			texts = append(texts, fold(strings.Repeat(b+" ", maxBody/(len(b)+1))))
		}
	}
	for _, text := range texts {
		checkScanners(t, text)
	}
}

// FuzzScanners checks scanners against their regular expressions on any
// text, folded or not.
func FuzzScanners(f *testing.F) {
	f.Add("out of office until 12.01. bis 3/4 jusqu'au 1er janvier, back monday at 3pm")
	f.Add("please remove me\nstop\n\nno longer with the company; contact maria@x.com")
	f.Add("\xff\xfe de la ¿qué? ticket #123 5.1.1 a las 10 traveling")
	f.Fuzz(func(t *testing.T, text string) {
		checkScanners(t, text)
		checkScanners(t, fold(text))
	})
}

func checkScanners(t *testing.T, text string) {
	t.Helper()
	scanned := vocabulary.scan(text)
	for _, sc := range allScanners() {
		if got, want := sc.matches(&scanned), sc.re.MatchString(text); got != want {
			t.Fatalf("%.60s: matches = %v, want %v on %q", sc.re, got, want, text)
		}
	}
	for _, sc := range append(dateScanners, pointsTo, pointedAt) { // the ones findAll is used with
		got, want := sc.findAll(&scanned, maxSpans), sc.re.FindAllStringSubmatchIndex(text, maxSpans)
		if !slices.EqualFunc(got, want, slices.Equal) {
			t.Fatalf("%.60s: findAll = %v, want %v on %q", sc.re, got, want, text)
		}
	}
}

// corpusBodies returns the bodies of the labelled replies and of the
// quote fixtures.
func corpusBodies(t *testing.T) []string {
	t.Helper()
	var bodies []string
	for _, file := range []string{"testdata/corpus.jsonl", "testdata/holdout.jsonl"} {
		f, err := os.Open(file)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			var ex Example
			if err := json.Unmarshal(sc.Bytes(), &ex); err != nil {
				t.Fatal(err)
			}
			bodies = append(bodies, ex.Subject+"\n"+ex.Body)
		}
		f.Close()
	}
	files, err := filepath.Glob("testdata/quotes/*.txt")
	if err != nil {
		t.Fatal(err)
	}
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		bodies = append(bodies, string(b))
	}
	return bodies
}
