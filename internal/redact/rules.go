package redact

import (
	"regexp"
	"strings"
)

// Kinds of our own rules. Gitleaks rules use their upstream ids
// (aws-access-token, github-pat, stripe-access-token, …).
const (
	kindURLPassword = "url-password"
	kindHeroku      = "heroku-api-key"
	kindEnv         = "env-secret"
	kindPrivateKey  = "private-key"
	kindAuthHeader  = "auth-header"
)

// ownRegexRules are the platform rules a regexp expresses well.
func ownRegexRules() []regexRule {
	return []regexRule{
		{
			// Heroku's current token format. The prefix alone is distinctive
			// enough to redact it anywhere.
			kind:     kindHeroku,
			re:       regexp.MustCompile(`\bHRKU-[0-9A-Za-z_-]{20,}`),
			keywords: []string{"hrku-"},
			priority: prioOwn,
		},
		{
			// A header value with its scheme: everything after the scheme is
			// the credential, whatever its format.
			kind:     kindAuthHeader,
			re:       regexp.MustCompile(`(?i)\b(?:proxy-)?authorization["']?[ \t]*[:=][ \t]*["']?(?:bearer|basic|token|bot|apikey|sso-key)[ \t]+([A-Za-z0-9._~+/-]+=*)`),
			keywords: []string{"authorization"},
			priority: prioHeader,
			valid:    func(s string) bool { return len(s) >= 8 },
		},
		{
			// A header value without a scheme. Without the scheme word to
			// anchor on, require a token-like value, not prose.
			kind:     kindAuthHeader,
			re:       regexp.MustCompile(`(?i)\b(?:proxy-)?authorization["']?[ \t]*[:=][ \t]*["']?([A-Za-z0-9._~+/-]{16,}=*)`),
			keywords: []string{"authorization"},
			priority: prioHeader,
			valid:    tokenLike,
		},
		{
			// Bearer tokens outside a header line: curl commands, code.
			kind:     kindAuthHeader,
			re:       regexp.MustCompile(`(?i)\bbearer[ \t]+([A-Za-z0-9._~+/-]{16,}=*)`),
			keywords: []string{"bearer"},
			priority: prioHeader,
			valid:    tokenLike,
		},
	}
}

// tokenLike reports whether s mixes letters and digits, as generated tokens
// do and words do not.
func tokenLike(s string) bool {
	letter, digit := false, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case '0' <= c && c <= '9':
			digit = true
		case 'a' <= lower(c) && lower(c) <= 'z':
			letter = true
		}
	}
	return letter && digit
}

type ownFinder struct {
	keywords []string
	find     func(text string, hits []int, emit func(candidate))
}

func ownFinders() []ownFinder {
	return []ownFinder{
		{keywords: []string{"://"}, find: findURLPasswords},
		{keywords: []string{"private key"}, find: privateKeyFinder()},
		{keywords: assignmentTriggers(), find: findAssignments},
	}
}

// findURLPasswords redacts the password of scheme://user:password@host for
// any scheme, keeping the user so staff can still tell which account it was.
// The authority ends at the first '/', '?', '#', space or quote; the last
// '@' before that ends the user info, so a password (or user name) with an
// unencoded '@' is still caught whole.
func findURLPasswords(text string, hits []int, emit func(candidate)) {
	for _, k := range hits {
		// The scheme: a letter, then letters, digits, '+', '-' or '.'.
		s := k
		for s > 0 && isSchemeByte(text[s-1]) {
			s--
		}
		for s < k && !isLetter(text[s]) {
			s++
		}
		if s == k {
			continue
		}
		ui := k + len("://")
		end := ui
		for end < len(text) && !isAuthorityStop(text[end]) {
			end++
		}
		at := strings.LastIndexByte(text[ui:end], '@')
		if at < 0 || ui+at+1 >= end {
			continue // no user info, or nothing after '@'
		}
		at += ui
		colon := strings.IndexByte(text[ui:at], ':')
		if colon < 0 {
			continue
		}
		pw := ui + colon + 1
		if pw >= at || placeholder(text[pw:at]) {
			continue
		}
		emit(candidate{kind: kindURLPassword, start: pw, end: at, priority: prioOwn})
	}
}

