package web

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/internal/request"
)

// access says who may open a page.
type access int

const (
	public access = iota
	signedIn
	staff
	admin
)

// handle mounts one page with its access level.
type handle func(pattern string, a access, fn func(http.ResponseWriter, *http.Request) error)

// Register mounts every page on mux.
func (web *Web) Register(mux *http.ServeMux) {
	var h handle = func(pattern string, a access, fn func(http.ResponseWriter, *http.Request) error) {
		mux.Handle(pattern, web.adapt(a, false, fn))
	}
	// upload routes take multipart forms with files, up to the attachment size.
	upload := func(pattern string, a access, fn func(http.ResponseWriter, *http.Request) error) {
		mux.Handle(pattern, web.adapt(a, true, fn))
	}
	h("GET /{$}", public, web.home)
	h("GET /signin", public, web.signinForm)
	h("POST /signin", public, web.signin)
	h("POST /signout", public, web.signout)
	h("GET /password/forgot", public, web.forgotForm)
	h("POST /password/forgot", public, web.forgot)
	h("GET /password/reset", public, web.resetForm)
	h("POST /password/reset", public, web.reset)
	h("GET /setup", public, web.setupForm)
	h("POST /setup", public, web.setup)

	h("GET /account", signedIn, web.accountPage)
	h("POST /account/tokens", signedIn, web.createToken)
	h("POST /account/tokens/{id}/revoke", signedIn, web.revokeToken)
	h("GET /account/notifications", signedIn, web.notificationsPage)
	h("POST /account/notifications", signedIn, web.saveNotifications)
	// The link in every notification: no sign-in, and the POST also takes
	// mail providers' one-click requests (RFC 8058).
	h("GET /unsubscribe/{token}", public, web.unsubscribeForm)
	h("POST /unsubscribe/{token}", public, web.unsubscribe)
	h("GET /orgs/{id}", signedIn, web.orgPage)
	h("POST /orgs/{id}/apps", signedIn, web.createApp)
	h("POST /orgs/{id}/members", signedIn, web.addMember)

	h("GET /tickets", signedIn, web.ticketList)
	h("GET /tickets/new", signedIn, web.newTicketForm)
	upload("POST /tickets", signedIn, web.createTicket)
	h("GET /tickets/{number}", signedIn, web.ticketPage)
	h("POST /tickets/{number}/comments", signedIn, web.addComment)
	h("POST /tickets/{number}/update", signedIn, web.updateTicket) // staff: status and assignee; customers: solved
	h("POST /tickets/{number}/priority", staff, web.changePriority)
	h("POST /tickets/{number}/watch", staff, web.watch)
	h("POST /tickets/{number}/appeal", signedIn, web.appeal)
	h("POST /tickets/{number}/appeal/decision", staff, web.decideAppeal)
	h("POST /tickets/{number}/share", signedIn, web.share)
	h("POST /tickets/{number}/share/revoke", signedIn, web.unshare)
	h("POST /tickets/{number}/participants/{user}/remove", signedIn, web.removeParticipant)
	h("POST /tickets/{number}/access/revoke", signedIn, web.revokeAccess)
	upload("POST /tickets/{number}/attachments", signedIn, web.uploadAttachments)
	h("GET /attachments/{id}", signedIn, web.downloadAttachment)
	// Signed out, this goes to sign-in and comes back here to join.
	h("GET /share/{token}", signedIn, web.joinShare)
	h("GET /queue", staff, web.queue)
	web.registerSLA(h)
	web.registerOncall(h)
	web.registerPages(h)
	web.registerDocs(h)
	web.registerPosts(h)
	web.registerStatus(h)
	web.registerSubscriptions(h)
	web.registerStatusJSON(mux)
	web.registerDiagnose(h)
	web.registerDiagnoseUpload(mux)
	web.registerDrains(mux, h)
	// The enterprise portal (customers of enterprise plans, and staff) and
	// the CSA team's console: queue, collections, calendar.
	web.registerEnterprise(mux, h)
	web.registerEngagementConsole(h)

	h("GET /admin", staff, func(w http.ResponseWriter, r *http.Request) error {
		http.Redirect(w, r, "/admin/orgs", http.StatusSeeOther)
		return nil
	})
	h("GET /admin/orgs", staff, web.adminOrgs)
	h("POST /admin/orgs", admin, web.adminCreateOrg)
	h("GET /admin/users", admin, web.adminUsers)
	h("POST /admin/users", admin, web.adminCreateUser)
	h("POST /admin/users/{id}/role", admin, web.adminChangeRole)
	h("GET /admin/audit", admin, web.adminAudit)
	h("GET /admin/mail", staff, web.adminMail)
	h("GET /admin/mail/inbox/{id}/original", staff, web.adminMailOriginal)
	h("POST /admin/mail/inbox/{id}/discard", staff, web.adminMailDiscard)
	h("POST /admin/mail/inbox/{id}/reprocess", staff, web.adminMailReprocess)

	static, _ := fs.Sub(assets, "static")
	fileServer := http.StripPrefix("/static/", http.FileServerFS(static))
	mux.Handle("GET /static/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		fileServer.ServeHTTP(w, r)
	}))
	h("/", public, func(w http.ResponseWriter, r *http.Request) error {
		return helpline.Errorf(helpline.KindNotFound, "There is no page at %s.", r.URL.Path)
	})
}

