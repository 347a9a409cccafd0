package logdiag

import (
	"bufio"
	"errors"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// maxLineBytes bounds one line or frame: longer lines are truncated (the
// rest of the line is skipped), so memory stays flat on any input.
const maxLineBytes = 1 << 20

// maxContinuations bounds how many timestamp-less lines in a row inherit
// the previous line's context: a stack trace or a wrapped line is short,
// a pasted binary is not.
const maxContinuations = 500

// Scanner reads log lines from r one at a time, streaming: memory stays
// flat however large the input. It understands heroku logs output and
// octet-counted RFC 5424 syslog frames (log drains), and never fails on
// garbage: lines it cannot read are KindUnparsed.
//
// Lines without a timestamp or source (a stack trace pasted bare, the rest
// of a line a terminal wrapped) take the time, source and process of the
// line before them. Blank lines are skipped but still counted in N.
type Scanner struct {
	r        *bufio.Reader
	max      int    // longest line kept
	maxFrame int    // longest frame read as a frame
	long     []byte // a line longer than the buffer
	n        int
	line     Line
	err      error

	// ctx is the last line that had a timestamp or source prefix.
	ctx    Line
	hasCtx bool
	conts  int  // continuation lines since ctx
	prev   Line // kind, source and process of the previous line emitted
}

// NewScanner returns a Scanner reading r.
func NewScanner(r io.Reader) *Scanner { return newScanner(r, maxLineBytes) }

func newScanner(r io.Reader, max int) *Scanner {
	// A frame is checked before it is consumed, so it must fit in the
	// buffer with its octet count and the byte after it; longer lines are
	// gathered in s.long. 64 KB holds any logplex frame (they are cut at
	// 10 KB) without costing a small drain request a megabyte.
	size := min(max+16, 64<<10)
	return &Scanner{r: bufio.NewReaderSize(&stickyReader{r: r}, size), max: max, maxFrame: size - 16}
}

// stickyReader repeats the first error of r: bufio's Peek drops the error
// it meets, and the next read must see it again rather than read on.
type stickyReader struct {
	r   io.Reader
	err error
}

func (s *stickyReader) Read(p []byte) (int, error) {
	if s.err != nil {
		return 0, s.err
	}
	n, err := s.r.Read(p)
	s.err = err
	return n, err
}

// Scan advances to the next line; false at the end or on a read error.
func (s *Scanner) Scan() bool {
	for s.err == nil {
		raw, ok := s.next()
		if !ok {
			return false
		}
		s.n++
		if isBlank(raw) {
			continue
		}
		l := ParseLine(raw)
		l.N = s.n
		s.attach(&l)
		s.prev = Line{Kind: l.Kind, Source: l.Source, Process: l.Process}
		s.line = l
		return true
	}
	return false
}

// attach gives a line without timestamp or source the context of the line
// before it, or makes it the new context.
func (s *Scanner) attach(l *Line) {
	if !l.Time.IsZero() || l.Source != "" {
		// Inside a trace, lines of the same process that are frames only
		// in context ("main.main()", Python's source lines) are frames.
		if l.Kind == KindApp && s.prev.Kind == KindStack && l.Source == s.prev.Source &&
			l.Process == s.prev.Process && weakStack(l.Message) {
			l.Kind = KindStack
		}
		s.ctx = Line{Time: l.Time, Source: l.Source, Process: l.Process, Dyno: l.Dyno}
		s.hasCtx, s.conts = true, 0
		return
	}
	if !s.hasCtx || s.conts >= maxContinuations || (l.Kind != KindUnparsed && l.Kind != KindStack) || !printable(l.Raw) {
		return
	}
	s.conts++
	l.Time, l.Source, l.Process = s.ctx.Time, s.ctx.Source, s.ctx.Process
	if l.Dyno == "" {
		l.Dyno = s.ctx.Dyno
	}
	if l.Kind == KindUnparsed {
		l.Kind = KindApp
		if s.prev.Kind == KindStack && weakStack(l.Message) {
			l.Kind = KindStack
		}
	}
}

// next returns the next record: an octet-counted frame or a line, without
// its line ending. ok is false at the end of input or on a read error.
func (s *Scanner) next() (raw string, ok bool) {
	if raw, ok := s.frame(); ok {
		return raw, true
	}
	b, err := s.r.ReadSlice('\n')
	if errors.Is(err, bufio.ErrBufferFull) {
		// A line longer than the buffer: gather it up to max, skip the rest.
		s.long = append(s.long[:0], b...)
		for errors.Is(err, bufio.ErrBufferFull) {
			b, err = s.r.ReadSlice('\n')
			if room := s.max + 2 - len(s.long); room > 0 {
				s.long = append(s.long, b[:min(len(b), room)]...)
			}
		}
		b = s.long
	}
	line := trimEOL(b)
	if len(line) > s.max {
		line = line[:s.max]
	}
	raw = string(line)
	switch {
	case err == nil:
		return raw, true
	case errors.Is(err, io.EOF):
		return raw, len(b) > 0
	default:
		s.err = err
		// The partial line read before the error is still a line.
		return raw, len(raw) > 0
	}
}

// frame reads an octet-counted syslog frame ("347 <158>1 …") when the
// input is at one and its count holds up: the byte after it ends the
// line, starts the next frame, or ends the input. Otherwise the input is
// read as lines.
func (s *Scanner) frame() (string, bool) {
	head, _ := s.r.Peek(16)
	count, plen, ok := frameHeader(head)
	if !ok || count > s.maxFrame {
		return "", false
	}
	end := plen + count
	b, err := s.r.Peek(end + 1)
	switch {
	case len(b) == end && errors.Is(err, io.EOF):
	case len(b) > end && (b[end] == '\n' || b[end] == '\r' || isDigit(b[end])):
	default:
		return "", false
	}
	raw := string(trimEOL(b[:end]))
	if len(b) > end && b[end] == '\n' {
		end++ // the newline after a frame belongs to it
	} else if len(b) > end+1 && b[end] == '\r' && b[end+1] == '\n' {
		end += 2
	}
	_, _ = s.r.Discard(end) // cannot fail: the bytes are buffered
	return raw, true
}

// frameHeader recognizes "347 <" at the start of b: the octet count, the
// length of the count and its space, and whether b starts a frame.
func frameHeader(b []byte) (count, plen int, ok bool) {
	i := 0
	for i < len(b) && i < 8 && isDigit(b[i]) {
		count = count*10 + int(b[i]-'0')
		i++
	}
	if i == 0 || i == 8 || i+2 >= len(b) || b[i] != ' ' || b[i+1] != '<' || !isDigit(b[i+2]) {
		return 0, 0, false
	}
	return count, i + 1, count > 0
}

// Line returns the line Scan read.
func (s *Scanner) Line() Line { return s.line }

// Err returns the first read error (not parse problems, which are lines).
func (s *Scanner) Err() error { return s.err }

// ParseLine parses one line of heroku logs output, or one syslog frame
// with or without its octet count. It never fails: what it cannot read is
// KindUnparsed, with Raw and Message kept.
func ParseLine(raw string) Line {
	l := Line{Raw: raw}
	if raw != "" && (raw[0] == '<' || isDigit(raw[0])) && parseSyslog(&l, raw) {
		classify(&l)
		return l
	}
	rest := raw
	if t, n, ok := parseTime(rest); ok {
		l.Time = t
		rest = strings.TrimLeft(rest[n:], " ")
	}
	if src, proc, n, ok := parsePrefix(rest); ok {
		l.Source, l.Process = src, proc
		rest = rest[n:]
	}
	l.Message = rest
	classify(&l)
	return l
}

// parsePrefix reads "source[process]: " at the start of s and returns the
// number of bytes it took (one space after the colon: the message keeps
// any further indentation, which stack traces need).
func parsePrefix(s string) (src, proc string, n int, ok bool) {
	i := 0
	for i < len(s) && i < 64 && isWordByte(s[i]) {
		i++
	}
	if i == 0 || i >= len(s) || s[i] != '[' {
		return "", "", 0, false
	}
	j := i + 1
	for j < len(s) && j-i < 128 && s[j] != ']' && s[j] != ' ' {
		j++
	}
	if j == i+1 || j+1 >= len(s) || s[j] != ']' || s[j+1] != ':' {
		return "", "", 0, false
	}
	n = j + 2
	if n < len(s) && s[n] == ' ' {
		n++
	}
	return s[:i], s[i+1 : j], n, true
}

// classify sets the kind and the extracted values from the message.
func classify(l *Line) {
	msg := l.Message
	platform := l.Source != "app" // heroku[…] or a bare message
	if l.Source != "" && strings.IndexByte(l.Process, '.') > 0 {
		l.Dyno = l.Process // heroku[web.1] speaks about that dyno, app[web.1] runs on it
	}
	switch {
	case platform && strings.HasPrefix(msg, "Error ") && isCode(msg[6:]):
		classifyError(l, msg)
		return
	case (l.Source == "heroku" && l.Process == "router") ||
		(l.Source == "" && (strings.HasPrefix(msg, "at=") || strings.HasPrefix(msg, "sock="))):
		l.Kind = KindRouter
		l.Fields = parseLogfmt(msg)
		routerFields(l)
		return
	case platform && strings.HasPrefix(msg, "State changed from "):
		l.Kind = KindState
		rest := msg[len("State changed from "):]
		from, to, _ := strings.Cut(rest, " to ")
		l.From, l.To = firstWord(from), firstWord(to)
		return
	case platform && strings.HasPrefix(msg, "Process exited with status "):
		l.Kind = KindExit
		l.ExitCode, _ = leadingInt(msg[len("Process exited with status "):])
		return
	case platform && strings.HasPrefix(msg, "Process running mem="):
		l.Kind = KindMemory
		l.MemoryMB, l.MemPct = parseMem(msg[len("Process running mem="):])
		return
	case platform && strings.HasPrefix(msg, "Starting process with command"):
		l.Kind = KindBoot
		return
	case platform && (strings.HasPrefix(msg, "Stopping all processes with SIG") ||
		strings.HasPrefix(msg, "Stopping process with SIG")):
		// A stop is a state change whose states the line does not name.
		l.Kind = KindState
		return
	case isStack(msg):
		l.Kind = KindStack
		return
	}
	if l.Source == "" && l.Time.IsZero() {
		l.Kind = KindUnparsed
		return
	}
	l.Kind = KindApp
	if looksLogfmt(msg) {
		l.Fields = parseLogfmt(msg)
	}
}

// classifyError reads "Error R14 (Memory quota exceeded)", "Error L10
// (output buffer overflow): …" and the old router format "Error H12
// (Request timeout) -> GET host/path dyno=web.1 …".
func classifyError(l *Line, msg string) {
	l.Code = msg[6:9]
	switch l.Code[0] {
	case 'H':
		l.Kind = KindRouter
	case 'L':
		l.Kind = KindLoggingError
	default:
		l.Kind = KindRuntimeError
	}
	_, rest, ok := strings.Cut(msg[9:], " -> ")
	if !ok || l.Kind != KindRouter {
		return
	}
	// "GET myapp.herokuapp.com/path dyno=web.1 queue= wait= service=30000ms status=503"
	if method, after, ok := strings.Cut(rest, " "); ok && isUpperWord(method) {
		l.Method = method
		target, fields, _ := strings.Cut(after, " ")
		if i := strings.IndexByte(target, '/'); i >= 0 {
			l.Path = target[i:]
		}
		rest = fields
	}
	l.Fields = parseLogfmt(rest)
	routerFields(l)
}

// routerFields copies the router's well-known fields out of l.Fields.
func routerFields(l *Line) {
	for _, f := range l.Fields {
		switch f.Key {
		case "code":
			if f.Value != "" {
				l.Code = f.Value
			}
		case "dyno":
			l.Dyno = f.Value
		case "path":
			l.Path = f.Value
		case "method":
			l.Method = f.Value
		case "status":
			l.Status, _ = leadingInt(f.Value)
		case "service":
			l.Service, _ = leadingInt(f.Value)
		}
	}
}

// isCode says s starts with an error code: a capital letter, two digits,
// then the end, a space or a colon.
func isCode(s string) bool {
	if len(s) < 3 || s[0] < 'A' || s[0] > 'Z' || !isDigit(s[1]) || !isDigit(s[2]) {
		return false
	}
	return len(s) == 3 || s[3] == ' ' || s[3] == ':'
}

// parseMem reads "646M(126.2%)" into megabytes and percent of quota.
func parseMem(s string) (mb, pct float64) {
	i := 0
	for i < len(s) && (isDigit(s[i]) || s[i] == '.') {
		i++
	}
	mb, _ = strconv.ParseFloat(s[:i], 64)
	if i < len(s) {
		switch s[i] {
		case 'G', 'g':
			mb *= 1024
		case 'K', 'k':
			mb /= 1024
		case 'B':
			mb /= 1024 * 1024
		}
	}
	if open := strings.IndexByte(s, '('); open >= 0 {
		p := s[open+1:]
		j := 0
		for j < len(p) && (isDigit(p[j]) || p[j] == '.') {
			j++
		}
		pct, _ = strconv.ParseFloat(p[:j], 64)
	}
	return mb, pct
}

// isStack recognizes a line of a Node, Ruby, Python, Java or Go stack
// trace on its own: patterns that plain log messages do not have.
func isStack(msg string) bool {
	t := strings.TrimLeft(msg, " \t")
	if t == "" {
		return false
	}
	indented := len(t) < len(msg)
	switch t[0] {
	case 'a':
		// Node "    at fn (file.js:1:2)", Java "\tat com.x.Y.m(Y.java:3)"
		return indented && strings.HasPrefix(t, "at ") && strings.ContainsAny(t[3:], "(:")
	case 'f':
		if strings.HasPrefix(t, "from ") && strings.Contains(t, ":in ") {
			return true // Ruby "from app/x.rb:3:in 'm'"
		}
		if strings.HasPrefix(t, "fatal error: ") {
			return true // Go runtime
		}
	case 'F':
		if strings.HasPrefix(t, "File \"") && strings.Contains(t, "\", line ") {
			return true // Python
		}
	case 'T':
		if strings.HasPrefix(t, "Traceback (most recent call last)") {
			return true
		}
	case 'C':
		if strings.HasPrefix(t, "Caused by: ") {
			return true // Java
		}
	case 'g':
		if strings.HasPrefix(t, "goroutine ") && strings.HasSuffix(t, "]:") {
			return true
		}
	case 'p':
		if strings.HasPrefix(t, "panic: ") {
			return true
		}
	case '.':
		if indented && strings.HasPrefix(t, "... ") && strings.HasSuffix(t, " more") {
			return true // Java "... 12 more"
		}
	case 'E':
		if strings.HasPrefix(t, "Exception in thread ") {
			return true
		}
	}
	if strings.Contains(t, ".rb:") && strings.Contains(t, ":in ") {
		return true // Ruby "/app/x.rb:3:in `m'"
	}
	if indented && strings.Contains(t, ".go:") {
		return true // Go "\t/app/x.go:3 +0x1d"
	}
	return exceptionHeader(t)
}

// exceptionHeader recognizes the first line of an exception: "TypeError:
// x", "java.lang.IllegalStateException: x", "ValueError: x".
func exceptionHeader(t string) bool {
	i := 0
	for i < len(t) && (isWordByte(t[i]) || t[i] == '$') {
		i++
	}
	name := t[:i]
	if !strings.HasSuffix(name, "Error") && !strings.HasSuffix(name, "Exception") {
		return false
	}
	return i == len(t) || t[i] == ':'
}

// weakStack recognizes lines that are stack frames only inside a trace:
// Go's "main.main()" and "created by …", indented source lines (Python).
func weakStack(msg string) bool {
	if msg == "" {
		return false
	}
	if msg[0] == ' ' || msg[0] == '\t' || strings.HasPrefix(msg, "created by ") || strings.HasPrefix(msg, "[signal ") {
		return true
	}
	open := strings.IndexByte(msg, '(')
	return open > 0 && strings.IndexByte(msg[:open], ' ') < 0 && strings.HasSuffix(msg, ")")
}

// parseTime reads an RFC 3339 timestamp at the start of s
// ("2020-12-07T09:10:18.982224+00:00", a space for the T, Z or any
// offset, none meaning UTC) and returns it in UTC with the bytes it took.
func parseTime(s string) (time.Time, int, bool) {
	if len(s) < 19 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != ' ') || s[13] != ':' || s[16] != ':' {
		return time.Time{}, 0, false
	}
	year, ok1 := digits(s[0:4])
	month, ok2 := digits(s[5:7])
	day, ok3 := digits(s[8:10])
	hour, ok4 := digits(s[11:13])
	min, ok5 := digits(s[14:16])
	sec, ok6 := digits(s[17:19])
	if !ok1 || !ok2 || !ok3 || !ok4 || !ok5 || !ok6 ||
		month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || min > 59 || sec > 60 {
		return time.Time{}, 0, false
	}
	i := 19
	nsec := 0
	if i < len(s) && (s[i] == '.' || s[i] == ',') {
		i++
		scale := 100000000
		start := i
		for i < len(s) && isDigit(s[i]) {
			nsec += int(s[i]-'0') * scale
			scale /= 10
			i++
		}
		if i == start {
			return time.Time{}, 0, false
		}
	}
	offset := 0
	if i < len(s) {
		switch s[i] {
		case 'Z', 'z':
			i++
		case '+', '-':
			sign := 1
			if s[i] == '-' {
				sign = -1
			}
			// +HH:MM, +HHMM or +HH
			if i+3 > len(s) {
				return time.Time{}, 0, false
			}
			hh, ok := digits(s[i+1 : i+3])
			if !ok || hh > 23 {
				return time.Time{}, 0, false
			}
			i += 3
			mm := 0
			if i+3 <= len(s) && s[i] == ':' {
				if mm, ok = digits(s[i+1 : i+3]); !ok {
					return time.Time{}, 0, false
				}
				i += 3
			} else if i+2 <= len(s) && isDigit(s[i]) {
				if mm, ok = digits(s[i : i+2]); !ok {
					return time.Time{}, 0, false
				}
				i += 2
			}
			if mm > 59 {
				return time.Time{}, 0, false
			}
			offset = sign * (hh*3600 + mm*60)
		}
	}
	if i < len(s) && s[i] != ' ' && s[i] != '\t' {
		return time.Time{}, 0, false
	}
	t := time.Date(year, time.Month(month), day, hour, min, sec, nsec, time.UTC)
	if offset != 0 {
		t = t.Add(-time.Duration(offset) * time.Second)
	}
	return t, i, true
}

