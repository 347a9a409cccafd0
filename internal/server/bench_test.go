package server_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
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

// POST /api/v1/tickets: validation, secret redaction of every pasted field,
// the insert with its history and access grant, and the JSON answer.
func BenchmarkCreateTicketAPI(b *testing.B) {
	env := apptest.New(b, apptest.Options{})
	org := env.Org(b, "Acme", account.PlanPremier)
	if _, err := env.App.Accounts.CreateApp(context.Background(), account.CLI(), org.ID, account.AppInput{Name: "acme-api"}); err != nil {
		b.Fatal(err)
	}
	c := env.Client(b, env.Customer(b, "dev@acme.test", org, account.OrgOwner))
	logs := strings.Repeat("2026-11-24T08:31:02.120Z heroku[router]: at=error code=H12 desc=\"Request timeout\" method=POST path=\"/checkout\" host=acme-api.herokuapp.com request_id=8601b555-6a83-4c12-8269-97c8e32cdb22 dyno=web.2 connect=0ms service=30000ms status=503 bytes=0\n", 20)
	body := `{"subject": "Checkout down", "priority": "urgent", "app": "acme-api", "environment": "production", "category": "runtime",
		"description": "Since 08:30 UTC every checkout request times out after 30 seconds with H12 errors. Our DATABASE_URL is postgres://acme:s3cr3tPassw0rd@db.example.com/shop",
		"urgent": {"access_granted": true, "users_affected": "80% of users", "business_impact": "no orders can be taken", "steps_to_reproduce": "add to cart, then pay",
		"seen_in_staging": true, "started_at": "2026-11-23 08:30:00 UTC", "logs": ` + strconv.Quote(logs) + `, "config": "STRIPE_KEY=sk_live_4eC39HqLyjWDarjtT1zdp7dc\nWEB_CONCURRENCY=4", "third_party_services": "Stripe"}}`
	for b.Loop() {
		req := httptest.NewRequest("POST", "/api/v1/tickets", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+c.Token)
		req.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		env.App.Handler.ServeHTTP(w, req)
		if w.Code != http.StatusCreated || !strings.Contains(w.Body.String(), `"redactions": 2`) {
			b.Fatal(w.Code, w.Body.String())
		}
	}
}
