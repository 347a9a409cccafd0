// Package redact removes credentials from text customers paste into tickets
// (descriptions, logs, configuration, comments) before it is stored: each
// secret becomes [REDACTED:kind] and the caller learns how many there were.
//
// # Detector choice
//
// The broad rule set is gitleaks' (the field's standard), but not its detect
// package. Measured with gitleaks v8.30.1:
//
//   - go get adds 64 requirements to our go.mod (49 today) and 10 MB to the
//     binary: detect imports gitleaks' scanning sources and report packages,
//     so we would link 7z, rar, xz, lz4 and brotli decoders, lipgloss, sprig,
//     viper and zerolog to scan a string. Importing only its config package
//     still costs 27 modules (viper's tree) and 4 MB.
//   - NewDetectorDefaultConfig loads rules through viper's global instance
//     (package-level state, racy when two callers build detectors), and the
//     detector logs through a global zerolog logger that writes the secret
//     itself at trace level: the one place our secrets must never go.
//   - Its heroku-api-key rule flags the request_id UUID of every Heroku
//     router line, and with generic-api-key a 10 KB router log took 21 ms.
//   - Positions come back as line and column of the whole match (1-based on
//     the first line, 2-based after it), not as offsets of the secret.
//
// So the rule file (gitleaks.toml) is embedded and interpreted here with
// gitleaks' semantics (keywords, secret group, entropy, allowlists), with
// one small dependency: github.com/pelletier/go-toml/v2, which has none of
// its own and is the parser viper uses for this very file. Offsets are exact
// because we run each regexp ourselves, and the same 10 KB log takes under
// 1 ms. See gitleaks.go.
//
// On top of it come the platform's own rules (rules.go, assign.go):
// url-password, heroku-api-key, env-secret, private-key and auth-header.
package redact

import (
	"regexp"
	"slices"
	"strings"
)

// Finding is one removed secret: its rule id and its byte offsets in the
// original text. The secret itself is deliberately not kept.
type Finding struct {
	Kind       string
	Start, End int
}

// Rule priorities decide the kind when several rules cover the same bytes:
// the most specific name wins.
const (
	prioEnv      = iota // env-secret: only the key name says it is secret
	prioHeader          // auth-header: the position says so, not the format
	prioGitleaks        // a known credential format
	prioOwn             // our own format rules: private-key, url-password, heroku-api-key
)

// repeatMinLen is the shortest secret whose other occurrences in the same
// text are redacted too: a password found in KEY=value form often reappears
// bare later in a log. Shorter values would hit ordinary words.
const repeatMinLen = 8

// Redactor finds and removes secrets. It is immutable after New, so one
// value serves all goroutines.
type Redactor struct {
	rules    []regexRule
	keywords keywordIndex
	// ruleKeywords[i] lists the keyword ids that make rule i worth running;
	// rules without keywords always run.
	ruleKeywords [][]int
	finders      []finder
}

// finder is a hand-written detector: cheaper and more precise than a regexp
// where the secret's extent depends on context.
type finder struct {
	keywords []int
	// find reports candidates; hits are the offsets where this finder's
	// keywords occur, in increasing order.
	find func(text string, hits []int, emit func(candidate))
}

// candidate is a finding before overlapping ones are merged.
type candidate struct {
	kind       string
	start, end int
	priority   int
	order      int // rule order, for stable tie-breaks
}

// New compiles the rule set. It takes tens of milliseconds, so build one
// Redactor at start-up and share it.
func New() (*Redactor, error) {
	gl, err := loadGitleaksRules()
	if err != nil {
		return nil, err
	}
	r := &Redactor{rules: append(ownRegexRules(), gl...)}
	kb := newKeywordBuilder()
	for _, rule := range r.rules {
		var ids []int
		for _, k := range rule.keywords {
			ids = append(ids, kb.add(k))
		}
		r.ruleKeywords = append(r.ruleKeywords, ids)
	}
	for _, f := range ownFinders() {
		var ids []int
		for _, k := range f.keywords {
			ids = append(ids, kb.add(k))
		}
		r.finders = append(r.finders, finder{keywords: ids, find: f.find})
	}
	r.keywords = kb.build()
	return r, nil
}

