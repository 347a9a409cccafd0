package mailin

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// IMAPPoller reads new messages from a hosted mailbox, for teams whose reply
// address lives at a mail provider instead of pointing at our SMTP
// listener. Each unseen message is processed, then flagged \Seen, so it is
// read once; a message that fails stays unseen and is tried next time.
type IMAPPoller struct {
	URL       string // imaps://user:pass@host:993/INBOX, or imap://…:143 (STARTTLS; ?tls=none for tests)
	Processor *Processor
}

// ParseIMAPURL checks an IMAP URL and returns its parts.
func ParseIMAPURL(raw string) (addr, user, pass, mailbox, mode string, err error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "imap" && u.Scheme != "imaps") || u.Hostname() == "" || u.User == nil {
		return "", "", "", "", "", fmt.Errorf("IMAP URL must look like imaps://user:password@imap.example.com/INBOX")
	}
	port := u.Port()
	mode = "tls"
	if u.Scheme == "imap" {
		mode = "starttls"
		if u.Query().Get("tls") == "none" {
			mode = "none"
		}
		if port == "" {
			port = "143"
		}
	} else if port == "" {
		port = "993"
	}
	pass, _ = u.User.Password()
	mailbox = strings.TrimPrefix(u.Path, "/")
	if mailbox == "" {
		mailbox = "INBOX"
	}
	return u.Hostname() + ":" + port, u.User.Username(), pass, mailbox, mode, nil
}

// Poll processes the unseen messages once and returns how many it read.
func (p *IMAPPoller) Poll(ctx context.Context) (int, error) {
	addr, user, pass, mailbox, mode, err := ParseIMAPURL(p.URL)
	if err != nil {
		return 0, err
	}
	var c *imapclient.Client
	switch mode {
	case "tls":
		c, err = imapclient.DialTLS(addr, nil)
	case "starttls":
		c, err = imapclient.DialStartTLS(addr, nil)
	default:
		c, err = imapclient.DialInsecure(addr, nil)
	}
	if err != nil {
		return 0, fmt.Errorf("imap connect %s: %w", addr, err)
	}
	defer c.Close()
	if err := c.Login(user, pass).Wait(); err != nil {
		return 0, fmt.Errorf("imap login: %w", err)
	}
	if _, err := c.Select(mailbox, nil).Wait(); err != nil {
		return 0, fmt.Errorf("imap select %s: %w", mailbox, err)
	}
	found, err := c.UIDSearch(&imap.SearchCriteria{NotFlag: []imap.Flag{imap.FlagSeen}}, nil).Wait()
	if err != nil {
		return 0, fmt.Errorf("imap search: %w", err)
	}
	read := 0
	body := &imap.FetchItemBodySection{Peek: true}
	for _, uid := range found.AllUIDs() {
		if ctx.Err() != nil {
			break
		}
		set := imap.UIDSetNum(uid)
		msgs, err := c.Fetch(set, &imap.FetchOptions{BodySection: []*imap.FetchItemBodySection{body}}).Collect()
		if err != nil {
			return read, fmt.Errorf("imap fetch: %w", err)
		}
		if len(msgs) == 0 {
			continue
		}
		if _, err := p.Processor.Receive(ctx, msgs[0].FindBodySection(body)); err != nil {
			return read, err
		}
		if err := c.Store(set, &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagSeen}}, nil).Close(); err != nil {
			return read, fmt.Errorf("imap flag seen: %w", err)
		}
		read++
	}
	return read, c.Logout().Wait()
}
