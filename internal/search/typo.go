package search

import (
	"context"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/helpline-dev/helpline/internal/db"
)

// maxTypos is how far a misspelling may be from the word it is corrected
// to: none under four letters (too many short words are one edit apart),
// one edit up to seven letters, two from eight.
func maxTypos(word string) int {
	switch n := utf8.RuneCountInString(word); {
	case n < 4:
		return 0
	case n < 8:
		return 1
	default:
		return 2
	}
}

// maxCorrections bounds the unknown words looked up per search: a pasted
// log or description is mostly words no document has.
const maxCorrections = 8

// correct replaces the words of terms that no visible document contains
// with the closest word of the vocabulary, and returns the corrections made
// (misspelling → word), noting the words' document counts in stats. A word
// is known when the vocabulary of the searcher's audiences has it or a word
// of the same root ("crashing" for "crashes"), or, asked last as it costs
// the most, when the engine's stemmer finds it.
func (ix *index) correct(ctx context.Context, q db.Querier, terms []string, stats map[string]termStat, audiences []string) (map[string]string, error) {
	var fixes map[string]string
	tried := 0
	for _, t := range terms {
		if !letters(t) || maxTypos(t) == 0 || stats[t].known {
			continue
		}
		if tried++; tried > maxCorrections {
			break
		}
		fix, docs, err := closest(ctx, q, t, audiences)
		if err != nil {
			return nil, err
		}
		if fix == "" {
			continue
		}
		found, err := ix.engine.finds(ctx, q, t, audiences)
		if err != nil {
			return nil, err
		}
		if !found {
			if fixes == nil {
				fixes = map[string]string{}
			}
			fixes[t] = fix
			stats[fix] = termStat{known: true, docs: docs}
		}
	}
	return fixes, nil
}

// closest returns the vocabulary word nearest to word within maxTypos
// edits, the most frequent of the nearest, and how many visible documents
// have it; or "" when there is none.
// Candidates come by index: words starting with word's first letter (most
// typos) or its second (a swapped or extra first letter), of a length the
// edits allow. A wrong first letter goes uncorrected: a fair price for not
// reading the whole vocabulary.
func closest(ctx context.Context, q db.Querier, word string, audiences []string) (string, int, error) {
	k := maxTypos(word)
	runes := []rune(word)
	n := len(runes)
	heads := []string{string(runes[0])}
	if runes[1] != runes[0] {
		heads = append(heads, string(runes[1]))
	}
	var args []any
	query := `SELECT term, sum(docs) FROM search_terms WHERE head IN (` + placeholders(&args, heads) + `)`
	query += ` AND len BETWEEN ` + arg(&args, n-k) + ` AND ` + arg(&args, n+k) +
		` AND audience IN (` + placeholders(&args, audiences) + `) GROUP BY term`
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return "", 0, err
	}
	defer rows.Close()
	type candidate struct {
		term       string
		dist, docs int
	}
	var best []candidate
	for rows.Next() {
		var c candidate
		if err := rows.Scan(&c.term, &c.docs); err != nil {
			return "", 0, err
		}
		if c.dist = distance(runes, []rune(c.term), k); c.dist <= k {
			best = append(best, c)
		}
	}
	if err := rows.Err(); err != nil {
		return "", 0, err
	}
	if len(best) == 0 {
		return "", 0, nil
	}
	sort.Slice(best, func(i, j int) bool {
		a, b := best[i], best[j]
		if a.dist != b.dist {
			return a.dist < b.dist
		}
		if a.docs != b.docs {
			return a.docs > b.docs
		}
		return a.term < b.term
	})
	return best[0].term, best[0].docs, nil
}

// distance is the Damerau–Levenshtein distance of a and b (optimal string
// alignment: insertions, deletions, substitutions and swaps of neighbours),
// or max+1 as soon as it is known to exceed max.
func distance(a, b []rune, max int) int {
	if d := len(a) - len(b); d > max || -d > max {
		return max + 1
	}
	// Three rows: two back for swaps, one back, and the current one.
	prev2 := make([]int, len(b)+1)
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			v := min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				v = min(v, prev2[j-2]+1)
			}
			cur[j] = v
			rowMin = min(rowMin, v)
		}
		if rowMin > max {
			return max + 1
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return min(prev[len(b)], max+1)
}

// rewrite returns text with the misspelled words replaced, for "Showing
// results for …".
func rewrite(text string, fixes map[string]string) string {
	var b strings.Builder
	last := 0
	for _, t := range tokenize(text) {
		if fix, ok := fixes[t.word]; ok {
			b.WriteString(text[last:t.start])
			b.WriteString(fix)
			last = t.end
		}
	}
	b.WriteString(text[last:])
	return b.String()
}
