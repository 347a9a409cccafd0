package account

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/internal/db"
)

// Organization is a customer: it has a plan, members and apps.
type Organization struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	Plan      Plan      `json:"plan"`
	CreatedAt time.Time `json:"created_at"`
}

// OrgRole is a customer's role in an organization.
type OrgRole string

const (
	OrgMember OrgRole = "member"
	OrgOwner  OrgRole = "owner"
)

// Valid reports whether r is member or owner.
func (r OrgRole) Valid() bool { return r == OrgMember || r == OrgOwner }

// Membership is a user's place in an organization.
type Membership struct {
	Org  Organization `json:"organization"`
	Role OrgRole      `json:"role"`
}

// Member is a user as seen from an organization.
type Member struct {
	User User    `json:"user"`
	Role OrgRole `json:"role"`
}

// OrgInput is what creating an organization takes.
type OrgInput struct {
	Name string `json:"name"`
	Plan Plan   `json:"plan"`
}

func (in *OrgInput) validate() error {
	in.Name = strings.TrimSpace(in.Name)
	v := helpline.Validation{}
	v.Check(in.Name != "", "name", "is required")
	v.Check(utf8.RuneCountInString(in.Name) <= 100, "name", "must be at most 100 characters")
	v.Check(in.Plan.Valid(), "plan", "must be one of "+planList())
	return v.Err()
}

func planList() string {
	names := make([]string, len(Plans))
	for i, p := range Plans {
		names[i] = string(p)
	}
	return strings.Join(names, ", ")
}

// CreateOrganization creates an organization. Admins only.
func (s *Service) CreateOrganization(ctx context.Context, actor *helpline.Actor, in OrgInput) (Organization, error) {
	if err := actor.RequireAdmin(); err != nil {
		return Organization{}, err
	}
	if err := in.validate(); err != nil {
		return Organization{}, err
	}
	org := Organization{Name: in.Name, Plan: in.Plan, CreatedAt: s.nowUTC()}
	err := s.db.InTx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `INSERT INTO organizations (name, plan, created_at) VALUES ($1, $2, $3) RETURNING id`,
			org.Name, org.Plan, org.CreatedAt).Scan(&org.ID)
		if db.IsUniqueViolation(err) {
			return &helpline.Error{Kind: helpline.KindConflict, Message: "An organization with that name already exists.",
				Fields: map[string]string{"name": "is already taken"}}
		}
		if err != nil {
			return err
		}
		return s.Audit(ctx, tx, actor, "organization.created", "organization", org.ID, map[string]any{"name": org.Name, "plan": org.Plan})
	})
	return org, err
}

const orgColumns = `o.id, o.name, o.plan, o.created_at`

func scanOrg(row interface{ Scan(...any) error }, o *Organization) error {
	if err := row.Scan(&o.ID, &o.Name, &o.Plan, &o.CreatedAt); err != nil {
		return err
	}
	o.CreatedAt = o.CreatedAt.UTC()
	return nil
}

// FindOrganizationByID returns an organization the actor may see: staff see
// all, customers their own. Others get NotFound, never Forbidden, so IDs do
// not leak which organizations exist.
func (s *Service) FindOrganizationByID(ctx context.Context, actor *helpline.Actor, id int64) (Organization, error) {
	var o Organization
	if actor == nil {
		return o, helpline.Errorf(helpline.KindUnauthorized, "sign in first")
	}
	var err error
	if actor.IsStaff() {
		err = scanOrg(s.db.QueryRowContext(ctx, `SELECT `+orgColumns+` FROM organizations o WHERE o.id = $1`, id), &o)
	} else {
		err = scanOrg(s.db.QueryRowContext(ctx, `SELECT `+orgColumns+` FROM organizations o
			JOIN memberships m ON m.org_id = o.id WHERE o.id = $1 AND m.user_id = $2`, id, actor.UserID), &o)
	}
	if errors.Is(err, sql.ErrNoRows) {
		return o, helpline.NotFound("organization")
	}
	return o, err
}

// FindOrganizationByName finds an organization by name, case-insensitively.
// Staff only (the CLI and admin forms use it).
func (s *Service) FindOrganizationByName(ctx context.Context, actor *helpline.Actor, name string) (Organization, error) {
	var o Organization
	if err := actor.RequireStaff(); err != nil {
		return o, err
	}
	err := scanOrg(s.db.QueryRowContext(ctx, `SELECT `+orgColumns+` FROM organizations o WHERE lower(o.name) = lower($1)`, strings.TrimSpace(name)), &o)
	if errors.Is(err, sql.ErrNoRows) {
		return o, helpline.NotFound("organization " + name)
	}
	return o, err
}

