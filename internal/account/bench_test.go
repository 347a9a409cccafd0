package account_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/internal/account"
	"github.com/helpline-dev/helpline/internal/apptest"
	"github.com/helpline-dev/helpline/internal/dbtest"
	"github.com/helpline-dev/helpline/internal/jobs"
)

func benchService(b *testing.B) (*account.Service, account.User) {
	d := dbtest.Open(b)
	ins, err := jobs.NewInserter(d, slog.New(slog.DiscardHandler))
	if err != nil {
		b.Fatal(err)
	}
	s := account.NewService(d, ins, account.Options{Hasher: apptest.FastHasher})
	u, err := s.CreateUser(context.Background(), account.CLI(), account.UserInput{Email: "bench@helpline.test", Name: "Bench", Password: apptest.Password, StaffRole: helpline.RoleAgent})
	if err != nil {
		b.Fatal(err)
	}
	return s, u
}

// Every API request authenticates its token.
func BenchmarkAuthenticateToken(b *testing.B) {
	s, u := benchService(b)
	ctx := context.Background()
	_, secret, err := s.CreateTokenFor(ctx, account.CLI(), u.ID, "bench")
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := s.AuthenticateToken(ctx, secret); err != nil {
			b.Fatal(err)
		}
	}
}

// Every page view of a signed-in user looks up the session.
func BenchmarkFindSession(b *testing.B) {
	s, u := benchService(b)
	ctx := context.Background()
	secret, err := s.CreateSession(ctx, u.ID, time.Hour, "127.0.0.1", "bench")
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := s.FindSession(ctx, secret); err != nil {
			b.Fatal(err)
		}
	}
}

// The production password hash: the deliberate cost of one sign-in.
func BenchmarkPasswordHash(b *testing.B) {
	for b.Loop() {
		account.DefaultHasher.Hash("correct horse battery staple")
	}
}
