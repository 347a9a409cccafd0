// Package config reads Helpline's configuration from environment variables,
// validated once at start-up.
package config

import (
	"errors"
	"fmt"
	"net/mail"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/helpline-dev/helpline/internal/db"
)

// Config is the validated configuration of a Helpline process.
type Config struct {
	Port        int
	DataDir     string
	DatabaseURL string // postgres://… or sqlite:PATH (derived from DataDir)
	BaseURL     string // public URL used in links in emails and on the console
	SMTPURL     string // empty: emails are logged instead of sent
	MailFrom    string
	// ReplyAddress receives replies: notifications say support+<token>@…
	ReplyAddress string
	SMTPListen   string // address of the inbound SMTP listener; empty: off
	IMAPURL      string // a hosted mailbox to poll for replies; empty: off
	IMAPInterval time.Duration
	Demo         bool
	Production   bool   // JSON logs, Secure cookies
	LogLevel     string // debug, info, warn, error
	MaxBodyBytes int64
	// MaxAttachmentBytes bounds one uploaded file.
	MaxAttachmentBytes int64
	SessionTTL         time.Duration
	TrustProxy         bool // take the client IP from X-Forwarded-For
	// PagerDutyURL is where PagerDuty contact methods send Events API v2
	// messages.
	PagerDutyURL string
}

// Var documents one environment variable; the README's table is built from
// the same facts, and a test keeps them in step.
type Var struct {
	Name, Default, Doc string
}

// Vars lists every variable Load reads.
var Vars = []Var{
	{"PORT", "8080", "TCP port the HTTP server listens on."},
	{"HELPLINE_DATA_DIR", "./helpline-data", "Directory for the embedded SQLite database and uploaded files."},
	{"DATABASE_URL", "(SQLite in the data directory)", "`postgres://user:pass@host:5432/db` to run on PostgreSQL; `sqlite:PATH` for another SQLite file."},
	{"HELPLINE_BASE_URL", "http://localhost:$PORT", "Public URL of this instance, used in emailed links."},
	{"HELPLINE_SMTP_URL", "(none: emails are logged)", "Outgoing mail server: `smtp://user:pass@host:587` (STARTTLS when offered) or `smtps://…:465`."},
	{"HELPLINE_MAIL_FROM", "Helpline <helpline@localhost>", "From address of outgoing email."},
	{"HELPLINE_REPLY_ADDRESS", "the From address", "Address replies go to; notifications use plus-addressing on it (support+<token>@…), so its mailbox must deliver those to Helpline."},
	{"HELPLINE_SMTP_LISTEN", "(off)", "Address of the built-in inbound SMTP listener, e.g. `:2525`; point the MX (or a forwarding rule) for the reply address at it."},
	{"HELPLINE_IMAP_URL", "(off)", "Instead of the listener: a mailbox to poll for replies, `imaps://user:pass@imap.example.com/INBOX` (`imap://` uses STARTTLS)."},
	{"HELPLINE_IMAP_INTERVAL", "1m", "How often the mailbox is read (Go duration)."},
	{"HELPLINE_PAGERDUTY_URL", "https://events.pagerduty.com/v2/enqueue", "Where PagerDuty contact methods send Events API v2 messages (a proxy or a regional endpoint)."},
	{"HELPLINE_DEMO", "0", "`1` loads demo organizations, users and content into an empty database."},
	{"HELPLINE_ENV", "development", "`production` switches to JSON logs and Secure cookies."},
	{"HELPLINE_LOG_LEVEL", "info", "`debug`, `info`, `warn` or `error`."},
	{"HELPLINE_MAX_BODY_BYTES", "1048576", "Largest request body the API and forms accept."},
	{"HELPLINE_MAX_ATTACHMENT_BYTES", "10485760", "Largest file that can be attached to a ticket."},
	{"HELPLINE_SESSION_TTL", "720h", "How long a web sign-in lasts (Go duration)."},
	{"HELPLINE_TRUST_PROXY", "0", "`1` takes the client address from X-Forwarded-For (behind a load balancer)."},
}

