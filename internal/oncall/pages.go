package oncall

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base32"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/riverqueue/river"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/internal/account"
	"github.com/helpline-dev/helpline/internal/db"
	"github.com/helpline-dev/helpline/internal/ticket"
)

// Page statuses: a page is triggered until someone acknowledges it, and
// open until someone resolves it.
const (
	StatusTriggered    = "triggered"
	StatusAcknowledged = "acknowledged"
	StatusResolved     = "resolved"
)

// Severities a page may have, as PagerDuty names them.
var Severities = []string{"critical", "error", "warning", "info"}

// Reasons a page was triggered.
const (
	ReasonUrgentTicket = "urgent_ticket"
	ReasonManual       = "manual"
)

// MaxPageMessage bounds what an admin writes when paging by hand.
const MaxPageMessage = 2000

// Page is one alert to the people on call, from trigger to resolution.
type Page struct {
	ID           int64  `json:"id"`
	DedupKey     string `json:"dedup_key"`
	TicketID     *int64 `json:"ticket_id"`
	TicketNumber int64  `json:"ticket_number,omitempty"`
	PolicyID     *int64 `json:"policy_id"`
	PolicyName   string `json:"policy_name,omitempty"`
	Summary      string `json:"summary"`
	Severity     string `json:"severity"`
	Status       string `json:"status"`
	Reason       string `json:"reason"`
	Message      string `json:"message,omitempty"`
	// Level and Cycle say where escalation is: Level 0 of Cycle 0 is the
	// first level the first time through.
	Level      int        `json:"level"`
	Cycle      int        `json:"cycle"`
	EscalateAt *time.Time `json:"escalate_at"`

	TriggeredAt      time.Time  `json:"triggered_at"`
	TriggeredBy      *int64     `json:"triggered_by"`
	TriggeredByName  string     `json:"triggered_by_name,omitempty"`
	AcknowledgedAt   *time.Time `json:"acknowledged_at"`
	AcknowledgedBy   *int64     `json:"acknowledged_by"`
	AcknowledgedName string     `json:"acknowledged_by_name,omitempty"`
	ResolvedAt       *time.Time `json:"resolved_at"`
	ResolvedBy       *int64     `json:"resolved_by"`
	ResolvedName     string     `json:"resolved_by_name,omitempty"`
}

// Open reports whether the page still needs someone: not resolved.
func (p Page) Open() bool { return p.Status != StatusResolved }

// TimeToAcknowledge is how long the page waited for an acknowledgement;
// zero while nobody has acknowledged it.
func (p Page) TimeToAcknowledge() time.Duration {
	if p.AcknowledgedAt == nil {
		return 0
	}
	return p.AcknowledgedAt.Sub(p.TriggeredAt)
}

// LevelNumber is the escalation level as people count it, from 1.
func (p Page) LevelNumber() int { return p.Level + 1 }

// TicketDedupKey is the dedup key of a ticket's page: one open page per ticket.
func TicketDedupKey(ticketID int64) string { return fmt.Sprintf("ticket-%d", ticketID) }

const pageColumns = `p.id, p.dedup_key, p.ticket_id, COALESCE(t.number, 0), p.policy_id, COALESCE(ep.name, ''),
	p.summary, p.severity, p.status, p.reason, p.message, p.level, p.cycle, p.escalate_at,
	p.triggered_at, p.triggered_by, COALESCE(ut.name, ''), p.acknowledged_at, p.acknowledged_by, COALESCE(ua.name, ''),
	p.resolved_at, p.resolved_by, COALESCE(ur.name, '')`

const pageJoins = ` FROM pages p
	LEFT JOIN tickets t ON t.id = p.ticket_id
	LEFT JOIN escalation_policies ep ON ep.id = p.policy_id
	LEFT JOIN users ut ON ut.id = p.triggered_by
	LEFT JOIN users ua ON ua.id = p.acknowledged_by
	LEFT JOIN users ur ON ur.id = p.resolved_by`

type scanner interface{ Scan(dest ...any) error }

