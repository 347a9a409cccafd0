package account_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/internal/account"
	"github.com/helpline-dev/helpline/internal/db"
)

const newPassword = "a brand new passphrase"

func (f *fixture) resetJobs() int {
	f.t.Helper()
	return f.count(`SELECT count(*) FROM river_job WHERE kind = 'password_reset_email'`)
}

func TestRequestPasswordReset(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	acme := f.org("Acme", account.PlanFree)
	alice := f.customer("alice@acme.example", acme, account.OrgOwner)

	t.Run("unknown email", func(t *testing.T) {
		if err := f.svc.RequestPasswordReset(f.ctx, "nobody@acme.example", "192.0.2.1"); err != nil {
			t.Fatalf("err = %v, want nil: the answer must not reveal accounts", err)
		}
		if n := f.resetJobs(); n != 0 {
			t.Fatalf("%d jobs for an unknown email, want 0", n)
		}
		if n := len(f.audit("password_reset.requested")); n != 0 {
			t.Fatalf("%d audit events for an unknown email, want 0", n)
		}
	})

	t.Run("not an email", func(t *testing.T) {
		wantInvalid(t, f.svc.RequestPasswordReset(f.ctx, "alice", "192.0.2.1"), "email")
		if n := f.resetJobs(); n != 0 {
			t.Fatalf("%d jobs, want 0", n)
		}
	})

	t.Run("known email", func(t *testing.T) {
		if err := f.svc.RequestPasswordReset(f.ctx, " Alice@ACME.example", "192.0.2.1"); err != nil {
			t.Fatal(err)
		}
		if n := f.resetJobs(); n != 1 {
			t.Fatalf("%d jobs, want 1", n)
		}
		// River keeps args as JSONB on both databases; ask each for text.
		argsText := `args::text`
		if f.db.Dialect == db.SQLite {
			argsText = `json(args)`
		}
		var args, queue string
		if err := f.db.QueryRowContext(f.ctx, `SELECT `+argsText+`, queue FROM river_job WHERE kind = 'password_reset_email'`).Scan(&args, &queue); err != nil {
			t.Fatal(err)
		}
		var got account.PasswordResetEmailArgs
		if err := json.Unmarshal([]byte(args), &got); err != nil {
			t.Fatalf("job args %q: %v", args, err)
		}
		if got.UserID != alice.ID || queue != "email" {
			t.Fatalf("job args %q on queue %q, want user %d on email", args, queue, alice.ID)
		}
		evs := f.audit("password_reset.requested")
		if len(evs) != 1 || evs[0].ActorID == nil || *evs[0].ActorID != alice.ID || evs[0].IP != "192.0.2.1" {
			t.Fatalf("password_reset.requested events = %+v", evs)
		}
	})

	t.Run("asking again at once sends one email", func(t *testing.T) {
		if err := f.svc.RequestPasswordReset(f.ctx, "alice@acme.example", "192.0.2.1"); err != nil {
			t.Fatal(err)
		}
		if n := f.resetJobs(); n != 1 {
			t.Fatalf("%d jobs, want 1", n)
		}
	})
}

