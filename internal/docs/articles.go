package docs

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/internal/db"
	"github.com/helpline-dev/helpline/internal/search"
)

// Limits on what an article or post holds.
const (
	MaxTitle   = 200
	MaxSlug    = 100
	MaxSummary = 1000
	// MaxBody bounds Markdown bodies: goldmark's worst cases grow faster
	// than linearly, so a page must stay small enough to render quickly.
	MaxBody   = 64 << 10
	MaxTags   = 20
	MaxTagLen = 50
)

// ReservedSlugs are the paths under /docs/ that are pages of their own.
var ReservedSlugs = []string{"manage", "new", "preview", "search", "ratings"}

var (
	slugPattern      = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	errorCodePattern = regexp.MustCompile(`^[HRL][0-9]{2}$`)
)

// URL returns an article's path: error-code entries are anchors of the
// reference page, everything else a page of its own.
func articleURL(slug, errorCode string) string {
	if errorCode != "" {
		return "/docs/error-codes#" + slug
	}
	return "/docs/" + slug
}

// Slugify derives a slug from a title: lowercase ASCII letters and digits
// (accents dropped), words joined by dashes, at most MaxSlug characters.
func Slugify(title string) string {
	var b strings.Builder
	dash := false
	for _, r := range norm.NFD.String(strings.ToLower(title)) {
		switch {
		case unicode.Is(unicode.Mn, r):
			// The accent of a decomposed letter: "é" slugs as "e".
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(r)
		case r == '\'' || r == '’':
			// "Don't" reads better as "dont" than as "don-t".
		default:
			dash = true
		}
	}
	s := b.String()
	if len(s) > MaxSlug {
		s = s[:MaxSlug]
		if i := strings.LastIndexByte(s, '-'); i > MaxSlug/2 {
			s = s[:i]
		}
		s = strings.TrimRight(s, "-")
	}
	return s
}

// checkSlug validates a slug an author typed or a title gave.
func checkSlug(v helpline.Validation, slug string, derived bool) {
	switch {
	case slug == "" && derived:
		v.Add("slug", "could not be made from the title: enter a slug of lowercase letters, digits and dashes")
	case slug == "":
		v.Add("slug", "is required")
	case len(slug) > MaxSlug:
		v.Add("slug", fmt.Sprintf("must be at most %d characters", MaxSlug))
	case !slugPattern.MatchString(slug):
		v.Add("slug", "must be lowercase letters and digits in words joined by single dashes, like h12-request-timeout")
	case slices.Contains(ReservedSlugs, slug):
		v.Add("slug", fmt.Sprintf("%q is a reserved page name: choose another slug", slug))
	}
}

