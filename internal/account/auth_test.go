package account_test

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/internal/account"
)

func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

func TestAuthenticate(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	acme := f.org("Acme", account.PlanFree)
	alice := f.customer("alice@acme.example", acme, account.OrgOwner)

	t.Run("right password", func(t *testing.T) {
		u, err := f.svc.Authenticate(f.ctx, "  Alice@ACME.example ", password, "192.0.2.10")
		if err != nil {
			t.Fatal(err)
		}
		if u != alice {
			t.Fatalf("user = %+v, want %+v", u, alice)
		}
		evs := f.audit("signin")
		if len(evs) != 1 {
			t.Fatalf("%d signin events, want 1", len(evs))
		}
		e := evs[0]
		if e.ActorID == nil || *e.ActorID != alice.ID || e.ActorEmail != alice.Email || e.IP != "192.0.2.10" || e.TargetID != itoa(alice.ID) || !e.At.Equal(t0) {
			t.Fatalf("signin event = %+v", e)
		}
	})

	failures := []struct {
		name, email, password string
		target                string
	}{
		{"wrong password", "alice@acme.example", "wrong password!", itoa(alice.ID)},
		{"password in another case", "alice@acme.example", strings.ToUpper(password), itoa(alice.ID)},
		{"empty password", "alice@acme.example", "", itoa(alice.ID)},
		{"unknown email", "nobody@acme.example", password, ""},
		{"empty email", "", password, ""},
	}
	for i, tt := range failures {
		t.Run(tt.name, func(t *testing.T) {
			// Each case from its own address on its own minute, so the
			// throttle stays out of the way.
			f.clock.Advance(time.Hour)
			ip := fmt.Sprintf("198.51.100.%d", i+1)
			before := len(f.audit("signin.failed"))
			u, err := f.svc.Authenticate(f.ctx, tt.email, tt.password, ip)
			he := wantKind(t, err, helpline.KindUnauthorized)
			if err != account.ErrBadCredentials || he.Message != "Email or password is incorrect." {
				t.Fatalf("err = %v, want ErrBadCredentials", err)
			}
			if u != (account.User{}) {
				t.Fatalf("a failed sign-in returned user %+v", u)
			}
			evs := f.audit("signin.failed")
			if len(evs) != before+1 {
				t.Fatalf("%d signin.failed events, want %d", len(evs), before+1)
			}
			e := evs[0]
			if e.ActorID != nil || e.ActorEmail != account.NormalizeEmail(tt.email) || e.IP != ip || e.TargetID != tt.target || !e.At.Equal(f.clock.Now()) {
				t.Fatalf("signin.failed event = %+v", e)
			}
			// Signing in still works afterwards.
			if _, err := f.svc.Authenticate(f.ctx, "alice@acme.example", password, ip); err != nil {
				t.Fatalf("right password after one failure: %v", err)
			}
		})
	}
}

