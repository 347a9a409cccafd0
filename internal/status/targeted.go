package status

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"html/template"
	"sort"
	"strings"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/internal/account"
	"github.com/helpline-dev/helpline/internal/notify"
)

// NoticeCategory is the outbox category of targeted notification emails.
const NoticeCategory = "status_notices"

// addonMatches reports whether an app's add-on is the one asked for: the
// same name, or the same service on any plan ("heroku-postgresql" matches
// "heroku-postgresql:standard-0").
func addonMatches(have, want string) bool {
	if have == want {
		return true
	}
	if strings.Contains(want, ":") {
		return false
	}
	service, _, _ := strings.Cut(have, ":")
	return service == want
}

func (in *TargetInput) validate() helpline.Validation {
	in.Title = strings.TrimSpace(in.Title)
	in.Body = strings.TrimSpace(in.Body)
	in.Addon = strings.ToLower(strings.TrimSpace(in.Addon))
	in.Region = strings.ToLower(strings.TrimSpace(in.Region))
	in.URL = strings.TrimSpace(in.URL)
	apps := []string{}
	for _, a := range in.Apps {
		if a = strings.ToLower(strings.TrimSpace(a)); a != "" {
			apps = append(apps, a)
		}
	}
	in.Apps = apps
	v := helpline.Validation{}
	v.Check(in.Title != "", "title", "is required: say what happens, e.g. \"Postgres maintenance in eu\"")
	v.Check(len(in.Title) <= 200, "title", "must be at most 200 characters")
	v.Check(len(in.Body) <= 10000, "body", "must be at most 10,000 characters")
	v.Check(len(in.Apps) > 0 || in.Addon != "" || in.Region != "", "apps", "choose at least one filter: app names, an add-on or a region")
	if in.Region != "" {
		known := false
		for _, r := range account.Regions {
			known = known || r == in.Region
		}
		v.Check(known, "region", "must be one of "+strings.Join(account.Regions, ", "))
	}
	v.Check(in.URL == "" || strings.HasPrefix(in.URL, "/") && !strings.HasPrefix(in.URL, "//") || strings.HasPrefix(in.URL, "https://") || strings.HasPrefix(in.URL, "http://"),
		"url", "must be a path like /status or an http(s):// URL")
	return v
}

