package logdiag

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

var t0 = time.Date(2020, 12, 7, 9, 0, 0, 0, time.UTC)

// at is t0 plus minutes and seconds.
func at(min, sec int) time.Time {
	return t0.Add(time.Duration(min)*time.Minute + time.Duration(sec)*time.Second)
}

// The helpers below build Lines as the parser returns them, with real
// heroku logs text in Raw.

func router(ts time.Time, code, dyno, path string, status int) Line {
	level, desc := "info", ""
	fields := []Field{{"at", "info"}}
	if code != "" {
		level, desc = "error", codeDesc[code]
		fields = []Field{{"at", level}, {"code", code}, {"desc", desc}}
	}
	fields = append(fields, Field{"method", "GET"}, Field{"path", path}, Field{"host", "myapp.herokuapp.com"},
		Field{"dyno", dyno}, Field{"connect", "1ms"}, Field{"service", "12ms"}, Field{"status", strconv.Itoa(status)})
	var msg []string
	for _, f := range fields {
		v := f.Value
		if strings.Contains(v, " ") {
			v = strconv.Quote(v)
		}
		msg = append(msg, f.Key+"="+v)
	}
	m := strings.Join(msg, " ")
	return Line{Time: ts, Source: "heroku", Process: "router", Kind: KindRouter, Code: code, Fields: fields, Message: m,
		Raw: ts.Format(time.RFC3339Nano) + " heroku[router]: " + m, Dyno: dyno, Path: path, Method: "GET", Status: status}
}

var codeDesc = map[string]string{
	"H10": "App crashed", "H11": "Backlog too deep", "H12": "Request timeout", "H13": "Connection closed without response",
	"H14": "No web processes running", "H18": "Server Request Interrupted", "H20": "App boot timeout", "H80": "Maintenance mode",
	"H99": "Platform error", "H77": "Something new",
}

func heroku(ts time.Time, dyno string, kind Kind, msg string) Line {
	return Line{Time: ts, Source: "heroku", Process: dyno, Kind: kind, Message: msg, Dyno: dyno,
		Raw: ts.Format(time.RFC3339Nano) + " heroku[" + dyno + "]: " + msg}
}

func runtimeErr(ts time.Time, dyno, code, desc string) Line {
	kind := KindRuntimeError
	if strings.HasPrefix(code, "L") {
		kind = KindLoggingError
	}
	l := heroku(ts, dyno, kind, "Error "+code+" ("+desc+")")
	l.Code = code
	return l
}

func memSample(ts time.Time, dyno string, pct float64) Line {
	l := heroku(ts, dyno, KindMemory, fmt.Sprintf("Process running mem=%.0fM(%.1f%%)", pct*5.12, pct))
	l.MemoryMB, l.MemPct = pct*5.12, pct
	return l
}

func stateChange(ts time.Time, dyno, from, to string) Line {
	l := heroku(ts, dyno, KindState, "State changed from "+from+" to "+to)
	l.From, l.To = from, to
	return l
}

func exited(ts time.Time, dyno string, code int) Line {
	l := heroku(ts, dyno, KindExit, fmt.Sprintf("Process exited with status %d", code))
	l.ExitCode = code
	return l
}

func appLine(ts time.Time, dyno, msg string) Line {
	return Line{Time: ts, Source: "app", Process: dyno, Kind: KindApp, Message: msg,
		Raw: ts.Format(time.RFC3339Nano) + " app[" + dyno + "]: " + msg}
}

// okRequests is n successful requests on path, one every few seconds from ts.
func okRequests(ts time.Time, n int, dyno, path string) []Line {
	var out []Line
	for i := range n {
		out = append(out, router(ts.Add(time.Duration(i)*3*time.Second), "", dyno, path, 200))
	}
	return out
}

func errRequests(ts time.Time, n int, code, dyno, path string, status int) []Line {
	var out []Line
	for i := range n {
		out = append(out, router(ts.Add(time.Duration(i)*5*time.Second), code, dyno, path, status))
	}
	return out
}

