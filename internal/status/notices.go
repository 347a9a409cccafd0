package status

import (
	"context"
	"database/sql"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/internal/db"
)

// FindNotices lists the actor's notices, newest first, and how many are unread.
func (s *Service) FindNotices(ctx context.Context, actor *helpline.Actor, unreadOnly bool, p helpline.Page) ([]Notice, int, error) {
	if actor == nil {
		return nil, 0, helpline.Errorf(helpline.KindUnauthorized, "sign in to see your notices")
	}
	if p.Limit <= 0 || p.Limit > 100 {
		p.Limit = 50
	}
	if p.Offset < 0 {
		p.Offset = 0
	}
	unread, err := s.UnreadNoticeCount(ctx, actor.UserID)
	if err != nil {
		return nil, 0, err
	}
	query := `SELECT id, title, body, url, read_at, created_at FROM user_notices WHERE user_id = $1`
	if unreadOnly {
		query += ` AND read_at IS NULL`
	}
	rows, err := s.db.QueryContext(ctx, query+` ORDER BY id DESC LIMIT $2 OFFSET $3`, actor.UserID, p.Limit, p.Offset)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	out := []Notice{}
	for rows.Next() {
		var n Notice
		var read sql.NullTime
		if err := rows.Scan(&n.ID, &n.Title, &n.Body, &n.URL, &read, &n.CreatedAt); err != nil {
			return nil, 0, err
		}
		n.ReadAt = db.NullTime(read)
		n.CreatedAt = n.CreatedAt.UTC()
		out = append(out, n)
	}
	return out, unread, rows.Err()
}

// UnreadNoticeCount counts a user's unread notices, for the count every
// signed-in page shows.
func (s *Service) UnreadNoticeCount(ctx context.Context, userID int64) (int, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM user_notices WHERE user_id = $1 AND read_at IS NULL`, userID).Scan(&n)
	return n, err
}

// MarkNoticesRead marks one notice (id > 0) or all of them read. Another
// user's notice is not found.
func (s *Service) MarkNoticesRead(ctx context.Context, actor *helpline.Actor, id int64) error {
	if actor == nil {
		return helpline.Errorf(helpline.KindUnauthorized, "sign in to see your notices")
	}
	now := s.nowUTC()
	if id <= 0 {
		_, err := s.db.ExecContext(ctx, `UPDATE user_notices SET read_at = $1 WHERE user_id = $2 AND read_at IS NULL`, now, actor.UserID)
		return err
	}
	res, err := s.db.ExecContext(ctx, `UPDATE user_notices SET read_at = COALESCE(read_at, $1) WHERE id = $2 AND user_id = $3`, now, id, actor.UserID)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return helpline.NotFound("notice")
	}
	return nil
}
