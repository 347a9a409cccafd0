package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/internal/status"
)

const noticesPerPage = 30

type noticesData struct {
	Notices    []status.Notice
	Unread     int  // all the user's unread notices, not only this page's
	UnreadOnly bool // the ?unread=1 filter
	Prev, Next string
	Back       string // this page, where the mark-as-read forms return
}

// notices is the notification center: the user's notices, newest first.
func (web *Web) notices(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	offset := max(formInt(q.Get("offset")), 0)
	d := noticesData{UnreadOnly: q.Get("unread") == "1"}
	ns, unread, err := web.Status.FindNotices(r.Context(), actor(r), d.UnreadOnly, helpline.Page{Limit: noticesPerPage + 1, Offset: offset})
	if err != nil {
		return err
	}
	d.Unread = unread
	keep := url.Values{}
	if d.UnreadOnly {
		keep.Set("unread", "1")
	}
	d.Prev, d.Next = pager("/notices", keep, offset, noticesPerPage, len(ns) > noticesPerPage)
	d.Notices = ns[:min(len(ns), noticesPerPage)]
	d.Back = noticesBack(q)
	title := "Notifications"
	if unread > 0 {
		title = fmt.Sprintf("Notifications (%d unread)", unread)
	}
	web.render(w, r, http.StatusOK, "notices", &Page{Title: title, Data: d})
	return nil
}

// noticesBack is the notification center with the filter and page of q,
// and nothing else: the forms send it back, and it must stay on our site.
func noticesBack(q url.Values) string {
	v := url.Values{}
	if q.Get("unread") == "1" {
		v.Set("unread", "1")
	}
	if off := formInt(q.Get("offset")); off > 0 {
		v.Set("offset", fmt.Sprint(off))
	}
	if len(v) == 0 {
		return "/notices"
	}
	return "/notices?" + v.Encode()
}

// backTo reads the "back" field of a mark-as-read form.
func backTo(r *http.Request) string {
	u, err := url.Parse(r.PostForm.Get("back"))
	if err != nil || u.Path != "/notices" {
		return "/notices"
	}
	return noticesBack(u.Query())
}

func (web *Web) markNoticeRead(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "notice")
	if err != nil {
		return err
	}
	if err := web.Status.MarkNoticesRead(r.Context(), actor(r), id); err != nil {
		return err
	}
	web.redirect(w, r, backTo(r), "")
	return nil
}

func (web *Web) markAllNoticesRead(w http.ResponseWriter, r *http.Request) error {
	if err := web.Status.MarkNoticesRead(r.Context(), actor(r), 0); err != nil {
		return err
	}
	web.redirect(w, r, backTo(r), "Every notification is marked as read.")
	return nil
}

func formInt(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}
