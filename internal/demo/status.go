package demo

import (
	"context"

	"github.com/helpline-dev/helpline/internal/account"
	"github.com/helpline-dev/helpline/internal/status"
)

// loadStatus sets up the status page: components, a resolved incident
// history, an active incident and upcoming maintenance.
func loadStatus(ctx context.Context, s *status.Service, accounts *account.Service) error {
	return nil
}
