package redact

import "strings"

// The env-secret rule: KEY=value, KEY: value, "key": "value", key => 'v',
// --flag=value or --flag value, where the key's name says the value is a
// secret. Only the value is replaced, so staff can still read the config.
// It is hand-written rather than a regexp so the key name can be judged as
// words (PASSWORD_MIN_LENGTH is a setting, DB_PASSWORD a secret) and so a
// 10 KB log costs microseconds.

// assignmentTriggers are the substrings that make a key name worth a look;
// keyRole then judges the whole name.
func assignmentTriggers() []string {
	return []string{"secret", "pass", "pwd", "token", "key", "credential", "creds", "auth", "heroku"}
}

// keyRole says what a key name tells about its value; the bits combine
// (HEROKU_API_KEY is both).
type keyRole uint8

const (
	roleSecret keyRole = 1 << iota // SECRET, PASSWORD, TOKEN, API_KEY, …
	roleHeroku                     // secret if the value is a Heroku API key
)

// secretWord reports whether one word of a key name names a secret.
func secretWord(w string) bool {
	switch {
	case strings.Contains(w, "secret"),
		strings.Contains(w, "password"), strings.Contains(w, "passwd"),
		strings.Contains(w, "passphrase"), strings.HasPrefix(w, "passw"),
		w == "pass", w == "pwd", strings.HasSuffix(w, "pwd"),
		strings.Contains(w, "token") && !strings.HasPrefix(w, "tokeniz"),
		strings.Contains(w, "apikey"), strings.Contains(w, "accesskey"),
		strings.Contains(w, "privatekey"),
		strings.Contains(w, "credential"), w == "creds",
		// "auth" alone or as a suffix (basic_auth, httpauth); not author,
		// authority or authorization, which name other things.
		strings.HasSuffix(w, "auth"):
		return true
	}
	return false
}

// qualifierAfter are words that, after the secret word, make the key name a
// setting about secrets rather than a secret: PASSWORD_MIN_LENGTH,
// TOKEN_TTL, SECRET_FILE, AWS_ACCESS_KEY_ID, auth_method.
func qualifierAfter(w string) bool {
	switch w {
	case "min", "max", "length", "len", "size", "count", "limit", "ttl",
		"expiry", "expires", "expire", "expiration", "expired", "timeout",
		"age", "lifetime", "duration", "interval", "attempts", "retries",
		"file", "path", "dir", "url", "uri", "endpoint", "host", "location",
		"type", "mode", "method", "scheme", "kind", "format", "strategy",
		"enabled", "enable", "disabled", "required", "policy", "rotation",
		"reset", "hint", "name", "id", "header", "field", "param", "prefix",
		"suffix", "pattern", "regex", "version", "provider", "strength",
		"complexity", "algorithm", "alg", "level", "issuer", "audience",
		"user", "username", "login", "email":
		return true
	}
	return false
}

// qualifierBefore are words that, before the secret word, make it a count:
// max_tokens, min_password.
func qualifierBefore(w string) bool {
	switch w {
	case "min", "max", "num", "count":
		return true
	}
	return false
}

// keyWords splits a key name into lower-case words at punctuation and at
// camelCase boundaries: "clientSecret" and "CLIENT_SECRET" both give
// [client secret], "APIKey" gives [api key].
func keyWords(key string) []string {
	var words []string
	start := -1
	flush := func(end int) {
		if start >= 0 && end > start {
			words = append(words, strings.ToLower(key[start:end]))
		}
		start = -1
	}
	isUpper := func(c byte) bool { return 'A' <= c && c <= 'Z' }
	isLowerC := func(c byte) bool { return 'a' <= c && c <= 'z' }
	for i := 0; i < len(key); i++ {
		c := key[i]
		alnum := isLetter(c) || '0' <= c && c <= '9'
		if !alnum {
			flush(i)
			continue
		}
		if start >= 0 && isUpper(c) {
			prev := key[i-1]
			nextLower := i+1 < len(key) && isLowerC(key[i+1])
			if isLowerC(prev) || '0' <= prev && prev <= '9' || (isUpper(prev) && nextLower) {
				flush(i)
			}
		}
		if start < 0 {
			start = i
		}
	}
	flush(len(key))
	return words
}