func scanPage(r scanner) (Page, error) {
	var p Page
	var ticketID, policyID, trigBy, ackBy, resBy sql.NullInt64
	var escAt, ackAt, resAt sql.NullTime
	err := r.Scan(&p.ID, &p.DedupKey, &ticketID, &p.TicketNumber, &policyID, &p.PolicyName,
		&p.Summary, &p.Severity, &p.Status, &p.Reason, &p.Message, &p.Level, &p.Cycle, &escAt,
		&p.TriggeredAt, &trigBy, &p.TriggeredByName, &ackAt, &ackBy, &p.AcknowledgedName,
		&resAt, &resBy, &p.ResolvedName)
	if err != nil {
		return p, err
	}
	p.TicketID, p.PolicyID = nullID(ticketID), nullID(policyID)
	p.TriggeredBy, p.AcknowledgedBy, p.ResolvedBy = nullID(trigBy), nullID(ackBy), nullID(resBy)
	p.EscalateAt, p.AcknowledgedAt, p.ResolvedAt = db.NullTime(escAt), db.NullTime(ackAt), db.NullTime(resAt)
	p.TriggeredAt = p.TriggeredAt.UTC()
	return p, nil
}

func nullID(n sql.NullInt64) *int64 {
	if !n.Valid {
		return nil
	}
	return &n.Int64
}

