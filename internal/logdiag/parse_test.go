package logdiag

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/parse")

func utc(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t.UTC()
}

func TestParseLine(t *testing.T) {
	tests := []struct {
		name string
		raw  string
		want Line // Raw is filled in; Fields compared only when set
	}{
		{
			name: "router H12",
			raw:  `2020-12-07T09:10:18.982224+00:00 heroku[router]: at=error code=H12 desc="Request timeout" method=GET path="/" host=myapp.herokuapp.com request_id=8601b555-6a83-4c12-8269-97c8e32cdb22 fwd="204.204.204.204" dyno=web.1 connect=0ms service=30000ms status=503 bytes=0 protocol=https`,
			want: Line{Time: utc("2020-12-07T09:10:18.982224Z"), Source: "heroku", Process: "router", Kind: KindRouter, Code: "H12",
				Dyno: "web.1", Path: "/", Method: "GET", Status: 503, Service: 30000},
		},
		{
			name: "router H10 empty values",
			raw:  `2020-12-07T09:12:01.000001+00:00 heroku[router]: at=error code=H10 desc="App crashed" method=GET path="/favicon.ico" host=myapp.herokuapp.com request_id=1b2c fwd="10.1.1.1" dyno= connect= service= status=503 bytes= protocol=https`,
			want: Line{Time: utc("2020-12-07T09:12:01.000001Z"), Source: "heroku", Process: "router", Kind: KindRouter, Code: "H10",
				Path: "/favicon.ico", Method: "GET", Status: 503},
		},
		{
			name: "router sock before at, warning",
			raw:  `2021-03-01T10:00:00.5+00:00 heroku[router]: sock=client at=warning code=H27 desc="Client Request Interrupted" method=POST path="/upload" host=api.example.com request_id=x fwd="1.2.3.4" dyno=web.2 connect=1ms service=712ms status=499 bytes= protocol=https`,
			want: Line{Time: utc("2021-03-01T10:00:00.5Z"), Source: "heroku", Process: "router", Kind: KindRouter, Code: "H27",
				Dyno: "web.2", Path: "/upload", Method: "POST", Status: 499, Service: 712},
		},
		{
			name: "router info, no code",
			raw:  `2021-03-01T10:00:01+00:00 heroku[router]: at=info method=GET path="/api/v1/items?page=2" host=api.example.com request_id=y fwd="1.2.3.4" dyno=web.3 connect=0ms service=42ms status=200 bytes=1532 protocol=https`,
			want: Line{Time: utc("2021-03-01T10:00:01Z"), Source: "heroku", Process: "router", Kind: KindRouter,
				Dyno: "web.3", Path: "/api/v1/items?page=2", Method: "GET", Status: 200, Service: 42},
		},
		{
			name: "router escaped quote in path, other offset",
			raw:  `2021-03-01T05:00:01.25-05:00 heroku[router]: at=info method=GET path="/search?q=\"x y\"" dyno=web.1 status=200 service=5ms`,
			want: Line{Time: utc("2021-03-01T10:00:01.25Z"), Source: "heroku", Process: "router", Kind: KindRouter,
				Dyno: "web.1", Path: `/search?q="x y"`, Method: "GET", Status: 200, Service: 5},
		},
		{
			name: "router old format",
			raw:  `2011-05-04T17:08:40+00:00 heroku[router]: Error H12 (Request timeout) -> GET myapp.heroku.com/slow dyno=web.1 queue= wait= service=30000ms status=503 bytes=0`,
			want: Line{Time: utc("2011-05-04T17:08:40Z"), Source: "heroku", Process: "router", Kind: KindRouter, Code: "H12",
				Dyno: "web.1", Path: "/slow", Method: "GET", Status: 503, Service: 30000},
		},
		{
			name: "router message without prefix",
			raw:  `at=error code=H13 desc="Connection closed without response" method=POST path="/jobs" dyno=web.4 status=503`,
			want: Line{Kind: KindRouter, Code: "H13", Dyno: "web.4", Path: "/jobs", Method: "POST", Status: 503},
		},
		{
			name: "R14",
			raw:  `2020-12-07T09:10:10.123456+00:00 heroku[web.1]: Error R14 (Memory quota exceeded)`,
			want: Line{Time: utc("2020-12-07T09:10:10.123456Z"), Source: "heroku", Process: "web.1", Kind: KindRuntimeError, Code: "R14", Dyno: "web.1"},
		},
		{
			name: "R15",
			raw:  `2020-12-07T09:10:11+00:00 heroku[worker.2]: Error R15 (Memory quota vastly exceeded)`,
			want: Line{Time: utc("2020-12-07T09:10:11Z"), Source: "heroku", Process: "worker.2", Kind: KindRuntimeError, Code: "R15", Dyno: "worker.2"},
		},
		{
			name: "R10 boot timeout",
			raw:  `2020-12-07T09:00:00+01:00 heroku[web.1]: Error R10 (Boot timeout) -> Web process failed to bind to $PORT within 60 seconds of launch`,
			want: Line{Time: utc("2020-12-07T08:00:00Z"), Source: "heroku", Process: "web.1", Kind: KindRuntimeError, Code: "R10", Dyno: "web.1"},
		},
		{
			name: "R12 exit timeout",
			raw:  `2020-12-07T09:00:00Z heroku[web.2]: Error R12 (Exit timeout) -> At least one process failed to exit within 30 seconds of SIGTERM`,
			want: Line{Time: utc("2020-12-07T09:00:00Z"), Source: "heroku", Process: "web.2", Kind: KindRuntimeError, Code: "R12", Dyno: "web.2"},
		},
		{
			name: "L10",
			raw:  `2020-12-07T09:00:00.000000+00:00 heroku[logplex]: Error L10 (output buffer overflow): 1234 messages dropped since 2020-12-07T08:59:00+00:00.`,
			want: Line{Time: utc("2020-12-07T09:00:00Z"), Source: "heroku", Process: "logplex", Kind: KindLoggingError, Code: "L10"},
		},
		{
			name: "memory sample",
			raw:  `2020-12-07T09:10:09.5+00:00 heroku[web.1]: Process running mem=646M(126.2%)`,
			want: Line{Time: utc("2020-12-07T09:10:09.5Z"), Source: "heroku", Process: "web.1", Kind: KindMemory, Dyno: "web.1", MemoryMB: 646, MemPct: 126.2},
		},
		{
			name: "memory sample in gigabytes",
			raw:  `2020-12-07T09:10:09+00:00 heroku[web.1]: Process running mem=1.5G(150.0%)`,
			want: Line{Time: utc("2020-12-07T09:10:09Z"), Source: "heroku", Process: "web.1", Kind: KindMemory, Dyno: "web.1", MemoryMB: 1536, MemPct: 150},
		},
		{
			name: "state change",
			raw:  `2020-12-07T09:01:00+00:00 heroku[web.1]: State changed from starting to crashed`,
			want: Line{Time: utc("2020-12-07T09:01:00Z"), Source: "heroku", Process: "web.1", Kind: KindState, Dyno: "web.1", From: "starting", To: "crashed"},
		},
		{
			name: "exit",
			raw:  `2020-12-07T09:01:00+00:00 heroku[web.1]: Process exited with status 1`,
			want: Line{Time: utc("2020-12-07T09:01:00Z"), Source: "heroku", Process: "web.1", Kind: KindExit, Dyno: "web.1", ExitCode: 1},
		},
		{
			name: "boot",
			raw:  "2020-12-07T09:00:55+00:00 heroku[web.1]: Starting process with command `bundle exec puma -C config/puma.rb`",
			want: Line{Time: utc("2020-12-07T09:00:55Z"), Source: "heroku", Process: "web.1", Kind: KindBoot, Dyno: "web.1"},
		},
		{
			name: "stopping",
			raw:  `2020-12-07T09:00:55+00:00 heroku[web.1]: Stopping all processes with SIGTERM`,
			want: Line{Time: utc("2020-12-07T09:00:55Z"), Source: "heroku", Process: "web.1", Kind: KindState, Dyno: "web.1"},
		},
		{
			name: "app line",
			raw:  `2020-12-07T09:10:18.500000+00:00 app[web.1]: Started GET "/" for 10.0.0.1 at 2020-12-07 09:10:18 +0000`,
			want: Line{Time: utc("2020-12-07T09:10:18.5Z"), Source: "app", Process: "web.1", Kind: KindApp, Dyno: "web.1"},
		},
		{
			name: "app release phase",
			raw:  `2020-12-07T09:00:00+00:00 app[api]: Release v42 created by user dev@example.com`,
			want: Line{Time: utc("2020-12-07T09:00:00Z"), Source: "app", Process: "api", Kind: KindApp},
		},
		{
			name: "app logfmt",
			raw:  `2020-12-07T09:00:00+00:00 app[worker.1]: level=error msg="job failed" job=Mailer`,
			want: Line{Time: utc("2020-12-07T09:00:00Z"), Source: "app", Process: "worker.1", Kind: KindApp, Dyno: "worker.1",
				Fields: []Field{{"level", "error"}, {"msg", "job failed"}, {"job", "Mailer"}}},
		},
		{
			name: "app says Error R14 is not a runtime error",
			raw:  `2020-12-07T09:00:00+00:00 app[web.1]: Error R14 (Memory quota exceeded)`,
			want: Line{Time: utc("2020-12-07T09:00:00Z"), Source: "app", Process: "web.1", Kind: KindApp, Dyno: "web.1"},
		},
		{
			name: "syslog frame router",
			raw:  `347 <158>1 2019-08-23T09:17:38.458556+00:00 host heroku router - at=error code=H12 desc="Request timeout" method=GET path="/" host=myapp.herokuapp.com request_id=x fwd="1.1.1.1" dyno=web.1 connect=0ms service=30001ms status=503 bytes=0 protocol=https`,
			want: Line{Time: utc("2019-08-23T09:17:38.458556Z"), Source: "heroku", Process: "router", Kind: KindRouter, Code: "H12",
				Dyno: "web.1", Path: "/", Method: "GET", Status: 503, Service: 30001},
		},
		{
			name: "syslog frame runtime without count",
			raw:  `<45>1 2019-08-23T09:17:38+00:00 host heroku web.1 - Error R14 (Memory quota exceeded)`,
			want: Line{Time: utc("2019-08-23T09:17:38Z"), Source: "heroku", Process: "web.1", Kind: KindRuntimeError, Code: "R14", Dyno: "web.1"},
		},
		{
			name: "syslog frame app with structured data",
			raw:  `<190>1 2019-08-23T09:17:38+02:00 host app web.1 - - hello`,
			want: Line{Time: utc("2019-08-23T07:17:38Z"), Source: "app", Process: "web.1", Kind: KindApp, Dyno: "web.1"},
		},
		{name: "node frame", raw: `2020-12-07T09:00:00+00:00 app[web.1]:     at Object.handler (/app/src/index.js:12:5)`,
			want: Line{Time: utc("2020-12-07T09:00:00Z"), Source: "app", Process: "web.1", Kind: KindStack, Dyno: "web.1"}},
		{name: "node frame bare", raw: `    at processTicksAndRejections (node:internal/process/task_queues:95:5)`, want: Line{Kind: KindStack}},
		{name: "node error header", raw: `TypeError: Cannot read properties of undefined (reading 'id')`, want: Line{Kind: KindStack}},
		{name: "ruby from", raw: "2020-12-07T09:00:00+00:00 app[web.1]: \tfrom app/models/user.rb:3:in 'find'",
			want: Line{Time: utc("2020-12-07T09:00:00Z"), Source: "app", Process: "web.1", Kind: KindStack, Dyno: "web.1"}},
		{name: "ruby frame bare", raw: "/app/app/controllers/items_controller.rb:12:in `show'", want: Line{Kind: KindStack}},
		{name: "python traceback", raw: `Traceback (most recent call last):`, want: Line{Kind: KindStack}},
		{name: "python file", raw: `  File "/app/main.py", line 3, in handler`, want: Line{Kind: KindStack}},
		{name: "python exception", raw: `2020-12-07T09:00:00+00:00 app[web.1]: ValueError: invalid literal for int() with base 10: 'x'`,
			want: Line{Time: utc("2020-12-07T09:00:00Z"), Source: "app", Process: "web.1", Kind: KindStack, Dyno: "web.1"}},
		{name: "java frame", raw: "\tat com.example.Api.handle(Api.java:42)", want: Line{Kind: KindStack}},
		{name: "java caused by", raw: `Caused by: java.sql.SQLException: Connection refused`, want: Line{Kind: KindStack}},
		{name: "java exception", raw: `Exception in thread "main" java.lang.IllegalStateException: boom`, want: Line{Kind: KindStack}},
		{name: "java more", raw: "\t... 12 more", want: Line{Kind: KindStack}},
		{name: "go goroutine", raw: `goroutine 1 [running]:`, want: Line{Kind: KindStack}},
		{name: "go panic", raw: `2020-12-07T09:00:00+00:00 app[web.1]: panic: runtime error: invalid memory address or nil pointer dereference`,
			want: Line{Time: utc("2020-12-07T09:00:00Z"), Source: "app", Process: "web.1", Kind: KindStack, Dyno: "web.1"}},
		{name: "go file", raw: "\t/app/main.go:3 +0x1d", want: Line{Kind: KindStack}},
		{name: "timestamp only", raw: `2020-12-07T09:00:00Z something happened`, want: Line{Time: utc("2020-12-07T09:00:00Z"), Kind: KindApp}},
		{name: "garbage", raw: "\x00\xff\xfe not a log line", want: Line{Kind: KindUnparsed}},
		{name: "plain text", raw: "hello world", want: Line{Kind: KindUnparsed}},
		{name: "bad timestamp", raw: `2020-13-07T09:00:00Z heroku[router]: x`, want: Line{Kind: KindUnparsed}},
		{name: "bad frame", raw: `12 <x>1 nope`, want: Line{Kind: KindUnparsed}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ParseLine(tt.raw)
			if got.Raw != tt.raw {
				t.Fatalf("Raw = %q, want the input", got.Raw)
			}
			want := tt.want
			want.Raw = tt.raw
			want.Message = got.Message
			if want.Fields == nil {
				want.Fields = got.Fields
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("ParseLine(%q)\n got %s\nwant %s", tt.raw, describe(got), describe(want))
			}
		})
	}
}

