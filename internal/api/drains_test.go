package api_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/client"
	"github.com/helpline-dev/helpline/internal/account"
	"github.com/helpline-dev/helpline/internal/api"
	"github.com/helpline-dev/helpline/internal/apptest"
)

func drainRoutesMounted(t *testing.T) {
	t.Helper()
	for _, rt := range (&api.API{}).Routes() {
		if rt.Path == "/api/v1/apps/{id}/drain" {
			return
		}
	}
	t.Skip("drainRoutes() is not appended in routes.go yet")
}

func TestDrainsAPI(t *testing.T) {
	drainRoutesMounted(t)
	ctx := context.Background()
	env := apptest.New(t, apptest.Options{})
	acme := env.Org(t, "Acme", account.PlanStandard)
	app, err := env.App.Accounts.CreateApp(ctx, account.CLI(), acme.ID, account.AppInput{Name: "acme-api"})
	if err != nil {
		t.Fatal(err)
	}
	owner := env.Client(t, env.Customer(t, "owner@acme.test", acme, account.OrgOwner))
	member := env.Client(t, env.Customer(t, "dev@acme.test", acme, account.OrgMember))
	globex := env.Org(t, "Globex", account.PlanStandard)
	outsider := env.Client(t, env.Customer(t, "owner@globex.test", globex, account.OrgOwner))
	agent := env.Client(t, env.Staff(t, "agent@helpline.test", helpline.RoleAgent))

	if _, err := owner.GetDrain(ctx, app.ID); apiStatus(err) != http.StatusNotFound {
		t.Fatalf("no drain yet: %v", err)
	}
	if _, err := member.CreateOrRotateDrain(ctx, app.ID, client.DrainSettings{}); apiStatus(err) != http.StatusForbidden {
		t.Fatalf("member create: %v", err)
	}
	if _, err := outsider.CreateOrRotateDrain(ctx, app.ID, client.DrainSettings{}); apiStatus(err) != http.StatusNotFound {
		t.Fatalf("outsider create: %v", err)
	}
	bad := 0
	if _, err := owner.CreateOrRotateDrain(ctx, app.ID, client.DrainSettings{BaselineFactor: &bad}); apiStatus(err) != http.StatusUnprocessableEntity {
		t.Fatalf("bad settings: %v", err)
	}
	yes := true
	created, err := owner.CreateOrRotateDrain(ctx, app.ID, client.DrainSettings{OpenTicket: &yes})
	if err != nil {
		t.Fatal(err)
	}
	if !created.Drain.OpenTicket || !created.Drain.Notify || created.Drain.MinErrorsPerMinute != 20 ||
		created.URL != env.URL+"/drains/"+created.Token || !strings.HasPrefix(created.Token, created.Drain.TokenPrefix) {
		t.Fatalf("created = %+v", created)
	}
	got, err := member.GetDrain(ctx, app.ID)
	if err != nil || got.ID != created.Drain.ID {
		t.Fatalf("member GET = %+v, %v", got, err)
	}
	if _, err := outsider.GetDrain(ctx, app.ID); apiStatus(err) != http.StatusNotFound {
		t.Fatalf("outsider GET: %v", err)
	}
	if e := rawCall(t, owner, "PATCH", fmt.Sprintf("/api/v1/apps/%d/drain", app.ID), `{"thresholds": 3}`); e == nil || e.Fields["thresholds"] == "" {
		t.Fatalf("unknown field: %+v", e)
	}

	// Logs in, surge out: a notice for each member and one ticket.
	var b strings.Builder
	now := time.Now().UTC()
	for i := range 25 {
		msg := fmt.Sprintf(`<158>1 %s host heroku router - at=error code=H12 desc="Request timeout" method=GET path="/" host=acme-api.herokuapp.com request_id=r%d fwd="203.0.113.9" dyno=web.1 connect=0ms service=30000ms status=503 bytes=0 protocol=https`+"\n",
			now.Format(time.RFC3339Nano), i)
		fmt.Fprintf(&b, "%d %s", len(msg), msg)
	}
	resp, err := http.Post(created.URL, "application/logplex-1", strings.NewReader(b.String()))
	if err != nil || resp.StatusCode != http.StatusNoContent {
		t.Fatalf("ingest: %v %v", resp, err)
	}
	resp.Body.Close()
	surges, err := member.Surges(ctx, client.SurgeFilter{})
	if err != nil || len(surges) != 1 {
		t.Fatalf("surges = %+v, %v", surges, err)
	}
	sg, err := owner.GetSurge(ctx, surges[0].ID)
	if err != nil || sg.TicketNumber == 0 || sg.Notified != 2 || len(sg.Recent) == 0 || sg.Codes[0] != (client.SurgeCodeCount{Code: "H12", Count: 25}) {
		t.Fatalf("surge = %+v, %v", sg, err)
	}
	if list, err := outsider.Surges(ctx, client.SurgeFilter{}); err != nil || len(list) != 0 {
		t.Fatalf("outsider surges = %+v, %v", list, err)
	}
	if _, err := outsider.GetSurge(ctx, sg.ID); apiStatus(err) != http.StatusNotFound {
		t.Fatalf("outsider surge: %v", err)
	}
	if list, err := agent.Surges(ctx, client.SurgeFilter{AppID: app.ID}); err != nil || len(list) != 1 {
		t.Fatalf("staff surges = %+v, %v", list, err)
	}

	// Rotate (staff may), change settings, delete.
	rotated, err := agent.CreateOrRotateDrain(ctx, app.ID, client.DrainSettings{})
	if err != nil || rotated.Token == created.Token || rotated.Token == "" {
		t.Fatalf("rotate = %+v, %v", rotated, err)
	}
	no := false
	if d, err := owner.UpdateDrain(ctx, app.ID, client.DrainSettings{OpenTicket: &no}); err != nil || d.OpenTicket {
		t.Fatalf("update = %+v, %v", d, err)
	}
	if err := outsider.DeleteDrain(ctx, app.ID); apiStatus(err) != http.StatusNotFound {
		t.Fatalf("outsider delete: %v", err)
	}
	if err := owner.DeleteDrain(ctx, app.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := owner.GetDrain(ctx, app.ID); apiStatus(err) != http.StatusNotFound {
		t.Fatalf("after delete: %v", err)
	}
}