// classifyKey judges a key name.
func classifyKey(key string) keyRole {
	words := keyWords(key)
	if len(words) == 1 && (words[0] == "pwd" || words[0] == "oldpwd") {
		return 0 // the shell's working directory, not a password
	}
	// Join two-word names that mean one thing: api key, access key, private key.
	kw, heroku := -1, -1
	for i, w := range words {
		if strings.Contains(w, "heroku") {
			heroku = i
		}
		if secretWord(w) {
			kw = i
		}
		if w == "key" && i > 0 {
			switch words[i-1] {
			case "api", "access", "private":
				kw = i
			}
		}
	}
	at := kw
	if at < 0 {
		at = heroku
	}
	if at < 0 {
		return 0
	}
	for _, w := range words[at+1:] {
		if qualifierAfter(w) {
			return 0
		}
	}
	for _, w := range words[:at] {
		if qualifierBefore(w) {
			return 0
		}
	}
	var role keyRole
	if kw >= 0 {
		role |= roleSecret
	}
	if heroku >= 0 {
		role |= roleHeroku
	}
	return role
}

func isKeyByte(c byte) bool {
	return isLetter(c) || '0' <= c && c <= '9' || c == '_' || c == '.' || c == '-'
}

func isQuote(c byte) bool { return c == '"' || c == '\'' || c == '`' }

func isSpace(c byte) bool { return c == ' ' || c == '\t' }

// findAssignments reports the values of secret-named keys. hits are offsets
// of trigger words; several may fall in one key name.
func findAssignments(text string, hits []int, emit func(candidate)) {
	lastKeyEnd := -1
	for _, h := range hits {
		if h < lastKeyEnd {
			continue
		}
		l, r := h, h
		for l > 0 && isKeyByte(text[l-1]) {
			l--
		}
		for r < len(text) && isKeyByte(text[r]) {
			r++
		}
		lastKeyEnd = r
		for l < r && text[l] == '.' {
			l++
		}
		for r > l && (text[r-1] == '.' || text[r-1] == '-') {
			r--
		}
		if l == r {
			continue
		}
		role := classifyKey(text[l:r])
		if role == 0 {
			continue
		}
		vs, ve, ok := assignedValue(text, l, r)
		if !ok {
			continue
		}
		v := text[vs:ve]
		switch {
		case role&roleHeroku != 0 && herokuKey(v):
			emit(candidate{kind: kindHeroku, start: vs, end: ve, priority: prioOwn})
		case role&roleSecret != 0 && plausibleValue(v):
			emit(candidate{kind: kindEnv, start: vs, end: ve, priority: prioEnv})
		}
	}
}

// herokuKey reports a Heroku API key: a UUID (the classic format) or an
// HRKU- token.
func herokuKey(v string) bool {
	if strings.HasPrefix(v, "HRKU-") && len(v) > 20 {
		return true
	}
	if len(v) != 36 {
		return false
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !('0' <= c && c <= '9' || 'a' <= lower(c) && lower(c) <= 'f') {
				return false
			}
		}
	}
	return true
}

// assignedValue parses what follows the key text[l:r]: an assignment
// operator and a value. It returns the value's span.
func assignedValue(text string, l, r int) (vs, ve int, ok bool) {
	n := len(text)
	i := r
	keyQuoted := false
	if l > 0 && isQuote(text[l-1]) && i < n && text[i] == text[l-1] {
		keyQuoted = true
		i++
	}
	afterKey := i
	for i < n && isSpace(text[i]) {
		i++
	}
	colon := false
	switch {
	case strings.HasPrefix(text[i:], ":="), strings.HasPrefix(text[i:], "=>"):
		i += 2
	case i < n && text[i] == '=':
		if i+1 < n && text[i+1] == '=' {
			return 0, 0, false // a comparison
		}
		i++
	case i < n && text[i] == ':':
		if i+1 < n && text[i+1] == ':' {
			return 0, 0, false // Type::member
		}
		colon = true
		i++
	case strings.HasPrefix(text[l:], "--") && i > afterKey && i < n && text[i] != '-':
		// --password value
	default:
		return 0, 0, false
	}
	for i < n && isSpace(text[i]) {
		i++
	}
	if i >= n {
		return 0, 0, false
	}

	if isQuote(text[i]) {
		q := text[i]
		vs = i + 1
		j := vs
		for j < n && text[j] != q && text[j] != '\n' {
			if text[j] == '\\' && q != '\'' && j+1 < n && text[j+1] != '\n' {
				j++
			}
			j++
		}
		ve = min(j, n)
		if ve < n && text[ve] != q {
			// Unclosed: take the rest of the line.
			for ve > vs && (isSpace(text[ve-1]) || text[ve-1] == '\r') {
				ve--
			}
		}
		return vs, ve, ve > vs
	}

	vs = i
	j := i
	for j < n && !valueStop(text, j) {
		j++
	}
	ve = j
	if colon && !keyQuoted {
		// "key: value" is also how prose reads ("Reset password: click the
		// link"), so unquoted, it must look like YAML or a header: the key
		// first on its line and the value the last word on it.
		if !lineStartBefore(text, l) || !restOfLineEmpty(text, ve) {
			return 0, 0, false
		}
	}
	return vs, ve, ve > vs
}

