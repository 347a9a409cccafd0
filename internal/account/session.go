package account

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/helpline-dev/helpline"
)

// Sign-in throttling: failures are counted in the database, so the limits
// hold across several server processes.
const (
	failureWindow     = 15 * time.Minute
	maxFailuresPerKey = 5  // per account
	maxFailuresPerIP  = 20 // per client address
)

// ErrBadCredentials is the one answer to a wrong email or password, so the
// sign-in form does not reveal which accounts exist.
var ErrBadCredentials = &helpline.Error{Kind: helpline.KindUnauthorized, Message: "Email or password is incorrect."}

// Authenticate checks an email and password from ip.
func (s *Service) Authenticate(ctx context.Context, email, password, ip string) (User, error) {
	email = NormalizeEmail(email)
	now := s.nowUTC()
	if err := s.checkThrottle(ctx, email, ip, now); err != nil {
		return User{}, err
	}
	var u User
	var hash string
	err := s.db.QueryRowContext(ctx, `SELECT `+userColumns+`, u.password_hash FROM users u WHERE u.email = $1`, email).
		Scan(&u.ID, &u.Email, &u.Name, &u.StaffRole, &u.CreatedAt, &hash)
	if errors.Is(err, sql.ErrNoRows) {
		hash = s.dummyHash
	} else if err != nil {
		return User{}, err
	}
	ok, verr := Verify(hash, password)
	if verr != nil || !ok || u.ID == 0 {
		return User{}, s.recordFailure(ctx, email, ip, now, u.ID)
	}
	u.CreatedAt = u.CreatedAt.UTC()
	err = s.db.InTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM signin_failures WHERE email = $1`, email); err != nil {
			return err
		}
		return s.Audit(ctx, tx, u.Actor(ip), "signin", "user", u.ID, nil)
	})
	return u, err
}

func (s *Service) checkThrottle(ctx context.Context, email, ip string, now time.Time) error {
	since := now.Add(-failureWindow)
	for _, c := range []struct {
		column, value string
		max           int
	}{{"email", email, maxFailuresPerKey}, {"ip", ip, maxFailuresPerIP}} {
		// The max-th newest failure in the window: while it exists the limit
		// holds, and it lifts when that failure leaves the window.
		var at time.Time
		err := s.db.QueryRowContext(ctx, fmt.Sprintf(`SELECT at FROM signin_failures WHERE %s = $1 AND at > $2 ORDER BY at DESC LIMIT 1 OFFSET $3`, c.column),
			c.value, since, c.max-1).Scan(&at)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return err
		}
		secs := int(at.Add(failureWindow).Sub(now).Seconds()) + 1
		return &helpline.Error{Kind: helpline.KindRateLimited, RetryAfterSeconds: secs,
			Message: fmt.Sprintf("Too many failed sign-ins. Try again in %d minutes, or reset your password.", (secs+59)/60)}
	}
	return nil
}

func (s *Service) recordFailure(ctx context.Context, email, ip string, now time.Time, userID int64) error {
	err := s.db.InTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM signin_failures WHERE at < $1`, now.Add(-failureWindow)); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO signin_failures (email, ip, at) VALUES ($1, $2, $3)`, email, ip, now); err != nil {
			return err
		}
		return s.Audit(ctx, tx, &helpline.Actor{Email: email, IP: ip}, "signin.failed", "user", userID, nil)
	})
	if err != nil {
		return err
	}
	return ErrBadCredentials
}

// Session is a signed-in browser.
type Session struct {
	User      User
	ExpiresAt time.Time
}

// CreateSession starts a web session for a user and returns its secret, which
// goes in the cookie; only its hash is stored.
func (s *Service) CreateSession(ctx context.Context, userID int64, ttl time.Duration, ip, userAgent string) (string, error) {
	secret, hash := newSecret("")
	now := s.nowUTC()
	userAgent = truncateUTF8(userAgent, 300)
	_, err := s.db.ExecContext(ctx, `INSERT INTO sessions (token_hash, user_id, created_at, expires_at, last_seen_at, ip, user_agent) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		hash, userID, now, now.Add(ttl), now, ip, userAgent)
	return secret, err
}

// FindSession returns the session with this secret, or Unauthorized.
func (s *Service) FindSession(ctx context.Context, secret string) (Session, error) {
	var sess Session
	var lastSeen time.Time
	hash := hashSecret(secret)
	err := s.db.QueryRowContext(ctx, `SELECT `+userColumns+`, s.expires_at, s.last_seen_at FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1`, hash).
		Scan(&sess.User.ID, &sess.User.Email, &sess.User.Name, &sess.User.StaffRole, &sess.User.CreatedAt, &sess.ExpiresAt, &lastSeen)
	if errors.Is(err, sql.ErrNoRows) {
		return sess, helpline.Errorf(helpline.KindUnauthorized, "your session has ended; sign in again")
	}
	if err != nil {
		return sess, err
	}
	now := s.nowUTC()
	if !now.Before(sess.ExpiresAt) {
		return sess, helpline.Errorf(helpline.KindUnauthorized, "your session has ended; sign in again")
	}
	// Touch at most every few minutes so reads do not become writes.
	if now.Sub(lastSeen) > 5*time.Minute {
		if _, err := s.db.ExecContext(ctx, `UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2`, now, hash); err != nil {
			return sess, err
		}
	}
	sess.User.CreatedAt = sess.User.CreatedAt.UTC()
	sess.ExpiresAt = sess.ExpiresAt.UTC()
	return sess, nil
}

// DeleteSession signs a browser out.
func (s *Service) DeleteSession(ctx context.Context, actor *helpline.Actor, secret string) error {
	return s.db.InTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE token_hash = $1`, hashSecret(secret))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 || actor == nil {
			return nil
		}
		return s.Audit(ctx, tx, actor, "signout", "user", actor.UserID, nil)
	})
}

// DeleteExpired removes sessions, reset links and sign-in failures that can
// no longer matter; a periodic job calls it so the tables stay small.
func (s *Service) DeleteExpired(ctx context.Context) (int64, error) {
	now := s.nowUTC()
	var total int64
	err := s.db.InTx(ctx, func(tx *sql.Tx) error {
		for _, q := range []struct {
			sql string
			arg time.Time
		}{
			{`DELETE FROM sessions WHERE expires_at <= $1`, now},
			{`DELETE FROM password_resets WHERE expires_at <= $1`, now.Add(-24 * time.Hour)},
			{`DELETE FROM signin_failures WHERE at <= $1`, now.Add(-failureWindow)},
		} {
			res, err := tx.ExecContext(ctx, q.sql, q.arg)
			if err != nil {
				return err
			}
			n, _ := res.RowsAffected()
			total += n
		}
		return nil
	})
	return total, err
}

// truncateUTF8 cuts s to at most n bytes of valid UTF-8: PostgreSQL refuses
// invalid sequences, and a header may contain anything.
func truncateUTF8(s string, n int) string {
	s = strings.ToValidUTF8(s, "")
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
