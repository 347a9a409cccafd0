package web

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/internal/docs"
	"github.com/helpline-dev/helpline/internal/request"
)

// startDeflection begins a deflection session for a customer opening the
// ticket form. Without one the form still works, only unmeasured, so a
// failure is logged rather than shown.
func (web *Web) startDeflection(r *http.Request) string {
	token, err := web.Docs.StartDeflection(r.Context(), actor(r))
	if err != nil {
		request.Logger(r.Context()).Warn("deflection: start", "err", err)
		return ""
	}
	return token
}

// completeDeflection notes that the session of the ticket form ended in
// ticketID. The ticket is open whatever happens here.
func (web *Web) completeDeflection(r *http.Request, token string, ticketID int64) {
	if token == "" {
		return
	}
	if err := web.Docs.CompleteDeflection(r.Context(), actor(r), token, ticketID); err != nil {
		request.Logger(r.Context()).Warn("deflection: complete", "err", err, "ticket", ticketID)
	}
}

type deflectionRowView struct {
	docs.DeflectionRow
	Rate string // deflected / opened
}

type deflectionData struct {
	Rows                              []deflectionRowView
	From, Last                        time.Time
	Shown, Opened, Deflected, Tickets int
	Rate                              string
}

// deflectionDays is the report's default period, up to today.
const deflectionDays = 30

func percent(n, of int) string {
	if of == 0 {
		return "—"
	}
	return fmt.Sprintf("%.0f%%", float64(n)*100/float64(of))
}

func (web *Web) deflectionReport(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	p := &Page{Title: "Deflection report", Form: q}
	now := web.Now().UTC()
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	v := helpline.Validation{}
	day := func(field string, def time.Time) time.Time {
		s := strings.TrimSpace(q.Get(field))
		if s == "" {
			p.Form.Set(field, def.Format(time.DateOnly))
			return def
		}
		t, err := time.Parse(time.DateOnly, s)
		if err != nil {
			v.Add(field, fmt.Sprintf("%q is not a date: write it as YYYY-MM-DD, e.g. %s", s, today.Format(time.DateOnly)))
			return def
		}
		return t
	}
	from := day("from", today.AddDate(0, 0, -(deflectionDays-1)))
	last := day("to", today)
	if len(v) == 0 && last.Before(from) {
		v.Add("to", "is before From: choose a day on or after it")
	}
	if len(v) > 0 {
		p.Errors, p.Message = v, "Please correct the dates."
		web.render(w, r, http.StatusUnprocessableEntity, "deflection_report", p)
		return nil
	}
	rows, err := web.Docs.FindDeflection(r.Context(), actor(r), from, last.AddDate(0, 0, 1))
	if err != nil {
		he, status, ok := inputError(err)
		if !ok {
			return err
		}
		p.Errors, p.Message = he.Fields, he.Message
		web.render(w, r, status, "deflection_report", p)
		return nil
	}
	d := deflectionData{From: from, Last: last}
	for _, row := range rows {
		d.Rows = append(d.Rows, deflectionRowView{DeflectionRow: row, Rate: percent(row.Deflected, row.Opened)})
		d.Shown += row.Shown
		d.Opened += row.Opened
		d.Deflected += row.Deflected
		d.Tickets += row.Tickets
	}
	d.Rate = percent(d.Deflected, d.Opened)
	p.Data = d
	web.render(w, r, http.StatusOK, "deflection_report", p)
	return nil
}
