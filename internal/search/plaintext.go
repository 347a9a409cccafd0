package search

import (
	"html"
	"regexp"
	"strings"
)

// The Markdown PlainText takes apart, line by line. Good enough for an
// index: it keeps every word and never needs a parser.
var (
	fenceLine     = regexp.MustCompile("^\\s{0,3}(```|~~~)")
	refDefinition = regexp.MustCompile(`^\s{0,3}\[[^\]]+\]:\s*\S+`)
	ruleLine      = regexp.MustCompile(`^\s{0,3}([-*_=]\s*){3,}$|^\s{0,3}=+\s*$`)
	tableRule     = regexp.MustCompile(`^\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)+\|?\s*$`)
	headingMarks  = regexp.MustCompile(`^\s{0,3}#{1,6}(\s+|$)|\s+#+\s*$`)
	blockMarks    = regexp.MustCompile(`^\s*((>\s*)+|[-*+]\s+(\[[ xX]\]\s+)?|\d{1,9}[.)]\s+)`)
	images        = regexp.MustCompile(`!\[([^\]]*)\]\([^)]*\)`)
	links         = regexp.MustCompile(`\[([^\]]*)\](\([^)]*\)|\[[^\]]*\])`)
	autolinks     = regexp.MustCompile(`<((?:https?|mailto):[^>\s]+)>`)
	htmlComments  = regexp.MustCompile(`<!--.*?-->`)
	htmlTags      = regexp.MustCompile(`</?[A-Za-z][A-Za-z0-9-]*(\s[^<>]*)?/?>`)
	escapes       = regexp.MustCompile("\\\\([!-/:-@\\[-`{-~])")
	emphasis      = regexp.MustCompile(`\*+|~~`)
	openUnder     = regexp.MustCompile(`(^|[^\pL\pN_])_+([\pL\pN])`)
	closeUnder    = regexp.MustCompile(`([\pL\pN])_+($|[^\pL\pN_])`)
)

// PlainText turns Markdown into the text the index stores: no markup, link
// targets or fences, words and code kept. Each rule runs only on lines
// with its marker character: most lines are plain prose.
func PlainText(md string) string {
	var out []string
	inFence := false
	for _, line := range strings.Split(strings.ReplaceAll(md, "\r\n", "\n"), "\n") {
		if strings.ContainsAny(line, "`~") && fenceLine.MatchString(line) {
			inFence = !inFence
			continue
		}
		if inFence {
			out = append(out, line)
			continue
		}
		if strings.Contains(line, "]:") && refDefinition.MatchString(line) ||
			strings.ContainsAny(line, "-*_=") && ruleLine.MatchString(line) ||
			strings.Contains(line, "|") && tableRule.MatchString(line) {
			continue
		}
		if strings.Contains(line, "#") {
			line = headingMarks.ReplaceAllString(line, "")
		}
		if t := strings.TrimLeft(line, " \t"); t != "" && strings.ContainsRune(">-*+0123456789", rune(t[0])) {
			line = blockMarks.ReplaceAllString(line, "")
		}
		// Backticks split the line into prose (even parts) and inline code
		// (odd parts), which is kept as written.
		parts := strings.Split(line, "`")
		for i := 0; i < len(parts); i += 2 {
			parts[i] = prose(parts[i])
		}
		line = strings.Join(parts, "")
		line = strings.ReplaceAll(line, "|", " ")
		out = append(out, strings.TrimRight(line, " \t"))
	}
	return strings.TrimSpace(strings.Join(out, "\n"))
}

// prose strips the inline markup of text outside code spans.
func prose(s string) string {
	if strings.Contains(s, "[") {
		s = images.ReplaceAllString(s, "$1")
		s = links.ReplaceAllString(s, "$1")
	}
	if strings.Contains(s, "<") {
		s = autolinks.ReplaceAllString(s, "$1")
		s = htmlComments.ReplaceAllString(s, "")
		s = htmlTags.ReplaceAllString(s, " ")
	}
	if strings.Contains(s, "\\") {
		s = escapes.ReplaceAllString(s, "$1")
	}
	if strings.ContainsAny(s, "*~") {
		s = emphasis.ReplaceAllString(s, "")
	}
	if strings.Contains(s, "_") {
		s = openUnder.ReplaceAllString(s, "$1$2")
		s = closeUnder.ReplaceAllString(s, "$1$2")
	}
	return html.UnescapeString(s)
}
