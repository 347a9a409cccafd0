package notify

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/helpline-dev/helpline/internal/smtptest"
)

// wait bounds how long a test waits for the SMTP server; it is not a speed assertion.
const wait = 10 * time.Second

func newTestMailer(t *testing.T, rawURL string) *SMTPMailer {
	t.Helper()
	m, err := NewSMTPMailer(rawURL, "Helpline Support <support@helpline.test>")
	if err != nil {
		t.Fatalf("NewSMTPMailer(%q): %v", rawURL, err)
	}
	return m
}

func TestSMTPMailerSend(t *testing.T) {
	srv := smtptest.Start(t)
	mailer := newTestMailer(t, srv.URL())

	link := "https://help.example.com/reset?token=abc123&user=42"
	text := "Bonjour Zoë,\n\nReset your password here, the link works for one hour and then expires so please be quick:\n" + link + "\n"
	err := mailer.Send(context.Background(), Message{
		To:      []string{"zoe@example.com", "Ops Team <ops@example.com>"},
		Subject: "Réinitialisez votre mot de passe",
		Text:    text,
		HTML:    `<p>Bonjour Zoë,</p><p><a href="` + link + `">Reset your password</a></p>`,
		Headers: map[string]string{
			"message-id":       "<reset-42@helpline.test>", // any case: still one Message-ID
			"In-Reply-To":      "<ticket-7@helpline.test>",
			"References":       "<ticket-7@helpline.test> <ticket-7-1@helpline.test>",
			"List-Unsubscribe": "<https://help.example.com/unsubscribe?t=xyz>",
			"Reply-To":         "ticket+7@helpline.test",
		},
	})
	if err != nil {
		t.Fatalf("Send: %v", err)
	}

	got := srv.WaitFor(t, 1, wait)[0]
	if got.From != "support@helpline.test" {
		t.Errorf("envelope from = %q, want support@helpline.test", got.From)
	}
	if want := []string{"zoe@example.com", "ops@example.com"}; !slices.Equal(got.To, want) {
		t.Errorf("envelope to = %q, want %q", got.To, want)
	}
	for name, want := range map[string]string{
		"From":             `"Helpline Support" <support@helpline.test>`,
		"To":               `<zoe@example.com>, "Ops Team" <ops@example.com>`,
		"Subject":          "Réinitialisez votre mot de passe",
		"Message-ID":       "<reset-42@helpline.test>",
		"In-Reply-To":      "<ticket-7@helpline.test>",
		"References":       "<ticket-7@helpline.test> <ticket-7-1@helpline.test>",
		"List-Unsubscribe": "<https://help.example.com/unsubscribe?t=xyz>",
		"Reply-To":         "<ticket+7@helpline.test>",
	} {
		if v := got.Header(name); v != want {
			t.Errorf("header %s = %q, want %q", name, v, want)
		}
	}
	if n := bytes.Count(bytes.ToLower(got.Data), []byte("\nmessage-id:")); n != 1 {
		t.Errorf("message has %d Message-ID headers, want 1:\n%s", n, got.Data)
	}
	if ct := got.Header("Content-Type"); !strings.HasPrefix(ct, "multipart/alternative") {
		t.Errorf("Content-Type = %q, want multipart/alternative", ct)
	}
	if !bytes.Contains(got.Data, []byte("text/html")) {
		t.Errorf("message has no text/html part:\n%s", got.Data)
	}
	if body := got.TextBody(); body != text {
		t.Errorf("text body = %q, want %q", body, text)
	}
}

func TestSMTPMailerSendTextOnly(t *testing.T) {
	srv := smtptest.Start(t)
	mailer := newTestMailer(t, srv.URL())

	if err := mailer.Send(context.Background(), Message{To: []string{"a@example.com"}, Subject: "Hi", Text: "Just text."}); err != nil {
		t.Fatalf("Send: %v", err)
	}
	got := srv.WaitFor(t, 1, wait)[0]
	if ct := got.Header("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
		t.Errorf("Content-Type = %q, want text/plain", ct)
	}
	// SMTP ends the message with a line break.
	if body := got.TextBody(); body != "Just text.\n" {
		t.Errorf("text body = %q, want %q", body, "Just text.\n")
	}
	if id := got.Header("Message-ID"); id == "" {
		t.Error("message has no Message-ID; go-mail should generate one")
	}
}

