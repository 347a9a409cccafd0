package demo

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/helpline-dev/helpline/internal/account"
	"github.com/helpline-dev/helpline/internal/status"
)

// demoComponents are the status page's groups and their components.
var demoComponents = []struct {
	group   string
	members []status.ComponentInput
}{
	{"Apps", []status.ComponentInput{
		{Name: "Common Runtime (US)", Description: "Dynos and the shared runtime in the US region.", Region: "us", Keywords: []string{"dyno", "dynos", "h10", "h12", "h13", "r14", "runtime"}},
		{Name: "Common Runtime (EU)", Description: "Dynos and the shared runtime in the EU region.", Region: "eu", Keywords: []string{"dyno", "dynos", "h10", "h12", "h13", "r14", "runtime"}},
		{Name: "Private Spaces", Description: "Network-isolated runtime for enterprise apps.", Keywords: []string{"private space", "private spaces", "vpn", "peering"}},
		{Name: "Router", Description: "HTTP routing to web dynos, custom domains and SSL.", Keywords: []string{"router", "routing", "ssl", "dns", "custom domain"}},
	}},
	{"Data", []status.ComponentInput{
		{Name: "Postgres (US)", Description: "Managed PostgreSQL in the US region.", Region: "us", Keywords: []string{"postgres", "postgresql", "database", "pg"}},
		{Name: "Postgres (EU)", Description: "Managed PostgreSQL in the EU region.", Region: "eu", Keywords: []string{"postgres", "postgresql", "database", "pg"}},
		{Name: "Redis", Description: "Managed Redis key-value store.", Keywords: []string{"redis", "cache"}},
		{Name: "Kafka", Description: "Managed Apache Kafka.", Keywords: []string{"kafka", "topic", "consumer"}},
	}},
	{"Tools", []status.ComponentInput{
		{Name: "Dashboard", Description: "The web dashboard.", Keywords: []string{"dashboard"}},
		{Name: "CLI", Description: "The command-line tool.", Keywords: []string{"cli", "command line"}},
		{Name: "API", Description: "The platform API the dashboard and CLI use.", Keywords: []string{"api", "platform api"}},
		{Name: "Git/Builds", Description: "git push deploys and the build system.", Keywords: []string{"git push", "build", "builds", "deploy", "buildpack", "slug"}},
	}},
}

// demoStep is one update of a past incident, some time after it opened.
type demoStep struct {
	after  time.Duration
	status status.IncidentStatus
	body   string
	set    map[string]status.ComponentStatus
}