// Redact returns text with every secret replaced by [REDACTED:kind] and the
// findings, ordered by offset, in terms of the original text.
func (r *Redactor) Redact(text string) (string, []Finding) {
	findings := r.find(text)
	if len(findings) == 0 {
		return text, nil
	}
	var b strings.Builder
	b.Grow(len(text))
	last := 0
	for _, f := range findings {
		b.WriteString(text[last:f.Start])
		b.WriteString(marker(f.Kind))
		last = f.End
	}
	b.WriteString(text[last:])
	return b.String(), findings
}

// RedactAll redacts each string in place and returns the number of secrets
// removed from all of them, which is what a ticket reports to the customer.
func (r *Redactor) RedactAll(fields ...*string) int {
	n := 0
	for _, p := range fields {
		if p == nil {
			continue
		}
		var fs []Finding
		*p, fs = r.Redact(*p)
		n += len(fs)
	}
	return n
}

// marker is the text that replaces a secret of the given kind.
func marker(kind string) string { return markerPrefix + kind + "]" }

const markerPrefix = "[REDACTED:"

func (r *Redactor) find(text string) []Finding {
	var cands []candidate
	emitFor := func(order int) func(candidate) {
		return func(c candidate) {
			// A value that is already a marker was redacted by an earlier
			// pass; finding it again would break idempotence.
			if onlyMarkers(text[c.start:c.end]) {
				return
			}
			c.order = order
			cands = append(cands, c)
		}
	}

	seen, hits := r.keywords.scan(text)
	for i := range r.rules {
		if !anySeen(seen, r.ruleKeywords[i]) && len(r.ruleKeywords[i]) > 0 {
			continue
		}
		r.rules[i].find(text, emitFor(i))
	}
	for i, f := range r.finders {
		var at []int
		for _, id := range f.keywords {
			at = append(at, hits[id]...)
		}
		if len(at) == 0 {
			continue
		}
		slices.Sort(at)
		f.find(text, at, emitFor(len(r.rules)+i))
	}
	if len(cands) == 0 {
		return nil
	}
	merged := merge(dropURLContainers(cands))
	return merge(append(merged, repeats(text, merged)...)).findings()
}

func anySeen(seen []bool, ids []int) bool {
	for _, id := range ids {
		if seen[id] {
			return true
		}
	}
	return false
}

// onlyMarkers reports whether s holds nothing but redaction markers, quotes
// and spaces.
func onlyMarkers(s string) bool {
	found := false
	for {
		s = strings.TrimLeft(s, " \t\"'")
		if s == "" {
			return found
		}
		if !strings.HasPrefix(s, markerPrefix) {
			return false
		}
		end := strings.IndexByte(s, ']')
		if end < 0 {
			return false
		}
		s = s[end+1:]
		found = true
	}
}

// dropURLContainers removes candidates that strictly contain a url-password
// candidate: the URL rule knows exactly which part is the password, so the
// user name, host and path stay readable for staff. A private key cannot
// contain a URL, but if a rule claims so, the key wins.
func dropURLContainers(cands []candidate) []candidate {
	var urls []candidate
	for _, c := range cands {
		if c.kind == kindURLPassword {
			urls = append(urls, c)
		}
	}
	if len(urls) == 0 {
		return cands
	}
	out := cands[:0:0]
	for _, c := range cands {
		drop := false
		if c.kind != kindURLPassword && c.kind != kindPrivateKey {
			for _, u := range urls {
				if c.start <= u.start && u.end <= c.end {
					drop = true
					break
				}
			}
		}
		if !drop {
			out = append(out, c)
		}
	}
	return out
}

type mergedList []candidate

