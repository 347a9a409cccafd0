package api

import (
	"net/http"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/internal/account"
)

func (a *API) me(w http.ResponseWriter, r *http.Request, actor *helpline.Actor) error {
	u, err := a.Accounts.FindUserByID(r.Context(), actor, actor.UserID)
	if err != nil {
		return err
	}
	ms, err := a.Accounts.FindMemberships(r.Context(), actor.UserID)
	if err != nil {
		return err
	}
	if ms == nil {
		ms = []account.Membership{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"user": u, "memberships": ms})
	return nil
}

func (a *API) listTokens(w http.ResponseWriter, r *http.Request, actor *helpline.Actor) error {
	ts, err := a.Accounts.FindTokens(r.Context(), actor)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"tokens": ts})
	return nil
}

func (a *API) createToken(w http.ResponseWriter, r *http.Request, actor *helpline.Actor) error {
	var in struct {
		Name string `json:"name"`
	}
	if err := a.decode(w, r, &in); err != nil {
		return err
	}
	t, secret, err := a.Accounts.CreateToken(r.Context(), actor, in.Name)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, map[string]any{"token": t, "secret": secret})
	return nil
}

func (a *API) revokeToken(w http.ResponseWriter, r *http.Request, actor *helpline.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return helpline.NotFound("token")
	}
	if err := a.Accounts.RevokeToken(r.Context(), actor, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *API) listOrganizations(w http.ResponseWriter, r *http.Request, actor *helpline.Actor) error {
	p, err := page(r)
	if err != nil {
		return err
	}
	orgs, err := a.Accounts.FindOrganizations(r.Context(), actor, p)
	if err != nil {
		return err
	}
	if orgs == nil {
		orgs = []account.Organization{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"organizations": orgs, "limit": p.Limit, "offset": p.Offset})
	return nil
}

func (a *API) createOrganization(w http.ResponseWriter, r *http.Request, actor *helpline.Actor) error {
	if err := actor.RequireAdmin(); err != nil {
		return err
	}
	var in account.OrgInput
	if err := a.decode(w, r, &in); err != nil {
		return err
	}
	org, err := a.Accounts.CreateOrganization(r.Context(), actor, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, org)
	return nil
}

func (a *API) getOrganization(w http.ResponseWriter, r *http.Request, actor *helpline.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return helpline.NotFound("organization")
	}
	org, err := a.Accounts.FindOrganizationByID(r.Context(), actor, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, org)
	return nil
}

func (a *API) listMembers(w http.ResponseWriter, r *http.Request, actor *helpline.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return helpline.NotFound("organization")
	}
	ms, err := a.Accounts.FindMembers(r.Context(), actor, id)
	if err != nil {
		return err
	}
	if ms == nil {
		ms = []account.Member{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"members": ms})
	return nil
}

func (a *API) setMember(w http.ResponseWriter, r *http.Request, actor *helpline.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return helpline.NotFound("organization")
	}
	userID, err := pathID(r, "user_id")
	if err != nil {
		return helpline.NotFound("user")
	}
	var in struct {
		Role account.OrgRole `json:"role"`
	}
	if err := a.decode(w, r, &in); err != nil {
		return err
	}
	if err := a.Accounts.AddMember(r.Context(), actor, id, userID, in.Role); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *API) listApps(w http.ResponseWriter, r *http.Request, actor *helpline.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return helpline.NotFound("organization")
	}
	apps, err := a.Accounts.FindApps(r.Context(), actor, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"apps": apps})
	return nil
}

func (a *API) createApp(w http.ResponseWriter, r *http.Request, actor *helpline.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return helpline.NotFound("organization")
	}
	var in account.AppInput
	if err := a.decode(w, r, &in); err != nil {
		return err
	}
	app, err := a.Accounts.CreateApp(r.Context(), actor, id, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, app)
	return nil
}

func (a *API) listUsers(w http.ResponseWriter, r *http.Request, actor *helpline.Actor) error {
	if err := actor.RequireAdmin(); err != nil {
		return err
	}
	p, err := page(r)
	if err != nil {
		return err
	}
	users, err := a.Accounts.FindUsers(r.Context(), actor, account.UserFilter{Staff: r.URL.Query().Get("staff") == "true", Page: p})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"users": users, "limit": p.Limit, "offset": p.Offset})
	return nil
}

func (a *API) createUser(w http.ResponseWriter, r *http.Request, actor *helpline.Actor) error {
	var in account.UserInput
	if err := a.decode(w, r, &in); err != nil {
		return err
	}
	u, err := a.Accounts.CreateUser(r.Context(), actor, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, u)
	return nil
}

func (a *API) getUser(w http.ResponseWriter, r *http.Request, actor *helpline.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return helpline.NotFound("user")
	}
	u, err := a.Accounts.FindUserByID(r.Context(), actor, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, u)
	return nil
}

func (a *API) updateUser(w http.ResponseWriter, r *http.Request, actor *helpline.Actor) error {
	if err := actor.RequireAdmin(); err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return helpline.NotFound("user")
	}
	var in struct {
		StaffRole *helpline.StaffRole `json:"staff_role"`
	}
	if err := a.decode(w, r, &in); err != nil {
		return err
	}
	if in.StaffRole == nil {
		return &helpline.Error{Kind: helpline.KindInvalid, Message: "Nothing to change.", Fields: map[string]string{"staff_role": "is required: agent, csa, admin or \"\""}}
	}
	if err := a.Accounts.ChangeStaffRole(r.Context(), actor, id, *in.StaffRole); err != nil {
		return err
	}
	return a.getUser(w, r, actor)
}

func (a *API) listAuditEvents(w http.ResponseWriter, r *http.Request, actor *helpline.Actor) error {
	if err := actor.RequireAdmin(); err != nil {
		return err
	}
	p, err := page(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	events, err := a.Accounts.FindAuditEvents(r.Context(), actor, account.AuditFilter{
		Action: q.Get("action"), TargetType: q.Get("target_type"), TargetID: q.Get("target_id"), Page: p})
	if err != nil {
		return err
	}
	if events == nil {
		events = []account.AuditEvent{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"events": events, "limit": p.Limit, "offset": p.Offset})
	return nil
}
