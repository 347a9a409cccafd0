package ticket

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/internal/account"
	"github.com/helpline-dev/helpline/internal/db"
)

// NewTicket is what opening a ticket takes.
type NewTicket struct {
	OrgID       int64        `json:"organization_id,omitempty"`
	Subject     string       `json:"subject"`
	Description string       `json:"description"`
	Priority    Priority     `json:"priority"`
	AppID       int64        `json:"app_id,omitempty"`
	App         string       `json:"app,omitempty"` // an app name, instead of app_id
	Environment Environment  `json:"environment"`
	Category    string       `json:"category"`
	Urgent      *UrgentInput `json:"urgent,omitempty"`
}

// UrgentInput is the information an urgent ticket must carry.
type UrgentInput struct {
	AccessGranted          *bool  `json:"access_granted"`
	AccessExpiresAt        string `json:"access_expires_at,omitempty"` // ISO 8601 with a zone; default a week from now
	UsersAffected          string `json:"users_affected"`
	BusinessImpact         string `json:"business_impact"`
	StepsToReproduce       string `json:"steps_to_reproduce"`
	SeenInStaging          *bool  `json:"seen_in_staging"`
	EnvironmentDifferences string `json:"environment_differences,omitempty"`
	StartedAt              string `json:"started_at"`
	Logs                   string `json:"logs"`
	Config                 string `json:"config"`
	ThirdPartyServices     string `json:"third_party_services"`
}

// Limits on what a ticket may hold.
const (
	MaxSubject = 200
	MaxText    = 64 * 1024 // each urgent field (logs, config, …)
	// MaxMarkdown bounds text rendered as Markdown (descriptions, comments):
	// the renderer slows down sharply on long hostile input.
	MaxMarkdown         = 20000
	MinUrgentDetail     = 80 // "a detailed description"
	MaxAccessGrant      = 30 * 24 * time.Hour
	DefaultAccessGrant  = 7 * 24 * time.Hour
	urgentFieldPrefix   = "urgent."
	msgNeedsTimeZone    = "needs a time zone, e.g. 2015-01-01T12:00:00Z or 2015-01-01 12:00:00 UTC"
	msgBadTimestamp     = "must be an ISO 8601 timestamp with a time zone, e.g. 2015-01-01T12:00:00Z"
	staffAccessPurpose  = "staff may access the app and its add-ons only to work on this ticket"
	urgentProductionMsg = "urgent is reserved for production apps that are down or unusable; pick high for staging or development"
)

var (
	zonedLayouts = []string{time.RFC3339Nano, "2006-01-02 15:04:05Z07:00", "2006-01-02T15:04Z07:00", "2006-01-02 15:04:05 MST", "2006-01-02 15:04 MST"}
	localLayouts = []string{"2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02T15:04", "2006-01-02 15:04", "2006-01-02"}
	hasDigit     = regexp.MustCompile(`[0-9]`)
)

// ParseTimestamp reads an ISO 8601 timestamp that names its time zone and
// returns it in UTC. A timestamp without a zone is refused with a message
// that says so, since guessing the zone delays the response.
func ParseTimestamp(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, l := range zonedLayouts {
		if t, err := time.Parse(l, s); err == nil {
			// time.Parse accepts unknown zone abbreviations as zero offset;
			// only UTC and GMT are unambiguous.
			if strings.Contains(l, "MST") {
				if name, _ := t.Zone(); name != "UTC" && name != "GMT" {
					return time.Time{}, errors.New(msgNeedsTimeZone + " (name the zone as UTC or an offset like +02:00)")
				}
			}
			return t.UTC(), nil
		}
	}
	for _, l := range localLayouts {
		if _, err := time.Parse(l, s); err == nil {
			return time.Time{}, errors.New(msgNeedsTimeZone)
		}
	}
	return time.Time{}, errors.New(msgBadTimestamp)
}

