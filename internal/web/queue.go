package web

import (
	"net/http"
	"strconv"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/internal/account"
	"github.com/helpline-dev/helpline/internal/ticket"
)

type queueData struct {
	Tickets    []ticket.Ticket
	Due        map[int64]queueDue // by ticket ID: time left on the SLA
	Appeals    int                // appeals waiting for a decision, across the queue
	Offset     int
	Prev, Next string
}

// queue is the staff's work list, in the order the service keeps it:
// enterprise plans first, then priority, then the nearest SLA due time,
// then the oldest.
func (web *Web) queue(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	offset, _ := strconv.Atoi(q.Get("offset"))
	offset = max(offset, 0)
	f := ticket.Filter{
		Priority: ticket.Priority(q.Get("priority")),
		Plan:     account.Plan(q.Get("plan")),
		Assignee: q.Get("assignee"),
		AppID:    formID(q.Get("app")),
		Text:     q.Get("q"),
		// Appeals waiting for staff are a queue of their own.
		AppealPending: q.Get("appeal") == "pending",
		Page:          helpline.Page{Limit: ticketsPerPage + 1, Offset: offset},
	}
	if st := q.Get("status"); st != "" {
		f.Status = []ticket.Status{ticket.Status(st)}
	}
	p := &Page{Title: "Queue", Form: q}
	status := http.StatusOK
	tickets, err := web.Tickets.FindQueue(r.Context(), actor(r), f)
	if err != nil {
		he, st, ok := inputError(err)
		if !ok {
			return err
		}
		p.Message, p.Errors, status = he.Message, he.Fields, st
	}
	d := queueData{Offset: offset}
	if d.Appeals, err = web.Tickets.CountAppealsPending(r.Context()); err != nil {
		return err
	}
	d.Prev, d.Next = pager("/queue", q, offset, ticketsPerPage, len(tickets) > ticketsPerPage)
	d.Tickets = tickets[:min(len(tickets), ticketsPerPage)]
	d.Due = make(map[int64]queueDue, len(d.Tickets))
	now := web.Now()
	for _, t := range d.Tickets {
		d.Due[t.ID] = dueCell(now, t)
	}
	p.Data = d
	web.render(w, r, status, "queue", p)
	return nil
}
