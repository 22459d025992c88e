package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/leadbell/leadbell/app/triage"
)

// benchTriage prints the triage's precision and recall per class on its
// labelled replies: the corpus the rules were written against and the
// holdout written before them (the honest figure).
func benchTriage() error {
	for _, set := range []struct{ name, file string }{
		{"corpus (the rules were written against it)", "corpus.jsonl"},
		{"holdout (written before the rules, never tuned against)", "holdout.jsonl"},
	} {
		f, err := os.Open(filepath.Join("app", "triage", "testdata", set.file))
		if err != nil {
			return fmt.Errorf("triage %s: %w (run from the repository's root)", set.file, err)
		}
		r, err := triage.Evaluate(f)
		f.Close()
		if err != nil {
			return fmt.Errorf("triage %s: %w", set.file, err)
		}
		fmt.Printf("Triage of replies, %s: %d replies\n\n%s\n", set.name, r.Total, r)
	}
	return nil
}
