-- The Dev Center and knowledge base (articles with revisions and ratings),
-- the changelog and blog (posts), and ticket deflection by suggested articles.

CREATE TABLE articles (
	id INTEGER PRIMARY KEY,
	slug TEXT NOT NULL UNIQUE,
	title TEXT NOT NULL,
	summary TEXT NOT NULL DEFAULT '',
	body TEXT NOT NULL,
	-- Lowercase tags joined by commas: shown, filtered and weighed in search.
	tags TEXT NOT NULL DEFAULT '',
	section TEXT NOT NULL,
	audience TEXT NOT NULL,
	status TEXT NOT NULL,
	-- H12, R14, L10: set on the error-code reference entries only.
	error_code TEXT,
	position INTEGER NOT NULL DEFAULT 0,
	author_id INTEGER REFERENCES users(id),
	revision INTEGER NOT NULL DEFAULT 1,
	last_reviewed_at TIMESTAMP,
	published_at TIMESTAMP,
	created_at TIMESTAMP NOT NULL,
	updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX articles_error_code ON articles (error_code) WHERE error_code IS NOT NULL;
-- Section pages list published articles in order.
CREATE INDEX articles_section ON articles (section, status, position, title);

-- Every saved version of an article, the current one included.
CREATE TABLE article_revisions (
	id INTEGER PRIMARY KEY,
	article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
	revision INTEGER NOT NULL,
	title TEXT NOT NULL,
	summary TEXT NOT NULL,
	body TEXT NOT NULL,
	tags TEXT NOT NULL,
	section TEXT NOT NULL,
	audience TEXT NOT NULL,
	status TEXT NOT NULL,
	error_code TEXT,
	author_id INTEGER REFERENCES users(id),
	note TEXT NOT NULL DEFAULT '',
	created_at TIMESTAMP NOT NULL,
	UNIQUE (article_id, revision)
);

-- One rating per reader and article: voter is the user ("user:7") or a
-- signed-out reader's cookie, hashed.
CREATE TABLE article_ratings (
	id INTEGER PRIMARY KEY,
	article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
	voter TEXT NOT NULL,
	user_id INTEGER REFERENCES users(id),
	helpful BOOLEAN NOT NULL,
	comment TEXT NOT NULL DEFAULT '',
	created_at TIMESTAMP NOT NULL,
	UNIQUE (article_id, voter)
);
CREATE INDEX article_ratings_recent ON article_ratings (article_id, created_at);

-- Changelog entries and blog posts.
CREATE TABLE posts (
	id INTEGER PRIMARY KEY,
	kind TEXT NOT NULL,
	slug TEXT NOT NULL,
	title TEXT NOT NULL,
	summary TEXT NOT NULL DEFAULT '',
	body TEXT NOT NULL,
	category TEXT NOT NULL DEFAULT '',
	audience TEXT NOT NULL,
	status TEXT NOT NULL,
	author_id INTEGER REFERENCES users(id),
	published_at TIMESTAMP NOT NULL,
	-- Whether readers can find it in search: false until it is published
	-- and its date has come (a periodic job opens up scheduled posts).
	searchable BOOLEAN NOT NULL DEFAULT FALSE,
	created_at TIMESTAMP NOT NULL,
	updated_at TIMESTAMP NOT NULL,
	UNIQUE (kind, slug)
);
-- Index pages and feeds: newest published first.
CREATE INDEX posts_feed ON posts (kind, status, audience, published_at, id);

-- A customer writing a ticket, from the form's first suggestions to the
-- ticket (or to giving up, which is a deflection when they read an article).
CREATE TABLE deflection_sessions (
	id INTEGER PRIMARY KEY,
	token TEXT NOT NULL UNIQUE,
	user_id INTEGER REFERENCES users(id),
	query TEXT NOT NULL DEFAULT '',
	ticket_id INTEGER REFERENCES tickets(id),
	started_at TIMESTAMP NOT NULL,
	submitted_at TIMESTAMP
);
CREATE INDEX deflection_sessions_started ON deflection_sessions (started_at);

-- What a session showed (kind 'shown') and what the customer opened ('opened').
CREATE TABLE deflection_events (
	session_id INTEGER NOT NULL REFERENCES deflection_sessions(id) ON DELETE CASCADE,
	article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
	kind TEXT NOT NULL,
	at TIMESTAMP NOT NULL,
	PRIMARY KEY (session_id, article_id, kind)
);
CREATE INDEX deflection_events_article ON deflection_events (article_id, kind);
