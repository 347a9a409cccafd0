package demo

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/internal/account"
	"github.com/helpline-dev/helpline/internal/csa"
	"github.com/helpline-dev/helpline/internal/docs"
	"github.com/helpline-dev/helpline/internal/search"
	"github.com/helpline-dev/helpline/internal/ticket"
)

// loadEnterprise fills the enterprise portal: articles the CSA team wrote,
// arranged in collections, and engagements in every state. Acme's spring
// launch is on the staff calendar with a meeting and its reminders; a
// performance analysis is in progress with deliverables; Globex waits for
// an owner; a request that read like an outage became a ticket; and a
// ticket support handed to the CSAs became an engagement.
func loadEnterprise(ctx context.Context, svc *csa.Service, d *docs.Service, accounts *account.Service, tickets *ticket.Service, now time.Time) error {
	as := func(email string) (*helpline.Actor, error) {
		u, err := accounts.FindUserByEmail(ctx, account.CLI(), email)
		if err != nil {
			return nil, fmt.Errorf("demo enterprise: %w", err)
		}
		return u.Actor("127.0.0.1"), nil
	}
	actors := map[string]*helpline.Actor{}
	for _, email := range []string{"csa@helpline.test", "agent@helpline.test", "owner@acme.test", "dev@acme.test", "hank@globex.test"} {
		a, err := as(email)
		if err != nil {
			return err
		}
		actors[email] = a
	}
	architect, agent := actors["csa@helpline.test"], actors["agent@helpline.test"]
	owner, dev, hank := actors["owner@acme.test"], actors["dev@acme.test"], actors["hank@globex.test"]

	if err := loadCollections(ctx, svc, d, architect); err != nil {
		return fmt.Errorf("demo collections: %w", err)
	}
	// Requests were made over the past weeks: replay each on a clock set
	// to its day.
	ago := func(days int) *csa.Service {
		t := now.AddDate(0, 0, -days)
		return svc.WithClock(func() time.Time { return t })
	}
	zone, _ := time.LoadLocation("America/New_York")

	// Acme's launch, twelve days ahead: scheduled, with a meeting and a
	// conversation.
	launchAt := now.AddDate(0, 0, 12).In(zone)
	launchAt = time.Date(launchAt.Year(), launchAt.Month(), launchAt.Day(), 9, 0, 0, 0, zone)
	launch, err := ago(9).RequestEngagement(ctx, owner, csa.Request{Kind: csa.KindEvent, Event: &csa.EventInput{
		Name: "Spring product launch", StartsAt: launchAt.Format("2006-01-02T15:04"), TimeZone: "America/New_York",
		PeakRPS: 6000, PeakConcurrentUsers: 45000, Apps: []string{"acme-api", "acme-web"},
		DynoFormation: "web=12:performance-l, worker=6:standard-2x", DatabasePlan: "heroku-postgresql:premium-0 with one follower",
		Concerns: "The launch is announced on TV at 9:00 Eastern. Last year the checkout queue backed up and the database connections ran out; " +
			"we want the connection pool, autoscaling limits and a load test plan reviewed before the day.",
	}})
	if err != nil {
		return fmt.Errorf("demo launch: %w", err)
	}
	steps := []func() error{
		func() error { _, err := ago(8).Assign(ctx, architect, launch.ID, architect.UserID); return err },
		func() error {
			_, err := ago(8).Comment(ctx, architect, launch.ID, csa.CommentInput{Body: "Thanks, Wile. I have booked a capacity review; please bring last year's peak numbers and your current pool settings."})
			return err
		},
		func() error {
			at := now.AddDate(0, 0, 2).In(zone)
			_, err := ago(8).AddMeeting(ctx, architect, launch.ID, csa.MeetingInput{Title: "Capacity review",
				StartsAt: time.Date(at.Year(), at.Month(), at.Day(), 11, 0, 0, 0, zone).Format("2006-01-02T15:04"), TimeZone: "America/New_York", DurationMinutes: 60})
			return err
		},
		func() error {
			_, err := ago(7).Comment(ctx, owner, launch.ID, csa.CommentInput{Body: "Great. Peak last year was 3,800 rps; the pool is 20 connections per dyno."})
			return err
		},
		func() error {
			_, err := ago(7).Comment(ctx, architect, launch.ID, csa.CommentInput{Internal: true,
				Body: "12 × 20 connections is over the premium-0 limit once workers connect too: suggest PgBouncer and a larger plan."})
			return err
		},
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return fmt.Errorf("demo launch: %w", err)
		}
	}

	// A performance analysis in progress, with a report and a file.
	perf, err := ago(20).RequestEngagement(ctx, dev, csa.Request{Kind: csa.KindPerformance, Performance: &csa.PerformanceInput{
		Apps:     []string{"acme-web"},
		Symptoms: "p95 response time of /search went from 300 ms to 800 ms over three weeks as the catalogue grew. Nothing fails; it is just slow.",
		Metrics:  "p50 120 ms, p95 820 ms, p99 1.9 s on /search; database time is 70% of request time; web dynos at 45% memory.",
		Since:    now.AddDate(0, 0, -41).Format("2006-01-02T15:04:05Z"),
	}})
	if err != nil {
		return fmt.Errorf("demo performance analysis: %w", err)
	}
	steps = []func() error{
		func() error { _, err := ago(19).Assign(ctx, architect, perf.ID, architect.UserID); return err },
		func() error {
			_, err := ago(18).AddMeeting(ctx, architect, perf.ID, csa.MeetingInput{Title: "Metrics walkthrough", StartsAt: now.AddDate(0, 0, -16).Format("2006-01-02") + "T15:00",
				TimeZone: "Europe/London", DurationMinutes: 45, Notes: "Looked at pg:outliers together: the search query does a sequential scan on `products`."})
			return err
		},
		func() error {
			_, err := ago(15).Transition(ctx, architect, perf.ID, csa.StateInProgress, "Analysing the query plans.")
			return err
		},
		// The report is Acme's own, so a file; an article is for every
		// enterprise customer.
		func() error {
			_, err := ago(4).AddFileDeliverable(ctx, architect, perf.ID, "Search latency review", "search-latency-review.md", "text/plain; charset=utf-8", strings.NewReader(searchReview))
			return err
		},
		func() error {
			_, err := ago(4).AddFileDeliverable(ctx, architect, perf.ID, "Index changes (SQL)", "search-indexes.sql", "text/plain; charset=utf-8", strings.NewReader(indexSQL))
			return err
		},
		func() error {
			_, err := ago(4).AddArticleDeliverable(ctx, architect, perf.ID, csa.DeliverableInput{ArticleSlug: "scaling-and-performance", Title: "Background: scaling and performance"})
			return err
		},
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return fmt.Errorf("demo performance analysis: %w", err)
		}
	}

	// Globex asks for an architecture review nobody has picked up yet.
	if _, err := ago(1).RequestEngagement(ctx, hank, csa.Request{Kind: csa.KindArchitecture, Architecture: &csa.ArchitectureInput{
		Goal:          "Run billing in two regions so a regional incident does not stop invoicing.",
		CurrentDesign: "One app in virginia: 8 web dynos, a Kafka consumer worker, heroku-postgresql premium-2 with a follower in the same region.",
		Constraints:   "PCI scope must not grow; invoices must never be issued twice; budget for at most 30% more spend.",
		Deadline:      now.AddDate(0, 2, 0).Format("2006-01-02"),
	}}); err != nil {
		return fmt.Errorf("demo architecture review: %w", err)
	}

	// A request that read like an outage: Acme's developer insisted it was
	// not one, and the architect moved it to Support.
	outage, err := ago(3).RequestEngagement(ctx, dev, csa.Request{Kind: csa.KindPerformance, NotBreakFix: true, Performance: &csa.PerformanceInput{
		Apps:     []string{"acme-api"},
		Symptoms: "Since this morning acme-api answers slowly and we see H12 timeouts on /checkout.",
		Metrics:  `at=error code=H12 desc="Request timeout" method=POST path="/checkout" dyno=web.2 service=30000ms status=503`,
		Since:    now.AddDate(0, 0, -3).Add(-4 * time.Hour).Format("2006-01-02T15:04:05Z"),
	}})
	if err != nil {
		return fmt.Errorf("demo break/fix request: %w", err)
	}
	if _, err := svc.ConvertToTicket(ctx, architect, outage.ID, csa.ToTicketInput{Priority: ticket.High,
		Note: "H12s on checkout are break/fix work: Support has it now and will reply on the ticket. The engagement stays here for the record."}); err != nil {
		return fmt.Errorf("demo conversion to a ticket: %w", err)
	}

	// And the other way: Globex asked Support a design question.
	q, err := tickets.CreateTicket(ctx, hank, ticket.NewTicket{Subject: "How many Kafka partitions for 10x growth?",
		Description: "Our invoice events topic has 8 partitions. We expect ten times the volume next year; how should we plan partitions and consumers?",
		Priority:    ticket.Low, Environment: ticket.Production, Category: "addons", App: "globex-billing"})
	if err != nil {
		return fmt.Errorf("demo design ticket: %w", err)
	}
	if _, err := svc.ConvertTicket(ctx, agent, q.ID, csa.FromTicketInput{Kind: csa.KindArchitecture,
		Note: "This is a capacity design question, which our solutions architects plan with enterprise customers. It continues as an engagement in your enterprise portal."}); err != nil {
		return fmt.Errorf("demo conversion from a ticket: %w", err)
	}
	return nil
}

