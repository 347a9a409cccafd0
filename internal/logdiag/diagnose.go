package logdiag

import (
	"cmp"
	"io"
	"slices"
	"strings"
	"time"
)

// Options tune a diagnosis.
type Options struct {
	Reference Reference
	// Production says the app serves production traffic: only then may
	// the suggested priority be urgent (the support rules).
	Production bool
}

// Bounds on what a Diagnoser keeps, whatever the size of the input.
const (
	maxKeys       = 64  // distinct dynos, paths or hosts counted per code
	maxStatuses   = 32  // distinct status codes per code
	maxDynoStats  = 256 // dynos followed for memory, timeouts and crashes
	maxCodes      = 256 // distinct error codes
	maxReported   = 10  // dynos or paths reported per code or finding
	maxApps       = 5   // app host names reported
	maxLineRefs   = 5   // line numbers kept per code or finding
	windowMinutes = 10  // "the last 10 minutes of the log"
)

// Diagnoser accumulates lines and concludes. It streams: its state is
// bounded (counters, capped sets, a few recent lines), never the lines
// themselves, so inputs of gigabytes diagnose in flat memory.
type Diagnoser struct {
	opts Options

	lines LineCounts
	codes map[string]*codeStats
	dynos map[string]*dynoStats
	hosts counter

	requests, ok int // router lines, and those that succeeded (at=info, status < 500)
	window       [windowMinutes]minute
	lastMinute   int64

	crash crashStats
	boot  bootStats

	excerpt excerpt
}

// codeStats is one error code's running summary.
type codeStats struct {
	count       int
	first, last time.Time
	lines       []int
	dynos       counter
	paths       counter
	statuses    map[int]int
	desc        string // the line's own description, for codes the reference lacks
}

// dynoStats follows one dyno for the memory and crash findings.
type dynoStats struct {
	memErrors          int // R14, R15
	memOver            int // mem= samples over 100% of the quota
	maxPct             float64
	r15                bool
	memFirst, memLast  time.Time
	memLines           []int
	timeouts           int // H12, H13 served by this dyno
	tFirst, tLast      time.Time
	timeoutLines       []int
	timeoutsDuringSwap int // timeouts within swapSlack of a memory error on this dyno
	crashes            int
}

// swapSlack is how close (either side) a timeout and a memory error on
// the same dyno must be to count as related: R14 is logged about every
// 20 seconds while a dyno swaps, and the slowness outlives the last one.
const swapSlack = 5 * time.Minute

// crashStats follows crash loops across dynos.
type crashStats struct {
	crashes, exits     int // State changed … to crashed; Process exited with a non-zero status
	first, last        time.Time
	lines              []int
	dynos              counter
	exitCode           int
	h10After, okAfter  int // H10s after the first crash; successes after the last one
	firstH10AfterCrash int
}

// bootStats follows R10 boot timeouts and what the router said after them.
type bootStats struct {
	r10                int
	first              time.Time
	lines              []int
	dynos              counter
	h20After, h10After int
}

// minute counts router requests in one minute of the log, for "most
// requests in the last 10 minutes".
type minute struct {
	at             int64 // Unix minute
	requests, down int
	downCodes      [len(downCodes)]int
}

// downCodes are the router codes that mean no dyno answered at all.
var downCodes = [...]string{"H10", "H14", "H20", "H99"}

func downIndex(code string) int {
	for i, c := range downCodes {
		if c == code {
			return i
		}
	}
	return -1
}

// NewDiagnoser returns an empty Diagnoser.
func NewDiagnoser(opts Options) *Diagnoser {
	return &Diagnoser{
		opts:    opts,
		codes:   map[string]*codeStats{},
		dynos:   map[string]*dynoStats{},
		hosts:   counter{limit: 32},
		crash:   crashStats{dynos: counter{limit: maxKeys}},
		boot:    bootStats{dynos: counter{limit: maxKeys}},
		excerpt: newExcerpt(),
	}
}