// merge turns overlapping candidates into one span covering them all, so no
// byte of any detected secret survives; the kind is that of the most
// specific rule, then of the longest candidate.
func merge(cands []candidate) mergedList {
	slices.SortFunc(cands, func(a, b candidate) int {
		if a.start != b.start {
			return a.start - b.start
		}
		return b.end - a.end
	})
	var out mergedList
	for _, c := range cands {
		if n := len(out); n > 0 && c.start < out[n-1].end {
			cur := &out[n-1]
			if better(c, *cur) {
				cur.kind, cur.priority, cur.order = c.kind, c.priority, c.order
			}
			cur.end = max(cur.end, c.end)
			continue
		}
		out = append(out, c)
	}
	return out
}

func better(a, b candidate) bool {
	if a.priority != b.priority {
		return a.priority > b.priority
	}
	if la, lb := a.end-a.start, b.end-b.start; la != lb {
		return la > lb
	}
	return a.order < b.order
}

func (m mergedList) findings() []Finding {
	out := make([]Finding, len(m))
	for i, c := range m {
		out[i] = Finding{Kind: c.kind, Start: c.start, End: c.end}
	}
	return out
}

// maxRepeatSearches bounds the work of repeats at that many scans of the
// text: a paste of thousands of distinct secrets (a dumped credentials
// table) would otherwise cost secrets × length. Tickets' fields are at most
// 64 KB, so this is a few milliseconds at worst.
const maxRepeatSearches = 256

// repeats returns the other occurrences of each found secret.
func repeats(text string, found mergedList) []candidate {
	var out []candidate
	searched := make(map[string]bool)
	for _, f := range found {
		secret := text[f.start:f.end]
		if len(secret) < repeatMinLen || searched[secret] || len(searched) == maxRepeatSearches {
			continue
		}
		searched[secret] = true
		for from := 0; ; {
			i := strings.Index(text[from:], secret)
			if i < 0 {
				break
			}
			c := f
			c.start, c.end = from+i, from+i+len(secret)
			out = append(out, c)
			from += i + 1
		}
	}
	return out
}

// regexRule is one regexp detector, from gitleaks or our own.
type regexRule struct {
	kind     string
	re       *regexp.Regexp
	keywords []string
	priority int
	// secretGroup picks the capture group holding the secret; 0 means the
	// first non-empty group, or the whole match when there is none
	// (gitleaks' convention).
	secretGroup int
	entropy     float64 // the secret's Shannon entropy must exceed this
	allowlists  []allowlist
	valid       func(secret string) bool
}

func (r *regexRule) find(text string, emit func(candidate)) {
	for _, m := range r.re.FindAllStringSubmatchIndex(text, -1) {
		start, end := m[0], m[1]
		switch {
		case r.secretGroup > 0:
			if 2*r.secretGroup+1 >= len(m) || m[2*r.secretGroup] < 0 {
				continue
			}
			start, end = m[2*r.secretGroup], m[2*r.secretGroup+1]
		default:
			for g := 1; 2*g+1 < len(m); g++ {
				if m[2*g] >= 0 && m[2*g+1] > m[2*g] {
					start, end = m[2*g], m[2*g+1]
					break
				}
			}
		}
		// gitleaks trims newlines a pattern may have swallowed.
		for start < end && text[start] == '\n' {
			start++
		}
		for end > start && text[end-1] == '\n' {
			end--
		}
		if start >= end {
			continue
		}
		secret := text[start:end]
		if r.entropy > 0 && shannonEntropy(secret) <= r.entropy {
			continue
		}
		if r.valid != nil && !r.valid(secret) {
			continue
		}
		if r.allowed(text, secret, m[0], m[1]) {
			continue
		}
		emit(candidate{kind: r.kind, start: start, end: end, priority: r.priority})
	}
}

func (r *regexRule) allowed(text, secret string, ms, me int) bool {
	for i := range r.allowlists {
		a := &r.allowlists[i]
		line := ""
		if a.target == "line" {
			ls := strings.LastIndexByte(text[:ms], '\n') + 1
			le := strings.IndexByte(text[me:], '\n')
			if le < 0 {
				le = len(text)
			} else {
				le += me
			}
			line = text[ls:le]
		}
		if a.allows(secret, text[ms:me], line) {
			return true
		}
	}
	return false
}