// loadCollections writes the enterprise articles and arranges them, with
// shipped architecture articles, into collections.
func loadCollections(ctx context.Context, svc *csa.Service, d *docs.Service, architect *helpline.Actor) error {
	for _, a := range enterpriseArticles {
		if _, err := d.CreateArticle(ctx, architect, docs.ArticleInput{Title: a.title, Summary: a.summary, Body: a.body, Tags: a.tags,
			Section: docs.SectionEnterprise, Audience: search.AudienceEnterprise, Status: docs.StatusPublished}); err != nil {
			return fmt.Errorf("article %q: %w", a.title, err)
		}
	}
	for i, c := range []struct {
		title, description string
		items              []csa.ItemInput
	}{
		{"Preparing for a launch", "Start here four to six weeks before a launch, a sale or a broadcast.", []csa.ItemInput{
			{ArticleSlug: "preparing-for-a-launch", Note: "The checklist we walk through with you."},
			{ArticleSlug: "load-testing-before-a-peak", Note: "Test the production configuration, not staging."},
			{ArticleSlug: "connection-pooling-for-high-traffic"},
			{ArticleSlug: "scaling-and-performance"},
			{ArticleSlug: "zero-downtime-deploys-and-graceful-shutdown", Note: "Freeze or rehearse deploys on the day."},
		}},
		{"Designing for scale", "Architecture patterns our solutions architects recommend most often.", []csa.ItemInput{
			{ArticleSlug: "twelve-factor-app"},
			{ArticleSlug: "background-jobs-and-queues", Note: "Move slow work out of the request."},
			{ArticleSlug: "multi-region-architecture"},
		}},
	} {
		col, err := svc.CreateCollection(ctx, architect, csa.CollectionInput{Title: c.title, Description: c.description, Position: i})
		if err != nil {
			return err
		}
		for _, it := range c.items {
			if _, err := svc.AddItem(ctx, architect, col.ID, it); err != nil {
				return fmt.Errorf("%s: %w", it.ArticleSlug, err)
			}
		}
	}
	return nil
}

