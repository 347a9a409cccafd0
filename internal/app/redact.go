package app

import (
	"github.com/helpline-dev/helpline/internal/redact"
	"github.com/helpline-dev/helpline/internal/ticket"
)

// newRedactor builds the secret detector once; tickets call it on every
// pasted text before it is stored.
func newRedactor() (ticket.Redactor, error) {
	r, err := redact.New()
	if err != nil {
		return nil, err
	}
	return func(s string) (string, int) {
		out, findings := r.Redact(s)
		return out, len(findings)
	}, nil
}
