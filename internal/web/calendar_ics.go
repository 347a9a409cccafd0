package web

import (
	"io"
	"strings"
	"time"
	"unicode/utf8"
)

// icsEvent is one VEVENT of an iCalendar export (RFC 5545).
type icsEvent struct {
	UID         string // stable across exports, so calendar apps update instead of duplicating
	Start, End  time.Time
	Summary     string
	Description string
	URL         string // absolute
	Categories  string
}

// icsCalendar is an iCalendar document.
type icsCalendar struct {
	Name   string    // X-WR-CALNAME, what calendar apps call it
	Stamp  time.Time // DTSTAMP of every event: when the export was made
	Events []icsEvent
}

// icsTime is the UTC form of DATE-TIME.
const icsTime = "20060102T150405Z"

// WriteTo writes the calendar with CRLF line endings, lines folded at 75
// octets and text values escaped.
func (c icsCalendar) WriteTo(w io.Writer) (int64, error) {
	var b strings.Builder
	line := func(name, value string) {
		b.WriteString(icsFold(name + ":" + value))
		b.WriteString("\r\n")
	}
	line("BEGIN", "VCALENDAR")
	line("VERSION", "2.0")
	line("PRODID", "-//Helpline//Staff calendar//EN")
	line("CALSCALE", "GREGORIAN")
	line("METHOD", "PUBLISH")
	if c.Name != "" {
		line("X-WR-CALNAME", icsText(c.Name))
	}
	stamp := c.Stamp.UTC().Format(icsTime)
	for _, e := range c.Events {
		line("BEGIN", "VEVENT")
		line("UID", icsText(e.UID))
		line("DTSTAMP", stamp)
		line("DTSTART", e.Start.UTC().Format(icsTime))
		line("DTEND", e.End.UTC().Format(icsTime))
		line("SUMMARY", icsText(e.Summary))
		if e.Description != "" {
			line("DESCRIPTION", icsText(e.Description))
		}
		if e.Categories != "" {
			line("CATEGORIES", icsText(e.Categories))
		}
		if e.URL != "" {
			line("URL", e.URL) // a URI, not text: no escaping
		}
		line("END", "VEVENT")
	}
	line("END", "VCALENDAR")
	n, err := io.WriteString(w, b.String())
	return int64(n), err
}

// icsEscaper escapes TEXT values (RFC 5545 3.3.11): backslash, semicolon,
// comma and line breaks.
var icsEscaper = strings.NewReplacer(`\`, `\\`, ";", `\;`, ",", `\,`, "\r\n", `\n`, "\n", `\n`, "\r", `\n`)

// icsText escapes a TEXT value and drops the control characters TEXT
// cannot hold (all but tab; line breaks become \n).
func icsText(s string) string {
	s = strings.Map(func(r rune) rune {
		if (r < 0x20 && r != '\t' && r != '\n' && r != '\r') || r == 0x7f {
			return -1
		}
		return r
	}, s)
	return icsEscaper.Replace(s)
}

// icsFold splits a content line into lines of at most 75 octets, each
// continuation starting with a space (RFC 5545 3.1), never inside a UTF-8
// sequence.
func icsFold(line string) string {
	const octets = 75
	if len(line) <= octets {
		return line
	}
	var b strings.Builder
	limit := octets
	for len(line) > limit {
		cut := limit
		for cut > 0 && !utf8.RuneStart(line[cut]) {
			cut--
		}
		b.WriteString(line[:cut])
		b.WriteString("\r\n ")
		line = line[cut:]
		limit = octets - 1 // the leading space counts
	}
	b.WriteString(line)
	return b.String()
}
