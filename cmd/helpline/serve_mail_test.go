package main

import (
	"context"
	"net/smtp"
	"regexp"
	"testing"

	"github.com/helpline-dev/helpline/internal/db"
)

// With HELPLINE_SMTP_LISTEN, `helpline serve` receives mail: a stranger's
// message is held for staff.
func TestServeReceivesMail(t *testing.T) {
	env := with(testEnv(t), "HELPLINE_SMTP_LISTEN", "127.0.0.1:0", "HELPLINE_MAIL_FROM", "Help <support@help.example.com>")
	s := startServer(t, env)
	m := s.waitFor(t, regexp.MustCompile(`Receiving replies for support@help.example.com by SMTP on (127\.0\.0\.1:\d+)`))
	msg := "From: stranger@x.test\r\nTo: support@help.example.com\r\nSubject: hi\r\nMessage-ID: <cli1@x.test>\r\n\r\nhello\r\n"
	if err := smtp.SendMail(m[1], nil, "stranger@x.test", []string{"support@help.example.com"}, []byte(msg)); err != nil {
		t.Fatal(err)
	}
	s.stop(t)
	d, err := db.Open(context.Background(), env["DATABASE_URL"])
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	var status string
	if err := d.QueryRowContext(context.Background(), `SELECT status FROM mail_inbox WHERE message_id = 'cli1@x.test'`).Scan(&status); err != nil || status != "held" {
		t.Fatalf("inbox status %q, %v", status, err)
	}
}
