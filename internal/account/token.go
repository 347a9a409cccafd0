package account

import (
	"context"
	"crypto/subtle"
	"database/sql"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/internal/db"
)

// TokenPrefix starts every API token, so secret scanners can recognize them.
const TokenPrefix = "hlp_"

// Token is an API token; its secret is shown once and stored hashed.
type Token struct {
	ID         int64      `json:"id"`
	Name       string     `json:"name"`
	Prefix     string     `json:"prefix"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
	RevokedAt  *time.Time `json:"revoked_at"`
}

// CreateToken creates an API token for the actor themselves and returns its
// secret, which is never shown again.
func (s *Service) CreateToken(ctx context.Context, actor *helpline.Actor, name string) (Token, string, error) {
	if actor == nil || actor.UserID == 0 {
		return Token{}, "", helpline.Errorf(helpline.KindUnauthorized, "sign in first")
	}
	return s.createToken(ctx, actor, actor.UserID, name)
}

// CreateTokenFor creates a token for any user; the operator CLI uses it.
func (s *Service) CreateTokenFor(ctx context.Context, actor *helpline.Actor, userID int64, name string) (Token, string, error) {
	if err := actor.RequireAdmin(); err != nil {
		return Token{}, "", err
	}
	return s.createToken(ctx, actor, userID, name)
}

func (s *Service) createToken(ctx context.Context, actor *helpline.Actor, userID int64, name string) (Token, string, error) {
	name = strings.TrimSpace(name)
	v := helpline.Validation{}
	v.Check(name != "", "name", "is required, e.g. \"laptop CLI\"")
	v.Check(utf8.RuneCountInString(name) <= 100, "name", "must be at most 100 characters")
	if err := v.Err(); err != nil {
		return Token{}, "", err
	}
	secret, hash := newSecret(TokenPrefix)
	t := Token{Name: name, Prefix: secret[:len(TokenPrefix)+6], CreatedAt: s.nowUTC()}
	err := s.db.InTx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM users WHERE id = $1`, userID).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return helpline.NotFound("user")
		}
		err := tx.QueryRowContext(ctx, `INSERT INTO api_tokens (user_id, name, token_hash, prefix, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
			userID, t.Name, hash, t.Prefix, t.CreatedAt).Scan(&t.ID)
		if err != nil {
			return err
		}
		return s.Audit(ctx, tx, actor, "token.created", "user", userID, map[string]any{"token_id": t.ID, "name": t.Name})
	})
	return t, secret, err
}

// FindTokens lists the actor's own tokens, newest first.
func (s *Service) FindTokens(ctx context.Context, actor *helpline.Actor) ([]Token, error) {
	if actor == nil {
		return nil, helpline.Errorf(helpline.KindUnauthorized, "sign in first")
	}
	rows, err := s.db.QueryContext(ctx, `SELECT id, name, prefix, created_at, last_used_at, revoked_at FROM api_tokens WHERE user_id = $1 ORDER BY created_at DESC, id DESC`, actor.UserID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Token{}
	for rows.Next() {
		var t Token
		var used, revoked sql.NullTime
		if err := rows.Scan(&t.ID, &t.Name, &t.Prefix, &t.CreatedAt, &used, &revoked); err != nil {
			return nil, err
		}
		t.CreatedAt = t.CreatedAt.UTC()
		t.LastUsedAt, t.RevokedAt = db.NullTime(used), db.NullTime(revoked)
		out = append(out, t)
	}
	return out, rows.Err()
}

// RevokeToken revokes one of the actor's own tokens. Another user's token
// answers NotFound.
func (s *Service) RevokeToken(ctx context.Context, actor *helpline.Actor, id int64) error {
	if actor == nil {
		return helpline.Errorf(helpline.KindUnauthorized, "sign in first")
	}
	return s.db.InTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL`, s.nowUTC(), id, actor.UserID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			var exists int
			err := tx.QueryRowContext(ctx, `SELECT count(*) FROM api_tokens WHERE id = $1 AND user_id = $2`, id, actor.UserID).Scan(&exists)
			if err != nil {
				return err
			}
			if exists == 0 {
				return helpline.NotFound("token")
			}
			return nil // already revoked
		}
		return s.Audit(ctx, tx, actor, "token.revoked", "user", actor.UserID, map[string]any{"token_id": id})
	})
}

var errBadToken = &helpline.Error{Kind: helpline.KindUnauthorized, Message: "The API token is invalid or revoked. Create a new one under Account → API tokens."}

// AuthenticateToken returns the user owning an API token secret.
func (s *Service) AuthenticateToken(ctx context.Context, secret string) (User, error) {
	var u User
	if !strings.HasPrefix(secret, TokenPrefix) {
		return u, errBadToken
	}
	hash := hashSecret(secret)
	var stored string
	var id int64
	var used, revoked sql.NullTime
	err := s.db.QueryRowContext(ctx, `SELECT `+userColumns+`, t.id, t.token_hash, t.last_used_at, t.revoked_at FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = $1`, hash).
		Scan(&u.ID, &u.Email, &u.Name, &u.StaffRole, &u.CreatedAt, &id, &stored, &used, &revoked)
	if errors.Is(err, sql.ErrNoRows) {
		return u, errBadToken
	}
	if err != nil {
		return u, err
	}
	// The lookup is by hash already; comparing in constant time as well keeps
	// the check safe should the lookup ever change.
	if subtle.ConstantTimeCompare([]byte(stored), []byte(hash)) != 1 || revoked.Valid {
		return User{}, errBadToken
	}
	now := s.nowUTC()
	if !used.Valid || now.Sub(used.Time) > time.Minute {
		if _, err := s.db.ExecContext(ctx, `UPDATE api_tokens SET last_used_at = $1 WHERE id = $2`, now, id); err != nil {
			return u, err
		}
	}
	u.CreatedAt = u.CreatedAt.UTC()
	return u, nil
}