func TestParseLineFields(t *testing.T) {
	l := ParseLine(`2020-12-07T09:10:18.982224+00:00 heroku[router]: sock=client at=error code=H18 desc="Server Request Interrupted" method=GET path="/a \"b\" \\c" host=x.herokuapp.com dyno= connect= service=2ms status=503 bytes= protocol=https`)
	want := []Field{
		{"sock", "client"}, {"at", "error"}, {"code", "H18"}, {"desc", "Server Request Interrupted"},
		{"method", "GET"}, {"path", `/a "b" \c`}, {"host", "x.herokuapp.com"}, {"dyno", ""}, {"connect", ""},
		{"service", "2ms"}, {"status", "503"}, {"bytes", ""}, {"protocol", "https"},
	}
	if !reflect.DeepEqual(l.Fields, want) {
		t.Fatalf("Fields = %q\nwant %q", l.Fields, want)
	}
	if v, ok := l.Get("desc"); !ok || v != "Server Request Interrupted" {
		t.Errorf("Get(desc) = %q, %v", v, ok)
	}
	if v, ok := l.Get("dyno"); !ok || v != "" {
		t.Errorf("Get(dyno) = %q, %v; want present and empty", v, ok)
	}
	if l.Message != l.Raw[len("2020-12-07T09:10:18.982224+00:00 heroku[router]: "):] {
		t.Errorf("Message = %q", l.Message)
	}
}

