package mailin

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"time"

	"github.com/emersion/go-smtp"
)

// MaxMessageBytes caps an inbound message, attachments included.
const MaxMessageBytes = 25 << 20

// Listener is the built-in SMTP server that receives replies. It accepts
// mail only for the reply address and its plus-addressed forms.
type Listener struct {
	server *smtp.Server
}

// NewListener returns an SMTP server that hands each message to p.
func NewListener(p *Processor, logger *slog.Logger) *Listener {
	s := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		return &session{p: p}, nil
	}))
	_, s.Domain = p.localAndDomain()
	s.MaxMessageBytes = MaxMessageBytes
	s.MaxRecipients = 20
	s.ReadTimeout = time.Minute
	s.WriteTimeout = time.Minute
	s.ErrorLog = slogLogger{logger}
	return &Listener{server: s}
}

// Serve accepts connections on l until Close.
func (l *Listener) Serve(ln net.Listener) error {
	err := l.server.Serve(ln)
	if errors.Is(err, smtp.ErrServerClosed) {
		return nil
	}
	return err
}

// Close stops the listener.
func (l *Listener) Close() error { return l.server.Close() }

type session struct {
	p   *Processor
	rcp int
}

func (s *session) AuthMechanisms() []string { return nil }

func (s *session) Mail(from string, _ *smtp.MailOptions) error { return nil }

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	local, domain := s.p.localAndDomain()
	addr := strings.ToLower(to)
	if _, ok := ReplyToken(addr, local); ok || addr == local+"@"+domain {
		s.rcp++
		return nil
	}
	return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "No such mailbox here"}
}

func (s *session) Data(r io.Reader) error {
	var buf bytes.Buffer
	if _, err := io.Copy(&buf, r); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := s.p.Receive(ctx, buf.Bytes()); err != nil {
		s.p.Logger.Error("inbound email failed", "err", err)
		// Temporary: the sending server keeps the message and tries again.
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "Temporary failure, try again later"}
	}
	return nil
}

func (s *session) Reset()        {}
func (s *session) Logout() error { return nil }

type slogLogger struct{ l *slog.Logger }

func (s slogLogger) Printf(format string, v ...any) {
	s.l.Warn("smtp listener", "msg", strings.TrimSpace(fmt.Sprintf(format, v...)))
}
func (s slogLogger) Println(v ...any) {
	s.l.Warn("smtp listener", "msg", strings.TrimSpace(fmt.Sprint(v...)))
}
