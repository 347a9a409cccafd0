-- Full-text search (internal/search): one row per searchable document, an
-- FTS5 index over it kept in step by triggers, and the vocabulary that typo
-- correction picks its suggestions from.

CREATE TABLE search_docs (
	id INTEGER PRIMARY KEY,
	kind TEXT NOT NULL,
	-- The document's ID in its own table (articles, posts, tickets).
	ref_id INTEGER NOT NULL,
	title TEXT NOT NULL,
	-- Tags joined by ", ": weighed between title and body.
	tags TEXT NOT NULL DEFAULT '',
	-- Plain text: Markdown is stripped before it gets here.
	body TEXT NOT NULL,
	url TEXT NOT NULL,
	audience TEXT NOT NULL,
	-- H12, R14, L10 (upper case) on error-code reference entries only.
	error_code TEXT,
	updated_at TIMESTAMP NOT NULL,
	-- Audience and kind as words for the FTS5 index, so a search filters on
	-- them inside the index instead of reading this table for every match.
	scope TEXT GENERATED ALWAYS AS ('audience' || audience || ' kind' || kind) VIRTUAL,
	UNIQUE (kind, ref_id)
);
CREATE INDEX search_docs_error_code ON search_docs (error_code) WHERE error_code IS NOT NULL;

-- External-content FTS5 table: the text lives once, in search_docs. Porter
-- stemming on top of unicode61 (case and diacritics folded).
CREATE VIRTUAL TABLE search_fts USING fts5(
	title, tags, body, scope,
	content = 'search_docs', content_rowid = 'id',
	tokenize = 'porter unicode61'
);

CREATE TRIGGER search_docs_fts_insert AFTER INSERT ON search_docs BEGIN
	INSERT INTO search_fts (rowid, title, tags, body, scope) VALUES (new.id, new.title, new.tags, new.body, new.scope);
END;
CREATE TRIGGER search_docs_fts_delete AFTER DELETE ON search_docs BEGIN
	INSERT INTO search_fts (search_fts, rowid, title, tags, body, scope) VALUES ('delete', old.id, old.title, old.tags, old.body, old.scope);
END;
CREATE TRIGGER search_docs_fts_update AFTER UPDATE OF title, tags, body, audience, kind ON search_docs BEGIN
	INSERT INTO search_fts (search_fts, rowid, title, tags, body, scope) VALUES ('delete', old.id, old.title, old.tags, old.body, old.scope);
	INSERT INTO search_fts (rowid, title, tags, body, scope) VALUES (new.id, new.title, new.tags, new.body, new.scope);
END;

-- Words of the indexed documents as written (lower case, letters only), per
-- audience so a correction never suggests a word the searcher may not see.
-- head and len let a misspelling fetch its few candidates by index.
CREATE TABLE search_terms (
	term TEXT NOT NULL,
	audience TEXT NOT NULL,
	docs INTEGER NOT NULL,
	head TEXT NOT NULL,
	len INTEGER NOT NULL,
	PRIMARY KEY (term, audience)
);
CREATE INDEX search_terms_shape ON search_terms (head, len);

-- Tickets opened before search existed: staff find them too. (Their words
-- reach the vocabulary the next time they change.)
INSERT INTO search_docs (kind, ref_id, title, tags, body, url, audience, error_code, updated_at)
SELECT 'ticket', t.id, '#' || t.number || ' ' || t.subject,
	t.category || ', ' || t.priority || ', ' || o.name || coalesce(', ' || ap.name, ''),
	t.description || coalesce(char(10) || (SELECT group_concat(c.body, char(10)) FROM (SELECT body FROM ticket_comments WHERE ticket_id = t.id ORDER BY created_at, id) c), ''),
	'/tickets/' || t.number, 'staff', NULL, t.updated_at
FROM tickets t
JOIN organizations o ON o.id = t.org_id
LEFT JOIN apps ap ON ap.id = t.app_id;
