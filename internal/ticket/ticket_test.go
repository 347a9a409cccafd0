package ticket_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/internal/account"
	"github.com/helpline-dev/helpline/internal/ticket"
)

func TestParseTimestamp(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		want    time.Time
		wantErr string // substring of the error; "" for success
	}{
		{"2015-01-01 12:00:00 UTC", time.Date(2015, 1, 1, 12, 0, 0, 0, time.UTC), ""},
		{"2015-01-01 12:00:00 GMT", time.Date(2015, 1, 1, 12, 0, 0, 0, time.UTC), ""},
		{"2015-01-01T12:00:00Z", time.Date(2015, 1, 1, 12, 0, 0, 0, time.UTC), ""},
		{"2015-01-01T12:00:00+02:00", time.Date(2015, 1, 1, 10, 0, 0, 0, time.UTC), ""},
		{"2015-01-01 12:00:00-05:00", time.Date(2015, 1, 1, 17, 0, 0, 0, time.UTC), ""},
		{"  2015-01-01T12:00Z  ", time.Date(2015, 1, 1, 12, 0, 0, 0, time.UTC), ""},
		{"2015-01-01 12:00:00", time.Time{}, "time zone"},
		{"2015-01-01T12:00:00", time.Time{}, "time zone"},
		{"2015-01-01", time.Time{}, "time zone"},
		{"2015-01-01 12:00:00 CET", time.Time{}, "time zone"},
		{"yesterday at noon", time.Time{}, "ISO 8601"},
		{"", time.Time{}, "ISO 8601"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ticket.ParseTimestamp(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ParseTimestamp(%q) = %v, %v; want an error containing %q", tt.in, got, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseTimestamp(%q): %v", tt.in, err)
			}
			if !got.Equal(tt.want) || got.Location() != time.UTC {
				t.Fatalf("ParseTimestamp(%q) = %v, want %v in UTC", tt.in, got, tt.want)
			}
		})
	}
	if got := ticket.FormatUTC(time.Date(2015, 1, 1, 12, 0, 0, 0, time.FixedZone("", 2*3600))); got != "2015-01-01 10:00:00 UTC" {
		t.Errorf("FormatUTC = %q", got)
	}
}

