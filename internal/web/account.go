package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/internal/account"
)

type accountData struct {
	Memberships []account.Membership
	Tokens      []account.Token
	NewSecret   string // shown once, right after creation
	NewToken    string
}

func (web *Web) accountPage(w http.ResponseWriter, r *http.Request) error {
	p := &Page{Title: "Your account"}
	return web.renderAccount(w, r, http.StatusOK, p, accountData{})
}

func (web *Web) renderAccount(w http.ResponseWriter, r *http.Request, status int, p *Page, d accountData) error {
	var err error
	u := currentUser(r.Context())
	if d.Memberships, err = web.Accounts.FindMemberships(r.Context(), u.ID); err != nil {
		return err
	}
	if d.Tokens, err = web.Accounts.FindTokens(r.Context(), actor(r)); err != nil {
		return err
	}
	p.Data = d
	web.render(w, r, status, "account", p)
	return nil
}

func (web *Web) createToken(w http.ResponseWriter, r *http.Request) error {
	p := &Page{Title: "Your account"}
	t, secret, err := web.Accounts.CreateToken(r.Context(), actor(r), r.PostForm.Get("name"))
	if err != nil {
		he, status, ok := inputError(err)
		if !ok {
			return err
		}
		p.Form, p.Errors = r.PostForm, he.Fields
		return web.renderAccount(w, r, status, p, accountData{})
	}
	// Rendered directly, not redirected: the secret must not travel in a URL
	// or a cookie, and this is the only time it is shown.
	return web.renderAccount(w, r, http.StatusCreated, p, accountData{NewSecret: secret, NewToken: t.Name})
}

func (web *Web) revokeToken(w http.ResponseWriter, r *http.Request) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return helpline.NotFound("token")
	}
	if err := web.Accounts.RevokeToken(r.Context(), actor(r), id); err != nil {
		return err
	}
	web.redirect(w, r, "/account", "The token is revoked; clients using it can no longer sign in.")
	return nil
}

type orgData struct {
	Org     account.Organization
	Members []account.Member
	Apps    []account.App
	CanEdit bool
}

func (web *Web) orgPage(w http.ResponseWriter, r *http.Request) error {
	return web.renderOrg(w, r, http.StatusOK, &Page{})
}

func (web *Web) renderOrg(w http.ResponseWriter, r *http.Request, status int, p *Page) error {
	ctx, a := r.Context(), actor(r)
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return helpline.NotFound("organization")
	}
	var d orgData
	if d.Org, err = web.Accounts.FindOrganizationByID(ctx, a, id); err != nil {
		return err
	}
	if d.Members, err = web.Accounts.FindMembers(ctx, a, id); err != nil {
		return err
	}
	if d.Apps, err = web.Accounts.FindApps(ctx, a, id); err != nil {
		return err
	}
	d.CanEdit = a.IsAdmin()
	for _, m := range d.Members {
		if m.User.ID == a.UserID && m.Role == account.OrgOwner {
			d.CanEdit = true
		}
	}
	p.Title, p.Data = d.Org.Name, d
	web.render(w, r, status, "org", p)
	return nil
}

func (web *Web) createApp(w http.ResponseWriter, r *http.Request) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return helpline.NotFound("organization")
	}
	f := r.PostForm
	_, err = web.Accounts.CreateApp(r.Context(), actor(r), id, account.AppInput{
		Name: f.Get("name"), Region: f.Get("region"), Stack: f.Get("stack"), Addons: strings.Split(f.Get("addons"), ","),
	})
	if err != nil {
		return web.orgFormError(w, r, err)
	}
	web.redirect(w, r, r.URL.Path[:strings.LastIndex(r.URL.Path, "/")], "App "+f.Get("name")+" added.")
	return nil
}

func (web *Web) addMember(w http.ResponseWriter, r *http.Request) error {
	ctx, a := r.Context(), actor(r)
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return helpline.NotFound("organization")
	}
	f := r.PostForm
	// Admins can add someone who already has an account (a user may belong
	// to several organizations); owners only create new members, so they
	// cannot pull in other customers' users.
	if a.IsAdmin() {
		if existing, err := web.Accounts.FindUserByEmail(ctx, a, f.Get("email")); err == nil {
			if err := web.Accounts.AddMember(ctx, a, id, existing.ID, account.OrgRole(f.Get("role"))); err != nil {
				return web.orgFormError(w, r, err)
			}
			web.redirect(w, r, r.URL.Path[:strings.LastIndex(r.URL.Path, "/")], existing.Name+" is now a "+f.Get("role")+" here.")
			return nil
		}
	}
	_, err = web.Accounts.CreateUser(ctx, a, account.UserInput{
		Email: f.Get("email"), Name: f.Get("name"), Password: f.Get("password"), OrgID: id, OrgRole: account.OrgRole(f.Get("role")),
	})
	if err != nil {
		f.Del("password")
		return web.orgFormError(w, r, err)
	}
	web.redirect(w, r, r.URL.Path[:strings.LastIndex(r.URL.Path, "/")], f.Get("name")+" can now sign in.")
	return nil
}

// orgFormError shows the organization page again with a form's errors.
func (web *Web) orgFormError(w http.ResponseWriter, r *http.Request, err error) error {
	he, status, ok := inputError(err)
	if !ok {
		return err
	}
	return web.renderOrg(w, r, status, &Page{Form: r.PostForm, Errors: he.Fields, Message: he.Message})
}
