-- Support tickets: the ticket, its conversation, its history, the people it
-- is shared with, files, app access grants and who is looking at it.
CREATE TABLE tickets (
	id INTEGER PRIMARY KEY,
	number INTEGER NOT NULL UNIQUE,
	org_id INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
	requester_id INTEGER NOT NULL REFERENCES users (id),
	app_id INTEGER REFERENCES apps (id) ON DELETE SET NULL,
	subject TEXT NOT NULL,
	description TEXT NOT NULL,
	environment TEXT NOT NULL,
	category TEXT NOT NULL,
	status TEXT NOT NULL,
	priority TEXT NOT NULL,
	original_priority TEXT NOT NULL,
	-- Queue order, denormalized so one index serves it: 0 for enterprise
	-- plans, 1 otherwise; 0 urgent … 3 low.
	plan_rank INTEGER NOT NULL,
	priority_rank INTEGER NOT NULL,
	assignee_id INTEGER REFERENCES users (id) ON DELETE SET NULL,
	priority_reason TEXT NOT NULL DEFAULT '',
	appeal_state TEXT NOT NULL DEFAULT '',
	urgent TEXT,
	redactions INTEGER NOT NULL DEFAULT 0,
	share_token TEXT UNIQUE,
	created_at TIMESTAMP NOT NULL,
	updated_at TIMESTAMP NOT NULL
);
CREATE INDEX tickets_queue_idx ON tickets (plan_rank, priority_rank, created_at, id) WHERE status IN ('new', 'open', 'pending', 'on_hold');
CREATE INDEX tickets_status_queue_idx ON tickets (status, plan_rank, priority_rank, created_at, id);
CREATE INDEX tickets_assignee_queue_idx ON tickets (assignee_id, plan_rank, priority_rank, created_at, id);
CREATE INDEX tickets_org_idx ON tickets (org_id, created_at DESC);
CREATE INDEX tickets_requester_idx ON tickets (requester_id, created_at DESC);
CREATE INDEX tickets_app_idx ON tickets (app_id, created_at DESC);
CREATE INDEX tickets_appeal_idx ON tickets (appeal_state) WHERE appeal_state = 'pending';

CREATE TABLE ticket_comments (
	id INTEGER PRIMARY KEY,
	ticket_id INTEGER NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
	author_id INTEGER NOT NULL REFERENCES users (id),
	body TEXT NOT NULL,
	internal BOOLEAN NOT NULL,
	redactions INTEGER NOT NULL DEFAULT 0,
	created_at TIMESTAMP NOT NULL
);
CREATE INDEX ticket_comments_ticket_idx ON ticket_comments (ticket_id, created_at, id);

CREATE TABLE ticket_events (
	id INTEGER PRIMARY KEY,
	ticket_id INTEGER NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
	actor_id INTEGER REFERENCES users (id) ON DELETE SET NULL,
	kind TEXT NOT NULL,
	public BOOLEAN NOT NULL,
	data TEXT NOT NULL DEFAULT '{}',
	created_at TIMESTAMP NOT NULL
);
CREATE INDEX ticket_events_ticket_idx ON ticket_events (ticket_id, created_at, id);

CREATE TABLE ticket_participants (
	ticket_id INTEGER NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
	user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	created_at TIMESTAMP NOT NULL,
	PRIMARY KEY (ticket_id, user_id)
);
CREATE INDEX ticket_participants_user_idx ON ticket_participants (user_id, ticket_id);

CREATE TABLE ticket_attachments (
	id INTEGER PRIMARY KEY,
	ticket_id INTEGER NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
	uploader_id INTEGER NOT NULL REFERENCES users (id),
	filename TEXT NOT NULL,
	content_type TEXT NOT NULL,
	size INTEGER NOT NULL,
	sha256 TEXT NOT NULL,
	created_at TIMESTAMP NOT NULL
);
CREATE INDEX ticket_attachments_ticket_idx ON ticket_attachments (ticket_id, id);

CREATE TABLE access_grants (
	id INTEGER PRIMARY KEY,
	ticket_id INTEGER NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
	app_id INTEGER REFERENCES apps (id) ON DELETE CASCADE,
	granted_by INTEGER NOT NULL REFERENCES users (id),
	created_at TIMESTAMP NOT NULL,
	expires_at TIMESTAMP NOT NULL,
	revoked_at TIMESTAMP,
	revoked_by INTEGER REFERENCES users (id)
);
CREATE INDEX access_grants_ticket_idx ON access_grants (ticket_id, created_at DESC);

CREATE TABLE ticket_presence (
	ticket_id INTEGER NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
	user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	seen_at TIMESTAMP NOT NULL,
	PRIMARY KEY (ticket_id, user_id)
);
