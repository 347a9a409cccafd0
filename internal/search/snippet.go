package search

import (
	"html"
	"strings"
)

// The engines mark matches in snippets with these characters, which
// indexed text never contains (clean drops them); mark turns them into
// <mark> after escaping everything else.
const (
	markStart = '\x01'
	markEnd   = '\x02'
	// lessThan stands for '<' in the text PostgreSQL parses.
	lessThan = '\x03'
)

// snippetWords is about how long a snippet is.
const snippetWords = 30

// mark turns an engine's snippet into HTML: whitespace collapsed, all text
// escaped, and only the engine's markers become <mark></mark>.
func mark(snippet string) string {
	s := html.EscapeString(strings.Join(strings.Fields(snippet), " "))
	return strings.NewReplacer(string(markStart), "<mark>", string(markEnd), "</mark>", string(lessThan), "&lt;").Replace(s)
}

// passage is a snippet made in Go, for documents found without the engine
// (exact error-code matches): about n words of text from a little before
// the first word matching terms, matches marked, as HTML.
func passage(text string, terms []string, n int) string {
	toks := tokenize(text)
	if len(toks) == 0 {
		return ""
	}
	matches := func(w string) bool {
		for _, t := range terms {
			if w == t || root(w) == root(t) {
				return true
			}
		}
		return false
	}
	first := 0
	for i, t := range toks {
		if matches(t.word) {
			first = i
			break
		}
	}
	start := max(0, first-n/4)
	end := min(len(toks), start+n)
	var b strings.Builder
	if start > 0 {
		b.WriteString("… ")
	}
	at := toks[start].start
	for _, t := range toks[start:end] {
		if !matches(t.word) {
			continue
		}
		b.WriteString(text[at:t.start])
		b.WriteRune(markStart)
		b.WriteString(text[t.start:t.end])
		b.WriteRune(markEnd)
		at = t.end
	}
	if end < len(toks) {
		b.WriteString(text[at:toks[end-1].end])
		b.WriteString(" …")
	} else {
		b.WriteString(text[at:]) // to the end, final full stop included
	}
	return mark(b.String())
}

// root strips a common English ending ("crashes", "crashing", "crashed"
// → "crash"; "replies" → "reply"; "dropped" → "drop"), roughly as the
// stemmers do: for Go-made snippets and the vocabulary's notion of a known
// word.
func root(w string) string {
	if r, ok := strings.CutSuffix(w, "ies"); ok && len(r) >= 2 {
		return r + "y"
	}
	for _, suffix := range []string{"ing", "ed", "es", "s"} {
		r, ok := strings.CutSuffix(w, suffix)
		if !ok || len(r) < 3 {
			continue
		}
		// "dropp" → "drop", but "fall" stays.
		if n := len(r); suffix != "s" && suffix != "es" && r[n-1] == r[n-2] && !strings.ContainsRune("aeiouylsz", rune(r[n-1])) {
			r = r[:n-1]
		}
		return r
	}
	return w
}
