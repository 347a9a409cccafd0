package account_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/internal/account"
	"github.com/helpline-dev/helpline/internal/apptest"
	"github.com/helpline-dev/helpline/internal/db"
	"github.com/helpline-dev/helpline/internal/dbtest"
	"github.com/helpline-dev/helpline/internal/jobs"
)

// password is the password of every user the fixtures create.
const password = "correct horse battery"

// t0 is when every test's clock starts.
var t0 = time.Date(2025, 3, 10, 9, 0, 0, 0, time.UTC)

// fakeClock is the service's time: tests move it instead of sleeping.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func (c *fakeClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

// fixture is one test's service on its own migrated database.
type fixture struct {
	t     *testing.T
	ctx   context.Context
	db    *db.DB
	svc   *account.Service
	clock *fakeClock
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	d := dbtest.Open(t)
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	inserter, err := jobs.NewInserter(d, logger)
	if err != nil {
		t.Fatalf("river inserter: %v", err)
	}
	clock := &fakeClock{now: t0}
	svc := account.NewService(d, inserter, account.Options{Now: clock.Now, Hasher: apptest.FastHasher})
	return &fixture{t: t, ctx: context.Background(), db: d, svc: svc, clock: clock}
}

func (f *fixture) org(name string, plan account.Plan) account.Organization {
	f.t.Helper()
	o, err := f.svc.CreateOrganization(f.ctx, account.CLI(), account.OrgInput{Name: name, Plan: plan})
	if err != nil {
		f.t.Fatalf("create organization %s: %v", name, err)
	}
	return o
}

func (f *fixture) customer(email string, org account.Organization, role account.OrgRole) account.User {
	f.t.Helper()
	u, err := f.svc.CreateUser(f.ctx, account.CLI(), account.UserInput{
		Email: email, Name: strings.Split(email, "@")[0], Password: password, OrgID: org.ID, OrgRole: role})
	if err != nil {
		f.t.Fatalf("create customer %s: %v", email, err)
	}
	return u
}

func (f *fixture) staff(email string, role helpline.StaffRole) account.User {
	f.t.Helper()
	u, err := f.svc.CreateUser(f.ctx, account.CLI(), account.UserInput{
		Email: email, Name: strings.Split(email, "@")[0], Password: password, StaffRole: role})
	if err != nil {
		f.t.Fatalf("create staff %s: %v", email, err)
	}
	return u
}

// count runs a count(*) query.
func (f *fixture) count(query string, args ...any) int {
	f.t.Helper()
	var n int
	if err := f.db.QueryRowContext(f.ctx, query, args...).Scan(&n); err != nil {
		f.t.Fatalf("%s: %v", query, err)
	}
	return n
}

// audit returns the audit events with action, newest first.
func (f *fixture) audit(action string) []account.AuditEvent {
	f.t.Helper()
	evs, err := f.svc.FindAuditEvents(f.ctx, account.CLI(), account.AuditFilter{Action: action, Page: helpline.Page{Limit: 200}})
	if err != nil {
		f.t.Fatalf("find audit events %s: %v", action, err)
	}
	return evs
}

// wantKind fails unless err is a *helpline.Error of kind.
func wantKind(t *testing.T, err error, kind helpline.ErrorKind) *helpline.Error {
	t.Helper()
	if err == nil {
		t.Fatalf("err = nil, want kind %s", kind)
	}
	var he *helpline.Error
	if !errors.As(err, &he) {
		t.Fatalf("err = %v (%T), want a *helpline.Error of kind %s", err, err, kind)
	}
	if he.Kind != kind {
		t.Fatalf("kind = %s (%v), want %s", he.Kind, err, kind)
	}
	return he
}

// wantInvalid fails unless err is invalid with exactly the given fields.
func wantInvalid(t *testing.T, err error, fields ...string) {
	t.Helper()
	he := wantKind(t, err, helpline.KindInvalid)
	var got []string
	for k, msg := range he.Fields {
		if msg == "" {
			t.Errorf("field %s has an empty message", k)
		}
		got = append(got, k)
	}
	sort.Strings(got)
	sort.Strings(fields)
	if !reflect.DeepEqual(got, fields) {
		t.Fatalf("invalid fields = %v (%v), want %v", got, err, fields)
	}
}

func orgNames(orgs []account.Organization) []string {
	out := []string{}
	for _, o := range orgs {
		out = append(out, o.Name)
	}
	return out
}

func TestPlans(t *testing.T) {
	tests := []struct {
		plan          account.Plan
		enterprise    bool
		pagesOnUrgent bool
		label         string
	}{
		{account.PlanFree, false, false, "Free"},
		{account.PlanStandard, false, false, "Standard"},
		{account.PlanEnterprise, true, false, "Enterprise"},
		{account.PlanPremier, true, true, "Premier"},
		{account.PlanLegacyEnterprise, true, true, "Legacy Enterprise"},
	}
	if len(tests) != len(account.Plans) {
		t.Fatalf("table covers %d plans, account.Plans has %d", len(tests), len(account.Plans))
	}
	for i, tt := range tests {
		t.Run(string(tt.plan), func(t *testing.T) {
			if account.Plans[i] != tt.plan {
				t.Errorf("Plans[%d] = %s, want %s (cheapest first)", i, account.Plans[i], tt.plan)
			}
			if !tt.plan.Valid() {
				t.Errorf("Valid() = false")
			}
			if got := tt.plan.IsEnterprise(); got != tt.enterprise {
				t.Errorf("IsEnterprise() = %v, want %v", got, tt.enterprise)
			}
			if got := tt.plan.PagesOnUrgent(); got != tt.pagesOnUrgent {
				t.Errorf("PagesOnUrgent() = %v, want %v", got, tt.pagesOnUrgent)
			}
			if got := tt.plan.Label(); got != tt.label {
				t.Errorf("Label() = %q, want %q", got, tt.label)
			}
		})
	}
	for _, p := range []account.Plan{"", "gold", "Enterprise", "legacy-enterprise"} {
		if p.Valid() || p.IsEnterprise() || p.PagesOnUrgent() {
			t.Errorf("plan %q: Valid=%v IsEnterprise=%v PagesOnUrgent=%v, want all false", p, p.Valid(), p.IsEnterprise(), p.PagesOnUrgent())
		}
	}
}