var enterpriseArticles = []struct {
	title, summary, body string
	tags                 []string
}{
	{"Load testing before a peak", "How to load test the production configuration safely, and what to measure.", `Load test the configuration you will run on the day: the same dyno types and counts, the same add-on plans, the same region.

## Plan

1. Write down the peak you expect in requests per second and the p95 response time you need at that peak.
2. Tell your solutions architect the window, so the test is not mistaken for an attack.
3. Ramp up in steps of 25% and hold each step for ten minutes.

## Watch

- Router ` + "`service`" + ` time and H12 counts per dyno.
- Database connections, CPU and the slowest queries (` + "`heroku pg:outliers`" + `).
- Memory per dyno: R14 means you are swapping.

Stop at the first step where p95 doubles: that is your real capacity.`, []string{"load testing", "capacity", "launch"}},
	{"Connection pooling for high traffic", "Size database connection pools so a scale-up does not exhaust the database.", `Every web process opens its own pool. Multiply before you scale:

| Dynos | Processes each | Pool size | Connections |
|---|---|---|---|
| 12 | 3 | 5 | 180 |

Keep the total under 80% of your plan's connection limit, counting workers and one-off dynos. Above that, run PgBouncer on the dynos in transaction mode and lower each pool.`, []string{"postgres", "connections", "pgbouncer"}},
	{"Multi-region architecture", "Patterns for running in two regions: active-passive, active-active reads, and what each costs.", `Start from what must survive a regional incident, not from the topology.

## Active-passive

A follower database in the second region and a stopped app there. Failover takes minutes and loses at most the replication lag.

## Active-active reads

Serve reads from both regions, write to one. Route writes by path; accept that a regional incident makes writes unavailable until failover.

Idempotency keys on every write make retries across regions safe.`, []string{"regions", "availability", "architecture"}},
}

const searchReview = `# Acme search latency review

## What we found

The search query filters ` + "`products`" + ` by category and sorts by popularity. Without an index on both, Postgres scans the whole table; it was fast while the catalogue was small.

## Recommendations

1. Add a composite index on ` + "`(category_id, popularity DESC)`" + ` (see the SQL deliverable). Expected p95: under 300 ms.
2. Cache the first page of each category for 60 seconds.
3. Move the facet counts to a background job.`

const indexSQL = `-- Run during low traffic; CONCURRENTLY avoids locking writes.
CREATE INDEX CONCURRENTLY products_category_popularity_idx ON products (category_id, popularity DESC);
ANALYZE products;
`
