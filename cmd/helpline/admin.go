package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sort"
	"time"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/client"
	"github.com/helpline-dev/helpline/internal/account"
	"github.com/helpline-dev/helpline/internal/jobs"
	"github.com/helpline-dev/helpline/internal/ticket"
)

// admin runs operator commands directly on the database, as the CLI actor.
func admin(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, "usage: helpline admin create-org | create-user | create-token [flags]\n")
		return errUsage
	}
	switch args[0] {
	case "create-org", "create-user", "create-token", "seed-tickets":
	default:
		return fmt.Errorf("unknown admin command %q: use create-org, create-user, create-token or seed-tickets", args[0])
	}
	d, err := openMigrated(ctx, getenv, stderr)
	if err != nil {
		return err
	}
	defer d.Close()
	inserter, err := jobs.NewInserter(d, slog.New(slog.DiscardHandler))
	if err != nil {
		return err
	}
	accounts := account.NewService(d, inserter, account.Options{})
	actor := account.CLI()
	fs := newFlags("admin "+args[0], stderr)
	switch args[0] {
	case "create-org":
		name := fs.String("name", "", "organization name (required)")
		plan := fs.String("plan", "", "plan: free, standard, enterprise, premier or legacy_enterprise (required)")
		if err := fs.Parse(args[1:]); err != nil {
			return usageErr(err)
		}
		org, err := accounts.CreateOrganization(ctx, actor, account.OrgInput{Name: *name, Plan: account.Plan(*plan)})
		if err != nil {
			return explain(err)
		}
		fmt.Fprintf(stdout, "created organization %d %q on the %s plan\n", org.ID, org.Name, org.Plan)
	case "create-user":
		email := fs.String("email", "", "email address (required)")
		name := fs.String("name", "", "full name (required)")
		password := fs.String("password", "", "password, at least 10 characters (required)")
		orgName := fs.String("org", "", "organization name, for a customer")
		role := fs.String("role", "member", "role in the organization: member or owner")
		staff := fs.String("staff", "", "staff role instead of an organization: agent, csa or admin")
		if err := fs.Parse(args[1:]); err != nil {
			return usageErr(err)
		}
		in := account.UserInput{Email: *email, Name: *name, Password: *password, StaffRole: helpline.StaffRole(*staff)}
		switch {
		case *orgName != "" && *staff != "":
			return errors.New("give either --org (a customer) or --staff (a staff user), not both")
		case *orgName == "" && *staff == "":
			return errors.New("give --org NAME --role member|owner for a customer, or --staff agent|csa|admin")
		case *orgName != "":
			org, err := accounts.FindOrganizationByName(ctx, actor, *orgName)
			if helpline.KindOf(err) == helpline.KindNotFound {
				return fmt.Errorf("no organization named %q; create it with helpline admin create-org", *orgName)
			}
			if err != nil {
				return err
			}
			in.OrgID, in.OrgRole = org.ID, account.OrgRole(*role)
		}
		u, err := accounts.CreateUser(ctx, actor, in)
		if err != nil {
			return explain(err)
		}
		what := "staff " + string(u.StaffRole)
		if *orgName != "" {
			what = *role + " of " + *orgName
		}
		fmt.Fprintf(stdout, "created user %d %s (%s)\n", u.ID, u.Email, what)
	case "create-token":
		email := fs.String("email", "", "email of the user the token acts as (required)")
		name := fs.String("name", "created with helpline admin", "a name to recognise the token by")
		if err := fs.Parse(args[1:]); err != nil {
			return usageErr(err)
		}
		if *email == "" {
			return errors.New("--email is required")
		}
		u, err := accounts.FindUserByEmail(ctx, actor, *email)
		if helpline.KindOf(err) == helpline.KindNotFound {
			return fmt.Errorf("no user with email %q", *email)
		}
		if err != nil {
			return err
		}
		_, secret, err := accounts.CreateTokenFor(ctx, actor, u.ID, *name)
		if err != nil {
			return explain(err)
		}
		fmt.Fprintln(stdout, secret)
	case "seed-tickets":
		count := fs.Int("count", 1000, "how many synthetic tickets to add (for load tests and benchmarks)")
		if err := fs.Parse(args[1:]); err != nil {
			return usageErr(err)
		}
		if *count < 1 || *count > 10_000_000 {
			return errors.New("--count must be from 1 to 10000000")
		}
		tickets := ticket.NewService(d, accounts, nil, ticket.Options{})
		start := time.Now()
		err := tickets.SeedTickets(ctx, *count, uint64(start.UnixNano()), func(done int) {
			if done%100_000 == 0 || done == *count {
				fmt.Fprintf(stderr, "  %d / %d\n", done, *count)
			}
		})
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "added %d tickets in %s\n", *count, time.Since(start).Round(time.Second))
	}
	return nil
}

// explain turns validation errors into flag-named messages.
func explain(err error) error {
	var he *helpline.Error
	if !errors.As(err, &he) || len(he.Fields) == 0 {
		return err
	}
	flagOf := map[string]string{"organization_id": "org", "staff_role": "staff"}
	fields := make([]string, 0, len(he.Fields))
	for field := range he.Fields {
		fields = append(fields, field)
	}
	sort.Strings(fields)
	msg := "invalid input:"
	for _, field := range fields {
		f := field
		if alias, ok := flagOf[field]; ok {
			f = alias
		}
		msg += fmt.Sprintf("\n  --%s %s", f, he.Fields[field])
	}
	return errors.New(msg)
}

// whoami asks the server who the token belongs to.
func whoami(ctx context.Context, getenv func(string) string, stdout io.Writer) error {
	url, token := getenv("HELPLINE_URL"), getenv("HELPLINE_TOKEN")
	if url == "" {
		url = "http://localhost:8080"
	}
	if token == "" {
		return errors.New("set HELPLINE_TOKEN to an API token (create one under Account → API tokens, or with helpline admin create-token)")
	}
	me, err := client.New(url, token).Me(ctx)
	var apiErr *client.Error
	if err != nil && !errors.As(err, &apiErr) {
		return fmt.Errorf("%w (is a Helpline server running at HELPLINE_URL=%s?)", err, url)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s <%s>", me.User.Name, me.User.Email)
	if me.User.StaffRole != "" {
		fmt.Fprintf(stdout, " staff: %s", me.User.StaffRole)
	}
	fmt.Fprintln(stdout)
	for _, m := range me.Memberships {
		fmt.Fprintf(stdout, "  %s of %s (%s)\n", m.Role, m.Organization.Name, m.Organization.Plan)
	}
	return nil
}