func testReference(code string) (title, url, cause string, ok bool) {
	switch code {
	case "H12":
		return "H12 - Request timeout", "/docs/error-codes#h12-request-timeout", "Your app took longer than 30 seconds to respond.", true
	case "R14":
		return "R14 - Memory quota exceeded", "/docs/error-codes#r14-memory-quota-exceeded", "The dyno uses more memory than its quota.", true
	}
	return "", "", "", false
}

func diagnose(opts Options, groups ...[]Line) Diagnosis {
	d := NewDiagnoser(opts)
	for _, g := range groups {
		for _, l := range g {
			d.Add(l)
		}
	}
	return d.Result()
}

func lines(ls ...Line) []Line { return ls }

func TestCodeSummaries(t *testing.T) {
	paris := time.FixedZone("CET", 3600)
	dg := diagnose(Options{Reference: testReference},
		okRequests(at(0, 0), 5, "web.1", "/"),
		lines(
			router(at(1, 0).In(paris), "H12", "web.2", "/reports", 503),
			router(at(2, 0), "H12", "web.1", "/reports", 503),
			router(at(3, 0), "H12", "web.2", "/", 503),
			router(at(4, 0), "H77", "web.1", "/new", 502),
			runtimeErr(at(5, 0), "web.2", "R14", "Memory quota exceeded"),
			runtimeErr(at(6, 0), "web.2", "R14", "Memory quota exceeded"),
			Line{Raw: "garbage", Kind: KindUnparsed},
		))
	if dg.Lines != (LineCounts{Total: 12, Unparsed: 1, Errors: 6}) {
		t.Errorf("lines = %+v", dg.Lines)
	}
	var got []string
	for _, c := range dg.Codes {
		got = append(got, fmt.Sprintf("%s:%d", c.Code, c.Count))
	}
	if want := []string{"H12:3", "R14:2", "H77:1"}; !slices.Equal(got, want) {
		t.Fatalf("codes = %v, want %v (count desc, then code)", got, want)
	}
	h12 := dg.Codes[0]
	if h12.Title != "Request timeout" || h12.ArticleURL != "/docs/error-codes#h12-request-timeout" || !strings.HasPrefix(h12.Cause, "Your app took") {
		t.Errorf("H12 reference: %q %q %q", h12.Title, h12.ArticleURL, h12.Cause)
	}
	if !h12.FirstAt.Equal(at(1, 0)) || h12.FirstAt.Location() != time.UTC || !h12.LastAt.Equal(at(3, 0)) {
		t.Errorf("H12 first/last = %v / %v, want UTC %v / %v", h12.FirstAt, h12.LastAt, at(1, 0), at(3, 0))
	}
	if !slices.Equal(h12.Dynos, []string{"web.2", "web.1"}) || !slices.Equal(h12.Paths, []string{"/reports", "/"}) || !slices.Equal(h12.Statuses, []int{503}) {
		t.Errorf("H12 dynos %v paths %v statuses %v", h12.Dynos, h12.Paths, h12.Statuses)
	}
	r14 := dg.Codes[1]
	if !slices.Equal(r14.Dynos, []string{"web.2"}) || len(r14.Paths) != 0 || r14.Paths == nil || r14.Statuses == nil {
		t.Errorf("R14 dynos %v paths %#v statuses %#v", r14.Dynos, r14.Paths, r14.Statuses)
	}
	unknown := dg.Codes[2]
	if unknown.Title != "Something new" || unknown.ArticleURL != "" || unknown.Cause != "" {
		t.Errorf("unknown code: title %q (from desc=), url %q, cause %q (both empty)", unknown.Title, unknown.ArticleURL, unknown.Cause)
	}
	if dg.StartedAt == nil || !dg.StartedAt.Equal(at(1, 0)) {
		t.Errorf("started_at = %v, want the first error's time %v", dg.StartedAt, at(1, 0))
	}
	if !slices.Equal(dg.Apps, []string{"myapp.herokuapp.com"}) {
		t.Errorf("apps = %v", dg.Apps)
	}

	// Without a reference, runtime errors take their title from the line.
	dg = diagnose(Options{}, lines(runtimeErr(at(0, 0), "web.1", "R14", "Memory quota exceeded")))
	if dg.Codes[0].Title != "Memory quota exceeded" || dg.Codes[0].ArticleURL != "" {
		t.Errorf("R14 without reference: %+v", dg.Codes[0])
	}
}