func TestCreateTicketValidation(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	acme := f.org("Acme", account.PlanStandard)
	other := f.org("Other", account.PlanStandard)
	alice := f.customer("alice", acme, account.OrgOwner)
	web := f.app(acme, "acme-web")
	foreign := f.app(other, "other-web")

	tests := []struct {
		name    string
		edit    func(in *ticket.NewTicket)
		field   string // "" means accepted
		message string // substring of the field's message
	}{
		{"valid", func(in *ticket.NewTicket) {}, "", ""},
		{"empty subject", func(in *ticket.NewTicket) { in.Subject = "   " }, "subject", "required"},
		{"long subject", func(in *ticket.NewTicket) { in.Subject = strings.Repeat("s", 201) }, "subject", "200"},
		{"subject at the limit", func(in *ticket.NewTicket) { in.Subject = strings.Repeat("é", 200) }, "", ""},
		{"no priority", func(in *ticket.NewTicket) { in.Priority = "" }, "priority", "urgent, high, normal or low"},
		{"unknown priority", func(in *ticket.NewTicket) { in.Priority = "critical" }, "priority", "urgent, high, normal or low"},
		{"no environment", func(in *ticket.NewTicket) { in.Environment = "" }, "environment", "production, staging or development"},
		{"unknown environment", func(in *ticket.NewTicket) { in.Environment = "prod" }, "environment", "production"},
		{"staging", func(in *ticket.NewTicket) { in.Environment = "staging" }, "", ""},
		{"unknown category", func(in *ticket.NewTicket) { in.Category = "billing" }, "category", "deploys"},
		{"no category is other", func(in *ticket.NewTicket) { in.Category = "" }, "", ""},
		{"no description", func(in *ticket.NewTicket) { in.Description = "  " }, "description", "required"},
		{"short description", func(in *ticket.NewTicket) { in.Description = "broken" }, "description", "at least 10"},
		{"long description", func(in *ticket.NewTicket) { in.Description = strings.Repeat("x", ticket.MaxMarkdown+1) }, "description", "too long"},
		{"description at the limit", func(in *ticket.NewTicket) { in.Description = strings.Repeat("x", ticket.MaxMarkdown) }, "", ""},
		{"own app by id", func(in *ticket.NewTicket) { in.AppID = web.ID }, "", ""},
		{"own app by name", func(in *ticket.NewTicket) { in.App = "acme-web" }, "", ""},
		{"another org's app", func(in *ticket.NewTicket) { in.AppID = foreign.ID }, "app_id", "not one of your organization's apps"},
		{"another org's app by name", func(in *ticket.NewTicket) { in.App = "other-web" }, "app", "not one of your organization's apps"},
		{"org not mine", func(in *ticket.NewTicket) { in.OrgID = other.ID }, "organization_id", "not an organization you belong to"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := basic("Build fails", ticket.Normal)
			tt.edit(&in)
			before := f.count(`SELECT count(*) FROM tickets`)
			got, err := f.svc.CreateTicket(f.ctx, alice, in)
			if tt.field == "" {
				if err != nil {
					t.Fatalf("CreateTicket: %v", err)
				}
				if got.OrgID != acme.ID {
					t.Fatalf("org = %d, want %d", got.OrgID, acme.ID)
				}
				if in.Category == "" && got.Category != "other" {
					t.Fatalf("category = %q, want other", got.Category)
				}
				if (in.AppID != 0 || in.App != "") && (got.AppID == nil || *got.AppID != web.ID || got.AppName != "acme-web") {
					t.Fatalf("app = %v %q, want %d acme-web", got.AppID, got.AppName, web.ID)
				}
				return
			}
			he := wantFields(t, err, tt.field)
			if !strings.Contains(he.Fields[tt.field], tt.message) {
				t.Fatalf("%s = %q, want it to mention %q", tt.field, he.Fields[tt.field], tt.message)
			}
			if after := f.count(`SELECT count(*) FROM tickets`); after != before {
				t.Fatalf("a refused ticket was stored: %d tickets, had %d", after, before)
			}
		})
	}

	t.Run("urgent needs a detailed description", func(t *testing.T) {
		in := urgent("Site down", web)
		in.Description = strings.Repeat("d", ticket.MinUrgentDetail-1)
		he := wantFields(t, f.createErr(alice, in), "description")
		if !strings.Contains(he.Fields["description"], "80") {
			t.Fatalf("description = %q", he.Fields["description"])
		}
	})
}

func TestCreateTicketOrganizationAndActor(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	acme := f.org("Acme", account.PlanStandard)
	globex := f.org("Globex", account.PlanEnterprise)
	other := f.org("Other", account.PlanFree)
	multi := f.customer("multi", acme, account.OrgMember)
	if err := f.accounts.AddMember(f.ctx, account.CLI(), globex.ID, multi.UserID, account.OrgMember); err != nil {
		t.Fatal(err)
	}

	t.Run("several organizations need one picked", func(t *testing.T) {
		he := wantFields(t, f.createErr(multi, basic("Which org?", ticket.Normal)), "organization_id")
		if !strings.Contains(he.Fields["organization_id"], "several") {
			t.Fatalf("organization_id = %q", he.Fields["organization_id"])
		}
	})
	t.Run("an organization the customer is not in", func(t *testing.T) {
		in := basic("Not mine", ticket.Normal)
		in.OrgID = other.ID
		wantFields(t, f.createErr(multi, in), "organization_id")
	})
	t.Run("picked organization", func(t *testing.T) {
		in := basic("For Globex", ticket.Normal)
		in.OrgID = globex.ID
		tk := f.open(multi, in)
		if tk.OrgID != globex.ID || tk.Plan != account.PlanEnterprise || tk.OrgName != "Globex" {
			t.Fatalf("ticket org = %d %q %s, want Globex enterprise", tk.OrgID, tk.OrgName, tk.Plan)
		}
	})
	for _, role := range []helpline.StaffRole{helpline.RoleAgent, helpline.RoleCSA, helpline.RoleAdmin} {
		t.Run("staff "+string(role)+" cannot open tickets", func(t *testing.T) {
			staff := f.staff("staff-"+string(role), role)
			in := basic("Staff ticket", ticket.Normal)
			in.OrgID = acme.ID
			wantKind(t, f.createErr(staff, in), helpline.KindForbidden)
		})
	}
	t.Run("anonymous", func(t *testing.T) {
		wantKind(t, f.createErr(nil, basic("Anonymous", ticket.Normal)), helpline.KindUnauthorized)
	})
}

