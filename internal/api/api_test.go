package api_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/client"
	"github.com/helpline-dev/helpline/internal/account"
	"github.com/helpline-dev/helpline/internal/apptest"
)

func apiErr(t *testing.T, err error, status int, code string) *client.Error {
	t.Helper()
	var e *client.Error
	if !errors.As(err, &e) {
		t.Fatalf("err = %v, want API error %d %s", err, status, code)
	}
	if e.Status != status || e.Code != code {
		t.Fatalf("err = %d %s (%s), want %d %s", e.Status, e.Code, e.Message, status, code)
	}
	return e
}

// An admin builds an organization with a customer over the API; the customer
// sees their own organization and nothing else.
func TestOrganizationsAndVisibility(t *testing.T) {
	ctx := context.Background()
	env := apptest.New(t, apptest.Options{})
	adminAPI := env.Client(t, env.Staff(t, "root@helpline.test", helpline.RoleAdmin))

	acme, err := adminAPI.CreateOrganization(ctx, "Acme", "premier")
	if err != nil {
		t.Fatal(err)
	}
	other, err := adminAPI.CreateOrganization(ctx, "Other Co", "standard")
	if err != nil {
		t.Fatal(err)
	}
	owner, err := adminAPI.CreateUser(ctx, client.NewUser{Email: "Owner@Acme.test", Name: "Olive", Password: apptest.Password, OrganizationID: acme.ID, Role: "owner"})
	if err != nil {
		t.Fatal(err)
	}
	if owner.Email != "owner@acme.test" {
		t.Errorf("email stored as %q, want lower case", owner.Email)
	}
	ownerAPI := env.Client(t, account.User{ID: owner.ID})

	me, err := ownerAPI.Me(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(me.Memberships) != 1 || me.Memberships[0].Organization.Name != "Acme" || me.Memberships[0].Role != "owner" {
		t.Fatalf("me = %+v", me)
	}
	orgs, err := ownerAPI.ListOrganizations(ctx, client.Page{})
	if err != nil || len(orgs) != 1 || orgs[0].ID != acme.ID {
		t.Fatalf("customer sees %+v, %v; want only Acme", orgs, err)
	}
	// Another organization's ID answers 404, as if it did not exist.
	_, err = ownerAPI.GetOrganization(ctx, other.ID)
	apiErr(t, err, 404, "not_found")
	_, err = ownerAPI.ListApps(ctx, other.ID)
	apiErr(t, err, 404, "not_found")
	_, err = ownerAPI.CreateApp(ctx, other.ID, client.NewApp{Name: "sneaky-app"})
	apiErr(t, err, 404, "not_found")
	_, err = ownerAPI.GetOrganization(ctx, 999999)
	apiErr(t, err, 404, "not_found")

	app, err := ownerAPI.CreateApp(ctx, acme.ID, client.NewApp{Name: "acme-api", Region: "eu", Addons: []string{"heroku-postgresql:standard-0"}})
	if err != nil {
		t.Fatal(err)
	}
	apps, err := adminAPI.ListApps(ctx, acme.ID)
	if err != nil || len(apps) != 1 || apps[0].Name != "acme-api" || apps[0].Region != "eu" || apps[0].Stack != "heroku-24" || apps[0].Addons[0] != "heroku-postgresql:standard-0" {
		t.Fatalf("apps = %+v, %v (created %+v)", apps, err, app)
	}

	// The customer is not an admin.
	_, err = ownerAPI.CreateOrganization(ctx, "Mine", "free")
	apiErr(t, err, 403, "forbidden")
	_, err = ownerAPI.ListUsers(ctx, false, client.Page{})
	apiErr(t, err, 403, "forbidden")
	_, err = ownerAPI.ListAuditEvents(ctx, client.AuditFilter{})
	apiErr(t, err, 403, "forbidden")

	events, err := adminAPI.ListAuditEvents(ctx, client.AuditFilter{Action: "app.created"})
	if err != nil || len(events) != 1 || events[0].ActorEmail != "owner@acme.test" {
		t.Fatalf("audit = %+v, %v", events, err)
	}
}

func TestTokensLifecycle(t *testing.T) {
	ctx := context.Background()
	env := apptest.New(t, apptest.Options{})
	org := env.Org(t, "Acme", account.PlanStandard)
	first := env.Client(t, env.Customer(t, "dev@acme.test", org, account.OrgMember))

	tok, secret, err := first.CreateToken(ctx, "laptop")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(secret, "hlp_") || !strings.HasPrefix(secret, tok.Prefix) {
		t.Fatalf("secret %q, prefix %q", secret, tok.Prefix)
	}
	second := client.New(env.URL, secret)
	if _, err := second.Me(ctx); err != nil {
		t.Fatal(err)
	}
	tokens, err := first.ListTokens(ctx)
	if err != nil || len(tokens) != 2 {
		t.Fatalf("tokens = %+v, %v", tokens, err)
	}
	var laptop client.Token
	for _, tk := range tokens {
		if tk.ID == tok.ID {
			laptop = tk
		}
	}
	if laptop.LastUsedAt == nil {
		t.Errorf("last_used_at not set after use: %+v", laptop)
	}
	if err := first.RevokeToken(ctx, tok.ID); err != nil {
		t.Fatal(err)
	}
	_, err = second.Me(ctx)
	apiErr(t, err, 401, "unauthorized")

	// Someone else's token is not found, not forbidden.
	otherUser := env.Client(t, env.Customer(t, "other@acme.test", org, account.OrgMember))
	err = otherUser.RevokeToken(ctx, tokens[0].ID)
	apiErr(t, err, 404, "not_found")
}

// raw sends a request with a body as given, bypassing the client's encoding.
func raw(t *testing.T, env *apptest.Env, token, method, path, contentType, body string) (int, string, http.Header) {
	t.Helper()
	req, err := http.NewRequest(method, env.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

func TestBadInput(t *testing.T) {
	env := apptest.New(t, apptest.Options{Env: map[string]string{"HELPLINE_MAX_BODY_BYTES": "2048"}})
	admin := env.Client(t, env.Staff(t, "root@helpline.test", helpline.RoleAdmin))
	env.Staff(t, "taken@helpline.test", helpline.RoleAgent)
	tok := admin.Token
	const j = "application/json"
	for _, tc := range []struct {
		name, token, method, path, ctype, body string
		status                                 int
		want                                   []string // substrings of the body
	}{
		{"malformed JSON", tok, "POST", "/api/v1/organizations", j, `{"name": "Acme",`, 422, []string{`"code": "invalid"`, "malformed JSON"}},
		{"not an object", tok, "POST", "/api/v1/organizations", j, `[1,2]`, 422, []string{"JSON object"}},
		{"empty body", tok, "POST", "/api/v1/organizations", j, ``, 422, []string{"empty"}},
		{"unknown field", tok, "POST", "/api/v1/organizations", j, `{"name": "Acme", "plan": "free", "colour": "red"}`, 422, []string{`"colour": "is not a known field"`}},
		{"wrong type", tok, "POST", "/api/v1/organizations", j, `{"name": 42, "plan": "free"}`, 422, []string{`"name": "must be a string`}},
		{"trailing data", tok, "POST", "/api/v1/organizations", j, `{"name": "Acme", "plan": "free"} {}`, 422, []string{"exactly one JSON object"}},
		{"wrong content type", tok, "POST", "/api/v1/organizations", "text/plain", `{"name": "Acme", "plan": "free"}`, 422, []string{"Content-Type"}},
		{"oversized body", tok, "POST", "/api/v1/organizations", j, `{"name": "` + strings.Repeat("a", 5000) + `", "plan": "free"}`, 413, []string{`"code": "invalid"`, "larger than 2048 bytes"}},
		{"unknown plan", tok, "POST", "/api/v1/organizations", j, `{"name": "Acme", "plan": "gold"}`, 422, []string{`"plan": "must be one of free, standard`}},
		{"invalid email", tok, "POST", "/api/v1/users", j, `{"email": "not-an-email", "name": "X", "password": "long enough pw", "staff_role": "agent"}`, 422, []string{`"email": "must be an email address`}},
		{"unknown staff role", tok, "POST", "/api/v1/users", j, `{"email": "x@helpline.test", "name": "X", "password": "long enough pw", "staff_role": "boss"}`, 422, []string{`"staff_role"`}},
		{"duplicate email", tok, "POST", "/api/v1/users", j, `{"email": "TAKEN@helpline.test", "name": "X", "password": "long enough pw", "staff_role": "agent"}`, 409, []string{`"code": "conflict"`, `"email": "is already registered"`}},
		{"bad limit", tok, "GET", "/api/v1/organizations?limit=0", "", ``, 422, []string{`"limit"`}},
		{"no token", "", "GET", "/api/v1/me", "", ``, 401, []string{`"code": "unauthorized"`, "Bearer"}},
		{"wrong token", "hlp_wrongwrongwrong", "GET", "/api/v1/me", "", ``, 401, []string{`"code": "unauthorized"`}},
		{"malformed ID", tok, "GET", "/api/v1/organizations/abc", "", ``, 404, []string{`"code": "not_found"`}},
		{"unknown endpoint", tok, "GET", "/api/v1/nothing", "", ``, 404, []string{`"code": "not_found"`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, body, hdr := raw(t, env, tc.token, tc.method, tc.path, tc.ctype, tc.body)
			if status != tc.status {
				t.Fatalf("status %d, want %d: %s", status, tc.status, body)
			}
			if ct := hdr.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Errorf("Content-Type %q", ct)
			}
			for _, w := range tc.want {
				if !strings.Contains(body, w) {
					t.Errorf("body lacks %q: %s", w, body)
				}
			}
		})
	}
}

func TestOpenAPIServed(t *testing.T) {
	env := apptest.New(t, apptest.Options{})
	status, body, _ := raw(t, env, "", "GET", "/api/v1/openapi.json", "", "")
	if status != 200 || !strings.Contains(body, `"openapi": "3.1.0"`) {
		t.Fatalf("openapi.json: %d %.200s", status, body)
	}
}
