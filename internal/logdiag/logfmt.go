package logdiag

import "strings"

// parseLogfmt reads every key=value pair of s in order: bare or quoted
// values (with \" and \\ escapes), empty values ("dyno= connect="), and
// bare keys (a word without "=", kept with an empty value). Keys and
// unescaped values are slices of s: only a quoted value with an escape
// in it allocates.
func parseLogfmt(s string) []Field {
	fields := make([]Field, 0, strings.Count(s, "="))
	i := 0
	for i < len(s) {
		for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
			i++
		}
		if i >= len(s) {
			break
		}
		start := i
		for i < len(s) && s[i] != '=' && s[i] != ' ' && s[i] != '\t' {
			i++
		}
		key := s[start:i]
		if i >= len(s) || s[i] != '=' {
			fields = append(fields, Field{Key: key})
			continue
		}
		i++ // '='
		if i < len(s) && s[i] == '"' {
			var value string
			value, i = quoted(s, i+1)
			fields = append(fields, Field{Key: key, Value: value})
			continue
		}
		vstart := i
		if j := strings.IndexAny(s[i:], " \t"); j >= 0 {
			i += j
		} else {
			i = len(s)
		}
		fields = append(fields, Field{Key: key, Value: s[vstart:i]})
	}
	return fields
}

// quoted reads a quoted value starting after its opening quote and
// returns it with the index after the closing quote. An unterminated
// value runs to the end of s.
func quoted(s string, i int) (string, int) {
	start := i
	escaped := false
	for {
		j := strings.IndexByte(s[i:], '"')
		if j < 0 {
			return unescape(s[start:], escaped), len(s)
		}
		end := i + j
		// Count the backslashes before the quote: an odd number escapes it.
		k := end
		for k > start && s[k-1] == '\\' {
			k--
		}
		if (end-k)%2 == 0 {
			return unescape(s[start:end], escaped || strings.IndexByte(s[start:end], '\\') >= 0), end + 1
		}
		escaped = true
		i = end + 1
	}
}

func unescape(v string, escaped bool) string {
	if !escaped {
		return v
	}
	var b strings.Builder
	b.Grow(len(v))
	for i := 0; i < len(v); i++ {
		if v[i] == '\\' && i+1 < len(v) && (v[i+1] == '"' || v[i+1] == '\\') {
			i++
		}
		b.WriteByte(v[i])
	}
	return b.String()
}

// looksLogfmt says an app message is worth splitting into fields: its
// first word is key=value.
func looksLogfmt(s string) bool {
	for i := 0; i < len(s) && i < 64; i++ {
		c := s[i]
		if c == '=' {
			return i > 0
		}
		if !isWordByte(c) {
			return false
		}
	}
	return false
}