func TestResetPassword(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	acme := f.org("Acme", account.PlanFree)
	alice := f.customer("alice@acme.example", acme, account.OrgOwner)
	bob := f.customer("bob@acme.example", acme, account.OrgMember)

	aliceSession, err := f.svc.CreateSession(f.ctx, alice.ID, 24*time.Hour, "192.0.2.1", "Firefox")
	if err != nil {
		t.Fatal(err)
	}
	bobSession, err := f.svc.CreateSession(f.ctx, bob.ID, 24*time.Hour, "192.0.2.2", "Safari")
	if err != nil {
		t.Fatal(err)
	}
	u, secret, err := f.svc.IssuePasswordReset(f.ctx, alice.ID)
	if err != nil {
		t.Fatal(err)
	}
	if u != alice || len(secret) < 30 {
		t.Fatalf("IssuePasswordReset = %+v, %q", u, secret)
	}
	_, second, err := f.svc.IssuePasswordReset(f.ctx, alice.ID)
	if err != nil {
		t.Fatal(err)
	}
	_, bobSecret, err := f.svc.IssuePasswordReset(f.ctx, bob.ID)
	if err != nil {
		t.Fatal(err)
	}

	t.Run("stored hashed", func(t *testing.T) {
		if n := f.count(`SELECT count(*) FROM password_resets WHERE token_hash = $1 AND user_id = $2`, sha256Hex(secret), alice.ID); n != 1 {
			t.Fatalf("%d resets stored under the secret's hash, want 1", n)
		}
		if n := f.count(`SELECT count(*) FROM password_resets WHERE token_hash = $1`, secret); n != 0 {
			t.Fatal("the reset secret is stored in the clear")
		}
	})

	t.Run("check", func(t *testing.T) {
		if err := f.svc.CheckPasswordReset(f.ctx, secret); err != nil {
			t.Fatal(err)
		}
		for _, bad := range []string{"", "nope", sha256Hex(secret)} {
			wantInvalid(t, f.svc.CheckPasswordReset(f.ctx, bad), "token")
		}
	})

	t.Run("too short a password keeps the link", func(t *testing.T) {
		f.clock.Advance(10 * time.Minute)
		_, err := f.svc.ResetPassword(f.ctx, secret, "short", "192.0.2.1")
		wantInvalid(t, err, "password")
		if err := f.svc.CheckPasswordReset(f.ctx, secret); err != nil {
			t.Fatalf("the link was used up by a refused reset: %v", err)
		}
	})

	t.Run("a throttled account can reset", func(t *testing.T) {
		for i := 0; i < 5; i++ {
			_, _ = f.svc.Authenticate(f.ctx, "alice@acme.example", "wrong password!", "192.0.2.1")
		}
		_, err := f.svc.Authenticate(f.ctx, "alice@acme.example", password, "192.0.2.1")
		wantKind(t, err, helpline.KindRateLimited)
	})

	t.Run("reset", func(t *testing.T) {
		u, err := f.svc.ResetPassword(f.ctx, secret, newPassword, "192.0.2.3")
		if err != nil {
			t.Fatal(err)
		}
		if u != alice {
			t.Fatalf("reset the password of %+v, want %+v", u, alice)
		}
		if _, err := f.svc.Authenticate(f.ctx, "alice@acme.example", password, "192.0.2.1"); err != account.ErrBadCredentials {
			t.Fatalf("old password: err = %v, want ErrBadCredentials", err)
		}
		got, err := f.svc.Authenticate(f.ctx, "alice@acme.example", newPassword, "192.0.2.1")
		if err != nil {
			t.Fatalf("new password: %v", err)
		}
		if got.ID != alice.ID {
			t.Fatalf("signed in as %+v", got)
		}
		evs := f.audit("password_reset.completed")
		if len(evs) != 1 || evs[0].TargetID != itoa(alice.ID) || evs[0].IP != "192.0.2.3" {
			t.Fatalf("password_reset.completed events = %+v", evs)
		}
	})

	t.Run("signed out everywhere", func(t *testing.T) {
		_, err := f.svc.FindSession(f.ctx, aliceSession)
		wantKind(t, err, helpline.KindUnauthorized)
		if n := f.count(`SELECT count(*) FROM sessions WHERE user_id = $1`, alice.ID); n != 0 {
			t.Fatalf("%d sessions left", n)
		}
		if _, err := f.svc.FindSession(f.ctx, bobSession); err != nil {
			t.Fatalf("another user was signed out: %v", err)
		}
	})

	t.Run("the link works once", func(t *testing.T) {
		_, err := f.svc.ResetPassword(f.ctx, secret, "yet another passphrase", "192.0.2.1")
		wantInvalid(t, err, "token")
		wantInvalid(t, f.svc.CheckPasswordReset(f.ctx, secret), "token")
		if _, err := f.svc.Authenticate(f.ctx, "alice@acme.example", newPassword, "192.0.2.1"); err != nil {
			t.Fatalf("a refused reset changed the password: %v", err)
		}
	})

	t.Run("other outstanding links of the user are used up", func(t *testing.T) {
		_, err := f.svc.ResetPassword(f.ctx, second, "yet another passphrase", "192.0.2.1")
		wantInvalid(t, err, "token")
		if err := f.svc.CheckPasswordReset(f.ctx, bobSecret); err != nil {
			t.Fatalf("another user's link was used up: %v", err)
		}
	})
}

func TestResetPasswordExpiry(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		after time.Duration
		ok    bool
	}{
		{"at once", 0, true},
		{"a second before expiry", account.ResetTTL - time.Second, true},
		{"at expiry", account.ResetTTL, false},
		{"a day later", 24 * time.Hour, false},
	}
	f := newFixture(t)
	acme := f.org("Acme", account.PlanFree)
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f.clock.Set(t0)
			u := f.customer(itoa(int64(i))+"@acme.example", acme, account.OrgMember)
			_, secret, err := f.svc.IssuePasswordReset(f.ctx, u.ID)
			if err != nil {
				t.Fatal(err)
			}
			f.clock.Advance(tt.after)
			checkErr := f.svc.CheckPasswordReset(f.ctx, secret)
			_, resetErr := f.svc.ResetPassword(f.ctx, secret, newPassword, "192.0.2.1")
			_, oldErr := f.svc.Authenticate(f.ctx, u.Email, password, "192.0.2.1")
			_, newErr := f.svc.Authenticate(f.ctx, u.Email, newPassword, "192.0.2.1")
			if tt.ok {
				if checkErr != nil || resetErr != nil || oldErr == nil || newErr != nil {
					t.Fatalf("check %v, reset %v, old password %v, new password %v; want the reset to work", checkErr, resetErr, oldErr, newErr)
				}
				return
			}
			wantInvalid(t, checkErr, "token")
			wantInvalid(t, resetErr, "token")
			if oldErr != nil || newErr == nil {
				t.Fatalf("old password %v, new password %v; want the password unchanged", oldErr, newErr)
			}
		})
	}
}

