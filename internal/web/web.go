// Package web serves Helpline's HTML: the public help center, the customer
// area and the staff console, rendered on the server with html/template.
package web

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/internal/account"
	"github.com/helpline-dev/helpline/internal/csa"
	"github.com/helpline-dev/helpline/internal/docs"
	"github.com/helpline-dev/helpline/internal/drain"
	"github.com/helpline-dev/helpline/internal/mailin"
	"github.com/helpline-dev/helpline/internal/markdown"
	"github.com/helpline-dev/helpline/internal/notify"
	"github.com/helpline-dev/helpline/internal/oncall"
	"github.com/helpline-dev/helpline/internal/request"
	"github.com/helpline-dev/helpline/internal/sla"
	"github.com/helpline-dev/helpline/internal/status"
	"github.com/helpline-dev/helpline/internal/ticket"
)

//go:embed templates static
var assets embed.FS

// Deps are what the web handlers use.
type Deps struct {
	Accounts *account.Service
	Tickets  *ticket.Service
	Mail     *notify.Store     // notification preferences, unsubscribes and the outbox
	Inbox    *mailin.Processor // received email
	Markdown *markdown.Renderer
	// DocsMarkdown renders articles and posts: Markdown plus highlighting
	// and heading anchors.
	DocsMarkdown *markdown.Renderer
	Docs         *docs.Service
	Status       *status.Service
	StatusCache  *status.Cache
	Drains       *drain.Service
	CSA          *csa.Service // the enterprise portal
	SLA          *sla.Service
	Oncall       *oncall.Service
	SessionTTL   time.Duration
	SecureCookie bool // set Secure on cookies even without TLS (behind a TLS proxy)
	MaxBodyBytes int64
	// MaxAttachmentBytes bounds one uploaded file; forms with files may be
	// this much larger than MaxBodyBytes. Zero means 10 MB.
	MaxAttachmentBytes int64
	// BaseURL is the public URL of the site, for share links. Empty means
	// the scheme and Host of the request.
	BaseURL string
	// Now is the clock for "3 h ago"; nil means time.Now.
	Now func() time.Time
}

// Web is the HTML surface.
type Web struct {
	Deps
	pages map[string]*template.Template
}

// New parses the templates; a broken template fails here, at start-up.
func New(d Deps) (*Web, error) {
	if d.Markdown == nil {
		d.Markdown = markdown.New()
	}
	if d.DocsMarkdown == nil {
		d.DocsMarkdown = markdown.NewDocs()
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.MaxAttachmentBytes <= 0 {
		d.MaxAttachmentBytes = 10 << 20
	}
	w := &Web{Deps: d, pages: map[string]*template.Template{}}
	// partials*.html hold the pieces pages share: one file per area.
	layout, err := template.New("layout.html").Funcs(funcs).Funcs(w.funcs()).ParseFS(assets, "templates/layout.html", "templates/partials*.html")
	if err != nil {
		return nil, err
	}
	names, err := fs.Glob(assets, "templates/*.html")
	if err != nil {
		return nil, err
	}
	for _, name := range names {
		base := strings.TrimSuffix(strings.TrimPrefix(name, "templates/"), ".html")
		if base == "layout" || strings.HasPrefix(base, "partials") {
			continue
		}
		t, err := template.Must(layout.Clone()).ParseFS(assets, name)
		if err != nil {
			return nil, fmt.Errorf("template %s: %w", name, err)
		}
		w.pages[base] = t
	}
	return w, nil
}

var funcs = template.FuncMap{
	"utc": func(t any) string {
		switch v := t.(type) {
		case time.Time:
			return v.UTC().Format("2006-01-02 15:04:05 UTC")
		case *time.Time:
			if v == nil {
				return ""
			}
			return v.UTC().Format("2006-01-02 15:04:05 UTC")
		}
		return ""
	},
	"date":       func(t time.Time) string { return t.UTC().Format("Jan 2, 2006") },
	"join":       strings.Join,
	"plans":      func() []account.Plan { return account.Plans },
	"staffRoles": func() []helpline.StaffRole { return helpline.StaffRoles },
	"regions":    func() []string { return account.Regions },
	"stacks":     func() []string { return account.Stacks },
	// blank gives a partial an empty form, so one form's values and errors
	// do not leak into another form on the same page.
	"blank": func() *Page { return &Page{Form: url.Values{}} },
	"field": newField,
	// words turns a stored value such as on_hold into words for a sentence;
	// label capitalizes them for a badge or an option.
	"words": func(v any) string { return strings.ReplaceAll(fmt.Sprint(v), "_", " ") },
	"label": func(v any) string {
		s := strings.ReplaceAll(fmt.Sprint(v), "_", " ")
		if s == "" {
			return s
		}
		return strings.ToUpper(s[:1]) + s[1:]
	},
	"priorities":   func() []ticket.Priority { return ticket.Priorities },
	"statuses":     func() []ticket.Status { return ticket.Statuses },
	"environments": func() []ticket.Environment { return ticket.Environments },
	"categories":   func() []ticket.Category { return ticket.Categories },
	"categoryLabel": func(slug string) string {
		for _, c := range ticket.Categories {
			if c.Slug == slug {
				return c.Label
			}
		}
		return slug
	},
	"formatUTC": ticket.FormatUTC,
	"bytes":     humanBytes,
	"int64":     func(n int) int64 { return int64(n) },
	"lower":     strings.ToLower,
}

// funcs are the template functions that need the Web's dependencies.
func (web *Web) funcs() template.FuncMap {
	return template.FuncMap{
		"markdown": web.Markdown.Render,
		"ago":      func(t time.Time) string { return ago(web.Now(), t) },
	}
}

// ago says how long before now t was, roughly, the way people say it.
func ago(now, t time.Time) string {
	d := now.Sub(t)
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return fmt.Sprintf("%d min ago", int(d/time.Minute))
	case d < 48*time.Hour:
		return fmt.Sprintf("%d h ago", int(d/time.Hour))
	case d < 60*24*time.Hour:
		return fmt.Sprintf("%d d ago", int(d/(24*time.Hour)))
	}
	return "on " + t.UTC().Format("Jan 2, 2006")
}