func TestParseLogfmtEdges(t *testing.T) {
	tests := []struct {
		in   string
		want []Field
	}{
		{``, []Field{}},
		{`a=1`, []Field{{"a", "1"}}},
		{`a= b=`, []Field{{"a", ""}, {"b", ""}}},
		{`flag a="x y"`, []Field{{"flag", ""}, {"a", "x y"}}},
		{`a="unterminated`, []Field{{"a", "unterminated"}}},
		{`a="" b=2`, []Field{{"a", ""}, {"b", "2"}}},
		{`a="x\"" b=2`, []Field{{"a", `x"`}, {"b", "2"}}},
		{`a="x\\" b=2`, []Field{{"a", `x\`}, {"b", "2"}}},
		{"a=1\tb=2  c=3", []Field{{"a", "1"}, {"b", "2"}, {"c", "3"}}},
		{`=x`, []Field{{"", "x"}}},
	}
	for _, tt := range tests {
		if got := parseLogfmt(tt.in); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("parseLogfmt(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestParseTime(t *testing.T) {
	tests := []struct {
		in   string
		want string // RFC 3339 UTC, "" for no timestamp
	}{
		{"2020-12-07T09:10:18.982224+00:00 x", "2020-12-07T09:10:18.982224Z"},
		{"2020-12-07T09:10:18Z", "2020-12-07T09:10:18Z"},
		{"2020-12-07T09:10:18+05:30 x", "2020-12-07T03:40:18Z"},
		{"2020-12-07T01:10:18-0800 x", "2020-12-07T09:10:18Z"},
		{"2020-12-31T23:30:00-01 x", "2021-01-01T00:30:00Z"},
		{"2020-12-07 09:10:18.1 x", "2020-12-07T09:10:18.1Z"},
		{"2020-12-07T09:10:18.123456789123+00:00", "2020-12-07T09:10:18.123456789Z"},
		{"2020-12-07T09:10:18.+00:00", ""},
		{"2020-12-07T24:10:18Z", ""},
		{"2020-12-07T09:10:18Zx", ""},
		{"2020-12-07", ""},
	}
	for _, tt := range tests {
		got, _, ok := parseTime(tt.in)
		if tt.want == "" {
			if ok {
				t.Errorf("parseTime(%q) = %v, want no timestamp", tt.in, got)
			}
			continue
		}
		if !ok || !got.Equal(utc(tt.want)) || got.Location() != time.UTC {
			t.Errorf("parseTime(%q) = %v, %v; want %s", tt.in, got, ok, tt.want)
		}
	}
}

func scanAll(t *testing.T, s *Scanner) []Line {
	t.Helper()
	var lines []Line
	for s.Scan() {
		lines = append(lines, s.Line())
	}
	if err := s.Err(); err != nil {
		t.Fatalf("Err() = %v", err)
	}
	return lines
}

func TestScannerFrames(t *testing.T) {
	f1 := `<158>1 2019-08-23T09:17:38.458556+00:00 host heroku router - at=error code=H12 desc="Request timeout" method=GET path="/" dyno=web.1 service=30000ms status=503`
	f2 := `<45>1 2019-08-23T09:17:39+00:00 host heroku web.1 - Error R14 (Memory quota exceeded)` + "\n"
	f3 := `<190>1 2019-08-23T09:17:40+00:00 host app web.1 - line one` + "\nline two\n"
	frame := func(s string) string { return fmt.Sprintf("%d %s", len(s), s) }
	// Logplex batches frames in one body without newlines; a frame may
	// end with a newline its count includes, or hold several lines.
	body := frame(f1) + frame(f2) + frame(f3) + frame(f1) + "\n"
	lines := scanAll(t, NewScanner(strings.NewReader(body)))
	if len(lines) != 4 {
		t.Fatalf("got %d lines, want 4: %s", len(lines), describeAll(lines))
	}
	wantKinds := []Kind{KindRouter, KindRuntimeError, KindApp, KindRouter}
	for i, l := range lines {
		if l.Kind != wantKinds[i] || l.N != i+1 {
			t.Errorf("line %d: N=%d kind %s, want N=%d kind %s", i, l.N, l.Kind, i+1, wantKinds[i])
		}
	}
	if lines[0].Code != "H12" || lines[1].Code != "R14" || lines[0].Service != 30000 {
		t.Errorf("codes: %s", describeAll(lines))
	}
	if lines[2].Message != "line one\nline two" {
		t.Errorf("multi-line frame message = %q", lines[2].Message)
	}
	if lines[0].Raw != frame(f1) {
		t.Errorf("Raw = %q, want the frame", lines[0].Raw)
	}
}

func TestScannerBadFrameCountFallsBackToLines(t *testing.T) {
	// A count that is too long must not swallow the next line.
	in := "999 <158>1 2019-08-23T09:17:38+00:00 host heroku router - at=error code=H12 dyno=web.1\n" +
		"2019-08-23T09:17:39+00:00 heroku[web.1]: Error R14 (Memory quota exceeded)\n"
	lines := scanAll(t, NewScanner(strings.NewReader(in)))
	if len(lines) != 2 || lines[0].Code != "H12" || lines[1].Code != "R14" || lines[1].N != 2 {
		t.Fatalf("got %s", describeAll(lines))
	}
}

func TestScannerContinuationsAndBlanks(t *testing.T) {
	in := "2020-12-07T09:10:18+00:00 app[web.1]: TypeError: x is undefined\n" +
		"    at handler (/app/index.js:3:9)\n" +
		"\n" +
		"   \r\n" +
		"2020-12-07T09:10:19+00:00 app[web.2]: a very long line the terminal wrapped at eighty col\r\n" +
		"umns and went on\n" +
		"goroutine 1 [running]:\n" +
		"main.main()\n" +
		"\t/app/main.go:3 +0x1d\n" +
		"\x00\x01garbage\n"
	lines := scanAll(t, NewScanner(strings.NewReader(in)))
	type want struct {
		n    int
		kind Kind
		proc string
		at   string
	}
	wants := []want{
		{1, KindStack, "web.1", "2020-12-07T09:10:18Z"},
		{2, KindStack, "web.1", "2020-12-07T09:10:18Z"},
		{5, KindApp, "web.2", "2020-12-07T09:10:19Z"},
		{6, KindApp, "web.2", "2020-12-07T09:10:19Z"},
		{7, KindStack, "web.2", "2020-12-07T09:10:19Z"},
		{8, KindStack, "web.2", "2020-12-07T09:10:19Z"},
		{9, KindStack, "web.2", "2020-12-07T09:10:19Z"},
		{10, KindUnparsed, "", ""},
	}
	if len(lines) != len(wants) {
		t.Fatalf("got %d lines, want %d: %s", len(lines), len(wants), describeAll(lines))
	}
	for i, w := range wants {
		l := lines[i]
		at := ""
		if !l.Time.IsZero() {
			at = l.Time.Format(time.RFC3339Nano)
		}
		if l.N != w.n || l.Kind != w.kind || l.Process != w.proc || at != w.at {
			t.Errorf("line %d = %s, want %+v", i, describe(l), w)
		}
	}
	if lines[2].Raw != "2020-12-07T09:10:19+00:00 app[web.2]: a very long line the terminal wrapped at eighty col" {
		t.Errorf("CRLF not trimmed: %q", lines[2].Raw)
	}
}

func TestScannerLongLinesAreTruncated(t *testing.T) {
	long := strings.Repeat("x", 100)
	in := "2020-12-07T09:10:18+00:00 app[web.1]: " + long + "\nnext\n" + long
	lines := scanAll(t, newScanner(strings.NewReader(in), 64))
	if len(lines) != 3 {
		t.Fatalf("got %d lines: %s", len(lines), describeAll(lines))
	}
	if len(lines[0].Raw) != 64 || lines[0].Kind != KindApp || lines[1].Raw != "next" || lines[1].N != 2 || len(lines[2].Raw) != 64 || lines[2].N != 3 {
		t.Errorf("got %s", describeAll(lines))
	}
	// The default limit is 1 MB: a line just under it is whole.
	big := "2020-12-07T09:10:18+00:00 app[web.1]: " + strings.Repeat("y", maxLineBytes-100)
	lines = scanAll(t, NewScanner(strings.NewReader(big+"\n"+big+big+"\nend")))
	if len(lines) != 3 || lines[0].Raw != big || len(lines[1].Raw) != maxLineBytes || lines[2].Raw != "end" {
		t.Errorf("1 MB lines: got %d lines", len(lines))
	}
}

func TestScannerReadError(t *testing.T) {
	boom := errors.New("boom")
	r := iotest.DataErrReader(strings.NewReader("2020-12-07T09:10:18+00:00 app[web.1]: one\ntwo"))
	lines := scanAll(t, NewScanner(r))
	if len(lines) != 2 {
		t.Fatalf("got %s", describeAll(lines))
	}
	s := NewScanner(iotest.TimeoutReader(strings.NewReader("a\nb\n")))
	var n int
	for s.Scan() {
		n++
	}
	if s.Err() == nil {
		t.Errorf("Err() = nil after a read error, read %d lines", n)
	}
	s = NewScanner(errReader{boom})
	if s.Scan() || !errors.Is(s.Err(), boom) {
		t.Errorf("Scan on a failing reader: Err() = %v", s.Err())
	}
}

type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }

// TestGolden scans each testdata/parse/*.log and compares a line-per-line
// summary with its .golden file (go test -run TestGolden -update).
func TestGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/parse/*.log")
	if err != nil || len(files) == 0 {
		t.Fatalf("no testdata: %v", err)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			f, err := os.Open(file)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			var b strings.Builder
			for _, l := range scanAll(t, NewScanner(f)) {
				b.WriteString(describe(l))
				b.WriteByte('\n')
			}
			golden := strings.TrimSuffix(file, ".log") + ".golden"
			if *update {
				if err := os.WriteFile(golden, []byte(b.String()), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if b.String() != string(want) {
				t.Errorf("%s differs from %s:\n%s", file, golden, b.String())
			}
		})
	}
}

// describe prints what a line says, one line, for failures and goldens.
func describe(l Line) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d %s", l.N, l.Kind)
	if !l.Time.IsZero() {
		b.WriteString(" " + l.Time.Format(time.RFC3339Nano))
	}
	if l.Source != "" || l.Process != "" {
		fmt.Fprintf(&b, " %s[%s]", l.Source, l.Process)
	}
	add := func(k, v string) {
		if v != "" {
			fmt.Fprintf(&b, " %s=%s", k, v)
		}
	}
	num := func(k string, v float64) {
		if v != 0 {
			fmt.Fprintf(&b, " %s=%g", k, v)
		}
	}
	add("code", l.Code)
	add("dyno", l.Dyno)
	add("method", l.Method)
	add("path", l.Path)
	num("status", float64(l.Status))
	num("service", float64(l.Service))
	num("mem", l.MemoryMB)
	num("pct", l.MemPct)
	add("from", l.From)
	add("to", l.To)
	num("exit", float64(l.ExitCode))
	if len(l.Fields) > 0 {
		fmt.Fprintf(&b, " fields=%d", len(l.Fields))
	}
	return b.String()
}

func describeAll(lines []Line) string {
	var b strings.Builder
	for _, l := range lines {
		b.WriteString("\n  " + describe(l) + " " + fmt.Sprintf("%q", l.Raw))
	}
	return b.String()
}