func TestCreateTicketStoresIt(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	acme := f.org("Acme", account.PlanPremier)
	other := f.org("Other", account.PlanFree)
	alice := f.customer("alice", acme, account.OrgOwner)
	bob := f.customer("bob", other, account.OrgOwner)

	cases := []struct {
		actor *helpline.Actor
		in    ticket.NewTicket
	}{
		{alice, basic("First", ticket.High)},
		{bob, basic("Second", ticket.Low)},
		{alice, basic("Third", ticket.Normal)},
	}
	for i, c := range cases {
		f.clock.Advance(time.Minute)
		tk := f.open(c.actor, c.in)
		if want := int64(1001 + i); tk.Number != want {
			t.Errorf("%s: number = %d, want %d", c.in.Subject, tk.Number, want)
		}
		if tk.Priority != c.in.Priority || tk.OriginalPriority != c.in.Priority {
			t.Errorf("%s: priority %s original %s, want both %s", c.in.Subject, tk.Priority, tk.OriginalPriority, c.in.Priority)
		}
		if tk.Status != ticket.StatusNew || tk.RequesterID != c.actor.UserID || tk.AssigneeID != nil || tk.AppealState != ticket.AppealNone || tk.Urgent != nil {
			t.Errorf("%s: ticket = %+v, want new, requested by %d, unassigned, no appeal, no urgent details", c.in.Subject, tk, c.actor.UserID)
		}
		if want := t0.Add(time.Duration(i+1) * time.Minute); !tk.CreatedAt.Equal(want) || !tk.UpdatedAt.Equal(want) {
			t.Errorf("%s: created %v updated %v, want %v", c.in.Subject, tk.CreatedAt, tk.UpdatedAt, want)
		}
		if kinds := f.eventKinds(c.actor, tk.ID); len(kinds) != 1 || kinds[0] != "created" {
			t.Errorf("%s: events = %v, want [created]", c.in.Subject, kinds)
		}
	}
	if n := f.count(`SELECT count(*) FROM access_grants`); n != 0 {
		t.Errorf("non-urgent tickets recorded %d access grants", n)
	}
	byNumber, err := f.svc.FindTicketByNumber(f.ctx, alice, 1003)
	if err != nil || byNumber.Subject != "Third" {
		t.Fatalf("FindTicketByNumber(1003) = %q, %v", byNumber.Subject, err)
	}
	_, err = f.svc.FindTicketByNumber(f.ctx, alice, 1002)
	wantKind(t, err, helpline.KindNotFound)
	_, err = f.svc.FindTicketByNumber(f.ctx, alice, 9999)
	wantKind(t, err, helpline.KindNotFound)
}

