package client

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/url"
	"strconv"
	"time"
)

// Engagement is an enterprise customer's request for the CSA team's help:
// high-traffic event preparation, performance analysis or architecture
// review.
type Engagement struct {
	ID               int64  `json:"id"`
	OrganizationID   int64  `json:"organization_id"`
	OrganizationName string `json:"organization_name"`
	Plan             string `json:"plan"`
	RequesterID      int64  `json:"requester_id"`
	RequesterName    string `json:"requester_name"`
	Kind             string `json:"kind"`  // event, performance or architecture
	Title            string `json:"title"` // made from the request
	// State is requested, scheduled, in_progress, delivered or closed.
	State     string `json:"state"`
	OwnerID   *int64 `json:"owner_id"`
	OwnerName string `json:"owner_name,omitempty"`
	// One of the three is set, for the kind; none when the engagement came
	// from a ticket, whose text is the Summary.
	Event        *EventDetails        `json:"event,omitempty"`
	Performance  *PerformanceDetails  `json:"performance,omitempty"`
	Architecture *ArchitectureDetails `json:"architecture,omitempty"`
	Summary      string               `json:"summary,omitempty"`
	EventAt      *time.Time           `json:"event_at,omitempty"`
	// BreakFixSignals are the outage signs the customer confirmed were not
	// an outage (NotBreakFix) when requesting.
	BreakFixSignals  []BreakFixSignal `json:"break_fix_signals,omitempty"`
	TicketNumber     *int64           `json:"ticket_number,omitempty"`      // the ticket it became
	FromTicketNumber *int64           `json:"from_ticket_number,omitempty"` // the ticket it came from
	CreatedAt        time.Time        `json:"created_at"`
	UpdatedAt        time.Time        `json:"updated_at"`
	ClosedAt         *time.Time       `json:"closed_at,omitempty"`
}

// EventDetails is a high-traffic event as requested.
type EventDetails struct {
	Name                string    `json:"name"`
	StartsAt            time.Time `json:"starts_at"`
	TimeZone            string    `json:"time_zone,omitempty"`
	PeakRPS             int       `json:"peak_rps"`
	PeakConcurrentUsers int       `json:"peak_concurrent_users"`
	Apps                []string  `json:"apps"`
	DynoFormation       string    `json:"dyno_formation"`
	DatabasePlan        string    `json:"database_plan"`
	Concerns            string    `json:"concerns"`
}

// PerformanceDetails is a performance analysis as requested.
type PerformanceDetails struct {
	Apps     []string  `json:"apps"`
	Symptoms string    `json:"symptoms"`
	Metrics  string    `json:"metrics"`
	Since    time.Time `json:"since"`
}

// ArchitectureDetails is an architecture review as requested.
type ArchitectureDetails struct {
	Goal          string `json:"goal"`
	CurrentDesign string `json:"current_design"`
	Constraints   string `json:"constraints"`
	Deadline      string `json:"deadline"` // 2006-01-02
}

// BreakFixSignal is one sign that a request describes a current outage.
type BreakFixSignal struct {
	Field  string `json:"field"`
	Reason string `json:"reason"`
}

// EngagementActivity is one step of an engagement's history: a message, a
// state change, a meeting, a deliverable.
type EngagementActivity struct {
	ID        int64          `json:"id"`
	Kind      string         `json:"kind"`
	ActorID   *int64         `json:"actor_id"`
	ActorName string         `json:"actor_name"`
	ActorRole string         `json:"actor_role,omitempty"`
	Body      string         `json:"body,omitempty"`
	Internal  bool           `json:"internal"`
	Data      map[string]any `json:"data,omitempty"`
	CreatedAt time.Time      `json:"created_at"`
}

// Meeting is a call or workshop of an engagement.
type Meeting struct {
	ID              int64     `json:"id"`
	EngagementID    int64     `json:"engagement_id"`
	Title           string    `json:"title"`
	StartsAt        time.Time `json:"starts_at"`
	TimeZone        string    `json:"time_zone"`
	DurationMinutes int       `json:"duration_minutes"`
	Notes           string    `json:"notes"`
	CreatedAt       time.Time `json:"created_at"`
	UpdatedAt       time.Time `json:"updated_at"`
}

