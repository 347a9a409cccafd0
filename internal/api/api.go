// Package api serves the JSON API under /api/v1. Clients authenticate with
// "Authorization: Bearer <token>"; every error has one shape:
// {"error": {"code": "invalid", "message": "...", "fields": {...}}}.
package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/internal/account"
	"github.com/helpline-dev/helpline/internal/csa"
	"github.com/helpline-dev/helpline/internal/docs"
	"github.com/helpline-dev/helpline/internal/drain"
	"github.com/helpline-dev/helpline/internal/mailin"
	"github.com/helpline-dev/helpline/internal/notify"
	"github.com/helpline-dev/helpline/internal/oncall"
	"github.com/helpline-dev/helpline/internal/request"
	"github.com/helpline-dev/helpline/internal/sla"
	"github.com/helpline-dev/helpline/internal/status"
	"github.com/helpline-dev/helpline/internal/ticket"
)

// Deps are what the API handlers use.
type Deps struct {
	Accounts     *account.Service
	Tickets      *ticket.Service
	Mail         *notify.Store     // notification preferences and the outbox
	Inbox        *mailin.Processor // received email
	SLA          *sla.Service
	Oncall       *oncall.Service
	Docs         *docs.Service
	Status       *status.Service
	Drains       *drain.Service
	CSA          *csa.Service // the enterprise portal
	BaseURL      string       // for share links
	MaxBodyBytes int64
	// MaxAttachmentBytes bounds one uploaded file.
	MaxAttachmentBytes int64
	// Now is the application's clock (default time.Now), for defaults
	// such as the calendar's start.
	Now func() time.Time
}

// API is the JSON API surface.
type API struct {
	Deps
}

func (a *API) now() time.Time {
	if a.Now == nil {
		return time.Now()
	}
	return a.Now()
}

// handler is an API endpoint; actor is nil on public endpoints.
type handler func(w http.ResponseWriter, r *http.Request, actor *helpline.Actor) error

// Route is one endpoint; the OpenAPI test walks this list.
type Route struct {
	Method, Path string
	Public       bool
	handle       handler
}

// Pattern is the ServeMux pattern of the route.
func (rt Route) Pattern() string { return rt.Method + " " + rt.Path }

// Register mounts every route on mux.
func Register(mux *http.ServeMux, d Deps) {
	a := &API{Deps: d}
	for _, rt := range a.Routes() {
		mux.Handle(rt.Pattern(), a.adapt(rt))
	}
	mux.Handle("/api/", a.adapt(Route{Public: true, handle: func(w http.ResponseWriter, r *http.Request, _ *helpline.Actor) error {
		return &helpline.Error{Kind: helpline.KindNotFound, Message: fmt.Sprintf("no endpoint %s %s; see /api/v1/openapi.json", r.Method, r.URL.Path)}
	}}))
}

func (a *API) adapt(rt Route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var actor *helpline.Actor
		var err error
		// Public endpoints serve anonymous callers, and callers with a token
		// as themselves (search shows a customer their own audience).
		if !rt.Public || r.Header.Get("Authorization") != "" {
			actor, err = a.authenticate(r)
		}
		if err == nil {
			err = rt.handle(w, r, actor)
		}
		if err != nil {
			writeError(w, r, err)
		}
	})
}

func (a *API) authenticate(r *http.Request) (*helpline.Actor, error) {
	h := r.Header.Get("Authorization")
	scheme, secret, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || secret == "" {
		return nil, helpline.Errorf(helpline.KindUnauthorized, "send an API token as \"Authorization: Bearer <token>\"; create one under Account → API tokens")
	}
	u, err := a.Accounts.AuthenticateToken(r.Context(), strings.TrimSpace(secret))
	if err != nil {
		return nil, err
	}
	return u.Actor(request.IP(r.Context())), nil
}

// errorBody is the one error shape of the API.
type errorBody struct {
	Error struct {
		Code    string            `json:"code"`
		Message string            `json:"message"`
		Fields  map[string]string `json:"fields,omitempty"`
	} `json:"error"`
}

// errTooLarge is an invalid body that is answered 413.
type errTooLarge struct{ limit int64 }

func (e errTooLarge) Error() string {
	return fmt.Sprintf("request body is larger than %d bytes", e.limit)
}

