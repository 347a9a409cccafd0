// Package smtptest runs a real SMTP server on the loopback interface for tests,
// so that mail code is tested against the protocol rather than a mock.
package smtptest

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Received is one message the server accepted.
type Received struct {
	From     string   // envelope sender (MAIL FROM)
	To       []string // envelope recipients (RCPT TO)
	Data     []byte   // the message as sent after DATA, headers and body
	Username string   // user the client authenticated as with AUTH PLAIN; "" without AUTH
}

// Server is an SMTP server listening on 127.0.0.1 that records every message it accepts.
type Server struct {
	addr string

	mu       sync.Mutex
	received []Received
	arrived  chan struct{} // closed and replaced on each new message, to wake WaitFor
	failNext *smtp.SMTPError
}

// Start starts a server on a free port of 127.0.0.1. It offers AUTH PLAIN without
// TLS and accepts any user name and password, and it is closed when the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	return StartOn(t, "127.0.0.1:0")
}

// FreeAddr returns a loopback address nothing listens on yet, so a test can
// point a mailer at a server that is down and StartOn it later.
func FreeAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("smtptest: listen: %v", err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// StartOn starts a server on addr, as Start does.
func StartOn(t testing.TB, addr string) *Server {
	t.Helper()
	l, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("smtptest: listen: %v", err)
	}
	s := &Server{addr: l.Addr().String(), arrived: make(chan struct{})}

	logger := &testLogger{t: t}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) {
		return &session{server: s}, nil
	}))
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	srv.ReadTimeout = 30 * time.Second
	srv.WriteTimeout = 30 * time.Second
	srv.ErrorLog = logger

	served := make(chan struct{})
	go func() {
		defer close(served)
		if err := srv.Serve(l); err != nil {
			logger.Printf("serve: %v", err)
		}
	}()
	t.Cleanup(func() {
		_ = srv.Close()
		// Serve registers l with srv only once it runs, so Close may have missed it.
		_ = l.Close()
		<-served
		// Connection goroutines may still be winding down; t.Logf after the
		// test has finished would panic.
		logger.stop()
	})
	return s
}

// Addr returns the host:port the server listens on.
func (s *Server) Addr() string { return s.addr }

// URL returns an SMTP URL with credentials for the server, without TLS.
func (s *Server) URL() string {
	return "smtp://user:pass@" + s.addr + "?tls=none"
}

// Messages returns the messages accepted so far, oldest first.
func (s *Server) Messages() []Received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Received(nil), s.received...)
}

// WaitFor waits until at least n messages have arrived and returns them all. It fails
// the test if they have not arrived within timeout; timeout is a bound for a hung
// test, not an assertion about speed. Call it from the test's goroutine.
func (s *Server) WaitFor(t testing.TB, n int, timeout time.Duration) []Received {
	t.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		s.mu.Lock()
		got, arrived := len(s.received), s.arrived
		s.mu.Unlock()
		if got >= n {
			return s.Messages()
		}
		select {
		case <-arrived:
		case <-deadline.C:
			t.Fatalf("smtptest: waited %v for %d message(s) on %s, %d arrived", timeout, n, s.addr, got)
			return nil
		}
	}
}

// FailNext makes the server answer the next message's DATA with code and msg instead
// of accepting it; the message is not recorded. Use a 4xx code for a temporary
// failure and a 5xx code for a permanent one.
func (s *Server) FailNext(code int, msg string) {
	if code < 400 || code > 599 {
		panic(fmt.Sprintf("smtptest: FailNext(%d): code must be a 4xx or 5xx SMTP reply", code))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failNext = &smtp.SMTPError{Code: code, EnhancedCode: smtp.EnhancedCodeNotSet, Message: msg}
}

// accept records msg, or returns the error set by FailNext.
func (s *Server) accept(msg Received) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.failNext; err != nil {
		s.failNext = nil
		return err
	}
	s.received = append(s.received, msg)
	close(s.arrived)
	s.arrived = make(chan struct{})
	return nil
}