func TestAuthenticateThrottlePerEmail(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	acme := f.org("Acme", account.PlanFree)
	f.customer("alice@acme.example", acme, account.OrgOwner)
	f.customer("bob@acme.example", acme, account.OrgOwner)

	// Five failures, a minute apart, from different addresses.
	for i := 0; i < 5; i++ {
		if i > 0 {
			f.clock.Advance(time.Minute)
		}
		_, err := f.svc.Authenticate(f.ctx, "alice@acme.example", "wrong password!", fmt.Sprintf("192.0.2.%d", i))
		if err != account.ErrBadCredentials {
			t.Fatalf("failure %d: err = %v, want ErrBadCredentials", i+1, err)
		}
	}
	f.clock.Advance(time.Minute) // t0+5m: the first failure was at t0

	tests := []struct {
		name      string
		advance   time.Duration
		email     string
		password  string
		ip        string
		retry     int // 0: the sign-in succeeds
		wantError error
	}{
		{"right password is refused", 0, "alice@acme.example", password, "192.0.2.1", 10*60 + 1, nil},
		{"from another address too", 0, "ALICE@acme.example", password, "203.0.113.50", 10*60 + 1, nil},
		{"wrong password is refused without counting", 0, "alice@acme.example", "wrong password!", "192.0.2.1", 10*60 + 1, nil},
		{"another account is not affected", 0, "bob@acme.example", password, "192.0.2.1", 0, nil},
		{"a minute before the first failure leaves", 9 * time.Minute, "alice@acme.example", password, "192.0.2.1", 60 + 1, nil},
		{"the first failure left the window", time.Minute + time.Second, "alice@acme.example", password, "192.0.2.1", 0, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f.clock.Advance(tt.advance)
			failuresBefore := len(f.audit("signin.failed"))
			u, err := f.svc.Authenticate(f.ctx, tt.email, tt.password, tt.ip)
			if tt.retry == 0 {
				if err != nil {
					t.Fatal(err)
				}
				if u.Email != account.NormalizeEmail(tt.email) {
					t.Fatalf("signed in as %+v", u)
				}
				return
			}
			he := wantKind(t, err, helpline.KindRateLimited)
			if he.RetryAfterSeconds != tt.retry {
				t.Fatalf("RetryAfterSeconds = %d, want %d", he.RetryAfterSeconds, tt.retry)
			}
			if !strings.Contains(he.Message, "reset your password") {
				t.Fatalf("message = %q, want it to say what to do", he.Message)
			}
			if u != (account.User{}) {
				t.Fatalf("a throttled sign-in returned user %+v", u)
			}
			if n := len(f.audit("signin.failed")); n != failuresBefore {
				t.Fatalf("a throttled attempt was recorded as a failure")
			}
		})
	}

	t.Run("success clears the failures", func(t *testing.T) {
		if n := f.count(`SELECT count(*) FROM signin_failures WHERE email = 'alice@acme.example'`); n != 0 {
			t.Fatalf("%d failures left after a successful sign-in", n)
		}
		for i := 0; i < 4; i++ {
			if _, err := f.svc.Authenticate(f.ctx, "alice@acme.example", "wrong password!", "192.0.2.1"); err != account.ErrBadCredentials {
				t.Fatalf("err = %v", err)
			}
		}
		if _, err := f.svc.Authenticate(f.ctx, "alice@acme.example", password, "192.0.2.1"); err != nil {
			t.Fatalf("four failures must not lock the account: %v", err)
		}
	})
}

func TestAuthenticateThrottlePerIP(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	acme := f.org("Acme", account.PlanFree)
	f.customer("alice@acme.example", acme, account.OrgOwner)
	const ip = "203.0.113.9"

	// Twenty failures from one address, each against another email, so no
	// account reaches its own limit.
	for i := 0; i < 20; i++ {
		_, err := f.svc.Authenticate(f.ctx, fmt.Sprintf("guess%d@acme.example", i), "wrong password!", ip)
		if err != account.ErrBadCredentials {
			t.Fatalf("failure %d: err = %v, want ErrBadCredentials", i+1, err)
		}
		f.clock.Advance(10 * time.Second)
	}

	tests := []struct {
		name    string
		advance time.Duration
		ip      string
		limited bool
	}{
		{"same address is refused", 0, ip, true},
		{"another address gets in", 0, "203.0.113.10", false},
		{"same address once the window passed", 15 * time.Minute, ip, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f.clock.Advance(tt.advance)
			u, err := f.svc.Authenticate(f.ctx, "alice@acme.example", password, tt.ip)
			if !tt.limited {
				if err != nil {
					t.Fatal(err)
				}
				if u.Email != "alice@acme.example" {
					t.Fatalf("signed in as %+v", u)
				}
				return
			}
			he := wantKind(t, err, helpline.KindRateLimited)
			// The first failure was at t0, the clock is at t0+200s.
			if want := 15*60 - 200 + 1; he.RetryAfterSeconds != want {
				t.Fatalf("RetryAfterSeconds = %d, want %d", he.RetryAfterSeconds, want)
			}
		})
	}

	t.Run("nineteen failures are allowed", func(t *testing.T) {
		const ip2 = "203.0.113.77"
		for i := 0; i < 19; i++ {
			if _, err := f.svc.Authenticate(f.ctx, fmt.Sprintf("other%d@acme.example", i), "wrong password!", ip2); err != account.ErrBadCredentials {
				t.Fatalf("failure %d: %v", i+1, err)
			}
		}
		if _, err := f.svc.Authenticate(f.ctx, "alice@acme.example", password, ip2); err != nil {
			t.Fatalf("20th attempt: %v", err)
		}
	})
}