func TestCreateOrganization(t *testing.T) {
	t.Parallel()
	f := newFixture(t)

	t.Run("valid", func(t *testing.T) {
		o, err := f.svc.CreateOrganization(f.ctx, account.CLI(), account.OrgInput{Name: "  Acme Cloud ", Plan: account.PlanPremier})
		if err != nil {
			t.Fatal(err)
		}
		if o.ID == 0 || o.Name != "Acme Cloud" || o.Plan != account.PlanPremier || !o.CreatedAt.Equal(t0) {
			t.Fatalf("org = %+v, want id set, trimmed name, premier, created at %v", o, t0)
		}
		got, err := f.svc.FindOrganizationByID(f.ctx, account.CLI(), o.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got != o {
			t.Fatalf("FindOrganizationByID = %+v, want %+v", got, o)
		}
		evs := f.audit("organization.created")
		if len(evs) != 1 || evs[0].TargetType != "organization" || evs[0].Details["name"] != "Acme Cloud" || evs[0].Details["plan"] != "premier" {
			t.Fatalf("audit organization.created = %+v", evs)
		}
	})

	invalid := []struct {
		name  string
		in    account.OrgInput
		field string
	}{
		{"empty name", account.OrgInput{Name: "", Plan: account.PlanFree}, "name"},
		{"blank name", account.OrgInput{Name: "   ", Plan: account.PlanFree}, "name"},
		{"long name", account.OrgInput{Name: strings.Repeat("x", 101), Plan: account.PlanFree}, "name"},
		{"unknown plan", account.OrgInput{Name: "Gold Co", Plan: "gold"}, "plan"},
		{"empty plan", account.OrgInput{Name: "No Plan Co", Plan: ""}, "plan"},
		{"wrong case plan", account.OrgInput{Name: "Case Co", Plan: "Premier"}, "plan"},
	}
	for _, tt := range invalid {
		t.Run(tt.name, func(t *testing.T) {
			_, err := f.svc.CreateOrganization(f.ctx, account.CLI(), tt.in)
			wantInvalid(t, err, tt.field)
		})
	}

	t.Run("name at the limit", func(t *testing.T) {
		name := strings.Repeat("é", 100) // 100 characters, 200 bytes
		o, err := f.svc.CreateOrganization(f.ctx, account.CLI(), account.OrgInput{Name: name, Plan: account.PlanFree})
		if err != nil {
			t.Fatal(err)
		}
		if o.Name != name {
			t.Fatalf("name = %q", o.Name)
		}
	})

	for _, name := range []string{"ACME cloud", "acme cloud", " Acme Cloud"} {
		t.Run("duplicate "+name, func(t *testing.T) {
			_, err := f.svc.CreateOrganization(f.ctx, account.CLI(), account.OrgInput{Name: name, Plan: account.PlanFree})
			he := wantKind(t, err, helpline.KindConflict)
			if he.Fields["name"] == "" {
				t.Fatalf("conflict does not name the field: %+v", he)
			}
		})
	}

	customerOrg := f.org("Customer Org", account.PlanFree)
	owner := f.customer("owner@customer.example", customerOrg, account.OrgOwner)
	agent := f.staff("agent@helpline.example", helpline.RoleAgent)
	csa := f.staff("csa@helpline.example", helpline.RoleCSA)
	actors := []struct {
		name  string
		actor *helpline.Actor
		kind  helpline.ErrorKind
	}{
		{"anonymous", nil, helpline.KindUnauthorized},
		{"agent", agent.Actor(""), helpline.KindForbidden},
		{"csa", csa.Actor(""), helpline.KindForbidden},
		{"customer owner", owner.Actor(""), helpline.KindForbidden},
	}
	for _, tt := range actors {
		t.Run("by "+tt.name, func(t *testing.T) {
			_, err := f.svc.CreateOrganization(f.ctx, tt.actor, account.OrgInput{Name: "Sneaky " + tt.name, Plan: account.PlanPremier})
			wantKind(t, err, tt.kind)
			if _, err := f.svc.FindOrganizationByName(f.ctx, account.CLI(), "Sneaky "+tt.name); helpline.KindOf(err) != helpline.KindNotFound {
				t.Fatalf("organization was created anyway (err %v)", err)
			}
		})
	}
}

func TestOrganizationVisibility(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	acme := f.org("acme", account.PlanStandard)
	bolt := f.org("Bolt", account.PlanEnterprise)
	cargo := f.org("Cargo", account.PlanFree)
	alice := f.customer("alice@acme.example", acme, account.OrgOwner)
	bob := f.customer("bob@bolt.example", bolt, account.OrgMember)
	both := f.customer("both@example.com", cargo, account.OrgMember)
	if err := f.svc.AddMember(f.ctx, account.CLI(), acme.ID, both.ID, account.OrgMember); err != nil {
		t.Fatal(err)
	}
	loner, err := f.svc.CreateUser(f.ctx, account.CLI(), account.UserInput{Email: "loner@example.com", Name: "Loner", Password: password, OrgID: acme.ID, OrgRole: account.OrgMember})
	if err != nil {
		t.Fatal(err)
	}
	// Take loner out of acme by deleting the membership directly: there is
	// no RemoveMember yet, and a customer without organizations must see none.
	if _, err := f.db.ExecContext(f.ctx, `DELETE FROM memberships WHERE user_id = $1`, loner.ID); err != nil {
		t.Fatal(err)
	}
	agent := f.staff("agent@helpline.example", helpline.RoleAgent)
	const missing = int64(987654)

	tests := []struct {
		name     string
		actor    *helpline.Actor
		visible  []string // FindOrganizations, in order
		canSee   []account.Organization
		notFound []int64
	}{
		{"owner of acme", alice.Actor(""), []string{"acme"}, []account.Organization{acme}, []int64{bolt.ID, cargo.ID, missing}},
		{"member of bolt", bob.Actor(""), []string{"Bolt"}, []account.Organization{bolt}, []int64{acme.ID, cargo.ID, missing}},
		{"member of two", both.Actor(""), []string{"acme", "Cargo"}, []account.Organization{acme, cargo}, []int64{bolt.ID, missing}},
		{"customer of none", loner.Actor(""), []string{}, nil, []int64{acme.ID, bolt.ID, cargo.ID}},
		{"agent", agent.Actor(""), []string{"acme", "Bolt", "Cargo"}, []account.Organization{acme, bolt, cargo}, []int64{missing}},
		{"admin", account.CLI(), []string{"acme", "Bolt", "Cargo"}, []account.Organization{acme, bolt, cargo}, []int64{missing}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			orgs, err := f.svc.FindOrganizations(f.ctx, tt.actor, helpline.Page{})
			if err != nil {
				t.Fatal(err)
			}
			if got := orgNames(orgs); !reflect.DeepEqual(got, tt.visible) {
				t.Errorf("FindOrganizations = %v, want %v", got, tt.visible)
			}
			for _, o := range tt.canSee {
				got, err := f.svc.FindOrganizationByID(f.ctx, tt.actor, o.ID)
				if err != nil {
					t.Errorf("FindOrganizationByID(%s): %v", o.Name, err)
				} else if got != o {
					t.Errorf("FindOrganizationByID(%s) = %+v, want %+v", o.Name, got, o)
				}
			}
			for _, id := range tt.notFound {
				_, err := f.svc.FindOrganizationByID(f.ctx, tt.actor, id)
				wantKind(t, err, helpline.KindNotFound)
				_, err = f.svc.FindMembers(f.ctx, tt.actor, id)
				wantKind(t, err, helpline.KindNotFound)
			}
		})
	}

	t.Run("anonymous", func(t *testing.T) {
		_, err := f.svc.FindOrganizations(f.ctx, nil, helpline.Page{})
		wantKind(t, err, helpline.KindUnauthorized)
		_, err = f.svc.FindOrganizationByID(f.ctx, nil, acme.ID)
		wantKind(t, err, helpline.KindUnauthorized)
	})

	t.Run("paging", func(t *testing.T) {
		orgs, err := f.svc.FindOrganizations(f.ctx, agent.Actor(""), helpline.Page{Limit: 1, Offset: 1})
		if err != nil {
			t.Fatal(err)
		}
		if got := orgNames(orgs); !reflect.DeepEqual(got, []string{"Bolt"}) {
			t.Fatalf("page 2 of 1 = %v, want [Bolt]", got)
		}
	})

	t.Run("find by name is case-insensitive and staff only", func(t *testing.T) {
		o, err := f.svc.FindOrganizationByName(f.ctx, agent.Actor(""), " BOLT ")
		if err != nil {
			t.Fatal(err)
		}
		if o.ID != bolt.ID {
			t.Fatalf("found %+v, want Bolt", o)
		}
		_, err = f.svc.FindOrganizationByName(f.ctx, alice.Actor(""), "acme")
		wantKind(t, err, helpline.KindForbidden)
	})

	t.Run("memberships", func(t *testing.T) {
		ms, err := f.svc.FindMemberships(f.ctx, both.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(ms) != 2 || ms[0].Org != acme || ms[0].Role != account.OrgMember || ms[1].Org != cargo {
			t.Fatalf("memberships = %+v", ms)
		}
		members, err := f.svc.FindMembers(f.ctx, alice.Actor(""), acme.ID)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, m := range members {
			got = append(got, m.User.Email+":"+string(m.Role))
		}
		want := []string{"alice@acme.example:owner", "both@example.com:member"}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("members of acme = %v, want %v", got, want)
		}
	})
}

