package search

import (
	"strings"
	"unicode"
)

// maxTerms bounds how many words of a query are searched: a pasted ticket
// description must not become a hundred-way OR.
const maxTerms = 32

// token is a word of a text: a run of letters and digits, lower-cased, with
// where it was in the text.
type token struct {
	word       string
	start, end int // byte offsets in the text
}

// tokenize splits text into words the way both engines roughly do: letters
// and digits make words, everything else separates them.
func tokenize(text string) []token {
	var out []token
	start := -1
	for i, r := range text {
		word := unicode.IsLetter(r) || unicode.IsDigit(r)
		switch {
		case word && start < 0:
			start = i
		case !word && start >= 0:
			out = append(out, token{strings.ToLower(text[start:i]), start, i})
			start = -1
		}
	}
	if start >= 0 {
		out = append(out, token{strings.ToLower(text[start:]), start, len(text)})
	}
	return out
}

// parsed is a query reduced to what is searched.
type parsed struct {
	terms []string // meaningful words, lower case, in query order, no repeats
	codes []string // platform error codes named, upper case ("H12")
}

// parse drops stopwords and one-letter words and picks out error codes.
// Customers write sentences ("my app keeps crashing with h10 what do i do"):
// what is left is searched with OR, and ranking sorts it out.
func parse(text string) parsed {
	var p parsed
	seen := map[string]bool{}
	for _, t := range tokenize(text) {
		w := t.word
		if seen[w] || len([]rune(w)) < 2 || stopwords[w] {
			continue
		}
		seen[w] = true
		if c, ok := errorCode(w); ok {
			p.codes = append(p.codes, c)
		}
		if len(p.terms) < maxTerms {
			p.terms = append(p.terms, w)
		}
	}
	return p
}

// errorCode reports whether word names a platform error code: H10–H99
// (router), R10–R99 (runtime) or L10–L15 (logging).
func errorCode(word string) (string, bool) {
	if len(word) != 3 || word[1] < '1' || word[1] > '9' || word[2] < '0' || word[2] > '9' {
		return "", false
	}
	switch word[0] {
	case 'h', 'r':
	case 'l':
		if word[1] != '1' || word[2] > '5' {
			return "", false
		}
	default:
		return "", false
	}
	return strings.ToUpper(word), true
}

// letters reports whether w is made of letters only: the words the
// vocabulary keeps and typo correction applies to.
func letters(w string) bool {
	for _, r := range w {
		if !unicode.IsLetter(r) {
			return false
		}
	}
	return w != ""
}

// ftsQuery is terms as an FTS5 MATCH expression: every term a quoted string
// (quotes doubled), joined by OR, so no input is ever read as syntax.
func ftsQuery(terms []string) string {
	quoted := make([]string, len(terms))
	for i, t := range terms {
		quoted[i] = `"` + strings.ReplaceAll(t, `"`, `""`) + `"`
	}
	return strings.Join(quoted, " OR ")
}

// tsQuery is terms as a to_tsquery expression: every term a quoted lexeme
// (quotes doubled, backslashes escaped), joined by |.
func tsQuery(terms []string) string {
	quoted := make([]string, len(terms))
	for i, t := range terms {
		t = strings.ReplaceAll(t, `\`, `\\`)
		quoted[i] = `'` + strings.ReplaceAll(t, `'`, `''`) + `'`
	}
	return strings.Join(quoted, " | ")
}

// stopwords are removed from queries before either engine sees them: the
// Snowball English list (PostgreSQL's), a few more function words, and the
// filler of questions people type into a help center.
var stopwords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`
		a about above after again against all am an and any are aren arent as at
		be because been before being below between both but by
		can cannot could couldn couldnt
		did didn didnt do does doesn doesnt doing don dont down during
		each few for from further
		had hadn hadnt has hasn hasnt have haven havent having he hed hes her here heres hers herself him himself his how hows
		i id ill im ive if in into is isn isnt it its itself
		lets me more most mustn mustnt my myself
		no nor not of off on once only or other ought our ours ourselves out over own
		same shan shant she shes should shouldn shouldnt so some such
		than that thats the their theirs them themselves then there theres these they theyd theyll theyre theyve this those through to too
		under until up very
		was wasn wasnt we wed well were weve weren werent what whats when whens where wheres which while who whos whom why whys with won wont would wouldn wouldnt
		you youd youll youre youve your yours yourself yourselves
		ll re ve
		also am anyone anybody anything anyway around being could does else even ever every get gets getting got gotten
		just keep keeps keeping kept like may might much must need needs never now often please really
		seem seems someone somebody something sometimes still sure thank thanks hi hello hey
		tried try trying want wants wanted way will yet
	`) {
		m[w] = true
	}
	return m
}()
