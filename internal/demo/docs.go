package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/internal/account"
	"github.com/helpline-dev/helpline/internal/docs"
	"github.com/helpline-dev/helpline/internal/search"
	"github.com/helpline-dev/helpline/internal/ticket"
)

// loadDocs adds what the shipped content lacks for a newcomer to click
// through: changelog entries, blog posts, an enterprise article, a draft
// with revisions, ratings and deflection. Without a docs service (tests
// that load only the ticket demo) it does nothing.
func loadDocs(ctx context.Context, d *docs.Service, accounts *account.Service, tickets *ticket.Service) error {
	if d == nil {
		return nil
	}
	as := func(email string) (*helpline.Actor, error) {
		u, err := accounts.FindUserByEmail(ctx, account.CLI(), email)
		if err != nil {
			return nil, fmt.Errorf("demo docs: %w", err)
		}
		return u.Actor("127.0.0.1"), nil
	}
	actors := map[string]*helpline.Actor{}
	for _, email := range []string{"admin@helpline.test", "agent@helpline.test", "csa@helpline.test",
		"peter@initech.test", "hobbyist@example.test", "owner@acme.test"} {
		a, err := as(email)
		if err != nil {
			return err
		}
		actors[email] = a
	}
	admin, agent, csa := actors["admin@helpline.test"], actors["agent@helpline.test"], actors["csa@helpline.test"]
	steps := []struct {
		what string
		do   func() error
	}{
		{"changelog", func() error { return loadPosts(ctx, d, admin) }},
		{"enterprise article", func() error {
			_, err := d.CreateArticle(ctx, csa, docs.ArticleInput{
				Title: "Preparing for a launch", Section: docs.SectionEnterprise, Audience: search.AudienceEnterprise, Status: docs.StatusPublished,
				Summary: "A checklist our solutions architects walk through with enterprise customers before a launch or a seasonal peak.",
				Tags:    []string{"launch", "capacity", "load testing", "enterprise"},
				Body:    launchBody,
			})
			return err
		}},
		{"draft article", func() error { return loadDraft(ctx, d, agent) }},
		{"ratings", func() error { return loadRatings(ctx, d, actors) }},
		{"deflection", func() error {
			return loadDeflection(ctx, d, tickets, actors["peter@initech.test"], actors["hobbyist@example.test"])
		}},
	}
	for _, s := range steps {
		if err := s.do(); err != nil {
			return fmt.Errorf("demo docs, %s: %w", s.what, err)
		}
	}
	return nil
}

// loadPosts publishes changelog entries over the last months and a few
// blog posts.
func loadPosts(ctx context.Context, d *docs.Service, admin *helpline.Actor) error {
	now := time.Now().UTC()
	days := func(n int) *time.Time { t := now.AddDate(0, 0, -n); return &t }
	for _, p := range []struct {
		kind docs.PostKind
		in   docs.PostInput
	}{
		{docs.PostChangelog, docs.PostInput{Title: "Router logs name the dyno that timed out", Category: "improvement", PublishedAt: days(3),
			Summary: "H12 and H13 log lines now carry the dyno and the time it spent on the request.",
			Body:    "Router error lines for **H12 Request timeout** and **H13 Connection closed without response** now include `dyno=` and `service=`, so you can tell one slow dyno from a slow app.\n\nSee the [H12 reference](/docs/error-codes#h12-request-timeout) for what to do next."}},
		{docs.PostChangelog, docs.PostInput{Title: "Deploys fail early when the slug is too large", Category: "fix", PublishedAt: days(17),
			Summary: "A build whose slug exceeds the limit now fails before release instead of at boot.",
			Body:    "Builds used to release an oversized slug that then failed to boot with R10. The build now stops with a clear message and the size of the largest directories."}},
		{docs.PostChangelog, docs.PostInput{Title: "Security: TLS 1.0 and 1.1 are no longer accepted", Category: "security", PublishedAt: days(38),
			Body: "All custom domains and `*.herokuapp.com` endpoints now require TLS 1.2 or later. Clients older than 2014 may fail to connect; update their TLS libraries."}},
		{docs.PostChangelog, docs.PostInput{Title: "The heroku-20 stack is deprecated", Category: "deprecation", PublishedAt: days(64),
			Summary: "Move your apps to heroku-24 before the end of support.",
			Body:    "The heroku-20 stack reaches end of life in six months. Apps on it keep running but receive no security updates. Run `heroku stack:set heroku-24` and deploy to upgrade."}},
		{docs.PostChangelog, docs.PostInput{Title: "New: log drains with structured JSON", Category: "new", PublishedAt: days(92),
			Body: "Log drains can now send each line as a JSON object with the source, dyno and timestamp as fields. Choose the format when you add the drain."}},
		{docs.PostBlog, docs.PostInput{Title: "How we answer tickets faster by writing fewer of them", PublishedAt: days(10),
			Summary: "Most questions have been asked before: the help center now suggests articles while you type a ticket.",
			Body:    "When you start a ticket, Helpline searches the Dev Center and the knowledge base for what you are typing and shows the five best answers. We count which articles people open and whether they still need to write to us, and we improve the articles that do not help."}},
		{docs.PostBlog, docs.PostInput{Title: "Twelve-factor apps, ten years on", PublishedAt: days(45),
			Body: "The twelve-factor methodology still describes the apps that run best on the platform: config in the environment, stateless processes, logs as event streams. Here is what we would add today."}},
	} {
		p.in.Status, p.in.Audience = docs.StatusPublished, search.AudiencePublic
		if _, err := d.CreatePost(ctx, admin, p.kind, p.in); err != nil {
			return fmt.Errorf("%s: %w", p.in.Title, err)
		}
	}
	return nil
}