// Deliverable is what the CSA team hands over: a file or an article.
type Deliverable struct {
	ID           int64     `json:"id"`
	EngagementID int64     `json:"engagement_id"`
	Title        string    `json:"title"`
	Kind         string    `json:"kind"` // file or article
	ArticleSlug  string    `json:"article_slug,omitempty"`
	ArticleURL   string    `json:"article_url,omitempty"`
	Filename     string    `json:"filename,omitempty"`
	ContentType  string    `json:"content_type,omitempty"`
	Size         int64     `json:"size,omitempty"`
	SHA256       string    `json:"sha256,omitempty"`
	CreatedBy    string    `json:"created_by"`
	CreatedAt    time.Time `json:"created_at"`
}

// Reminder is one of an event's reminders (a week and a day before).
type Reminder struct {
	Kind   string     `json:"kind"` // week or day
	DueAt  time.Time  `json:"due_at"`
	SentAt *time.Time `json:"sent_at"`
}

// EngagementDetail is an engagement with its history, meetings,
// deliverables and reminders; staff also get the organization's apps and
// recent tickets.
type EngagementDetail struct {
	Engagement
	Activity      []EngagementActivity `json:"activity"`
	Meetings      []Meeting            `json:"meetings"`
	Deliverables  []Deliverable        `json:"deliverables"`
	Reminders     []Reminder           `json:"reminders"`
	Apps          []App                `json:"apps,omitempty"`
	RecentTickets []Ticket             `json:"recent_tickets,omitempty"`
}

// EngagementRequest asks the CSA team for help: the kind, and that kind's
// form (the field named like the kind).
type EngagementRequest struct {
	// OrganizationID is needed when the caller belongs to several
	// enterprise organizations.
	OrganizationID int64              `json:"organization_id,omitempty"`
	Kind           string             `json:"kind"`
	Event          *EventInput        `json:"event,omitempty"`
	Performance    *PerformanceInput  `json:"performance,omitempty"`
	Architecture   *ArchitectureInput `json:"architecture,omitempty"`
	// NotBreakFix confirms that a request which reads like an outage is
	// not one; without it such a request is refused (see BreakFix).
	NotBreakFix bool `json:"not_break_fix,omitempty"`
}

// EventInput is the high-traffic event preparation form.
type EventInput struct {
	Name string `json:"name"`
	// StartsAt is ISO 8601 with an offset (2027-03-01T09:00:00-05:00) or a
	// local time (2027-03-01T09:00) in TimeZone.
	StartsAt            string   `json:"starts_at"`
	TimeZone            string   `json:"time_zone,omitempty"`
	PeakRPS             int      `json:"peak_rps"`
	PeakConcurrentUsers int      `json:"peak_concurrent_users"`
	Apps                []string `json:"apps"`
	DynoFormation       string   `json:"dyno_formation"`
	DatabasePlan        string   `json:"database_plan"`
	Concerns            string   `json:"concerns"`
}

// PerformanceInput is the application performance analysis form.
type PerformanceInput struct {
	Apps     []string `json:"apps"`
	Symptoms string   `json:"symptoms"`
	Metrics  string   `json:"metrics"`
	Since    string   `json:"since"` // ISO 8601 with a time zone
}

// ArchitectureInput is the architecture review form.
type ArchitectureInput struct {
	Goal          string `json:"goal"`
	CurrentDesign string `json:"current_design"`
	Constraints   string `json:"constraints"`
	Deadline      string `json:"deadline"` // 2006-01-02
}

// EngagementFilter narrows ListEngagements.
type EngagementFilter struct {
	State          string // open, requested, scheduled, in_progress, delivered, closed or "" (all)
	Kind           string // event, performance, architecture or ""
	Owner          string // me, none, a user ID or "" (anyone)
	OrganizationID int64
	Page
}

// EngagementUpdate changes an engagement (the CSA team): its state, with a
// note the customer reads (required to close), and/or its owner (a pointer
// to 0 clears it). Nil and empty fields are left out.
type EngagementUpdate struct {
	State   string `json:"state,omitempty"`
	Note    string `json:"note,omitempty"`
	OwnerID *int64 `json:"owner_id,omitempty"`
}

// MeetingInput schedules a meeting or records its notes.
type MeetingInput struct {
	Title string `json:"title"`
	// StartsAt is ISO 8601 with an offset, or a local time in TimeZone.
	StartsAt        string `json:"starts_at"`
	TimeZone        string `json:"time_zone,omitempty"`        // IANA; default UTC
	DurationMinutes int    `json:"duration_minutes,omitempty"` // 5 to 480; default 60
	Notes           string `json:"notes,omitempty"`
}

// DeliverableFile is a downloaded file deliverable.
type DeliverableFile struct {
	Filename    string
	ContentType string
	Data        []byte
}