// Load reads and validates the configuration. Secrets may come from a file
// named by NAME_FILE (DATABASE_URL_FILE, HELPLINE_SMTP_URL_FILE).
func Load(getenv func(string) string) (Config, error) {
	var errs []error
	get := func(name string) string {
		if v := getenv(name); v != "" {
			return v
		}
		if f := getenv(name + "_FILE"); f != "" {
			b, err := os.ReadFile(f)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s_FILE: %w", name, err))
				return ""
			}
			return strings.TrimSpace(string(b))
		}
		return ""
	}
	c := Config{
		Port:               8080,
		DataDir:            "./helpline-data",
		MailFrom:           "Helpline <helpline@localhost>",
		LogLevel:           "info",
		MaxBodyBytes:       1 << 20,
		MaxAttachmentBytes: 10 << 20,
		SessionTTL:         30 * 24 * time.Hour,
	}
	if v := get("PORT"); v != "" {
		p, err := strconv.Atoi(v)
		if err != nil || p < 0 || p > 65535 {
			errs = append(errs, fmt.Errorf("PORT=%q: must be a port number from 0 to 65535", v))
		}
		c.Port = p
	}
	if v := get("HELPLINE_DATA_DIR"); v != "" {
		c.DataDir = v
	}
	c.DatabaseURL = get("DATABASE_URL")
	if c.DatabaseURL == "" {
		c.DatabaseURL = db.SQLiteURL(c.DataDir)
	} else if !strings.HasPrefix(c.DatabaseURL, "postgres://") && !strings.HasPrefix(c.DatabaseURL, "postgresql://") && !strings.HasPrefix(c.DatabaseURL, "sqlite:") {
		errs = append(errs, errors.New("DATABASE_URL: must start with postgres://, postgresql:// or sqlite:PATH"))
	}
	c.BaseURL = strings.TrimSuffix(get("HELPLINE_BASE_URL"), "/")
	if c.BaseURL == "" {
		c.BaseURL = fmt.Sprintf("http://localhost:%d", c.Port)
	} else if u, err := url.Parse(c.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		errs = append(errs, fmt.Errorf("HELPLINE_BASE_URL=%q: must be an http(s) URL such as https://help.example.com", c.BaseURL))
	}
	c.PagerDutyURL = get("HELPLINE_PAGERDUTY_URL")
	if c.PagerDutyURL == "" {
		c.PagerDutyURL = "https://events.pagerduty.com/v2/enqueue"
	} else if u, err := url.Parse(c.PagerDutyURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		errs = append(errs, fmt.Errorf("HELPLINE_PAGERDUTY_URL=%q: must be an http(s) URL such as https://events.pagerduty.com/v2/enqueue", c.PagerDutyURL))
	}
	c.SMTPURL = get("HELPLINE_SMTP_URL")
	if c.SMTPURL != "" {
		if u, err := url.Parse(c.SMTPURL); err != nil || (u.Scheme != "smtp" && u.Scheme != "smtps") || u.Host == "" {
			errs = append(errs, errors.New("HELPLINE_SMTP_URL: must look like smtp://user:pass@host:587 or smtps://user:pass@host:465"))
		}
	}
	if v := get("HELPLINE_MAIL_FROM"); v != "" {
		c.MailFrom = v
	}
	c.ReplyAddress = get("HELPLINE_REPLY_ADDRESS")
	if c.ReplyAddress == "" {
		if a, err := mail.ParseAddress(c.MailFrom); err == nil {
			c.ReplyAddress = a.Address
		} else {
			errs = append(errs, fmt.Errorf("HELPLINE_MAIL_FROM=%q: must be an address like Helpline <support@example.com>", c.MailFrom))
		}
	} else if a, err := mail.ParseAddress(c.ReplyAddress); err != nil || a.Address != c.ReplyAddress {
		errs = append(errs, fmt.Errorf("HELPLINE_REPLY_ADDRESS=%q: must be a plain address like support@help.example.com", c.ReplyAddress))
	}
	c.SMTPListen = get("HELPLINE_SMTP_LISTEN")
	c.IMAPURL = get("HELPLINE_IMAP_URL")
	if c.IMAPURL != "" {
		if u, err := url.Parse(c.IMAPURL); err != nil || (u.Scheme != "imap" && u.Scheme != "imaps") || u.Hostname() == "" || u.User == nil {
			errs = append(errs, errors.New("HELPLINE_IMAP_URL: must look like imaps://user:password@imap.example.com/INBOX"))
		}
	}
	c.IMAPInterval = time.Minute
	if v := get("HELPLINE_IMAP_INTERVAL"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < 10*time.Second {
			errs = append(errs, fmt.Errorf("HELPLINE_IMAP_INTERVAL=%q: must be a duration of at least 10s, e.g. 1m", v))
		}
		c.IMAPInterval = d
	}
	c.Demo = parseBool(get("HELPLINE_DEMO"), "HELPLINE_DEMO", &errs)
	switch env := get("HELPLINE_ENV"); env {
	case "", "development":
	case "production":
		c.Production = true
	default:
		errs = append(errs, fmt.Errorf("HELPLINE_ENV=%q: must be development or production", env))
	}
	if v := get("HELPLINE_LOG_LEVEL"); v != "" {
		switch v {
		case "debug", "info", "warn", "error":
			c.LogLevel = v
		default:
			errs = append(errs, fmt.Errorf("HELPLINE_LOG_LEVEL=%q: must be debug, info, warn or error", v))
		}
	}
	if v := get("HELPLINE_MAX_BODY_BYTES"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 1024 {
			errs = append(errs, fmt.Errorf("HELPLINE_MAX_BODY_BYTES=%q: must be a number of bytes, at least 1024", v))
		}
		c.MaxBodyBytes = n
	}
	if v := get("HELPLINE_MAX_ATTACHMENT_BYTES"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 1024 {
			errs = append(errs, fmt.Errorf("HELPLINE_MAX_ATTACHMENT_BYTES=%q: must be a number of bytes, at least 1024", v))
		}
		c.MaxAttachmentBytes = n
	}
	if v := get("HELPLINE_SESSION_TTL"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < time.Minute {
			errs = append(errs, fmt.Errorf("HELPLINE_SESSION_TTL=%q: must be a duration of at least 1m, e.g. 720h", v))
		}
		c.SessionTTL = d
	}
	c.TrustProxy = parseBool(get("HELPLINE_TRUST_PROXY"), "HELPLINE_TRUST_PROXY", &errs)
	return c, errors.Join(errs...)
}

func parseBool(v, name string, errs *[]error) bool {
	switch strings.ToLower(v) {
	case "", "0", "false", "no":
		return false
	case "1", "true", "yes":
		return true
	}
	*errs = append(*errs, fmt.Errorf("%s=%q: must be 1 or 0", name, v))
	return false
}