func TestSMTPMailerAuth(t *testing.T) {
	srv := smtptest.Start(t)
	for _, tt := range []struct {
		name, url, wantUser string
	}{
		{"credentials", "smtp://alice:s3cr%3At@" + srv.Addr() + "?tls=none", "alice"},
		{"no credentials", "smtp://" + srv.Addr() + "?tls=none", ""},
		// No STARTTLS offered: opportunistic falls back to plain text.
		{"no credentials, default TLS policy", "smtp://" + srv.Addr(), ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			before := len(srv.Messages())
			mailer := newTestMailer(t, tt.url)
			if err := mailer.Send(context.Background(), Message{To: []string{"a@example.com"}, Text: "hello"}); err != nil {
				t.Fatalf("Send: %v", err)
			}
			got := srv.WaitFor(t, before+1, wait)[before]
			if got.Username != tt.wantUser {
				t.Errorf("authenticated as %q, want %q", got.Username, tt.wantUser)
			}
		})
	}
}

// go-mail refuses to offer a password on a connection without TLS unless tls=none says so.
func TestSMTPMailerAuthNeedsTLS(t *testing.T) {
	srv := smtptest.Start(t)
	mailer := newTestMailer(t, "smtp://user:pass@"+srv.Addr())
	err := mailer.Send(context.Background(), Message{To: []string{"a@example.com"}, Text: "hello"})
	if err == nil || !strings.Contains(err.Error(), "tls=none") {
		t.Fatalf("Send = %v, want an error suggesting tls=none", err)
	}
	if IsPermanent(err) {
		t.Errorf("IsPermanent(%v) = true, want false (a configuration problem, not the message's)", err)
	}
	if strings.Contains(err.Error(), "pass") && !strings.Contains(err.Error(), "password") {
		t.Errorf("error may leak the password: %v", err)
	}
}

func TestSMTPMailerMandatoryTLS(t *testing.T) {
	srv := smtptest.Start(t)
	mailer := newTestMailer(t, "smtp://"+srv.Addr()+"?tls=mandatory")
	err := mailer.Send(context.Background(), Message{To: []string{"a@example.com"}, Text: "hello"})
	if err == nil || !strings.Contains(err.Error(), "STARTTLS") {
		t.Fatalf("Send = %v, want an error about STARTTLS", err)
	}
	if IsPermanent(err) {
		t.Errorf("IsPermanent(%v) = true, want false", err)
	}
	if n := len(srv.Messages()); n != 0 {
		t.Errorf("server received %d message(s) over plain text, want 0", n)
	}
}

func TestSMTPMailerServerErrors(t *testing.T) {
	srv := smtptest.Start(t)
	mailer := newTestMailer(t, srv.URL())
	for _, tt := range []struct {
		code          int
		wantPermanent bool
	}{
		{421, false},
		{450, false},
		{451, false},
		{452, false},
		{550, true},
		{552, true},
		{554, true},
	} {
		t.Run(fmt.Sprint(tt.code), func(t *testing.T) {
			srv.FailNext(tt.code, "test failure")
			msg := Message{To: []string{"a@example.com"}, Text: "hello"}
			err := mailer.Send(context.Background(), msg)
			if err == nil {
				t.Fatalf("Send succeeded, want the %d reply as an error", tt.code)
			}
			if !strings.Contains(err.Error(), fmt.Sprint(tt.code)) {
				t.Errorf("error %q does not mention the reply code %d", err, tt.code)
			}
			if got := IsPermanent(err); got != tt.wantPermanent {
				t.Errorf("IsPermanent(%v) = %v, want %v", err, got, tt.wantPermanent)
			}
			// FailNext is one-shot: the retry goes through.
			before := len(srv.Messages())
			if err := mailer.Send(context.Background(), msg); err != nil {
				t.Fatalf("second Send: %v", err)
			}
			srv.WaitFor(t, before+1, wait)
		})
	}
}

