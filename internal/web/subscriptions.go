package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/internal/status"
)

// registerSubscriptions mounts subscribing, confirming, unsubscribing,
// the notification center and the incident pages for tickets.
func (web *Web) registerSubscriptions(h handle) {
	h("GET /status/subscribe", public, web.subscribeForm)
	h("POST /status/subscribe", public, web.subscribe)
	// The links in emails: a GET only asks, since mail scanners follow
	// links; the POST acts. Unsubscribe's POST also takes mail providers'
	// one-click requests (RFC 8058).
	h("GET /status/confirm/{token}", public, web.confirmSubscriptionForm)
	h("POST /status/confirm/{token}", public, web.confirmSubscription)
	h("GET /status/unsubscribe/{token}", public, web.statusUnsubscribeForm)
	h("POST /status/unsubscribe/{token}", public, web.statusUnsubscribe)

	h("GET /account/status-subscriptions", signedIn, web.statusSubscriptions)
	h("POST /account/status-subscriptions/{id}", signedIn, web.saveStatusSubscription)
	h("POST /account/status-subscriptions/{id}/delete", signedIn, web.deleteStatusSubscription)

	h("GET /notices", signedIn, web.notices)
	h("POST /notices/read", signedIn, web.markAllNoticesRead)
	h("POST /notices/{id}/read", signedIn, web.markNoticeRead)
}

// componentGroup is a group with its components, or a top-level component
// on its own (no Members), as the checkboxes show them.
type componentGroup struct {
	status.Component
	Members []status.Component
}

// componentPicker is the per-component choice of one form: "all
// components" or the ticked ones. Prefix keeps element IDs unique when a
// page has several pickers.
type componentPicker struct {
	Prefix   string
	Groups   []componentGroup
	All      bool
	Selected map[int64]bool
	Err      string
}

// Checked reports whether a checkbox is ticked: a group is when all its
// components are.
func (p componentPicker) Checked(g componentGroup) bool {
	if len(g.Members) == 0 {
		return p.Selected[g.ID]
	}
	for _, m := range g.Members {
		if !p.Selected[m.ID] {
			return false
		}
	}
	return true
}

// groupComponents arranges components in page order under their groups.
func groupComponents(cs []status.Component) []componentGroup {
	var out []componentGroup
	at := map[int64]int{}
	for _, c := range cs {
		if c.GroupID == 0 {
			at[c.ID] = len(out)
			out = append(out, componentGroup{Component: c})
		}
	}
	for _, c := range cs {
		if c.GroupID == 0 {
			continue
		}
		i, ok := at[c.GroupID]
		if !ok { // a group we do not know: show the component on its own
			out = append(out, componentGroup{Component: c})
			continue
		}
		out[i].Members = append(out[i].Members, c)
	}
	return out
}

// pickedComponents reads a picker from a form: scope=all, or the ticked
// component IDs (a ticked group stands for all its components). It adds a
// field error when "some" has nothing ticked.
func pickedComponents(f url.Values, groups []componentGroup, v helpline.Validation) (all bool, ids []int64, selected map[int64]bool) {
	selected = map[int64]bool{}
	ticked := map[int64]bool{}
	for _, s := range f["component"] {
		if id, err := strconv.ParseInt(s, 10, 64); err == nil {
			ticked[id] = true
		}
	}
	for _, g := range groups {
		if len(g.Members) == 0 {
			if ticked[g.ID] {
				selected[g.ID] = true
				ids = append(ids, g.ID)
			}
			continue
		}
		for _, m := range g.Members {
			if ticked[g.ID] || ticked[m.ID] {
				selected[m.ID] = true
				ids = append(ids, m.ID)
			}
		}
	}
	if f.Get("scope") != "some" {
		return true, nil, selected
	}
	v.Check(len(ids) > 0, "component", "tick at least one component, or choose all components")
	return false, ids, selected
}

func (web *Web) componentGroups(ctx context.Context) ([]componentGroup, error) {
	cs, err := web.Status.FindComponents(ctx)
	if err != nil {
		return nil, err
	}
	return groupComponents(cs), nil
}

type subscribeData struct {
	Picker componentPicker
}

func (web *Web) subscribeForm(w http.ResponseWriter, r *http.Request) error {
	form := url.Values{"kind": {"email"}, "scope": {"all"}}
	if u := currentUser(r.Context()); u != nil {
		form.Set("email", u.Email)
	}
	return web.renderSubscribe(w, r, http.StatusOK, &Page{Form: form}, nil)
}

