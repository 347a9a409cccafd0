// Package account holds organizations, their plans and apps, users and staff
// roles, web sessions, API tokens, password resets and the audit log.
package account

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base32"
	"encoding/hex"
	"strings"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/internal/db"
)

// Plan is an organization's support plan.
type Plan string

const (
	PlanFree             Plan = "free"
	PlanStandard         Plan = "standard"
	PlanEnterprise       Plan = "enterprise"
	PlanPremier          Plan = "premier"
	PlanLegacyEnterprise Plan = "legacy_enterprise"
)

// Plans lists every plan, cheapest first.
var Plans = []Plan{PlanFree, PlanStandard, PlanEnterprise, PlanPremier, PlanLegacyEnterprise}

// Valid reports whether p is a known plan.
func (p Plan) Valid() bool {
	for _, q := range Plans {
		if p == q {
			return true
		}
	}
	return false
}

// IsEnterprise reports whether the plan's tickets go to the top of the queue
// and its users see the enterprise portal.
func (p Plan) IsEnterprise() bool {
	return p == PlanEnterprise || p == PlanPremier || p == PlanLegacyEnterprise
}

// PagesOnUrgent reports whether an urgent ticket pages the on-call engineer
// and starts the response SLA (the seed: Premier and Legacy Enterprise).
func (p Plan) PagesOnUrgent() bool {
	return p == PlanPremier || p == PlanLegacyEnterprise
}

// Label is the plan's name for people.
func (p Plan) Label() string {
	switch p {
	case PlanLegacyEnterprise:
		return "Legacy Enterprise"
	case PlanPremier:
		return "Premier"
	case "":
		return ""
	}
	return strings.ToUpper(string(p[:1])) + string(p[1:])
}

// JobInserter inserts background jobs in the caller's transaction; River's
// client is one.
type JobInserter interface {
	InsertTx(ctx context.Context, tx *sql.Tx, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error)
}

// Service is the account store and its rules.
type Service struct {
	db     *db.DB
	jobs   JobInserter
	now    func() time.Time
	hasher Hasher
	// dummyHash is verified when no user matches, so a wrong email costs as
	// much time as a wrong password.
	dummyHash string
}

// Options configure a Service; zero values pick production defaults.
type Options struct {
	Now    func() time.Time
	Hasher Hasher
}

// NewService returns a Service on d that queues emails through jobs.
func NewService(d *db.DB, jobs JobInserter, opts Options) *Service {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Hasher == (Hasher{}) {
		opts.Hasher = DefaultHasher
	}
	return &Service{db: d, jobs: jobs, now: opts.Now, hasher: opts.Hasher, dummyHash: opts.Hasher.Hash("not a password")}
}

func (s *Service) nowUTC() time.Time { return db.Time(s.now()) }

// CLI returns the actor of commands run by an operator with database access.
func CLI() *helpline.Actor {
	return &helpline.Actor{StaffRole: helpline.RoleAdmin, Email: "cli", Name: "helpline CLI"}
}

// newSecret returns a random, URL-safe secret and its SHA-256 for storage.
// Secrets are long and random, so a fast hash is enough to make a stolen
// table useless.
func newSecret(prefix string) (secret, hash string) {
	b := make([]byte, 20)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	secret = prefix + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))
	return secret, hashSecret(secret)
}

func hashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}
