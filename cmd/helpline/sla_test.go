package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/helpline-dev/helpline/client"
)

func TestSLACommands(t *testing.T) {
	w := newTicketWorld(t)
	ctx := context.Background()
	tk, err := w.customerAPI.CreateTicket(ctx, client.NewTicket{Subject: "Builds fail", Description: "Every build fails at the slug compile step since this morning.",
		Priority: "high", Environment: "production", Category: "deploys"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.staffAPI.AddComment(ctx, tk.ID, "Looking at it now.", false); err != nil {
		t.Fatal(err)
	}

	r := mustRunIn(t, w.staff, "", "sla", "report")
	if !strings.Contains(r.stdout, "premier") || !strings.Contains(r.stdout, "100% (1/1)") {
		t.Fatalf("report:\n%s", r.stdout)
	}
	r = mustRunIn(t, w.staff, "", "sla", "report", "--json", "--from", "2020-01-01", "--to", "2020-01-31")
	var rep client.SLAReport
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil || len(rep.Rows) != 0 || rep.From.Format("2006-01-02") != "2020-01-01" {
		t.Fatalf("json report %q: %+v, %v", r.stdout, rep, err)
	}
	r = runIn(t, w.staff, "", "sla", "report", "--from", "March")
	if r.code == 0 || !strings.Contains(r.stderr, "from") {
		t.Fatalf("bad date: %+v", r)
	}
	r = runIn(t, w.customer, "", "sla", "report")
	if r.code == 0 || !strings.Contains(r.stderr, "staff") {
		t.Fatalf("customer: %+v", r)
	}
	r = mustRunIn(t, w.staff, "", "sla", "policies")
	if !strings.Contains(r.stdout, "premier") || !strings.Contains(r.stdout, "Business hours") {
		t.Fatalf("policies:\n%s", r.stdout)
	}
}