func (web *Web) renderSubscribe(w http.ResponseWriter, r *http.Request, status int, p *Page, selected map[int64]bool) error {
	groups, err := web.componentGroups(r.Context())
	if err != nil {
		return err
	}
	p.Title = "Subscribe to status updates"
	p.Data = subscribeData{Picker: componentPicker{Prefix: "sub", Groups: groups, All: p.Form.Get("scope") != "some", Selected: selected, Err: orDefault(p.Err("component"), p.Err("component_ids"))}}
	web.render(w, r, status, "subscribe", p)
	return nil
}

type subscribedData struct {
	Sub    status.Subscriber
	Secret string // a webhook's signing secret, shown this once
}

// subscribe adds an email or webhook subscriber. What the person typed
// stays in the form when something is wrong.
func (web *Web) subscribe(w http.ResponseWriter, r *http.Request) error {
	ctx, f := r.Context(), r.PostForm
	groups, err := web.componentGroups(ctx)
	if err != nil {
		return err
	}
	v := helpline.Validation{}
	var in status.SubscribeInput
	switch f.Get("kind") {
	case "email":
		in.Email = strings.TrimSpace(f.Get("email"))
		v.Check(in.Email != "", "email", "enter the email address to notify")
	case "webhook":
		in.URL = strings.TrimSpace(f.Get("url"))
		v.Check(in.URL != "", "url", "enter the URL we should POST updates to")
	default:
		v.Add("kind", "choose email or webhook")
	}
	_, ids, selected := pickedComponents(f, groups, v)
	in.ComponentIDs = ids
	if err := v.Err(); err != nil {
		return web.subscribeError(w, r, err, selected)
	}
	sub, secret, err := web.Status.Subscribe(ctx, actor(r), in)
	if err != nil {
		return web.subscribeError(w, r, err, selected)
	}
	web.render(w, r, http.StatusOK, "subscribe_done", &Page{Title: "Subscribed", Data: subscribedData{Sub: sub, Secret: secret}})
	return nil
}

func (web *Web) subscribeError(w http.ResponseWriter, r *http.Request, err error, selected map[int64]bool) error {
	he, st, ok := inputError(err)
	if !ok {
		return err
	}
	return web.renderSubscribe(w, r, st, &Page{Form: r.PostForm, Errors: he.Fields, Message: he.Message}, selected)
}

type tokenData struct {
	Token string
	Sub   status.Subscriber
	Done  bool
}

// confirmSubscriptionForm only asks: a GET must not confirm, since mail
// scanners open every link.
func (web *Web) confirmSubscriptionForm(w http.ResponseWriter, r *http.Request) error {
	web.render(w, r, http.StatusOK, "subscribe_confirm", &Page{Title: "Confirm your subscription", Data: tokenData{Token: r.PathValue("token")}})
	return nil
}

func (web *Web) confirmSubscription(w http.ResponseWriter, r *http.Request) error {
	token := r.PathValue("token")
	sub, err := web.Status.Confirm(r.Context(), token)
	if err != nil {
		return err
	}
	web.render(w, r, http.StatusOK, "subscribe_confirm", &Page{Title: "Subscription confirmed", Data: tokenData{Token: token, Sub: sub, Done: true}})
	return nil
}

func (web *Web) statusUnsubscribeForm(w http.ResponseWriter, r *http.Request) error {
	web.render(w, r, http.StatusOK, "subscribe_unsubscribe", &Page{Title: "Unsubscribe from status updates", Data: tokenData{Token: r.PathValue("token")}})
	return nil
}

// statusUnsubscribe removes the subscription, from our own form or from a
// mail provider's one-click POST (RFC 8058: body
// "List-Unsubscribe=One-Click", no cookies, no Origin), which needs nothing
// but the token in the URL.
func (web *Web) statusUnsubscribe(w http.ResponseWriter, r *http.Request) error {
	token := r.PathValue("token")
	if err := web.Status.Unsubscribe(r.Context(), token); err != nil {
		return err
	}
	web.render(w, r, http.StatusOK, "subscribe_unsubscribe", &Page{Title: "Unsubscribed", Data: tokenData{Token: token, Done: true}})
	return nil
}
