package logdiag

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// benchLog builds about size bytes of mixed heroku logs in the proportions
// scripts/genlogs writes (mostly router and app lines, some router errors,
// the rest runtime errors, state changes and stack traces from testdata).
func benchLog(b *testing.B, size int) []byte {
	files, _ := filepath.Glob("testdata/parse/*.log")
	var other [][]byte
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		other = append(other, bytes.SplitAfter(data, []byte("\n"))...)
	}
	r := rand.New(rand.NewPCG(1, 2))
	t := time.Date(2020, 12, 7, 9, 0, 0, 0, time.UTC)
	paths := []string{"/", "/api/v1/items", "/login", "/reports/annual", "/search?q=shoes", "/cart"}
	codes := []string{`code=H12 desc="Request timeout"`, `code=H10 desc="App crashed"`, `code=H13 desc="Connection closed without response"`}
	buf := bytes.NewBuffer(make([]byte, 0, size+4096))
	for buf.Len() < size {
		t = t.Add(time.Duration(r.IntN(300)) * time.Millisecond)
		ts := t.Format("2006-01-02T15:04:05.000000-07:00")
		dyno, path := 1+r.IntN(4), paths[r.IntN(len(paths))]
		switch p := r.IntN(100); {
		case p < 88:
			fmt.Fprintf(buf, "%s app[web.%d]: I, [%s #4]  INFO -- : [%016x] Started GET %q for 10.1.2.3\n", ts, dyno, ts, r.Uint64(), path)
			fmt.Fprintf(buf, `%s heroku[router]: at=info method=GET path="%s" host=shop-prod.herokuapp.com request_id=%016x fwd="203.0.113.7" dyno=web.%d connect=0ms service=%dms status=200 bytes=%d protocol=https`+"\n",
				ts, path, r.Uint64(), dyno, r.IntN(400), r.IntN(20000))
		case p < 96:
			fmt.Fprintf(buf, `%s heroku[router]: at=error %s method=GET path="%s" host=shop-prod.herokuapp.com request_id=%016x fwd="203.0.113.7" dyno=web.%d connect=0ms service=30000ms status=503 bytes=0 protocol=https`+"\n",
				ts, codes[r.IntN(len(codes))], path, r.Uint64(), dyno)
		default:
			buf.Write(other[r.IntN(len(other))])
		}
	}
	return buf.Bytes()
}

func BenchmarkScanner(b *testing.B) {
	data := benchLog(b, 64<<20)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		s := NewScanner(bytes.NewReader(data))
		n := 0
		for s.Scan() {
			n++
		}
		if s.Err() != nil || n == 0 {
			b.Fatalf("read %d lines: %v", n, s.Err())
		}
	}
}

func BenchmarkParseLine(b *testing.B) {
	lines := []string{
		`2020-12-07T09:10:18.982224+00:00 heroku[router]: at=error code=H12 desc="Request timeout" method=GET path="/" host=myapp.herokuapp.com request_id=8601b555-6a83-4c12-8269-97c8e32cdb22 fwd="204.204.204.204" dyno=web.1 connect=0ms service=30000ms status=503 bytes=0 protocol=https`,
		`2020-12-07T09:10:18.500000+00:00 app[web.1]: Started GET "/" for 10.0.0.1 at 2020-12-07 09:10:18 +0000`,
		`347 <158>1 2019-08-23T09:17:38.458556+00:00 host heroku router - at=error code=H12 desc="Request timeout" method=GET path="/" host=myapp.herokuapp.com request_id=x fwd="1.1.1.1" dyno=web.1 connect=0ms service=30001ms status=503 bytes=0 protocol=https`,
	}
	for _, l := range lines {
		b.Run(string(ParseLine(l).Kind)+"-"+l[:3], func(b *testing.B) {
			b.SetBytes(int64(len(l)))
			b.ReportAllocs()
			for b.Loop() {
				_ = ParseLine(l)
			}
		})
	}
}