// Add takes the next line, in input order.
func (d *Diagnoser) Add(l Line) {
	d.lines.Total++
	if l.N == 0 {
		l.N = d.lines.Total
	}
	if l.Kind == KindUnparsed {
		d.lines.Unparsed++
	}
	t := l.Time.UTC()
	dyno := lineDyno(l)
	interesting := false

	if l.Kind == KindRouter {
		d.addRequest(l, t)
	}
	if l.Code != "" {
		d.lines.Errors++
		d.addCode(l, t, dyno)
		interesting = d.excerpt.wants(l.Code)
	}
	switch {
	case l.Kind == KindMemory && l.MemPct > 100:
		if ds := d.dyno(dyno); ds != nil {
			ds.memOver++
			ds.noteMemory(l, t)
		}
		interesting = d.excerpt.wants("mem>100%")
	case l.Kind == KindState && l.To == "crashed":
		d.addCrash(l, t, dyno, false)
		interesting = d.excerpt.wants("crashed")
	case l.Kind == KindExit && crashExit(l.ExitCode):
		d.addCrash(l, t, dyno, true)
		interesting = d.excerpt.wants("exit")
	}
	quote := quoteNone
	if interesting {
		quote = quoteError
		if l.Kind == KindExit || l.Kind == KindState {
			quote = quoteCrash
		}
	}
	d.excerpt.add(l, quote, l.Code != "" || interesting)
}

// crashExit says whether an exit status means the process failed: 143
// (SIGTERM) is the ordinary end of a restart, deploy or scale-down.
func crashExit(code int) bool { return code != 0 && code != 143 }

// lineDyno is the dyno a line is about: the router's dyno=, or the
// process of a runtime line.
func lineDyno(l Line) string {
	if l.Dyno != "" {
		return l.Dyno
	}
	if l.Kind != KindRouter && l.Process != "" && l.Process != "router" && l.Source != "app" {
		return l.Process
	}
	return ""
}

func (d *Diagnoser) dyno(name string) *dynoStats {
	if name == "" {
		return nil
	}
	if ds, ok := d.dynos[name]; ok {
		return ds
	}
	if len(d.dynos) >= maxDynoStats {
		return nil // a log with hundreds of dynos: the first ones tell the story
	}
	ds := &dynoStats{}
	d.dynos[name] = ds
	return ds
}

func (d *Diagnoser) addRequest(l Line, t time.Time) {
	d.requests++
	at, _ := l.Get("at")
	success := at == "info" && l.Status > 0 && l.Status < 500
	if success {
		d.ok++
		d.crash.okAfter++
	}
	if host, ok := l.Get("host"); ok {
		d.hosts.add(host)
	}
	if t.IsZero() {
		return
	}
	m := t.Unix() / 60
	if m > d.lastMinute {
		d.lastMinute = m
	}
	if m <= d.lastMinute-windowMinutes {
		return // older than the window: an out-of-order line
	}
	slot := &d.window[((m%windowMinutes)+windowMinutes)%windowMinutes]
	if slot.at != m {
		if m < slot.at {
			return
		}
		*slot = minute{at: m}
	}
	slot.requests++
	if i := downIndex(l.Code); i >= 0 {
		slot.down++
		slot.downCodes[i]++
	}
}

