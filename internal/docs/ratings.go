package docs

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/helpline-dev/helpline"
)

// MaxRatingComment bounds a rating's comment.
const MaxRatingComment = 2000

// RateArticle records the actor's (or a signed-out voter's) rating on an
// article they may read; a second vote by the same voter replaces the first.
func (s *Service) RateArticle(ctx context.Context, actor *helpline.Actor, slug string, in RatingInput) (Rating, error) {
	in.Comment = strings.TrimSpace(in.Comment)
	v := helpline.Validation{}
	v.Check(in.Helpful != nil, "helpful", "choose whether the article helped you")
	v.Check(utf8.RuneCountInString(in.Comment) <= MaxRatingComment, "comment", "must be at most 2000 characters")
	var voter string
	var userID any
	if actor != nil && actor.UserID != 0 {
		voter, userID = "user:"+strconv.FormatInt(actor.UserID, 10), actor.UserID
	} else {
		v.Check(in.Voter != "", "voter", "is missing: allow cookies for this site, or sign in, to rate articles")
		// The cookie is hashed so that the table holds nothing a reader
		// could be tracked by elsewhere.
		sum := sha256.Sum256([]byte(in.Voter))
		voter = "anon:" + hex.EncodeToString(sum[:16])
	}
	a, err := s.FindArticleBySlug(ctx, actor, slug)
	if err != nil {
		return Rating{}, err
	}
	if err := v.Err(); err != nil {
		return Rating{}, err
	}
	r := Rating{ArticleID: a.ID, Helpful: *in.Helpful, Comment: in.Comment, CreatedAt: s.nowUTC()}
	if actor != nil {
		r.UserID, r.UserName = actor.UserID, actor.Name
	}
	err = s.db.QueryRowContext(ctx, `INSERT INTO article_ratings (article_id, voter, user_id, helpful, comment, created_at)
		VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (article_id, voter) DO UPDATE SET helpful = excluded.helpful, comment = excluded.comment, created_at = excluded.created_at
		RETURNING id`, r.ArticleID, voter, userID, r.Helpful, r.Comment, r.CreatedAt).Scan(&r.ID)
	return r, err
}

// FindRatings returns an article's ratings, newest first, and their
// counts (staff).
func (s *Service) FindRatings(ctx context.Context, actor *helpline.Actor, slug string, p helpline.Page) ([]Rating, RatingSummary, error) {
	if err := actor.RequireStaff(); err != nil {
		return nil, RatingSummary{}, err
	}
	a, err := s.articleBySlugInTx(ctx, s.db, slug)
	if err != nil {
		return nil, RatingSummary{}, err
	}
	sum := RatingSummary{ArticleID: a.ID, Slug: a.Slug, Title: a.Title}
	err = s.db.QueryRowContext(ctx, `SELECT coalesce(sum(CASE WHEN helpful THEN 1 ELSE 0 END), 0),
		coalesce(sum(CASE WHEN helpful THEN 0 ELSE 1 END), 0), coalesce(sum(CASE WHEN comment <> '' THEN 1 ELSE 0 END), 0)
		FROM article_ratings WHERE article_id = $1`, a.ID).Scan(&sum.Helpful, &sum.NotHelpful, &sum.Comments)
	if err != nil {
		return nil, sum, err
	}
	p = p.Normalize()
	rows, err := s.db.QueryContext(ctx, `SELECT r.id, r.article_id, r.helpful, r.comment, r.user_id, coalesce(u.name, ''), r.created_at
		FROM article_ratings r LEFT JOIN users u ON u.id = r.user_id WHERE r.article_id = $1
		ORDER BY r.created_at DESC, r.id DESC LIMIT $2 OFFSET $3`, a.ID, p.Limit, p.Offset)
	if err != nil {
		return nil, sum, err
	}
	defer rows.Close()
	out := []Rating{}
	for rows.Next() {
		var r Rating
		var user sql.NullInt64
		if err := rows.Scan(&r.ID, &r.ArticleID, &r.Helpful, &r.Comment, &user, &r.UserName, &r.CreatedAt); err != nil {
			return nil, sum, err
		}
		r.UserID, r.CreatedAt = user.Int64, r.CreatedAt.UTC()
		out = append(out, r)
	}
	return out, sum, rows.Err()
}

// FindRatingSummaries lists every rated article's counts, least helpful
// first: the smallest share of helpful votes, then the most votes (staff).
func (s *Service) FindRatingSummaries(ctx context.Context, actor *helpline.Actor) ([]RatingSummary, error) {
	if err := actor.RequireStaff(); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT a.id, a.slug, a.title, sum(CASE WHEN r.helpful THEN 1 ELSE 0 END),
		sum(CASE WHEN r.helpful THEN 0 ELSE 1 END), sum(CASE WHEN r.comment <> '' THEN 1 ELSE 0 END)
		FROM article_ratings r JOIN articles a ON a.id = r.article_id GROUP BY a.id, a.slug, a.title`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []RatingSummary{}
	for rows.Next() {
		var r RatingSummary
		if err := rows.Scan(&r.ArticleID, &r.Slug, &r.Title, &r.Helpful, &r.NotHelpful, &r.Comments); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	slices.SortStableFunc(out, func(x, y RatingSummary) int {
		// x.Helpful/xTotal < y.Helpful/yTotal, without division.
		xt, yt := x.Helpful+x.NotHelpful, y.Helpful+y.NotHelpful
		if c := x.Helpful*yt - y.Helpful*xt; c != 0 {
			return c
		}
		if xt != yt {
			return yt - xt
		}
		return strings.Compare(x.Title, y.Title)
	})
	return out, nil
}
