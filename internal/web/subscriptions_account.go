package web

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/internal/status"
)

// subscriptionView is one of the user's subscriptions with its own
// component picker form.
type subscriptionView struct {
	status.Subscriber
	Names  []string // the components it covers; none: all
	Picker componentPicker
}

type statusSubscriptionsData struct {
	Subs []subscriptionView
}

// statusSubscriptions lists the user's own subscriptions. The service shows
// staff everyone's; this page is the user's account, so it keeps theirs.
func (web *Web) statusSubscriptions(w http.ResponseWriter, r *http.Request) error {
	return web.renderStatusSubscriptions(w, r, http.StatusOK, &Page{}, 0, nil)
}

// renderStatusSubscriptions shows the page; failedID is the subscription
// whose form was refused, shown with what was ticked (failed).
func (web *Web) renderStatusSubscriptions(w http.ResponseWriter, r *http.Request, st int, p *Page, failedID int64, failed *componentPicker) error {
	ctx, a := r.Context(), actor(r)
	subs, err := web.Status.FindSubscriptions(ctx, a)
	if err != nil {
		return err
	}
	cs, err := web.Status.FindComponents(ctx)
	if err != nil {
		return err
	}
	groups := groupComponents(cs)
	names := map[int64]string{}
	for _, c := range cs {
		names[c.ID] = c.Name
	}
	var d statusSubscriptionsData
	for _, s := range subs {
		if s.UserID != a.UserID {
			continue
		}
		v := subscriptionView{Subscriber: s}
		v.Picker = componentPicker{Prefix: "sub" + strconv.FormatInt(s.ID, 10), Groups: groups, All: len(s.ComponentIDs) == 0, Selected: map[int64]bool{}}
		for _, id := range s.ComponentIDs {
			v.Picker.Selected[id] = true
			v.Names = append(v.Names, orDefault(names[id], fmt.Sprintf("component %d", id)))
		}
		if s.ID == failedID && failed != nil {
			failed.Prefix, failed.Groups = v.Picker.Prefix, groups
			v.Picker = *failed
		}
		d.Subs = append(d.Subs, v)
	}
	p.Title, p.Data = "Status subscriptions", d
	web.render(w, r, st, "status_subscriptions", p)
	return nil
}

// saveStatusSubscription changes which components a subscription covers.
func (web *Web) saveStatusSubscription(w http.ResponseWriter, r *http.Request) error {
	ctx, a := r.Context(), actor(r)
	id, err := pathID(r, "id", "subscription")
	if err != nil {
		return err
	}
	groups, err := web.componentGroups(ctx)
	if err != nil {
		return err
	}
	v := helpline.Validation{}
	all, ids, selected := pickedComponents(r.PostForm, groups, v)
	err = v.Err()
	if err == nil {
		_, err = web.Status.SetSubscriptionComponents(ctx, a, id, ids)
	}
	if err != nil {
		he, st, ok := inputError(err)
		if !ok {
			return err
		}
		failed := &componentPicker{All: all, Selected: selected, Err: he.Fields["component"]}
		if failed.Err == "" {
			failed.Err = he.Fields["component_ids"]
		}
		return web.renderStatusSubscriptions(w, r, st, &Page{Message: he.Message, Errors: he.Fields}, id, failed)
	}
	web.redirect(w, r, "/account/status-subscriptions", "Your subscription is saved.")
	return nil
}

func (web *Web) deleteStatusSubscription(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "subscription")
	if err != nil {
		return err
	}
	if err := web.Status.DeleteSubscription(r.Context(), actor(r), id); err != nil {
		return err
	}
	web.redirect(w, r, "/account/status-subscriptions", "The subscription is deleted; it gets no more status updates.")
	return nil
}