func TestSMTPMailerConnectionRefused(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nothing listens on addr now

	mailer := newTestMailer(t, "smtp://"+addr+"?tls=none")
	err = mailer.Send(context.Background(), Message{To: []string{"a@example.com"}, Text: "hello"})
	if err == nil {
		t.Fatal("Send to a closed port succeeded")
	}
	if IsPermanent(err) {
		t.Errorf("IsPermanent(%v) = true, want false", err)
	}
	if !strings.Contains(err.Error(), addr) {
		t.Errorf("error %q does not name the server %s", err, addr)
	}
}

func TestSMTPMailerCanceledContext(t *testing.T) {
	srv := smtptest.Start(t)
	mailer := newTestMailer(t, srv.URL())
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := mailer.Send(ctx, Message{To: []string{"a@example.com"}, Text: "hello"})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Send = %v, want context.Canceled", err)
	}
	if IsPermanent(err) {
		t.Errorf("IsPermanent(%v) = true, want false", err)
	}
}

func TestSMTPMailerInvalidMessage(t *testing.T) {
	srv := smtptest.Start(t)
	mailer := newTestMailer(t, srv.URL())
	for _, tt := range []struct {
		name string
		msg  Message
		want string
	}{
		{"no recipient", Message{Text: "x"}, "no recipient"},
		{"bad recipient", Message{To: []string{"not an address"}, Text: "x"}, `"not an address"`},
		{"no text", Message{To: []string{"a@example.com"}, HTML: "<p>x</p>"}, "plain-text body"},
		{"reserved header", Message{To: []string{"a@example.com"}, Text: "x", Headers: map[string]string{"content-type": "text/html"}}, "content-type"},
		{"bad header name", Message{To: []string{"a@example.com"}, Text: "x", Headers: map[string]string{"X Bad": "1"}}, `"X Bad"`},
		{"header injection", Message{To: []string{"a@example.com"}, Text: "x", Headers: map[string]string{"In-Reply-To": "<a@b>\r\nBcc: x@evil.test"}}, "line break"},
		{"bad Reply-To", Message{To: []string{"a@example.com"}, Text: "x", Headers: map[string]string{"Reply-To": "nope"}}, "Reply-To"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := mailer.Send(context.Background(), tt.msg)
			if !errors.Is(err, ErrInvalidMessage) {
				t.Fatalf("Send = %v, want ErrInvalidMessage", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not mention %q", err, tt.want)
			}
			if !IsPermanent(err) {
				t.Errorf("IsPermanent(%v) = false, want true", err)
			}
		})
	}
	if n := len(srv.Messages()); n != 0 {
		t.Errorf("server received %d invalid message(s), want 0", n)
	}
}

func TestSMTPMailerConcurrentSends(t *testing.T) {
	srv := smtptest.Start(t)
	mailer := newTestMailer(t, srv.URL())
	const n = 8
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- mailer.Send(context.Background(), Message{To: []string{fmt.Sprintf("u%d@example.com", i)}, Text: "hello"})
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	srv.WaitFor(t, n, wait)
}

func TestNewSMTPMailer(t *testing.T) {
	for _, tt := range []struct {
		url, wantAddr, wantPolicy string
	}{
		{"smtp://mail.example.com", "mail.example.com:25", "TLSOpportunistic"},
		{"smtp://user:pass@mail.example.com:587?tls=mandatory", "mail.example.com:587", "TLSMandatory"},
		{"smtp://mail.example.com:2525?tls=none", "mail.example.com:2525", "NoTLS"},
		{"smtp://mail.example.com/?tls=opportunistic&insecure_skip_verify=1", "mail.example.com:25", "TLSOpportunistic"},
		{"smtps://user:pass@mail.example.com", "mail.example.com:465", ""},
		{"SMTPS://[::1]:1465", "[::1]:1465", ""},
	} {
		t.Run(tt.url, func(t *testing.T) {
			m, err := NewSMTPMailer(tt.url, "support@example.com")
			if err != nil {
				t.Fatalf("NewSMTPMailer: %v", err)
			}
			if got := m.client.ServerAddr(); got != tt.wantAddr {
				t.Errorf("server address = %q, want %q", got, tt.wantAddr)
			}
			if tt.wantPolicy != "" && m.client.TLSPolicy() != tt.wantPolicy {
				t.Errorf("TLS policy = %q, want %q", m.client.TLSPolicy(), tt.wantPolicy)
			}
		})
	}
}

