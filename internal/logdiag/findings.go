package logdiag

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Finding severities, most pressing first.
const (
	SeverityCritical = "critical"
	SeverityWarning  = "warning"
	SeverityInfo     = "info"
)

func severityRank(s string) int {
	switch s {
	case SeverityCritical:
		return 0
	case SeverityWarning:
		return 1
	}
	return 2
}

// findings correlates what the counters saw; each rule is cheap because
// Add did the work as lines went by.
func (d *Diagnoser) findings() []Finding {
	out := []Finding{}
	for _, rule := range []func() (Finding, bool){
		d.bootFinding, d.crashLoopFinding, d.memoryFinding, d.timeoutFinding,
		d.noWebFinding, d.backlogFinding, d.connectionFinding, d.platformFinding,
		d.maintenanceFinding, d.loggingFinding,
	} {
		if f, ok := rule(); ok {
			if f.Codes == nil {
				f.Codes = []string{}
			}
			out = append(out, f)
		}
	}
	slices.SortStableFunc(out, func(a, b Finding) int {
		return cmp.Compare(severityRank(a.Severity), severityRank(b.Severity))
	})
	return out
}

func (d *Diagnoser) crashLoopFinding() (Finding, bool) {
	c := d.crash
	events := max(c.crashes, c.exits)
	if events < 2 && (events == 0 || c.h10After == 0) {
		return Finding{}, false
	}
	if d.boot.r10 >= events {
		return Finding{}, false // each crash was a boot timeout: boot_timeout says it
	}
	dynos := c.dynos.keys(maxReported)
	f := Finding{Kind: "crash_loop", Severity: SeverityWarning, Dynos: dynos, At: c.first, Lines: c.lines}
	var b strings.Builder
	fmt.Fprintf(&b, "%s crashed %s%s", dynoList(dynos, "The app"), times(events), since(c.first))
	if c.exitCode != 0 {
		fmt.Fprintf(&b, " (Process exited with status %d)", c.exitCode)
	}
	if c.h10After > 0 {
		f.Severity = SeverityCritical
		f.Codes = []string{"H10"}
		f.Lines = appendRef(f.Lines, c.firstH10AfterCrash)
		fmt.Fprintf(&b, ", and the router then answered %s with H10 (App crashed)", plural(c.h10After, "request"))
		if c.okAfter == 0 {
			b.WriteString("; no request succeeded after the last crash")
		}
	}
	b.WriteString(`. The app fails as it starts: read the error printed just before "Process exited" in the excerpt, then fix it or roll back the last deploy (heroku releases:rollback).`)
	f.Message = b.String()
	return f, true
}