const sessionCookie = "helpline_session"

// adapt resolves the signed-in user, checks access, runs the handler and
// turns its error into an HTML error page.
func (web *Web) adapt(a access, upload bool, fn func(http.ResponseWriter, *http.Request) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if c, err := r.Cookie(sessionCookie); err == nil && c.Value != "" {
			sess, err := web.Accounts.FindSession(r.Context(), c.Value)
			if err == nil {
				r = r.WithContext(context.WithValue(r.Context(), userKey, &sess.User))
			} else if helpline.KindOf(err) != helpline.KindUnauthorized {
				web.errorPage(w, r, err)
				return
			}
		}
		u := currentUser(r.Context())
		if a >= signedIn && u == nil {
			if r.Method == http.MethodGet {
				http.Redirect(w, r, "/signin?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
				return
			}
			web.errorPage(w, r, helpline.Errorf(helpline.KindUnauthorized, "Your session has ended. Sign in again."))
			return
		}
		switch {
		case a == staff && u.StaffRole == helpline.RoleNone:
			web.errorPage(w, r, helpline.Errorf(helpline.KindForbidden, "This page is for Helpline staff."))
			return
		case a == admin && u.StaffRole != helpline.RoleAdmin:
			web.errorPage(w, r, helpline.Errorf(helpline.KindForbidden, "This page is for admins."))
			return
		}
		if r.Method == http.MethodPost && upload {
			// Files may be as large as an attachment, plus the form's text.
			r.Body = http.MaxBytesReader(w, r.Body, web.MaxAttachmentBytes+web.MaxBodyBytes)
			// Small files stay in memory, the rest in temporary files that
			// we remove: the server only cleans up the request it made, not
			// this copy with the user in its context.
			err := r.ParseMultipartForm(1 << 20)
			if r.MultipartForm != nil {
				defer r.MultipartForm.RemoveAll()
			}
			if err != nil && !errors.Is(err, http.ErrNotMultipart) {
				msg := "The form could not be read: it is malformed."
				var tooBig *http.MaxBytesError
				if errors.As(err, &tooBig) {
					msg = fmt.Sprintf("The files are too large: attach at most %d MB at once. Larger logs can be split or compressed.", web.MaxAttachmentBytes>>20)
				}
				web.errorPage(w, r, helpline.Errorf(helpline.KindInvalid, "%s", msg))
				return
			}
		} else if r.Method == http.MethodPost {
			r.Body = http.MaxBytesReader(w, r.Body, web.MaxBodyBytes)
			if err := r.ParseForm(); err != nil {
				web.errorPage(w, r, helpline.Errorf(helpline.KindInvalid, "The form could not be read: it is too large or malformed."))
				return
			}
		}
		if r.Method == http.MethodPost && !cleanForm(r) {
			web.errorPage(w, r, helpline.Errorf(helpline.KindInvalid, "The form contains a NUL character or invalid UTF-8, which cannot be saved. Remove it and try again."))
			return
		}
		if err := fn(w, r); err != nil {
			web.errorPage(w, r, err)
		}
	})
}

func (web *Web) errorPage(w http.ResponseWriter, r *http.Request, err error) {
	status, he := request.Status(err)
	msg := ""
	if he != nil {
		msg = he.Message
	} else {
		request.Logger(r.Context()).Error("page failed", "err", err)
		msg = "Something went wrong on our side. It has been logged; please try again. Request ID: " + request.ID(r.Context())
	}
	web.render(w, r, status, "error", &Page{Title: http.StatusText(status), Message: msg, Data: status})
}

// cleanForm reports whether every form value is text PostgreSQL can store.
func cleanForm(r *http.Request) bool {
	for _, vs := range r.PostForm {
		for _, v := range vs {
			if strings.ContainsRune(v, 0) || !utf8.ValidString(v) {
				return false
			}
		}
	}
	return true
}