// FindOrganizations lists the organizations the actor may see, by name.
func (s *Service) FindOrganizations(ctx context.Context, actor *helpline.Actor, p helpline.Page) ([]Organization, error) {
	if actor == nil {
		return nil, helpline.Errorf(helpline.KindUnauthorized, "sign in first")
	}
	p = p.Normalize()
	var rows *sql.Rows
	var err error
	if actor.IsStaff() {
		rows, err = s.db.QueryContext(ctx, `SELECT `+orgColumns+` FROM organizations o ORDER BY lower(o.name) LIMIT $1 OFFSET $2`, p.Limit, p.Offset)
	} else {
		rows, err = s.db.QueryContext(ctx, `SELECT `+orgColumns+` FROM organizations o JOIN memberships m ON m.org_id = o.id
			WHERE m.user_id = $1 ORDER BY lower(o.name) LIMIT $2 OFFSET $3`, actor.UserID, p.Limit, p.Offset)
	}
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Organization
	for rows.Next() {
		var o Organization
		if err := scanOrg(rows, &o); err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// FindMemberships returns the organizations a user belongs to.
func (s *Service) FindMemberships(ctx context.Context, userID int64) ([]Membership, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+orgColumns+`, m.role FROM organizations o JOIN memberships m ON m.org_id = o.id
		WHERE m.user_id = $1 ORDER BY lower(o.name)`, userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Membership
	for rows.Next() {
		var m Membership
		if err := rows.Scan(&m.Org.ID, &m.Org.Name, &m.Org.Plan, &m.Org.CreatedAt, &m.Role); err != nil {
			return nil, err
		}
		m.Org.CreatedAt = m.Org.CreatedAt.UTC()
		out = append(out, m)
	}
	return out, rows.Err()
}

// HasEnterprisePlan reports whether the user belongs to an organization on
// an enterprise plan (the header links those to the enterprise portal).
func (s *Service) HasEnterprisePlan(ctx context.Context, userID int64) (bool, error) {
	var ok bool
	err := s.db.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM memberships m JOIN organizations o ON o.id = m.org_id
		WHERE m.user_id = $1 AND o.plan IN ($2, $3, $4))`, userID, PlanEnterprise, PlanPremier, PlanLegacyEnterprise).Scan(&ok)
	return ok, err
}

// FindMembers lists an organization's members; the actor must see the org.
func (s *Service) FindMembers(ctx context.Context, actor *helpline.Actor, orgID int64) ([]Member, error) {
	if _, err := s.FindOrganizationByID(ctx, actor, orgID); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT `+userColumns+`, m.role FROM users u JOIN memberships m ON m.user_id = u.id
		WHERE m.org_id = $1 ORDER BY lower(u.name), u.id`, orgID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Member
	for rows.Next() {
		var m Member
		if err := rows.Scan(&m.User.ID, &m.User.Email, &m.User.Name, &m.User.StaffRole, &m.User.CreatedAt, &m.Role); err != nil {
			return nil, err
		}
		m.User.CreatedAt = m.User.CreatedAt.UTC()
		out = append(out, m)
	}
	return out, rows.Err()
}

// orgRole returns the actor's role in org, or "" when not a member.
func (s *Service) orgRole(ctx context.Context, q db.Querier, userID, orgID int64) (OrgRole, error) {
	var role OrgRole
	err := q.QueryRowContext(ctx, `SELECT role FROM memberships WHERE org_id = $1 AND user_id = $2`, orgID, userID).Scan(&role)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return role, err
}

// requireOrgManager allows admins and the organization's owners.
func (s *Service) requireOrgManager(ctx context.Context, actor *helpline.Actor, orgID int64) error {
	if _, err := s.FindOrganizationByID(ctx, actor, orgID); err != nil {
		return err
	}
	if actor.IsAdmin() {
		return nil
	}
	role, err := s.orgRole(ctx, s.db, actor.UserID, orgID)
	if err != nil {
		return err
	}
	if role != OrgOwner {
		return helpline.Errorf(helpline.KindForbidden, "only the organization's owners and admins can do this")
	}
	return nil
}

// AddMember puts an existing customer user in an organization, or changes
// their role there. Admins and the organization's owners only.
func (s *Service) AddMember(ctx context.Context, actor *helpline.Actor, orgID, userID int64, role OrgRole) error {
	if err := s.requireOrgManager(ctx, actor, orgID); err != nil {
		return err
	}
	if !role.Valid() {
		return &helpline.Error{Kind: helpline.KindInvalid, Message: "Unknown role.", Fields: map[string]string{"role": "must be member or owner"}}
	}
	return s.db.InTx(ctx, func(tx *sql.Tx) error {
		return s.addMember(ctx, tx, actor, orgID, userID, role)
	})
}

func (s *Service) addMember(ctx context.Context, tx *sql.Tx, actor *helpline.Actor, orgID, userID int64, role OrgRole) error {
	var staff helpline.StaffRole
	err := tx.QueryRowContext(ctx, `SELECT staff_role FROM users WHERE id = $1`, userID).Scan(&staff)
	if errors.Is(err, sql.ErrNoRows) {
		return helpline.NotFound("user")
	}
	if err != nil {
		return err
	}
	if staff != helpline.RoleNone {
		return &helpline.Error{Kind: helpline.KindInvalid, Message: "Staff users cannot be members of customer organizations.",
			Fields: map[string]string{"user": "is a staff user"}}
	}
	if role != OrgOwner {
		// Keep at least one owner, so someone can always manage the org.
		var others, isOwner int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM memberships WHERE org_id = $1 AND role = 'owner' AND user_id <> $2`, orgID, userID).Scan(&others); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM memberships WHERE org_id = $1 AND role = 'owner' AND user_id = $2`, orgID, userID).Scan(&isOwner); err != nil {
			return err
		}
		if isOwner > 0 && others == 0 {
			return &helpline.Error{Kind: helpline.KindInvalid, Message: "An organization needs an owner.",
				Fields: map[string]string{"role": "make someone else owner first"}}
		}
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO memberships (org_id, user_id, role, created_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (org_id, user_id) DO UPDATE SET role = excluded.role`, orgID, userID, role, s.nowUTC())
	if err != nil {
		return err
	}
	return s.Audit(ctx, tx, actor, "membership.set", "organization", orgID, map[string]any{"user_id": userID, "role": role})
}

// App is a customer application on the platform.
type App struct {
	ID        int64     `json:"id"`
	OrgID     int64     `json:"organization_id"`
	Name      string    `json:"name"`
	Region    string    `json:"region"`
	Stack     string    `json:"stack"`
	Addons    []string  `json:"addons"`
	CreatedAt time.Time `json:"created_at"`
}

// AppInput is what registering an app takes.
type AppInput struct {
	Name   string   `json:"name"`
	Region string   `json:"region"`
	Stack  string   `json:"stack"`
	Addons []string `json:"addons"`
}

// Regions and Stacks are the values an app may have.
var (
	Regions = []string{"us", "eu", "virginia", "oregon", "frankfurt", "dublin", "tokyo", "sydney"}
	Stacks  = []string{"heroku-24", "heroku-22", "container"}
)

var (
	appNameRE = regexp.MustCompile(`^[a-z][a-z0-9-]{1,28}[a-z0-9]$`)
	addonRE   = regexp.MustCompile(`^[a-z0-9][a-z0-9:._-]{0,99}$`)
)

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func (in *AppInput) validate() error {
	in.Name = strings.TrimSpace(in.Name)
	v := helpline.Validation{}
	v.Check(appNameRE.MatchString(in.Name), "name", "must be 3 to 30 lowercase letters, digits and dashes, starting with a letter")
	if in.Region == "" {
		in.Region = "us"
	}
	if in.Stack == "" {
		in.Stack = "heroku-24"
	}
	v.Check(contains(Regions, in.Region), "region", "must be one of "+strings.Join(Regions, ", "))
	v.Check(contains(Stacks, in.Stack), "stack", "must be one of "+strings.Join(Stacks, ", "))
	clean := []string{}
	for _, a := range in.Addons {
		a = strings.TrimSpace(a)
		if a == "" {
			continue
		}
		v.Check(addonRE.MatchString(a), "addons", "each add-on is a name like heroku-postgresql:essential-0 (lowercase letters, digits, : . _ -)")
		clean = append(clean, a)
	}
	v.Check(len(clean) <= 50, "addons", "at most 50 add-ons")
	in.Addons = clean
	return v.Err()
}

// CreateApp registers an app of an organization. Admins and owners only.
func (s *Service) CreateApp(ctx context.Context, actor *helpline.Actor, orgID int64, in AppInput) (App, error) {
	if err := s.requireOrgManager(ctx, actor, orgID); err != nil {
		return App{}, err
	}
	if err := in.validate(); err != nil {
		return App{}, err
	}
	addons, _ := json.Marshal(in.Addons)
	app := App{OrgID: orgID, Name: in.Name, Region: in.Region, Stack: in.Stack, Addons: in.Addons, CreatedAt: s.nowUTC()}
	err := s.db.InTx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `INSERT INTO apps (org_id, name, region, stack, addons, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
			orgID, app.Name, app.Region, app.Stack, string(addons), app.CreatedAt).Scan(&app.ID)
		if db.IsUniqueViolation(err) {
			return &helpline.Error{Kind: helpline.KindConflict, Message: "An app with that name already exists.",
				Fields: map[string]string{"name": "is already taken"}}
		}
		if err != nil {
			return err
		}
		return s.Audit(ctx, tx, actor, "app.created", "app", app.ID, map[string]any{"name": app.Name, "organization_id": orgID})
	})
	return app, err
}

// FindApps lists an organization's apps; the actor must see the org.
func (s *Service) FindApps(ctx context.Context, actor *helpline.Actor, orgID int64) ([]App, error) {
	if _, err := s.FindOrganizationByID(ctx, actor, orgID); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT id, org_id, name, region, stack, addons, created_at FROM apps WHERE org_id = $1 ORDER BY name`, orgID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []App{}
	for rows.Next() {
		var a App
		var addons string
		if err := rows.Scan(&a.ID, &a.OrgID, &a.Name, &a.Region, &a.Stack, &addons, &a.CreatedAt); err != nil {
			return nil, err
		}
		a.CreatedAt = a.CreatedAt.UTC()
		if err := json.Unmarshal([]byte(addons), &a.Addons); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}