// session is one SMTP connection; go-smtp calls its methods from that connection's goroutine.
type session struct {
	server   *Server
	username string
	from     string
	to       []string
}

func (ss *session) AuthMechanisms() []string { return []string{sasl.Plain} }

func (ss *session) Auth(mech string) (sasl.Server, error) {
	if mech != sasl.Plain {
		return nil, smtp.ErrAuthUnknownMechanism
	}
	return sasl.NewPlainServer(func(_, username, _ string) error {
		ss.username = username
		return nil
	}), nil
}

func (ss *session) Mail(from string, _ *smtp.MailOptions) error {
	ss.from = from
	return nil
}

func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	ss.to = append(ss.to, to)
	return nil
}

func (ss *session) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	return ss.server.accept(Received{
		From:     ss.from,
		To:       append([]string(nil), ss.to...),
		Data:     data,
		Username: ss.username,
	})
}

func (ss *session) Reset() {
	ss.from = ""
	ss.to = nil
}

func (ss *session) Logout() error { return nil }

// Header returns the named header of the message with RFC 2047 encoded words
// decoded, or "" if the message has no such header or cannot be parsed.
func (r Received) Header(name string) string {
	msg, err := mail.ReadMessage(bytes.NewReader(r.Data))
	if err != nil {
		return ""
	}
	v := msg.Header.Get(name)
	if decoded, err := new(mime.WordDecoder).DecodeHeader(v); err == nil {
		return decoded
	}
	return v
}

// TextBody returns the first text/plain part of the message (or its body, if it is
// not multipart), with its transfer encoding undone and CRLF line ends turned into LF.
// A body that is not multipart ends with the line break SMTP requires before the
// final dot. It returns "" if there is no text part or the message cannot be parsed.
func (r Received) TextBody() string {
	msg, err := mail.ReadMessage(bytes.NewReader(r.Data))
	if err != nil {
		return ""
	}
	text, _ := findText(msg.Header.Get("Content-Type"), msg.Header.Get("Content-Transfer-Encoding"), msg.Body)
	return strings.ReplaceAll(text, "\r\n", "\n")
}

// findText returns the first text/plain content in body, descending into multiparts.
func findText(contentType, transferEncoding string, body io.Reader) (string, bool) {
	mediaType, params, err := mime.ParseMediaType(contentType)
	if contentType == "" {
		mediaType, err = "text/plain", nil // RFC 2045's default
	}
	if err != nil {
		return "", false
	}
	if strings.HasPrefix(mediaType, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			// NextRawPart, unlike NextPart, leaves quoted-printable alone, so
			// decode handles every encoding the same way.
			p, err := mr.NextRawPart()
			if err != nil {
				return "", false
			}
			if text, ok := findText(p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p); ok {
				return text, true
			}
		}
	}
	if mediaType != "text/plain" {
		return "", false
	}
	b, err := io.ReadAll(decode(transferEncoding, body))
	if err != nil {
		return "", false
	}
	return string(b), true
}

func decode(transferEncoding string, r io.Reader) io.Reader {
	switch strings.ToLower(strings.TrimSpace(transferEncoding)) {
	case "quoted-printable":
		return quotedprintable.NewReader(r)
	case "base64":
		return base64.NewDecoder(base64.StdEncoding, r) // skips line breaks itself
	default:
		return r
	}
}

// testLogger sends go-smtp's error log to the test log until the test ends.
type testLogger struct {
	t       testing.TB
	mu      sync.Mutex
	stopped bool
}

func (l *testLogger) Printf(format string, v ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.stopped {
		l.t.Logf("smtptest: "+format, v...)
	}
}

func (l *testLogger) Println(v ...any) {
	l.Printf("%s", strings.TrimSuffix(fmt.Sprintln(v...), "\n"))
}

func (l *testLogger) stop() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.stopped = true
}