func TestSessions(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	acme := f.org("Acme", account.PlanFree)
	alice := f.customer("alice@acme.example", acme, account.OrgOwner)
	bob := f.customer("bob@acme.example", acme, account.OrgMember)
	const ttl = 12 * time.Hour

	secret, err := f.svc.CreateSession(f.ctx, alice.ID, ttl, "192.0.2.1", "Firefox")
	if err != nil {
		t.Fatal(err)
	}
	other, err := f.svc.CreateSession(f.ctx, bob.ID, 2*ttl, "192.0.2.2", strings.Repeat("u", 500))
	if err != nil {
		t.Fatal(err)
	}
	if len(secret) < 30 || secret == other {
		t.Fatalf("secrets %q and %q: want long and distinct", secret, other)
	}

	t.Run("stored hashed", func(t *testing.T) {
		var hash, ua string
		if err := f.db.QueryRowContext(f.ctx, `SELECT token_hash, user_agent FROM sessions WHERE user_id = $1`, alice.ID).Scan(&hash, &ua); err != nil {
			t.Fatal(err)
		}
		if hash != sha256Hex(secret) || ua != "Firefox" {
			t.Fatalf("stored hash %q, user agent %q", hash, ua)
		}
		if n := f.count(`SELECT count(*) FROM sessions WHERE token_hash = $1`, secret); n != 0 {
			t.Fatal("the session secret is stored in the clear")
		}
		if err := f.db.QueryRowContext(f.ctx, `SELECT user_agent FROM sessions WHERE user_id = $1`, bob.ID).Scan(&ua); err != nil {
			t.Fatal(err)
		}
		if len(ua) != 300 {
			t.Fatalf("user agent of %d bytes stored, want it cut to 300", len(ua))
		}
	})

	tests := []struct {
		name    string
		advance time.Duration
		secret  string
		user    string // "" for unauthorized
	}{
		{"fresh", 0, secret, "alice@acme.example"},
		{"other user's session", 0, other, "bob@acme.example"},
		{"unknown secret", 0, "not-a-session", ""},
		{"empty secret", 0, "", ""},
		{"a second before expiry", ttl - time.Second, secret, "alice@acme.example"},
		{"at expiry", time.Second, secret, ""},
		{"after expiry", time.Hour, secret, ""},
		{"longer session still valid", 0, other, "bob@acme.example"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f.clock.Advance(tt.advance)
			sess, err := f.svc.FindSession(f.ctx, tt.secret)
			if tt.user == "" {
				wantKind(t, err, helpline.KindUnauthorized)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if sess.User.Email != tt.user {
				t.Fatalf("session of %+v, want %s", sess.User, tt.user)
			}
			if tt.secret == secret && !sess.ExpiresAt.Equal(t0.Add(ttl)) {
				t.Fatalf("expires at %v, want %v", sess.ExpiresAt, t0.Add(ttl))
			}
		})
	}

	t.Run("last seen is touched", func(t *testing.T) {
		var seen time.Time
		if err := f.db.QueryRowContext(f.ctx, `SELECT last_seen_at FROM sessions WHERE user_id = $1`, bob.ID).Scan(&seen); err != nil {
			t.Fatal(err)
		}
		if !seen.Equal(f.clock.Now()) {
			t.Fatalf("last_seen_at = %v, want %v", seen, f.clock.Now())
		}
	})

	t.Run("sign out", func(t *testing.T) {
		s, err := f.svc.CreateSession(f.ctx, alice.ID, ttl, "192.0.2.1", "Firefox")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.FindSession(f.ctx, s); err != nil {
			t.Fatal(err)
		}
		actor := alice.Actor("192.0.2.1")
		if err := f.svc.DeleteSession(f.ctx, actor, s); err != nil {
			t.Fatal(err)
		}
		_, err = f.svc.FindSession(f.ctx, s)
		wantKind(t, err, helpline.KindUnauthorized)
		evs := f.audit("signout")
		if len(evs) != 1 || evs[0].ActorID == nil || *evs[0].ActorID != alice.ID || evs[0].IP != "192.0.2.1" || evs[0].TargetID != itoa(alice.ID) {
			t.Fatalf("signout events = %+v", evs)
		}
		// Signing out twice is harmless and not audited again.
		if err := f.svc.DeleteSession(f.ctx, actor, s); err != nil {
			t.Fatal(err)
		}
		if n := len(f.audit("signout")); n != 1 {
			t.Fatalf("%d signout events, want 1", n)
		}
		// Bob's session is untouched.
		if _, err := f.svc.FindSession(f.ctx, other); err != nil {
			t.Fatalf("another session ended too: %v", err)
		}
	})
}

