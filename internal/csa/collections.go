package csa

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/internal/account"
	"github.com/helpline-dev/helpline/internal/db"
	"github.com/helpline-dev/helpline/internal/docs"
	"github.com/helpline-dev/helpline/internal/search"
)

// Collection is a set of articles the CSA team arranges for enterprise
// customers ("Preparing for a launch").
type Collection struct {
	ID          int64     `json:"id"`
	Slug        string    `json:"slug"`
	Title       string    `json:"title"`
	Description string    `json:"description"`
	Position    int       `json:"position"`
	Items       []Item    `json:"items"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// Item is an article in a collection, in the collection's order.
type Item struct {
	ArticleID int64           `json:"article_id"`
	Slug      string          `json:"slug"`
	Title     string          `json:"title"`
	Summary   string          `json:"summary"`
	URL       string          `json:"url"`
	Audience  search.Audience `json:"audience"`
	// Published is false for drafts, which only staff see.
	Published bool   `json:"published"`
	Note      string `json:"note,omitempty"` // why the CSAs picked it
	Position  int    `json:"position"`
}

// CollectionInput creates or edits a collection.
type CollectionInput struct {
	Title       string `json:"title"`
	Description string `json:"description"`
	Position    int    `json:"position"`
}

func (in *CollectionInput) validate() error {
	trimAll(&in.Title, &in.Description)
	v := helpline.Validation{}
	textCheck(v, "title", in.Title, 3, MaxName)
	v.Check(utf8Len(in.Description) <= 2000, "description", "is too long (at most 2,000 characters)")
	v.Check(in.Position >= 0 && in.Position <= 10000, "position", "must be a number from 0 to 10,000 (lower comes first)")
	return v.Err()
}

// portal checks that the actor may use the enterprise portal.
func (s *Service) portal(ctx context.Context, actor *helpline.Actor) error {
	_, err := s.PortalOrgs(ctx, actor)
	return err
}

// FindCollections returns the collections with their articles: published
// ones for customers of enterprise plans, drafts too for staff.
func (s *Service) FindCollections(ctx context.Context, actor *helpline.Actor) ([]Collection, error) {
	if err := s.portal(ctx, actor); err != nil {
		return nil, err
	}
	return s.collections(ctx, actor, 0)
}

// FindCollection returns one collection.
func (s *Service) FindCollection(ctx context.Context, actor *helpline.Actor, id int64) (Collection, error) {
	if err := s.portal(ctx, actor); err != nil {
		return Collection{}, err
	}
	cs, err := s.collections(ctx, actor, id)
	if err != nil {
		return Collection{}, err
	}
	if len(cs) == 0 {
		return Collection{}, helpline.NotFound("collection")
	}
	return cs[0], nil
}

// collections reads the collections (one, when id is set) and their items
// in two queries.
func (s *Service) collections(ctx context.Context, actor *helpline.Actor, id int64) ([]Collection, error) {
	where, args := "", []any{}
	if id != 0 {
		where, args = ` WHERE id = $1`, []any{id}
	}
	rows, err := s.db.QueryContext(ctx, `SELECT id, slug, title, description, position, created_at, updated_at FROM resource_collections`+where+` ORDER BY position, lower(title), id`, args...)
	if err != nil {
		return nil, err
	}
	out := []Collection{}
	index := map[int64]int{}
	for rows.Next() {
		var c Collection
		if err := rows.Scan(&c.ID, &c.Slug, &c.Title, &c.Description, &c.Position, &c.CreatedAt, &c.UpdatedAt); err != nil {
			rows.Close()
			return nil, err
		}
		c.CreatedAt, c.UpdatedAt, c.Items = c.CreatedAt.UTC(), c.UpdatedAt.UTC(), []Item{}
		index[c.ID] = len(out)
		out = append(out, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(out) == 0 {
		return out, err
	}
	// Every article an enterprise customer may read is public, for
	// customers or for enterprise; only drafts are hidden from them.
	var conds []string
	if !actor.IsStaff() {
		conds = append(conds, "a.status = 'published'")
	}
	if id != 0 {
		conds = append(conds, "i.collection_id = $1")
	}
	itemWhere := ""
	if len(conds) > 0 {
		itemWhere = " WHERE " + strings.Join(conds, " AND ")
	}
	rows, err = s.db.QueryContext(ctx, `SELECT i.collection_id, a.id, a.slug, a.title, a.summary, coalesce(a.error_code, ''), a.audience, a.status, i.note, i.position
		FROM resource_collection_items i JOIN articles a ON a.id = i.article_id`+itemWhere+` ORDER BY i.collection_id, i.position`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var cid int64
		var it Item
		var code, st string
		if err := rows.Scan(&cid, &it.ArticleID, &it.Slug, &it.Title, &it.Summary, &code, &it.Audience, &st, &it.Note, &it.Position); err != nil {
			return nil, err
		}
		it.URL, it.Published = articlePath(it.Slug, code), st == string(docs.StatusPublished)
		if i, ok := index[cid]; ok {
			out[i].Items = append(out[i].Items, it)
		}
	}
	if err := rows.Err(); err != nil || actor.IsStaff() {
		return out, err
	}
	// Customers are not shown a collection whose articles are all drafts.
	return slices.DeleteFunc(out, func(c Collection) bool { return len(c.Items) == 0 }), nil
}

// FindResources lists every published enterprise-audience article, for
// the portal's library beside the curated collections.
func (s *Service) FindResources(ctx context.Context, actor *helpline.Actor) ([]docs.Article, error) {
	if err := s.portal(ctx, actor); err != nil {
		return nil, err
	}
	return s.resources(ctx, actor)
}

func (s *Service) resources(ctx context.Context, actor *helpline.Actor) ([]docs.Article, error) {
	return s.docs.FindArticles(ctx, actor, docs.ArticleFilter{Audience: search.AudienceEnterprise, Status: docs.StatusPublished, Page: helpline.Page{Limit: 200}})
}

// Portal is what the enterprise portal shows everyone who may use it.
type Portal struct {
	// Orgs are the customer's enterprise organizations; none for staff.
	Orgs        []account.Organization `json:"-"`
	Collections []Collection           `json:"collections"`
	Resources   []docs.Article         `json:"resources"`
}

// FindPortal returns the portal's collections and library, checking once
// that the actor may use it.
func (s *Service) FindPortal(ctx context.Context, actor *helpline.Actor) (Portal, error) {
	var p Portal
	var err error
	if p.Orgs, err = s.PortalOrgs(ctx, actor); err != nil {
		return p, err
	}
	if p.Collections, err = s.collections(ctx, actor, 0); err != nil {
		return p, err
	}
	p.Resources, err = s.resources(ctx, actor)
	return p, err
}

// CreateCollection adds a collection; its slug comes from the title.
func (s *Service) CreateCollection(ctx context.Context, actor *helpline.Actor, in CollectionInput) (Collection, error) {
	if err := requireArchitect(actor); err != nil {
		return Collection{}, err
	}
	if err := in.validate(); err != nil {
		return Collection{}, err
	}
	var id int64
	err := s.db.InTx(ctx, func(tx *sql.Tx) error {
		base := docs.Slugify(in.Title)
		if base == "" {
			base = "collection"
		}
		slug := base
		for n := 2; ; n++ {
			var taken int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM resource_collections WHERE slug = $1`, slug).Scan(&taken); err != nil {
				return err
			}
			if taken == 0 {
				break
			}
			slug = fmt.Sprintf("%s-%d", base, n)
		}
		now := s.nowUTC()
		if err := tx.QueryRowContext(ctx, `INSERT INTO resource_collections (slug, title, description, position, created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id`,
			slug, in.Title, in.Description, in.Position, actor.UserID, now).Scan(&id); err != nil {
			return err
		}
		return s.accounts.Audit(ctx, tx, actor, "collection.created", "collection", id, map[string]any{"title": in.Title})
	})
	if err != nil {
		return Collection{}, err
	}
	return s.FindCollection(ctx, actor, id)
}

