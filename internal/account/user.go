package account

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/internal/db"
)

// User is a person who signs in: a customer (member of organizations) or
// staff (with a staff role and no organizations).
type User struct {
	ID        int64              `json:"id"`
	Email     string             `json:"email"`
	Name      string             `json:"name"`
	StaffRole helpline.StaffRole `json:"staff_role"`
	CreatedAt time.Time          `json:"created_at"`
}

// Actor returns the user as the actor of a request from ip.
func (u User) Actor(ip string) *helpline.Actor {
	return &helpline.Actor{UserID: u.ID, Email: u.Email, Name: u.Name, StaffRole: u.StaffRole, IP: ip}
}

// UserInput is what creating a user takes: either an organization and a role
// in it, or a staff role.
type UserInput struct {
	Email     string             `json:"email"`
	Name      string             `json:"name"`
	Password  string             `json:"password"`
	OrgID     int64              `json:"organization_id,omitempty"`
	OrgRole   OrgRole            `json:"role,omitempty"`
	StaffRole helpline.StaffRole `json:"staff_role,omitempty"`
}

// MinPasswordLength is the shortest password accepted.
const MinPasswordLength = 10

// NormalizeEmail trims and lower-cases an address; emails are unique
// regardless of case.
func NormalizeEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

func validEmail(s string) bool {
	if len(s) > 254 {
		return false
	}
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s && a.Name == "" && strings.Contains(s[strings.LastIndex(s, "@"):], ".")
}

func checkPassword(v helpline.Validation, field, pw string) {
	v.Check(utf8.RuneCountInString(pw) >= MinPasswordLength, field, "must be at least 10 characters")
	v.Check(len(pw) <= 256, field, "must be at most 256 characters")
}

func (in *UserInput) validate(requireOrg bool) error {
	in.Email = NormalizeEmail(in.Email)
	in.Name = strings.TrimSpace(in.Name)
	v := helpline.Validation{}
	v.Check(validEmail(in.Email), "email", "must be an email address like ada@example.com")
	v.Check(in.Name != "", "name", "is required")
	v.Check(utf8.RuneCountInString(in.Name) <= 100, "name", "must be at most 100 characters")
	checkPassword(v, "password", in.Password)
	v.Check(in.StaffRole.Valid(), "staff_role", "must be agent, csa or admin")
	switch {
	case in.StaffRole != helpline.RoleNone:
		v.Check(in.OrgID == 0, "organization_id", "staff users do not belong to customer organizations")
	case requireOrg:
		v.Check(in.OrgID != 0, "organization_id", "pick an organization, or give a staff role")
		v.Check(in.OrgRole.Valid(), "role", "must be member or owner")
	}
	return v.Err()
}

// CreateUser creates a user. Admins create anyone; an organization's owners
// may create members of their organization.
func (s *Service) CreateUser(ctx context.Context, actor *helpline.Actor, in UserInput) (User, error) {
	if actor == nil {
		return User{}, helpline.Errorf(helpline.KindUnauthorized, "sign in first")
	}
	if !actor.IsAdmin() {
		if in.StaffRole != helpline.RoleNone || in.OrgID == 0 {
			return User{}, helpline.Errorf(helpline.KindForbidden, "this needs the admin role")
		}
		if err := s.requireOrgManager(ctx, actor, in.OrgID); err != nil {
			return User{}, err
		}
	}
	if err := in.validate(true); err != nil {
		return User{}, err
	}
	if in.OrgID != 0 {
		if _, err := s.FindOrganizationByID(ctx, actor, in.OrgID); err != nil {
			return User{}, &helpline.Error{Kind: helpline.KindInvalid, Message: "Unknown organization.", Fields: map[string]string{"organization_id": "no such organization"}}
		}
	}
	var u User
	err := s.db.InTx(ctx, func(tx *sql.Tx) error {
		var err error
		u, err = s.insertUser(ctx, tx, actor, in)
		return err
	})
	return u, err
}

func (s *Service) insertUser(ctx context.Context, tx *sql.Tx, actor *helpline.Actor, in UserInput) (User, error) {
	u := User{Email: in.Email, Name: in.Name, StaffRole: in.StaffRole, CreatedAt: s.nowUTC()}
	err := tx.QueryRowContext(ctx, `INSERT INTO users (email, name, password_hash, staff_role, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
		u.Email, u.Name, s.hasher.Hash(in.Password), u.StaffRole, u.CreatedAt).Scan(&u.ID)
	if db.IsUniqueViolation(err) {
		return u, &helpline.Error{Kind: helpline.KindConflict, Message: "A user with that email already exists.",
			Fields: map[string]string{"email": "is already registered"}}
	}
	if err != nil {
		return u, err
	}
	if err := s.Audit(ctx, tx, actor, "user.created", "user", u.ID, map[string]any{"email": u.Email, "staff_role": u.StaffRole}); err != nil {
		return u, err
	}
	if in.OrgID != 0 {
		if err := s.addMember(ctx, tx, actor, in.OrgID, u.ID, in.OrgRole); err != nil {
			return u, err
		}
	}
	return u, nil
}

const userColumns = `u.id, u.email, u.name, u.staff_role, u.created_at`

func scanUser(row interface{ Scan(...any) error }, u *User) error {
	if err := row.Scan(&u.ID, &u.Email, &u.Name, &u.StaffRole, &u.CreatedAt); err != nil {
		return err
	}
	u.CreatedAt = u.CreatedAt.UTC()
	return nil
}

// FindUserByID returns a user. Staff see anyone; customers themselves and
// the members of their organizations.
func (s *Service) FindUserByID(ctx context.Context, actor *helpline.Actor, id int64) (User, error) {
	var u User
	if actor == nil {
		return u, helpline.Errorf(helpline.KindUnauthorized, "sign in first")
	}
	var err error
	if actor.IsStaff() || actor.UserID == id {
		err = scanUser(s.db.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users u WHERE u.id = $1`, id), &u)
	} else {
		err = scanUser(s.db.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users u WHERE u.id = $1 AND EXISTS (
			SELECT 1 FROM memberships a JOIN memberships b ON a.org_id = b.org_id WHERE a.user_id = u.id AND b.user_id = $2)`, id, actor.UserID), &u)
	}
	if errors.Is(err, sql.ErrNoRows) {
		return u, helpline.NotFound("user")
	}
	return u, err
}

// FindUserByEmail returns a user by email. Staff only.
func (s *Service) FindUserByEmail(ctx context.Context, actor *helpline.Actor, email string) (User, error) {
	var u User
	if err := actor.RequireStaff(); err != nil {
		return u, err
	}
	err := scanUser(s.db.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users u WHERE u.email = $1`, NormalizeEmail(email)), &u)
	if errors.Is(err, sql.ErrNoRows) {
		return u, helpline.NotFound("user " + email)
	}
	return u, err
}

