// Command genlogs writes realistic mixed heroku logs to stdout: router
// lines with varied codes, paths and dynos, app lines, runtime and logging
// errors, state changes, boots, crashes and stack traces, optionally as
// octet-counted syslog frames the way a log drain delivers them. It is
// deterministic for a seed, for benchmarks (scripts/bench-logs).
//
//	go run ./scripts/genlogs -bytes 1G > /tmp/big.log
//	go run ./scripts/genlogs -bytes 10M -syslog 0.3 -seed 7
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"time"
)

func main() {
	size := flag.String("bytes", "64M", "how much to write: a number with an optional K, M or G suffix")
	seed := flag.Uint64("seed", 1, "random seed")
	syslog := flag.Float64("syslog", 0, "fraction of lines written as octet-counted syslog frames, in batches without newlines")
	start := flag.String("start", "2020-12-07T09:00:00Z", "time of the first line")
	flag.Parse()
	n, err := parseSize(*size)
	if err != nil {
		fmt.Fprintln(os.Stderr, "genlogs: -bytes:", err)
		os.Exit(2)
	}
	t0, err := time.Parse(time.RFC3339, *start)
	if err != nil {
		fmt.Fprintln(os.Stderr, "genlogs: -start:", err)
		os.Exit(2)
	}
	w := bufio.NewWriterSize(os.Stdout, 1<<20)
	if err := generate(w, n, *seed, *syslog, t0); err != nil {
		fmt.Fprintln(os.Stderr, "genlogs:", err)
		os.Exit(1)
	}
	if err := w.Flush(); err != nil {
		fmt.Fprintln(os.Stderr, "genlogs:", err)
		os.Exit(1)
	}
}

func parseSize(s string) (int64, error) {
	mult := int64(1)
	switch {
	case strings.HasSuffix(s, "G"):
		mult, s = 1<<30, strings.TrimSuffix(s, "G")
	case strings.HasSuffix(s, "M"):
		mult, s = 1<<20, strings.TrimSuffix(s, "M")
	case strings.HasSuffix(s, "K"):
		mult, s = 1<<10, strings.TrimSuffix(s, "K")
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("%q is not a size like 64M", s)
	}
	return n * mult, nil
}

var (
	paths   = []string{"/", "/api/v1/items", "/api/v1/items/42", "/login", "/reports/annual", "/search?q=shoes", "/cart", "/checkout", "/assets/app-3f2a.js", "/favicon.ico", "/webhooks/stripe", "/api/v1/export"}
	methods = []string{"GET", "GET", "GET", "GET", "POST", "POST", "PUT", "DELETE"}
	hosts   = []string{"shop-prod.herokuapp.com", "www.example.com", "api.example.com"}
	errs    = []struct{ code, desc string }{
		{"H12", "Request timeout"}, {"H10", "App crashed"}, {"H13", "Connection closed without response"},
		{"H14", "No web dynos running"}, {"H18", "Server Request Interrupted"}, {"H20", "App boot timeout"},
		{"H27", "Client Request Interrupted"}, {"H15", "Idle connection"}, {"H11", "Backlog too deep"},
	}
	stacks = [][]string{
		{"TypeError: Cannot read properties of undefined (reading 'id')", "    at getUser (/app/src/users.js:10:22)", "    at async /app/src/routes.js:5:3", "    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)"},
		{"NoMethodError: undefined method `id' for nil:NilClass", "/app/app/jobs/sync_job.rb:14:in `perform'", "\tfrom /app/vendor/bundle/ruby/3.2.0/gems/activejob-7.0.4/lib/active_job/execution.rb:59:in `block in _perform_job'"},
		{"Traceback (most recent call last):", "  File \"/app/app.py\", line 12, in handler", "    return int(request.args[\"n\"])", "ValueError: invalid literal for int() with base 10: 'x'"},
		{"Exception in thread \"main\" java.lang.IllegalStateException: pool exhausted", "\tat com.example.db.Pool.take(Pool.java:88)", "\tat com.example.Api.handle(Api.java:42)", "Caused by: java.sql.SQLException: Connection refused", "\t... 12 more"},
		{"panic: runtime error: invalid memory address or nil pointer dereference", "goroutine 1 [running]:", "main.handler(0xc000012345)", "\t/app/main.go:31 +0x1d"},
	}
)

type gen struct {
	w      io.Writer
	r      *rand.Rand
	t      time.Time
	syslog float64
	batch  []byte // pending frames, written without newlines
	line   []byte
	n      int64
}

func generate(w io.Writer, size int64, seed uint64, syslog float64, t0 time.Time) error {
	g := &gen{w: w, r: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), t: t0, syslog: syslog}
	for g.n < size {
		if err := g.event(); err != nil {
			return err
		}
	}
	return g.flush()
}