func (s *Service) findPage(ctx context.Context, q db.Querier, id int64) (Page, error) {
	p, err := scanPage(q.QueryRowContext(ctx, `SELECT `+pageColumns+pageJoins+` WHERE p.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return p, helpline.NotFound("page")
	}
	return p, err
}

// FindPageByID returns a page; staff only.
func (s *Service) FindPageByID(ctx context.Context, actor *helpline.Actor, id int64) (Page, error) {
	if err := actor.RequireStaff(); err != nil {
		return Page{}, err
	}
	return s.findPage(ctx, s.db, id)
}

// PageFilter narrows a list of pages.
type PageFilter struct {
	Status   string // triggered, acknowledged, resolved, open (not resolved) or "" for all
	TicketID int64
	helpline.Page
}

// FindPages lists pages, newest first; staff only.
func (s *Service) FindPages(ctx context.Context, actor *helpline.Actor, f PageFilter) ([]Page, error) {
	if err := actor.RequireStaff(); err != nil {
		return nil, err
	}
	var conds []string
	var args []any
	switch f.Status {
	case "":
	case "open":
		conds = append(conds, `p.status <> 'resolved'`)
	case StatusTriggered, StatusAcknowledged, StatusResolved:
		args = append(args, f.Status)
		conds = append(conds, fmt.Sprintf(`p.status = $%d`, len(args)))
	default:
		return nil, helpline.Validation{"status": "must be triggered, acknowledged, resolved or open"}.Err()
	}
	if f.TicketID != 0 {
		args = append(args, f.TicketID)
		conds = append(conds, fmt.Sprintf(`p.ticket_id = $%d`, len(args)))
	}
	query := `SELECT ` + pageColumns + pageJoins
	if len(conds) > 0 {
		query += ` WHERE ` + strings.Join(conds, ` AND `)
	}
	pg := f.Page.Normalize()
	args = append(args, pg.Limit, pg.Offset)
	query += fmt.Sprintf(` ORDER BY p.triggered_at DESC, p.id DESC LIMIT $%d OFFSET $%d`, len(args)-1, len(args))
	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	pages := []Page{}
	for rows.Next() {
		p, err := scanPage(rows)
		if err != nil {
			return nil, err
		}
		pages = append(pages, p)
	}
	return pages, rows.Err()
}

// PolicyChoice is an escalation policy as a page form offers it.
type PolicyChoice struct {
	ID          int64  `json:"id"`
	Name        string `json:"name"`
	PagesUrgent bool   `json:"pages_urgent"`
}

// PolicyChoices lists the escalation policies an admin can page, the one
// that pages urgent tickets first.
func (s *Service) PolicyChoices(ctx context.Context, actor *helpline.Actor) ([]PolicyChoice, error) {
	if err := actor.RequireStaff(); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT id, name, pages_urgent FROM escalation_policies ORDER BY pages_urgent DESC, name, id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []PolicyChoice
	for rows.Next() {
		var c PolicyChoice
		if err := rows.Scan(&c.ID, &c.Name, &c.PagesUrgent); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// TicketChanged pages for urgent tickets of paging plans and resolves a
// ticket's page when the ticket is solved or closed. It runs in the ticket
// step's transaction, so the page and its deliveries commit with the step.
func (s *Service) TicketChanged(ctx context.Context, tx *sql.Tx, c ticket.Change) error {
	t := c.Ticket
	switch c.Kind {
	case ticket.ChangeCreated:
		if t.Priority == ticket.Urgent && t.Plan.PagesOnUrgent() {
			return s.pageUrgent(ctx, tx, t)
		}
	case ticket.ChangePriorityChanged:
		if c.To == string(ticket.Urgent) && c.From != string(ticket.Urgent) && t.Plan.PagesOnUrgent() && t.Status.Active() {
			return s.pageUrgent(ctx, tx, t)
		}
	case ticket.ChangeStatusChanged:
		if !ticket.Status(c.To).Active() {
			var id int64
			err := tx.QueryRowContext(ctx, `SELECT id FROM pages WHERE dedup_key = $1 AND status <> 'resolved'`, TicketDedupKey(t.ID)).Scan(&id)
			if errors.Is(err, sql.ErrNoRows) {
				return nil
			}
			if err != nil {
				return err
			}
			var by *int64
			if c.Actor != nil && c.Actor.UserID != 0 {
				by = &c.Actor.UserID
			}
			_, err = s.resolveTx(ctx, tx, id, by, "the ticket was "+c.To)
			return err
		}
	}
	return nil
}

// ticketSummary is a page's one line: "#1234 subject (org, plan)".
func ticketSummary(t ticket.Ticket) string {
	return fmt.Sprintf("#%d %s (%s, %s)", t.Number, t.Subject, t.OrgName, t.Plan.Label())
}

// pageUrgent pages the policy that pages urgent tickets, or records on the
// ticket that nobody was paged and why.
func (s *Service) pageUrgent(ctx context.Context, tx *sql.Tx, t ticket.Ticket) error {
	var policyID int64
	err := tx.QueryRowContext(ctx, `SELECT id FROM escalation_policies WHERE pages_urgent`).Scan(&policyID)
	if errors.Is(err, sql.ErrNoRows) {
		return s.ticketEvent(ctx, tx, t.ID, nil, "page_not_sent", map[string]any{
			"reason": "no escalation policy is set to page urgent tickets; an admin can choose one under On-call → Escalation policies",
		})
	}
	if err != nil {
		return err
	}
	_, _, err = s.trigger(ctx, tx, triggerInput{
		DedupKey: TicketDedupKey(t.ID), TicketID: t.ID, PolicyID: policyID,
		Summary: ticketSummary(t), Severity: "critical", Reason: ReasonUrgentTicket,
	})
	return err
}

// ManualPage is an admin paging on-call about a ticket.
type ManualPage struct {
	PolicyID int64  `json:"policy_id,omitempty"` // 0: the policy that pages urgent tickets
	Severity string `json:"severity,omitempty"`  // default critical
	Message  string `json:"message"`
}

// PageTicket pages an escalation policy about any ticket; admins only. When
// the ticket already has an open page, that page is returned and created is
// false: nobody is paged twice for one ticket.
func (s *Service) PageTicket(ctx context.Context, actor *helpline.Actor, ticketID int64, in ManualPage) (p Page, created bool, err error) {
	if err := actor.RequireAdmin(); err != nil {
		return Page{}, false, err
	}
	in.Message = strings.TrimSpace(in.Message)
	if in.Severity == "" {
		in.Severity = "critical"
	}
	v := helpline.Validation{}
	v.Check(in.Message != "", "message", "say what the person paged should look at")
	v.Check(utf8.RuneCountInString(in.Message) <= MaxPageMessage, "message", fmt.Sprintf("must be at most %d characters", MaxPageMessage))
	v.Check(validSeverity(in.Severity), "severity", "must be critical, error, warning or info")
	if err := v.Err(); err != nil {
		return Page{}, false, err
	}
	err = s.db.InTx(ctx, func(tx *sql.Tx) error {
		var t ticket.Ticket
		var plan string
		err := tx.QueryRowContext(ctx, `SELECT tk.id, tk.number, tk.subject, o.name, o.plan FROM tickets tk JOIN organizations o ON o.id = tk.org_id WHERE tk.id = $1`, ticketID).
			Scan(&t.ID, &t.Number, &t.Subject, &t.OrgName, &plan)
		if errors.Is(err, sql.ErrNoRows) {
			return helpline.NotFound("ticket")
		}
		if err != nil {
			return err
		}
		t.Plan = account.Plan(plan)
		if in.PolicyID == 0 {
			err = tx.QueryRowContext(ctx, `SELECT id FROM escalation_policies WHERE pages_urgent`).Scan(&in.PolicyID)
			if errors.Is(err, sql.ErrNoRows) {
				return helpline.Validation{"policy_id": "choose an escalation policy: none is set to page urgent tickets"}.Err()
			}
		} else {
			var n int
			err = tx.QueryRowContext(ctx, `SELECT count(*) FROM escalation_policies WHERE id = $1`, in.PolicyID).Scan(&n)
			if err == nil && n == 0 {
				return helpline.Validation{"policy_id": "choose an existing escalation policy"}.Err()
			}
		}
		if err != nil {
			return err
		}
		p, created, err = s.trigger(ctx, tx, triggerInput{
			DedupKey: TicketDedupKey(t.ID), TicketID: t.ID, PolicyID: in.PolicyID,
			Summary: ticketSummary(t), Severity: in.Severity, Reason: ReasonManual,
			Message: in.Message, By: &actor.UserID,
		})
		return err
	})
	return p, created, err
}

func validSeverity(s string) bool {
	for _, x := range Severities {
		if s == x {
			return true
		}
	}
	return false
}

type triggerInput struct {
	DedupKey string
	TicketID int64
	PolicyID int64
	Summary  string
	Severity string
	Reason   string
	Message  string
	By       *int64
}

// trigger opens a page and delivers it to the first level, or returns the
// open page with the same dedup key untouched.
func (s *Service) trigger(ctx context.Context, tx *sql.Tx, in triggerInput) (Page, bool, error) {
	now := s.nowUTC()
	var ticketID *int64
	if in.TicketID != 0 {
		ticketID = &in.TicketID
	}
	var id int64
	// The partial unique index on open dedup keys settles races between two
	// processes: the loser inserts nothing and finds the winner's page.
	err := tx.QueryRowContext(ctx, `INSERT INTO pages (dedup_key, ticket_id, policy_id, summary, severity, status, level, cycle, triggered_by, reason, message, triggered_at)
		VALUES ($1, $2, $3, $4, $5, 'triggered', 0, 0, $6, $7, $8, $9)
		ON CONFLICT (dedup_key) WHERE status <> 'resolved' DO NOTHING RETURNING id`,
		in.DedupKey, ticketID, in.PolicyID, in.Summary, in.Severity, in.By, in.Reason, in.Message, now).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		err = tx.QueryRowContext(ctx, `SELECT id FROM pages WHERE dedup_key = $1 AND status <> 'resolved'`, in.DedupKey).Scan(&id)
		if err != nil {
			return Page{}, false, err
		}
		p, err := s.findPage(ctx, tx, id)
		return p, false, err
	}
	if err != nil {
		return Page{}, false, err
	}
	p, err := s.findPage(ctx, tx, id)
	if err != nil {
		return p, false, err
	}
	reached, err := s.deliverLevel(ctx, tx, &p, now)
	if err != nil {
		return p, false, err
	}
	data := map[string]any{"page_id": p.ID, "policy": p.PolicyName, "reason": p.Reason, "reached": reached}
	if p.Message != "" {
		data["message"] = p.Message
	}
	if err := s.ticketEvent(ctx, tx, in.TicketID, in.By, "page_triggered", data); err != nil {
		return p, false, err
	}
	return p, true, nil
}

// policyRepeats returns how many more times a policy runs its levels.
func policyRepeats(ctx context.Context, q db.Querier, policyID *int64) (int, error) {
	if policyID == nil {
		return 0, nil
	}
	var n int
	err := q.QueryRowContext(ctx, `SELECT repeats FROM escalation_policies WHERE id = $1`, *policyID).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return n, err
}

// deliverLevel queues the page to everyone at its current level and sets
// when that level times out. It returns the names of the people reached.
func (s *Service) deliverLevel(ctx context.Context, tx *sql.Tx, p *Page, now time.Time) ([]string, error) {
	var levels []Level
	if p.PolicyID != nil {
		var err error
		if levels, err = s.policyLevels(ctx, tx, *p.PolicyID); err != nil {
			return nil, err
		}
	}
	repeats, err := policyRepeats(ctx, tx, p.PolicyID)
	if err != nil {
		return nil, err
	}
	reached := []string{}
	var escalateAt *time.Time
	if p.Level < len(levels) {
		lv := levels[p.Level]
		if p.Level+1 < len(levels) || p.Cycle < repeats {
			at := now.Add(time.Duration(lv.DelayMinutes) * time.Minute)
			escalateAt = &at
		}
		users, err := s.levelUsers(ctx, tx, lv, now)
		if err != nil {
			return nil, err
		}
		for _, uid := range users {
			name, err := s.deliverToUser(ctx, tx, p, uid, now)
			if err != nil {
				return nil, err
			}
			reached = append(reached, name)
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE pages SET escalate_at = $1 WHERE id = $2`, escalateAt, p.ID); err != nil {
		return nil, err
	}
	p.EscalateAt = escalateAt
	return reached, nil
}

// levelUsers resolves a level's targets to people, each once, in order.
func (s *Service) levelUsers(ctx context.Context, tx *sql.Tx, lv Level, now time.Time) ([]int64, error) {
	seen := map[int64]bool{}
	var users []int64
	for _, tg := range lv.Targets {
		var ids []int64
		switch {
		case tg.UserID != nil:
			ids = []int64{*tg.UserID}
		case tg.ScheduleID != nil:
			var err error
			if ids, err = s.usersOnCall(ctx, tx, *tg.ScheduleID, now); err != nil {
				return nil, err
			}
		}
		for _, id := range ids {
			if !seen[id] {
				seen[id] = true
				users = append(users, id)
			}
		}
	}
	return users, nil
}

// deliverToUser queues a trigger to each of a user's contact methods, or to
// their account email when they have none.
func (s *Service) deliverToUser(ctx context.Context, tx *sql.Tx, p *Page, userID int64, now time.Time) (string, error) {
	var name, email string
	if err := tx.QueryRowContext(ctx, `SELECT name, email FROM users WHERE id = $1`, userID).Scan(&name, &email); err != nil {
		return "", fmt.Errorf("page %d: user %d: %w", p.ID, userID, err)
	}
	methods, err := s.contactMethodsOf(ctx, tx, userID)
	if err != nil {
		return "", err
	}
	if len(methods) == 0 {
		methods = []ContactMethod{{UserID: userID, Kind: "email", Address: email}}
	}
	for _, m := range methods {
		if err := s.queueDelivery(ctx, tx, p, userID, m, "trigger", now); err != nil {
			return "", err
		}
	}
	return name, nil
}

// DeliverPageArgs is the job that sends one delivery of a page.
type DeliverPageArgs struct {
	DeliveryID int64 `json:"delivery_id"`
	// Token is the acknowledge link's secret for trigger deliveries; the
	// database keeps only its hash, and the job row is removed once done.
	Token string `json:"token,omitempty"`
}

// Kind names the job for River.
func (DeliverPageArgs) Kind() string { return "deliver_page" }

// InsertOpts puts pages on their own queue, so a backlog of emails never
// delays them, with retries for about three weeks of River's backoff: a
// channel that is down delays a page, it never loses it.
func (DeliverPageArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: "pages", MaxAttempts: 25}
}

