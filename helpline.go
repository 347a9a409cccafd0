// Package helpline holds the vocabulary every part of Helpline shares: error
// kinds, the acting user, and paging. Domain packages build on it; it imports
// nothing of Helpline's own.
package helpline

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// ErrorKind classifies an error so that the web and API surfaces can map it to
// a status code and a message a person can act on, in one place.
type ErrorKind string

const (
	KindInvalid      ErrorKind = "invalid"
	KindUnauthorized ErrorKind = "unauthorized"
	KindForbidden    ErrorKind = "forbidden"
	KindNotFound     ErrorKind = "not_found"
	KindConflict     ErrorKind = "conflict"
	KindRateLimited  ErrorKind = "rate_limited"
	KindInternal     ErrorKind = "internal"
)

// Error is an error with a kind, a message for the person who caused it, and,
// for invalid input, a message per field.
type Error struct {
	Kind    ErrorKind
	Message string
	Fields  map[string]string
	// RetryAfterSeconds is set on rate-limited errors.
	RetryAfterSeconds int
}

func (e *Error) Error() string {
	if len(e.Fields) == 0 {
		return e.Message
	}
	keys := make([]string, 0, len(e.Fields))
	for k := range e.Fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + ": " + e.Fields[k]
	}
	return e.Message + " (" + strings.Join(parts, "; ") + ")"
}

// Errorf returns an *Error of the given kind.
func Errorf(kind ErrorKind, format string, args ...any) error {
	return &Error{Kind: kind, Message: fmt.Sprintf(format, args...)}
}

// NotFound says a thing does not exist, or that the actor may not know it does.
func NotFound(what string) error {
	return &Error{Kind: KindNotFound, Message: what + " not found"}
}

// KindOf returns the kind of err, KindInternal for errors without one.
func KindOf(err error) ErrorKind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return KindInternal
}

// Validation collects field errors; Err returns nil when there are none.
type Validation map[string]string

// Add records msg for field unless the field already has a message.
func (v Validation) Add(field, msg string) {
	if _, ok := v[field]; !ok {
		v[field] = msg
	}
}

// Check adds msg for field when ok is false.
func (v Validation) Check(ok bool, field, msg string) {
	if !ok {
		v.Add(field, msg)
	}
}

// Err returns an invalid *Error listing the fields, or nil.
func (v Validation) Err() error {
	if len(v) == 0 {
		return nil
	}
	return &Error{Kind: KindInvalid, Message: "Please correct the highlighted fields.", Fields: v}
}

// StaffRole is the role of a Helpline staff user. Customers have none.
type StaffRole string

const (
	RoleNone  StaffRole = ""
	RoleAgent StaffRole = "agent" // support engineer
	RoleCSA   StaffRole = "csa"   // solutions architect
	RoleAdmin StaffRole = "admin" // operator
)

// StaffRoles lists the valid staff roles.
var StaffRoles = []StaffRole{RoleAgent, RoleCSA, RoleAdmin}

// Valid reports whether r is a known staff role (or none).
func (r StaffRole) Valid() bool {
	switch r {
	case RoleNone, RoleAgent, RoleCSA, RoleAdmin:
		return true
	}
	return false
}

// Actor is who performs an action: a signed-in user or an API token's owner.
// A nil *Actor is the anonymous public.
type Actor struct {
	UserID    int64
	Email     string
	Name      string
	StaffRole StaffRole
	// IP is the client address, recorded in the audit log.
	IP string
}

// IsStaff reports whether the actor has any staff role.
func (a *Actor) IsStaff() bool { return a != nil && a.StaffRole != RoleNone }

// IsAdmin reports whether the actor is an admin.
func (a *Actor) IsAdmin() bool { return a != nil && a.StaffRole == RoleAdmin }

// RequireAdmin returns a forbidden error unless the actor is an admin.
func (a *Actor) RequireAdmin() error {
	if a == nil {
		return Errorf(KindUnauthorized, "sign in first")
	}
	if !a.IsAdmin() {
		return Errorf(KindForbidden, "this needs the admin role")
	}
	return nil
}

// RequireStaff returns a forbidden error unless the actor is staff.
func (a *Actor) RequireStaff() error {
	if a == nil {
		return Errorf(KindUnauthorized, "sign in first")
	}
	if !a.IsStaff() {
		return Errorf(KindForbidden, "this needs a staff role")
	}
	return nil
}

// Page asks for one page of a list: at most Limit items after Offset.
type Page struct {
	Limit  int
	Offset int
}

// Normalize bounds the page size to [1, 200], defaulting to 50.
func (p Page) Normalize() Page {
	if p.Limit <= 0 {
		p.Limit = 50
	}
	if p.Limit > 200 {
		p.Limit = 200
	}
	if p.Offset < 0 {
		p.Offset = 0
	}
	return p
}