func (d *Diagnoser) addCode(l Line, t time.Time, dyno string) {
	cs, ok := d.codes[l.Code]
	if !ok {
		if len(d.codes) >= maxCodes {
			return
		}
		cs = &codeStats{dynos: counter{limit: maxKeys}, paths: counter{limit: maxKeys}, statuses: map[int]int{}}
		cs.desc = lineDesc(l)
		d.codes[l.Code] = cs
	}
	cs.count++
	if !t.IsZero() {
		if cs.first.IsZero() || t.Before(cs.first) {
			cs.first = t
		}
		if t.After(cs.last) {
			cs.last = t
		}
	}
	cs.lines = appendRef(cs.lines, l.N)
	cs.dynos.add(dyno)
	cs.paths.add(l.Path)
	if l.Status != 0 {
		if _, ok := cs.statuses[l.Status]; ok || len(cs.statuses) < maxStatuses {
			cs.statuses[l.Status]++
		}
	}

	switch l.Code {
	case "R14", "R15":
		if ds := d.dyno(dyno); ds != nil {
			ds.memErrors++
			ds.r15 = ds.r15 || l.Code == "R15"
			ds.noteMemory(l, t)
		}
	case "H12", "H13":
		if ds := d.dyno(dyno); ds != nil {
			ds.timeouts++
			if ds.tFirst.IsZero() || t.Before(ds.tFirst) {
				ds.tFirst = t
			}
			if t.After(ds.tLast) {
				ds.tLast = t
			}
			ds.timeoutLines = appendRef(ds.timeoutLines, l.N)
			if !ds.memLast.IsZero() && !t.IsZero() && t.Sub(ds.memLast) <= swapSlack && ds.memFirst.Sub(t) <= swapSlack {
				ds.timeoutsDuringSwap++
			}
		}
	case "H10":
		if d.crash.crashes+d.crash.exits > 0 {
			d.crash.h10After++
			if d.crash.firstH10AfterCrash == 0 {
				d.crash.firstH10AfterCrash = l.N
			}
		}
		if d.boot.r10 > 0 {
			d.boot.h10After++
		}
	case "H20":
		if d.boot.r10 > 0 {
			d.boot.h20After++
		}
	case "R10":
		if d.boot.r10 == 0 {
			d.boot.first = t
		}
		d.boot.r10++
		d.boot.lines = appendRef(d.boot.lines, l.N)
		d.boot.dynos.add(dyno)
	}
}

func (ds *dynoStats) noteMemory(l Line, t time.Time) {
	if l.MemPct > ds.maxPct {
		ds.maxPct = l.MemPct
	}
	if !t.IsZero() {
		if ds.memFirst.IsZero() || t.Before(ds.memFirst) {
			ds.memFirst = t
		}
		if t.After(ds.memLast) {
			ds.memLast = t
		}
	}
	ds.memLines = appendRef(ds.memLines, l.N)
}

func (d *Diagnoser) addCrash(l Line, t time.Time, dyno string, exit bool) {
	c := &d.crash
	if exit {
		c.exits++
		if c.exitCode == 0 {
			c.exitCode = l.ExitCode
		}
	} else {
		c.crashes++
		if ds := d.dyno(dyno); ds != nil {
			ds.crashes++
		}
	}
	if !t.IsZero() {
		if c.first.IsZero() || t.Before(c.first) {
			c.first = t
		}
		if t.After(c.last) {
			c.last = t
		}
	}
	c.lines = appendRef(c.lines, l.N)
	c.dynos.add(dyno)
	c.okAfter = 0
}

// lineDesc is a code's description as the line itself gives it: the
// router's desc=, or the parenthesis of "Error R14 (Memory quota exceeded)".
func lineDesc(l Line) string {
	if v, ok := l.Get("desc"); ok {
		return v
	}
	_, after, ok := strings.Cut(l.Message, l.Code+" (")
	if !ok {
		return ""
	}
	desc, _, ok := strings.Cut(after, ")")
	if !ok {
		return ""
	}
	return desc
}

func appendRef(refs []int, n int) []int {
	if len(refs) < maxLineRefs {
		refs = append(refs, n)
	}
	return refs
}

// Result returns the diagnosis of the lines added so far.
func (d *Diagnoser) Result() Diagnosis {
	out := Diagnosis{
		Codes:    d.codeSummaries(),
		Lines:    d.lines,
		Findings: d.findings(),
	}
	for _, c := range out.Codes {
		if !c.FirstAt.IsZero() && (out.StartedAt == nil || c.FirstAt.Before(*out.StartedAt)) {
			at := c.FirstAt
			out.StartedAt = &at
		}
	}
	out.SuggestedPriority, out.PriorityReason = d.priority(out)
	out.Excerpt = d.excerpt.text()
	for _, kc := range d.hosts.top(maxApps) {
		out.Apps = append(out.Apps, kc.key)
	}
	out.Subject = d.subject(out)
	return out
}

