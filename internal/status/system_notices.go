package status

import (
	"context"
	"database/sql"
	"strings"

	"github.com/helpline-dev/helpline"
)

// SystemNotice is a notice Helpline itself raises for an organization (an
// error surge on one of its apps, say), as opposed to one staff send.
type SystemNotice struct {
	Title string
	Body  string
	URL   string // a path like /drains/surges/12, or an http(s) URL
}

// NotifyOrganizationMembers puts the notice in the notification center of
// every member of the organization and returns how many got it. With tx it
// runs in the caller's transaction (so the notice commits with what caused
// it); with a nil tx, in its own. The caller decides who may trigger it.
func (s *Service) NotifyOrganizationMembers(ctx context.Context, tx *sql.Tx, orgID int64, n SystemNotice) (int, error) {
	n.Title = strings.TrimSpace(n.Title)
	if n.Title == "" {
		return 0, &helpline.Error{Kind: helpline.KindInvalid, Message: "A notice needs a title.", Fields: map[string]string{"title": "is required"}}
	}
	if tx == nil {
		count := 0
		err := s.db.InTx(ctx, func(tx *sql.Tx) error {
			var err error
			count, err = s.notifyMembers(ctx, tx, orgID, n)
			return err
		})
		return count, err
	}
	return s.notifyMembers(ctx, tx, orgID, n)
}

func (s *Service) notifyMembers(ctx context.Context, tx *sql.Tx, orgID int64, n SystemNotice) (int, error) {
	users, err := orgMembers(ctx, tx, []int64{orgID})
	if err != nil {
		return 0, err
	}
	now := s.nowUTC()
	for _, u := range users {
		if _, err := tx.ExecContext(ctx, `INSERT INTO user_notices (user_id, title, body, url, created_at) VALUES ($1, $2, $3, $4, $5)`,
			u.id, n.Title, strings.TrimSpace(n.Body), strings.TrimSpace(n.URL), now); err != nil {
			return 0, err
		}
	}
	return len(users), nil
}
