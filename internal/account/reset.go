package account

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/riverqueue/river"

	"github.com/helpline-dev/helpline"
)

// ResetTTL is how long an emailed password-reset link works.
const ResetTTL = time.Hour

// PasswordResetEmailArgs is the job that emails a user a reset link. It
// carries only the user: the worker makes the secret, so no secret sits in
// the job table.
type PasswordResetEmailArgs struct {
	UserID int64 `json:"user_id"`
}

// Kind names the job for River.
func (PasswordResetEmailArgs) Kind() string { return "password_reset_email" }

// InsertOpts makes repeated requests within a minute one email.
func (PasswordResetEmailArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: "email", MaxAttempts: 10, UniqueOpts: river.UniqueOpts{ByArgs: true, ByPeriod: time.Minute}}
}

// RequestPasswordReset queues a reset email when the address belongs to a
// user. It answers the same either way, so it does not reveal accounts.
func (s *Service) RequestPasswordReset(ctx context.Context, email, ip string) error {
	email = NormalizeEmail(email)
	if !validEmail(email) {
		return &helpline.Error{Kind: helpline.KindInvalid, Message: "Please correct the highlighted fields.", Fields: map[string]string{"email": "must be an email address like ada@example.com"}}
	}
	return s.db.InTx(ctx, func(tx *sql.Tx) error {
		var u User
		err := scanUser(tx.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users u WHERE u.email = $1`, email), &u)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		if _, err := s.jobs.InsertTx(ctx, tx, PasswordResetEmailArgs{UserID: u.ID}, nil); err != nil {
			return err
		}
		return s.Audit(ctx, tx, u.Actor(ip), "password_reset.requested", "user", u.ID, nil)
	})
}

// IssuePasswordReset makes a reset secret for a user; the email job calls it.
func (s *Service) IssuePasswordReset(ctx context.Context, userID int64) (User, string, error) {
	var u User
	err := scanUser(s.db.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users u WHERE u.id = $1`, userID), &u)
	if errors.Is(err, sql.ErrNoRows) {
		return u, "", helpline.NotFound("user")
	}
	if err != nil {
		return u, "", err
	}
	secret, hash := newSecret("")
	now := s.nowUTC()
	_, err = s.db.ExecContext(ctx, `INSERT INTO password_resets (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)`, hash, userID, now, now.Add(ResetTTL))
	return u, secret, err
}

var errBadReset = &helpline.Error{Kind: helpline.KindInvalid, Message: "This reset link is invalid, used or expired. Ask for a new one.",
	Fields: map[string]string{"token": "is invalid, used or expired"}}

// CheckPasswordReset reports whether a reset secret can still be used.
func (s *Service) CheckPasswordReset(ctx context.Context, secret string) error {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM password_resets WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2`, hashSecret(secret), s.nowUTC()).Scan(&n)
	if err != nil {
		return err
	}
	if n == 0 {
		return errBadReset
	}
	return nil
}

// ResetPassword sets a new password with a reset secret, uses up every
// outstanding reset of the user and signs them out everywhere.
func (s *Service) ResetPassword(ctx context.Context, secret, password, ip string) (User, error) {
	v := helpline.Validation{}
	checkPassword(v, "password", password)
	if err := v.Err(); err != nil {
		return User{}, err
	}
	now := s.nowUTC()
	var u User
	err := s.db.InTx(ctx, func(tx *sql.Tx) error {
		var userID int64
		err := tx.QueryRowContext(ctx, `SELECT user_id FROM password_resets WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2`, hashSecret(secret), now).Scan(&userID)
		if errors.Is(err, sql.ErrNoRows) {
			return errBadReset
		}
		if err != nil {
			return err
		}
		if err := scanUser(tx.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users u WHERE u.id = $1`, userID), &u); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = $1 WHERE id = $2`, s.hasher.Hash(password), userID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE password_resets SET used_at = $1 WHERE user_id = $2 AND used_at IS NULL`, now, userID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = $1`, userID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM signin_failures WHERE email = $1`, u.Email); err != nil {
			return err
		}
		return s.Audit(ctx, tx, u.Actor(ip), "password_reset.completed", "user", userID, nil)
	})
	return u, err
}
