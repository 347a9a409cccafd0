package client

import (
	"context"
	"fmt"
	"net/url"
	"time"
)

// User is a person who signs in.
type User struct {
	ID        int64     `json:"id"`
	Email     string    `json:"email"`
	Name      string    `json:"name"`
	StaffRole string    `json:"staff_role"`
	CreatedAt time.Time `json:"created_at"`
}

// Organization is a customer organization.
type Organization struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	Plan      string    `json:"plan"`
	CreatedAt time.Time `json:"created_at"`
}

// Membership is the caller's place in an organization.
type Membership struct {
	Organization Organization `json:"organization"`
	Role         string       `json:"role"`
}

// Member is a user in an organization.
type Member struct {
	User User   `json:"user"`
	Role string `json:"role"`
}

// App is a customer application.
type App struct {
	ID             int64     `json:"id"`
	OrganizationID int64     `json:"organization_id"`
	Name           string    `json:"name"`
	Region         string    `json:"region"`
	Stack          string    `json:"stack"`
	Addons         []string  `json:"addons"`
	CreatedAt      time.Time `json:"created_at"`
}

// Token is an API token (without its secret).
type Token struct {
	ID         int64      `json:"id"`
	Name       string     `json:"name"`
	Prefix     string     `json:"prefix"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
	RevokedAt  *time.Time `json:"revoked_at"`
}

// AuditEvent is an entry of the audit log.
type AuditEvent struct {
	ID         int64          `json:"id"`
	At         time.Time      `json:"at"`
	ActorID    *int64         `json:"actor_id"`
	ActorEmail string         `json:"actor_email"`
	Action     string         `json:"action"`
	TargetType string         `json:"target_type"`
	TargetID   string         `json:"target_id"`
	Details    map[string]any `json:"details"`
	IP         string         `json:"ip"`
}

// NewUser is what creating a user takes: OrganizationID and Role for a
// customer, or StaffRole for staff.
type NewUser struct {
	Email          string `json:"email"`
	Name           string `json:"name"`
	Password       string `json:"password"`
	OrganizationID int64  `json:"organization_id,omitempty"`
	Role           string `json:"role,omitempty"`
	StaffRole      string `json:"staff_role,omitempty"`
}

// NewApp is what registering an app takes.
type NewApp struct {
	Name   string   `json:"name"`
	Region string   `json:"region,omitempty"`
	Stack  string   `json:"stack,omitempty"`
	Addons []string `json:"addons,omitempty"`
}

// Me is the caller and their organizations.
type Me struct {
	User        User         `json:"user"`
	Memberships []Membership `json:"memberships"`
}

// Me returns the token's owner.
func (c *Client) Me(ctx context.Context) (Me, error) {
	var out Me
	err := c.Do(ctx, "GET", "/api/v1/me", nil, &out)
	return out, err
}

// CreateToken creates a token for the caller and returns it with its secret.
func (c *Client) CreateToken(ctx context.Context, name string) (Token, string, error) {
	var out struct {
		Token  Token  `json:"token"`
		Secret string `json:"secret"`
	}
	err := c.Do(ctx, "POST", "/api/v1/tokens", map[string]string{"name": name}, &out)
	return out.Token, out.Secret, err
}

// ListTokens lists the caller's tokens.
func (c *Client) ListTokens(ctx context.Context) ([]Token, error) {
	var out struct {
		Tokens []Token `json:"tokens"`
	}
	err := c.Do(ctx, "GET", "/api/v1/tokens", nil, &out)
	return out.Tokens, err
}

// RevokeToken revokes one of the caller's tokens.
func (c *Client) RevokeToken(ctx context.Context, id int64) error {
	return c.Do(ctx, "DELETE", fmt.Sprintf("/api/v1/tokens/%d", id), nil, nil)
}

// ListOrganizations lists the organizations the caller may see.
func (c *Client) ListOrganizations(ctx context.Context, p Page) ([]Organization, error) {
	var out struct {
		Organizations []Organization `json:"organizations"`
	}
	err := c.Do(ctx, "GET", "/api/v1/organizations"+p.query(nil), nil, &out)
	return out.Organizations, err
}

// CreateOrganization creates an organization (admins).
func (c *Client) CreateOrganization(ctx context.Context, name, plan string) (Organization, error) {
	var out Organization
	err := c.Do(ctx, "POST", "/api/v1/organizations", map[string]string{"name": name, "plan": plan}, &out)
	return out, err
}

// GetOrganization returns one organization.
func (c *Client) GetOrganization(ctx context.Context, id int64) (Organization, error) {
	var out Organization
	err := c.Do(ctx, "GET", fmt.Sprintf("/api/v1/organizations/%d", id), nil, &out)
	return out, err
}

// ListMembers lists an organization's members.
func (c *Client) ListMembers(ctx context.Context, orgID int64) ([]Member, error) {
	var out struct {
		Members []Member `json:"members"`
	}
	err := c.Do(ctx, "GET", fmt.Sprintf("/api/v1/organizations/%d/members", orgID), nil, &out)
	return out.Members, err
}

// SetMember adds a user to an organization or changes their role.
func (c *Client) SetMember(ctx context.Context, orgID, userID int64, role string) error {
	return c.Do(ctx, "PUT", fmt.Sprintf("/api/v1/organizations/%d/members/%d", orgID, userID), map[string]string{"role": role}, nil)
}

// ListApps lists an organization's apps.
func (c *Client) ListApps(ctx context.Context, orgID int64) ([]App, error) {
	var out struct {
		Apps []App `json:"apps"`
	}
	err := c.Do(ctx, "GET", fmt.Sprintf("/api/v1/organizations/%d/apps", orgID), nil, &out)
	return out.Apps, err
}

// CreateApp registers an app of an organization.
func (c *Client) CreateApp(ctx context.Context, orgID int64, in NewApp) (App, error) {
	var out App
	err := c.Do(ctx, "POST", fmt.Sprintf("/api/v1/organizations/%d/apps", orgID), in, &out)
	return out, err
}

// ListUsers lists users (admins); staffOnly narrows to staff.
func (c *Client) ListUsers(ctx context.Context, staffOnly bool, p Page) ([]User, error) {
	var out struct {
		Users []User `json:"users"`
	}
	q := url.Values{}
	if staffOnly {
		q.Set("staff", "true")
	}
	err := c.Do(ctx, "GET", "/api/v1/users"+p.query(q), nil, &out)
	return out.Users, err
}

// CreateUser creates a user.
func (c *Client) CreateUser(ctx context.Context, in NewUser) (User, error) {
	var out User
	err := c.Do(ctx, "POST", "/api/v1/users", in, &out)
	return out, err
}

// GetUser returns one user.
func (c *Client) GetUser(ctx context.Context, id int64) (User, error) {
	var out User
	err := c.Do(ctx, "GET", fmt.Sprintf("/api/v1/users/%d", id), nil, &out)
	return out, err
}

// SetStaffRole changes a user's staff role (admins); "" makes a customer.
func (c *Client) SetStaffRole(ctx context.Context, id int64, role string) (User, error) {
	var out User
	err := c.Do(ctx, "PATCH", fmt.Sprintf("/api/v1/users/%d", id), map[string]string{"staff_role": role}, &out)
	return out, err
}

// AuditFilter narrows the audit log.
type AuditFilter struct {
	Action, TargetType, TargetID string
	Page
}

// ListAuditEvents returns audit events, newest first (admins).
func (c *Client) ListAuditEvents(ctx context.Context, f AuditFilter) ([]AuditEvent, error) {
	var out struct {
		Events []AuditEvent `json:"events"`
	}
	q := url.Values{}
	for k, v := range map[string]string{"action": f.Action, "target_type": f.TargetType, "target_id": f.TargetID} {
		if v != "" {
			q.Set(k, v)
		}
	}
	err := c.Do(ctx, "GET", "/api/v1/audit-events"+f.Page.query(q), nil, &out)
	return out.Events, err
}