// Architect is a member of the CSA team who can own engagements.
type Architect struct {
	ID        int64  `json:"id"`
	Name      string `json:"name"`
	Email     string `json:"email"`
	StaffRole string `json:"staff_role"`
}

// Collection is a set of articles the CSA team arranges for enterprise
// customers.
type Collection struct {
	ID          int64            `json:"id"`
	Slug        string           `json:"slug"`
	Title       string           `json:"title"`
	Description string           `json:"description"`
	Position    int              `json:"position"`
	Items       []CollectionItem `json:"items"`
	CreatedAt   time.Time        `json:"created_at"`
	UpdatedAt   time.Time        `json:"updated_at"`
}

// CollectionItem is an article in a collection, in the collection's order.
type CollectionItem struct {
	ArticleID int64  `json:"article_id"`
	Slug      string `json:"slug"`
	Title     string `json:"title"`
	Summary   string `json:"summary"`
	URL       string `json:"url"`
	Audience  string `json:"audience"`
	Published bool   `json:"published"`
	Note      string `json:"note,omitempty"`
	Position  int    `json:"position"`
}

// CollectionInput creates a collection.
type CollectionInput struct {
	Title       string `json:"title"`
	Description string `json:"description,omitempty"`
	Position    int    `json:"position,omitempty"` // lower comes first
}

// CollectionUpdate changes a collection; nil fields keep their value.
type CollectionUpdate struct {
	Title       *string `json:"title,omitempty"`
	Description *string `json:"description,omitempty"`
	Position    *int    `json:"position,omitempty"`
}

// EnterpriseResources are the enterprise portal's curated collections and
// every published enterprise-audience article.
type EnterpriseResources struct {
	Collections []Collection `json:"collections"`
	Resources   []Article    `json:"resources"`
}

// CalendarEntry is something coming that staff should know of: a
// customer's high-traffic event, an engagement meeting or scheduled
// maintenance.
type CalendarEntry struct {
	Kind             string     `json:"kind"` // event, meeting or maintenance
	Title            string     `json:"title"`
	StartsAt         time.Time  `json:"starts_at"`
	EndsAt           *time.Time `json:"ends_at,omitempty"`
	OrganizationName string     `json:"organization_name,omitempty"`
	Plan             string     `json:"plan,omitempty"`
	EngagementID     int64      `json:"engagement_id,omitempty"`
	OwnerName        string     `json:"owner_name,omitempty"`
	Detail           string     `json:"detail,omitempty"`
	URL              string     `json:"url"`
}

// Calendar is the staff calendar between two times.
type Calendar struct {
	From    time.Time       `json:"from"`
	To      time.Time       `json:"to"`
	Entries []CalendarEntry `json:"entries"`
}

// BreakFix returns the API error when err is the refusal of an engagement
// request that reads like a current outage (code "break_fix"): its Fields
// name each sign (field → reason), Hint says what to do, and UrgentTicket
// is the urgent ticket filled in from the request. Send the request again
// with NotBreakFix, or complete the ticket and open it with CreateTicket.
func BreakFix(err error) (*Error, bool) {
	var e *Error
	if errors.As(err, &e) && e.Code == "break_fix" {
		return e, true
	}
	return nil, false
}

func engagementPath(id int64, rest string) string {
	return "/api/v1/engagements/" + strconv.FormatInt(id, 10) + rest
}

// ListEngagements lists engagements, the ones needing attention first:
// customers see their organizations', staff all of them (the CSA queue).
func (c *Client) ListEngagements(ctx context.Context, f EngagementFilter) ([]Engagement, error) {
	q := url.Values{}
	for k, v := range map[string]string{"state": f.State, "kind": f.Kind, "owner": f.Owner} {
		if v != "" {
			q.Set(k, v)
		}
	}
	if f.OrganizationID != 0 {
		q.Set("organization_id", strconv.FormatInt(f.OrganizationID, 10))
	}
	var out struct {
		Engagements []Engagement `json:"engagements"`
	}
	err := c.Do(ctx, "GET", "/api/v1/engagements"+f.Page.query(q), nil, &out)
	return out.Engagements, err
}

// RequestEngagement asks the CSA team for help (customers of enterprise
// plans). A request that reads like an outage is refused: see BreakFix.
func (c *Client) RequestEngagement(ctx context.Context, in EngagementRequest) (Engagement, error) {
	var out Engagement
	err := c.Do(ctx, "POST", "/api/v1/engagements", in, &out)
	return out, err
}