func TestFindings(t *testing.T) {
	crashLoop := lines(
		heroku(at(0, 0), "web.1", KindBoot, "Starting process with command `npm start`"),
		appLine(at(0, 2), "web.1", "Error: Cannot find module 'express'"),
		exited(at(0, 3), "web.1", 1),
		stateChange(at(0, 3), "web.1", "starting", "crashed"),
		stateChange(at(0, 20), "web.1", "crashed", "starting"),
		exited(at(0, 25), "web.1", 1),
		stateChange(at(0, 25), "web.1", "starting", "crashed"),
	)
	type want struct {
		kind, severity string
		codes, dynos   []string
		paths          []string
		message        string
	}
	tests := []struct {
		name  string
		lines [][]Line
		want  []want
	}{
		{"no errors", [][]Line{okRequests(at(0, 0), 20, "web.1", "/")}, nil},
		{"crash loop then H10", [][]Line{crashLoop, errRequests(at(1, 0), 10, "H10", "", "/", 503)},
			[]want{{"crash_loop", "critical", []string{"H10"}, []string{"web.1"}, nil, "crashed 2 times since 2020-12-07 09:00 UTC (Process exited with status 1)"}}},
		{"crash loop without H10 (a worker)", [][]Line{crashLoop},
			[]want{{"crash_loop", "warning", []string{}, []string{"web.1"}, nil, "crashed 2 times"}}},
		{"one crash, nothing after", [][]Line{crashLoop[:4]}, nil},
		{"restarts (SIGTERM, status 143) are not crashes", [][]Line{lines(
			stateChange(at(0, 0), "web.1", "up", "starting"), exited(at(0, 1), "web.1", 143),
			stateChange(at(5, 0), "web.1", "up", "starting"), exited(at(5, 1), "web.1", 143))}, nil},
		{"memory on the dyno serving timeouts", [][]Line{
			okRequests(at(0, 0), 10, "web.1", "/"),
			lines(memSample(at(1, 0), "web.2", 104.5), runtimeErr(at(1, 0), "web.2", "R14", "Memory quota exceeded"), memSample(at(1, 20), "web.2", 126.2),
				runtimeErr(at(1, 20), "web.2", "R14", "Memory quota exceeded")),
			errRequests(at(2, 0), 4, "H12", "web.2", "/", 503),
			errRequests(at(3, 0), 1, "H13", "web.2", "/", 503)},
			[]want{
				{"memory", "warning", []string{"R14", "H12", "H13"}, []string{"web.2"}, nil, "web.2 went over the memory quota (R14 2 times, up to 126.2% of the quota) since 2020-12-07 09:01 UTC, and web.2 served 5 timeouts (H12/H13)"},
				{"path_timeouts", "warning", []string{"H12"}, []string{"web.2"}, []string{"/"}, "All 4 request timeouts"},
			}},
		{"timeouts before the memory errors still correlate", [][]Line{
			errRequests(at(0, 0), 1, "H12", "web.2", "/a", 503),
			lines(runtimeErr(at(1, 0), "web.2", "R14", "Memory quota exceeded"))},
			[]want{{"memory", "warning", []string{"R14", "H12"}, []string{"web.2"}, nil, "web.2 served 1 timeout (H12)"}}},
		{"memory on another dyno than the timeouts", [][]Line{
			lines(runtimeErr(at(1, 0), "web.1", "R14", "Memory quota exceeded")),
			errRequests(at(1, 0), 2, "H12", "web.2", "/", 503)},
			[]want{{"memory", "warning", []string{"R14"}, []string{"web.1"}, nil, "web.1 went over the memory quota (R14 once) since"}}},
		{"memory hours before the timeouts", [][]Line{
			lines(runtimeErr(at(0, 0), "web.2", "R14", "Memory quota exceeded")),
			errRequests(at(120, 0), 2, "H12", "web.2", "/", 503)},
			[]want{{"memory", "warning", []string{"R14"}, []string{"web.2"}, nil, "web.2 went over"}}},
		{"R15 and samples only", [][]Line{lines(memSample(at(0, 0), "worker.1", 180), runtimeErr(at(0, 1), "worker.1", "R15", "Memory quota vastly exceeded"))},
			[]want{{"memory", "critical", []string{"R15"}, []string{"worker.1"}, nil, "up to 180.0%"}}},
		{"memory samples over quota without R14", [][]Line{lines(memSample(at(0, 0), "web.1", 101))},
			[]want{{"memory", "warning", []string{}, []string{"web.1"}, nil, "memory samples up to 101.0%"}}},
		{"R10 then H20", [][]Line{
			lines(runtimeErr(at(0, 0), "web.1", "R10", "Boot timeout"), stateChange(at(0, 0), "web.1", "starting", "crashed")),
			errRequests(at(0, 30), 3, "H20", "", "/", 503)},
			[]want{{"boot_timeout", "critical", []string{"R10", "H20"}, []string{"web.1"}, nil, "3 requests with H20"}}},
		{"H20 before any R10 is not a boot timeout", [][]Line{errRequests(at(0, 30), 3, "H20", "", "/", 503)}, nil},
		{"timeouts on one path", [][]Line{
			errRequests(at(0, 0), 3, "H12", "web.1", "/reports", 503),
			errRequests(at(1, 0), 1, "H12", "web.2", "/", 503)},
			[]want{{"path_timeouts", "warning", []string{"H12"}, []string{"web.1", "web.2"}, []string{"/reports"}, "3 of 4 request timeouts (H12, 75%) were on /reports"}}},
		{"two timeouts are not a cluster", [][]Line{errRequests(at(0, 0), 2, "H12", "web.1", "/reports", 503)}, nil},
		{"timeouts spread over paths", [][]Line{
			errRequests(at(0, 0), 2, "H12", "web.1", "/a", 503),
			errRequests(at(1, 0), 2, "H12", "web.1", "/b", 503),
			errRequests(at(2, 0), 1, "H12", "web.1", "/c", 503)},
			[]want{{"timeouts", "warning", []string{"H12"}, []string{"web.1"}, []string{"/a", "/b", "/c"}, "5 request timeouts (H12) since 2020-12-07 09:00 UTC are spread"}}},
		{"backlog", [][]Line{errRequests(at(0, 0), 2, "H11", "", "/", 503)},
			[]want{{"backlog", "warning", []string{"H11"}, []string{}, nil, "overflowed 2 times (H11"}}},
		{"no web dynos", [][]Line{errRequests(at(0, 0), 2, "H14", "", "/favicon.ico", 503)},
			[]want{{"no_web_dynos", "critical", []string{"H14"}, nil, []string{"/favicon.ico"}, "heroku ps:scale web=1"}}},
		{"lost logs", [][]Line{lines(
			runtimeErr(at(0, 0), "logplex", "L10", "output buffer overflow"),
			runtimeErr(at(0, 1), "logplex", "L13", "local delivery error"),
			runtimeErr(at(0, 2), "logplex", "L11", "tail buffer overflow"))},
			[]want{{"logging", "info", []string{"L10", "L11", "L13"}, []string{"logplex"}, nil, "3 logging errors (L10/L11/L13)"}}},
		{"connections closed", [][]Line{errRequests(at(0, 0), 2, "H13", "web.1", "/", 503), errRequests(at(1, 0), 1, "H18", "web.1", "/", 503)},
			[]want{{"connection_errors", "warning", []string{"H13", "H18"}, []string{"web.1"}, nil, "3 requests ended with the app closing"}}},
		{"platform", [][]Line{errRequests(at(0, 0), 1, "H99", "", "/", 503)},
			[]want{{"platform_error", "warning", []string{"H99"}, []string{}, nil, "status page"}}},
		{"maintenance", [][]Line{errRequests(at(0, 0), 2, "H80", "", "/", 503)},
			[]want{{"maintenance", "info", []string{"H80"}, nil, nil, "heroku maintenance:off"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dg := diagnose(Options{}, tt.lines...)
			var kinds []string
			for _, f := range dg.Findings {
				kinds = append(kinds, f.Kind)
			}
			if len(dg.Findings) != len(tt.want) {
				t.Fatalf("findings = %v, want %d: %+v", kinds, len(tt.want), dg.Findings)
			}
			for i, w := range tt.want {
				f := dg.Findings[i]
				if f.Kind != w.kind || f.Severity != w.severity || !slices.Equal(f.Codes, w.codes) {
					t.Errorf("finding %d = %s/%s %v, want %s/%s %v", i, f.Kind, f.Severity, f.Codes, w.kind, w.severity, w.codes)
				}
				if w.dynos != nil && !slices.Equal(f.Dynos, w.dynos) && !(len(w.dynos) == 0 && len(f.Dynos) == 0) {
					t.Errorf("%s dynos = %v, want %v", f.Kind, f.Dynos, w.dynos)
				}
				if w.paths != nil && !slices.Equal(f.Paths, w.paths) {
					t.Errorf("%s paths = %v, want %v", f.Kind, f.Paths, w.paths)
				}
				if !strings.Contains(f.Message, w.message) {
					t.Errorf("%s message = %q, want it to contain %q", f.Kind, f.Message, w.message)
				}
				if f.At.IsZero() || len(f.Lines) == 0 || len(f.Lines) > maxLineRefs {
					t.Errorf("%s: at %v, lines %v: want a start time and a few line numbers", f.Kind, f.At, f.Lines)
				}
			}
		})
	}
}

func TestPriority(t *testing.T) {
	crashes := lines(
		exited(at(0, 0), "web.1", 1), stateChange(at(0, 0), "web.1", "starting", "crashed"),
		exited(at(0, 30), "web.1", 1), stateChange(at(0, 30), "web.1", "starting", "crashed"),
	)
	tests := []struct {
		name       string
		production bool
		lines      [][]Line
		want       string
		reason     string
	}{
		{"no errors", true, [][]Line{okRequests(at(0, 0), 50, "web.1", "/")}, "low", "No platform error codes in 50 lines"},
		{"H10 on every request at the end, production", true,
			[][]Line{okRequests(at(0, 0), 100, "web.1", "/"), errRequests(at(60, 0), 120, "H10", "", "/", 503)},
			"urgent", "H10 on 120 of 120 requests (100%) in the last 10 minutes of the log: the app looks down: a production app"},
		{"H10 on every request at the end, not production", false,
			[][]Line{okRequests(at(0, 0), 100, "web.1", "/"), errRequests(at(60, 0), 120, "H10", "", "/", 503)},
			"high", "not marked production, so high"},
		{"H14 on most recent requests", true,
			[][]Line{okRequests(at(60, 0), 3, "web.1", "/"), errRequests(at(61, 0), 10, "H14", "", "/", 503)},
			"urgent", "H14 on 10 of 13 requests (76%)"},
		{"H10 earlier, then the app recovered", true,
			[][]Line{errRequests(at(0, 0), 50, "H10", "", "/", 503), okRequests(at(30, 0), 300, "web.1", "/")},
			"high", "H10 on 50 of 350 requests, while others still succeed"},
		{"crash loop with no success after it", true,
			[][]Line{okRequests(at(0, 0), 10, "web.1", "/"), crashes, errRequests(at(1, 0), 2, "H10", "", "/", 503)},
			"urgent", "crashed 2 times since 2020-12-07 09:00 UTC and answered 2 requests with H10 after that"},
		{"crash loop, then requests succeed", true,
			[][]Line{crashes, errRequests(at(1, 0), 2, "H10", "", "/", 503), okRequests(at(2, 0), 100, "web.2", "/")},
			"high", "while 100 of 102 requests succeeded"},
		{"widespread timeouts", true,
			[][]Line{okRequests(at(0, 0), 100, "web.1", "/"), errRequests(at(10, 0), 4, "H12", "web.1", "/a", 503), errRequests(at(10, 30), 3, "H12", "web.1", "/b", 503),
				errRequests(at(10, 50), 3, "H12", "web.1", "/c", 503),
				errRequests(at(11, 0), 10, "H13", "web.2", "/b", 503)},
			"high", "20 of 120 requests timed out"},
		{"R14 on a web dyno", true,
			[][]Line{okRequests(at(0, 0), 100, "web.1", "/"), lines(runtimeErr(at(10, 0), "web.1", "R14", "Memory quota exceeded"))},
			"high", "web.1 went over the memory quota"},
		{"R14 on a worker", true,
			[][]Line{okRequests(at(0, 0), 100, "web.1", "/"), lines(runtimeErr(at(10, 0), "worker.1", "R14", "Memory quota exceeded"))},
			"normal", "Occasional errors (R14 once)"},
		{"occasional H12 on one path", true,
			[][]Line{okRequests(at(0, 0), 1000, "web.1", "/"), errRequests(at(10, 0), 6, "H12", "web.1", "/reports", 503)},
			"normal", "Occasional errors (H12 6 times on /reports) while 1000 of 1006 requests succeeded"},
		{"many H12 on one path", true,
			[][]Line{okRequests(at(0, 0), 100, "web.1", "/"), errRequests(at(10, 0), 40, "H12", "web.1", "/reports", 503)},
			"normal", "H12 40 times on /reports"},
		{"backlog", true,
			[][]Line{okRequests(at(0, 0), 100, "web.1", "/"), errRequests(at(10, 0), 5, "H11", "", "/", 503)},
			"high", "backlog was too deep (H11)"},
		{"a crash loop on a worker", true, [][]Line{crashes}, "normal", "no request failed for them"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dg := diagnose(Options{Production: tt.production}, tt.lines...)
			if dg.SuggestedPriority != tt.want || !strings.Contains(dg.PriorityReason, tt.reason) {
				t.Errorf("priority = %s (%s), want %s with %q", dg.SuggestedPriority, dg.PriorityReason, tt.want, tt.reason)
			}
		})
	}
}

