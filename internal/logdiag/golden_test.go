package logdiag

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/helpline-dev/helpline/internal/docs"
)

// shippedReference is the error-code reference of the shipped Dev Center
// content, as the CLI uses offline.
func shippedReference(t testing.TB) Reference {
	articles, err := docs.DefaultArticles()
	if err != nil {
		t.Fatal(err)
	}
	byCode := map[string]docs.ArticleInput{}
	for _, a := range articles {
		if a.ErrorCode != "" {
			byCode[strings.ToUpper(a.ErrorCode)] = a
		}
	}
	return func(code string) (string, string, string, bool) {
		a, ok := byCode[code]
		if !ok {
			return "", "", "", false
		}
		return a.Title, "/docs/error-codes#" + a.Slug, a.Summary, true
	}
}

// TestGolden diagnoses realistic multi-hour logs (heroku logs output and a
// log drain's syslog frames) and compares the JSON with the golden files;
// go test -run TestDiagnoseGolden -update rewrites them (the -update
// flag is declared once for the package, in parse_test.go). Logs named *staging* are
// not production apps.
func TestDiagnoseGolden(t *testing.T) {
	logs, err := filepath.Glob(filepath.Join("testdata", "diagnose", "*.log"))
	if err != nil || len(logs) == 0 {
		t.Fatalf("no logs in testdata/diagnose (%v)", err)
	}
	ref := shippedReference(t)
	for _, path := range logs {
		name := strings.TrimSuffix(filepath.Base(path), ".log")
		t.Run(name, func(t *testing.T) {
			f, err := os.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			dg, err := Diagnose(f, Options{Reference: ref, Production: !strings.Contains(name, "staging")})
			if err != nil {
				t.Fatal(err)
			}
			got, err := json.MarshalIndent(dg, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			golden := filepath.Join("testdata", "diagnose", name+".golden.json")
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -run TestDiagnoseGolden -update to write it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("diagnosis of %s differs from %s (run with -update and review the diff):\n%s", path, golden, got)
			}
		})
	}
}
