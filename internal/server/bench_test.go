package server_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/helpline-dev/helpline/internal/account"
	"github.com/helpline-dev/helpline/internal/apptest"
)

// GET /api/v1/me through the whole middleware chain: token check, query,
// JSON, metrics and logging.
func BenchmarkAPIMe(b *testing.B) {
	env := apptest.New(b, apptest.Options{})
	org := env.Org(b, "Acme", account.PlanPremier)
	c := env.Client(b, env.Customer(b, "dev@acme.test", org, account.OrgOwner))
	req := httptest.NewRequest("GET", "/api/v1/me", nil)
	req.Header.Set("Authorization", "Bearer "+c.Token)
	for b.Loop() {
		w := httptest.NewRecorder()
		env.App.Handler.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			b.Fatal(w.Code, w.Body.String())
		}
	}
}

// The signed-in home page: session, memberships, apps, template.
func BenchmarkHomePage(b *testing.B) {
	env := apptest.New(b, apptest.Options{})
	org := env.Org(b, "Acme", account.PlanPremier)
	u := env.Customer(b, "dev@acme.test", org, account.OrgOwner)
	for _, name := range []string{"acme-api", "acme-web", "acme-worker"} {
		if _, err := env.App.Accounts.CreateApp(context.Background(), account.CLI(), org.ID, account.AppInput{Name: name}); err != nil {
			b.Fatal(err)
		}
	}
	secret, err := env.App.Accounts.CreateSession(context.Background(), u.ID, time.Hour, "127.0.0.1", "bench")
	if err != nil {
		b.Fatal(err)
	}
	req := httptest.NewRequest("GET", "/", nil)
	req.AddCookie(&http.Cookie{Name: "helpline_session", Value: secret})
	for b.Loop() {
		w := httptest.NewRecorder()
		env.App.Handler.ServeHTTP(w, req)
		if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "acme-worker") {
			b.Fatal(w.Code)
		}
	}
}

// The public sign-in page, the most visited page of anonymous users.
func BenchmarkSignInPage(b *testing.B) {
	env := apptest.New(b, apptest.Options{})
	req := httptest.NewRequest("GET", "/signin?next="+url.QueryEscape("/account"), nil)
	for b.Loop() {
		w := httptest.NewRecorder()
		env.App.Handler.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			b.Fatal(w.Code)
		}
	}
}