// newToken returns an acknowledge link's secret and the hash we store.
func newToken() (token, hash string, err error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", "", err
	}
	token = strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))
	return token, hashToken(token), nil
}

func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

func (s *Service) queueDelivery(ctx context.Context, tx *sql.Tx, p *Page, userID int64, m ContactMethod, event string, now time.Time) error {
	var token, hash string
	var tokenHash *string
	if event == "trigger" {
		var err error
		if token, hash, err = newToken(); err != nil {
			return err
		}
		tokenHash = &hash
	}
	var methodID *int64
	if m.ID != 0 {
		methodID = &m.ID
	}
	var id int64
	err := tx.QueryRowContext(ctx, `INSERT INTO page_deliveries (page_id, user_id, contact_method_id, kind, address, event, level, cycle, token_hash, status, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'queued', $10)
		ON CONFLICT (page_id, contact_method_id, event, level, cycle) DO NOTHING RETURNING id`,
		p.ID, userID, methodID, m.Kind, m.Address, event, p.Level, p.Cycle, tokenHash, now).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil // this method already has this message
	}
	if err != nil {
		return err
	}
	if s.jobs == nil {
		return errors.New("oncall: no job inserter to deliver pages")
	}
	_, err = s.jobs.InsertTx(ctx, tx, DeliverPageArgs{DeliveryID: id, Token: token}, nil)
	return err
}