func TestSetup(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	in := account.UserInput{Email: "Root@Example.com", Name: "Root", Password: password}

	n, err := f.svc.CountUsers(f.ctx)
	if err != nil || n != 0 {
		t.Fatalf("CountUsers = %d, %v; want 0", n, err)
	}
	t.Run("no token yet", func(t *testing.T) {
		wantKind(t, f.svc.CheckSetupToken(f.ctx, ""), helpline.KindForbidden)
		_, err := f.svc.CompleteSetup(f.ctx, "", in, "192.0.2.1")
		wantKind(t, err, helpline.KindForbidden)
	})

	stale, err := f.svc.NewSetupToken(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	secret, err := f.svc.NewSetupToken(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(secret) < 30 || secret == stale {
		t.Fatalf("setup secrets %q, %q", stale, secret)
	}

	t.Run("only the hash is stored", func(t *testing.T) {
		var value string
		if err := f.db.QueryRowContext(f.ctx, `SELECT value FROM settings WHERE key = 'setup_token_hash'`).Scan(&value); err != nil {
			t.Fatal(err)
		}
		if value != sha256Hex(secret) {
			t.Fatalf("stored %q, want the SHA-256 of the secret", value)
		}
	})

	refused := []struct {
		name   string
		secret string
	}{
		{"wrong token", "not-the-token"},
		{"empty token", ""},
		{"replaced token", stale},
		{"hash as token", sha256Hex(secret)},
	}
	for _, tt := range refused {
		t.Run(tt.name, func(t *testing.T) {
			wantKind(t, f.svc.CheckSetupToken(f.ctx, tt.secret), helpline.KindForbidden)
			_, err := f.svc.CompleteSetup(f.ctx, tt.secret, in, "192.0.2.1")
			wantKind(t, err, helpline.KindForbidden)
			if n, _ := f.svc.CountUsers(f.ctx); n != 0 {
				t.Fatalf("%d users created", n)
			}
		})
	}

	t.Run("invalid input keeps the token", func(t *testing.T) {
		_, err := f.svc.CompleteSetup(f.ctx, secret, account.UserInput{Email: "root", Name: "Root", Password: "short"}, "192.0.2.1")
		wantInvalid(t, err, "email", "password")
		if err := f.svc.CheckSetupToken(f.ctx, secret); err != nil {
			t.Fatalf("setup closed after invalid input: %v", err)
		}
	})

	t.Run("complete", func(t *testing.T) {
		if err := f.svc.CheckSetupToken(f.ctx, secret); err != nil {
			t.Fatal(err)
		}
		// Whatever the form says, the first user is an admin without an
		// organization.
		sneaky := in
		sneaky.StaffRole, sneaky.OrgID, sneaky.OrgRole = helpline.RoleAgent, 42, account.OrgOwner
		u, err := f.svc.CompleteSetup(f.ctx, secret, sneaky, "192.0.2.1")
		if err != nil {
			t.Fatal(err)
		}
		if u.ID == 0 || u.Email != "root@example.com" || u.Name != "Root" || u.StaffRole != helpline.RoleAdmin {
			t.Fatalf("first user = %+v, want an admin", u)
		}
		if n, _ := f.svc.CountUsers(f.ctx); n != 1 {
			t.Fatalf("CountUsers = %d, want 1", n)
		}
		got, err := f.svc.Authenticate(f.ctx, "root@example.com", password, "192.0.2.1")
		if err != nil {
			t.Fatal(err)
		}
		if !got.Actor("").IsAdmin() {
			t.Fatalf("signed in as %+v, want an admin", got)
		}
		evs := f.audit("user.created")
		if len(evs) != 1 || evs[0].ActorEmail != "root@example.com" || evs[0].IP != "192.0.2.1" {
			t.Fatalf("user.created events = %+v", evs)
		}
		if n := f.count(`SELECT count(*) FROM settings WHERE key = 'setup_token_hash'`); n != 0 {
			t.Fatal("the setup token was not retired")
		}
	})

	t.Run("the token works once", func(t *testing.T) {
		wantKind(t, f.svc.CheckSetupToken(f.ctx, secret), helpline.KindForbidden)
		_, err := f.svc.CompleteSetup(f.ctx, secret, account.UserInput{Email: "second@example.com", Name: "Second", Password: password}, "192.0.2.1")
		wantKind(t, err, helpline.KindForbidden)
		if n, _ := f.svc.CountUsers(f.ctx); n != 1 {
			t.Fatalf("CountUsers = %d, want 1", n)
		}
	})

	t.Run("a new token does not reopen setup", func(t *testing.T) {
		again, err := f.svc.NewSetupToken(f.ctx)
		if err != nil {
			t.Fatal(err)
		}
		wantKind(t, f.svc.CheckSetupToken(f.ctx, again), helpline.KindForbidden)
		_, err = f.svc.CompleteSetup(f.ctx, again, account.UserInput{Email: "third@example.com", Name: "Third", Password: password}, "192.0.2.1")
		wantKind(t, err, helpline.KindForbidden)
		if n, _ := f.svc.CountUsers(f.ctx); n != 1 {
			t.Fatalf("CountUsers = %d, want 1", n)
		}
	})
}