func TestExcerpt(t *testing.T) {
	var ls []Line
	for i := range 20 {
		ls = append(ls, appLine(at(0, i), "web.1", fmt.Sprintf("GET /page/%d", i)))
	}
	ls = append(ls,
		runtimeErr(at(1, 0), "web.1", "R14", "Memory quota exceeded"),
		appLine(at(1, 1), "web.1", "after 1"),
		Line{Kind: KindStack, Raw: "    at Object.<anonymous> (/app/index.js:3:9)"},
		Line{Kind: KindStack, Raw: "    at Module._compile (node:internal/modules/cjs/loader:1105:14)"},
		appLine(at(1, 2), "web.1", "after 4"),
		appLine(at(1, 3), "web.1", "after 5"),
	)
	for i := range 10 {
		ls = append(ls, appLine(at(2, i), "web.1", fmt.Sprintf("quiet %d", i)))
	}
	dg := diagnose(Options{}, ls)
	got := strings.Split(strings.TrimSuffix(dg.Excerpt, "\n"), "\n")
	want := []string{"GET /page/17", "GET /page/18", "GET /page/19", "Error R14", "after 1", "at Object", "at Module"}
	if len(got) != len(want) {
		t.Fatalf("excerpt has %d lines, want %d:\n%s", len(got), len(want), dg.Excerpt)
	}
	for i, w := range want {
		if !strings.Contains(got[i], w) {
			t.Errorf("excerpt line %d = %q, want %q", i, got[i], w)
		}
	}

	// A crash quotes what its process printed since it started.
	ls = lines(
		heroku(at(0, 0), "web.1", KindBoot, "Starting process with command `npm start`"),
		appLine(at(0, 1), "web.1", "> node server.js"),
		appLine(at(0, 1), "web.1", "Error: Cannot find module 'dotenv'"),
	)
	for i := range 8 {
		ls = append(ls, Line{Kind: KindStack, Process: "web.1", Raw: fmt.Sprintf("    at frame%d (/app/server.js:%d:1)", i, i)})
	}
	ls = append(ls, appLine(at(0, 1), "web.2", "unrelated"), exited(at(0, 2), "web.1", 1))
	dg = diagnose(Options{}, okRequests(at(-10, 0), 30, "web.2", "/"), ls)
	if !strings.HasPrefix(dg.Excerpt, ls[0].Raw+"\n") || !strings.Contains(dg.Excerpt, "Cannot find module") || strings.Contains(dg.Excerpt, "…") {
		t.Errorf("crash excerpt should run from the process start to its exit:\n%s", dg.Excerpt)
	}

	// A flood of errors: the excerpt stays bounded, quotes the first few of
	// each kind, marks the gaps, and ends with the latest error.
	ls = okRequests(at(0, 0), 10, "web.1", "/")
	for i := range 20000 {
		ls = append(ls, router(at(1, 0).Add(time.Duration(i)*time.Second), "H12", "web.1", "/"+strings.Repeat("x", i%700), 503))
		ls = append(ls, appLine(at(1, 0).Add(time.Duration(i)*time.Second), "web.1", "ok"))
		if i%100 == 0 {
			ls = append(ls, router(at(1, 0).Add(time.Duration(i)*time.Second), "H13", "web.2", "/", 503))
		}
	}
	ls = append(ls, router(at(900, 0), "H99", "", "/last", 503), appLine(at(900, 1), "web.1", "the very end"))
	dg = diagnose(Options{}, ls)
	n := strings.Count(dg.Excerpt, "\n")
	if n > excerptMaxLines || len(dg.Excerpt) > excerptMaxBytes {
		t.Fatalf("excerpt of %d lines, %d bytes: over the bounds", n, len(dg.Excerpt))
	}
	// The first 5 H13s are quoted (with context), the 6th is not.
	sixth := at(1, 0).Add(500 * time.Second).Format(time.RFC3339Nano)
	if c := strings.Count(dg.Excerpt, "code=H13"); c != excerptPerKind || strings.Contains(dg.Excerpt, sixth) {
		t.Errorf("excerpt quotes %d H13 lines (the 6th: %v), want the first %d:\n%s", c, strings.Contains(dg.Excerpt, sixth), excerptPerKind, dg.Excerpt)
	}
	if !strings.Contains(dg.Excerpt, "…\n") || !strings.HasSuffix(dg.Excerpt, "the very end\n") || !strings.Contains(dg.Excerpt, "path=/last") {
		t.Errorf("excerpt should have gaps and end with the latest error and its context:\n%s", dg.Excerpt)
	}
}