func TestCreateUrgentRules(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	acme := f.org("Acme", account.PlanPremier)
	alice := f.customer("alice", acme, account.OrgOwner)
	web := f.app(acme, "acme-web")
	no := false

	// Each missing field is reported on its own, under urgent.<field>.
	missing := []struct {
		field string
		clear func(u *ticket.UrgentInput)
	}{
		{"access_granted", func(u *ticket.UrgentInput) { u.AccessGranted = nil }},
		{"users_affected", func(u *ticket.UrgentInput) { u.UsersAffected = "" }},
		{"business_impact", func(u *ticket.UrgentInput) { u.BusinessImpact = " " }},
		{"steps_to_reproduce", func(u *ticket.UrgentInput) { u.StepsToReproduce = "" }},
		{"seen_in_staging", func(u *ticket.UrgentInput) { u.SeenInStaging = nil }},
		{"started_at", func(u *ticket.UrgentInput) { u.StartedAt = "" }},
		{"logs", func(u *ticket.UrgentInput) { u.Logs = "" }},
		{"config", func(u *ticket.UrgentInput) { u.Config = "" }},
		{"third_party_services", func(u *ticket.UrgentInput) { u.ThirdPartyServices = "" }},
	}
	for _, m := range missing {
		t.Run("missing "+m.field, func(t *testing.T) {
			in := urgent("Down", web)
			m.clear(in.Urgent)
			wantFields(t, f.createErr(alice, in), "urgent."+m.field)
		})
	}
	t.Run("no urgent details at all", func(t *testing.T) {
		in := urgent("Down", web)
		in.Urgent = nil
		var fields []string
		for _, m := range missing {
			fields = append(fields, "urgent."+m.field)
		}
		wantFields(t, f.createErr(alice, in), fields...)
	})

	refused := []struct {
		name    string
		edit    func(in *ticket.NewTicket)
		field   string
		message string
	}{
		{"access refused", func(in *ticket.NewTicket) { in.Urgent.AccessGranted = &no }, "urgent.access_granted", "must be yes"},
		{"started_at without a zone", func(in *ticket.NewTicket) { in.Urgent.StartedAt = "2015-01-01 12:00:00" }, "urgent.started_at", "time zone"},
		{"started_at T without a zone", func(in *ticket.NewTicket) { in.Urgent.StartedAt = "2015-01-01T12:00:00" }, "urgent.started_at", "time zone"},
		{"started_at with an ambiguous zone", func(in *ticket.NewTicket) { in.Urgent.StartedAt = "2015-01-01 12:00:00 CET" }, "urgent.started_at", "time zone"},
		{"started_at not a time", func(in *ticket.NewTicket) { in.Urgent.StartedAt = "this morning" }, "urgent.started_at", "ISO 8601"},
		{"started_at in the future", func(in *ticket.NewTicket) { in.Urgent.StartedAt = "2025-03-10T10:00:00Z" }, "urgent.started_at", "future"},
		{"started_at in the future by offset", func(in *ticket.NewTicket) { in.Urgent.StartedAt = "2025-03-10T09:30:00-01:00" }, "urgent.started_at", "future"},
		{"staging", func(in *ticket.NewTicket) { in.Environment = "staging" }, "priority", "production"},
		{"development", func(in *ticket.NewTicket) { in.Environment = "development" }, "priority", "production"},
		{"not seen in staging, no differences", func(in *ticket.NewTicket) { in.Urgent.SeenInStaging = &no }, "urgent.environment_differences", ""},
		{"not seen in staging, vague differences", func(in *ticket.NewTicket) {
			in.Urgent.SeenInStaging = &no
			in.Urgent.EnvironmentDifferences = "none"
		}, "urgent.environment_differences", "at least 10"},
		{"users affected without a number", func(in *ticket.NewTicket) { in.Urgent.UsersAffected = "lots" }, "urgent.users_affected", "number"},
		{"short business impact", func(in *ticket.NewTicket) { in.Urgent.BusinessImpact = "bad" }, "urgent.business_impact", "at least 10"},
		{"no app", func(in *ticket.NewTicket) { in.AppID = 0 }, "app_id", "production app"},
		{"access expiry passed", func(in *ticket.NewTicket) { in.Urgent.AccessExpiresAt = "2025-03-10T08:00:00Z" }, "urgent.access_expires_at", "future"},
		{"access expiry too far", func(in *ticket.NewTicket) { in.Urgent.AccessExpiresAt = "2025-04-10T09:00:00Z" }, "urgent.access_expires_at", "30 days"},
		{"access expiry without a zone", func(in *ticket.NewTicket) { in.Urgent.AccessExpiresAt = "2025-03-12 09:00" }, "urgent.access_expires_at", "time zone"},
	}
	for _, tt := range refused {
		t.Run(tt.name, func(t *testing.T) {
			in := urgent("Down", web)
			tt.edit(&in)
			he := wantFields(t, f.createErr(alice, in), tt.field)
			if !strings.Contains(he.Fields[tt.field], tt.message) {
				t.Fatalf("%s = %q, want it to mention %q", tt.field, he.Fields[tt.field], tt.message)
			}
		})
	}

	accepted := []struct {
		name      string
		startedAt string
		want      time.Time
	}{
		{"UTC named", "2015-01-01 12:00:00 UTC", time.Date(2015, 1, 1, 12, 0, 0, 0, time.UTC)},
		{"offset", "2015-01-01T12:00:00+02:00", time.Date(2015, 1, 1, 10, 0, 0, 0, time.UTC)},
		{"Z", "2025-03-10T08:59:00Z", time.Date(2025, 3, 10, 8, 59, 0, 0, time.UTC)},
		{"clock skew allowed", "2025-03-10T09:04:00Z", time.Date(2025, 3, 10, 9, 4, 0, 0, time.UTC)},
	}
	for _, tt := range accepted {
		t.Run("started_at "+tt.name, func(t *testing.T) {
			in := urgent("Down since "+tt.startedAt, web)
			in.Urgent.StartedAt = tt.startedAt
			tk := f.open(alice, in)
			if tk.Urgent == nil || !tk.Urgent.StartedAt.Equal(tt.want) {
				t.Fatalf("urgent = %+v, want started_at %v", tk.Urgent, tt.want)
			}
			// What is stored is UTC, whatever zone the customer wrote.
			var raw string
			if err := f.db.QueryRowContext(f.ctx, `SELECT urgent FROM tickets WHERE id = $1`, tk.ID).Scan(&raw); err != nil {
				t.Fatal(err)
			}
			var stored struct {
				StartedAt string `json:"started_at"`
			}
			if err := json.Unmarshal([]byte(raw), &stored); err != nil {
				t.Fatalf("stored urgent %q: %v", raw, err)
			}
			if want := tt.want.Format(time.RFC3339); stored.StartedAt != want {
				t.Fatalf("stored started_at = %q, want %q", stored.StartedAt, want)
			}
		})
	}

	t.Run("not seen in staging, with differences", func(t *testing.T) {
		in := urgent("Only production", web)
		in.Urgent.SeenInStaging = &no
		in.Urgent.EnvironmentDifferences = "production has 10 dynos and a follower database"
		tk := f.open(alice, in)
		if tk.Urgent.SeenInStaging || tk.Urgent.EnvironmentDifferences != in.Urgent.EnvironmentDifferences {
			t.Fatalf("urgent = %+v", tk.Urgent)
		}
	})
}