// humanBytes shows a file size for people.
func humanBytes(n int64) string {
	switch {
	case n < 1<<10:
		return fmt.Sprintf("%d B", n)
	case n < 1<<20:
		return fmt.Sprintf("%.1f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
}

// Page is what every template receives.
type Page struct {
	Title   string
	User    *account.User
	Flash   string
	Form    url.Values        // what the user typed, to refill forms
	Errors  map[string]string // per-field messages
	Message string            // a message about the whole form
	Data    any
	// UnreadNotices counts the signed-in user's unread notifications, for
	// the header.
	UnreadNotices int
	// Enterprise shows the header's link to the enterprise portal: staff,
	// and members of an enterprise-plan organization.
	Enterprise bool
}

// Err returns the error message of a field, for templates.
func (p *Page) Err(field string) string { return p.Errors[field] }

type ctxKey int

const userKey ctxKey = 0

func currentUser(ctx context.Context) *account.User {
	u, _ := ctx.Value(userKey).(*account.User)
	return u
}

func actor(r *http.Request) *helpline.Actor {
	u := currentUser(r.Context())
	if u == nil {
		return nil
	}
	return u.Actor(request.IP(r.Context()))
}

// render writes a page with status.
func (web *Web) render(w http.ResponseWriter, r *http.Request, status int, name string, p *Page) {
	t, ok := web.pages[name]
	if !ok {
		panic("no template " + name)
	}
	p.User = currentUser(r.Context())
	if p.User != nil && web.Status != nil {
		// A failure only hides the count; the page itself matters more.
		p.UnreadNotices, _ = web.Status.UnreadNoticeCount(r.Context(), p.User.ID)
	}
	if p.User != nil {
		// As above, a failure only hides the link.
		p.Enterprise = p.User.StaffRole != helpline.RoleNone
		if !p.Enterprise {
			p.Enterprise, _ = web.Accounts.HasEnterprisePlan(r.Context(), p.User.ID)
		}
	}
	if p.Form == nil {
		p.Form = url.Values{}
	}
	if c, err := r.Cookie(flashCookie); err == nil {
		if msg, err := url.QueryUnescape(c.Value); err == nil {
			p.Flash = msg
		}
		http.SetCookie(w, &http.Cookie{Name: flashCookie, Path: "/", MaxAge: -1})
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	if err := t.ExecuteTemplate(w, "layout.html", p); err != nil {
		request.Logger(r.Context()).Error("render", "template", name, "err", err)
	}
}

const flashCookie = "helpline_flash"

// redirect sends the browser to target after a successful form, with an
// optional message shown on the next page.
func (web *Web) redirect(w http.ResponseWriter, r *http.Request, target, flash string) {
	if flash != "" {
		http.SetCookie(w, &http.Cookie{Name: flashCookie, Value: url.QueryEscape(flash), Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode, MaxAge: 60})
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// formError renders a form again with what the user typed and the errors.
func (web *Web) formError(w http.ResponseWriter, r *http.Request, name string, p *Page, err error) error {
	var he *helpline.Error
	if !errors.As(err, &he) || he.Kind == helpline.KindInternal || he.Kind == helpline.KindForbidden || he.Kind == helpline.KindNotFound {
		return err
	}
	p.Form = r.PostForm
	p.Errors = he.Fields
	p.Message = he.Message
	status := http.StatusUnprocessableEntity
	switch he.Kind {
	case helpline.KindConflict:
		status = http.StatusConflict
	case helpline.KindUnauthorized:
		status = http.StatusUnauthorized
	case helpline.KindRateLimited:
		status = http.StatusTooManyRequests
		w.Header().Set("Retry-After", fmt.Sprint(he.RetryAfterSeconds))
	}
	web.render(w, r, status, name, p)
	return nil
}

// inputError returns err as a *helpline.Error when it is about what the user
// typed (invalid or conflicting), so the form is shown again, and the status
// to show it with.
func inputError(err error) (*helpline.Error, int, bool) {
	var he *helpline.Error
	if !errors.As(err, &he) {
		return nil, 0, false
	}
	switch he.Kind {
	case helpline.KindInvalid:
		return he, http.StatusUnprocessableEntity, true
	case helpline.KindConflict:
		return he, http.StatusConflict, true
	}
	return nil, 0, false
}

// pathID reads the numeric ID in the path segment name; a malformed one is
// NotFound for what, like an ID that does not exist.
func pathID(r *http.Request, name, what string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, helpline.NotFound(what)
	}
	return id, nil
}