func TestNewSMTPMailerRejects(t *testing.T) {
	for _, tt := range []struct {
		name, url, from, want string
	}{
		{"http scheme", "http://x", "a@example.com", `scheme "http" is not supported`},
		{"no host", "smtp://", "a@example.com", "has no host"},
		{"opaque", "smtp:mail.example.com", "a@example.com", "has no host"},
		{"not a URL", "smtp://user:s3cret@host:port", "a@example.com", "SMTP URL is invalid"},
		{"colons in host", "smtp://user:s3cret@host:port:25", "a@example.com", `host "host:port:25" is invalid`},
		{"bad escape", "smtp://user:s3cret%zz@host", "a@example.com", "SMTP URL is invalid"},
		{"port zero", "smtp://mail.example.com:0", "a@example.com", `port "0"`},
		{"port too big", "smtp://mail.example.com:70000", "a@example.com", `port "70000"`},
		{"path", "smtp://mail.example.com/inbox", "a@example.com", `unexpected path "/inbox"`},
		{"bad tls", "smtp://mail.example.com?tls=always", "a@example.com", `tls="always"`},
		{"tls on smtps", "smtps://mail.example.com?tls=none", "a@example.com", "smtps:// always uses TLS"},
		{"bad skip verify", "smtp://mail.example.com?insecure_skip_verify=maybe", "a@example.com", "insecure_skip_verify"},
		{"bad query", "smtp://mail.example.com?tls=none;x", "a@example.com", "query"},
		{"unknown parameter", "smtp://mail.example.com?tsl=none", "a@example.com", `unknown parameter "tsl"`},
		{"empty from", "smtp://mail.example.com", " ", "from address is empty"},
		{"bad from", "smtp://mail.example.com", "support at example.com", `from address "support at example.com" is invalid`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			m, err := NewSMTPMailer(tt.url, tt.from)
			if err == nil {
				t.Fatalf("NewSMTPMailer(%q, %q) = %v, want an error", tt.url, tt.from, m)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not contain %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "s3cret") {
				t.Errorf("error %q leaks the password", err)
			}
		})
	}
}

func TestIsPermanent(t *testing.T) {
	for _, tt := range []struct {
		err  error
		want bool
	}{
		{nil, false},
		{context.DeadlineExceeded, false},
		{errors.New("550 looks like a reply but is not one"), false},
		{fmt.Errorf("job: %w", ErrInvalidMessage), true},
		{&url.Error{Op: "dial", Err: errors.New("refused")}, false},
	} {
		if got := IsPermanent(tt.err); got != tt.want {
			t.Errorf("IsPermanent(%v) = %v, want %v", tt.err, got, tt.want)
		}
	}
}

func TestLogMailer(t *testing.T) {
	var buf bytes.Buffer
	mailer := LogMailer{Logger: slog.New(slog.NewTextHandler(&buf, nil))}
	err := mailer.Send(context.Background(), Message{
		To:      []string{"zoe@example.com"},
		Subject: "Reset your password",
		Text:    "Open https://help.example.com/reset?token=abc123",
	})
	if err != nil {
		t.Fatalf("Send: %v", err)
	}
	out := buf.String()
	for _, want := range []string{"level=INFO", "zoe@example.com", "Reset your password", "https://help.example.com/reset?token=abc123"} {
		if !strings.Contains(out, want) {
			t.Errorf("log %q does not contain %q", out, want)
		}
	}
}
