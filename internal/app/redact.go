package app

import "github.com/helpline-dev/helpline/internal/ticket"

// newRedactor is replaced by the real detector in internal/redact.
func newRedactor() (ticket.Redactor, error) {
	return func(s string) (string, int) { return s, 0 }, nil
}
