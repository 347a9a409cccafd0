package logdiag

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// seeds are the table tests' lines and the golden inputs.
func fuzzSeeds(t interface{ Fatal(...any) }) []string {
	seeds := []string{
		`2020-12-07T09:10:18.982224+00:00 heroku[router]: at=error code=H12 desc="Request timeout" method=GET path="/" dyno=web.1 connect=0ms service=30000ms status=503`,
		`347 <158>1 2019-08-23T09:17:38.458556+00:00 host heroku router - at=error code=H12 desc="Request timeout" dyno=web.1`,
		`2020-12-07T09:10:09.5+05:30 heroku[web.1]: Process running mem=646M(126.2%)`,
		`2011-05-04T17:08:40+00:00 heroku[router]: Error H12 (Request timeout) -> GET myapp.heroku.com/slow dyno=web.1 queue= wait= service=30000ms status=503 bytes=0`,
		"    at fn (file.js:1:2)", `a="x\"y\\" b= c`, "", "<1>1 - - - -", "9 <1>1 - a b",
	}
	files, _ := filepath.Glob("testdata/parse/*.log")
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		seeds = append(seeds, string(b))
	}
	return seeds
}

func FuzzParseLine(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		for _, line := range strings.Split(s, "\n") {
			f.Add(line)
		}
	}
	f.Fuzz(func(t *testing.T, raw string) {
		l := ParseLine(raw)
		if l.Raw != raw {
			t.Fatalf("Raw = %q, want %q", l.Raw, raw)
		}
		if l.Kind == "" {
			t.Fatal("no Kind")
		}
		if !strings.Contains(raw, l.Message) || !strings.Contains(raw, l.Source) || !strings.Contains(raw, l.Process) ||
			!strings.Contains(raw, l.Code) || !strings.Contains(raw, l.Dyno) {
			t.Fatalf("a value is not part of the line: %+v", l)
		}
		for _, fld := range l.Fields {
			if !strings.Contains(raw, fld.Key) {
				t.Fatalf("field key %q is not part of the line", fld.Key)
			}
		}
		if !l.Time.IsZero() && l.Time.Location() != time.UTC {
			t.Fatalf("Time %v is not UTC", l.Time)
		}
	})
}

func FuzzScanner(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add([]byte(s), uint16(0))
		f.Add([]byte(s), uint16(40))
	}
	f.Fuzz(func(t *testing.T, data []byte, limit uint16) {
		max := maxLineBytes
		if limit > 0 {
			max = int(limit) // small limits exercise truncation and frame bounds
		}
		s := newScanner(bytes.NewReader(data), max)
		last := 0
		for s.Scan() {
			l := s.Line()
			if l.N <= last {
				t.Fatalf("N = %d after %d", l.N, last)
			}
			last = l.N
			if l.Raw == "" || isBlank(l.Raw) {
				t.Fatalf("line %d is blank: %q", l.N, l.Raw)
			}
			if len(l.Raw) > max+8 || !bytes.Contains(data, []byte(l.Raw)) {
				t.Fatalf("line %d: Raw %q is not part of the input", l.N, l.Raw)
			}
			if l.Kind == "" {
				t.Fatalf("line %d has no Kind", l.N)
			}
		}
		if err := s.Err(); err != nil {
			t.Fatalf("Err() = %v on a bytes.Reader", err)
		}
		if n := bytes.Count(data, []byte("\n")) + 1; last > n && !bytes.Contains(data, []byte(" <")) {
			t.Fatalf("N = %d, more than the %d lines of the input", last, n)
		}
	})
}