// demoHistory is the last 90 days: incidents and a maintenance, each with
// its timeline, recorded at the times they happened.
var demoHistory = []struct {
	kind    status.Kind
	daysAgo int
	at      time.Duration // time of day, UTC
	name    string
	body    string
	set     map[string]status.ComponentStatus
	steps   []demoStep
}{
	{status.KindIncident, 83, 14 * time.Hour, "Delayed builds",
		"We are investigating reports of builds queueing for several minutes before they start.",
		map[string]status.ComponentStatus{"Git/Builds": status.DegradedPerformance},
		[]demoStep{
			{25 * time.Minute, status.Identified, "A build fleet scaling change reduced capacity. We are rolling it back.", nil},
			{70 * time.Minute, status.Monitoring, "Capacity is restored and the queue is draining.", map[string]status.ComponentStatus{"Git/Builds": status.Operational}},
			{2 * time.Hour, status.Resolved, "Builds start immediately again. Builds that were queued have completed.", nil},
		}},
	{status.KindIncident, 64, 9*time.Hour + 30*time.Minute, "Elevated H12 request timeouts in the US",
		"Some apps in the US region see elevated H12 (request timeout) errors. We are investigating.",
		map[string]status.ComponentStatus{"Common Runtime (US)": status.PartialOutage, "Router": status.DegradedPerformance},
		[]demoStep{
			{30 * time.Minute, status.Identified, "A router node was dropping connections under load. It has been removed from rotation.", map[string]status.ComponentStatus{"Router": status.Operational}},
			{60 * time.Minute, status.Monitoring, "Error rates are back to normal. We are monitoring.", map[string]status.ComponentStatus{"Common Runtime (US)": status.DegradedPerformance}},
			{100 * time.Minute, status.Resolved, "This incident has been resolved.", nil},
		}},
	{status.KindMaintenance, 52, 6 * time.Hour, "Postgres (EU) infrastructure maintenance",
		"We are upgrading the storage of Postgres (EU) databases. Each database fails over once, for under a minute.",
		map[string]status.ComponentStatus{"Postgres (EU)": status.UnderMaintenance},
		[]demoStep{
			{0, status.InProgress, "Scheduled maintenance is now in progress. We will provide updates as necessary.", nil},
			{90 * time.Minute, status.Verifying, "All databases have been upgraded. We are verifying replication.", nil},
			{2 * time.Hour, status.Completed, "The scheduled maintenance has been completed.", nil},
		}},
	{status.KindIncident, 41, 17 * time.Hour, "Postgres (US) connection errors",
		"Some Postgres databases in the US region refuse new connections. We are investigating.",
		map[string]status.ComponentStatus{"Postgres (US)": status.MajorOutage},
		[]demoStep{
			{15 * time.Minute, status.Identified, "A failed network switch isolated part of a database cluster. Traffic is being moved.", map[string]status.ComponentStatus{"Postgres (US)": status.PartialOutage}},
			{45 * time.Minute, status.Monitoring, "Connections succeed again. We are monitoring.", map[string]status.ComponentStatus{"Postgres (US)": status.Operational}},
			{90 * time.Minute, status.Resolved, "This incident has been resolved. A follow-up report will be posted.", nil},
			{3 * 24 * time.Hour, status.Postmortem, "**What happened:** a top-of-rack switch failed and its standby did not take over. **What we changed:** switch failover is now tested weekly.", nil},
		}},
	{status.KindIncident, 29, 11 * time.Hour, "Dashboard unavailable",
		"The dashboard returns errors for all users. The CLI and API are not affected.",
		map[string]status.ComponentStatus{"Dashboard": status.MajorOutage},
		[]demoStep{
			{20 * time.Minute, status.Identified, "A bad deploy of the dashboard. We are rolling back.", nil},
			{35 * time.Minute, status.Resolved, "The rollback is complete and the dashboard works again.", map[string]status.ComponentStatus{"Dashboard": status.Operational}},
		}},
	{status.KindIncident, 16, 3 * time.Hour, "Kafka consumer lag",
		"Some Kafka clusters show elevated consumer lag. Messages are delivered late but not lost.",
		map[string]status.ComponentStatus{"Kafka": status.DegradedPerformance},
		[]demoStep{
			{90 * time.Minute, status.Monitoring, "Broker disks were rebalanced; lag is falling.", nil},
			{3 * time.Hour, status.Resolved, "Consumer lag is back to normal on every cluster.", nil},
		}},
	{status.KindIncident, 8, 20 * time.Hour, "API errors",
		"Some API requests fail with 503 errors. The CLI and dashboard may show errors too.",
		map[string]status.ComponentStatus{"API": status.PartialOutage, "CLI": status.DegradedPerformance, "Dashboard": status.DegradedPerformance},
		[]demoStep{
			{30 * time.Minute, status.Identified, "An overloaded database behind the API. We are adding capacity.", nil},
			{65 * time.Minute, status.Resolved, "The API is healthy again.", nil},
		}},
	{status.KindIncident, 3, 12 * time.Hour, "Redis connection resets",
		"Some Redis instances reset client connections during a routine failover.",
		map[string]status.ComponentStatus{"Redis": status.PartialOutage},
		[]demoStep{
			{40 * time.Minute, status.Resolved, "Failover completed; connections are stable.", nil},
		}},
}