func isSchemeByte(c byte) bool {
	return isLetter(c) || '0' <= c && c <= '9' || c == '+' || c == '-' || c == '.'
}

func isLetter(c byte) bool { return 'a' <= lower(c) && lower(c) <= 'z' }

// isAuthorityStop ends a URL's authority. Brackets do not: an IPv6 host
// follows the '@' in brackets.
func isAuthorityStop(c byte) bool {
	switch c {
	case '/', '?', '#', ' ', '\t', '\n', '\r', '"', '\'', '`', '<', '>', '\\':
		return true
	}
	return false
}

// privateKeyFinder redacts a PEM private key from BEGIN through END as one
// finding. A paste cut off before END still has key material, so then the
// base64 lines (and RFC 1421 headers) after BEGIN are taken instead.
func privateKeyFinder() func(string, []int, func(candidate)) {
	begin := regexp.MustCompile(`(?i)-----BEGIN[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----`)
	endRe := regexp.MustCompile(`(?i)-----END[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----`)
	return func(text string, _ []int, emit func(candidate)) {
		// Once no END follows, none follows any later BEGIN either; not
		// searching again keeps a paste of many headers linear.
		noEnd := false
		for from := 0; from < len(text); {
			b := begin.FindStringIndex(text[from:])
			if b == nil {
				return
			}
			start, afterBegin := from+b[0], from+b[1]
			end := -1
			if !noEnd {
				if e := endRe.FindStringIndex(text[afterBegin:]); e != nil {
					end = afterBegin + e[1]
				} else {
					noEnd = true
				}
			}
			if end < 0 {
				end = pemBodyEnd(text, afterBegin)
			}
			emit(candidate{kind: kindPrivateKey, start: start, end: end, priority: prioOwn})
			from = end
		}
	}
}

// pemBodyEnd returns where the key material of a truncated PEM block ends.
func pemBodyEnd(text string, i int) int {
	// Escaped form inside JSON or a string literal: BEGIN-----\nMIIE…\n…
	j := i
	for j < len(text) && (isBase64(text[j]) || text[j] == '\\') {
		j++
	}
	end := j
	// Line form: each following line of base64 or a header belongs to it.
	for end < len(text) {
		ls := end
		if text[ls] == '\r' {
			ls++
		}
		if ls >= len(text) || text[ls] != '\n' {
			break
		}
		ls++
		le := strings.IndexByte(text[ls:], '\n')
		if le < 0 {
			le = len(text)
		} else {
			le += ls
		}
		line := strings.TrimRight(text[ls:le], "\r")
		if !pemBodyLine(strings.TrimSpace(line)) {
			break
		}
		end = ls + len(line)
	}
	return end
}

func pemBodyLine(s string) bool {
	if s == "" {
		return false
	}
	if strings.HasPrefix(s, "Proc-Type:") || strings.HasPrefix(s, "DEK-Info:") || strings.HasPrefix(s, "Comment:") {
		return true
	}
	for i := 0; i < len(s); i++ {
		if !isBase64(s[i]) {
			return false
		}
	}
	return true
}

func isBase64(c byte) bool {
	return isLetter(c) || '0' <= c && c <= '9' || c == '+' || c == '/' || c == '='
}

// placeholder reports values that stand for a secret without being one:
// variable references, template fields, masks and documentation stubs.
func placeholder(v string) bool {
	v = strings.TrimSpace(v)
	if v == "" {
		return true
	}
	switch {
	case strings.HasPrefix(v, "$"), // $VAR, ${VAR}, $(cmd)
		strings.HasPrefix(v, "%") && strings.HasSuffix(v, "%"), // %VAR%
		v == "%s" || v == "%v" || v == "?",
		strings.HasPrefix(v, "{{") && strings.HasSuffix(v, "}}"),
		strings.HasPrefix(v, "<") && strings.HasSuffix(v, ">"),
		strings.HasPrefix(v, markerPrefix):
		return true
	}
	// A mask such as ****, xxxxxx or ......
	same := true
	for i := 1; i < len(v); i++ {
		if lower(v[i]) != lower(v[0]) {
			same = false
			break
		}
	}
	if same {
		return true
	}
	return v == "…" || v == "..."
}