func (d *Diagnoser) memoryFinding() (Finding, bool) {
	type dm struct {
		name    string
		s       *dynoStats
		related bool
	}
	var list []dm
	for name, s := range d.dynos {
		if s.memErrors == 0 && s.memOver == 0 {
			continue
		}
		list = append(list, dm{name, s, s.swapping()})
	}
	if len(list) == 0 {
		return Finding{}, false
	}
	slices.SortFunc(list, func(a, b dm) int {
		return cmp.Or(cmpBool(b.related, a.related), cmp.Compare(b.s.memErrors+b.s.memOver, a.s.memErrors+a.s.memOver), cmp.Compare(a.name, b.name))
	})
	f := Finding{Kind: "memory", Severity: SeverityWarning}
	var memDynos, slowDynos []string
	timeouts, maxPct, errs := 0, 0.0, 0
	for _, m := range list {
		if len(f.Dynos) < maxReported {
			f.Dynos = append(f.Dynos, m.name)
		}
		memDynos = append(memDynos, m.name)
		if m.related {
			slowDynos = append(slowDynos, m.name)
			timeouts += m.s.timeouts
		}
		if m.s.r15 {
			f.Severity = SeverityCritical
		}
		maxPct = max(maxPct, m.s.maxPct)
		errs += m.s.memErrors
		if !m.s.memFirst.IsZero() && (f.At.IsZero() || m.s.memFirst.Before(f.At)) {
			f.At = m.s.memFirst
		}
	}
	f.Lines = slices.Clone(list[0].s.memLines)
	for _, code := range []string{"R14", "R15"} {
		if _, ok := d.codes[code]; ok {
			f.Codes = append(f.Codes, code)
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s went over the memory quota", dynoList(memDynos, "A dyno"))
	switch {
	case errs > 0 && maxPct > 0:
		fmt.Fprintf(&b, " (%s %s, up to %.1f%% of the quota)", strings.Join(f.Codes, "/"), times(errs), maxPct)
	case errs > 0:
		fmt.Fprintf(&b, " (%s %s)", strings.Join(f.Codes, "/"), times(errs))
	default:
		fmt.Fprintf(&b, " (memory samples up to %.1f%% of the quota)", maxPct)
	}
	b.WriteString(since(f.At))
	if len(slowDynos) > 0 {
		var codes []string
		for _, code := range []string{"H12", "H13"} {
			if cs, ok := d.codes[code]; ok {
				for _, name := range slowDynos {
					if cs.dynos.atLeast(name) > 0 {
						codes = append(codes, code)
						break
					}
				}
			}
		}
		f.Codes = append(f.Codes, codes...)
		f.Lines = appendRef(f.Lines, d.dynos[slowDynos[0]].timeoutLines[0])
		fmt.Fprintf(&b, ", and %s served %s (%s) while it was swapping: memory pressure is what makes those requests slow",
			dynoList(slowDynos, ""), plural(timeouts, "timeout"), strings.Join(codes, "/"))
	}
	b.WriteString(". Look for a leak (memory that only grows until a restart), run fewer workers or threads per dyno, or move to a larger dyno size; restarting the dyno buys time.")
	f.Message = b.String()
	return f, true
}

func (d *Diagnoser) bootFinding() (Finding, bool) {
	bs := d.boot
	if bs.r10 == 0 {
		return Finding{}, false
	}
	dynos := bs.dynos.keys(maxReported)
	f := Finding{Kind: "boot_timeout", Severity: SeverityWarning, Codes: []string{"R10"}, Dynos: dynos, At: bs.first, Lines: bs.lines}
	var b strings.Builder
	fmt.Fprintf(&b, "%s did not bind to $PORT within the boot timeout (R10, %s)%s", dynoList(dynos, "The web process"), times(bs.r10), since(bs.first))
	var after []string
	if bs.h20After > 0 {
		f.Codes = append(f.Codes, "H20")
		after = append(after, fmt.Sprintf("%s with H20 (App boot timeout)", plural(bs.h20After, "request")))
	}
	if bs.h10After > 0 {
		f.Codes = append(f.Codes, "H10")
		after = append(after, fmt.Sprintf("%s with H10 (App crashed)", plural(bs.h10After, "request")))
	}
	if len(after) > 0 {
		f.Severity = SeverityCritical
		fmt.Fprintf(&b, ", and the router then failed %s", strings.Join(after, " and "))
	}
	b.WriteString(". The web process must listen on the port in $PORT (on 0.0.0.0) within the boot timeout: move slow start-up work (migrations, asset builds, cache warm-up) out of boot and check the app reads PORT.")
	f.Message = b.String()
	return f, true
}

// timeoutFinding says whether H12s cluster on one path (that endpoint is
// slow) or spread over many (the app is slow).
func (d *Diagnoser) timeoutFinding() (Finding, bool) {
	cs, ok := d.codes["H12"]
	if !ok || cs.count < 3 {
		return Finding{}, false
	}
	f := Finding{Codes: []string{"H12"}, Severity: SeverityWarning, Dynos: cs.dynos.keys(maxReported), At: cs.first, Lines: cs.lines}
	top := cs.paths.top(1)
	if len(top) == 1 && 2*cs.paths.atLeast(top[0].key) >= cs.count {
		path, n := top[0].key, cs.paths.atLeast(top[0].key)
		f.Kind, f.Paths = "path_timeouts", []string{path}
		share := fmt.Sprintf("%d of %d request timeouts (H12, %d%%) were", n, cs.count, 100*n/cs.count)
		if n == cs.count {
			share = fmt.Sprintf("All %d request timeouts (H12) were", n)
		}
		f.Message = fmt.Sprintf("%s on %s%s: that endpoint takes longer than 30 seconds to answer. Move its work to a background job (the client polls or gets a webhook) or speed up its slowest queries; other paths are not affected.",
			share, path, since(cs.first))
		return f, true
	}
	explained := len(cs.dynos.m) > 0
	for name := range cs.dynos.m {
		if s := d.dynos[name]; s == nil || !s.swapping() {
			explained = false
		}
	}
	if explained {
		return Finding{}, false // every timeout came from a swapping dyno: the memory finding says it
	}
	f.Kind, f.Paths = "timeouts", cs.paths.keys(maxReported)
	f.Message = fmt.Sprintf("%d request timeouts (H12)%s are spread over several paths: the app as a whole answers slowly, not one endpoint. Check the database and the outside services it calls (put timeouts on them), and whether every worker is busy (add dynos or workers).",
		cs.count, since(cs.first))
	return f, true
}

func (d *Diagnoser) noWebFinding() (Finding, bool) {
	cs, ok := d.codes["H14"]
	if !ok {
		return Finding{}, false
	}
	return Finding{Kind: "no_web_dynos", Severity: SeverityCritical, Codes: []string{"H14"}, Paths: cs.paths.keys(maxReported), At: cs.first, Lines: cs.lines,
		Message: fmt.Sprintf("No web dynos were running for %s (H14)%s: scale the web process up (heroku ps:scale web=1) and check that the Procfile declares a web process.",
			plural(cs.count, "request"), since(cs.first)),
	}, true
}

func (d *Diagnoser) backlogFinding() (Finding, bool) {
	cs, ok := d.codes["H11"]
	if !ok {
		return Finding{}, false
	}
	return Finding{Kind: "backlog", Severity: SeverityWarning, Codes: []string{"H11"}, Dynos: cs.dynos.keys(maxReported), At: cs.first, Lines: cs.lines,
		Message: fmt.Sprintf("The router's queue for the app overflowed %s (H11, backlog too deep)%s: requests arrive faster than the dynos answer them. Add web dynos, or make the slow requests faster.",
			times(cs.count), since(cs.first)),
	}, true
}

// connectionFinding: H13 and H18 mean the app closed the socket mid-request,
// usually because its process for that request died.
func (d *Diagnoser) connectionFinding() (Finding, bool) {
	f, n := d.codeGroup("H13", "H18")
	if n < 3 {
		return Finding{}, false
	}
	f.Kind, f.Severity = "connection_errors", SeverityWarning
	f.Message = fmt.Sprintf("%s ended with the app closing the connection before answering (%s)%s: the app's process for those requests crashed or was killed mid-request, often by its own request timeout or a memory limit. Look for worker restarts and kills in the app's own log lines around them.",
		plural(n, "request"), strings.Join(f.Codes, "/"), since(f.At))
	return f, true
}

func (d *Diagnoser) platformFinding() (Finding, bool) {
	f, n := d.codeGroup("H99", "R99")
	if n == 0 {
		return Finding{}, false
	}
	f.Kind, f.Severity = "platform_error", SeverityWarning
	f.Message = fmt.Sprintf("%s came from the platform itself (%s)%s, not from the app: check the status page, and open a ticket if they go on.",
		plural(n, "error"), strings.Join(f.Codes, "/"), since(f.At))
	return f, true
}

func (d *Diagnoser) maintenanceFinding() (Finding, bool) {
	cs, ok := d.codes["H80"]
	if !ok {
		return Finding{}, false
	}
	return Finding{Kind: "maintenance", Severity: SeverityInfo, Codes: []string{"H80"}, At: cs.first, Lines: cs.lines,
		Message: fmt.Sprintf("The app was in maintenance mode for %s (H80)%s: visitors saw the maintenance page. Turn it off (heroku maintenance:off) when the work is done.",
			plural(cs.count, "request"), since(cs.first)),
	}, true
}

// loggingFinding: L codes mean log lines were dropped, so this very log
// may be missing the lines that matter.
func (d *Diagnoser) loggingFinding() (Finding, bool) {
	var codes []string
	for code := range d.codes {
		if strings.HasPrefix(code, "L") {
			codes = append(codes, code)
		}
	}
	if len(codes) == 0 {
		return Finding{}, false
	}
	slices.Sort(codes)
	f, n := d.codeGroup(codes...)
	f.Kind, f.Severity = "logging", SeverityInfo
	f.Message = fmt.Sprintf("The platform reported %s (%s)%s: a log drain or tail could not keep up, so this log may be missing lines. Log less per request, or check that the drain's endpoint answers quickly.",
		plural(n, "logging error"), strings.Join(codes, "/"), since(f.At))
	return f, true
}

// codeGroup is a finding over the codes present among codes, and their
// total count.
func (d *Diagnoser) codeGroup(codes ...string) (Finding, int) {
	var f Finding
	n := 0
	for _, code := range codes {
		cs, ok := d.codes[code]
		if !ok {
			continue
		}
		n += cs.count
		f.Codes = append(f.Codes, code)
		for _, dy := range cs.dynos.keys(maxReported) {
			if !slices.Contains(f.Dynos, dy) && len(f.Dynos) < maxReported {
				f.Dynos = append(f.Dynos, dy)
			}
		}
		if !cs.first.IsZero() && (f.At.IsZero() || cs.first.Before(f.At)) {
			f.At = cs.first
		}
		for _, l := range cs.lines {
			f.Lines = appendRef(f.Lines, l)
		}
	}
	slices.Sort(f.Lines)
	return f, n
}

// swapping says whether the dyno's timeouts came while it was over its
// memory quota.
func (s *dynoStats) swapping() bool {
	return (s.memErrors > 0 || s.memOver > 0) && s.timeouts > 0 &&
		(s.timeoutsDuringSwap > 0 || overlaps(s.memFirst, s.memLast, s.tFirst, s.tLast, swapSlack))
}

func overlaps(aFrom, aTo, bFrom, bTo time.Time, slack time.Duration) bool {
	if aFrom.IsZero() || bFrom.IsZero() {
		return false
	}
	return !aFrom.Add(-slack).After(bTo) && !bFrom.Add(-slack).After(aTo)
}

func cmpBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}

// dynoList names up to three dynos ("web.1, web.2 and 3 more").
func dynoList(dynos []string, none string) string {
	switch len(dynos) {
	case 0:
		return none
	case 1:
		return dynos[0]
	case 2, 3:
		return strings.Join(dynos[:len(dynos)-1], ", ") + " and " + dynos[len(dynos)-1]
	}
	return strings.Join(dynos[:3], ", ") + fmt.Sprintf(" and %d more", len(dynos)-3)
}

func since(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return " since " + t.UTC().Format("2006-01-02 15:04") + " UTC"
}

func times(n int) string {
	if n == 1 {
		return "once"
	}
	return fmt.Sprintf("%d times", n)
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