// editCollection runs one change of an existing collection.
func (s *Service) editCollection(ctx context.Context, actor *helpline.Actor, id int64, fn func(tx *sql.Tx) error) (Collection, error) {
	if err := requireArchitect(actor); err != nil {
		return Collection{}, err
	}
	err := s.db.InTx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM resource_collections WHERE id = $1`, id).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return helpline.NotFound("collection")
		}
		if err := fn(tx); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE resource_collections SET updated_at = $1 WHERE id = $2`, s.nowUTC(), id)
		return err
	})
	if err != nil {
		return Collection{}, err
	}
	return s.FindCollection(ctx, actor, id)
}

// UpdateCollection renames, describes or reorders a collection.
func (s *Service) UpdateCollection(ctx context.Context, actor *helpline.Actor, id int64, in CollectionInput) (Collection, error) {
	if err := in.validate(); err != nil {
		return Collection{}, err
	}
	return s.editCollection(ctx, actor, id, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE resource_collections SET title = $1, description = $2, position = $3 WHERE id = $4`, in.Title, in.Description, in.Position, id)
		return err
	})
}

// DeleteCollection removes a collection (the articles stay).
func (s *Service) DeleteCollection(ctx context.Context, actor *helpline.Actor, id int64) error {
	if err := requireArchitect(actor); err != nil {
		return err
	}
	return s.db.InTx(ctx, func(tx *sql.Tx) error {
		r, err := tx.ExecContext(ctx, `DELETE FROM resource_collections WHERE id = $1`, id)
		if err != nil {
			return err
		}
		if n, _ := r.RowsAffected(); n == 0 {
			return helpline.NotFound("collection")
		}
		return s.accounts.Audit(ctx, tx, actor, "collection.deleted", "collection", id, nil)
	})
}

// ItemInput adds an article to a collection.
type ItemInput struct {
	ArticleSlug string `json:"article_slug"`
	Note        string `json:"note"`
}

// AddItem puts an article at the end of a collection.
func (s *Service) AddItem(ctx context.Context, actor *helpline.Actor, id int64, in ItemInput) (Collection, error) {
	trimAll(&in.ArticleSlug, &in.Note)
	v := helpline.Validation{}
	v.Check(in.ArticleSlug != "", "article_slug", "is required: the slug of a Dev Center article, as in /docs/<slug>")
	v.Check(utf8Len(in.Note) <= 500, "note", "is too long (at most 500 characters)")
	if err := v.Err(); err != nil {
		return Collection{}, err
	}
	return s.editCollection(ctx, actor, id, func(tx *sql.Tx) error {
		var articleID int64
		err := tx.QueryRowContext(ctx, `SELECT id FROM articles WHERE slug = $1`, in.ArticleSlug).Scan(&articleID)
		if isNoRows(err) {
			return helpline.Validation{"article_slug": "is not an article: check the slug in its address, /docs/<slug>"}.Err()
		}
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO resource_collection_items (collection_id, article_id, position, note)
			VALUES ($1, $2, (SELECT coalesce(max(position), 0) + 1 FROM resource_collection_items WHERE collection_id = $1), $3)`, id, articleID, in.Note)
		if db.IsUniqueViolation(err) {
			return &helpline.Error{Kind: helpline.KindConflict, Message: "That article is already in this collection.", Fields: map[string]string{"article_slug": "is already in this collection"}}
		}
		return err
	})
}

