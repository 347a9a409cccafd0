package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/helpline-dev/helpline/internal/account"
	"github.com/helpline-dev/helpline/internal/app"
	"github.com/helpline-dev/helpline/internal/db"
	"github.com/helpline-dev/helpline/internal/demo"
	"github.com/helpline-dev/helpline/internal/mailin"
)

func serve(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlags("serve", stderr)
	demoFlag := fs.Bool("demo", false, "load demo organizations, users and content into an empty database")
	if err := fs.Parse(args); err != nil {
		return usageErr(err)
	}
	cfg, logger, err := loadConfig(getenv, stderr)
	if err != nil {
		return err
	}
	cfg.Demo = cfg.Demo || *demoFlag

	ln, err := net.Listen("tcp", ":"+strconv.Itoa(cfg.Port))
	if err != nil {
		return fmt.Errorf("listen on port %d: %w (set PORT to another port)", cfg.Port, err)
	}
	// With PORT=0 the system picks the port; links in emails need the real one.
	if cfg.BaseURL == fmt.Sprintf("http://localhost:%d", cfg.Port) {
		cfg.BaseURL = fmt.Sprintf("http://localhost:%d", ln.Addr().(*net.TCPAddr).Port)
	}
	a, err := app.New(ctx, cfg, logger, app.Options{})
	if err != nil {
		ln.Close()
		return err
	}
	if err := greet(ctx, a, stdout); err != nil {
		ln.Close()
		a.Close()
		return err
	}
	// Jobs get a context of their own: cancelling the start context would
	// cut running jobs off, and shutdown below stops them gracefully instead.
	if err := a.Start(context.WithoutCancel(ctx)); err != nil {
		ln.Close()
		a.Close()
		return fmt.Errorf("start jobs: %w", err)
	}
	srv := &http.Server{
		Handler:           a.Handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      120 * time.Second,
		IdleTimeout:       120 * time.Second,
	}
	errc := make(chan error, 2)
	go func() { errc <- srv.Serve(ln) }()
	if cfg.SMTPListen != "" {
		smtpLn, err := net.Listen("tcp", cfg.SMTPListen)
		if err != nil {
			srv.Close()
			a.Stop(context.Background()) //nolint:errcheck
			return fmt.Errorf("inbound SMTP on %s: %w (set HELPLINE_SMTP_LISTEN to a free address)", cfg.SMTPListen, err)
		}
		inbound := mailin.NewListener(a.Inbox, logger)
		defer inbound.Close()
		go func() { errc <- inbound.Serve(smtpLn) }()
		fmt.Fprintf(stdout, "Receiving replies for %s by SMTP on %s\n", cfg.ReplyAddress, smtpLn.Addr())
	}

	select {
	case err := <-errc:
		a.Stop(context.Background()) //nolint:errcheck
		return err
	case <-ctx.Done():
	}
	// Stop taking connections, let requests in flight finish, then let
	// running jobs finish; whatever was acknowledged is already committed.
	logger.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	httpErr := srv.Shutdown(shutdownCtx)
	jobsErr := a.Stop(shutdownCtx)
	logger.Info("stopped")
	return errors.Join(httpErr, jobsErr)
}

// greet prints where the server is and how to get in: demo credentials, or a
// one-time setup link on an empty database.
func greet(ctx context.Context, a *app.App, stdout io.Writer) error {
	base := a.Config.BaseURL
	users, err := a.Accounts.CountUsers(ctx)
	if err != nil {
		return err
	}
	where := "PostgreSQL"
	if a.DB.Dialect == db.SQLite {
		where = "SQLite (" + a.DB.URL + ")"
	}
	fmt.Fprintf(stdout, "Helpline %s is running at %s on %s\n", buildVersion(), base, where)
	switch {
	case users == 0 && a.Config.Demo:
		logins, err := demo.Load(ctx, demo.Services{Accounts: a.Accounts, Tickets: a.Tickets, Inbox: a.Inbox, Oncall: a.Oncall, SLA: a.SLA, Docs: a.Docs, Status: a.Status, Drains: a.Drains, CSA: a.CSA})
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "\nDemo data loaded. Sign in at %s/signin with any of these (password %q):\n", base, demo.Password)
		for _, l := range logins {
			fmt.Fprintf(stdout, "  %-24s %s\n", l.Email, l.Role)
		}
	case users == 0:
		secret, err := a.Accounts.NewSetupToken(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "\nNo users yet. Create the first admin here (the link works once):\n  %s/setup?token=%s\n", base, secret)
		fmt.Fprintln(stdout, "or from the command line: helpline admin create-user --staff admin --email … --name … --password …")
	case a.Config.Demo:
		if _, err := a.Accounts.FindUserByEmail(ctx, account.CLI(), demo.Logins[0]); err == nil {
			fmt.Fprintf(stdout, "Demo data is loaded: sign in at %s/signin as %s (password %q).\n", base, demo.Logins[0], demo.Password)
		} else {
			fmt.Fprintln(stdout, "Demo data was not loaded: it loads only into an empty database, and this one has users.")
		}
	}
	return nil
}

func migrate(ctx context.Context, getenv func(string) string, stdout, stderr io.Writer) error {
	d, err := openMigrated(ctx, getenv, stderr)
	if err != nil {
		return err
	}
	defer d.Close()
	fmt.Fprintf(stdout, "database migrated (%s)\n", d.Dialect)
	return nil
}

// openMigrated opens the configured database and migrates it.
func openMigrated(ctx context.Context, getenv func(string) string, stderr io.Writer) (*db.DB, error) {
	cfg, _, err := loadConfig(getenv, stderr)
	if err != nil {
		return nil, err
	}
	d, err := db.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return nil, err
	}
	if err := d.Migrate(ctx); err != nil {
		d.Close()
		return nil, err
	}
	return d, nil
}