func TestCounterKeepsHeavyKeys(t *testing.T) {
	c := counter{limit: 8}
	for i := range 10000 {
		c.add(fmt.Sprintf("/users/%d", i))
		if i%3 == 0 {
			c.add("/reports")
		}
	}
	if len(c.m) > 8 {
		t.Fatalf("counter holds %d keys, limit 8", len(c.m))
	}
	top := c.top(1)
	if len(top) != 1 || top[0].key != "/reports" || c.atLeast("/reports") > 3334 || top[0].n < 3334 {
		t.Errorf("top = %v, at least %d: want /reports with its count bounded", top, c.atLeast("/reports"))
	}
}

func TestSubject(t *testing.T) {
	dg := diagnose(Options{Reference: testReference},
		okRequests(at(0, 0), 100, "web.1", "/"),
		errRequests(at(10, 18), 4, "H12", "web.2", "/reports", 503),
		errRequests(at(11, 0), 2, "H12", "web.1", "/reports", 503))
	if want := "H12 Request timeout on /reports since 2020-12-07 09:10 UTC (web.1, web.2)"; dg.Subject != want {
		t.Errorf("subject = %q, want %q", dg.Subject, want)
	}
	dg = diagnose(Options{}, okRequests(at(0, 0), 10, "web.1", "/"))
	if dg.Subject == "" || dg.StartedAt != nil || dg.Excerpt != "" {
		t.Errorf("no errors: subject %q, started_at %v, excerpt %q", dg.Subject, dg.StartedAt, dg.Excerpt)
	}
}