// NotifyOrganizations sends a targeted notification (staff) and returns the
// organizations it reached: every member of an organization with an app
// matching all the filters gets a notice in their notification center and,
// with Email, an email through the outbox.
func (s *Service) NotifyOrganizations(ctx context.Context, actor *helpline.Actor, in TargetInput) (int, error) {
	if err := actor.RequireStaff(); err != nil {
		return 0, err
	}
	v := in.validate()
	if err := v.Err(); err != nil {
		return 0, err
	}
	orgCount := 0
	err := s.db.InTx(ctx, func(tx *sql.Tx) error {
		orgs, err := s.matchOrgs(ctx, tx, in, v)
		if err != nil {
			return err
		}
		if err := v.Err(); err != nil {
			return err
		}
		orgCount = len(orgs)
		users, err := orgMembers(ctx, tx, orgs)
		if err != nil {
			return err
		}
		now := s.nowUTC()
		for _, u := range users {
			var noticeID int64
			if err := tx.QueryRowContext(ctx, `INSERT INTO user_notices (user_id, title, body, url, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
				u.id, in.Title, in.Body, in.URL, now).Scan(&noticeID); err != nil {
				return err
			}
			if in.Email {
				if err := s.queueNoticeEmail(ctx, tx, noticeID, u, in); err != nil {
					return err
				}
			}
		}
		if s.accounts == nil {
			return nil
		}
		return s.accounts.Audit(ctx, tx, actor, "status.targeted_notification", "notice", 0, map[string]any{
			"title": in.Title, "apps": in.Apps, "addon": in.Addon, "region": in.Region, "email": in.Email,
			"organizations": orgCount, "users": len(users),
		})
	})
	return orgCount, err
}

// matchOrgs returns the organizations with an app matching every filter;
// app names that do not exist are reported on v.
func (s *Service) matchOrgs(ctx context.Context, tx *sql.Tx, in TargetInput, v helpline.Validation) ([]int64, error) {
	rows, err := tx.QueryContext(ctx, `SELECT org_id, name, region, addons FROM apps ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	wanted := map[string]bool{}
	for _, a := range in.Apps {
		wanted[a] = true
	}
	seen := map[string]bool{}
	orgSet := map[int64]bool{}
	for rows.Next() {
		var orgID int64
		var name, region, addonsJSON string
		if err := rows.Scan(&orgID, &name, &region, &addonsJSON); err != nil {
			return nil, err
		}
		seen[name] = true
		if len(wanted) > 0 && !wanted[name] {
			continue
		}
		if in.Region != "" && region != in.Region {
			continue
		}
		if in.Addon != "" {
			var addons []string
			if err := json.Unmarshal([]byte(addonsJSON), &addons); err != nil {
				return nil, fmt.Errorf("app %s: add-ons: %w", name, err)
			}
			found := false
			for _, a := range addons {
				found = found || addonMatches(a, in.Addon)
			}
			if !found {
				continue
			}
		}
		orgSet[orgID] = true
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var unknown []string
	for _, a := range in.Apps {
		if !seen[a] {
			unknown = append(unknown, a)
		}
	}
	if len(unknown) > 0 {
		v.Add("apps", "no app is named "+strings.Join(unknown, ", ")+"; check the spelling")
	}
	orgs := make([]int64, 0, len(orgSet))
	for id := range orgSet {
		orgs = append(orgs, id)
	}
	sort.Slice(orgs, func(i, j int) bool { return orgs[i] < orgs[j] })
	return orgs, nil
}

type member struct {
	id    int64
	email string
	name  string
}

// orgMembers returns the members of the organizations, each once.
func orgMembers(ctx context.Context, tx *sql.Tx, orgs []int64) ([]member, error) {
	if len(orgs) == 0 {
		return nil, nil
	}
	args := make([]any, len(orgs))
	marks := make([]string, len(orgs))
	for i, id := range orgs {
		args[i] = id
		marks[i] = fmt.Sprintf("$%d", i+1)
	}
	rows, err := tx.QueryContext(ctx, `SELECT DISTINCT u.id, u.email, u.name FROM memberships m JOIN users u ON u.id = m.user_id
		WHERE m.org_id IN (`+strings.Join(marks, ", ")+`) ORDER BY u.id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []member
	for rows.Next() {
		var m member
		if err := rows.Scan(&m.id, &m.email, &m.name); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// queueNoticeEmail puts the notice's email in the mail outbox with the job
// that sends it, as the outbox's own messages are: the send_email worker
// retries it and staff see it in the outbox.
//
// The outbox has no method for messages that are not about a ticket, so
// this writes its row the way notify.Outbox.enqueue does.
func (s *Service) queueNoticeEmail(ctx context.Context, tx *sql.Tx, noticeID int64, m member, in TargetInput) error {
	link := in.URL
	if strings.HasPrefix(link, "/") {
		link = s.link(link)
	}
	notices := s.link("/notices")
	text := in.Title + "\n"
	if in.Body != "" {
		text += "\n" + in.Body + "\n"
	}
	if link != "" {
		text += "\nMore: " + link + "\n"
	}
	text += "\n--\nYou receive this because an app of your organization is affected. Your notices: " + notices + "\n"
	esc := template.HTMLEscapeString
	html := fmt.Sprintf(`<h2 style="font-size:18px">%s</h2>`, esc(in.Title))
	if in.Body != "" {
		html += "<p>" + strings.ReplaceAll(esc(in.Body), "\n\n", "</p><p>") + "</p>"
	}
	if link != "" {
		html += fmt.Sprintf(`<p><a href="%s">More</a></p>`, esc(link))
	}
	html += fmt.Sprintf(`<hr><p style="color:#5b6275;font-size:13px">You receive this because an app of your organization is affected. <a href="%s">Your notices</a>.</p>`, esc(notices))
	messageID := fmt.Sprintf("notice.%d.u%d@%s", noticeID, m.id, s.domain())
	headers, _ := json.Marshal(map[string]string{
		"Message-ID":     "<" + messageID + ">",
		"Auto-Submitted": "auto-generated",
	})
	var outboxID int64
	err := tx.QueryRowContext(ctx, `INSERT INTO mail_outbox (dedupe_key, user_id, to_email, category, message_id, subject, text_body, html_body, headers, status, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'queued', $10) RETURNING id`,
		fmt.Sprintf("notice:%d", noticeID), m.id, m.email, NoticeCategory, messageID, in.Title, text, html, string(headers), s.nowUTC()).Scan(&outboxID)
	if err != nil {
		return err
	}
	if s.jobs == nil {
		return nil
	}
	_, err = s.jobs.InsertTx(ctx, tx, notify.SendEmailArgs{OutboxID: outboxID}, nil)
	return err
}