func writeError(w http.ResponseWriter, r *http.Request, err error) {
	var body errorBody
	var tl errTooLarge
	var bf *csa.BreakFixError
	status, he := request.Status(err)
	switch {
	case errors.As(err, &bf):
		// An engagement request that reads like an outage: the signals,
		// and the urgent ticket to open instead.
		writeJSON(w, http.StatusUnprocessableEntity, newBreakFixBody(bf))
		return
	case errors.As(err, &tl):
		status = http.StatusRequestEntityTooLarge
		body.Error.Code, body.Error.Message = string(helpline.KindInvalid), tl.Error()
	case he != nil:
		body.Error.Code, body.Error.Message, body.Error.Fields = string(he.Kind), he.Message, he.Fields
		if he.RetryAfterSeconds > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(he.RetryAfterSeconds))
		}
		if he.Kind == helpline.KindUnauthorized {
			w.Header().Set("WWW-Authenticate", `Bearer realm="helpline"`)
		}
	default:
		request.Logger(r.Context()).Error("api request failed", "err", err)
		body.Error.Code = string(helpline.KindInternal)
		body.Error.Message = "Something went wrong on our side; it has been logged. Request ID: " + request.ID(r.Context())
	}
	writeJSON(w, status, body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

var errTrailing = errors.New("data after the JSON object")

// decode reads a JSON object into v strictly: one object, known fields only,
// the right types, within the size limit. Errors name the field to fix.
func (a *API) decode(w http.ResponseWriter, r *http.Request, v any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != "application/json" {
			return helpline.Errorf(helpline.KindInvalid, "Content-Type must be application/json, not %q", ct)
		}
	}
	r.Body = http.MaxBytesReader(w, r.Body, a.MaxBodyBytes)
	data, err := io.ReadAll(r.Body)
	// PostgreSQL text cannot hold NUL; say so instead of failing at insert.
	if err == nil && bytes.Contains(data, []byte(`\u0000`)) {
		return helpline.Errorf(helpline.KindInvalid, "the body contains a NUL character (\\u0000), which text fields cannot hold; remove it")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err == nil {
		err = dec.Decode(v)
	}
	if err == nil {
		if _, terr := dec.Token(); terr != io.EOF {
			err = errTrailing
		}
	}
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var tooBig *http.MaxBytesError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &tooBig):
		return errTooLarge{limit: tooBig.Limit}
	case errors.Is(err, io.EOF):
		return helpline.Errorf(helpline.KindInvalid, "the request body is empty; send a JSON object")
	case errors.As(err, &syntax):
		return helpline.Errorf(helpline.KindInvalid, "malformed JSON at byte %d: %v", syntax.Offset, syntax)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return helpline.Errorf(helpline.KindInvalid, "malformed JSON: the body ends in the middle of a value")
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			return helpline.Errorf(helpline.KindInvalid, "the body must be a JSON object")
		}
		return &helpline.Error{Kind: helpline.KindInvalid, Message: "Please correct the highlighted fields.",
			Fields: map[string]string{field: "must be " + jsonType(typ.Type.Kind().String()) + ", not " + typ.Value}}
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return &helpline.Error{Kind: helpline.KindInvalid, Message: "Please correct the highlighted fields.",
			Fields: map[string]string{field: "is not a known field"}}
	case errors.Is(err, errTrailing):
		return helpline.Errorf(helpline.KindInvalid, "send exactly one JSON object; there is data after it")
	}
	return helpline.Errorf(helpline.KindInvalid, "malformed JSON: %v", err)
}

func jsonType(goKind string) string {
	switch goKind {
	case "string":
		return "a string"
	case "int", "int64", "int32", "uint", "uint64", "float64":
		return "a number"
	case "bool":
		return "true or false"
	case "slice":
		return "an array"
	case "map", "struct":
		return "an object"
	}
	return "a " + goKind
}

// pathID parses an ID from the path; a malformed one is simply not found.
func pathID(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, helpline.NotFound(name)
	}
	return id, nil
}

// page reads limit and offset from the query.
func page(r *http.Request) (helpline.Page, error) {
	var p helpline.Page
	v := helpline.Validation{}
	q := r.URL.Query()
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		v.Check(err == nil && n >= 1 && n <= 200, "limit", "must be a number from 1 to 200")
		p.Limit = n
	}
	if s := q.Get("offset"); s != "" {
		n, err := strconv.Atoi(s)
		v.Check(err == nil && n >= 0, "offset", "must be a number, 0 or more")
		p.Offset = n
	}
	return p.Normalize(), v.Err()
}
