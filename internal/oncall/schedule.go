package oncall

import (
	"context"
	"time"

	"github.com/helpline-dev/helpline/internal/db"
)

// usersOnCall returns who is on call in a schedule at a time: normally one
// user, none when no layer covers it.
func (s *Service) usersOnCall(ctx context.Context, q db.Querier, scheduleID int64, at time.Time) ([]int64, error) {
	return nil, nil // TODO(on-call config helper)
}

// policyLevels returns an escalation policy's levels in order, with targets.
func (s *Service) policyLevels(ctx context.Context, q db.Querier, policyID int64) ([]Level, error) {
	return nil, nil // TODO(on-call config helper)
}

// contactMethodsOf returns a user's contact methods, oldest first.
func (s *Service) contactMethodsOf(ctx context.Context, q db.Querier, userID int64) ([]ContactMethod, error) {
	return nil, nil // TODO(on-call config helper)
}
