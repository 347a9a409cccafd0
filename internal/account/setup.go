package account

import (
	"context"
	"crypto/subtle"
	"database/sql"
	"errors"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/internal/db"
)

// First-run setup: a server that starts on a database without users makes a
// one-time setup secret and prints a link with it; whoever opens the link
// creates the first admin. Only the secret's hash is stored.

const setupKey = "setup_token_hash"

// NewSetupToken replaces the setup secret and returns it.
func (s *Service) NewSetupToken(ctx context.Context) (string, error) {
	secret, hash := newSecret("")
	_, err := s.db.ExecContext(ctx, `INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`, setupKey, hash, s.nowUTC())
	return secret, err
}

var errBadSetup = &helpline.Error{Kind: helpline.KindForbidden, Message: "This setup link is invalid or was used. Restart the server to get a new one."}

// CheckSetupToken reports whether setup is still open with this secret.
func (s *Service) CheckSetupToken(ctx context.Context, secret string) error {
	return s.checkSetup(ctx, s.db, secret)
}

func (s *Service) checkSetup(ctx context.Context, q db.Querier, secret string) error {
	var stored string
	err := q.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = $1`, setupKey).Scan(&stored)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	if secret == "" || subtle.ConstantTimeCompare([]byte(stored), []byte(hashSecret(secret))) != 1 {
		return errBadSetup
	}
	var n int
	if err := q.QueryRowContext(ctx, `SELECT count(*) FROM users`).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return errBadSetup
	}
	return nil
}

// CompleteSetup creates the first admin with the setup secret and retires it.
func (s *Service) CompleteSetup(ctx context.Context, secret string, in UserInput, ip string) (User, error) {
	in.StaffRole, in.OrgID = helpline.RoleAdmin, 0
	if err := in.validate(false); err != nil {
		return User{}, err
	}
	var u User
	err := s.db.InTx(ctx, func(tx *sql.Tx) error {
		if err := s.checkSetup(ctx, tx, secret); err != nil {
			return err
		}
		var err error
		u, err = s.insertUser(ctx, tx, &helpline.Actor{Email: in.Email, IP: ip}, in)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM settings WHERE key = $1`, setupKey)
		return err
	})
	return u, err
}