func TestCreateUser(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	acme := f.org("Acme", account.PlanStandard)

	t.Run("email is normalised", func(t *testing.T) {
		u, err := f.svc.CreateUser(f.ctx, account.CLI(), account.UserInput{
			Email: "  Ada.Lovelace@Example.COM ", Name: " Ada ", Password: password, OrgID: acme.ID, OrgRole: account.OrgOwner})
		if err != nil {
			t.Fatal(err)
		}
		if u.ID == 0 || u.Email != "ada.lovelace@example.com" || u.Name != "Ada" || u.StaffRole != helpline.RoleNone || !u.CreatedAt.Equal(t0) {
			t.Fatalf("user = %+v", u)
		}
		found, err := f.svc.FindUserByEmail(f.ctx, account.CLI(), "ADA.lovelace@example.com")
		if err != nil {
			t.Fatal(err)
		}
		if found != u {
			t.Fatalf("FindUserByEmail = %+v, want %+v", found, u)
		}
		var stored string
		if err := f.db.QueryRowContext(f.ctx, `SELECT email FROM users WHERE id = $1`, u.ID).Scan(&stored); err != nil {
			t.Fatal(err)
		}
		if stored != "ada.lovelace@example.com" {
			t.Fatalf("stored email = %q", stored)
		}
		ms, err := f.svc.FindMemberships(f.ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(ms) != 1 || ms[0].Org.ID != acme.ID || ms[0].Role != account.OrgOwner {
			t.Fatalf("memberships = %+v", ms)
		}
	})

	t.Run("password is stored hashed", func(t *testing.T) {
		var hash string
		if err := f.db.QueryRowContext(f.ctx, `SELECT password_hash FROM users WHERE email = $1`, "ada.lovelace@example.com").Scan(&hash); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(hash, password) || !strings.HasPrefix(hash, "$argon2id$") {
			t.Fatalf("password_hash = %q", hash)
		}
		if ok, err := account.Verify(hash, password); err != nil || !ok {
			t.Fatalf("Verify = %v, %v", ok, err)
		}
	})

	base := func(mod func(*account.UserInput)) account.UserInput {
		in := account.UserInput{Email: "new@example.com", Name: "New", Password: password, OrgID: acme.ID, OrgRole: account.OrgMember}
		mod(&in)
		return in
	}
	invalid := []struct {
		name   string
		in     account.UserInput
		fields []string
	}{
		{"no email", base(func(in *account.UserInput) { in.Email = "" }), []string{"email"}},
		{"not an email", base(func(in *account.UserInput) { in.Email = "not-an-email" }), []string{"email"}},
		{"email with display name", base(func(in *account.UserInput) { in.Email = "Ada <ada@example.com>" }), []string{"email"}},
		{"email without a dot in the domain", base(func(in *account.UserInput) { in.Email = "ada@localhost" }), []string{"email"}},
		{"short password", base(func(in *account.UserInput) { in.Password = "123456789" }), []string{"password"}},
		{"long password", base(func(in *account.UserInput) { in.Password = strings.Repeat("p", 257) }), []string{"password"}},
		{"no name", base(func(in *account.UserInput) { in.Name = "  " }), []string{"name"}},
		{"unknown staff role", base(func(in *account.UserInput) { in.OrgID, in.StaffRole = 0, "superuser" }), []string{"staff_role"}},
		{"missing organization", base(func(in *account.UserInput) { in.OrgID = 0 }), []string{"organization_id"}},
		{"unknown org role", base(func(in *account.UserInput) { in.OrgRole = "boss" }), []string{"role"}},
		{"no org role", base(func(in *account.UserInput) { in.OrgRole = "" }), []string{"role"}},
		{"staff in an organization", base(func(in *account.UserInput) { in.StaffRole = helpline.RoleAgent }), []string{"organization_id"}},
		{"organization that does not exist", base(func(in *account.UserInput) { in.OrgID = 987654 }), []string{"organization_id"}},
		{"several at once", account.UserInput{Email: "x", Password: "short", OrgID: acme.ID, OrgRole: account.OrgMember}, []string{"email", "name", "password"}},
	}
	for _, tt := range invalid {
		t.Run(tt.name, func(t *testing.T) {
			before := f.count(`SELECT count(*) FROM users`)
			_, err := f.svc.CreateUser(f.ctx, account.CLI(), tt.in)
			wantInvalid(t, err, tt.fields...)
			if after := f.count(`SELECT count(*) FROM users`); after != before {
				t.Fatalf("users went from %d to %d", before, after)
			}
		})
	}

	t.Run("password at the limit", func(t *testing.T) {
		u, err := f.svc.CreateUser(f.ctx, account.CLI(), base(func(in *account.UserInput) {
			in.Email, in.Password = "ten@example.com", "0123456789"
		}))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Authenticate(f.ctx, "ten@example.com", "0123456789", "192.0.2.1"); err != nil {
			t.Fatalf("sign in with a 10-character password: %v", err)
		}
		_ = u
	})

	for _, email := range []string{"ADA.LOVELACE@example.com", "Ada.Lovelace@Example.Com"} {
		t.Run("duplicate "+email, func(t *testing.T) {
			before := f.count(`SELECT count(*) FROM users`)
			_, err := f.svc.CreateUser(f.ctx, account.CLI(), base(func(in *account.UserInput) { in.Email = email }))
			he := wantKind(t, err, helpline.KindConflict)
			if he.Fields["email"] == "" {
				t.Fatalf("conflict does not name the field: %+v", he)
			}
			if after := f.count(`SELECT count(*) FROM users`); after != before {
				t.Fatalf("users went from %d to %d", before, after)
			}
		})
	}

	t.Run("staff user", func(t *testing.T) {
		s := f.staff("Agent@Helpline.example", helpline.RoleAgent)
		if s.StaffRole != helpline.RoleAgent || s.Email != "agent@helpline.example" {
			t.Fatalf("staff = %+v", s)
		}
		ms, err := f.svc.FindMemberships(f.ctx, s.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(ms) != 0 {
			t.Fatalf("staff has memberships %+v", ms)
		}
		err = f.svc.AddMember(f.ctx, account.CLI(), acme.ID, s.ID, account.OrgMember)
		wantInvalid(t, err, "user")
		if n := f.count(`SELECT count(*) FROM memberships WHERE user_id = $1`, s.ID); n != 0 {
			t.Fatalf("staff user got %d memberships", n)
		}
	})

	t.Run("anonymous", func(t *testing.T) {
		_, err := f.svc.CreateUser(f.ctx, nil, base(func(in *account.UserInput) { in.Email = "anon@example.com" }))
		wantKind(t, err, helpline.KindUnauthorized)
	})
}

func TestCreateUserByOwner(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	acme := f.org("Acme", account.PlanStandard)
	bolt := f.org("Bolt", account.PlanStandard)
	owner := f.customer("owner@acme.example", acme, account.OrgOwner)
	member := f.customer("member@acme.example", acme, account.OrgMember)
	agent := f.staff("agent@helpline.example", helpline.RoleAgent)

	tests := []struct {
		name  string
		actor *helpline.Actor
		in    account.UserInput
		kind  helpline.ErrorKind // "" for success
	}{
		{"owner adds a member", owner.Actor(""), account.UserInput{Email: "new1@acme.example", OrgID: acme.ID, OrgRole: account.OrgMember}, ""},
		{"owner adds an owner", owner.Actor(""), account.UserInput{Email: "new2@acme.example", OrgID: acme.ID, OrgRole: account.OrgOwner}, ""},
		{"owner adds to another org", owner.Actor(""), account.UserInput{Email: "new3@bolt.example", OrgID: bolt.ID, OrgRole: account.OrgMember}, helpline.KindNotFound},
		{"owner adds to an org that does not exist", owner.Actor(""), account.UserInput{Email: "new4@acme.example", OrgID: 987654, OrgRole: account.OrgMember}, helpline.KindNotFound},
		{"owner adds staff", owner.Actor(""), account.UserInput{Email: "new5@acme.example", StaffRole: helpline.RoleAdmin}, helpline.KindForbidden},
		{"owner adds staff to own org", owner.Actor(""), account.UserInput{Email: "new6@acme.example", OrgID: acme.ID, OrgRole: account.OrgMember, StaffRole: helpline.RoleAgent}, helpline.KindForbidden},
		{"owner adds without org", owner.Actor(""), account.UserInput{Email: "new7@acme.example", OrgRole: account.OrgMember}, helpline.KindForbidden},
		{"member adds a member", member.Actor(""), account.UserInput{Email: "new8@acme.example", OrgID: acme.ID, OrgRole: account.OrgMember}, helpline.KindForbidden},
		{"agent adds a member", agent.Actor(""), account.UserInput{Email: "new9@acme.example", OrgID: acme.ID, OrgRole: account.OrgMember}, helpline.KindForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.in.Name, tt.in.Password = "New", password
			before := f.count(`SELECT count(*) FROM users`)
			u, err := f.svc.CreateUser(f.ctx, tt.actor, tt.in)
			if tt.kind != "" {
				wantKind(t, err, tt.kind)
				if after := f.count(`SELECT count(*) FROM users`); after != before {
					t.Fatalf("users went from %d to %d", before, after)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			ms, err := f.svc.FindMemberships(f.ctx, u.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(ms) != 1 || ms[0].Org.ID != tt.in.OrgID || ms[0].Role != tt.in.OrgRole || u.StaffRole != helpline.RoleNone {
				t.Fatalf("user %+v memberships %+v", u, ms)
			}
			// The owner now sees the new user.
			if _, err := f.svc.FindUserByID(f.ctx, tt.actor, u.ID); err != nil {
				t.Fatalf("owner cannot see the user they created: %v", err)
			}
		})
	}

	t.Run("member role changes by owner", func(t *testing.T) {
		if err := f.svc.AddMember(f.ctx, owner.Actor(""), acme.ID, member.ID, account.OrgOwner); err != nil {
			t.Fatal(err)
		}
		ms, err := f.svc.FindMemberships(f.ctx, member.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(ms) != 1 || ms[0].Role != account.OrgOwner {
			t.Fatalf("memberships = %+v", ms)
		}
		wantInvalid(t, f.svc.AddMember(f.ctx, owner.Actor(""), acme.ID, member.ID, "boss"), "role")
		wantKind(t, f.svc.AddMember(f.ctx, owner.Actor(""), acme.ID, 987654, account.OrgMember), helpline.KindNotFound)
		wantKind(t, f.svc.AddMember(f.ctx, owner.Actor(""), bolt.ID, member.ID, account.OrgMember), helpline.KindNotFound)
	})

	t.Run("users across organizations are hidden", func(t *testing.T) {
		boltUser := f.customer("someone@bolt.example", bolt, account.OrgMember)
		_, err := f.svc.FindUserByID(f.ctx, owner.Actor(""), boltUser.ID)
		wantKind(t, err, helpline.KindNotFound)
		self, err := f.svc.FindUserByID(f.ctx, boltUser.Actor(""), boltUser.ID)
		if err != nil || self.Email != "someone@bolt.example" {
			t.Fatalf("FindUserByID(self) = %+v, %v", self, err)
		}
		_, err = f.svc.FindUserByEmail(f.ctx, owner.Actor(""), "someone@bolt.example")
		wantKind(t, err, helpline.KindForbidden)
	})
}

func TestChangeStaffRole(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	acme := f.org("Acme", account.PlanStandard)
	customer := f.customer("customer@acme.example", acme, account.OrgMember)
	admin := f.staff("admin@helpline.example", helpline.RoleAdmin)
	agent := f.staff("agent@helpline.example", helpline.RoleAgent)
	other := f.staff("other@helpline.example", helpline.RoleAgent)

	tests := []struct {
		name   string
		actor  *helpline.Actor
		userID int64
		role   helpline.StaffRole
		kind   helpline.ErrorKind // "" for success
		field  string             // for invalid
		want   helpline.StaffRole // the user's role afterwards
	}{
		{"anonymous", nil, agent.ID, helpline.RoleAdmin, helpline.KindUnauthorized, "", helpline.RoleAgent},
		{"agent promotes themselves", agent.Actor(""), agent.ID, helpline.RoleAdmin, helpline.KindForbidden, "", helpline.RoleAgent},
		{"unknown role", admin.Actor(""), agent.ID, "root", helpline.KindInvalid, "staff_role", helpline.RoleAgent},
		{"org member made staff", admin.Actor(""), customer.ID, helpline.RoleAgent, helpline.KindInvalid, "staff_role", helpline.RoleNone},
		{"admin demotes themselves to agent", admin.Actor(""), admin.ID, helpline.RoleAgent, helpline.KindInvalid, "staff_role", helpline.RoleAdmin},
		{"admin demotes themselves to customer", admin.Actor(""), admin.ID, helpline.RoleNone, helpline.KindInvalid, "staff_role", helpline.RoleAdmin},
		{"unknown user", admin.Actor(""), 987654, helpline.RoleCSA, helpline.KindNotFound, "", ""},
		{"agent to csa", admin.Actor("198.51.100.7"), agent.ID, helpline.RoleCSA, "", "", helpline.RoleCSA},
		{"agent to none", admin.Actor(""), other.ID, helpline.RoleNone, "", "", helpline.RoleNone},
		{"org member stays customer", admin.Actor(""), customer.ID, helpline.RoleNone, "", "", helpline.RoleNone},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := len(f.audit("user.role_changed"))
			err := f.svc.ChangeStaffRole(f.ctx, tt.actor, tt.userID, tt.role)
			switch {
			case tt.kind == helpline.KindInvalid:
				wantInvalid(t, err, tt.field)
			case tt.kind != "":
				wantKind(t, err, tt.kind)
			case err != nil:
				t.Fatal(err)
			}
			evs := f.audit("user.role_changed")
			if tt.kind != "" {
				if len(evs) != before {
					t.Fatalf("a refused change was audited: %+v", evs[0])
				}
			} else {
				if len(evs) != before+1 {
					t.Fatalf("audit user.role_changed: %d events, want %d", len(evs), before+1)
				}
				e := evs[0]
				if e.ActorID == nil || *e.ActorID != tt.actor.UserID || e.ActorEmail != tt.actor.Email || e.IP != tt.actor.IP ||
					e.TargetType != "user" || e.TargetID != itoa(tt.userID) || e.Details["to"] != string(tt.role) {
					t.Fatalf("audit event = %+v", e)
				}
			}
			if tt.userID == 987654 {
				return
			}
			u, err := f.svc.FindUserByID(f.ctx, account.CLI(), tt.userID)
			if err != nil {
				t.Fatal(err)
			}
			if u.StaffRole != tt.want {
				t.Fatalf("staff role = %q, want %q", u.StaffRole, tt.want)
			}
		})
	}

	t.Run("details record the old role", func(t *testing.T) {
		e := f.audit("user.role_changed")
		var found bool
		for _, ev := range e {
			if ev.TargetID == itoa(agent.ID) {
				found = true
				if ev.Details["from"] != "agent" || ev.Details["to"] != "csa" {
					t.Fatalf("details = %v, want from agent to csa", ev.Details)
				}
			}
		}
		if !found {
			t.Fatal("no role change audited for the agent")
		}
	})

	t.Run("staff list", func(t *testing.T) {
		users, err := f.svc.FindUsers(f.ctx, admin.Actor(""), account.UserFilter{Staff: true})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, u := range users {
			got = append(got, u.Email+":"+string(u.StaffRole))
		}
		want := []string{"admin@helpline.example:admin", "agent@helpline.example:csa"}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("staff = %v, want %v", got, want)
		}
		_, err = f.svc.FindUsers(f.ctx, agent.Actor(""), account.UserFilter{})
		wantKind(t, err, helpline.KindForbidden)
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestCreateApp(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	acme := f.org("Acme", account.PlanStandard)
	bolt := f.org("Bolt", account.PlanStandard)
	owner := f.customer("owner@acme.example", acme, account.OrgOwner)
	member := f.customer("member@acme.example", acme, account.OrgMember)
	outsider := f.customer("owner@bolt.example", bolt, account.OrgOwner)
	agent := f.staff("agent@helpline.example", helpline.RoleAgent)

	actors := []struct {
		name  string
		actor *helpline.Actor
		app   string
		kind  helpline.ErrorKind
	}{
		{"owner", owner.Actor(""), "owner-app", ""},
		{"admin", account.CLI(), "admin-app", ""},
		{"member", member.Actor(""), "member-app", helpline.KindForbidden},
		{"agent", agent.Actor(""), "agent-app", helpline.KindForbidden},
		{"owner of another org", outsider.Actor(""), "outsider-app", helpline.KindNotFound},
		{"anonymous", nil, "anon-app", helpline.KindUnauthorized},
	}
	for _, tt := range actors {
		t.Run("by "+tt.name, func(t *testing.T) {
			app, err := f.svc.CreateApp(f.ctx, tt.actor, acme.ID, account.AppInput{Name: tt.app})
			if tt.kind != "" {
				wantKind(t, err, tt.kind)
				if n := f.count(`SELECT count(*) FROM apps WHERE name = $1`, tt.app); n != 0 {
					t.Fatalf("app was created anyway")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if app.ID == 0 || app.OrgID != acme.ID || app.Name != tt.app || app.Region != "us" || app.Stack != "heroku-24" ||
				len(app.Addons) != 0 || !app.CreatedAt.Equal(t0) {
				t.Fatalf("app = %+v", app)
			}
		})
	}

	t.Run("listed for members, hidden from others", func(t *testing.T) {
		apps, err := f.svc.FindApps(f.ctx, member.Actor(""), acme.ID)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, a := range apps {
			names = append(names, a.Name)
		}
		if want := []string{"admin-app", "owner-app"}; !reflect.DeepEqual(names, want) {
			t.Fatalf("apps = %v, want %v", names, want)
		}
		_, err = f.svc.FindApps(f.ctx, outsider.Actor(""), acme.ID)
		wantKind(t, err, helpline.KindNotFound)
		none, err := f.svc.FindApps(f.ctx, outsider.Actor(""), bolt.ID)
		if err != nil {
			t.Fatal(err)
		}
		if none == nil || len(none) != 0 {
			t.Fatalf("apps of bolt = %#v, want an empty list", none)
		}
	})

	invalid := []struct {
		name  string
		in    account.AppInput
		field string
	}{
		{"empty name", account.AppInput{Name: ""}, "name"},
		{"two characters", account.AppInput{Name: "ab"}, "name"},
		{"31 characters", account.AppInput{Name: "a" + strings.Repeat("b", 30)}, "name"},
		{"starts with a digit", account.AppInput{Name: "1app"}, "name"},
		{"starts with a dash", account.AppInput{Name: "-app"}, "name"},
		{"ends with a dash", account.AppInput{Name: "app-"}, "name"},
		{"upper case", account.AppInput{Name: "My-App"}, "name"},
		{"underscore", account.AppInput{Name: "my_app"}, "name"},
		{"space", account.AppInput{Name: "my app"}, "name"},
		{"unknown region", account.AppInput{Name: "region-app", Region: "mars"}, "region"},
		{"unknown stack", account.AppInput{Name: "stack-app", Stack: "cedar-14"}, "stack"},
		{"bad add-on", account.AppInput{Name: "addon-app", Addons: []string{"heroku-redis", "Bad Addon"}}, "addons"},
		{"too many add-ons", account.AppInput{Name: "many-app", Addons: manyAddons(51)}, "addons"},
	}
	for _, tt := range invalid {
		t.Run(tt.name, func(t *testing.T) {
			_, err := f.svc.CreateApp(f.ctx, owner.Actor(""), acme.ID, tt.in)
			wantInvalid(t, err, tt.field)
		})
	}

	valid := []struct {
		name string
		in   account.AppInput
		want account.App
	}{
		{"three characters", account.AppInput{Name: "abc"}, account.App{Name: "abc", Region: "us", Stack: "heroku-24", Addons: []string{}}},
		{"thirty characters", account.AppInput{Name: "a" + strings.Repeat("1", 28) + "z"}, account.App{Name: "a" + strings.Repeat("1", 28) + "z", Region: "us", Stack: "heroku-24", Addons: []string{}}},
		{"trimmed name, region and stack", account.AppInput{Name: " eu-app ", Region: "eu", Stack: "container"}, account.App{Name: "eu-app", Region: "eu", Stack: "container", Addons: []string{}}},
		{"add-ons", account.AppInput{Name: "addons-app", Addons: []string{"heroku-postgresql:essential-0", " papertrail:choklad ", "", "  ", "heroku-redis:mini"}},
			account.App{Name: "addons-app", Region: "us", Stack: "heroku-24", Addons: []string{"heroku-postgresql:essential-0", "papertrail:choklad", "heroku-redis:mini"}}},
		{"fifty add-ons", account.AppInput{Name: "fifty-app", Addons: manyAddons(50)}, account.App{Name: "fifty-app", Region: "us", Stack: "heroku-24", Addons: manyAddons(50)}},
	}
	for _, tt := range valid {
		t.Run(tt.name, func(t *testing.T) {
			app, err := f.svc.CreateApp(f.ctx, owner.Actor(""), acme.ID, tt.in)
			if err != nil {
				t.Fatal(err)
			}
			tt.want.ID, tt.want.OrgID, tt.want.CreatedAt = app.ID, acme.ID, t0
			if !reflect.DeepEqual(app, tt.want) {
				t.Fatalf("CreateApp = %+v, want %+v", app, tt.want)
			}
			apps, err := f.svc.FindApps(f.ctx, owner.Actor(""), acme.ID)
			if err != nil {
				t.Fatal(err)
			}
			for _, a := range apps {
				if a.ID == app.ID {
					if !reflect.DeepEqual(a, tt.want) {
						t.Fatalf("FindApps has %+v, want %+v", a, tt.want)
					}
					return
				}
			}
			t.Fatalf("FindApps does not list %s", app.Name)
		})
	}

	t.Run("duplicate name", func(t *testing.T) {
		// App names are global on the platform, so another organization
		// cannot take one either.
		for _, tc := range []struct {
			actor *helpline.Actor
			orgID int64
		}{{owner.Actor(""), acme.ID}, {outsider.Actor(""), bolt.ID}} {
			_, err := f.svc.CreateApp(f.ctx, tc.actor, tc.orgID, account.AppInput{Name: " owner-app"})
			he := wantKind(t, err, helpline.KindConflict)
			if he.Fields["name"] == "" {
				t.Fatalf("conflict does not name the field: %+v", he)
			}
		}
		if n := f.count(`SELECT count(*) FROM apps WHERE name = 'owner-app'`); n != 1 {
			t.Fatalf("%d apps named owner-app", n)
		}
	})

	t.Run("audited", func(t *testing.T) {
		evs := f.audit("app.created")
		if len(evs) != 2+len(valid) {
			t.Fatalf("%d app.created events, want %d", len(evs), 2+len(valid))
		}
	})
}

func manyAddons(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = "addon-" + strings.Repeat("x", i%5) + string(rune('a'+i%26))
	}
	return out
}

func TestFindAuditEvents(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	acme := f.org("Acme", account.PlanFree) // t0
	f.clock.Advance(time.Minute)
	alice := f.customer("alice@acme.example", acme, account.OrgOwner) // t0+1m: user.created, membership.set
	f.clock.Advance(time.Minute)
	bob := f.customer("bob@acme.example", acme, account.OrgMember) // t0+2m
	f.clock.Advance(time.Minute)
	admin := f.staff("admin@helpline.example", helpline.RoleAdmin) // t0+3m
	agent := f.staff("agent@helpline.example", helpline.RoleAgent) // t0+3m, same instant: id breaks the tie

	t.Run("access", func(t *testing.T) {
		for _, tc := range []struct {
			name  string
			actor *helpline.Actor
			kind  helpline.ErrorKind
		}{
			{"anonymous", nil, helpline.KindUnauthorized},
			{"customer", alice.Actor(""), helpline.KindForbidden},
			{"agent", agent.Actor(""), helpline.KindForbidden},
		} {
			_, err := f.svc.FindAuditEvents(f.ctx, tc.actor, account.AuditFilter{})
			if helpline.KindOf(err) != tc.kind {
				t.Errorf("%s: err = %v, want %s", tc.name, err, tc.kind)
			}
		}
	})

	tests := []struct {
		name    string
		filter  account.AuditFilter
		targets []string // target IDs, newest first
		ats     []time.Time
	}{
		{"user.created", account.AuditFilter{Action: "user.created"},
			[]string{itoa(agent.ID), itoa(admin.ID), itoa(bob.ID), itoa(alice.ID)},
			[]time.Time{t0.Add(3 * time.Minute), t0.Add(3 * time.Minute), t0.Add(2 * time.Minute), t0.Add(time.Minute)}},
		{"organization.created", account.AuditFilter{Action: "organization.created"}, []string{itoa(acme.ID)}, []time.Time{t0}},
		{"membership.set", account.AuditFilter{Action: "membership.set"}, []string{itoa(acme.ID), itoa(acme.ID)}, []time.Time{t0.Add(2 * time.Minute), t0.Add(time.Minute)}},
		{"no such action", account.AuditFilter{Action: "nothing.happened"}, nil, nil},
		{"one target", account.AuditFilter{TargetType: "user", TargetID: itoa(bob.ID)}, []string{itoa(bob.ID)}, []time.Time{t0.Add(2 * time.Minute)}},
		{"paged", account.AuditFilter{Action: "user.created", Page: helpline.Page{Limit: 2, Offset: 1}},
			[]string{itoa(admin.ID), itoa(bob.ID)}, []time.Time{t0.Add(3 * time.Minute), t0.Add(2 * time.Minute)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			evs, err := f.svc.FindAuditEvents(f.ctx, admin.Actor(""), tt.filter)
			if err != nil {
				t.Fatal(err)
			}
			var targets []string
			var ats []time.Time
			for _, e := range evs {
				if tt.filter.Action != "" && e.Action != tt.filter.Action {
					t.Errorf("event %d has action %s", e.ID, e.Action)
				}
				if e.At.Location() != time.UTC {
					t.Errorf("event %d at %v, not in UTC", e.ID, e.At)
				}
				targets = append(targets, e.TargetID)
				ats = append(ats, e.At)
			}
			if !reflect.DeepEqual(targets, tt.targets) {
				t.Fatalf("targets = %v, want %v", targets, tt.targets)
			}
			for i := range ats {
				if !ats[i].Equal(tt.ats[i]) {
					t.Fatalf("event %d at %v, want %v", i, ats[i], tt.ats[i])
				}
			}
		})
	}

	t.Run("actor and details", func(t *testing.T) {
		evs := f.audit("user.created")
		e := evs[len(evs)-1] // alice, created by the CLI
		if e.ActorID != nil || e.ActorEmail != "cli" || e.TargetType != "user" || e.Details["email"] != "alice@acme.example" {
			t.Fatalf("event = %+v", e)
		}
	})
}

func TestHasher(t *testing.T) {
	h := apptest.FastHasher
	a, b := h.Hash("correct horse"), h.Hash("correct horse")
	if a == b {
		t.Fatal("two hashes of one password are equal: no salt")
	}
	if !strings.HasPrefix(a, "$argon2id$v=19$m=64,t=1,p=1$") {
		t.Fatalf("hash = %q, want argon2id with the hasher's parameters", a)
	}
	if strings.Contains(a, "correct horse") {
		t.Fatal("hash contains the password")
	}
	stronger := account.Hasher{MemoryKiB: 128, Time: 2, Threads: 2}.Hash("correct horse")
	if !strings.HasPrefix(stronger, "$argon2id$v=19$m=128,t=2,p=2$") {
		t.Fatalf("hash = %q, want the stronger parameters stored", stronger)
	}
	for _, tt := range []struct {
		hash, password string
		want           bool
	}{
		{a, "correct horse", true},
		{b, "correct horse", true},
		{stronger, "correct horse", true},
		{a, "correct horse ", false},
		{a, "Correct horse", false},
		{a, "", false},
		{a, strings.Repeat("x", 256), false},
	} {
		ok, err := account.Verify(tt.hash, tt.password)
		if err != nil || ok != tt.want {
			t.Errorf("Verify(%q, %q) = %v, %v; want %v, nil", tt.hash, tt.password, ok, err, tt.want)
		}
	}

	parts := strings.Split(a, "$") // "", argon2id, v=19, m=…, salt, key
	malformed := []struct {
		name, hash string
	}{
		{"empty", ""},
		{"plain text", "correct horse"},
		{"bcrypt", "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy"},
		{"argon2i", strings.Replace(a, "$argon2id$", "$argon2i$", 1)},
		{"missing part", strings.Join(parts[:5], "$")},
		{"extra part", a + "$x"},
		{"other version", strings.Replace(a, "$v=19$", "$v=16$", 1)},
		{"bad version", strings.Replace(a, "$v=19$", "$v=x$", 1)},
		{"bad parameters", strings.Replace(a, "$m=64,t=1,p=1$", "$m=sixty-four$", 1)},
		{"bad salt", strings.Join([]string{"", parts[1], parts[2], parts[3], "!!!", parts[5]}, "$")},
		{"bad key", strings.Join([]string{"", parts[1], parts[2], parts[3], parts[4], "not base64!"}, "$")},
		// These would crash argon2 or make it allocate without bound.
		{"empty key", strings.Join([]string{"", parts[1], parts[2], parts[3], parts[4], ""}, "$")},
		{"empty salt", strings.Join([]string{"", parts[1], parts[2], parts[3], "", parts[5]}, "$")},
		{"no threads", strings.Replace(a, "$m=64,t=1,p=1$", "$m=64,t=1,p=0$", 1)},
		{"no rounds", strings.Replace(a, "$m=64,t=1,p=1$", "$m=64,t=0,p=1$", 1)},
		{"huge memory", strings.Replace(a, "$m=64,t=1,p=1$", "$m=4000000000,t=1,p=1$", 1)},
	}
	for _, tt := range malformed {
		t.Run(tt.name, func(t *testing.T) {
			ok, err := account.Verify(tt.hash, "correct horse")
			if err == nil || ok {
				t.Fatalf("Verify(%q) = %v, %v; want false and an error", tt.hash, ok, err)
			}
			if !strings.Contains(err.Error(), "malformed") {
				t.Fatalf("err = %v, want it to say the hash is malformed", err)
			}
		})
	}
}
