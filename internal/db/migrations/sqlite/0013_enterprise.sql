-- The enterprise portal: collections of articles that solutions architects
-- curate, and engagements (event preparation, performance analysis,
-- architecture review) with their history, meetings, deliverables and the
-- reminders of high-traffic events.
CREATE TABLE resource_collections (
	id INTEGER PRIMARY KEY,
	slug TEXT NOT NULL UNIQUE,
	title TEXT NOT NULL,
	description TEXT NOT NULL DEFAULT '',
	position INTEGER NOT NULL DEFAULT 0,
	created_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
	created_at TIMESTAMP NOT NULL,
	updated_at TIMESTAMP NOT NULL
);

CREATE TABLE resource_collection_items (
	collection_id INTEGER NOT NULL REFERENCES resource_collections (id) ON DELETE CASCADE,
	article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
	position INTEGER NOT NULL,
	note TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (collection_id, article_id)
);
CREATE INDEX resource_collection_items_article_idx ON resource_collection_items (article_id);

CREATE TABLE engagements (
	id INTEGER PRIMARY KEY,
	org_id INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
	requester_id INTEGER NOT NULL REFERENCES users (id),
	kind TEXT NOT NULL,
	title TEXT NOT NULL,
	state TEXT NOT NULL,
	-- Queue order, kept with the state so an index serves the queue: 0
	-- requested, 1 scheduled or in progress, 2 delivered, 3 closed.
	queue_rank INTEGER NOT NULL,
	owner_id INTEGER REFERENCES users (id) ON DELETE SET NULL,
	-- The kind's form as JSON; a summary when converted from a ticket.
	details TEXT NOT NULL DEFAULT '{}',
	summary TEXT NOT NULL DEFAULT '',
	-- When a high-traffic event starts: the staff calendar and reminders.
	event_at TIMESTAMP,
	-- Outage signals the customer confirmed were not an outage (JSON).
	break_fix TEXT NOT NULL DEFAULT '',
	ticket_id INTEGER REFERENCES tickets (id) ON DELETE SET NULL,
	from_ticket_id INTEGER REFERENCES tickets (id) ON DELETE SET NULL,
	created_at TIMESTAMP NOT NULL,
	updated_at TIMESTAMP NOT NULL,
	closed_at TIMESTAMP
);
-- The queue: what needs attention first, then the soonest event, then age.
CREATE INDEX engagements_queue_idx ON engagements (queue_rank, (event_at IS NULL), event_at, created_at, id);
CREATE INDEX engagements_state_idx ON engagements (state, queue_rank, (event_at IS NULL), event_at, created_at, id);
CREATE INDEX engagements_owner_idx ON engagements (owner_id, queue_rank, (event_at IS NULL), event_at, created_at, id);
CREATE INDEX engagements_org_idx ON engagements (org_id, created_at);
CREATE INDEX engagements_event_idx ON engagements (event_at) WHERE event_at IS NOT NULL;
CREATE INDEX engagements_ticket_idx ON engagements (ticket_id);
CREATE INDEX engagements_from_ticket_idx ON engagements (from_ticket_id);

CREATE TABLE engagement_events (
	id INTEGER PRIMARY KEY,
	engagement_id INTEGER NOT NULL REFERENCES engagements (id) ON DELETE CASCADE,
	actor_id INTEGER REFERENCES users (id) ON DELETE SET NULL,
	kind TEXT NOT NULL,
	internal BOOLEAN NOT NULL DEFAULT FALSE,
	body TEXT NOT NULL DEFAULT '',
	data TEXT NOT NULL DEFAULT '{}',
	created_at TIMESTAMP NOT NULL
);
CREATE INDEX engagement_events_engagement_idx ON engagement_events (engagement_id, id);

CREATE TABLE engagement_meetings (
	id INTEGER PRIMARY KEY,
	engagement_id INTEGER NOT NULL REFERENCES engagements (id) ON DELETE CASCADE,
	title TEXT NOT NULL,
	starts_at TIMESTAMP NOT NULL,
	time_zone TEXT NOT NULL,
	duration_minutes INTEGER NOT NULL,
	notes TEXT NOT NULL DEFAULT '',
	created_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
	created_at TIMESTAMP NOT NULL,
	updated_at TIMESTAMP NOT NULL
);
CREATE INDEX engagement_meetings_engagement_idx ON engagement_meetings (engagement_id, starts_at);
CREATE INDEX engagement_meetings_starts_idx ON engagement_meetings (starts_at);

CREATE TABLE engagement_deliverables (
	id INTEGER PRIMARY KEY,
	engagement_id INTEGER NOT NULL REFERENCES engagements (id) ON DELETE CASCADE,
	title TEXT NOT NULL,
	article_id INTEGER REFERENCES articles (id) ON DELETE SET NULL,
	filename TEXT NOT NULL DEFAULT '',
	content_type TEXT NOT NULL DEFAULT '',
	size INTEGER NOT NULL DEFAULT 0,
	sha256 TEXT NOT NULL DEFAULT '',
	created_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
	created_at TIMESTAMP NOT NULL
);
CREATE INDEX engagement_deliverables_engagement_idx ON engagement_deliverables (engagement_id, id);

CREATE TABLE engagement_reminders (
	engagement_id INTEGER NOT NULL REFERENCES engagements (id) ON DELETE CASCADE,
	kind TEXT NOT NULL,
	due_at TIMESTAMP NOT NULL,
	sent_at TIMESTAMP,
	PRIMARY KEY (engagement_id, kind)
);
-- The sweep reads the reminders that are due and not sent.
CREATE INDEX engagement_reminders_due_idx ON engagement_reminders (due_at) WHERE sent_at IS NULL;