// loadStatus sets up the status page: components with 90 days of history,
// resolved incidents and a maintenance with their timelines, an active
// incident and upcoming maintenance. History is recorded through the
// service's own rules with its clock set back to when it happened.
func loadStatus(ctx context.Context, s *status.Service, accounts *account.Service) error {
	admin, err := accounts.FindUserByEmail(ctx, account.CLI(), "admin@helpline.test")
	if err != nil {
		return fmt.Errorf("demo status: %w", err)
	}
	agent, err := accounts.FindUserByEmail(ctx, account.CLI(), "agent@helpline.test")
	if err != nil {
		return fmt.Errorf("demo status: %w", err)
	}
	adminActor, agentActor := admin.Actor("127.0.0.1"), agent.Actor("127.0.0.1")

	now := time.Now().UTC().Truncate(time.Minute)
	var at time.Time
	back := s.Backdated(func() time.Time { return at })
	today := now.Truncate(24 * time.Hour)

	at = today.AddDate(0, 0, -92)
	ids := map[string]int64{}
	for _, g := range demoComponents {
		group, err := back.CreateComponent(ctx, adminActor, status.ComponentInput{Name: g.group, Group: true})
		if err != nil {
			return fmt.Errorf("demo status group %s: %w", g.group, err)
		}
		for _, in := range g.members {
			in.GroupID = group.ID
			c, err := back.CreateComponent(ctx, adminActor, in)
			if err != nil {
				return fmt.Errorf("demo status component %s: %w", in.Name, err)
			}
			ids[in.Name] = c.ID
		}
	}
	changes := func(set map[string]status.ComponentStatus) []status.ComponentChange {
		var out []status.ComponentChange
		for name, st := range set {
			out = append(out, status.ComponentChange{ComponentID: ids[name], Status: st})
		}
		sort.Slice(out, func(i, j int) bool { return out[i].ComponentID < out[j].ComponentID })
		return out
	}

	for _, h := range demoHistory {
		start := today.AddDate(0, 0, -h.daysAgo).Add(h.at)
		in := status.IncidentInput{Kind: h.kind, Name: h.name, Body: h.body, Components: changes(h.set)}
		if h.kind == status.KindMaintenance {
			// Scheduled a week ahead, as maintenance is announced.
			at = start.AddDate(0, 0, -7)
			end := start.Add(3 * time.Hour)
			in.ScheduledFor, in.ScheduledUntil = &start, &end
		} else {
			at = start
		}
		inc, err := back.CreateIncident(ctx, agentActor, in)
		if err != nil {
			return fmt.Errorf("demo incident %s: %w", h.name, err)
		}
		for _, step := range h.steps {
			at = start.Add(step.after)
			if _, err := back.PostUpdate(ctx, agentActor, inc.ID, status.UpdateInput{Status: step.status, Body: step.body, Components: changes(step.set)}); err != nil {
				return fmt.Errorf("demo incident %s, %s: %w", h.name, step.status, err)
			}
		}
	}

	// The incident under way: elevated H12s in the EU, cause identified.
	at = now.Add(-50 * time.Minute)
	inc, err := back.CreateIncident(ctx, agentActor, status.IncidentInput{
		Name:   "Elevated H12 errors in the EU",
		Body:   "Some apps in the EU region see elevated H12 (request timeout) errors and slow Postgres queries. We are investigating.",
		Notify: true,
		Components: []status.ComponentChange{
			{ComponentID: ids["Common Runtime (EU)"], Status: status.PartialOutage},
			{ComponentID: ids["Postgres (EU)"], Status: status.DegradedPerformance},
		},
	})
	if err != nil {
		return fmt.Errorf("demo active incident: %w", err)
	}
	at = now.Add(-20 * time.Minute)
	if _, err := back.PostUpdate(ctx, agentActor, inc.ID, status.UpdateInput{
		Status: status.Identified, Notify: true,
		Body: "A storage node serving Postgres (EU) is slow, which makes queries wait and requests time out. We are moving the affected databases.",
		Components: []status.ComponentChange{
			{ComponentID: ids["Common Runtime (EU)"], Status: status.DegradedPerformance},
		},
	}); err != nil {
		return fmt.Errorf("demo active incident update: %w", err)
	}

	// Upcoming maintenance, started and completed on time by the job.
	from := today.AddDate(0, 0, 3).Add(6 * time.Hour)
	until := from.Add(2 * time.Hour)
	if _, err := s.CreateIncident(ctx, agentActor, status.IncidentInput{
		Kind: status.KindMaintenance, Name: "Postgres (US) version upgrades", AutoTransition: true,
		Body:         "We will upgrade Postgres (US) databases to the latest minor version. Each database restarts once, for about a minute.",
		ScheduledFor: &from, ScheduledUntil: &until,
		Components: []status.ComponentChange{{ComponentID: ids["Postgres (US)"], Status: status.UnderMaintenance}},
	}); err != nil {
		return fmt.Errorf("demo upcoming maintenance: %w", err)
	}
	return nil
}