// UserFilter narrows the user list.
type UserFilter struct {
	Staff bool // only staff users
	helpline.Page
}

// FindUsers lists users by email. Admins only.
func (s *Service) FindUsers(ctx context.Context, actor *helpline.Actor, f UserFilter) ([]User, error) {
	if err := actor.RequireAdmin(); err != nil {
		return nil, err
	}
	p := f.Page.Normalize()
	where := ""
	if f.Staff {
		where = ` WHERE u.staff_role <> ''`
	}
	rows, err := s.db.QueryContext(ctx, `SELECT `+userColumns+` FROM users u`+where+` ORDER BY u.email LIMIT $1 OFFSET $2`, p.Limit, p.Offset)
	if err != nil {
		return nil, err
	}
	return scanUsers(rows)
}

// ChangeStaffRole gives a user a staff role or takes it away. Admins only;
// an admin cannot demote themselves, so an instance keeps an admin.
func (s *Service) ChangeStaffRole(ctx context.Context, actor *helpline.Actor, userID int64, role helpline.StaffRole) error {
	if err := actor.RequireAdmin(); err != nil {
		return err
	}
	if !role.Valid() {
		return &helpline.Error{Kind: helpline.KindInvalid, Message: "Unknown staff role.", Fields: map[string]string{"staff_role": "must be agent, csa, admin or empty"}}
	}
	if userID == actor.UserID && role != helpline.RoleAdmin {
		return &helpline.Error{Kind: helpline.KindInvalid, Message: "You cannot remove your own admin role.", Fields: map[string]string{"staff_role": "ask another admin"}}
	}
	return s.db.InTx(ctx, func(tx *sql.Tx) error {
		var old helpline.StaffRole
		err := tx.QueryRowContext(ctx, `SELECT staff_role FROM users WHERE id = $1`, userID).Scan(&old)
		if errors.Is(err, sql.ErrNoRows) {
			return helpline.NotFound("user")
		}
		if err != nil {
			return err
		}
		if role != helpline.RoleNone {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM memberships WHERE user_id = $1`, userID).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return &helpline.Error{Kind: helpline.KindInvalid, Message: "This user belongs to customer organizations; staff cannot.",
					Fields: map[string]string{"staff_role": "remove the user from their organizations first"}}
			}
		}
		// Break/fix tickets go to support engineers, engagements to the CSA
		// team: a role change that would break either waits until the
		// work is handed over.
		if role != helpline.RoleAgent && role != helpline.RoleAdmin {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM tickets WHERE assignee_id = $1 AND status NOT IN ('solved', 'closed')`, userID).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return &helpline.Error{Kind: helpline.KindConflict, Message: fmt.Sprintf("This user is assigned %d open tickets; reassign them first.", n),
					Fields: map[string]string{"staff_role": "only agents and admins take tickets; reassign the user's open tickets first"}}
			}
		}
		if role != helpline.RoleCSA && role != helpline.RoleAdmin {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM engagements WHERE owner_id = $1 AND state <> 'closed'`, userID).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return &helpline.Error{Kind: helpline.KindConflict, Message: fmt.Sprintf("This user owns %d open engagements; give them to another solutions architect first.", n),
					Fields: map[string]string{"staff_role": "only solutions architects and admins own engagements; hand the user's open engagements over first"}}
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE users SET staff_role = $1 WHERE id = $2`, role, userID); err != nil {
			return err
		}
		return s.Audit(ctx, tx, actor, "user.role_changed", "user", userID, map[string]any{"from": old, "to": role})
	})
}

// CountUsers returns how many users exist; zero means first-run setup.
func (s *Service) CountUsers(ctx context.Context) (int, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM users`).Scan(&n)
	return n, err
}

// FindAssignees lists the staff tickets can be assigned to: support agents
// and admins (solutions architects do not take break/fix tickets). Any staff
// member may ask.
func (s *Service) FindAssignees(ctx context.Context, actor *helpline.Actor) ([]User, error) {
	if err := actor.RequireStaff(); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT `+userColumns+` FROM users u WHERE u.staff_role IN ('agent', 'admin') ORDER BY lower(u.name), u.id`)
	if err != nil {
		return nil, err
	}
	return scanUsers(rows)
}

func scanUsers(rows *sql.Rows) ([]User, error) {
	defer rows.Close()
	out := []User{}
	for rows.Next() {
		var u User
		if err := scanUser(rows, &u); err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, rows.Err()
}