// FormatUTC shows a time the way the seed asks for: 2015-01-01 12:00:00 UTC.
func FormatUTC(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05 UTC") }

func textCheck(v helpline.Validation, field, value string, required bool, min int) {
	n := utf8.RuneCountInString(strings.TrimSpace(value))
	switch {
	case required && n == 0:
		v.Add(field, "is required")
	case n > 0 && n < min:
		v.Add(field, fmt.Sprintf("needs more detail (at least %d characters)", min))
	case len(value) > MaxText:
		v.Add(field, "is too long (at most 64 KB); attach a file instead")
	}
}

func markdownCheck(v helpline.Validation, field, value string) {
	if utf8.RuneCountInString(value) > MaxMarkdown {
		v.Add(field, "is too long (at most 20,000 characters); put logs in the logs field or attach them as a file")
	}
}

// validate checks the input and resolves the organization and app.
func (s *Service) validate(ctx context.Context, actor *helpline.Actor, in *NewTicket) (account.Organization, *account.App, error) {
	var org account.Organization
	v := helpline.Validation{}
	in.Subject = strings.TrimSpace(in.Subject)
	v.Check(in.Subject != "", "subject", "is required")
	v.Check(utf8.RuneCountInString(in.Subject) <= MaxSubject, "subject", "must be at most 200 characters")
	if !in.Priority.Valid() {
		v.Add("priority", "must be urgent, high, normal or low")
	}
	envOK := false
	for _, e := range Environments {
		envOK = envOK || in.Environment == e
	}
	v.Check(envOK, "environment", "must be production, staging or development")
	catOK := false
	for _, c := range Categories {
		catOK = catOK || in.Category == c.Slug
	}
	if in.Category == "" {
		in.Category = "other"
		catOK = true
	}
	v.Check(catOK, "category", "must be one of deploys, runtime, data, addons, networking, account, security, other")
	minDesc := 10
	if in.Priority == Urgent {
		minDesc = MinUrgentDetail
	}
	textCheck(v, "description", in.Description, true, minDesc)
	markdownCheck(v, "description", in.Description)

	// The organization: given, or the only one the customer belongs to.
	ms, err := s.accounts.FindMemberships(ctx, actor.UserID)
	if err != nil {
		return org, nil, err
	}
	switch {
	case in.OrgID != 0:
		for _, m := range ms {
			if m.Org.ID == in.OrgID {
				org = m.Org
			}
		}
		v.Check(org.ID != 0, "organization_id", "is not an organization you belong to")
	case len(ms) == 1:
		org = ms[0].Org
	case len(ms) == 0:
		return org, nil, helpline.Errorf(helpline.KindForbidden, "you need to belong to an organization to open tickets; ask your organization's owner to add you")
	default:
		v.Add("organization_id", "you belong to several organizations: pick one")
	}

	var app *account.App
	if org.ID != 0 && (in.AppID != 0 || in.App != "") {
		apps, err := s.accounts.FindApps(ctx, account.CLI(), org.ID)
		if err != nil {
			return org, nil, err
		}
		for i := range apps {
			if apps[i].ID == in.AppID || (in.AppID == 0 && apps[i].Name == in.App) {
				app = &apps[i]
			}
		}
		field := "app_id"
		if in.AppID == 0 {
			field = "app"
		}
		v.Check(app != nil, field, "is not one of your organization's apps")
	}
	if in.Priority == Urgent {
		if in.Environment != Production && envOK {
			v.Add("priority", urgentProductionMsg)
		}
		if app == nil && in.AppID == 0 && in.App == "" {
			v.Add("app_id", "urgent tickets must name the production app that is affected")
		}
		s.validateUrgent(v, in)
	}
	return org, app, v.Err()
}

func (s *Service) validateUrgent(v helpline.Validation, in *NewTicket) {
	u := in.Urgent
	if u == nil {
		u = &UrgentInput{}
		in.Urgent = u
	}
	f := func(name string) string { return urgentFieldPrefix + name }
	if u.AccessGranted == nil || !*u.AccessGranted {
		v.Add(f("access_granted"), "must be yes: "+staffAccessPurpose+", and urgent work usually needs it")
	}
	now := s.nowUTC()
	if strings.TrimSpace(u.AccessExpiresAt) != "" {
		t, err := ParseTimestamp(u.AccessExpiresAt)
		switch {
		case err != nil:
			v.Add(f("access_expires_at"), err.Error())
		case !t.After(now):
			v.Add(f("access_expires_at"), "must be in the future")
		case t.Sub(now) > MaxAccessGrant:
			v.Add(f("access_expires_at"), "must be within 30 days")
		}
	}
	textCheck(v, f("users_affected"), u.UsersAffected, true, 1)
	if strings.TrimSpace(u.UsersAffected) != "" && !hasDigit.MatchString(u.UsersAffected) {
		v.Add(f("users_affected"), "give a number or a percentage, e.g. 2,000 users or 80%")
	}
	textCheck(v, f("business_impact"), u.BusinessImpact, true, 10)
	textCheck(v, f("steps_to_reproduce"), u.StepsToReproduce, true, 10)
	if u.SeenInStaging == nil {
		v.Add(f("seen_in_staging"), "say whether it also happens in staging or testing")
	} else if !*u.SeenInStaging {
		if strings.TrimSpace(u.EnvironmentDifferences) == "" {
			v.Add(f("environment_differences"), "is required when it does not happen in staging: how do the two environments' configurations differ?")
		}
		textCheck(v, f("environment_differences"), u.EnvironmentDifferences, true, 10)
	}
	if strings.TrimSpace(u.StartedAt) == "" {
		v.Add(f("started_at"), "is required: when did it begin, with a time zone, e.g. 2015-01-01 12:00:00 UTC")
	} else if t, err := ParseTimestamp(u.StartedAt); err != nil {
		v.Add(f("started_at"), err.Error())
	} else if t.After(now.Add(5 * time.Minute)) {
		v.Add(f("started_at"), "is in the future; check the time zone")
	}
	textCheck(v, f("logs"), u.Logs, true, 1)
	textCheck(v, f("config"), u.Config, true, 1)
	textCheck(v, f("third_party_services"), u.ThirdPartyServices, true, 1)
}

// CreateTicket opens a ticket for the actor's organization. Pasted text is
// redacted before it is stored; an urgent ticket records the customer's
// time-limited grant of access to the app.
func (s *Service) CreateTicket(ctx context.Context, actor *helpline.Actor, in NewTicket) (Ticket, error) {
	if actor == nil {
		return Ticket{}, helpline.Errorf(helpline.KindUnauthorized, "sign in first")
	}
	if actor.IsStaff() {
		return Ticket{}, helpline.Errorf(helpline.KindForbidden, "staff cannot open tickets for themselves; customers open tickets")
	}
	return s.createTicket(ctx, actor, in, nil, nil)
}

// OpenForCustomer is staff opening a ticket on a customer's behalf (moving
// an enterprise engagement that turns out to be break/fix into support):
// the customer is the requester and the rules are theirs; the history says
// who opened it and from what (from). also runs in the ticket's
// transaction, so whatever it records commits with the ticket.
func (s *Service) OpenForCustomer(ctx context.Context, staff, customer *helpline.Actor, in NewTicket, from map[string]any, also func(tx *sql.Tx, t Ticket) error) (Ticket, error) {
	if err := staff.RequireStaff(); err != nil {
		return Ticket{}, err
	}
	if customer == nil || customer.IsStaff() {
		return Ticket{}, helpline.Errorf(helpline.KindInvalid, "tickets are opened for customers, not staff")
	}
	t, err := s.createTicket(ctx, customer, in, &opener{staff: staff, from: from}, also)
	if err != nil {
		return t, err
	}
	return s.FindTicketByID(ctx, staff, t.ID)
}

// opener is the staff member who opened a ticket for a customer.
type opener struct {
	staff *helpline.Actor
	from  map[string]any
}

func (s *Service) createTicket(ctx context.Context, actor *helpline.Actor, in NewTicket, by *opener, also func(tx *sql.Tx, t Ticket) error) (Ticket, error) {
	org, app, err := s.validate(ctx, actor, &in)
	if err != nil {
		return Ticket{}, err
	}
	now := s.nowUTC()
	redactions := 0
	red := func(p *string) {
		var n int
		*p, n = s.redact(*p)
		redactions += n
	}
	red(&in.Subject)
	red(&in.Description)
	var urgent *UrgentDetails
	if in.Priority == Urgent {
		u := in.Urgent
		for _, p := range []*string{&u.UsersAffected, &u.BusinessImpact, &u.StepsToReproduce, &u.EnvironmentDifferences, &u.Logs, &u.Config, &u.ThirdPartyServices} {
			red(p)
		}
		started, _ := ParseTimestamp(u.StartedAt)
		expires := now.Add(DefaultAccessGrant)
		if strings.TrimSpace(u.AccessExpiresAt) != "" {
			expires, _ = ParseTimestamp(u.AccessExpiresAt)
		}
		urgent = &UrgentDetails{
			AccessGranted: true, AccessExpiresAt: expires, UsersAffected: u.UsersAffected, BusinessImpact: u.BusinessImpact,
			StepsToReproduce: u.StepsToReproduce, SeenInStaging: *u.SeenInStaging, EnvironmentDifferences: u.EnvironmentDifferences,
			StartedAt: started, Logs: u.Logs, Config: u.Config, ThirdPartyServices: u.ThirdPartyServices,
		}
	}
	var urgentJSON *string
	if urgent != nil {
		b, _ := json.Marshal(urgent)
		s := string(b)
		urgentJSON = &s
	}
	var appID *int64
	if app != nil {
		appID = &app.ID
	}
	planRank := 1
	if org.Plan.IsEnterprise() {
		planRank = 0
	}
	var id int64
	insert := func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `INSERT INTO tickets (number, org_id, requester_id, app_id, subject, description, environment, category,
			status, priority, original_priority, plan_rank, priority_rank, urgent, redactions, created_at, updated_at)
			VALUES ((SELECT coalesce(max(number), 1000) + 1 FROM tickets), $1, $2, $3, $4, $5, $6, $7, $8, $9, $9, $10, $11, $12, $13, $14, $14) RETURNING id`,
			org.ID, actor.UserID, appID, in.Subject, in.Description, in.Environment, in.Category,
			StatusNew, in.Priority, planRank, in.Priority.Rank(), urgentJSON, redactions, now).Scan(&id)
		if err != nil {
			return err
		}
		data := map[string]any{"priority": in.Priority, "redactions": redactions}
		if by != nil {
			data["opened_by"] = by.staff.Name
			for k, v := range by.from {
				data[k] = v
			}
		}
		if err := s.event(ctx, tx, actor, id, "created", true, data); err != nil {
			return err
		}
		if len(s.observers) > 0 || also != nil {
			t, err := s.findTicket(ctx, tx, actor, id)
			if err != nil {
				return err
			}
			if err := s.changed(ctx, tx, Change{Kind: ChangeCreated, Ticket: t, Actor: actor, At: now}); err != nil {
				return err
			}
			if also != nil {
				if err := also(tx, t); err != nil {
					return err
				}
			}
		}
		if urgent != nil {
			if _, err := tx.ExecContext(ctx, `INSERT INTO access_grants (ticket_id, app_id, granted_by, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)`,
				id, appID, actor.UserID, now, urgent.AccessExpiresAt); err != nil {
				return err
			}
			if err := s.accounts.Audit(ctx, tx, actor, "access.granted", "ticket", id, map[string]any{"app_id": appID, "expires_at": urgent.AccessExpiresAt}); err != nil {
				return err
			}
			if err := s.event(ctx, tx, actor, id, "access_granted", true, map[string]any{"expires_at": FormatUTC(urgent.AccessExpiresAt)}); err != nil {
				return err
			}
		}
		return nil
	}
	// Numbers come from max+1; on PostgreSQL two concurrent openings can pick
	// the same one, and the loser simply tries again.
	for attempt := 0; ; attempt++ {
		err = s.db.InTx(ctx, insert)
		if err == nil || attempt == 4 || !db.IsUniqueViolation(err) {
			break
		}
	}
	if err != nil {
		return Ticket{}, err
	}
	return s.FindTicketByID(ctx, actor, id)
}
