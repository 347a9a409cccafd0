package ticket_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/internal/account"
	"github.com/helpline-dev/helpline/internal/ticket"
)

func TestSharing(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	acme := f.org("Acme", account.PlanStandard)
	other := f.org("Other", account.PlanStandard)
	third := f.org("Third", account.PlanFree)
	alice := f.customer("alice", acme, account.OrgOwner)
	amy := f.customer("amy", acme, account.OrgMember)
	bob := f.customer("bob", other, account.OrgOwner)
	carol := f.customer("carol", third, account.OrgOwner)
	agent := f.staff("agent", helpline.RoleAgent)
	tk := f.open(alice, basic("Shared problem", ticket.Normal))

	if tok, err := f.svc.ShareToken(f.ctx, alice, tk.ID); err != nil || tok != "" {
		t.Fatalf("ShareToken before sharing = %q, %v", tok, err)
	}
	tok1, err := f.svc.Share(f.ctx, alice, tk.ID, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(tok1) < 32 {
		t.Fatalf("token %q is too short to be unguessable", tok1)
	}
	for _, actor := range []*helpline.Actor{alice, amy, agent} {
		again, err := f.svc.Share(f.ctx, actor, tk.ID, false)
		if err != nil || again != tok1 {
			t.Fatalf("Share by %s again = %q, %v; want the same token %q", actor.Name, again, err, tok1)
		}
	}
	if tok, err := f.svc.ShareToken(f.ctx, amy, tk.ID); err != nil || tok != tok1 {
		t.Fatalf("ShareToken = %q, %v; want %q", tok, err, tok1)
	}
	f.wantAudit("ticket.share_link_created", tk.ID, alice)

	tok2, err := f.svc.Share(f.ctx, alice, tk.ID, true)
	if err != nil {
		t.Fatal(err)
	}
	if tok2 == tok1 {
		t.Fatalf("rotate kept the token")
	}
	f.wantAudit("ticket.share_link_rotated", tk.ID, alice)
	_, err = f.svc.Join(f.ctx, bob, tok1)
	wantKind(t, err, helpline.KindNotFound)
	_, err = f.svc.Join(f.ctx, bob, "")
	wantKind(t, err, helpline.KindNotFound)
	_, err = f.svc.Join(f.ctx, nil, tok2)
	wantKind(t, err, helpline.KindUnauthorized)

	f.clock.Advance(time.Minute)
	for i := 0; i < 2; i++ { // joining twice changes nothing
		got, err := f.svc.Join(f.ctx, bob, tok2)
		if err != nil {
			t.Fatalf("join %d: %v", i+1, err)
		}
		if got.ID != tk.ID {
			t.Fatalf("joined %d, want %d", got.ID, tk.ID)
		}
	}
	ev := f.wantAudit("ticket.joined", tk.ID, bob)
	if ev.Details["name"] != "bob" {
		t.Fatalf("joined audit details = %v", ev.Details)
	}
	// Members and staff see the ticket already: joining adds no participant.
	for _, actor := range []*helpline.Actor{amy, agent} {
		if _, err := f.svc.Join(f.ctx, actor, tok2); err != nil {
			t.Fatalf("join by %s: %v", actor.Name, err)
		}
	}
	if n := len(f.audit("ticket.joined", tk.ID)); n != 1 {
		t.Fatalf("%d joins audited, want 1", n)
	}
	parts, err := f.svc.FindParticipants(f.ctx, alice, tk.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := []ticket.Participant{{UserID: bob.UserID, Name: "bob", Email: "bob@example.com", JoinedAt: t0.Add(time.Minute)}}
	if !reflect.DeepEqual(parts, want) {
		t.Fatalf("participants = %+v, want %+v", parts, want)
	}
	if kinds := f.eventKinds(alice, tk.ID); !has(kinds, "participant_joined") || !has(kinds, "share_link_rotated") {
		t.Fatalf("events = %v", kinds)
	}

	t.Run("participants do not manage sharing", func(t *testing.T) {
		_, err := f.svc.Share(f.ctx, bob, tk.ID, true)
		wantKind(t, err, helpline.KindForbidden)
		wantKind(t, f.svc.RevokeShare(f.ctx, bob, tk.ID), helpline.KindForbidden)
		wantKind(t, f.svc.RemoveParticipant(f.ctx, bob, tk.ID, bob.UserID), helpline.KindForbidden)
		if tok, _ := f.svc.ShareToken(f.ctx, alice, tk.ID); tok != tok2 {
			t.Fatalf("token changed to %q", tok)
		}
	})
	t.Run("only the requester and staff remove participants", func(t *testing.T) {
		wantKind(t, f.svc.RemoveParticipant(f.ctx, amy, tk.ID, bob.UserID), helpline.KindForbidden)
		if err := f.svc.RemoveParticipant(f.ctx, alice, tk.ID, bob.UserID); err != nil {
			t.Fatal(err)
		}
		f.wantAudit("ticket.participant_removed", tk.ID, alice)
		_, err := f.svc.FindTicketByID(f.ctx, bob, tk.ID)
		wantKind(t, err, helpline.KindNotFound)
		_, err = f.svc.FindComments(f.ctx, bob, tk.ID)
		wantKind(t, err, helpline.KindNotFound)
		wantKind(t, f.svc.RemoveParticipant(f.ctx, alice, tk.ID, bob.UserID), helpline.KindNotFound)
		if parts, _ := f.svc.FindParticipants(f.ctx, alice, tk.ID); len(parts) != 0 {
			t.Fatalf("participants = %+v", parts)
		}
		// Staff remove too.
		if _, err := f.svc.Join(f.ctx, carol, tok2); err != nil {
			t.Fatal(err)
		}
		if err := f.svc.RemoveParticipant(f.ctx, agent, tk.ID, carol.UserID); err != nil {
			t.Fatal(err)
		}
		_, err = f.svc.FindTicketByID(f.ctx, carol, tk.ID)
		wantKind(t, err, helpline.KindNotFound)
	})
	t.Run("revoke", func(t *testing.T) {
		if err := f.svc.RevokeShare(f.ctx, amy, tk.ID); err != nil {
			t.Fatal(err)
		}
		f.wantAudit("ticket.share_link_revoked", tk.ID, amy)
		_, err := f.svc.Join(f.ctx, carol, tok2)
		wantKind(t, err, helpline.KindNotFound)
		if tok, err := f.svc.ShareToken(f.ctx, alice, tk.ID); err != nil || tok != "" {
			t.Fatalf("ShareToken after revoke = %q, %v", tok, err)
		}
		if err := f.svc.RevokeShare(f.ctx, alice, tk.ID); err != nil {
			t.Fatalf("revoking twice: %v", err)
		}
		if n := len(f.audit("ticket.share_link_revoked", tk.ID)); n != 1 {
			t.Fatalf("%d revocations audited, want 1", n)
		}
		tok3, err := f.svc.Share(f.ctx, alice, tk.ID, false)
		if err != nil || tok3 == "" || tok3 == tok2 {
			t.Fatalf("Share after revoke = %q, %v; want a new token", tok3, err)
		}
	})
}

func TestRevokeAccess(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	acme := f.org("Acme", account.PlanPremier)
	other := f.org("Other", account.PlanStandard)
	alice := f.customer("alice", acme, account.OrgOwner)
	amy := f.customer("amy", acme, account.OrgMember)
	bob := f.customer("bob", other, account.OrgOwner)
	agent := f.staff("agent", helpline.RoleAgent)
	web := f.app(acme, "acme-web")
	tk := f.open(alice, urgent("Site down", web))

	wantKind(t, f.svc.RevokeAccess(f.ctx, bob, tk.ID), helpline.KindNotFound)
	wantKind(t, f.svc.RevokeAccess(f.ctx, agent, tk.ID), helpline.KindForbidden)
	token, err := f.svc.Share(f.ctx, alice, tk.ID, false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Join(f.ctx, bob, token); err != nil {
		t.Fatal(err)
	}
	wantKind(t, f.svc.RevokeAccess(f.ctx, bob, tk.ID), helpline.KindForbidden)
	if n := f.count(`SELECT count(*) FROM access_grants WHERE revoked_at IS NOT NULL`); n != 0 {
		t.Fatalf("a refused revocation revoked %d grants", n)
	}

	f.clock.Advance(2 * time.Hour)
	if err := f.svc.RevokeAccess(f.ctx, amy, tk.ID); err != nil {
		t.Fatal(err)
	}
	grants, err := f.svc.FindGrants(f.ctx, alice, tk.ID)
	if err != nil {
		t.Fatal(err)
	}
	now := t0.Add(2 * time.Hour)
	if len(grants) != 1 || grants[0].RevokedAt == nil || !grants[0].RevokedAt.Equal(now) || grants[0].Active(now) {
		t.Fatalf("grants = %+v, want one revoked at %v", grants, now)
	}
	if n := f.count(`SELECT count(*) FROM access_grants WHERE ticket_id = $1 AND revoked_by = $2`, tk.ID, amy.UserID); n != 1 {
		t.Fatalf("revoked_by not recorded")
	}
	f.wantAudit("access.revoked", tk.ID, amy)
	if kinds := f.eventKinds(alice, tk.ID); !has(kinds, "access_revoked") {
		t.Fatalf("events = %v", kinds)
	}
	wantKind(t, f.svc.RevokeAccess(f.ctx, alice, tk.ID), helpline.KindConflict)
	if n := len(f.audit("access.revoked", tk.ID)); n != 1 {
		t.Fatalf("%d revocations audited, want 1", n)
	}

	t.Run("an expired grant cannot be revoked", func(t *testing.T) {
		expiring := f.open(alice, urgent("Down again", web))
		f.clock.Advance(8 * 24 * time.Hour)
		wantKind(t, f.svc.RevokeAccess(f.ctx, alice, expiring.ID), helpline.KindConflict)
	})
	t.Run("admins may revoke", func(t *testing.T) {
		admin := f.staff("admin", helpline.RoleAdmin)
		tk := f.open(alice, urgent("Down a third time", web))
		if err := f.svc.RevokeAccess(f.ctx, admin, tk.ID); err != nil {
			t.Fatal(err)
		}
		f.wantAudit("access.revoked", tk.ID, admin)
	})
	t.Run("no grant on a non-urgent ticket", func(t *testing.T) {
		plain := f.open(alice, basic("Question", ticket.Low))
		wantKind(t, f.svc.RevokeAccess(f.ctx, alice, plain.ID), helpline.KindConflict)
	})
}

func TestAttachments(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	acme := f.org("Acme", account.PlanStandard)
	other := f.org("Other", account.PlanStandard)
	alice := f.customer("alice", acme, account.OrgOwner)
	bob := f.customer("bob", other, account.OrgOwner)
	agent := f.staff("agent", helpline.RoleAgent)
	tk := f.open(alice, basic("Crash log attached", ticket.Normal))

	content := []byte("2025-03-10T08:30:00Z app[web.1]: Error R14 (Memory quota exceeded)\n")
	sum := sha256.Sum256(content)
	a, err := f.svc.AddAttachment(f.ctx, alice, tk.ID, `C:\logs\..\crash "1".log`, "text/plain; charset=utf-8", bytes.NewReader(content))
	if err != nil {
		t.Fatal(err)
	}
	if a.ID == 0 || a.TicketID != tk.ID || a.UploaderID != alice.UserID || a.Filename != "crash 1.log" || a.Size != int64(len(content)) ||
		a.SHA256 != hex.EncodeToString(sum[:]) || a.ContentType != "text/plain; charset=utf-8" || !a.CreatedAt.Equal(t0) {
		t.Fatalf("attachment = %+v", a)
	}
	list, err := f.svc.FindAttachments(f.ctx, agent, tk.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(list, []ticket.Attachment{a}) {
		t.Fatalf("FindAttachments = %+v, want [%+v]", list, a)
	}
	for _, actor := range []*helpline.Actor{alice, agent} {
		got, file, err := f.svc.OpenAttachment(f.ctx, actor, a.ID)
		if err != nil {
			t.Fatalf("open as %s: %v", actor.Name, err)
		}
		b, err := io.ReadAll(file)
		file.Close()
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(b, content) || got.Filename != a.Filename {
			t.Fatalf("opened %q (%q), want %q", b, got.Filename, content)
		}
	}
	if kinds := f.eventKinds(alice, tk.ID); !has(kinds, "attachment_added") {
		t.Fatalf("events = %v", kinds)
	}

	t.Run("another org's customer", func(t *testing.T) {
		_, file, err := f.svc.OpenAttachment(f.ctx, bob, a.ID)
		if file != nil {
			file.Close()
		}
		wantKind(t, err, helpline.KindNotFound)
		_, err = f.svc.FindAttachments(f.ctx, bob, tk.ID)
		wantKind(t, err, helpline.KindNotFound)
		_, err = f.svc.AddAttachment(f.ctx, bob, tk.ID, "x.txt", "text/plain", strings.NewReader("hello"))
		wantKind(t, err, helpline.KindNotFound)
		_, _, err = f.svc.OpenAttachment(f.ctx, alice, a.ID+1000)
		wantKind(t, err, helpline.KindNotFound)
	})
	t.Run("size limits", func(t *testing.T) {
		_, err := f.svc.AddAttachment(f.ctx, alice, tk.ID, "big.bin", "application/octet-stream", bytes.NewReader(make([]byte, 1<<20+1)))
		he := wantFields(t, err, "file")
		if !strings.Contains(he.Fields["file"], "1 MB") {
			t.Errorf("file = %q, want the limit", he.Fields["file"])
		}
		_, err = f.svc.AddAttachment(f.ctx, alice, tk.ID, "empty.txt", "text/plain", strings.NewReader(""))
		wantFields(t, err, "file")
		if n := f.count(`SELECT count(*) FROM ticket_attachments`); n != 1 {
			t.Fatalf("%d attachments stored, want only the first", n)
		}
		atLimit, err := f.svc.AddAttachment(f.ctx, alice, tk.ID, "limit.bin", "application/octet-stream", bytes.NewReader(make([]byte, 1<<20)))
		if err != nil {
			t.Fatalf("a file of exactly the limit: %v", err)
		}
		if atLimit.Size != 1<<20 {
			t.Fatalf("size = %d", atLimit.Size)
		}
	})
	t.Run("same content twice", func(t *testing.T) {
		b, err := f.svc.AddAttachment(f.ctx, agent, tk.ID, "copy.log", "text/plain", bytes.NewReader(content))
		if err != nil {
			t.Fatal(err)
		}
		if b.ID == a.ID || b.SHA256 != a.SHA256 {
			t.Fatalf("second upload = %+v", b)
		}
		_, file, err := f.svc.OpenAttachment(f.ctx, alice, b.ID)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(file)
		file.Close()
		if !bytes.Equal(got, content) {
			t.Fatalf("opened %q", got)
		}
	})
}

func TestViewing(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	acme := f.org("Acme", account.PlanStandard)
	alice := f.customer("alice", acme, account.OrgOwner)
	ann := f.staff("ann", helpline.RoleAgent)
	ben := f.staff("ben", helpline.RoleAgent)
	tk := f.open(alice, basic("Busy ticket", ticket.Normal))
	other := f.open(alice, basic("Quiet ticket", ticket.Normal))

	viewing := func(actor *helpline.Actor, id int64) []string {
		t.Helper()
		vs, err := f.svc.Viewing(f.ctx, actor, id)
		if err != nil {
			t.Fatal(err)
		}
		out := []string{}
		for _, v := range vs {
			out = append(out, v.Name)
			if !v.SeenAt.After(f.clock.Now().Add(-3*time.Minute)) || v.SeenAt.After(f.clock.Now()) {
				t.Errorf("%s seen at %v, now %v", v.Name, v.SeenAt, f.clock.Now())
			}
		}
		return out
	}
	steps := []struct {
		advance time.Duration
		actor   *helpline.Actor
		id      int64
		want    []string
	}{
		{0, ann, tk.ID, []string{}},
		{30 * time.Second, ben, tk.ID, []string{"ann"}},
		{30 * time.Second, ann, tk.ID, []string{"ben"}},
		{0, ann, other.ID, []string{}},
		{2 * time.Minute, ann, tk.ID, []string{"ben"}}, // ben seen 2m30s ago: still here
		{4 * time.Minute, ben, tk.ID, []string{}},      // ann seen 4 minutes ago: gone
		{4 * time.Minute, ann, tk.ID, []string{}},
	}
	for i, s := range steps {
		f.clock.Advance(s.advance)
		if got := viewing(s.actor, s.id); !reflect.DeepEqual(got, s.want) {
			t.Fatalf("step %d: %s viewing ticket %d sees %v, want %v", i, s.actor.Name, s.id, got, s.want)
		}
	}
	if vs, err := f.svc.Viewing(f.ctx, alice, tk.ID); err != nil || vs != nil {
		t.Fatalf("customer Viewing = %v, %v; want nothing", vs, err)
	}
	if n := f.count(`SELECT count(*) FROM ticket_presence WHERE user_id = $1`, alice.UserID); n != 0 {
		t.Fatalf("a customer's view was recorded")
	}
}