// loadDraft writes a knowledge-base draft in three revisions.
func loadDraft(ctx context.Context, d *docs.Service, agent *helpline.Actor) error {
	in := docs.ArticleInput{
		Title: "Why is my worker dyno idle?", Section: docs.SectionKnowledgeBase, Audience: search.AudienceCustomers, Status: docs.StatusDraft,
		Tags: []string{"worker", "dynos"},
		Body: "If your worker dyno shows as up but processes no jobs, check that it is scaled:\n\n```\nheroku ps -a your-app\n```\n",
	}
	a, err := d.CreateArticle(ctx, agent, in)
	if err != nil {
		return err
	}
	in.Summary = "A worker that is up but does nothing is usually not scaled, or listens to the wrong queue."
	in.Body += "\nThen check that the worker reads the same queue the web process writes to: compare `REDIS_URL` on both.\n"
	in.Note, in.BaseRevision = "Add the queue check", a.Revision
	a, err = d.UpdateArticle(ctx, agent, a.Slug, in)
	if err != nil {
		return err
	}
	in.Body += "\nFinally, look for `R14` or `R15` in the logs: a worker swapping memory can look idle.\n"
	in.Note, in.BaseRevision = "Mention memory errors", a.Revision
	_, err = d.UpdateArticle(ctx, agent, a.Slug, in)
	return err
}

// loadRatings rates two shipped error-code entries, if they are there.
func loadRatings(ctx context.Context, d *docs.Service, actors map[string]*helpline.Actor) error {
	yes, no := true, false
	for _, r := range []struct {
		code, email string
		helpful     *bool
		comment     string
	}{
		{"H12", "peter@initech.test", &yes, "The part about moving slow work to a background job solved it for us."},
		{"H12", "owner@acme.test", &no, "We only see H12 on one dyno; the article does not say what to do about that."},
		{"H12", "hobbyist@example.test", &yes, ""},
		{"R14", "hobbyist@example.test", &no, "I still don't know how to find what uses the memory in my Node app."},
		{"R14", "peter@initech.test", &yes, ""},
	} {
		a, err := d.FindArticleByErrorCode(ctx, actors[r.email], r.code)
		if helpline.KindOf(err) == helpline.KindNotFound {
			continue // the shipped content may not have it
		}
		if err != nil {
			return err
		}
		if _, err := d.RateArticle(ctx, actors[r.email], a.Slug, docs.RatingInput{Helpful: r.helpful, Comment: r.comment}); err != nil {
			return err
		}
	}
	return nil
}

// loadDeflection plays two customers writing tickets: Peter reads the H12
// entry and gives up on his ticket; the hobbyist reads about R14 and opens
// a ticket anyway (when the ticket service is there to take it).
func loadDeflection(ctx context.Context, d *docs.Service, tickets *ticket.Service, peter, hobbyist *helpline.Actor) error {
	session := func(actor *helpline.Actor, text, code string) (string, error) {
		token, err := d.StartDeflection(ctx, actor)
		if err != nil {
			return "", err
		}
		if _, err := d.Suggest(ctx, actor, text, token); err != nil {
			return "", err
		}
		a, err := d.FindArticleByErrorCode(ctx, actor, code)
		if helpline.KindOf(err) == helpline.KindNotFound {
			return token, nil
		}
		if err != nil {
			return "", err
		}
		return token, d.RecordOpened(ctx, actor, token, a.ID)
	}
	if _, err := session(peter, "Requests to /reports time out after 30 seconds with H12", "H12"); err != nil {
		return err
	}
	token, err := session(hobbyist, "Worker keeps restarting, logs say R14 memory quota exceeded", "R14")
	if err != nil || tickets == nil {
		return err
	}
	t, err := tickets.CreateTicket(ctx, hobbyist, ticket.NewTicket{
		Subject: "Worker keeps restarting with R14", Priority: ticket.Normal, App: "weekend-project", Environment: ticket.Production, Category: "runtime",
		Description: "My worker logs `Error R14 (Memory quota exceeded)` every few hours and then restarts. I read the R14 article but I cannot tell what uses the memory.",
	})
	if err != nil {
		return err
	}
	return d.CompleteDeflection(ctx, hobbyist, token, t.ID)
}

const launchBody = `Launches and seasonal peaks are where architecture meets reality. Walk through this list with your solutions architect four to six weeks before the date.

## Capacity

- Load test the production configuration, not staging: same dyno types, same add-on plans.
- Know your peak in requests per minute and the p95 response time you need at that peak.
- Scale dynos ahead of time; autoscaling reacts in minutes, a launch spikes in seconds.

## Database

- Check the connection limit of your database plan against ` + "`dynos × WEB_CONCURRENCY × pool size`" + `.
- Add a follower for read-heavy traffic and reports.
- Confirm backups and a tested restore.

## Failure modes

- Set request timeouts below the router's 30 seconds so slow requests fail fast instead of queueing (see H12).
- Make third-party calls time out and degrade gracefully.
- Decide who is on call, and open a low-priority ticket with the launch date so support knows.
`
