package demo

import (
	"context"

	"github.com/helpline-dev/helpline/internal/account"
	"github.com/helpline-dev/helpline/internal/docs"
)

// loadDocs adds what the shipped content lacks for a newcomer to click
// through: changelog entries, blog posts, ratings and deflection.
func loadDocs(ctx context.Context, d *docs.Service, accounts *account.Service) error {
	return nil
}