func TestUrgentTicketGrantsAccess(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	acme := f.org("Acme", account.PlanPremier)
	alice := f.customer("alice", acme, account.OrgOwner)
	agent := f.staff("agent", helpline.RoleAgent)
	web := f.app(acme, "acme-web")

	tk := f.open(alice, urgent("Site down", web))
	if tk.Priority != ticket.Urgent || tk.OriginalPriority != ticket.Urgent || tk.AppID == nil || *tk.AppID != web.ID {
		t.Fatalf("ticket = %+v", tk)
	}
	wantExpiry := t0.Add(7 * 24 * time.Hour)
	if tk.Urgent == nil || !tk.Urgent.AccessGranted || !tk.Urgent.AccessExpiresAt.Equal(wantExpiry) {
		t.Fatalf("urgent = %+v, want access granted until %v", tk.Urgent, wantExpiry)
	}
	u := tk.Urgent
	if u.UsersAffected != "about 2,000 users (80%)" || u.BusinessImpact == "" || u.StepsToReproduce == "" || !u.SeenInStaging ||
		u.Logs == "" || u.Config != "WEB_CONCURRENCY=4" || u.ThirdPartyServices != "Stripe" {
		t.Fatalf("urgent details not kept: %+v", u)
	}

	grants, err := f.svc.FindGrants(f.ctx, agent, tk.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(grants) != 1 {
		t.Fatalf("grants = %+v, want 1", grants)
	}
	g := grants[0]
	if g.AppID == nil || *g.AppID != web.ID || g.GrantedBy != alice.UserID || !g.CreatedAt.Equal(t0) || !g.ExpiresAt.Equal(wantExpiry) || g.RevokedAt != nil {
		t.Fatalf("grant = %+v, want app %d by %d from %v to %v", g, web.ID, alice.UserID, t0, wantExpiry)
	}
	if !g.Active(t0) || g.Active(wantExpiry) {
		t.Fatalf("grant active at t0 = %v, at expiry = %v", g.Active(t0), g.Active(wantExpiry))
	}
	if n := f.count(`SELECT count(*) FROM access_grants WHERE ticket_id = $1 AND revoked_at IS NULL`, tk.ID); n != 1 {
		t.Fatalf("access_grants rows = %d", n)
	}
	ev := f.wantAudit("access.granted", tk.ID, alice)
	if ev.IP != "203.0.113.7" {
		t.Errorf("audit IP = %q", ev.IP)
	}
	if kinds := f.eventKinds(alice, tk.ID); !has(kinds, "access_granted") {
		t.Errorf("customer events = %v, want access_granted", kinds)
	}

	t.Run("chosen expiry", func(t *testing.T) {
		in := urgent("Site down again", web)
		in.Urgent.AccessExpiresAt = "2025-03-12T11:00:00+02:00"
		tk := f.open(alice, in)
		grants, err := f.svc.FindGrants(f.ctx, alice, tk.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := time.Date(2025, 3, 12, 9, 0, 0, 0, time.UTC)
		if len(grants) != 1 || !grants[0].ExpiresAt.Equal(want) || !tk.Urgent.AccessExpiresAt.Equal(want) {
			t.Fatalf("grants = %+v, urgent = %+v, want expiry %v", grants, tk.Urgent, want)
		}
	})
}

func TestCreateTicketRedactsSecrets(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	acme := f.org("Acme", account.PlanPremier)
	alice := f.customer("alice", acme, account.OrgOwner)
	agent := f.staff("agent", helpline.RoleAgent)
	web := f.app(acme, "acme-web")

	in := urgent("Key "+secret+" leaked", web)
	in.Description += " Our key is " + secret + " and the old one was " + secret + "."
	in.Urgent.Logs = "Authorization: Bearer " + secret
	in.Urgent.Config = "STRIPE_KEY=" + secret
	tk := f.open(alice, in)
	if tk.Redactions != 5 {
		t.Errorf("redactions = %d, want 5", tk.Redactions)
	}
	if !strings.Contains(tk.Subject, redacted) || !strings.Contains(tk.Urgent.Logs, redacted) {
		t.Errorf("subject %q logs %q, want the redaction marker", tk.Subject, tk.Urgent.Logs)
	}
	var row string
	if err := f.db.QueryRowContext(f.ctx, `SELECT subject || ' ' || description || ' ' || urgent FROM tickets WHERE id = $1`, tk.ID).Scan(&row); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(row, secret) {
		t.Fatalf("the secret is stored: %q", row)
	}
	if got := strings.Count(row, redacted); got != 5 {
		t.Fatalf("stored row has %d redaction markers, want 5: %q", got, row)
	}
	if n := f.count(`SELECT redactions FROM tickets WHERE id = $1`, tk.ID); n != 5 {
		t.Fatalf("stored redactions = %d", n)
	}

	c, err := f.svc.AddComment(f.ctx, alice, tk.ID, ticket.NewComment{Body: "here is the new key: " + secret})
	if err != nil {
		t.Fatal(err)
	}
	if c.Redactions != 1 || strings.Contains(c.Body, secret) {
		t.Fatalf("comment = %+v", c)
	}
	if n := f.count(`SELECT count(*) FROM ticket_comments WHERE body LIKE $1`, "%"+secret+"%"); n != 0 {
		t.Fatalf("%d comments store the secret", n)
	}
	if _, err := f.svc.ChangePriority(f.ctx, agent, tk.ID, ticket.High, "a workaround exists: "+secret); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`SELECT count(*) FROM tickets WHERE priority_reason LIKE $1`,
		`SELECT count(*) FROM ticket_events WHERE data LIKE $1`,
		`SELECT count(*) FROM audit_events WHERE details LIKE $1`,
	} {
		if n := f.count(q, "%"+secret+"%"); n != 0 {
			t.Errorf("%s: %d rows hold the secret", q, n)
		}
	}
}