// valueStop reports whether text[j] ends an unquoted value.
func valueStop(text string, j int) bool {
	switch c := text[j]; c {
	case ' ', '\t', '\n', '\r', '\v', '\f', '"', '\'', '`', ',', ';', '&', '<', '>', ')', '}', ']':
		return true
	case '\\':
		// A JSON or shell escape such as \n ends it; a lone backslash may be
		// part of a password.
		return j+1 < len(text) && strings.IndexByte(`nrt"'`, text[j+1]) >= 0
	}
	return false
}

// lineStartBefore reports whether only indentation or list and comment
// markers precede offset l on its line.
func lineStartBefore(text string, l int) bool {
	for i := l - 1; i >= 0; i-- {
		switch text[i] {
		case '\n':
			return true
		case ' ', '\t', '-', '#', '/', '*', '>':
		default:
			return false
		}
	}
	return true
}

// restOfLineEmpty reports whether nothing but spaces or a comment follows.
func restOfLineEmpty(text string, i int) bool {
	for ; i < len(text); i++ {
		switch text[i] {
		case '\n', '\r':
			return true
		case ' ', '\t':
		case '#':
			return i > 0 && isSpace(text[i-1])
		default:
			return false
		}
	}
	return true
}

// plausibleValue rejects values that cannot be the secret a key names:
// empty or punctuation-only, booleans and nulls, type names from API docs,
// placeholders, file paths and URLs (url-password handles credentials in
// those), and code that computes the value. Numbers are kept: 12345678 is a
// real (bad) password, and PASSWORD_MIN_LENGTH=10 is left alone by its name.
func plausibleValue(v string) bool {
	if len(v) < 3 || placeholder(v) {
		return false
	}
	alnum := false
	for i := 0; i < len(v); i++ {
		if isLetter(v[i]) || '0' <= v[i] && v[i] <= '9' {
			alnum = true
			break
		}
	}
	if !alnum {
		return false
	}
	switch strings.ToLower(v) {
	case "true", "false", "yes", "no", "on", "off", "null", "nil", "none",
		"undefined", "empty", "required", "optional", "string", "str", "int",
		"integer", "number", "bool", "boolean", "redacted", "hidden", "secret",
		"password", "token", "inherit", "bearer", "basic":
		return false
	}
	switch {
	case strings.Contains(v, "://"),
		strings.HasPrefix(v, "/") && !strings.ContainsAny(v, " \t"),
		strings.HasPrefix(v, "~/"), strings.HasPrefix(v, "./"), strings.HasPrefix(v, "../"):
		return false
	}
	return !codeReference(v)
}

// codeReference reports a value computed by code, such as os.Getenv("X"),
// ENV["X"], process.env.X or settings.SECRET_KEY: an identifier path, maybe
// followed by a call or an index.
func codeReference(v string) bool {
	i := 0
	dots := 0
	for i < len(v) {
		c := v[i]
		if !(isLetter(c) || c == '_') {
			return false
		}
		for i < len(v) && (isLetter(v[i]) || '0' <= v[i] && v[i] <= '9' || v[i] == '_') {
			i++
		}
		if i == len(v) {
			return dots > 0 && dottedCode(v)
		}
		switch v[i] {
		case '(', '[':
			return true
		case '.':
			dots++
			i++
		default:
			return false
		}
	}
	return false
}

// dottedCode reports whether a dotted identifier path starts like code
// rather than like a secret that happens to contain dots.
func dottedCode(v string) bool {
	head, _, _ := strings.Cut(v, ".")
	switch strings.ToLower(head) {
	case "process", "os", "env", "config", "settings", "self", "this",
		"params", "request", "req", "secrets", "vars", "props", "options",
		"opts", "cfg", "conf", "app", "system", "context", "ctx":
		return true
	}
	return false
}
