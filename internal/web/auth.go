package web

import (
	"net/http"
	"strings"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/internal/account"
	"github.com/helpline-dev/helpline/internal/request"
)

// localPath keeps post-sign-in redirects on this site.
func localPath(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return "/"
	}
	return next
}

func (web *Web) signinForm(w http.ResponseWriter, r *http.Request) error {
	if currentUser(r.Context()) != nil {
		http.Redirect(w, r, localPath(r.URL.Query().Get("next")), http.StatusSeeOther)
		return nil
	}
	p := &Page{Title: "Sign in"}
	p.Form = r.URL.Query()
	web.render(w, r, http.StatusOK, "signin", p)
	return nil
}

func (web *Web) signin(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p := &Page{Title: "Sign in"}
	u, err := web.Accounts.Authenticate(ctx, r.PostForm.Get("email"), r.PostForm.Get("password"), request.IP(ctx))
	if err != nil {
		r.PostForm.Del("password") // never echo a password back
		return web.formError(w, r, "signin", p, err)
	}
	secret, err := web.Accounts.CreateSession(ctx, u.ID, web.SessionTTL, request.IP(ctx), r.UserAgent())
	if err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: secret, Path: "/",
		MaxAge: int(web.SessionTTL.Seconds()), HttpOnly: true, SameSite: http.SameSiteLaxMode,
		Secure: web.SecureCookie || r.TLS != nil,
	})
	web.redirect(w, r, localPath(r.PostForm.Get("next")), "Welcome back, "+u.Name+".")
	return nil
}

func (web *Web) signout(w http.ResponseWriter, r *http.Request) error {
	if c, err := r.Cookie(sessionCookie); err == nil {
		if err := web.Accounts.DeleteSession(r.Context(), actor(r), c.Value); err != nil {
			return err
		}
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode})
	web.redirect(w, r, "/", "You are signed out.")
	return nil
}

func (web *Web) forgotForm(w http.ResponseWriter, r *http.Request) error {
	web.render(w, r, http.StatusOK, "forgot", &Page{Title: "Reset your password"})
	return nil
}

func (web *Web) forgot(w http.ResponseWriter, r *http.Request) error {
	p := &Page{Title: "Reset your password"}
	if err := web.Accounts.RequestPasswordReset(r.Context(), r.PostForm.Get("email"), request.IP(r.Context())); err != nil {
		return web.formError(w, r, "forgot", p, err)
	}
	p.Data = "sent"
	p.Form = r.PostForm
	web.render(w, r, http.StatusOK, "forgot", p)
	return nil
}

func (web *Web) resetForm(w http.ResponseWriter, r *http.Request) error {
	p := &Page{Title: "Choose a new password", Form: r.URL.Query()}
	if err := web.Accounts.CheckPasswordReset(r.Context(), r.URL.Query().Get("token")); err != nil {
		return web.formError(w, r, "reset", p, err)
	}
	web.render(w, r, http.StatusOK, "reset", p)
	return nil
}

func (web *Web) reset(w http.ResponseWriter, r *http.Request) error {
	p := &Page{Title: "Choose a new password"}
	form := r.PostForm
	if form.Get("password") != form.Get("confirm") {
		p.Form = form
		p.Errors = map[string]string{"confirm": "does not match the password"}
		p.Message = "Please correct the highlighted fields."
		web.render(w, r, http.StatusUnprocessableEntity, "reset", p)
		return nil
	}
	u, err := web.Accounts.ResetPassword(r.Context(), form.Get("token"), form.Get("password"), request.IP(r.Context()))
	if err != nil {
		return web.formError(w, r, "reset", p, err)
	}
	web.redirect(w, r, "/signin?email="+u.Email, "Your password is changed. Sign in with the new one.")
	return nil
}

func (web *Web) setupForm(w http.ResponseWriter, r *http.Request) error {
	p := &Page{Title: "Set up Helpline", Form: r.URL.Query()}
	if err := web.Accounts.CheckSetupToken(r.Context(), r.URL.Query().Get("token")); err != nil {
		return err
	}
	web.render(w, r, http.StatusOK, "setup", p)
	return nil
}

func (web *Web) setup(w http.ResponseWriter, r *http.Request) error {
	form := r.PostForm
	p := &Page{Title: "Set up Helpline"}
	_, err := web.Accounts.CompleteSetup(r.Context(), form.Get("token"), account.UserInput{
		Email: form.Get("email"), Name: form.Get("name"), Password: form.Get("password"),
	}, request.IP(r.Context()))
	if err != nil {
		if helpline.KindOf(err) == helpline.KindForbidden {
			return err
		}
		form.Del("password")
		return web.formError(w, r, "setup", p, err)
	}
	web.redirect(w, r, "/signin?email="+form.Get("email"), "Your admin account is ready. Sign in to continue.")
	return nil
}
