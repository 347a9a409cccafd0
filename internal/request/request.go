// Package request carries per-request facts through the context: the request
// ID, a logger that includes it, and the client's address.
package request

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"strings"

	"github.com/helpline-dev/helpline"
)

type key int

const (
	loggerKey key = iota
	ipKey
	idKey
)

// With returns ctx carrying the request's ID, logger and client address.
func With(ctx context.Context, id string, logger *slog.Logger, ip string) context.Context {
	ctx = context.WithValue(ctx, idKey, id)
	ctx = context.WithValue(ctx, loggerKey, logger)
	return context.WithValue(ctx, ipKey, ip)
}

// Logger returns the request's logger, or the default one outside requests.
func Logger(ctx context.Context) *slog.Logger {
	if l, ok := ctx.Value(loggerKey).(*slog.Logger); ok {
		return l
	}
	return slog.Default()
}

// IP returns the client's address.
func IP(ctx context.Context) string {
	s, _ := ctx.Value(ipKey).(string)
	return s
}

// ID returns the request ID.
func ID(ctx context.Context) string {
	s, _ := ctx.Value(idKey).(string)
	return s
}

// ClientIP returns the address of the client: the peer, or with trustProxy the
// first address in X-Forwarded-For, which a load balancer sets.
func ClientIP(r *http.Request, trustProxy bool) string {
	if trustProxy {
		if xff := r.Header.Get("X-Forwarded-For"); xff != "" {
			first, _, _ := strings.Cut(xff, ",")
			if ip := net.ParseIP(strings.TrimSpace(first)); ip != nil {
				return ip.String()
			}
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

var statusOf = map[helpline.ErrorKind]int{
	helpline.KindInvalid:      http.StatusUnprocessableEntity,
	helpline.KindUnauthorized: http.StatusUnauthorized,
	helpline.KindForbidden:    http.StatusForbidden,
	helpline.KindNotFound:     http.StatusNotFound,
	helpline.KindConflict:     http.StatusConflict,
	helpline.KindRateLimited:  http.StatusTooManyRequests,
}

// Status maps an error to the HTTP status both surfaces answer with, and
// returns the *helpline.Error to show; it is nil for internal errors, whose
// details are logged, never shown.
func Status(err error) (int, *helpline.Error) {
	var he *helpline.Error
	if errors.As(err, &he) {
		if status, ok := statusOf[he.Kind]; ok {
			return status, he
		}
	}
	return http.StatusInternalServerError, nil
}
