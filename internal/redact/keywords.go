package redact

import "strings"

// keywordIndex finds, in one pass over the text, which of a few hundred
// lower-case keywords occur (ASCII case-insensitively) and where. Rules only
// run when one of their keywords occurs, as in gitleaks: most pasted text
// mentions few credential vendors, so most regexps never run.
//
// Keywords are grouped by their first two bytes, so each text position costs
// two table loads; a keyword of one byte would not fit, and gitleaks has none.
type keywordIndex struct {
	words []string // sorted by their two-byte prefix
	ids   []int    // ids[i] is the id given to words[i] by the builder
	heads []uint32 // words with prefix p are words[heads[p]:heads[p+1]]
	n     int      // number of ids
	short []int    // ids of one-byte keywords, reported as always present
}

type keywordBuilder struct {
	ids map[string]int
}

func newKeywordBuilder() *keywordBuilder {
	return &keywordBuilder{ids: map[string]int{}}
}

// add registers a keyword and returns its id; the same word gets the same id.
func (b *keywordBuilder) add(word string) int {
	word = strings.ToLower(word)
	if id, ok := b.ids[word]; ok {
		return id
	}
	id := len(b.ids)
	b.ids[word] = id
	return id
}

func (b *keywordBuilder) build() keywordIndex {
	idx := keywordIndex{heads: make([]uint32, 1<<16+1), n: len(b.ids)}
	type entry struct {
		word string
		id   int
	}
	buckets := make([][]entry, 1<<16)
	for w, id := range b.ids {
		if len(w) < 2 {
			// Cannot be indexed by two bytes; scan reports it as present,
			// so its rule always runs: slower, never wrong.
			idx.short = append(idx.short, id)
			continue
		}
		p := prefix(w[0], w[1])
		buckets[p] = append(buckets[p], entry{w, id})
	}
	for p, es := range buckets {
		idx.heads[p] = uint32(len(idx.words))
		for _, e := range es {
			idx.words = append(idx.words, e.word)
			idx.ids = append(idx.ids, e.id)
		}
	}
	idx.heads[1<<16] = uint32(len(idx.words))
	return idx
}

func lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

func prefix(a, b byte) int { return int(lower(a))<<8 | int(lower(b)) }

// scan returns which keyword ids occur and the offsets of each occurrence.
func (k *keywordIndex) scan(text string) (seen []bool, hits [][]int) {
	seen = make([]bool, k.n)
	hits = make([][]int, k.n)
	for i := 0; i+1 < len(text); i++ {
		p := prefix(text[i], text[i+1])
		for j := k.heads[p]; j < k.heads[p+1]; j++ {
			w := k.words[j]
			if hasPrefixFold(text[i:], w) {
				id := k.ids[j]
				seen[id] = true
				hits[id] = append(hits[id], i)
			}
		}
	}
	for _, id := range k.short {
		seen[id] = true
	}
	return seen, hits
}

// hasPrefixFold reports whether s starts with the lower-case ASCII word,
// ignoring ASCII case in s.
func hasPrefixFold(s, word string) bool {
	if len(s) < len(word) {
		return false
	}
	for i := 0; i < len(word); i++ {
		if lower(s[i]) != word[i] {
			return false
		}
	}
	return true
}
