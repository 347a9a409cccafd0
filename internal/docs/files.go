package docs

import (
	"bytes"
	"errors"
	"fmt"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/pelletier/go-toml/v2"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/internal/search"
)

// frontMatter is the TOML between the "+++" lines of an article file.
type frontMatter struct {
	Title        string          `toml:"title"`
	Slug         string          `toml:"slug"`
	Summary      string          `toml:"summary"`
	Section      string          `toml:"section"`
	Audience     string          `toml:"audience"`
	Status       string          `toml:"status"`
	Tags         []string        `toml:"tags"`
	ErrorCode    string          `toml:"error_code"`
	Position     int             `toml:"position"`
	LastReviewed *toml.LocalDate `toml:"last_reviewed"`
}

const fence = "+++"

// ParseMarkdownFile reads an article from a Markdown file with TOML front
// matter between "+++" lines; name is the file's path, which gives the slug
// and section when the front matter does not. The body is everything after
// the closing "+++" line, byte for byte. The article is not validated
// beyond its front matter: saving it does that.
func ParseMarkdownFile(name string, data []byte) (ArticleInput, error) {
	name = filepath.ToSlash(name)
	fail := func(format string, args ...any) (ArticleInput, error) {
		return ArticleInput{}, helpline.Errorf(helpline.KindInvalid, "%s: "+format, append([]any{name}, args...)...)
	}
	data = bytes.TrimPrefix(data, []byte("\uFEFF"))
	first, rest, ok := cutLine(data)
	if !ok || string(first) != fence {
		return fail(`must start with a "+++" line, then TOML front matter, then another "+++" line`)
	}
	var meta []byte
	closed := false
	for len(rest) > 0 {
		var line []byte
		line, rest, _ = cutLine(rest)
		if string(line) == fence {
			closed = true
			break
		}
		meta = append(append(meta, line...), '\n')
	}
	if !closed {
		return fail(`the front matter has no closing "+++" line`)
	}
	var fm frontMatter
	dec := toml.NewDecoder(bytes.NewReader(meta)).DisallowUnknownFields()
	if err := dec.Decode(&fm); err != nil {
		var strict *toml.StrictMissingError
		if errors.As(err, &strict) {
			keys := make([]string, len(strict.Errors))
			for i, e := range strict.Errors {
				keys[i] = strconv.Quote(strings.Join(e.Key(), "."))
			}
			return fail("unknown front-matter key %s (known: title, slug, summary, section, audience, status, tags, error_code, position, last_reviewed)",
				strings.Join(keys, ", "))
		}
		var de *toml.DecodeError
		if errors.As(err, &de) {
			row, col := de.Position()
			return fail("front matter line %d, column %d: %s", row+1, col, strings.TrimPrefix(de.Error(), "toml: "))
		}
		return fail("front matter: %v", err)
	}
	in := ArticleInput{
		Slug: fm.Slug, Title: fm.Title, Summary: fm.Summary, Body: string(rest), Tags: fm.Tags,
		Section: Section(fm.Section), Audience: Audience(fm.Audience), Status: Status(fm.Status),
		ErrorCode: fm.ErrorCode, Position: fm.Position,
	}
	if in.Slug == "" {
		in.Slug = strings.TrimSuffix(path.Base(name), ".md")
	}
	if in.Section == "" {
		if dir := path.Base(path.Dir(name)); dir != "." && dir != "/" {
			in.Section = Section(dir)
		}
	}
	if in.Audience == "" {
		in.Audience = search.AudiencePublic
	}
	if in.Status == "" {
		in.Status = StatusPublished
	}
	if fm.LastReviewed != nil {
		t := fm.LastReviewed.AsTime(time.UTC)
		in.LastReviewedAt = &t
	}
	return in, nil
}

// cutLine returns data's first line without its line ending, the rest,
// and whether a line ending was found.
func cutLine(data []byte) (line, rest []byte, ok bool) {
	line, rest, ok = bytes.Cut(data, []byte("\n"))
	return bytes.TrimSuffix(line, []byte("\r")), rest, ok
}

// FormatMarkdownFile writes an article as ParseMarkdownFile reads it.
func FormatMarkdownFile(a Article) []byte {
	var b bytes.Buffer
	b.WriteString(fence + "\n")
	kv := func(key, value string) { fmt.Fprintf(&b, "%s = %s\n", key, value) }
	kv("title", tomlString(a.Title))
	kv("slug", tomlString(a.Slug))
	if a.Summary != "" {
		kv("summary", tomlString(a.Summary))
	}
	kv("section", tomlString(string(a.Section)))
	kv("audience", tomlString(string(a.Audience)))
	kv("status", tomlString(string(a.Status)))
	if len(a.Tags) > 0 {
		quoted := make([]string, len(a.Tags))
		for i, t := range a.Tags {
			quoted[i] = tomlString(t)
		}
		kv("tags", "["+strings.Join(quoted, ", ")+"]")
	}
	if a.ErrorCode != "" {
		kv("error_code", tomlString(a.ErrorCode))
	}
	if a.Position != 0 {
		kv("position", strconv.Itoa(a.Position))
	}
	if a.LastReviewedAt != nil {
		kv("last_reviewed", a.LastReviewedAt.UTC().Format(time.DateOnly))
	}
	b.WriteString(fence + "\n")
	b.WriteString(a.Body)
	return b.Bytes()
}

// tomlString quotes s as a TOML basic string.
func tomlString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"':
			b.WriteString(`\"`)
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\r':
			b.WriteString(`\r`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\u%04X`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}
