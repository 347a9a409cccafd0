// Command generate writes the golden-test logs of
// internal/logdiag/testdata/diagnose (deterministic: fixed seed):
//
//	go run ./internal/logdiag/testdata/diagnose/generate internal/logdiag/testdata/diagnose
package main

import (
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

var rng = rand.New(rand.NewSource(8))

type entry struct {
	t    time.Time
	text string
}

type w struct {
	entries []entry
	syslog  bool
	zone    *time.Location
}

// String is the log in time order, as heroku logs prints it.
func (w *w) String() string {
	sort.SliceStable(w.entries, func(i, j int) bool { return w.entries[i].t.Before(w.entries[j].t) })
	var b strings.Builder
	for _, e := range w.entries {
		b.WriteString(e.text)
	}
	return b.String()
}

func (w *w) blank(t time.Time) { w.entries = append(w.entries, entry{t, "\n"}) }

func reqID() string {
	const hex = "0123456789abcdef"
	var b [36]byte
	for i := range b {
		b[i] = hex[rng.Intn(16)]
	}
	b[8], b[13], b[18], b[23] = '-', '-', '-', '-'
	return string(b[:])
}

func ip() string {
	return fmt.Sprintf("%d.%d.%d.%d", 23+rng.Intn(180), rng.Intn(256), rng.Intn(256), 1+rng.Intn(254))
}

func (w *w) line(ts time.Time, source, proc, msg string) {
	if w.syslog {
		pri := "<158>"
		if source == "app" {
			pri = "<190>"
		}
		frame := fmt.Sprintf("%s1 %s host %s %s - %s", pri, ts.UTC().Format("2006-01-02T15:04:05.000000+00:00"), source, proc, msg)
		w.entries = append(w.entries, entry{ts, fmt.Sprintf("%d %s\n", len(frame), frame)})
		return
	}
	t := ts
	if w.zone != nil {
		t = ts.In(w.zone)
	}
	w.entries = append(w.entries, entry{ts, fmt.Sprintf("%s %s[%s]: %s\n", t.Format("2006-01-02T15:04:05.000000-07:00"), source, proc, msg)})
}

func (w *w) request(ts time.Time, host, method, path, dyno string, status, service, bytes int) {
	w.line(ts, "heroku", "router", fmt.Sprintf(`at=info method=%s path="%s" host=%s request_id=%s fwd="%s" dyno=%s connect=%dms service=%dms status=%d bytes=%d protocol=https`,
		method, path, host, reqID(), ip(), dyno, rng.Intn(3), service, status, bytes))
}

func (w *w) routerErr(ts time.Time, host, code, desc, method, path, dyno string, service int) {
	conn := fmt.Sprintf("%dms", rng.Intn(3))
	svc := fmt.Sprintf("%dms", service)
	if dyno == "" {
		conn, svc = "", ""
	}
	w.line(ts, "heroku", "router", fmt.Sprintf(`at=error code=%s desc="%s" method=%s path="%s" host=%s request_id=%s fwd="%s" dyno=%s connect=%s service=%s status=503 bytes=0 protocol=https`,
		code, desc, method, path, host, reqID(), ip(), dyno, conn, svc))
}

var paths = []string{"/", "/", "/", "/dashboard", "/api/v1/items", "/api/v1/items", "/login", "/assets/application.css", "/settings", "/api/v1/orders"}

func pick() (string, string) {
	p := paths[rng.Intn(len(paths))]
	m := "GET"
	if p == "/api/v1/orders" && rng.Intn(2) == 0 {
		m = "POST"
	}
	return m, p
}

func ms(d time.Duration) time.Duration { return d * time.Millisecond }

// crashAfterDeploy: two hours of traffic, a deploy with a missing module,
// the web dyno crash-loops and every request gets H10.
func crashAfterDeploy() string {
	w := &w{}
	host := "shop-prod.herokuapp.com"
	start := time.Date(2020, 12, 7, 9, 0, 0, 0, time.UTC)
	deploy := start.Add(2*time.Hour + 3*time.Minute)
	end := deploy.Add(25 * time.Minute)
	for ts := start; ts.Before(deploy); ts = ts.Add(time.Duration(8+rng.Intn(20)) * time.Second) {
		m, p := pick()
		dyno := fmt.Sprintf("web.%d", 1+rng.Intn(2))
		svc := 5 + rng.Intn(120)
		w.line(ts, "app", dyno, fmt.Sprintf(`%s %s 200 %d - %d.%03d ms`, m, p, 200+rng.Intn(4000), svc, rng.Intn(1000)))
		w.request(ts.Add(ms(2)), host, m, p, dyno, 200, svc, 200+rng.Intn(4000))
	}
	t := deploy
	w.line(t, "app", "api", "Build started by user dev@example.com")
	t = t.Add(95 * time.Second)
	w.line(t, "app", "api", "Deploy 9f2c1ab by user dev@example.com")
	w.line(t.Add(ms(10)), "app", "api", "Release v142 created by user dev@example.com")
	t = t.Add(2 * time.Second)
	for _, d := range []string{"web.1", "web.2"} {
		w.line(t, "heroku", d, "Restarting")
		w.line(t, "heroku", d, "State changed from up to starting")
		w.line(t.Add(time.Second), "heroku", d, "Stopping all processes with SIGTERM")
		w.line(t.Add(2*time.Second), "heroku", d, "Process exited with status 143")
	}
	crash := func(t time.Time, d string) time.Time {
		w.line(t, "heroku", d, "Starting process with command `npm start`")
		t = t.Add(3 * time.Second)
		w.line(t, "app", d, "> shop@2.4.0 start /app")
		w.line(t, "app", d, "> node server.js")
		t = t.Add(800 * time.Millisecond)
		for _, s := range []string{
			"internal/modules/cjs/loader.js:883",
			"  throw err;",
			"  ^",
			"",
			"Error: Cannot find module 'dotenv'",
			"Require stack:",
			"- /app/server.js",
			"    at Function.Module._resolveFilename (internal/modules/cjs/loader.js:880:15)",
			"    at Function.Module._load (internal/modules/cjs/loader.js:725:27)",
			"    at Module.require (internal/modules/cjs/loader.js:952:19)",
			"    at require (internal/modules/cjs/helpers.js:88:18)",
			"    at Object.<anonymous> (/app/server.js:1:1)",
			"    at Module._compile (internal/modules/cjs/loader.js:1063:30) {",
			"  code: 'MODULE_NOT_FOUND',",
			"  requireStack: [ '/app/server.js' ]",
			"}",
		} {
			w.line(t, "app", d, s)
		}
		t = t.Add(200 * time.Millisecond)
		w.line(t, "heroku", d, "Process exited with status 1")
		w.line(t.Add(ms(40)), "heroku", d, "State changed from starting to crashed")
		return t
	}
	crash(t.Add(3*time.Second), "web.1")
	crash(t.Add(4*time.Second), "web.2")
	next := map[string]time.Time{"web.1": t.Add(25 * time.Second), "web.2": t.Add(9 * time.Minute)}
	for ts := t.Add(6 * time.Second); ts.Before(end); ts = ts.Add(time.Duration(3+rng.Intn(12)) * time.Second) {
		for _, d := range []string{"web.1", "web.2"} {
			if ts.After(next[d]) {
				w.line(next[d], "heroku", d, "State changed from crashed to starting")
				crash(next[d].Add(time.Second), d)
				next[d] = next[d].Add(time.Duration(10+rng.Intn(10)) * time.Minute)
			}
		}
		m, p := pick()
		w.routerErr(ts, host, "H10", "App crashed", m, p, "", 0)
		if p == "/" && rng.Intn(3) == 0 {
			w.routerErr(ts.Add(ms(80)), host, "H10", "App crashed", "GET", "/favicon.ico", "", 0)
		}
	}
	return w.String()
}

// memoryLeak: three hours; web.2 leaks, R14 every 20 seconds once over
// quota, then its requests time out.
func memoryLeak() string {
	w := &w{}
	host := "billing-api.herokuapp.com"
	start := time.Date(2021, 3, 15, 13, 0, 0, 0, time.UTC)
	end := start.Add(3*time.Hour + 10*time.Minute)
	over := start.Add(2*time.Hour + 5*time.Minute)
	slow := over.Add(20 * time.Minute)
	nextMem := over
	pct := 100.4
	restart := start.Add(70 * time.Minute)
	restarted := false
	for ts := start; ts.Before(end); ts = ts.Add(time.Duration(6+rng.Intn(14)) * time.Second) {
		if !restarted && ts.After(restart) {
			restarted = true
			w.line(restart, "heroku", "web.1", "Cycling")
			w.line(restart, "heroku", "web.1", "State changed from up to starting")
			w.line(restart.Add(time.Second), "heroku", "web.1", "Stopping all processes with SIGTERM")
			w.line(restart.Add(2*time.Second), "heroku", "web.1", "Process exited with status 143")
			w.line(restart.Add(3*time.Second), "heroku", "web.1", "Starting process with command `bundle exec puma -C config/puma.rb`")
			w.line(restart.Add(6*time.Second), "app", "web.1", "[4] Puma starting in cluster mode...")
			w.line(restart.Add(7*time.Second), "app", "web.1", "[4] * Listening on tcp://0.0.0.0:23117")
			w.line(restart.Add(7*time.Second), "heroku", "web.1", "State changed from starting to up")
		}
		for ts.After(nextMem) {
			w.line(nextMem, "heroku", "web.2", fmt.Sprintf("Process running mem=%dM(%.1f%%)", int(pct*5.12), pct))
			w.line(nextMem.Add(ms(2)), "heroku", "web.2", "Error R14 (Memory quota exceeded)")
			pct += 0.35 + rng.Float64()*0.2
			nextMem = nextMem.Add(20 * time.Second)
		}
		m, p := pick()
		dyno := fmt.Sprintf("web.%d", 1+rng.Intn(2))
		svc := 20 + rng.Intn(250)
		if dyno == "web.2" && ts.After(over) {
			svc = 800 + rng.Intn(8000)
		}
		if dyno == "web.2" && ts.After(slow) && rng.Intn(3) == 0 {
			w.line(ts, "app", dyno, fmt.Sprintf(`[%d] Started %s "%s" for %s`, 10+rng.Intn(4), m, p, ip()))
			w.routerErr(ts.Add(30*time.Second), host, "H12", "Request timeout", m, p, dyno, 30000)
			continue
		}
		w.line(ts, "app", dyno, fmt.Sprintf(`[%d] Completed 200 OK in %dms (Views: %.1fms | ActiveRecord: %.1fms)`, 10+rng.Intn(4), svc, float64(svc)*0.3, float64(svc)*0.5))
		w.request(ts.Add(ms(3)), host, m, p, dyno, 200, svc, 300+rng.Intn(6000))
	}
	return w.String()
}

// slowReports: a log drain's frames; thousands of fast requests and a
// report endpoint that sometimes takes more than 30 seconds.
func slowReports() string {
	w := &w{syslog: true}
	host := "analytics.example.com"
	start := time.Date(2019, 8, 23, 6, 30, 0, 0, time.UTC)
	end := start.Add(3 * time.Hour)
	timeouts := map[int]bool{140: true, 610: true, 977: true, 1203: true, 1555: true, 1890: true}
	i := 0
	for ts := start; ts.Before(end); ts = ts.Add(time.Duration(2+rng.Intn(7)) * time.Second) {
		i++
		dyno := fmt.Sprintf("web.%d", 1+rng.Intn(3))
		if timeouts[i] {
			w.line(ts, "app", dyno, fmt.Sprintf(`method=GET path=/reports/monthly.pdf account=%d msg="generating report"`, 1000+rng.Intn(900)))
			w.line(ts.Add(30*time.Second), "heroku", "router", fmt.Sprintf(`at=error code=H12 desc="Request timeout" method=GET path="/reports/monthly.pdf" host=%s request_id=%s fwd="%s" dyno=%s connect=1ms service=30000ms status=503 bytes=0 protocol=https`,
				host, reqID(), ip(), dyno))
			continue
		}
		if i == 1400 {
			w.line(ts, "heroku", "logplex", "Error L10 (output buffer overflow): 12 messages dropped since "+ts.Add(-2*time.Minute).UTC().Format(time.RFC3339)+".")
		}
		m, p := pick()
		if rng.Intn(40) == 0 {
			p = "/reports"
		}
		w.request(ts, host, m, p, dyno, []int{200, 200, 200, 200, 200, 200, 304, 302, 404}[rng.Intn(9)], 3+rng.Intn(90), 100+rng.Intn(9000))
	}
	return w.String()
}

// bootTimeoutStaging: a staging app whose JVM no longer binds in time
// after a config change: R10, H20 while it boots, then H10. Timestamps are
// the developer's local time (-08:00), with a blank line pasted in.
func bootTimeoutStaging() string {
	w := &w{zone: time.FixedZone("PST", -8*3600)}
	host := "orders-staging.herokuapp.com"
	start := time.Date(2022, 1, 18, 16, 0, 0, 0, time.UTC)
	change := start.Add(90 * time.Minute)
	end := change.Add(40 * time.Minute)
	for ts := start; ts.Before(change); ts = ts.Add(time.Duration(20+rng.Intn(60)) * time.Second) {
		m, p := pick()
		svc := 10 + rng.Intn(300)
		w.line(ts, "app", "web.1", fmt.Sprintf(`%s INFO  o.s.web.servlet.DispatcherServlet - Completed %d OK`, ts.Format("15:04:05.000"), 200))
		w.request(ts.Add(ms(1)), host, m, p, "web.1", 200, svc, 500+rng.Intn(3000))
	}
	w.line(change, "app", "api", "Set JAVA_OPTS config vars by user ops@example.com")
	w.line(change, "app", "api", "Release v77 created by user ops@example.com")
	w.blank(change.Add(ms(1)))
	boot := func(t time.Time) time.Time {
		w.line(t, "heroku", "web.1", "State changed from up to starting")
		w.line(t.Add(time.Second), "heroku", "web.1", "Starting process with command `java $JAVA_OPTS -jar build/libs/orders.jar`")
		w.line(t.Add(4*time.Second), "app", "web.1", "Picked up JAVA_TOOL_OPTIONS: -XX:+UseContainerSupport -Xmx300m -Xss512k")
		w.line(t.Add(9*time.Second), "app", "web.1", "Starting OrdersApplication v3.2.1 using Java 17.0.2")
		w.line(t.Add(30*time.Second), "app", "web.1", "Flyway Community Edition 8.0.5: migrating schema \"public\" to version 58 - backfill order totals")
		t = t.Add(61 * time.Second)
		w.line(t, "heroku", "web.1", "Error R10 (Boot timeout) -> Web process failed to bind to $PORT within 60 seconds of launch")
		w.line(t, "heroku", "web.1", "Stopping process with SIGKILL")
		w.line(t.Add(ms(300)), "heroku", "web.1", "Process exited with status 137")
		w.line(t.Add(ms(320)), "heroku", "web.1", "State changed from starting to crashed")
		return t
	}
	t := boot(change.Add(2 * time.Second))
	// Requests during the boot wait for it, then fail with H20.
	for ts := change.Add(5 * time.Second); ts.Before(t); ts = ts.Add(time.Duration(5+rng.Intn(10)) * time.Second) {
		m, p := pick()
		w.routerErr(ts.Add(75*time.Second), host, "H20", "App boot timeout", m, p, "", 0)
	}
	next := t.Add(10 * time.Minute)
	for ts := t.Add(2 * time.Second); ts.Before(end); ts = ts.Add(time.Duration(10+rng.Intn(40)) * time.Second) {
		if ts.After(next) {
			w.line(next, "heroku", "web.1", "State changed from crashed to starting")
			next = boot(next).Add(20 * time.Minute)
		}
		m, p := pick()
		w.routerErr(ts, host, "H10", "App crashed", m, p, "", 0)
	}
	return w.String()
}

func main() {
	dir := os.Args[1]
	for name, s := range map[string]string{
		"crash_after_deploy.log":   crashAfterDeploy(),
		"memory_leak.log":          memoryLeak(),
		"slow_reports_drain.log":   slowReports(),
		"boot_timeout_staging.log": bootTimeoutStaging(),
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(s), 0o644); err != nil {
			panic(err)
		}
	}
}
