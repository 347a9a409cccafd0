package web

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestICSText(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"plain", "plain"},
		{`a\b`, `a\\b`},
		{"a;b,c", `a\;b\,c`},
		{"one\ntwo\r\nthree\rfour", `one\ntwo\nthree\nfour`},
		{`\n is not a newline`, `\\n is not a newline`},
		{"tab\tkept, bell\a and nul\x00 dropped", `tab` + "\t" + `kept\, bell and nul dropped`},
		{"Zoë: “quotes” · dots", "Zoë: “quotes” · dots"},
	} {
		if got := icsText(c.in); got != c.want {
			t.Errorf("icsText(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestICSFold(t *testing.T) {
	short := "SUMMARY:" + strings.Repeat("a", 67) // 75 octets: stays
	if got := icsFold(short); got != short {
		t.Errorf("a 75-octet line was folded: %q", got)
	}
	long := "DESCRIPTION:" + strings.Repeat("x", 200)
	got := icsFold(long)
	lines := strings.Split(got, "\r\n")
	if len(lines) != 3 || len(lines[0]) != 75 || len(lines[1]) != 75 || lines[1][0] != ' ' || lines[2][0] != ' ' {
		t.Errorf("folded into %q", lines)
	}
	if unfolded := strings.ReplaceAll(got, "\r\n ", ""); unfolded != long {
		t.Errorf("unfolds to %q", unfolded)
	}
	// Multi-octet characters are never split, so every line is UTF-8.
	multi := "SUMMARY:" + strings.Repeat("é€😀", 40)
	got = icsFold(multi)
	for _, l := range strings.Split(got, "\r\n") {
		if len(l) > 75 || !utf8.ValidString(l) {
			t.Errorf("line of %d octets, valid %v: %q", len(l), utf8.ValidString(l), l)
		}
	}
	if strings.ReplaceAll(got, "\r\n ", "") != multi {
		t.Error("the multi-octet line does not unfold to itself")
	}
}

func TestICSCalendar(t *testing.T) {
	start := time.Date(2026, 3, 6, 15, 0, 0, 0, time.FixedZone("EST", -5*3600))
	cal := icsCalendar{Name: "Staff, calendar", Stamp: time.Date(2026, 3, 3, 9, 0, 0, 0, time.UTC), Events: []icsEvent{{
		UID: "meeting-1-20260306T200000Z@help.example.com", Start: start, End: start.Add(45 * time.Minute),
		Summary: "Kickoff; agenda, notes", Description: "Line one\nLine two with a URL https://help.example.com/a,b",
		URL: "https://help.example.com/enterprise/engagements/1", Categories: "Engagement meeting",
	}}}
	var b strings.Builder
	if _, err := cal.WriteTo(&b); err != nil {
		t.Fatal(err)
	}
	want := "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Helpline//Staff calendar//EN\r\nCALSCALE:GREGORIAN\r\nMETHOD:PUBLISH\r\n" +
		"X-WR-CALNAME:Staff\\, calendar\r\n" +
		"BEGIN:VEVENT\r\nUID:meeting-1-20260306T200000Z@help.example.com\r\nDTSTAMP:20260303T090000Z\r\n" +
		"DTSTART:20260306T200000Z\r\nDTEND:20260306T204500Z\r\nSUMMARY:Kickoff\\; agenda\\, notes\r\n" +
		"DESCRIPTION:Line one\\nLine two with a URL https://help.example.com/a\\,b\r\n" +
		"CATEGORIES:Engagement meeting\r\nURL:https://help.example.com/enterprise/engagements/1\r\n" +
		"END:VEVENT\r\nEND:VCALENDAR\r\n"
	if b.String() != want {
		t.Errorf("calendar:\n%q\nwant\n%q", b.String(), want)
	}
}
