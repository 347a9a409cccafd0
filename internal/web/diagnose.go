package web

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/internal/account"
	"github.com/helpline-dev/helpline/internal/logdiag"
	"github.com/helpline-dev/helpline/internal/redact"
	"github.com/helpline-dev/helpline/internal/request"
)

// MaxDiagnoseBytes bounds one diagnosis request: logs of tens of MB are
// what customers paste or upload; the CLI has no limit.
const MaxDiagnoseBytes = 64 << 20

// registerDiagnose mounts /diagnose: paste or upload logs, read the
// diagnosis, open a ticket from it. The POST of /diagnose is mounted by
// registerDiagnoseUpload: it needs its own body limit.
func (web *Web) registerDiagnose(h handle) {
	h("GET /diagnose", public, web.diagnoseForm)
	// "Open a ticket from this" posts the diagnosis here: the new-ticket
	// form, filled in, never submitted for the customer.
	h("POST /tickets/new", signedIn, web.prefillTicket)
}

// registerDiagnoseUpload mounts POST /diagnose outside adapt: adapt caps a
// plain POST at MaxBodyBytes (1 MB) and parses upload forms whole into
// memory and temporary files, while a log file of up to MaxDiagnoseBytes is
// streamed part by part straight into the parser here.
func (web *Web) registerDiagnoseUpload(mux *http.ServeMux) {
	// Built on the first diagnosis, not at start-up: it takes tens of
	// milliseconds and most processes never diagnose.
	redactor := sync.OnceValues(redact.New)
	mux.Handle("POST /diagnose", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r, err := web.withSession(r)
		if err == nil {
			r.Body = http.MaxBytesReader(w, r.Body, MaxDiagnoseBytes)
			err = web.diagnose(w, r, redactor)
		}
		if err != nil {
			web.errorPage(w, r, err)
		}
	}))
}

// withSession puts the signed-in user, if any, in the request's context,
// as adapt does for the other pages.
func (web *Web) withSession(r *http.Request) (*http.Request, error) {
	c, err := r.Cookie(sessionCookie)
	if err != nil || c.Value == "" {
		return r, nil
	}
	sess, err := web.Accounts.FindSession(r.Context(), c.Value)
	switch {
	case err == nil:
		return r.WithContext(context.WithValue(r.Context(), userKey, &sess.User)), nil
	case helpline.KindOf(err) == helpline.KindUnauthorized:
		return r, nil
	}
	return r, err
}

type diagnoseData struct {
	D          *logdiag.Diagnosis
	Source     string // "the pasted text" or the file's name
	Production bool
	Redactions int // secrets taken out of the excerpt
	MaxMB      int
	// Ticket is the prefill of "Open a ticket from this"; nil when the
	// viewer cannot open tickets.
	Ticket  url.Values
	SignIn  bool // signed out: say that signing in allows a ticket
	Ignored string
}

func (web *Web) diagnoseForm(w http.ResponseWriter, r *http.Request) error {
	p := &Page{Title: "Diagnose your logs", Data: diagnoseData{MaxMB: MaxDiagnoseBytes >> 20}}
	if r.URL.Query().Get("example") != "" {
		// A real-looking log for a first look: a memory leak on web.2.
		example, err := fs.ReadFile(assets, "static/example.log")
		if err != nil {
			return err
		}
		p.Form = url.Values{"logs": {string(example)}, "production": {"yes"}}
	}
	web.render(w, r, http.StatusOK, "diagnose", p)
	return nil
}

// diagnoseInput is what the form sent.
type diagnoseInput struct {
	paste      string
	production bool
}