// RemoveItem takes an article out of a collection.
func (s *Service) RemoveItem(ctx context.Context, actor *helpline.Actor, id, articleID int64) (Collection, error) {
	return s.editCollection(ctx, actor, id, func(tx *sql.Tx) error {
		r, err := tx.ExecContext(ctx, `DELETE FROM resource_collection_items WHERE collection_id = $1 AND article_id = $2`, id, articleID)
		if err != nil {
			return err
		}
		if n, _ := r.RowsAffected(); n == 0 {
			return helpline.NotFound("article in this collection")
		}
		return nil
	})
}

// MoveItem moves an article one place up (delta -1) or down (+1) in its
// collection.
func (s *Service) MoveItem(ctx context.Context, actor *helpline.Actor, id, articleID int64, delta int) (Collection, error) {
	if delta != -1 && delta != 1 {
		return Collection{}, helpline.Validation{"direction": "must be up or down"}.Err()
	}
	return s.editCollection(ctx, actor, id, func(tx *sql.Tx) error {
		var pos int
		err := tx.QueryRowContext(ctx, `SELECT position FROM resource_collection_items WHERE collection_id = $1 AND article_id = $2`, id, articleID).Scan(&pos)
		if isNoRows(err) {
			return helpline.NotFound("article in this collection")
		}
		if err != nil {
			return err
		}
		cmp, order := "<", "DESC"
		if delta > 0 {
			cmp, order = ">", "ASC"
		}
		var otherID int64
		var otherPos int
		err = tx.QueryRowContext(ctx, `SELECT article_id, position FROM resource_collection_items WHERE collection_id = $1 AND position `+cmp+` $2 ORDER BY position `+order+` LIMIT 1`, id, pos).
			Scan(&otherID, &otherPos)
		if isNoRows(err) {
			return nil // already first or last
		}
		if err != nil {
			return err
		}
		for _, u := range [][2]int64{{otherID, int64(pos)}, {articleID, int64(otherPos)}} {
			if _, err := tx.ExecContext(ctx, `UPDATE resource_collection_items SET position = $1 WHERE collection_id = $2 AND article_id = $3`, u[1], id, u[0]); err != nil {
				return err
			}
		}
		return nil
	})
}