// ticketEvent records a staff-only step on a page's ticket.
func (s *Service) ticketEvent(ctx context.Context, tx *sql.Tx, ticketID int64, actorID *int64, kind string, data map[string]any) error {
	if ticketID == 0 {
		return nil
	}
	b, err := json.Marshal(data)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO ticket_events (ticket_id, actor_id, kind, public, data, created_at) VALUES ($1, $2, $3, $4, $5, $6)`,
		ticketID, actorID, kind, false, string(b), s.nowUTC())
	return err
}

// Acknowledge stops a page's escalation: someone is on it. Acknowledging an
// acknowledged page changes nothing; a resolved one is a conflict.
func (s *Service) Acknowledge(ctx context.Context, actor *helpline.Actor, pageID int64) (Page, error) {
	if err := actor.RequireStaff(); err != nil {
		return Page{}, err
	}
	var p Page
	err := s.db.InTx(ctx, func(tx *sql.Tx) error {
		var err error
		p, err = s.acknowledgeTx(ctx, tx, pageID, actor.UserID)
		return err
	})
	return p, err
}

// Resolve closes a page; resolving a resolved page changes nothing.
func (s *Service) Resolve(ctx context.Context, actor *helpline.Actor, pageID int64) (Page, error) {
	if err := actor.RequireStaff(); err != nil {
		return Page{}, err
	}
	var p Page
	err := s.db.InTx(ctx, func(tx *sql.Tx) error {
		var err error
		p, err = s.resolveTx(ctx, tx, pageID, &actor.UserID, "")
		return err
	})
	return p, err
}

func (s *Service) acknowledgeTx(ctx context.Context, tx *sql.Tx, pageID, userID int64) (Page, error) {
	now := s.nowUTC()
	res, err := tx.ExecContext(ctx, `UPDATE pages SET status = 'acknowledged', acknowledged_at = $1, acknowledged_by = $2, escalate_at = NULL
		WHERE id = $3 AND status = 'triggered'`, now, userID, pageID)
	if err != nil {
		return Page{}, err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return Page{}, err
	}
	p, err := s.findPage(ctx, tx, pageID)
	if err != nil || n == 0 {
		if err == nil && p.Status == StatusResolved {
			err = helpline.Errorf(helpline.KindConflict, "Page %d is already resolved.", pageID)
		}
		return p, err
	}
	if err := s.followUp(ctx, tx, &p, "acknowledge", now); err != nil {
		return p, err
	}
	return p, s.ticketEvent(ctx, tx, ticketIDOf(p), &userID, "page_acknowledged", map[string]any{
		"page_id": p.ID, "seconds_to_acknowledge": int64(p.TimeToAcknowledge() / time.Second),
	})
}

// resolveTx resolves a page; by may be nil (the system), why says what
// resolved it when it was not a person's click.
func (s *Service) resolveTx(ctx context.Context, tx *sql.Tx, pageID int64, by *int64, why string) (Page, error) {
	now := s.nowUTC()
	res, err := tx.ExecContext(ctx, `UPDATE pages SET status = 'resolved', resolved_at = $1, resolved_by = $2, escalate_at = NULL
		WHERE id = $3 AND status <> 'resolved'`, now, by, pageID)
	if err != nil {
		return Page{}, err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return Page{}, err
	}
	p, err := s.findPage(ctx, tx, pageID)
	if err != nil || n == 0 {
		return p, err
	}
	if err := s.followUp(ctx, tx, &p, "resolve", now); err != nil {
		return p, err
	}
	data := map[string]any{"page_id": p.ID}
	if why != "" {
		data["reason"] = why
	}
	return p, s.ticketEvent(ctx, tx, ticketIDOf(p), by, "page_resolved", data)
}

func ticketIDOf(p Page) int64 {
	if p.TicketID == nil {
		return 0
	}
	return *p.TicketID
}

// followUp tells the PagerDuty and webhook methods that got the page's
// trigger that it was acknowledged or resolved, so their incident follows.
// Email gets nothing: nobody wants a second email saying it is handled.
func (s *Service) followUp(ctx context.Context, tx *sql.Tx, p *Page, event string, now time.Time) error {
	rows, err := tx.QueryContext(ctx, `SELECT d.contact_method_id, MIN(d.user_id), MIN(d.kind), MIN(d.address), COALESCE(MIN(c.secret), '')
		FROM page_deliveries d LEFT JOIN contact_methods c ON c.id = d.contact_method_id
		WHERE d.page_id = $1 AND d.event = 'trigger' AND d.kind IN ('pagerduty', 'webhook') AND d.contact_method_id IS NOT NULL
		GROUP BY d.contact_method_id ORDER BY d.contact_method_id`, p.ID)
	if err != nil {
		return err
	}
	type target struct {
		userID int64
		m      ContactMethod
	}
	var targets []target
	for rows.Next() {
		var tg target
		var uid sql.NullInt64
		if err := rows.Scan(&tg.m.ID, &uid, &tg.m.Kind, &tg.m.Address, &tg.m.Secret); err != nil {
			rows.Close()
			return err
		}
		tg.userID = uid.Int64
		targets = append(targets, tg)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, tg := range targets {
		if err := s.queueDelivery(ctx, tx, p, tg.userID, tg.m, event, now); err != nil {
			return err
		}
	}
	return nil
}

// PageLink is what an acknowledge link opens: the page and who it was
// sent to, who acts when the link's buttons are pressed.
type PageLink struct {
	Page     Page
	UserID   int64
	UserName string
}

func (s *Service) findLink(ctx context.Context, q db.Querier, token string) (PageLink, error) {
	var l PageLink
	var uid sql.NullInt64
	var pageID int64
	err := q.QueryRowContext(ctx, `SELECT d.page_id, d.user_id, COALESCE(u.name, '') FROM page_deliveries d LEFT JOIN users u ON u.id = d.user_id WHERE d.token_hash = $1`,
		hashToken(token)).Scan(&pageID, &uid, &l.UserName)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !uid.Valid) {
		return l, helpline.NotFound("page link")
	}
	if err != nil {
		return l, err
	}
	l.UserID = uid.Int64
	l.Page, err = s.findPage(ctx, q, pageID)
	return l, err
}

// FindPageByToken returns what an acknowledge link points at. It changes
// nothing: mail scanners open links before people do.
func (s *Service) FindPageByToken(ctx context.Context, token string) (PageLink, error) {
	return s.findLink(ctx, s.db, token)
}

// AcknowledgeByToken acknowledges a page as the person its link was sent to.
func (s *Service) AcknowledgeByToken(ctx context.Context, token string) (PageLink, error) {
	var l PageLink
	err := s.db.InTx(ctx, func(tx *sql.Tx) error {
		var err error
		if l, err = s.findLink(ctx, tx, token); err != nil {
			return err
		}
		l.Page, err = s.acknowledgeTx(ctx, tx, l.Page.ID, l.UserID)
		return err
	})
	return l, err
}

// ResolveByToken resolves a page as the person its link was sent to.
func (s *Service) ResolveByToken(ctx context.Context, token string) (PageLink, error) {
	var l PageLink
	err := s.db.InTx(ctx, func(tx *sql.Tx) error {
		var err error
		if l, err = s.findLink(ctx, tx, token); err != nil {
			return err
		}
		l.Page, err = s.resolveTx(ctx, tx, l.Page.ID, &l.UserID, "")
		return err
	})
	return l, err
}
