package logdiag

import "strings"

// parseSyslog reads an RFC 5424 message as a Heroku log drain sends it,
// with or without its octet count:
//
//	347 <158>1 2019-08-23T09:17:38.458556+00:00 host heroku router - at=error code=H12 …
//
// APP-NAME becomes the Source and PROCID the Process, as in heroku logs
// output. It reports false, leaving l alone, when raw is not one.
func parseSyslog(l *Line, raw string) bool {
	rest := raw
	if isDigit(rest[0]) {
		i := 0
		for i < len(rest) && i < 8 && isDigit(rest[i]) {
			i++
		}
		if i == 8 || i >= len(rest) || rest[i] != ' ' {
			return false
		}
		rest = rest[i+1:]
	}
	// <PRI>VERSION
	if len(rest) < 4 || rest[0] != '<' {
		return false
	}
	i := 1
	for i < len(rest) && i < 5 && isDigit(rest[i]) {
		i++
	}
	if i == 1 || i >= len(rest) || rest[i] != '>' {
		return false
	}
	rest = rest[i+1:]
	i = 0
	for i < len(rest) && i < 3 && isDigit(rest[i]) {
		i++
	}
	if i == 0 || i >= len(rest) || rest[i] != ' ' {
		return false
	}
	rest = rest[i+1:]

	var header Line
	if strings.HasPrefix(rest, "- ") {
		rest = rest[2:] // NILVALUE timestamp
	} else {
		t, n, ok := parseTime(rest)
		if !ok {
			return false
		}
		header.Time = t
		rest = strings.TrimPrefix(rest[n:], " ")
	}
	_, rest = token(rest) // HOSTNAME: "host" from Heroku
	var app, proc string
	app, rest = token(rest)
	proc, rest = token(rest)
	if app == "" || proc == "" {
		return false
	}
	if app != "-" {
		header.Source = app
	}
	if proc != "-" {
		header.Process = proc
	}
	// MSGID, then STRUCTURED-DATA: Heroku sends a lone "-" for both.
	if rest == "-" || strings.HasPrefix(rest, "- ") {
		rest = strings.TrimPrefix(rest[1:], " ")
		if rest == "-" || strings.HasPrefix(rest, "- ") {
			rest = strings.TrimPrefix(rest[1:], " ")
		}
	} else {
		_, rest = token(rest)
	}
	if strings.HasPrefix(rest, "[") {
		if end := strings.Index(rest, "] "); end >= 0 {
			rest = rest[end+2:]
		}
	}
	l.Time, l.Source, l.Process = header.Time, header.Source, header.Process
	l.Message = strings.TrimRight(rest, "\r\n")
	return true
}

// token splits off the next space-separated word.
func token(s string) (word, rest string) {
	if i := strings.IndexByte(s, ' '); i >= 0 {
		return s[:i], s[i+1:]
	}
	return s, ""
}