func TestTokens(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	acme := f.org("Acme", account.PlanFree)
	alice := f.customer("alice@acme.example", acme, account.OrgOwner)
	bob := f.customer("bob@acme.example", acme, account.OrgMember)

	tok, secret, err := f.svc.CreateToken(f.ctx, alice.Actor("192.0.2.1"), "  laptop CLI ")
	if err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(time.Minute)
	tok2, secret2, err := f.svc.CreateToken(f.ctx, alice.Actor(""), "CI")
	if err != nil {
		t.Fatal(err)
	}
	bobTok, bobSecret, err := f.svc.CreateToken(f.ctx, bob.Actor(""), "bob's")
	if err != nil {
		t.Fatal(err)
	}

	t.Run("created", func(t *testing.T) {
		if !strings.HasPrefix(secret, "hlp_") || len(secret) < 30 {
			t.Fatalf("secret = %q, want hlp_ and at least 26 random characters", secret)
		}
		if secret == secret2 || secret == bobSecret {
			t.Fatal("two tokens share a secret")
		}
		if tok.ID == 0 || tok.Name != "laptop CLI" || tok.Prefix != secret[:10] || !tok.CreatedAt.Equal(t0) || tok.LastUsedAt != nil || tok.RevokedAt != nil {
			t.Fatalf("token = %+v", tok)
		}
		evs := f.audit("token.created")
		if len(evs) != 3 || evs[2].TargetID != itoa(alice.ID) || evs[2].Details["name"] != "laptop CLI" {
			t.Fatalf("token.created events = %+v", evs)
		}
	})

	t.Run("only the hash is stored", func(t *testing.T) {
		rows, err := f.db.QueryContext(f.ctx, `SELECT id, name, token_hash, prefix FROM api_tokens`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		hashes := map[int64]string{}
		for rows.Next() {
			var id int64
			var name, hash, prefix string
			if err := rows.Scan(&id, &name, &hash, &prefix); err != nil {
				t.Fatal(err)
			}
			for _, s := range []string{secret, secret2, bobSecret} {
				if strings.Contains(name+hash+prefix, s) || strings.Contains(name+hash+prefix, strings.TrimPrefix(s, "hlp_")) {
					t.Fatalf("token %d stores its secret: %q %q %q", id, name, hash, prefix)
				}
			}
			hashes[id] = hash
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		if hashes[tok.ID] != sha256Hex(secret) || hashes[tok2.ID] != sha256Hex(secret2) || hashes[bobTok.ID] != sha256Hex(bobSecret) {
			t.Fatalf("stored hashes %v, want the SHA-256 of each secret", hashes)
		}
		if n := f.count(`SELECT count(*) FROM audit_events WHERE details LIKE $1`, "%"+secret[4:]+"%"); n != 0 {
			t.Fatal("the audit log holds a token secret")
		}
	})

	t.Run("invalid name", func(t *testing.T) {
		for _, name := range []string{"", "   ", strings.Repeat("n", 101)} {
			_, _, err := f.svc.CreateToken(f.ctx, alice.Actor(""), name)
			wantInvalid(t, err, "name")
		}
		_, _, err := f.svc.CreateToken(f.ctx, nil, "anon")
		wantKind(t, err, helpline.KindUnauthorized)
		_, _, err = f.svc.CreateToken(f.ctx, account.CLI(), "cli has no user")
		wantKind(t, err, helpline.KindUnauthorized)
	})

	t.Run("create for another user is admin only", func(t *testing.T) {
		_, _, err := f.svc.CreateTokenFor(f.ctx, alice.Actor(""), bob.ID, "sneaky")
		wantKind(t, err, helpline.KindForbidden)
		_, s, err := f.svc.CreateTokenFor(f.ctx, account.CLI(), bob.ID, "from the CLI")
		if err != nil {
			t.Fatal(err)
		}
		u, err := f.svc.AuthenticateToken(f.ctx, s)
		if err != nil || u.ID != bob.ID {
			t.Fatalf("AuthenticateToken = %+v, %v; want bob", u, err)
		}
	})

	t.Run("authenticate", func(t *testing.T) {
		for _, tc := range []struct {
			secret string
			user   int64 // 0: unauthorized
		}{
			{secret, alice.ID},
			{secret2, alice.ID},
			{bobSecret, bob.ID},
			{"", 0},
			{"hlp_", 0},
			{"hlp_doesnotexist", 0},
			{strings.TrimPrefix(secret, "hlp_"), 0},
			{sha256Hex(secret), 0},
			{strings.ToUpper(secret), 0},
			{secret + "x", 0},
		} {
			u, err := f.svc.AuthenticateToken(f.ctx, tc.secret)
			if tc.user == 0 {
				wantKind(t, err, helpline.KindUnauthorized)
				continue
			}
			if err != nil {
				t.Fatalf("AuthenticateToken(%q): %v", tc.secret, err)
			}
			if u.ID != tc.user {
				t.Fatalf("AuthenticateToken(%q) = user %d, want %d", tc.secret, u.ID, tc.user)
			}
		}
	})

	lastUsed := func(id int64) *time.Time {
		t.Helper()
		toks, err := f.svc.FindTokens(f.ctx, alice.Actor(""))
		if err != nil {
			t.Fatal(err)
		}
		for _, tk := range toks {
			if tk.ID == id {
				return tk.LastUsedAt
			}
		}
		t.Fatalf("token %d not listed", id)
		return nil
	}

	t.Run("last used", func(t *testing.T) {
		used := f.clock.Now() // the authenticate subtest used it just now
		if got := lastUsed(tok.ID); got == nil || !got.Equal(used) {
			t.Fatalf("last_used_at = %v, want %v", got, used)
		}
		// Within a minute the row is not written again.
		f.clock.Advance(30 * time.Second)
		if _, err := f.svc.AuthenticateToken(f.ctx, secret); err != nil {
			t.Fatal(err)
		}
		if got := lastUsed(tok.ID); got == nil || !got.Equal(used) {
			t.Fatalf("last_used_at = %v, want still %v", got, used)
		}
		f.clock.Advance(31 * time.Second)
		if _, err := f.svc.AuthenticateToken(f.ctx, secret); err != nil {
			t.Fatal(err)
		}
		if got := lastUsed(tok.ID); got == nil || !got.Equal(f.clock.Now()) {
			t.Fatalf("last_used_at = %v, want %v", got, f.clock.Now())
		}
	})

	t.Run("list own tokens", func(t *testing.T) {
		for _, tc := range []struct {
			actor *helpline.Actor
			names []string
		}{
			{alice.Actor(""), []string{"CI", "laptop CLI"}},
			{bob.Actor(""), []string{"from the CLI", "bob's"}},
			{account.CLI(), []string{}},
		} {
			toks, err := f.svc.FindTokens(f.ctx, tc.actor)
			if err != nil {
				t.Fatal(err)
			}
			names := []string{}
			for _, tk := range toks {
				names = append(names, tk.Name)
			}
			if strings.Join(names, "|") != strings.Join(tc.names, "|") {
				t.Fatalf("tokens of %s = %v, want %v", tc.actor.Email, names, tc.names)
			}
		}
		_, err := f.svc.FindTokens(f.ctx, nil)
		wantKind(t, err, helpline.KindUnauthorized)
	})

	t.Run("revoke", func(t *testing.T) {
		// Another user's token and one that does not exist look the same.
		wantKind(t, f.svc.RevokeToken(f.ctx, bob.Actor(""), tok.ID), helpline.KindNotFound)
		wantKind(t, f.svc.RevokeToken(f.ctx, bob.Actor(""), 987654), helpline.KindNotFound)
		wantKind(t, f.svc.RevokeToken(f.ctx, nil, tok.ID), helpline.KindUnauthorized)
		if _, err := f.svc.AuthenticateToken(f.ctx, secret); err != nil {
			t.Fatalf("a refused revoke still revoked the token: %v", err)
		}

		f.clock.Advance(time.Hour)
		if err := f.svc.RevokeToken(f.ctx, alice.Actor(""), tok.ID); err != nil {
			t.Fatal(err)
		}
		_, err := f.svc.AuthenticateToken(f.ctx, secret)
		wantKind(t, err, helpline.KindUnauthorized)
		if _, err := f.svc.AuthenticateToken(f.ctx, secret2); err != nil {
			t.Fatalf("revoking one token revoked another: %v", err)
		}
		toks, err := f.svc.FindTokens(f.ctx, alice.Actor(""))
		if err != nil {
			t.Fatal(err)
		}
		for _, tk := range toks {
			switch tk.ID {
			case tok.ID:
				if tk.RevokedAt == nil || !tk.RevokedAt.Equal(f.clock.Now()) {
					t.Fatalf("revoked_at = %v, want %v", tk.RevokedAt, f.clock.Now())
				}
			case tok2.ID:
				if tk.RevokedAt != nil {
					t.Fatalf("token 2 revoked at %v", tk.RevokedAt)
				}
			}
		}
		if evs := f.audit("token.revoked"); len(evs) != 1 || evs[0].Details["token_id"] != float64(tok.ID) {
			t.Fatalf("token.revoked events = %+v", evs)
		}
		// Revoking again is harmless and keeps the first time.
		f.clock.Advance(time.Hour)
		if err := f.svc.RevokeToken(f.ctx, alice.Actor(""), tok.ID); err != nil {
			t.Fatal(err)
		}
		if n := len(f.audit("token.revoked")); n != 1 {
			t.Fatalf("%d token.revoked events, want 1", n)
		}
	})
}
