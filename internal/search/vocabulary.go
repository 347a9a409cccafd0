package search

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/helpline-dev/helpline/internal/db"
)

// vocabularyChunk bounds the rows of one vocabulary statement (five
// arguments each), well under either database's parameter limit.
const vocabularyChunk = 500

// words returns the distinct words of a document that typo correction may
// suggest: letters only, three to forty of them, no stopwords.
func words(s stored) []string {
	seen := map[string]bool{}
	var out []string
	for _, text := range []string{s.title, s.tags, s.body} {
		for _, t := range tokenize(text) {
			n := utf8.RuneCountInString(t.word)
			if n < 3 || n > 40 || seen[t.word] || stopwords[t.word] || !letters(t.word) {
				continue
			}
			seen[t.word] = true
			out = append(out, t.word)
		}
	}
	slices.Sort(out) // updateVocabulary compares two documents' words by binary search

	return out
}

// updateVocabulary moves the document counts of the vocabulary from old to
// now (either may be empty: a new or a deleted document). All changes go
// in ascending (term, audience) order in upserts, so concurrent writers
// lock the rows they share in the same order and cannot deadlock.
func updateVocabulary(ctx context.Context, q db.Querier, old, now stored) error {
	type change struct {
		term, audience string
		delta          int
	}
	var changes []change
	var gone []string
	before, after := words(old), words(now)
	for _, w := range before {
		if _, ok := slices.BinarySearch(after, w); !ok || old.audience != now.audience {
			changes = append(changes, change{w, old.audience, -1})
			gone = append(gone, w)
		}
	}
	for _, w := range after {
		if _, ok := slices.BinarySearch(before, w); !ok || old.audience != now.audience {
			changes = append(changes, change{w, now.audience, 1})
		}
	}
	slices.SortFunc(changes, func(a, b change) int {
		if c := strings.Compare(a.term, b.term); c != 0 {
			return c
		}
		return strings.Compare(a.audience, b.audience)
	})
	for chunk := range slices.Chunk(changes, vocabularyChunk) {
		var args []any
		values := make([]string, len(chunk))
		for i, c := range chunk {
			r, _ := utf8.DecodeRuneInString(c.term)
			values[i] = "(" + placeholders(&args, []any{c.term, c.audience, c.delta, string(r), utf8.RuneCountInString(c.term)}) + ")"
		}
		if _, err := q.ExecContext(ctx, `INSERT INTO search_terms (term, audience, docs, head, len) VALUES `+strings.Join(values, ", ")+`
			ON CONFLICT (term, audience) DO UPDATE SET docs = search_terms.docs + excluded.docs`, args...); err != nil {
			return fmt.Errorf("update search vocabulary: %w", err)
		}
	}
	for chunk := range slices.Chunk(gone, vocabularyChunk) {
		args := []any{old.audience}
		if _, err := q.ExecContext(ctx, `DELETE FROM search_terms WHERE audience = $1 AND docs <= 0 AND term IN (`+placeholders(&args, chunk)+`)`, args...); err != nil {
			return fmt.Errorf("update search vocabulary: %w", err)
		}
	}
	return nil
}

// commonDocs is how many documents a word may be in and still be searched
// in bodies too. A search ranks every document it matches, so a word in
// more (at 100,000 articles: "app", "deploy") is searched in titles and
// tags only, unless that leaves the page short. In bodies such words say
// little anyway: bm25 gives them almost no weight.
const commonDocs = 2000

// termStat is what the vocabulary says about a word of a query.
type termStat struct {
	// known: a document the searcher may see has the word, or a word of
	// the same root.
	known bool
	// docs estimates how many documents of any audience have the word or
	// an inflection of it (their counts added up, so rather too many).
	docs int
}

// lookup reads what the vocabulary knows about terms in one query: the
// words sharing each term's first letters, by the primary key. Stemmers
// fold more than inflections ("connection" and "connected" to "connect"),
// so the prefix is the root less up to three letters: too many documents
// counted only narrows a search to titles and tags, too few makes it slow.
func lookup(ctx context.Context, q db.Querier, terms, audiences []string) (map[string]termStat, error) {
	stats := map[string]termStat{}
	var args []any
	var ranges []string
	prefixes := map[string]string{}
	for _, t := range terms {
		if !letters(t) {
			continue
		}
		p := []rune(root(t))
		p = p[:min(len(p), max(4, len(p)-3))]
		prefixes[t] = string(p)
		ranges = append(ranges, `(term >= `+arg(&args, string(p))+` AND term < `+arg(&args, prefixEnd(string(p)))+`)`)
	}
	if len(ranges) == 0 {
		return stats, nil
	}
	rows, err := q.QueryContext(ctx, `SELECT term, audience, docs FROM search_terms WHERE `+strings.Join(ranges, " OR "), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var term, audience string
		var docs int
		if err := rows.Scan(&term, &audience, &docs); err != nil {
			return nil, err
		}
		visible := slices.Contains(audiences, audience)
		n := utf8.RuneCountInString(term)
		for t, p := range prefixes {
			// Words of about the same length: "app" must not count "application".
			if d := n - utf8.RuneCountInString(t); !strings.HasPrefix(term, p) || d > 4 || d < -4 {
				continue
			}
			s := stats[t]
			s.docs += docs
			s.known = s.known || visible && (term == t || root(term) == root(t))
			stats[t] = s
		}
	}
	return stats, rows.Err()
}

// prefixEnd is the least string greater than every string starting with
// prefix (prefix is not empty).
func prefixEnd(prefix string) string {
	r, size := utf8.DecodeLastRuneInString(prefix)
	return prefix[:len(prefix)-size] + string(r+1)
}
