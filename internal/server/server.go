// Package server assembles Helpline's HTTP surfaces (web pages, the JSON API,
// health and metrics) behind one middleware chain.
package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/helpline-dev/helpline/internal/api"
	"github.com/helpline-dev/helpline/internal/db"
	"github.com/helpline-dev/helpline/internal/metrics"
	"github.com/helpline-dev/helpline/internal/request"
	"github.com/helpline-dev/helpline/internal/web"
)

// Deps are what the server mounts.
type Deps struct {
	DB         *db.DB
	Web        *web.Web
	API        api.Deps
	Metrics    *metrics.Metrics
	Logger     *slog.Logger
	TrustProxy bool
}

// New returns the HTTP handler of a Helpline process.
func New(d Deps) http.Handler {
	mux := http.NewServeMux()
	d.Web.Register(mux)
	api.Register(mux, d.API)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ready(w, r, d.DB)
	})
	mux.Handle("GET /metrics", d.Metrics.Handler())

	csrf := http.NewCrossOriginProtection()
	csrf.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "Cross-origin request refused: submit the form from this site's own pages.", http.StatusForbidden)
	}))
	return observe(d, securityHeaders(rejectNUL(csrf.Handler(mux))))
}

// rejectNUL refuses addresses and forms with a NUL character or invalid
// UTF-8: PostgreSQL text cannot hold them, and no person types them.
func rejectNUL(next http.Handler) http.Handler {
	bad := func(s string) bool { return strings.ContainsRune(s, 0) || !utf8.ValidString(s) }
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q, _ := url.QueryUnescape(r.URL.RawQuery)
		if bad(r.URL.Path) || bad(q) {
			http.Error(w, "The address contains a NUL character or invalid UTF-8; remove it and try again.", http.StatusBadRequest)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// ready answers 200 when the database answers and is fully migrated, so a
// load balancer only sends traffic to a process that can serve it.
func ready(w http.ResponseWriter, r *http.Request, d *db.DB) {
	ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
	defer cancel()
	status, body := http.StatusOK, map[string]any{"status": "ready", "database": string(d.Dialect)}
	if err := d.PingContext(ctx); err != nil {
		status, body["status"], body["error"] = http.StatusServiceUnavailable, "unavailable", "database unreachable"
		request.Logger(ctx).Warn("readiness: database unreachable", "err", err)
	} else if n, err := d.PendingMigrations(ctx); err != nil || n > 0 {
		status, body["status"], body["error"] = http.StatusServiceUnavailable, "unavailable", "migrations pending: run helpline migrate"
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}

func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		if r.TLS != nil {
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		next.ServeHTTP(w, r)
	})
}

var requestIDRE = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (s *statusWriter) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusWriter) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
}

func (s *statusWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// observe gives each request an ID and a logger, recovers panics, and
// records the request in the log and the metrics.
func observe(d Deps, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := r.Header.Get("X-Request-ID")
		if !requestIDRE.MatchString(id) {
			b := make([]byte, 8)
			_, _ = rand.Read(b)
			id = hex.EncodeToString(b)
		}
		w.Header().Set("X-Request-ID", id)
		ip := request.ClientIP(r, d.TrustProxy)
		logger := d.Logger.With("request_id", id)
		r = r.WithContext(request.With(r.Context(), id, logger, ip))
		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				logger.Error("panic", "panic", p, "path", r.URL.Path)
				if sw.status == 0 {
					http.Error(sw, "internal error; request ID "+id, http.StatusInternalServerError)
				}
			}
			if sw.status == 0 {
				sw.status = http.StatusOK
			}
			elapsed := time.Since(start)
			// The mux sets Pattern on the request it was given: r here.
			d.Metrics.ObserveRequest(r.Pattern, r.Method, sw.status, elapsed)
			logger.Info("request", "method", r.Method, "path", r.URL.Path, "route", r.Pattern, "status", sw.status,
				"duration_ms", elapsed.Milliseconds(), "ip", ip)
		}()
		next.ServeHTTP(sw, r)
	})
}