// UpdateEngagementRequest replaces an engagement's form (the kind stays):
// the event moved, the apps changed.
func (c *Client) UpdateEngagementRequest(ctx context.Context, id int64, in EngagementRequest) (Engagement, error) {
	var out Engagement
	err := c.Do(ctx, "PUT", engagementPath(id, "/request"), in, &out)
	return out, err
}

// GetEngagement returns an engagement with everything its page shows.
func (c *Client) GetEngagement(ctx context.Context, id int64) (EngagementDetail, error) {
	var out EngagementDetail
	err := c.Do(ctx, "GET", engagementPath(id, ""), nil, &out)
	return out, err
}

// UpdateEngagement changes an engagement's state and/or owner (the CSA
// team).
func (c *Client) UpdateEngagement(ctx context.Context, id int64, in EngagementUpdate) (Engagement, error) {
	var out Engagement
	err := c.Do(ctx, "PATCH", engagementPath(id, ""), in, &out)
	return out, err
}

// SetEngagementState moves an engagement to another state; closing needs
// a note.
func (c *Client) SetEngagementState(ctx context.Context, id int64, state, note string) (Engagement, error) {
	return c.UpdateEngagement(ctx, id, EngagementUpdate{State: state, Note: note})
}

// AssignEngagement makes a solutions architect (or an admin) the owner; 0
// clears the owner.
func (c *Client) AssignEngagement(ctx context.Context, id, ownerID int64) (Engagement, error) {
	return c.UpdateEngagement(ctx, id, EngagementUpdate{OwnerID: &ownerID})
}

// WithdrawEngagement is a customer taking back a request nobody has
// started on.
func (c *Client) WithdrawEngagement(ctx context.Context, id int64, reason string) (Engagement, error) {
	var out Engagement
	err := c.Do(ctx, "POST", engagementPath(id, "/withdraw"), map[string]string{"reason": reason}, &out)
	return out, err
}

// CommentEngagement adds a message; internal notes are for staff.
func (c *Client) CommentEngagement(ctx context.Context, id int64, body string, internal bool) (EngagementActivity, error) {
	var out EngagementActivity
	err := c.Do(ctx, "POST", engagementPath(id, "/comments"), map[string]any{"body": body, "internal": internal}, &out)
	return out, err
}

// AddMeeting schedules a meeting of an engagement (the CSA team).
func (c *Client) AddMeeting(ctx context.Context, id int64, in MeetingInput) (Meeting, error) {
	var out Meeting
	err := c.Do(ctx, "POST", engagementPath(id, "/meetings"), in, &out)
	return out, err
}

// UpdateMeeting moves a meeting or records its notes (the CSA team).
func (c *Client) UpdateMeeting(ctx context.Context, id, meetingID int64, in MeetingInput) (Meeting, error) {
	var out Meeting
	err := c.Do(ctx, "PUT", engagementPath(id, fmt.Sprintf("/meetings/%d", meetingID)), in, &out)
	return out, err
}

// DeliverArticle hands a published Dev Center article over as a
// deliverable; an empty title takes the article's.
func (c *Client) DeliverArticle(ctx context.Context, id int64, title, articleSlug string) (Deliverable, error) {
	var out Deliverable
	err := c.Do(ctx, "POST", engagementPath(id, "/deliverables"), map[string]string{"title": title, "article_slug": articleSlug}, &out)
	return out, err
}

// DeliverFile uploads a file as a deliverable; an empty title takes the
// file name.
func (c *Client) DeliverFile(ctx context.Context, id int64, title, filename string, content io.Reader) (Deliverable, error) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	if title != "" {
		if err := mw.WriteField("title", title); err != nil {
			return Deliverable{}, err
		}
	}
	fw, err := mw.CreateFormFile("file", filename)
	if err != nil {
		return Deliverable{}, err
	}
	if _, err := io.Copy(fw, content); err != nil {
		return Deliverable{}, err
	}
	if err := mw.Close(); err != nil {
		return Deliverable{}, err
	}
	var out Deliverable
	err = c.do(ctx, "POST", engagementPath(id, "/deliverables"), mw.FormDataContentType(), &buf, &out)
	return out, err
}

// DownloadDeliverable returns a file deliverable of an engagement the
// caller may see.
func (c *Client) DownloadDeliverable(ctx context.Context, id int64) (DeliverableFile, error) {
	data, h, err := c.downloadWithHeader(ctx, fmt.Sprintf("/api/v1/deliverables/%d", id))
	if err != nil {
		return DeliverableFile{}, err
	}
	f := DeliverableFile{ContentType: h.Get("Content-Type"), Data: data}
	if _, params, err := mime.ParseMediaType(h.Get("Content-Disposition")); err == nil {
		f.Filename = params["filename"]
	}
	return f, nil
}

