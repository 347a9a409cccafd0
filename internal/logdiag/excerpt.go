package logdiag

import (
	"strings"
	"unicode/utf8"
)

// Excerpt bounds: a ticket's log excerpt (the ticket package takes 64 KB
// per field) of the first errors of each kind with their context, plus
// the latest error with its context.
const (
	excerptMaxLines = 200
	excerptMaxBytes = 64 * 1024
	excerptMaxLine  = 512 // longer lines are cut
	excerptBefore   = 3   // context lines before an error
	excerptCrash    = 20  // lines of a crashing process quoted before its exit (its error)
	excerptAfter    = 3   // and after it
	excerptStack    = 20  // a stack trace right after that context is followed this far
	excerptPerKind  = 5   // errors of one kind (code, crash, exit…) quoted with context
	excerptGap      = "…"

	// The latest block's share of the bounds, kept free by the first part.
	latestMax       = excerptBefore + 1 + excerptAfter + excerptStack
	excerptTailRoom = latestMax + 1
	excerptTailSize = 16 * 1024
)

type ctxLine struct {
	n    int
	raw  string
	proc string
	kind Kind
}

// How a line is quoted.
const (
	quoteNone  = iota
	quoteError // with a few lines around it
	quoteCrash // with what its process printed before it, back to its start
)

// excerpt builds the Excerpt while lines stream by: the first few errors
// of each kind with a few lines around them (and a stack trace that
// follows), in input order, "…" where lines were skipped; then the latest
// error with its context, so a ticket shows how things stand at the end.
type excerpt struct {
	b       strings.Builder
	lines   int
	full    bool
	lastN   int // the last line written
	after   int // context lines still owed after an error
	stack   int // stack-trace lines still allowed after that
	perKind map[string]int

	ring     [excerptCrash]ctxLine // the lines just before the current one
	ringLen  int
	ringNext int

	latest      [latestMax]ctxLine // the last error not quoted above, with context
	latestLen   int
	latestAfter int
	latestStack int
}

func newExcerpt() excerpt { return excerpt{perKind: map[string]int{}} }

// wants says whether an error of this kind is to be quoted with its
// context, and counts it.
func (e *excerpt) wants(kind string) bool {
	if e.full || e.perKind[kind] >= excerptPerKind || len(e.perKind) >= maxCodes {
		return false
	}
	e.perKind[kind]++
	return true
}

// add takes every line in input order: quote says whether and how it is
// quoted, isErr whether it is an error at all.
func (e *excerpt) add(l Line, quote int, isErr bool) {
	cl := ctxLine{l.N, l.Raw, l.Process, l.Kind}
	written := false
	if !e.full {
		switch {
		case quote != quoteNone:
			for _, c := range e.before(quote, l.Process) {
				if c.n > e.lastN {
					e.write(c)
				}
			}
			written = e.write(cl)
			e.after, e.stack = excerptAfter, excerptStack
		case e.after > 0:
			written = e.write(cl)
			e.after--
		case e.stack > 0 && l.Kind == KindStack:
			written = e.write(cl)
			e.stack--
		default:
			e.stack = 0
		}
	}
	e.track(cl, l.Kind, isErr && !written)
	e.ring[e.ringNext] = cl
	e.ringNext = (e.ringNext + 1) % excerptCrash
	e.ringLen = min(e.ringLen+1, excerptCrash)
}

// ringAt is the i-th oldest line of the ring.
func (e *excerpt) ringAt(i int) ctxLine {
	return e.ring[(e.ringNext-e.ringLen+i+excerptCrash)%excerptCrash]
}

// before is the context quoted before a line: the last few lines, or for
// a crash what the same process printed since it started (its error and
// stack trace), as far as the ring reaches.
func (e *excerpt) before(quote int, proc string) []ctxLine {
	n := min(e.ringLen, excerptBefore)
	if quote == quoteCrash && proc != "" {
		n = 0
		for i := e.ringLen - 1; i >= 0; i-- {
			c := e.ringAt(i)
			if c.proc != proc && c.kind != KindStack {
				continue
			}
			n = e.ringLen - i
			if c.kind == KindBoot {
				break
			}
		}
		n = max(n, min(e.ringLen, excerptBefore))
	}
	out := make([]ctxLine, 0, n)
	for i := e.ringLen - n; i < e.ringLen; i++ {
		out = append(out, e.ringAt(i))
	}
	return out
}

// track keeps the latest unquoted error and its context: a few string
// headers copied per error line, nothing more.
func (e *excerpt) track(cl ctxLine, kind Kind, isErr bool) {
	switch {
	case isErr:
		e.latestLen = 0
		for i := e.ringLen - min(e.ringLen, excerptBefore); i < e.ringLen; i++ {
			e.latest[e.latestLen] = e.ringAt(i)
			e.latestLen++
		}
		e.latest[e.latestLen] = cl
		e.latestLen++
		e.latestAfter, e.latestStack = excerptAfter, excerptStack
	case e.latestAfter > 0:
		e.latest[e.latestLen] = cl
		e.latestLen++
		e.latestAfter--
	case e.latestStack > 0 && kind == KindStack:
		e.latest[e.latestLen] = cl
		e.latestLen++
		e.latestStack--
	default:
		e.latestStack = 0
	}
}

// write appends a line (after "…" when lines were skipped), unless the
// first part's bounds are reached.
func (e *excerpt) write(c ctxLine) bool {
	raw := cutLine(c.raw)
	gap := e.lastN != 0 && c.n != e.lastN+1
	need, lines := len(raw)+1, 1
	if gap {
		need, lines = need+len(excerptGap)+1, 2
	}
	if e.lines+lines > excerptMaxLines-excerptTailRoom || e.b.Len()+need > excerptMaxBytes-excerptTailSize {
		e.full = true
		return false
	}
	if gap {
		e.b.WriteString(excerptGap + "\n")
	}
	e.b.WriteString(raw)
	e.b.WriteByte('\n')
	e.lines += lines
	e.lastN = c.n
	return true
}

func cutLine(raw string) string {
	if len(raw) <= excerptMaxLine {
		return raw
	}
	i := excerptMaxLine
	for i > 0 && !utf8.RuneStart(raw[i]) {
		i--
	}
	return raw[:i] + excerptGap
}

// text is the excerpt: the quoted errors, then the latest error with its
// context where it was not among them.
func (e *excerpt) text() string {
	var b strings.Builder
	b.WriteString(e.b.String())
	lastN := e.lastN
	for _, c := range e.latest[:e.latestLen] {
		if c.n <= lastN {
			continue
		}
		if lastN != 0 && c.n != lastN+1 {
			b.WriteString(excerptGap + "\n")
		}
		b.WriteString(cutLine(c.raw))
		b.WriteByte('\n')
		lastN = c.n
	}
	return b.String()
}