func (d *Diagnoser) codeSummaries() []CodeSummary {
	out := make([]CodeSummary, 0, len(d.codes))
	for code, cs := range d.codes {
		s := CodeSummary{
			Code: code, Count: cs.count, FirstAt: cs.first, LastAt: cs.last,
			Dynos: cs.dynos.keys(maxReported), Paths: cs.paths.keys(maxReported), Statuses: []int{},
		}
		for st := range cs.statuses {
			s.Statuses = append(s.Statuses, st)
		}
		slices.Sort(s.Statuses)
		if d.opts.Reference != nil {
			if title, url, cause, ok := d.opts.Reference(code); ok {
				s.Title, s.ArticleURL, s.Cause = trimCodePrefix(code, title), url, cause
			}
		}
		if s.Title == "" {
			s.Title = cs.desc
		}
		out = append(out, s)
	}
	slices.SortFunc(out, func(a, b CodeSummary) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.Code, b.Code))
	})
	return out
}

// trimCodePrefix turns the reference's "H12 - Request timeout" into the
// summary's "Request timeout".
func trimCodePrefix(code, title string) string {
	rest, ok := strings.CutPrefix(title, code)
	if !ok {
		return title
	}
	return strings.TrimLeft(rest, " -–—:")
}

// counter counts keys in bounded memory with the space-saving algorithm:
// it keeps limit keys; a new key beyond them replaces the smallest, taking
// over its count (kept in err). Counts are exact until the first
// replacement and never below the truth; any key seen more than
// total/limit times is kept.
type counter struct {
	limit int
	m     map[string]*slot
}

type slot struct{ n, err int }

type keyCount struct {
	key string
	n   int
}

func (c *counter) add(key string) {
	if key == "" {
		return
	}
	if s, ok := c.m[key]; ok {
		s.n++
		return
	}
	if c.m == nil {
		c.m = make(map[string]*slot)
	}
	if len(c.m) < c.limit {
		c.m[key] = &slot{n: 1}
		return
	}
	var minKey string
	var minSlot *slot
	for k, s := range c.m {
		if minSlot == nil || s.n < minSlot.n || (s.n == minSlot.n && k < minKey) {
			minKey, minSlot = k, s
		}
	}
	delete(c.m, minKey)
	c.m[key] = &slot{n: minSlot.n + 1, err: minSlot.n}
}

// atLeast is a key's guaranteed count.
func (c *counter) atLeast(key string) int {
	if s, ok := c.m[key]; ok {
		return s.n - s.err
	}
	return 0
}

// top returns the n heaviest keys, by count then name.
func (c *counter) top(n int) []keyCount {
	all := make([]keyCount, 0, len(c.m))
	for k, s := range c.m {
		all = append(all, keyCount{k, s.n})
	}
	slices.SortFunc(all, func(a, b keyCount) int {
		return cmp.Or(cmp.Compare(b.n, a.n), cmp.Compare(a.key, b.key))
	})
	if len(all) > n {
		all = all[:n]
	}
	return all
}

// keys is top's keys, never nil (the JSON says [] rather than null).
func (c *counter) keys(n int) []string {
	out := []string{}
	for _, kc := range c.top(n) {
		out = append(out, kc.key)
	}
	return out
}

// Diagnose reads r to the end and diagnoses it.
func Diagnose(r io.Reader, opts Options) (Diagnosis, error) {
	d := NewDiagnoser(opts)
	s := NewScanner(r)
	for s.Scan() {
		d.Add(s.Line())
	}
	return d.Result(), s.Err()
}