func TestResultJSONShape(t *testing.T) {
	for _, dg := range []Diagnosis{
		diagnose(Options{}),
		diagnose(Options{}, errRequests(at(0, 0), 3, "H12", "web.1", "/", 503)),
	} {
		b, err := json.Marshal(dg)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		for _, key := range []string{"codes", "findings", "suggested_priority", "lines"} {
			if m[key] == nil {
				t.Errorf("%s: %s is missing or null", b, key)
			}
		}
		for _, c := range dg.Codes {
			if c.Dynos == nil || c.Paths == nil || c.Statuses == nil {
				t.Errorf("code %s has null lists: %s", c.Code, b)
			}
		}
	}
}

// Result may be called while lines still stream in (the log drain does).
func TestResultMidStream(t *testing.T) {
	d := NewDiagnoser(Options{})
	for _, l := range errRequests(at(0, 0), 3, "H12", "web.1", "/", 503) {
		d.Add(l)
	}
	first := d.Result()
	for _, l := range errRequests(at(1, 0), 3, "H12", "web.1", "/", 503) {
		d.Add(l)
	}
	if first.Codes[0].Count != 3 || d.Result().Codes[0].Count != 6 {
		t.Errorf("counts %d then %d, want 3 then 6", first.Codes[0].Count, d.Result().Codes[0].Count)
	}
}

