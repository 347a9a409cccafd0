package web

import (
	"net/http"
	"strconv"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/internal/account"
)

type adminOrgsData struct {
	Orgs []account.Organization
}

func (web *Web) adminOrgs(w http.ResponseWriter, r *http.Request) error {
	return web.renderAdminOrgs(w, r, http.StatusOK, &Page{})
}

func (web *Web) renderAdminOrgs(w http.ResponseWriter, r *http.Request, status int, p *Page) error {
	orgs, err := web.Accounts.FindOrganizations(r.Context(), actor(r), helpline.Page{Limit: 200})
	if err != nil {
		return err
	}
	p.Title, p.Data = "Organizations", adminOrgsData{Orgs: orgs}
	web.render(w, r, status, "admin_orgs", p)
	return nil
}

func (web *Web) adminCreateOrg(w http.ResponseWriter, r *http.Request) error {
	f := r.PostForm
	org, err := web.Accounts.CreateOrganization(r.Context(), actor(r), account.OrgInput{Name: f.Get("name"), Plan: account.Plan(f.Get("plan"))})
	if err != nil {
		he, status, ok := inputError(err)
		if !ok {
			return err
		}
		return web.renderAdminOrgs(w, r, status, &Page{Form: f, Errors: he.Fields, Message: he.Message})
	}
	web.redirect(w, r, "/orgs/"+strconv.FormatInt(org.ID, 10), "Organization "+org.Name+" created.")
	return nil
}

type adminUsersData struct {
	Users []account.User
	Orgs  []account.Organization
}

func (web *Web) adminUsers(w http.ResponseWriter, r *http.Request) error {
	return web.renderAdminUsers(w, r, http.StatusOK, &Page{})
}

func (web *Web) renderAdminUsers(w http.ResponseWriter, r *http.Request, status int, p *Page) error {
	var d adminUsersData
	var err error
	if d.Users, err = web.Accounts.FindUsers(r.Context(), actor(r), account.UserFilter{Page: helpline.Page{Limit: 200}}); err != nil {
		return err
	}
	if d.Orgs, err = web.Accounts.FindOrganizations(r.Context(), actor(r), helpline.Page{Limit: 200}); err != nil {
		return err
	}
	p.Title, p.Data = "Users", d
	web.render(w, r, status, "admin_users", p)
	return nil
}

func (web *Web) adminCreateUser(w http.ResponseWriter, r *http.Request) error {
	f := r.PostForm
	in := account.UserInput{Email: f.Get("email"), Name: f.Get("name"), Password: f.Get("password")}
	// One select picks either an organization or a staff role, so a user
	// cannot be both by mistake.
	switch kind := f.Get("kind"); kind {
	case "staff":
		in.StaffRole = helpline.StaffRole(f.Get("staff_role"))
		if in.StaffRole == helpline.RoleNone {
			in.StaffRole = "none"
		}
	default:
		in.OrgID, _ = strconv.ParseInt(f.Get("organization_id"), 10, 64)
		in.OrgRole = account.OrgRole(f.Get("role"))
	}
	u, err := web.Accounts.CreateUser(r.Context(), actor(r), in)
	if err != nil {
		he, status, ok := inputError(err)
		if !ok {
			return err
		}
		f.Del("password")
		return web.renderAdminUsers(w, r, status, &Page{Form: f, Errors: he.Fields, Message: he.Message})
	}
	web.redirect(w, r, "/admin/users", "User "+u.Email+" created.")
	return nil
}

func (web *Web) adminChangeRole(w http.ResponseWriter, r *http.Request) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return helpline.NotFound("user")
	}
	if err := web.Accounts.ChangeStaffRole(r.Context(), actor(r), id, helpline.StaffRole(r.PostForm.Get("staff_role"))); err != nil {
		he, status, ok := inputError(err)
		if !ok {
			return err
		}
		return web.renderAdminUsers(w, r, status, &Page{Message: he.Error()})
	}
	web.redirect(w, r, "/admin/users", "Role changed.")
	return nil
}

type auditData struct {
	Events     []account.AuditEvent
	Action     string
	Prev, Next int
	HasPrev    bool
}

func (web *Web) adminAudit(w http.ResponseWriter, r *http.Request) error {
	const perPage = 50
	q := r.URL.Query()
	offset, _ := strconv.Atoi(q.Get("offset"))
	if offset < 0 {
		offset = 0
	}
	events, err := web.Accounts.FindAuditEvents(r.Context(), actor(r), account.AuditFilter{
		Action: q.Get("action"), Page: helpline.Page{Limit: perPage + 1, Offset: offset}})
	if err != nil {
		return err
	}
	d := auditData{Action: q.Get("action"), Prev: max(offset-perPage, 0), HasPrev: offset > 0}
	if len(events) > perPage {
		events, d.Next = events[:perPage], offset+perPage
	}
	d.Events = events
	web.render(w, r, http.StatusOK, "admin_audit", &Page{Title: "Audit log", Data: d, Form: q})
	return nil
}
