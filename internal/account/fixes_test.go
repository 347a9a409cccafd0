package account_test

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/internal/account"
)

// A browser's User-Agent can hold anything; sign-in must not fail on it
// (PostgreSQL rejects invalid UTF-8 and a cut through a character).
func TestSessionUserAgentIsStoredAsValidUTF8(t *testing.T) {
	f := newFixture(t)
	org := f.org("Acme", account.PlanFree)
	u := f.customer("dev@acme.test", org, account.OrgMember)
	for _, ua := range []string{"a" + strings.Repeat("é", 200), "bad \xff\xfe bytes"} {
		secret, err := f.svc.CreateSession(f.ctx, u.ID, time.Hour, "127.0.0.1", ua)
		if err != nil {
			t.Fatalf("user agent %q: %v", ua, err)
		}
		if _, err := f.svc.FindSession(f.ctx, secret); err != nil {
			t.Fatal(err)
		}
	}
	var stored string
	if err := f.db.QueryRowContext(f.ctx, `SELECT user_agent FROM sessions ORDER BY created_at, user_agent LIMIT 1`).Scan(&stored); err != nil {
		t.Fatal(err)
	}
	if !utf8.ValidString(stored) || len(stored) > 300 {
		t.Fatalf("stored user agent %q (%d bytes)", stored, len(stored))
	}
}

func TestUnknownUserIsNotFound(t *testing.T) {
	f := newFixture(t)
	if _, _, err := f.svc.IssuePasswordReset(f.ctx, 4242); helpline.KindOf(err) != helpline.KindNotFound {
		t.Errorf("IssuePasswordReset: %v", err)
	}
	if _, _, err := f.svc.CreateTokenFor(f.ctx, account.CLI(), 4242, "x"); helpline.KindOf(err) != helpline.KindNotFound {
		t.Errorf("CreateTokenFor: %v", err)
	}
	if account.Plan("").Label() != "" {
		t.Error("empty plan has a label")
	}
}

// An organization keeps an owner: the last one cannot be demoted.
func TestLastOwnerStays(t *testing.T) {
	f := newFixture(t)
	org := f.org("Acme", account.PlanFree)
	owner := f.customer("owner@acme.test", org, account.OrgOwner)
	err := f.svc.AddMember(f.ctx, owner.Actor(""), org.ID, owner.ID, account.OrgMember)
	wantInvalid(t, err, "role")
	second := f.customer("second@acme.test", org, account.OrgMember)
	if err := f.svc.AddMember(f.ctx, owner.Actor(""), org.ID, second.ID, account.OrgOwner); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.AddMember(f.ctx, owner.Actor(""), org.ID, owner.ID, account.OrgMember); err != nil {
		t.Fatalf("demoting one of two owners: %v", err)
	}
}

func TestDeleteExpired(t *testing.T) {
	f := newFixture(t)
	org := f.org("Acme", account.PlanFree)
	u := f.customer("dev@acme.test", org, account.OrgMember)
	short, err := f.svc.CreateSession(f.ctx, u.ID, time.Hour, "", "")
	if err != nil {
		t.Fatal(err)
	}
	long, err := f.svc.CreateSession(f.ctx, u.ID, 48*time.Hour, "", "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Authenticate(f.ctx, "dev@acme.test", "wrong password", "10.0.0.1"); err == nil {
		t.Fatal("wrong password accepted")
	}
	if _, _, err := f.svc.IssuePasswordReset(f.ctx, u.ID); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(26 * time.Hour)
	n, err := f.svc.DeleteExpired(f.ctx)
	if err != nil || n != 3 {
		t.Fatalf("deleted %d rows, %v; want the short session, the failure and the reset", n, err)
	}
	if _, err := f.svc.FindSession(f.ctx, short); helpline.KindOf(err) != helpline.KindUnauthorized {
		t.Errorf("expired session: %v", err)
	}
	if _, err := f.svc.FindSession(f.ctx, long); err != nil {
		t.Errorf("live session deleted: %v", err)
	}
}
