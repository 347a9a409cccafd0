package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/internal/account"
	"github.com/helpline-dev/helpline/internal/apptest"
)

func TestOncallPages(t *testing.T) {
	env := apptest.New(t, apptest.Options{})
	env.Staff(t, "root@helpline.test", helpline.RoleAdmin)
	agent := env.Staff(t, "agent@helpline.test", helpline.RoleAgent)
	cust := env.Customer(t, "dev@acme.test", env.Org(t, "Acme", account.PlanPremier), account.OrgOwner)
	b := env.Browser()
	b.SignIn(t, "root@helpline.test")

	// A bad zone keeps what was typed and names the field.
	resp, body := b.Post(t, "/oncall/schedules", url.Values{"name": {"Support primary"}, "time_zone": {"Europe/Atlantis"}})
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("bad zone: %d", resp.StatusCode)
	}
	mustContain(t, body, `value="Support primary"`, `value="Europe/Atlantis"`, "Time zone: is not a known IANA time zone")
	resp, _ = b.Post(t, "/oncall/schedules", url.Values{"name": {"Support primary"}, "time_zone": {"Europe/Berlin"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("create schedule: %d", resp.StatusCode)
	}
	schedulePath := resp.Header.Get("Location")
	if !regexp.MustCompile(`^/oncall/schedules/\d+$`).MatchString(schedulePath) {
		t.Fatalf("redirect to %q", schedulePath)
	}
	_, body = b.Get(t, schedulePath)
	mustContain(t, body, "Schedule Support primary created.", "Nobody is on call now")

	// A layer with a customer in it is refused, keeping the typed users.
	layer := url.Values{"name": {"Weekly"}, "rotation": {"weekly"}, "handoff_weekday": {"monday"}, "handoff_time": {"09:00"},
		"starts_at": {"2025-03-03T09:00"}, "users": {"agent@helpline.test\ndev@acme.test"}}
	resp, body = b.Post(t, schedulePath+"/layers", layer)
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("layer with a customer: %d", resp.StatusCode)
	}
	mustContain(t, body, "dev@acme.test is not a staff member", "agent@helpline.test\ndev@acme.test", `value="2025-03-03T09:00"`)
	layer.Set("ends_at", "2025-03-01T09:00")
	layer.Set("users", "agent@helpline.test\nroot@helpline.test")
	resp, body = b.Post(t, schedulePath+"/layers", layer)
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("layer ending before it starts: %d", resp.StatusCode)
	}
	mustContain(t, body, "Ends (optional): must be after the start")
	layer.Del("ends_at")
	resp, _ = b.Post(t, schedulePath+"/layers", layer)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("add layer: %d", resp.StatusCode)
	}
	_, body = b.Get(t, schedulePath)
	mustContain(t, body, "Layer Weekly added.", "Weekly hand-off at 09:00 on Monday", "On call now", "Next 14 days")
	if strings.Contains(body, "Nobody is on call now") {
		t.Fatal("the layer put nobody on call")
	}

	// The agent may put only themself on call.
	ab := env.Browser()
	ab.SignIn(t, "agent@helpline.test")
	_, body = ab.Get(t, schedulePath)
	if strings.Contains(body, "Add a layer") || strings.Contains(body, "Delete this schedule") {
		t.Fatal("an agent sees admin forms")
	}
	resp, body = ab.Post(t, schedulePath+"/overrides", url.Values{"user_id": {strconv.FormatInt(agent.ID, 10)}, "starts_at": {"2030-01-02T10:00"}, "ends_at": {"2030-01-01T10:00"}})
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("override ending before it starts: %d", resp.StatusCode)
	}
	mustContain(t, body, `value="2030-01-02T10:00"`, "Until: must be after the start")
	resp, _ = ab.Post(t, schedulePath+"/overrides", url.Values{"user_id": {strconv.FormatInt(agent.ID, 10)}, "starts_at": {"2030-01-01T10:00"}, "ends_at": {"2030-01-02T10:00"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("own override: %d", resp.StatusCode)
	}
	_, body = ab.Get(t, schedulePath)
	mustContain(t, body, "Override added.", "Tue Jan 1 10:00")
	if resp, _ := ab.Post(t, schedulePath+"/layers", layer); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("agent adds a layer: %d", resp.StatusCode)
	}

	_, body = b.Get(t, "/oncall?at=2025-03-04T12:00")
	mustContain(t, body, "On call at 2025-03-04 12:00:00 UTC", "Support primary", "agent@helpline.test")

	// Escalation policies: errors land on the level row that caused them.
	id := strings.TrimPrefix(schedulePath, "/oncall/schedules/")
	resp, body = b.Post(t, "/oncall/policies", url.Values{"name": {"Urgent tickets"}, "repeats": {"1"}, "pages_urgent": {"on"},
		"level0_delay": {"0"}, "level0_targets": {"s" + id}, "level1_delay": {""}, "level2_delay": {"10"}})
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("bad policy: %d", resp.StatusCode)
	}
	mustContain(t, body, `value="Urgent tickets"`, "Delay: must be between 1 and 1440 minutes", "Targets: add a schedule or a user to page", `<option value="s`+id+`" selected>`)
	resp, _ = b.Post(t, "/oncall/policies", url.Values{"name": {"Urgent tickets"}, "repeats": {"1"}, "pages_urgent": {"on"},
		"level0_delay": {"5"}, "level0_targets": {"s" + id}, "level1_delay": {""}, "level2_delay": {"10"}, "level2_targets": {"u" + strconv.FormatInt(agent.ID, 10)}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("create policy: %d", resp.StatusCode)
	}
	policyPath := resp.Header.Get("Location")
	_, body = b.Get(t, policyPath)
	mustContain(t, body, "pages urgent tickets", "escalate after 5 min", "escalate after 10 min", "Repeats 1 time.")
	_, body = ab.Get(t, "/oncall/policies")
	mustContain(t, body, "Urgent tickets", "Support primary")
	if strings.Contains(body, "New policy") {
		t.Fatal("an agent sees the policy form")
	}

	// Contact methods: the webhook secret shows once.
	resp, body = ab.Post(t, "/account/contact-methods", url.Values{"kind": {"pagerduty"}, "address": {"too-short"}})
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("bad routing key: %d", resp.StatusCode)
	}
	mustContain(t, body, `value="too-short"`, "Address: must be a PagerDuty Events API v2 integration (routing) key")
	resp, body = ab.Post(t, "/account/contact-methods", url.Values{"kind": {"webhook"}, "label": {"bridge"}, "address": {"https://hooks.example.com/page"}})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("add webhook: %d", resp.StatusCode)
	}
	secret := regexp.MustCompile(`<code id="webhook-secret">([0-9a-f]{64})</code>`).FindStringSubmatch(body)
	if secret == nil {
		t.Fatalf("no secret shown:\n%s", body)
	}
	_, body = ab.Get(t, "/account/contact-methods")
	mustContain(t, body, "https://hooks.example.com/page", "bridge")
	if strings.Contains(body, secret[1]) {
		t.Fatal("the secret is shown twice")
	}

	// Customers do not get in.
	cb := env.Browser()
	cb.SignIn(t, cust.Email)
	for _, path := range []string{"/oncall", schedulePath, "/oncall/policies", "/account/contact-methods"} {
		if resp, _ := cb.Get(t, path); resp.StatusCode != http.StatusForbidden && resp.StatusCode != http.StatusNotFound {
			t.Errorf("customer GET %s: %d", path, resp.StatusCode)
		}
	}
	if resp, _ := b.Get(t, "/oncall/schedules/99999"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("missing schedule: %d", resp.StatusCode)
	}
}
