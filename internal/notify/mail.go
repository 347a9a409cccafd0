package notify

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	netmail "net/mail"
	"net/textproto"
	"net/url"
	"strconv"
	"strings"

	"github.com/wneessen/go-mail"
)

// Message is one email. Text is required; HTML, when set, is sent as an alternative.
type Message struct {
	To      []string
	Subject string
	Text    string
	HTML    string
	// Headers are extra header fields such as Message-ID, In-Reply-To, References
	// or List-Unsubscribe. Reply-To is parsed as an address list.
	Headers map[string]string
}

// Mailer sends email.
type Mailer interface {
	Send(ctx context.Context, m Message) error
}

// ErrInvalidMessage is wrapped by Send when the message itself cannot be sent (no
// recipient, a bad address, a reserved header); retrying it will not help.
var ErrInvalidMessage = errors.New("invalid email message")

// IsPermanent reports whether err from Send means the message will never be
// delivered, so a job should give up instead of retrying: the server refused the
// message with a 5xx reply, or the message is invalid. Connection failures, 4xx
// replies and failures before the mail transaction (greeting, STARTTLS, AUTH) are
// temporary: those are about the server or our configuration, not this message, and
// a retry succeeds once they are fixed (Postfix defers on AUTH failure for the same
// reason).
func IsPermanent(err error) bool {
	if errors.Is(err, ErrInvalidMessage) {
		return true
	}
	// Only a SendError carries the reply code. Its IsTemp is not enough: it is false
	// for anything that is not a 4xx reply, such as a connection reset during DATA.
	var se *mail.SendError
	if errors.As(err, &se) {
		code := se.ErrorCode()
		return code >= 500 && code <= 599
	}
	return false
}

// SMTPMailer sends email through an SMTP server. It is safe for concurrent use.
type SMTPMailer struct {
	client *mail.Client
	from   *netmail.Address
	addr   string // host:port, for error messages
}

var _ Mailer = (*SMTPMailer)(nil)

// NewSMTPMailer returns a mailer for the server at rawURL, sending as from
// ("support@example.com" or "Example Support <support@example.com>").
//
// rawURL is smtp://[user:pass@]host[:port] (port 25; STARTTLS when the server
// offers it) or smtps://[user:pass@]host[:port] (port 465; implicit TLS). Query
// parameters: tls=none|opportunistic|mandatory sets the STARTTLS policy of
// smtp:// (opportunistic by default), and insecure_skip_verify=1 accepts any
// certificate, for test servers only. With a user name it authenticates with the
// strongest mechanism the server offers; PLAIN and LOGIN are only used over TLS,
// except with tls=none, which sends PLAIN in the clear.
func NewSMTPMailer(rawURL, from string) (*SMTPMailer, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		// url.Error repeats the whole URL, password included: keep only the reason.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, fmt.Errorf("SMTP URL is invalid: %v; use smtp://user:pass@host:port", err)
	}
	safe := u.Redacted()

	var implicitTLS bool
	switch u.Scheme {
	case "smtp":
	case "smtps":
		implicitTLS = true
	default:
		return nil, fmt.Errorf("SMTP URL %s: scheme %q is not supported; use smtp:// (STARTTLS when offered) or smtps:// (implicit TLS)", safe, u.Scheme)
	}
	host := u.Hostname()
	if host == "" {
		return nil, fmt.Errorf("SMTP URL %s has no host; use %s://user:pass@host:port", safe, u.Scheme)
	}
	dialHost := host
	if strings.Contains(host, ":") {
		if !strings.HasPrefix(u.Host, "[") {
			return nil, fmt.Errorf("SMTP URL %s: host %q is invalid; write an IPv6 address in brackets, [::1]:25", safe, u.Host)
		}
		// go-mail joins host and port with a plain colon.
		dialHost = "[" + host + "]"
	}
	if u.Path != "" && u.Path != "/" {
		return nil, fmt.Errorf("SMTP URL %s: unexpected path %q; use %s://user:pass@host:port", safe, u.Path, u.Scheme)
	}
	port := mail.DefaultPort
	if implicitTLS {
		port = mail.DefaultPortSSL
	}
	if p := u.Port(); p != "" {
		port, err = strconv.Atoi(p)
		if err != nil || port < 1 || port > 65535 {
			return nil, fmt.Errorf("SMTP URL %s: port %q is not a number from 1 to 65535", safe, p)
		}
	}

	policy := mail.TLSOpportunistic
	tlsConfig := &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}
	query, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return nil, fmt.Errorf("SMTP URL %s: query: %v; use ?tls=mandatory&insecure_skip_verify=1", safe, err)
	}
	for key, values := range query {
		value := values[len(values)-1]
		switch key {
		case "tls":
			if implicitTLS {
				return nil, fmt.Errorf("SMTP URL %s: tls=%s applies to smtp:// only; smtps:// always uses TLS", safe, value)
			}
			switch value {
			case "none":
				policy = mail.NoTLS
			case "opportunistic":
				policy = mail.TLSOpportunistic
			case "mandatory":
				policy = mail.TLSMandatory
			default:
				return nil, fmt.Errorf("SMTP URL %s: tls=%q is not one of none, opportunistic, mandatory", safe, value)
			}
		case "insecure_skip_verify":
			skip, err := strconv.ParseBool(value)
			if err != nil {
				return nil, fmt.Errorf("SMTP URL %s: insecure_skip_verify=%q is not 1 or 0", safe, value)
			}
			tlsConfig.InsecureSkipVerify = skip
		default:
			// A misspelt option silently ignored could mean mail sent in the clear.
			return nil, fmt.Errorf("SMTP URL %s: unknown parameter %q; known: tls, insecure_skip_verify", safe, key)
		}
	}

	if strings.TrimSpace(from) == "" {
		return nil, errors.New("email from address is empty; set it to e.g. support@example.com")
	}
	fromAddr, err := netmail.ParseAddress(from)
	if err != nil {
		return nil, fmt.Errorf("email from address %q is invalid: %v; use support@example.com or \"Example Support <support@example.com>\"", from, err)
	}

	opts := []mail.Option{mail.WithPort(port), mail.WithTLSConfig(tlsConfig)}
	if implicitTLS {
		opts = append(opts, mail.WithSSL())
	} else {
		opts = append(opts, mail.WithTLSPolicy(policy))
	}
	if user := u.User.Username(); user != "" {
		pass, _ := u.User.Password()
		// go-mail's auto-discovery never offers a password in the clear; tls=none
		// says the operator accepts that (a local relay, a test server).
		auth := mail.SMTPAuthAutoDiscover
		if policy == mail.NoTLS {
			auth = mail.SMTPAuthPlainNoEnc
		}
		opts = append(opts, mail.WithSMTPAuth(auth), mail.WithUsername(user), mail.WithPassword(pass))
	}
	client, err := mail.NewClient(dialHost, opts...)
	if err != nil {
		return nil, fmt.Errorf("SMTP URL %s: %w", safe, err)
	}
	return &SMTPMailer{client: client, from: fromAddr, addr: client.ServerAddr()}, nil
}