// BenchmarkDiagnoser measures the diagnosis alone, over lines parsed
// beforehand: mostly successful requests, some H12s and memory errors,
// app output.
func BenchmarkDiagnoser(b *testing.B) {
	var ls []Line
	size := 0
	for i := range 100000 {
		ts := at(0, 0).Add(time.Duration(i) * 100 * time.Millisecond)
		dyno := fmt.Sprintf("web.%d", i%4+1)
		var l Line
		switch {
		case i%200 == 0:
			l = router(ts, "H12", dyno, fmt.Sprintf("/reports/%d", i%50), 503)
		case i%500 == 1:
			l = runtimeErr(ts, dyno, "R14", "Memory quota exceeded")
		case i%50 == 2:
			l = memSample(ts, dyno, 90+float64(i%20))
		case i%3 == 0:
			l = appLine(ts, dyno, "Completed 200 OK in 12ms (Views: 3.1ms | ActiveRecord: 2.2ms)")
		default:
			l = router(ts, "", dyno, fmt.Sprintf("/items/%d", i%1000), 200)
		}
		l.N = i + 1
		size += len(l.Raw) + 1
		ls = append(ls, l)
	}
	b.SetBytes(int64(size))
	b.ReportAllocs()
	for b.Loop() {
		d := NewDiagnoser(Options{Production: true})
		for _, l := range ls {
			d.Add(l)
		}
		_ = d.Result()
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(ls)), "ns/line")
}
