package demo

import (
	"context"

	"github.com/helpline-dev/helpline/internal/account"
	"github.com/helpline-dev/helpline/internal/status"
)

// loadStatusSubscriptions adds subscribers and a targeted notification.
func loadStatusSubscriptions(ctx context.Context, s *status.Service, accounts *account.Service) error {
	return nil
}