// diagnose reads the form part by part: the checkbox and the pasted text
// (kept to show the form again), then the file, streamed into the parser.
// The form puts the file last, so the options are known before it.
func (web *Web) diagnose(w http.ResponseWriter, r *http.Request, redactor func() (*redact.Redactor, error)) error {
	ctx := r.Context()
	var in diagnoseInput
	var diag *logdiag.Diagnosis
	var source string
	var readErr error
	opts := func() logdiag.Options {
		return logdiag.Options{Reference: web.Docs.ErrorCodeReference(ctx, request.Logger(ctx)), Production: in.production}
	}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt == "multipart/form-data" {
		mr, err := r.MultipartReader()
		if err != nil {
			return helpline.Errorf(helpline.KindInvalid, "The form could not be read: it is malformed.")
		}
		for {
			part, err := mr.NextPart()
			if err == io.EOF {
				break
			}
			if err != nil {
				readErr = err
				break
			}
			switch part.FormName() {
			case "production":
				v, err := io.ReadAll(io.LimitReader(part, 16))
				readErr = err
				if b := formBool(string(v)); b != nil {
					in.production = *b
				}
			case "logs":
				v, err := io.ReadAll(part)
				in.paste, readErr = string(v), err
			case "file":
				if part.FileName() == "" {
					break // no file chosen
				}
				d, err := logdiag.Diagnose(part, opts())
				diag, source, readErr = &d, part.FileName(), err
			}
			part.Close()
			if readErr != nil {
				break
			}
		}
	} else {
		if err := r.ParseForm(); err != nil {
			readErr = err
		}
		in.paste = r.PostForm.Get("logs")
		if b := formBool(r.PostForm.Get("production")); b != nil {
			in.production = *b
		}
	}

	p := &Page{Title: "Diagnose your logs", Form: url.Values{"logs": {in.paste}}}
	if in.production {
		p.Form.Set("production", "yes")
	}
	data := diagnoseData{Production: in.production, MaxMB: MaxDiagnoseBytes >> 20}
	if readErr != nil {
		var tooBig *http.MaxBytesError
		status := http.StatusUnprocessableEntity
		p.Message = "The logs could not be read completely; nothing was diagnosed. Try again."
		if errors.As(readErr, &tooBig) {
			status = http.StatusRequestEntityTooLarge
			p.Message = fmt.Sprintf("The logs are larger than %d MB. Diagnose the part around the problem, or run `helpline logs diagnose FILE` on your machine: it has no limit.", MaxDiagnoseBytes>>20)
		}
		p.Data = data
		web.render(w, r, status, "diagnose", p)
		return nil
	}
	if diag == nil {
		if strings.TrimSpace(in.paste) == "" {
			p.Errors = map[string]string{"logs": "paste some log lines or choose a file"}
			p.Message = "There is nothing to diagnose yet."
			p.Data = data
			web.render(w, r, http.StatusUnprocessableEntity, "diagnose", p)
			return nil
		}
		d, err := logdiag.Diagnose(strings.NewReader(in.paste), opts())
		if err != nil {
			return err // a strings.Reader does not fail
		}
		diag, source = &d, "the pasted text"
	} else if diag.Lines.Total == 0 {
		p.Errors = map[string]string{"file": source + " is empty: choose the file with the logs"}
		p.Message = "There is nothing to diagnose yet."
		p.Data = data
		web.render(w, r, http.StatusUnprocessableEntity, "diagnose", p)
		return nil
	} else if strings.TrimSpace(in.paste) != "" {
		data.Ignored = "You also pasted text; the file was diagnosed, not the text."
	}

	red, err := redactor()
	if err != nil {
		return err
	}
	excerpt, findings := red.Redact(diag.Excerpt)
	diag.Excerpt = excerpt
	data.D, data.Source, data.Redactions = diag, source, len(findings)

	u := currentUser(ctx)
	switch {
	case u == nil:
		data.SignIn = true
	case u.StaffRole == helpline.RoleNone:
		apps, ok, err := web.customerApps(ctx, u)
		if err != nil {
			return err
		}
		if ok {
			data.Ticket = ticketPrefill(*diag, in.production, apps)
		}
	}
	p.Data = data
	web.render(w, r, http.StatusOK, "diagnose", p)
	return nil
}

// customerApps lists the apps of every organization u belongs to; ok is
// false when u belongs to none and so cannot open tickets.
func (web *Web) customerApps(ctx context.Context, u *account.User) (apps []account.App, ok bool, err error) {
	a := u.Actor(request.IP(ctx))
	ms, err := web.Accounts.FindMemberships(ctx, a.UserID)
	if err != nil || len(ms) == 0 {
		return nil, false, err
	}
	for _, m := range ms {
		list, err := web.Accounts.FindApps(ctx, a, m.Org.ID)
		if err != nil {
			return nil, false, err
		}
		apps = append(apps, list...)
	}
	return apps, true, nil
}