// event writes one request or incident, a few lines.
func (g *gen) event() error {
	g.t = g.t.Add(time.Duration(g.r.IntN(400)) * time.Millisecond)
	dyno := fmt.Sprintf("web.%d", 1+g.r.IntN(4))
	switch p := g.r.IntN(1000); {
	case p < 880: // a request and the app's line about it
		path, method := paths[g.r.IntN(len(paths))], methods[g.r.IntN(len(methods))]
		status, service := 200, 5+g.r.IntN(400)
		if g.r.IntN(10) == 0 {
			status = []int{201, 301, 302, 404, 422, 500}[g.r.IntN(6)]
		}
		id := g.r.Uint64()
		if err := g.emit("app", dyno, fmt.Sprintf("I, [%s #4]  INFO -- : [%016x] Started %s %q for 10.%d.%d.%d", g.t.Format("2006-01-02T15:04:05.000000"), id, method, path, g.r.IntN(255), g.r.IntN(255), g.r.IntN(255))); err != nil {
			return err
		}
		return g.emit("heroku", "router", fmt.Sprintf(`at=info method=%s path="%s" host=%s request_id=%016x-%04x fwd="%d.%d.%d.%d" dyno=%s connect=%dms service=%dms status=%d bytes=%d protocol=https`,
			method, path, hosts[g.r.IntN(len(hosts))], id, g.r.IntN(65536), g.r.IntN(255), g.r.IntN(255), g.r.IntN(255), g.r.IntN(255), dyno, g.r.IntN(3), service, status, 100+g.r.IntN(20000)))
	case p < 960: // a router error
		e := errs[g.r.IntN(len(errs))]
		path, method := paths[g.r.IntN(len(paths))], methods[g.r.IntN(len(methods))]
		service, d, connect := "30000ms", dyno, "0ms"
		prefix := ""
		switch e.code {
		case "H10", "H14":
			d, service, connect = "", "", ""
		case "H27":
			prefix = "sock=client "
			service = fmt.Sprintf("%dms", g.r.IntN(5000))
		}
		return g.emit("heroku", "router", fmt.Sprintf(`%sat=error code=%s desc="%s" method=%s path="%s" host=%s request_id=%016x fwd="%d.%d.%d.%d" dyno=%s connect=%s service=%s status=503 bytes= protocol=https`,
			prefix, e.code, e.desc, method, path, hosts[g.r.IntN(len(hosts))], g.r.Uint64(), g.r.IntN(255), g.r.IntN(255), g.r.IntN(255), g.r.IntN(255), d, connect, service))
	case p < 975: // memory pressure
		mem := 300 + g.r.IntN(900)
		if err := g.emit("heroku", dyno, fmt.Sprintf("Process running mem=%dM(%.1f%%)", mem, float64(mem)/5.12)); err != nil {
			return err
		}
		if mem > 512 {
			code, title := "R14", "Memory quota exceeded"
			if mem > 1024 {
				code, title = "R15", "Memory quota vastly exceeded"
			}
			return g.emit("heroku", dyno, fmt.Sprintf("Error %s (%s)", code, title))
		}
		return nil
	case p < 985: // an exception
		for _, l := range stacks[g.r.IntN(len(stacks))] {
			if err := g.emit("app", dyno, l); err != nil {
				return err
			}
		}
		return nil
	case p < 993: // a crash and restart
		for _, l := range []string{"Process exited with status 1", "State changed from up to crashed", "State changed from crashed to starting", "Starting process with command `bundle exec puma -C config/puma.rb`"} {
			if err := g.emit("heroku", dyno, l); err != nil {
				return err
			}
		}
		return nil
	case p < 996:
		if err := g.emit("heroku", dyno, "Stopping all processes with SIGTERM"); err != nil {
			return err
		}
		return g.emit("heroku", dyno, "Error R10 (Boot timeout) -> Web process failed to bind to $PORT within 60 seconds of launch")
	case p < 998:
		return g.emit("heroku", "logplex", fmt.Sprintf("Error L10 (output buffer overflow): %d messages dropped since %s.", g.r.IntN(5000), g.t.Add(-time.Minute).Format("2006-01-02T15:04:05-07:00")))
	default:
		return g.emit("app", "api", fmt.Sprintf("Release v%d created by user dev@example.com", g.r.IntN(300)))
	}
}

// emit writes one line as heroku logs prints it or, for the -syslog
// fraction, as a syslog frame in the current batch.
func (g *gen) emit(source, process, msg string) error {
	if g.syslog > 0 && g.r.Float64() < g.syslog {
		frame := fmt.Sprintf("<%d>1 %s host %s %s - %s", 158, g.t.Format("2006-01-02T15:04:05.000000-07:00"), source, process, msg)
		g.batch = fmt.Appendf(g.batch, "%d %s", len(frame), frame)
		g.n += int64(len(frame)) + 4
		if g.r.IntN(10) == 0 {
			return g.flush()
		}
		return nil
	}
	if err := g.flush(); err != nil {
		return err
	}
	g.line = g.t.AppendFormat(g.line[:0], "2006-01-02T15:04:05.000000-07:00")
	g.line = fmt.Appendf(g.line, " %s[%s]: %s\n", source, process, msg)
	g.n += int64(len(g.line))
	_, err := g.w.Write(g.line)
	return err
}

func (g *gen) flush() error {
	if len(g.batch) == 0 {
		return nil
	}
	g.batch = append(g.batch, '\n')
	_, err := g.w.Write(g.batch)
	g.batch = g.batch[:0]
	return err
}