// NormalizeTags lower-cases, trims and de-duplicates tags, dropping empty
// ones and keeping the first occurrence's order.
func NormalizeTags(tags []string) []string {
	out := []string{}
	for _, t := range tags {
		t = strings.ToLower(strings.TrimSpace(t))
		if t != "" && !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out
}

func checkTags(v helpline.Validation, tags []string) {
	v.Check(len(tags) <= MaxTags, "tags", fmt.Sprintf("must be at most %d tags", MaxTags))
	for _, t := range tags {
		if strings.Contains(t, ",") {
			v.Add("tags", fmt.Sprintf("%q contains a comma: give each tag separately", t))
		}
		if utf8.RuneCountInString(t) > MaxTagLen {
			v.Add("tags", fmt.Sprintf("%q is longer than %d characters", t, MaxTagLen))
		}
	}
}

func checkTitle(v helpline.Validation, title string) {
	v.Check(title != "", "title", "is required")
	v.Check(utf8.RuneCountInString(title) <= MaxTitle, "title", fmt.Sprintf("must be at most %d characters", MaxTitle))
}

func checkBody(v helpline.Validation, body string) {
	v.Check(strings.TrimSpace(body) != "", "body", "is required")
	v.Check(len(body) <= MaxBody, "body", fmt.Sprintf("must be at most %d KB of Markdown; split the article into several", MaxBody>>10))
}

func checkAudience(v helpline.Validation, a Audience) {
	v.Check(slices.Contains(Audiences, a), "audience", "must be one of "+joinValues(Audiences))
}

func checkStatus(v helpline.Validation, st Status) {
	v.Check(st == StatusDraft || st == StatusPublished, "status", "must be draft or published")
}

func sectionList() string {
	names := make([]string, len(Sections))
	for i, s := range Sections {
		names[i] = string(s.Slug)
	}
	return strings.Join(names, ", ")
}

func joinValues[T ~string](vals []T) string {
	names := make([]string, len(vals))
	for i, v := range vals {
		names[i] = string(v)
	}
	return strings.Join(names, ", ")
}

// normalize trims what an author typed and fills the defaults; the
// fields keep the author's values so a form can show them again.
func (in *ArticleInput) normalize() {
	in.Slug = strings.TrimSpace(in.Slug)
	in.Title = strings.TrimSpace(in.Title)
	in.Summary = strings.TrimSpace(in.Summary)
	in.Section = Section(strings.TrimSpace(string(in.Section)))
	in.Audience = Audience(strings.TrimSpace(string(in.Audience)))
	in.Status = Status(strings.TrimSpace(string(in.Status)))
	in.ErrorCode = strings.ToUpper(strings.TrimSpace(in.ErrorCode))
	in.Tags = NormalizeTags(in.Tags)
	in.Note = strings.TrimSpace(in.Note)
	if in.Audience == "" {
		in.Audience = search.AudiencePublic
	}
	if in.Status == "" {
		in.Status = StatusDraft
	}
	if in.LastReviewedAt != nil {
		t := db.Time(*in.LastReviewedAt)
		in.LastReviewedAt = &t
	}
}

// validate checks an article; derived says the slug came from the title.
func (in *ArticleInput) validate(derived bool) helpline.Validation {
	v := helpline.Validation{}
	checkTitle(v, in.Title)
	checkSlug(v, in.Slug, derived)
	v.Check(utf8.RuneCountInString(in.Summary) <= MaxSummary, "summary", fmt.Sprintf("must be at most %d characters", MaxSummary))
	checkBody(v, in.Body)
	checkTags(v, in.Tags)
	switch {
	case in.Section == "":
		v.Add("section", "is required: choose one of "+sectionList())
	case !in.Section.Valid():
		v.Add("section", "must be one of "+sectionList())
	}
	checkAudience(v, in.Audience)
	checkStatus(v, in.Status)
	if in.ErrorCode != "" {
		v.Check(errorCodePattern.MatchString(in.ErrorCode), "error_code", "must be a letter H, R or L and two digits, like H12")
		v.Check(in.Section == SectionErrorCodes, "error_code", "is only for articles in the error-codes section")
	}
	v.Check(in.Position >= 0, "position", "must be zero or more")
	v.Check(utf8.RuneCountInString(in.Note) <= 500, "note", "must be at most 500 characters")
	return v
}

const articleColumns = `a.id, a.slug, a.title, a.summary, a.body, a.tags, a.section, a.audience, a.status, a.error_code,
	a.position, a.author_id, coalesce(u.name, ''), a.revision, a.last_reviewed_at, a.published_at, a.created_at, a.updated_at`

const articleJoins = ` FROM articles a LEFT JOIN users u ON u.id = a.author_id`

func scanArticle(row interface{ Scan(...any) error }) (Article, error) {
	var a Article
	var tags string
	var code sql.NullString
	var author sql.NullInt64
	var reviewed, published sql.NullTime
	err := row.Scan(&a.ID, &a.Slug, &a.Title, &a.Summary, &a.Body, &tags, &a.Section, &a.Audience, &a.Status, &code,
		&a.Position, &author, &a.AuthorName, &a.Revision, &reviewed, &published, &a.CreatedAt, &a.UpdatedAt)
	if err != nil {
		return a, err
	}
	a.Tags = splitTags(tags)
	a.ErrorCode = code.String
	a.AuthorID = author.Int64
	a.LastReviewedAt, a.PublishedAt = db.NullTime(reviewed), db.NullTime(published)
	a.CreatedAt, a.UpdatedAt = a.CreatedAt.UTC(), a.UpdatedAt.UTC()
	a.URL = articleURL(a.Slug, a.ErrorCode)
	return a, nil
}

func splitTags(s string) []string {
	if s == "" {
		return []string{}
	}
	return strings.Split(s, ",")
}

// args collects query arguments and hands out their placeholders.
type args []any

func (a *args) add(v any) string {
	*a = append(*a, v)
	return fmt.Sprintf("$%d", len(*a))
}

func (a *args) in(vals []Audience) string {
	ph := make([]string, len(vals))
	for i, v := range vals {
		ph[i] = a.add(v)
	}
	return "(" + strings.Join(ph, ", ") + ")"
}

// readable is the condition under which a reader sees article a: staff
// see everything, others published articles of their audiences.
func readable(aud []Audience, qa *args) string {
	if slices.Contains(aud, search.AudienceStaff) {
		return "TRUE"
	}
	return "a.status = 'published' AND a.audience IN " + qa.in(aud)
}

// FindArticleBySlug returns an article the actor may read: published, in an
// audience they belong to; staff see drafts. Otherwise it is not found.
func (s *Service) FindArticleBySlug(ctx context.Context, actor *helpline.Actor, slug string) (Article, error) {
	return s.findArticle(ctx, actor, "a.slug", strings.TrimSpace(slug))
}

// FindArticleByErrorCode returns the reference entry of a code (H12, r14).
func (s *Service) FindArticleByErrorCode(ctx context.Context, actor *helpline.Actor, code string) (Article, error) {
	code = strings.ToUpper(strings.TrimSpace(code))
	if !errorCodePattern.MatchString(code) {
		return Article{}, helpline.NotFound("error code " + code)
	}
	a, err := s.findArticle(ctx, actor, "a.error_code", code)
	if helpline.KindOf(err) == helpline.KindNotFound {
		return a, helpline.NotFound("error code " + code)
	}
	return a, err
}

func (s *Service) findArticle(ctx context.Context, actor *helpline.Actor, column, value string) (Article, error) {
	aud, err := s.audiences(ctx, actor)
	if err != nil {
		return Article{}, err
	}
	qa := args{value}
	a, err := scanArticle(s.db.QueryRowContext(ctx, `SELECT `+articleColumns+articleJoins+
		` WHERE `+column+` = $1 AND `+readable(aud, &qa), qa...))
	if errors.Is(err, sql.ErrNoRows) {
		return a, helpline.NotFound("article")
	}
	return a, err
}

// sectionOrder sorts articles in the order the Dev Center shows sections.
func sectionOrder() string {
	var b strings.Builder
	b.WriteString("CASE a.section")
	for i, si := range Sections {
		fmt.Fprintf(&b, " WHEN '%s' THEN %d", si.Slug, i)
	}
	fmt.Fprintf(&b, " ELSE %d END", len(Sections))
	return b.String()
}

// FindArticles lists the articles the actor may read, in section order.
func (s *Service) FindArticles(ctx context.Context, actor *helpline.Actor, f ArticleFilter) ([]Article, error) {
	aud, err := s.audiences(ctx, actor)
	if err != nil {
		return nil, err
	}
	var qa args
	conds := []string{readable(aud, &qa)}
	if f.Section != "" {
		conds = append(conds, "a.section = "+qa.add(f.Section))
	}
	if f.Audience != "" {
		conds = append(conds, "a.audience = "+qa.add(f.Audience))
	}
	if f.Status != "" && actor.IsStaff() {
		conds = append(conds, "a.status = "+qa.add(f.Status))
	}
	if tag := strings.ToLower(strings.TrimSpace(f.Tag)); tag != "" {
		conds = append(conds, "(',' || a.tags || ',') LIKE "+qa.add("%,"+escapeLike(tag)+",%")+` ESCAPE '\'`)
	}
	p := f.Page.Normalize()
	query := `SELECT ` + articleColumns + articleJoins + ` WHERE ` + strings.Join(conds, " AND ") +
		` ORDER BY ` + sectionOrder() + `, a.position, a.title, a.id LIMIT ` + qa.add(p.Limit) + ` OFFSET ` + qa.add(p.Offset)
	rows, err := s.db.QueryContext(ctx, query, qa...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Article{}
	for rows.Next() {
		a, err := scanArticle(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// CreateArticle saves a new article as revision 1 (staff).
func (s *Service) CreateArticle(ctx context.Context, actor *helpline.Actor, in ArticleInput) (Article, error) {
	if err := actor.RequireStaff(); err != nil {
		return Article{}, err
	}
	var a Article
	err := s.db.InTx(ctx, func(tx *sql.Tx) error {
		var err error
		a, err = s.createArticle(ctx, tx, actor, in)
		return err
	})
	return a, err
}

// createArticle validates and inserts an article in tx. A nil actor is
// the shipped content, which has no author.
func (s *Service) createArticle(ctx context.Context, tx *sql.Tx, actor *helpline.Actor, in ArticleInput) (Article, error) {
	in.normalize()
	derived := in.Slug == ""
	if derived {
		in.Slug = Slugify(in.Title)
	}
	v := in.validate(derived)
	if err := s.checkUnique(ctx, tx, v, 0, in); err != nil {
		return Article{}, err
	}
	if err := v.Err(); err != nil {
		return Article{}, err
	}
	now := s.nowUTC()
	var published *time.Time
	if in.Status == StatusPublished {
		published = &now
	}
	var id int64
	err := tx.QueryRowContext(ctx, `INSERT INTO articles (slug, title, summary, body, tags, section, audience, status, error_code,
		position, author_id, revision, last_reviewed_at, published_at, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 1, $12, $13, $14, $14) RETURNING id`,
		in.Slug, in.Title, in.Summary, in.Body, strings.Join(in.Tags, ","), in.Section, in.Audience, in.Status, nullString(in.ErrorCode),
		in.Position, actorID(actor), in.LastReviewedAt, published, now).Scan(&id)
	if db.IsUniqueViolation(err) {
		return Article{}, conflictErr()
	}
	if err != nil {
		return Article{}, err
	}
	note := in.Note
	if note == "" {
		note = "Created"
	}
	return s.saved(ctx, tx, actor, id, note, "article.created")
}

// checkUnique adds field errors for a slug or error code another article
// (not id) already has.
func (s *Service) checkUnique(ctx context.Context, q db.Querier, v helpline.Validation, id int64, in ArticleInput) error {
	if _, bad := v["slug"]; !bad {
		var other string
		err := q.QueryRowContext(ctx, `SELECT title FROM articles WHERE slug = $1 AND id <> $2`, in.Slug, id).Scan(&other)
		switch {
		case err == nil:
			v.Add("slug", fmt.Sprintf("%q is already the slug of %q: choose another", in.Slug, other))
		case !errors.Is(err, sql.ErrNoRows):
			return err
		}
	}
	if _, bad := v["error_code"]; !bad && in.ErrorCode != "" {
		var other string
		err := q.QueryRowContext(ctx, `SELECT slug FROM articles WHERE error_code = $1 AND id <> $2`, in.ErrorCode, id).Scan(&other)
		switch {
		case err == nil:
			v.Add("error_code", fmt.Sprintf("%s is already explained by %q: edit that article instead", in.ErrorCode, other))
		case !errors.Is(err, sql.ErrNoRows):
			return err
		}
	}
	return nil
}

// conflictErr is a unique violation that slipped past checkUnique: another
// save won a race for the same slug or code.
func conflictErr() error {
	return &helpline.Error{Kind: helpline.KindConflict, Message: "Another article took this slug or error code a moment ago.",
		Fields: map[string]string{"slug": "is already taken (or the error code is): choose another"}}
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func actorID(actor *helpline.Actor) any {
	if actor == nil || actor.UserID == 0 {
		return nil
	}
	return actor.UserID
}

// saved follows every write of article id in its transaction: the new
// revision row, the search index and the audit log. It returns the article
// as saved.
func (s *Service) saved(ctx context.Context, tx *sql.Tx, actor *helpline.Actor, id int64, note, action string) (Article, error) {
	a, err := s.articleInTx(ctx, tx, id)
	if err != nil {
		return a, err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO article_revisions (article_id, revision, title, summary, body, tags, section, audience,
		status, error_code, author_id, note, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
		a.ID, a.Revision, a.Title, a.Summary, a.Body, strings.Join(a.Tags, ","), a.Section, a.Audience, a.Status,
		nullString(a.ErrorCode), actorID(actor), note, a.UpdatedAt)
	if err != nil {
		return a, fmt.Errorf("save revision: %w", err)
	}
	if err := s.index.Put(ctx, tx, articleDoc(a)); err != nil {
		return a, fmt.Errorf("index article: %w", err)
	}
	if actor == nil || s.accounts == nil {
		return a, nil
	}
	return a, s.accounts.Audit(ctx, tx, actor, action, "article", a.ID, map[string]any{"slug": a.Slug, "revision": a.Revision})
}

func articleKind(section Section) search.Kind {
	if section == SectionKnowledgeBase {
		return search.KindKB
	}
	return search.KindDoc
}

// articleDoc is what the index holds of an article: drafts only for staff.
func articleDoc(a Article) search.Doc {
	return articleDocText(a, plainText(a.Summary, a.Body))
}

// plainText is the text the index gets of an article or post.
func plainText(summary, body string) string {
	return search.PlainText(summary + "\n\n" + body)
}

// articleDocText is articleDoc with the plain text already made.
func articleDocText(a Article, plain string) search.Doc {
	aud := a.Audience
	if a.Status != StatusPublished {
		aud = search.AudienceStaff
	}
	return search.Doc{
		Kind: articleKind(a.Section), ID: a.ID, Title: a.Title, Tags: a.Tags,
		Body: plain, URL: a.URL, Audience: aud,
		ErrorCode: a.ErrorCode, UpdatedAt: a.UpdatedAt,
	}
}

func (s *Service) articleInTx(ctx context.Context, q db.Querier, id int64) (Article, error) {
	a, err := scanArticle(q.QueryRowContext(ctx, `SELECT `+articleColumns+articleJoins+` WHERE a.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return a, helpline.NotFound("article")
	}
	return a, err
}

func (s *Service) articleBySlugInTx(ctx context.Context, q db.Querier, slug string) (Article, error) {
	a, err := scanArticle(q.QueryRowContext(ctx, `SELECT `+articleColumns+articleJoins+` WHERE a.slug = $1`, strings.TrimSpace(slug)))
	if errors.Is(err, sql.ErrNoRows) {
		return a, helpline.NotFound("article")
	}
	return a, err
}

// UpdateArticle saves a new revision of an article (staff). An empty slug
// keeps the article's slug; saving unchanged content keeps its revision.
func (s *Service) UpdateArticle(ctx context.Context, actor *helpline.Actor, slug string, in ArticleInput) (Article, error) {
	if err := actor.RequireStaff(); err != nil {
		return Article{}, err
	}
	var a Article
	err := s.db.InTx(ctx, func(tx *sql.Tx) error {
		cur, err := s.articleBySlugInTx(ctx, tx, slug)
		if err != nil {
			return err
		}
		a, _, err = s.updateArticle(ctx, tx, actor, cur, in)
		return err
	})
	return a, err
}

// updateArticle saves in over cur in tx and reports whether anything
// changed.
func (s *Service) updateArticle(ctx context.Context, tx *sql.Tx, actor *helpline.Actor, cur Article, in ArticleInput) (Article, bool, error) {
	in.normalize()
	if in.Slug == "" {
		in.Slug = cur.Slug
	}
	if in.BaseRevision != 0 && in.BaseRevision != cur.Revision {
		return cur, false, helpline.Errorf(helpline.KindConflict,
			"This article was saved by someone else (it is at revision %d; you started from revision %d). "+
				"Reload it, apply your changes again and save; copy your text first so it is not lost.", cur.Revision, in.BaseRevision)
	}
	v := in.validate(false)
	if err := s.checkUnique(ctx, tx, v, cur.ID, in); err != nil {
		return cur, false, err
	}
	if err := v.Err(); err != nil {
		return cur, false, err
	}
	if unchanged(cur, in) {
		return cur, false, nil
	}
	now := s.nowUTC()
	published := cur.PublishedAt
	if in.Status == StatusPublished && published == nil {
		published = &now
	}
	res, err := tx.ExecContext(ctx, `UPDATE articles SET slug = $1, title = $2, summary = $3, body = $4, tags = $5, section = $6,
		audience = $7, status = $8, error_code = $9, position = $10, last_reviewed_at = $11, published_at = $12, updated_at = $13,
		revision = revision + 1 WHERE id = $14 AND revision = $15`,
		in.Slug, in.Title, in.Summary, in.Body, strings.Join(in.Tags, ","), in.Section, in.Audience, in.Status, nullString(in.ErrorCode),
		in.Position, in.LastReviewedAt, published, now, cur.ID, cur.Revision)
	if db.IsUniqueViolation(err) {
		return cur, false, conflictErr()
	}
	if err != nil {
		return cur, false, err
	}
	if n, err := res.RowsAffected(); err != nil {
		return cur, false, err
	} else if n == 0 {
		return cur, false, helpline.Errorf(helpline.KindConflict, "This article was saved by someone else a moment ago: reload it and save again.")
	}
	// A section change can move the article between the doc and kb kinds,
	// which are different keys in the index.
	if oldKind := articleKind(cur.Section); oldKind != articleKind(in.Section) {
		if err := s.index.Delete(ctx, tx, oldKind, cur.ID); err != nil {
			return cur, false, fmt.Errorf("unindex article: %w", err)
		}
	}
	note := in.Note
	if note == "" {
		note = "Edited"
	}
	a, err := s.saved(ctx, tx, actor, cur.ID, note, "article.updated")
	return a, err == nil, err
}

// unchanged reports whether saving in would leave article a as it is.
func unchanged(a Article, in ArticleInput) bool {
	sameTime := func(x, y *time.Time) bool {
		if x == nil || y == nil {
			return x == y
		}
		return x.Equal(*y)
	}
	return a.Slug == in.Slug && a.Title == in.Title && a.Summary == in.Summary && a.Body == in.Body &&
		slices.Equal(a.Tags, in.Tags) && a.Section == in.Section && a.Audience == in.Audience && a.Status == in.Status &&
		a.ErrorCode == in.ErrorCode && a.Position == in.Position && sameTime(a.LastReviewedAt, in.LastReviewedAt)
}

// PutArticle creates the article with in.Slug or saves a new revision of
// it; an unchanged article keeps its revision, and the bool reports
// whether anything was written. Imports use it (staff).
func (s *Service) PutArticle(ctx context.Context, actor *helpline.Actor, in ArticleInput) (Article, bool, error) {
	if err := actor.RequireStaff(); err != nil {
		return Article{}, false, err
	}
	var a Article
	var changed bool
	err := s.db.InTx(ctx, func(tx *sql.Tx) error {
		var err error
		a, changed, err = s.putArticle(ctx, tx, actor, in)
		return err
	})
	return a, changed, err
}

func (s *Service) putArticle(ctx context.Context, tx *sql.Tx, actor *helpline.Actor, in ArticleInput) (Article, bool, error) {
	slug := strings.TrimSpace(in.Slug)
	if slug == "" {
		slug = Slugify(in.Title)
	}
	cur, err := s.articleBySlugInTx(ctx, tx, slug)
	switch {
	case helpline.KindOf(err) == helpline.KindNotFound:
		if in.Note == "" {
			in.Note = "Imported"
		}
		a, err := s.createArticle(ctx, tx, actor, in)
		return a, err == nil, err
	case err != nil:
		return Article{}, false, err
	}
	if in.Note == "" {
		in.Note = "Imported"
	}
	in.Slug = slug
	return s.updateArticle(ctx, tx, actor, cur, in)
}

// DeleteArticle removes an article, its revisions and ratings, and its
// index entry (admin).
func (s *Service) DeleteArticle(ctx context.Context, actor *helpline.Actor, slug string) error {
	if err := actor.RequireAdmin(); err != nil {
		return err
	}
	return s.db.InTx(ctx, func(tx *sql.Tx) error {
		a, err := s.articleBySlugInTx(ctx, tx, slug)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM articles WHERE id = $1`, a.ID); err != nil {
			return err
		}
		if err := s.index.Delete(ctx, tx, articleKind(a.Section), a.ID); err != nil {
			return fmt.Errorf("unindex article: %w", err)
		}
		if s.accounts == nil {
			return nil
		}
		return s.accounts.Audit(ctx, tx, actor, "article.deleted", "article", a.ID, map[string]any{"slug": a.Slug, "title": a.Title})
	})
}
