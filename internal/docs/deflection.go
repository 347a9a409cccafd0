package docs

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/internal/db"
	"github.com/helpline-dev/helpline/internal/search"
)

const (
	// SuggestLimit is how many articles a suggestion shows.
	SuggestLimit = 5
	// suggestText is how much of what a customer typed is searched: the
	// subject and the start of the description say what it is about.
	suggestText = 300
	// abandonAfter is how long a session must have been idle before an
	// opened article without a ticket counts as a deflection.
	abandonAfter = 30 * time.Minute
)

// StartDeflection begins tracking a customer writing a ticket and returns
// the session's token.
func (s *Service) StartDeflection(ctx context.Context, actor *helpline.Actor) (string, error) {
	if actor == nil {
		return "", helpline.Errorf(helpline.KindUnauthorized, "sign in first")
	}
	if actor.IsStaff() {
		return "", helpline.Errorf(helpline.KindForbidden, "deflection follows customers writing tickets, not staff")
	}
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	token := hex.EncodeToString(b)
	_, err := s.db.ExecContext(ctx, `INSERT INTO deflection_sessions (token, user_id, started_at) VALUES ($1, $2, $3)`,
		token, actorID(actor), s.nowUTC())
	return token, err
}

// session returns the ID of the actor's session with token.
func (s *Service) session(ctx context.Context, q db.Querier, actor *helpline.Actor, token string) (int64, error) {
	if actor == nil || token == "" {
		return 0, helpline.NotFound("deflection session")
	}
	var id int64
	err := q.QueryRowContext(ctx, `SELECT id FROM deflection_sessions WHERE token = $1 AND user_id = $2`, token, actor.UserID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, helpline.NotFound("deflection session")
	}
	return id, err
}

// suggestQuery cuts what a customer typed to its first suggestText
// characters, at a word boundary where there is one.
func suggestQuery(text string) string {
	text = strings.Join(strings.Fields(text), " ")
	if utf8.RuneCountInString(text) <= suggestText {
		return text
	}
	cut, n := len(text), 0
	for i := range text {
		if n == suggestText {
			cut = i
			break
		}
		n++
	}
	if sp := strings.LastIndexByte(text[:cut], ' '); sp > suggestText/2 {
		cut = sp
	}
	return text[:cut]
}

// Suggest returns the articles most relevant to what a customer is typing
// (a ticket's subject and description, or the help center's search box),
// and records them as shown in the deflection session, if token names one
// of the actor's sessions.
func (s *Service) Suggest(ctx context.Context, actor *helpline.Actor, text, token string) ([]search.Result, error) {
	text = suggestQuery(text)
	if text == "" {
		return []search.Result{}, nil
	}
	aud, err := s.audiences(ctx, actor)
	if err != nil {
		return nil, err
	}
	results, err := s.index.Search(ctx, search.Query{Text: text, Kinds: []search.Kind{search.KindDoc, search.KindKB}, Audiences: aud, Limit: SuggestLimit})
	if err != nil {
		return nil, err
	}
	if results == nil {
		results = []search.Result{}
	}
	if token == "" || actor == nil {
		return results, nil
	}
	err = s.db.InTx(ctx, func(tx *sql.Tx) error {
		id, err := s.session(ctx, tx, actor, token)
		if helpline.KindOf(err) == helpline.KindNotFound {
			return nil // not the actor's session: suggest, record nothing
		}
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE deflection_sessions SET query = $1 WHERE id = $2`, text, id); err != nil {
			return err
		}
		now := s.nowUTC()
		for _, r := range results {
			if r.Kind != search.KindDoc && r.Kind != search.KindKB {
				continue
			}
			// The SELECT skips an article deleted since it was indexed.
			if _, err := tx.ExecContext(ctx, `INSERT INTO deflection_events (session_id, article_id, kind, at)
				SELECT $1, id, 'shown', $2 FROM articles WHERE id = $3 ON CONFLICT DO NOTHING`, id, now, r.ID); err != nil {
				return err
			}
		}
		return nil
	})
	return results, err
}

// RecordOpened notes that the session's customer opened an article.
func (s *Service) RecordOpened(ctx context.Context, actor *helpline.Actor, token string, articleID int64) error {
	return s.db.InTx(ctx, func(tx *sql.Tx) error {
		id, err := s.session(ctx, tx, actor, token)
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO deflection_events (session_id, article_id, kind, at)
			SELECT $1, id, 'opened', $2 FROM articles WHERE id = $3 ON CONFLICT DO NOTHING`, id, s.nowUTC(), articleID)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			// Either it was opened before, or there is no such article.
			var exists bool
			if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM articles WHERE id = $1)`, articleID).Scan(&exists); err != nil {
				return err
			}
			if !exists {
				return helpline.NotFound("article")
			}
		}
		return nil
	})
}

// CompleteDeflection notes that the session ended in a ticket, which must
// be the actor's. The first ticket counts; later calls change nothing.
func (s *Service) CompleteDeflection(ctx context.Context, actor *helpline.Actor, token string, ticketID int64) error {
	return s.db.InTx(ctx, func(tx *sql.Tx) error {
		id, err := s.session(ctx, tx, actor, token)
		if err != nil {
			return err
		}
		var mine bool
		if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM tickets WHERE id = $1 AND requester_id = $2)`,
			ticketID, actor.UserID).Scan(&mine); err != nil {
			return err
		}
		if !mine {
			return helpline.NotFound("ticket")
		}
		_, err = tx.ExecContext(ctx, `UPDATE deflection_sessions SET ticket_id = $1, submitted_at = $2 WHERE id = $3 AND ticket_id IS NULL`,
			ticketID, s.nowUTC(), id)
		return err
	})
}

// FindDeflection reports, per article, how often it was suggested and
// opened while customers wrote tickets in [from, to), and how often no
// ticket followed (staff). A session counts as deflected only once it has
// been left alone for 30 minutes without a ticket; the articles that
// deflected most come first.
func (s *Service) FindDeflection(ctx context.Context, actor *helpline.Actor, from, to time.Time) ([]DeflectionRow, error) {
	if err := actor.RequireStaff(); err != nil {
		return nil, err
	}
	if !from.Before(to) {
		return nil, helpline.Validation{"to": "must be after from"}.Err()
	}
	rows, err := s.db.QueryContext(ctx, `SELECT a.id, a.slug, a.title,
			sum(CASE WHEN e.kind = 'shown' THEN 1 ELSE 0 END),
			sum(CASE WHEN e.kind = 'opened' THEN 1 ELSE 0 END),
			sum(CASE WHEN e.kind = 'opened' AND ds.ticket_id IS NULL AND ds.started_at < $3 THEN 1 ELSE 0 END),
			sum(CASE WHEN e.kind = 'opened' AND ds.ticket_id IS NOT NULL AND e.at <= ds.submitted_at THEN 1 ELSE 0 END)
		FROM deflection_events e
		JOIN deflection_sessions ds ON ds.id = e.session_id
		JOIN articles a ON a.id = e.article_id
		WHERE ds.started_at >= $1 AND ds.started_at < $2
		GROUP BY a.id, a.slug, a.title
		ORDER BY 6 DESC, 5 DESC, 4 DESC, a.title`, db.Time(from), db.Time(to), s.nowUTC().Add(-abandonAfter))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []DeflectionRow{}
	for rows.Next() {
		var r DeflectionRow
		if err := rows.Scan(&r.ArticleID, &r.Slug, &r.Title, &r.Shown, &r.Opened, &r.Deflected, &r.Tickets); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