// EngagementToTicket moves an engagement that turned out to be break/fix
// to Support (the CSA team): a ticket opens for the requester and the
// engagement closes. Priority is high (default), normal or low.
func (c *Client) EngagementToTicket(ctx context.Context, id int64, priority, note string) (Ticket, error) {
	body := map[string]string{"note": note}
	if priority != "" {
		body["priority"] = priority
	}
	var out Ticket
	err := c.Do(ctx, "POST", engagementPath(id, "/ticket"), body, &out)
	return out, err
}

// TicketToEngagement moves the ticket with ID ticketID (not its number)
// from Support to the CSA team (staff): the ticket is solved with the note
// as a reply and an engagement of kind opens for its requester.
func (c *Client) TicketToEngagement(ctx context.Context, ticketID int64, kind, note string) (Engagement, error) {
	var out Engagement
	err := c.Do(ctx, "POST", fmt.Sprintf("/api/v1/tickets/%d/engagement", ticketID), map[string]string{"kind": kind, "note": note}, &out)
	return out, err
}

// Architects lists who may own engagements (staff).
func (c *Client) Architects(ctx context.Context) ([]Architect, error) {
	var out struct {
		Architects []Architect `json:"architects"`
	}
	err := c.Do(ctx, "GET", "/api/v1/architects", nil, &out)
	return out.Architects, err
}

// EnterpriseResources returns the curated collections and the enterprise
// articles (customers of enterprise plans, and staff).
func (c *Client) EnterpriseResources(ctx context.Context) (EnterpriseResources, error) {
	var out EnterpriseResources
	err := c.Do(ctx, "GET", "/api/v1/enterprise/collections", nil, &out)
	return out, err
}

func collectionPath(id int64, rest string) string {
	return "/api/v1/enterprise/collections/" + strconv.FormatInt(id, 10) + rest
}

// CreateCollection adds a collection (the CSA team).
func (c *Client) CreateCollection(ctx context.Context, in CollectionInput) (Collection, error) {
	var out Collection
	err := c.Do(ctx, "POST", "/api/v1/enterprise/collections", in, &out)
	return out, err
}

// UpdateCollection renames, describes or reorders a collection.
func (c *Client) UpdateCollection(ctx context.Context, id int64, in CollectionUpdate) (Collection, error) {
	var out Collection
	err := c.Do(ctx, "PATCH", collectionPath(id, ""), in, &out)
	return out, err
}

// DeleteCollection removes a collection; its articles stay.
func (c *Client) DeleteCollection(ctx context.Context, id int64) error {
	return c.Do(ctx, "DELETE", collectionPath(id, ""), nil, nil)
}

// AddCollectionItem puts an article at the end of a collection, with a
// note on why.
func (c *Client) AddCollectionItem(ctx context.Context, id int64, articleSlug, note string) (Collection, error) {
	var out Collection
	err := c.Do(ctx, "POST", collectionPath(id, "/items"), map[string]string{"article_slug": articleSlug, "note": note}, &out)
	return out, err
}

// RemoveCollectionItem takes an article out of a collection.
func (c *Client) RemoveCollectionItem(ctx context.Context, id, articleID int64) (Collection, error) {
	var out Collection
	err := c.Do(ctx, "DELETE", collectionPath(id, fmt.Sprintf("/items/%d", articleID)), nil, &out)
	return out, err
}

// MoveCollectionItem moves an article one place "up" or "down".
func (c *Client) MoveCollectionItem(ctx context.Context, id, articleID int64, direction string) (Collection, error) {
	var out Collection
	err := c.Do(ctx, "POST", collectionPath(id, fmt.Sprintf("/items/%d/move", articleID)), map[string]string{"direction": direction}, &out)
	return out, err
}

// Calendar lists customers' events, engagement meetings and scheduled
// maintenance between from and to (staff). Each is a day (2026-03-01; a
// day for to includes that day) or an RFC 3339 time; empty from is now,
// empty to 30 days after from.
func (c *Client) Calendar(ctx context.Context, from, to string) (Calendar, error) {
	q := url.Values{}
	if from != "" {
		q.Set("from", from)
	}
	if to != "" {
		q.Set("to", to)
	}
	path := "/api/v1/calendar"
	if len(q) > 0 {
		path += "?" + q.Encode()
	}
	var out Calendar
	err := c.Do(ctx, "GET", path, nil, &out)
	return out, err
}
