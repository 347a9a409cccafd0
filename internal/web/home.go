package web

import (
	"net/http"

	"github.com/helpline-dev/helpline/internal/account"
)

type homeData struct {
	Memberships []account.Membership
	Apps        map[int64][]account.App
	Plans       []account.Plan
}

func (web *Web) home(w http.ResponseWriter, r *http.Request) error {
	d := homeData{Plans: account.Plans}
	if u := currentUser(r.Context()); u != nil && u.StaffRole == "" {
		ms, err := web.Accounts.FindMemberships(r.Context(), u.ID)
		if err != nil {
			return err
		}
		d.Memberships = ms
		d.Apps = map[int64][]account.App{}
		for _, m := range ms {
			apps, err := web.Accounts.FindApps(r.Context(), actor(r), m.Org.ID)
			if err != nil {
				return err
			}
			d.Apps[m.Org.ID] = apps
		}
	}
	web.render(w, r, http.StatusOK, "home", &Page{Title: "Help Center", Data: d})
	return nil
}