// Send delivers m in one SMTP session. Check a failure with IsPermanent.
func (s *SMTPMailer) Send(ctx context.Context, m Message) error {
	msg, err := s.build(m)
	if err != nil {
		return err
	}
	// ctx bounds the dial; go-mail's per-command timeout (15s) bounds the rest.
	err = s.client.DialAndSendWithContext(ctx, msg)
	if err != nil && msg.IsDelivered() {
		// The server took responsibility for the message; a failing RSET or QUIT
		// afterwards must not cause a retry and a duplicate email.
		return nil
	}
	if errors.Is(err, mail.ErrNoSupportedAuthDiscovered) {
		return fmt.Errorf("sending email via %s: %w (PLAIN and LOGIN need TLS: use smtps://, or tls=none to send the password in the clear)", s.addr, err)
	}
	if err != nil {
		return fmt.Errorf("sending email via %s: %w", s.addr, err)
	}
	return nil
}

func (s *SMTPMailer) build(m Message) (*mail.Msg, error) {
	if len(m.To) == 0 {
		return nil, fmt.Errorf("%w: no recipient", ErrInvalidMessage)
	}
	if m.Text == "" {
		return nil, fmt.Errorf("%w: the plain-text body is empty", ErrInvalidMessage)
	}
	msg := mail.NewMsg()
	msg.FromMailAddress(s.from)
	for _, to := range m.To {
		if err := msg.AddTo(to); err != nil {
			return nil, fmt.Errorf("%w: recipient %q: %v", ErrInvalidMessage, to, err)
		}
	}
	msg.Subject(m.Subject)
	for name, value := range m.Headers {
		if !validHeaderName(name) {
			return nil, fmt.Errorf("%w: header name %q is not a valid field name", ErrInvalidMessage, name)
		}
		if strings.ContainsAny(value, "\r\n") {
			return nil, fmt.Errorf("%w: header %s contains a line break", ErrInvalidMessage, name)
		}
		canonical := textproto.CanonicalMIMEHeaderKey(name)
		switch {
		case isReservedHeader(canonical):
			return nil, fmt.Errorf("%w: header %s is set from the message's fields, not Headers", ErrInvalidMessage, name)
		case canonical == "Message-Id":
			// go-mail looks for this exact spelling; any other would add a second Message-ID.
			msg.SetGenHeader(mail.HeaderMessageID, value)
		case canonical == "Reply-To":
			if err := msg.SetAddrHeader(mail.HeaderReplyTo, value); err != nil {
				return nil, fmt.Errorf("%w: Reply-To %q: %v", ErrInvalidMessage, value, err)
			}
		default:
			msg.SetGenHeader(mail.Header(canonical), value)
		}
	}
	msg.SetBodyString(mail.TypeTextPlain, m.Text)
	if m.HTML != "" {
		msg.AddAlternativeString(mail.TypeTextHTML, m.HTML)
	}
	return msg, nil
}

// isReservedHeader reports whether the canonical header name is set from
// Message's fields or by go-mail for the MIME structure.
func isReservedHeader(canonical string) bool {
	switch canonical {
	case "From", "To", "Cc", "Bcc", "Subject", "Mime-Version", "Content-Type", "Content-Transfer-Encoding":
		return true
	}
	return false
}

// validHeaderName reports whether name is an RFC 5322 field name: printable
// ASCII other than space and colon.
func validHeaderName(name string) bool {
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		if c := name[i]; c <= ' ' || c > '~' || c == ':' {
			return false
		}
	}
	return true
}

// LogMailer writes messages to the log instead of sending them. It is used when
// no SMTP server is configured, so that a password-reset link, say, can still be
// found in the server log.
type LogMailer struct {
	Logger *slog.Logger
}

var _ Mailer = LogMailer{}

// Send logs m at Info level and never fails.
func (l LogMailer) Send(ctx context.Context, m Message) error {
	logger := l.Logger
	if logger == nil {
		logger = slog.Default()
	}
	logger.InfoContext(ctx, "email not sent: no SMTP server configured",
		slog.Any("to", m.To), slog.String("subject", m.Subject), slog.String("text", m.Text))
	return nil
}
