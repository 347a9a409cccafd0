-- On-call: schedules of rotation layers and overrides, escalation policies,
-- the ways each person can be reached, pages and every delivery of a page.
CREATE TABLE oncall_schedules (
	id INTEGER PRIMARY KEY,
	name TEXT NOT NULL UNIQUE,
	description TEXT NOT NULL DEFAULT '',
	time_zone TEXT NOT NULL,
	created_at TIMESTAMP NOT NULL,
	updated_at TIMESTAMP NOT NULL
);

-- A layer hands off daily or weekly at a wall-clock time in the schedule's
-- zone, through its users in order, from starts_at (and until ends_at).
-- Higher positions win where layers overlap.
CREATE TABLE oncall_layers (
	id INTEGER PRIMARY KEY,
	schedule_id INTEGER NOT NULL REFERENCES oncall_schedules (id) ON DELETE CASCADE,
	position INTEGER NOT NULL,
	name TEXT NOT NULL,
	rotation TEXT NOT NULL, -- daily, weekly
	handoff_time TEXT NOT NULL, -- HH:MM
	handoff_weekday INTEGER NOT NULL DEFAULT 1, -- weekly: 0 Sunday … 6 Saturday
	starts_at TIMESTAMP NOT NULL,
	ends_at TIMESTAMP,
	created_at TIMESTAMP NOT NULL
);
CREATE INDEX oncall_layers_schedule_idx ON oncall_layers (schedule_id, position);

CREATE TABLE oncall_layer_users (
	layer_id INTEGER NOT NULL REFERENCES oncall_layers (id) ON DELETE CASCADE,
	position INTEGER NOT NULL,
	user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	PRIMARY KEY (layer_id, position)
);

CREATE TABLE oncall_overrides (
	id INTEGER PRIMARY KEY,
	schedule_id INTEGER NOT NULL REFERENCES oncall_schedules (id) ON DELETE CASCADE,
	user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	-- NULL replaces whoever is on call; otherwise only that user's shifts.
	replaces_user_id INTEGER REFERENCES users (id) ON DELETE CASCADE,
	starts_at TIMESTAMP NOT NULL,
	ends_at TIMESTAMP NOT NULL,
	created_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
	created_at TIMESTAMP NOT NULL
);
CREATE INDEX oncall_overrides_schedule_idx ON oncall_overrides (schedule_id, ends_at);

CREATE TABLE escalation_policies (
	id INTEGER PRIMARY KEY,
	name TEXT NOT NULL UNIQUE,
	description TEXT NOT NULL DEFAULT '',
	-- How many more times the whole list is run when nobody acknowledges.
	repeats INTEGER NOT NULL DEFAULT 0,
	-- The policy urgent tickets of paging plans page; at most one.
	pages_urgent BOOLEAN NOT NULL DEFAULT FALSE,
	created_at TIMESTAMP NOT NULL,
	updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX escalation_policies_urgent_idx ON escalation_policies (pages_urgent) WHERE pages_urgent;

CREATE TABLE escalation_levels (
	id INTEGER PRIMARY KEY,
	policy_id INTEGER NOT NULL REFERENCES escalation_policies (id) ON DELETE CASCADE,
	position INTEGER NOT NULL,
	-- Minutes to wait for an acknowledgement before the next level.
	delay_minutes INTEGER NOT NULL,
	UNIQUE (policy_id, position)
);

CREATE TABLE escalation_targets (
	level_id INTEGER NOT NULL REFERENCES escalation_levels (id) ON DELETE CASCADE,
	schedule_id INTEGER REFERENCES oncall_schedules (id) ON DELETE CASCADE,
	user_id INTEGER REFERENCES users (id) ON DELETE CASCADE,
	CHECK ((schedule_id IS NULL) <> (user_id IS NULL))
);
CREATE INDEX escalation_targets_level_idx ON escalation_targets (level_id);

CREATE TABLE contact_methods (
	id INTEGER PRIMARY KEY,
	user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	kind TEXT NOT NULL, -- email, webhook, pagerduty
	label TEXT NOT NULL DEFAULT '',
	-- email: the address; webhook: the URL; pagerduty: the routing key.
	address TEXT NOT NULL,
	-- webhook: the HMAC-SHA256 signing secret.
	secret TEXT NOT NULL DEFAULT '',
	created_at TIMESTAMP NOT NULL
);
CREATE INDEX contact_methods_user_idx ON contact_methods (user_id, id);

CREATE TABLE pages (
	id INTEGER PRIMARY KEY,
	-- One open page per key (per ticket: "ticket-<id>").
	dedup_key TEXT NOT NULL,
	ticket_id INTEGER REFERENCES tickets (id) ON DELETE SET NULL,
	policy_id INTEGER REFERENCES escalation_policies (id) ON DELETE SET NULL,
	summary TEXT NOT NULL,
	severity TEXT NOT NULL, -- critical, error, warning, info
	status TEXT NOT NULL, -- triggered, acknowledged, resolved
	level INTEGER NOT NULL DEFAULT 0,
	cycle INTEGER NOT NULL DEFAULT 0,
	-- When the current level times out; NULL once nothing is left to escalate.
	escalate_at TIMESTAMP,
	triggered_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
	reason TEXT NOT NULL DEFAULT '', -- urgent_ticket, manual
	triggered_at TIMESTAMP NOT NULL,
	acknowledged_at TIMESTAMP,
	acknowledged_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
	resolved_at TIMESTAMP,
	resolved_by INTEGER REFERENCES users (id) ON DELETE SET NULL
);
CREATE UNIQUE INDEX pages_open_dedup_idx ON pages (dedup_key) WHERE status <> 'resolved';
CREATE INDEX pages_escalate_idx ON pages (escalate_at) WHERE status = 'triggered';
CREATE INDEX pages_ticket_idx ON pages (ticket_id, id);
CREATE INDEX pages_status_idx ON pages (status, triggered_at);

-- Every message of a page to one contact method: the delivery log.
CREATE TABLE page_deliveries (
	id INTEGER PRIMARY KEY,
	page_id INTEGER NOT NULL REFERENCES pages (id) ON DELETE CASCADE,
	user_id INTEGER REFERENCES users (id) ON DELETE SET NULL,
	contact_method_id INTEGER REFERENCES contact_methods (id) ON DELETE SET NULL,
	kind TEXT NOT NULL, -- email, webhook, pagerduty (copied: the method may go)
	address TEXT NOT NULL,
	event TEXT NOT NULL, -- trigger, acknowledge, resolve
	level INTEGER NOT NULL,
	cycle INTEGER NOT NULL,
	-- SHA-256 of the acknowledge link's token, for trigger deliveries.
	token_hash TEXT UNIQUE,
	status TEXT NOT NULL, -- queued, retrying, delivered, failed
	attempts INTEGER NOT NULL DEFAULT 0,
	last_error TEXT NOT NULL DEFAULT '',
	response_status INTEGER,
	created_at TIMESTAMP NOT NULL,
	delivered_at TIMESTAMP,
	UNIQUE (page_id, contact_method_id, event, level, cycle)
);
CREATE INDEX page_deliveries_page_idx ON page_deliveries (page_id, id);
