package mailin

import (
	"os"
	"path/filepath"
	"testing"
	"unicode/utf8"
)

// FuzzParse feeds arbitrary bytes, seeded with the fixture corpus, to Parse.
// It must never panic, and what it returns must be safe to store.
func FuzzParse(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.eml"))
	if err != nil {
		f.Fatal(err)
	}
	for _, path := range files {
		raw, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(raw)
	}
	f.Add([]byte("Content-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n--x--"))
	f.Add([]byte("Subject: =?UTF-8?B?////?=\r\nFrom: <<>>\r\n\r\n"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		m, err := Parse(raw)
		if err != nil {
			return
		}
		if !utf8.ValidString(m.Text) || !utf8.ValidString(m.Reply) {
			t.Errorf("invalid UTF-8 in Text or Reply")
		}
		if len(m.Reply) > len(m.Text) {
			t.Errorf("Reply (%d bytes) longer than Text (%d bytes)", len(m.Reply), len(m.Text))
		}
	})
}

// FuzzStripQuoted checks that StripQuoted never panics and only ever returns
// lines of its input.
func FuzzStripQuoted(f *testing.F) {
	for _, s := range []string{
		"Fixed.\n\nOn Tue, Sam <s@example.com> wrote:\n> old\n",
		"> q\n\na\n\n> q2\n\na2",
		"---------- Forwarded message ---------\nFrom: a\n",
		"From: a\nSent: b\nTo: c\n",
		"x\n-- \nsig",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got := StripQuoted(s); len(got) > len(s) {
			t.Errorf("StripQuoted grew its input: %q -> %q", s, got)
		}
	})
}