// digits parses a short run of ASCII digits.
func digits(s string) (int, bool) {
	n := 0
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return 0, false
		}
		n = n*10 + int(s[i]-'0')
	}
	return n, true
}

// leadingInt parses the digits at the start of s ("30000ms" → 30000).
func leadingInt(s string) (int, bool) {
	n, i := 0, 0
	neg := i < len(s) && s[i] == '-'
	if neg {
		i++
	}
	start := i
	for i < len(s) && isDigit(s[i]) && i-start < 12 {
		n = n*10 + int(s[i]-'0')
		i++
	}
	if neg {
		n = -n
	}
	return n, i > start
}

func firstWord(s string) string {
	if i := strings.IndexAny(s, " \t,"); i >= 0 {
		return s[:i]
	}
	return s
}

func isUpperWord(s string) bool {
	if s == "" || len(s) > 10 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 'A' || s[i] > 'Z' {
			return false
		}
	}
	return true
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// isWordByte is a byte of a source name, a key or an exception name.
func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.'
}

func trimEOL(b []byte) []byte {
	if n := len(b); n > 0 && b[n-1] == '\n' {
		b = b[:n-1]
	}
	if n := len(b); n > 0 && b[n-1] == '\r' {
		b = b[:n-1]
	}
	return b
}

func isBlank(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n' {
			return false
		}
	}
	return true
}

// printable says s is text: valid UTF-8 without control characters other
// than tabs. Garbage is not a continuation of anything.
func printable(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 && c != '\t' || c == 0x7f {
			return false
		}
	}
	return utf8.ValidString(s)
}
