-- Status subscriptions: email (double opt-in) and webhook subscribers, the
-- components each chose (none: all), their link tokens (stored hashed), the
-- notifications queued by incident steps and one delivery per subscriber
-- and notification; and users' in-app notices (targeted notifications).
CREATE TABLE status_subscribers (
	id INTEGER PRIMARY KEY,
	kind TEXT NOT NULL,
	-- Lowercased; one subscriber per address.
	email TEXT UNIQUE,
	url TEXT NOT NULL DEFAULT '',
	-- A webhook's signing secret: kept readable, since signing needs it.
	secret TEXT NOT NULL DEFAULT '',
	user_id INTEGER REFERENCES users (id) ON DELETE CASCADE,
	all_components BOOLEAN NOT NULL,
	-- Components asked for by someone who has not proven the address yet
	-- (JSON array); they apply when the confirmation link is followed.
	pending_components TEXT NOT NULL DEFAULT '',
	confirmed_at TIMESTAMP,
	confirm_sent_at TIMESTAMP,
	created_at TIMESTAMP NOT NULL
);
CREATE INDEX status_subscribers_user_idx ON status_subscribers (user_id);

CREATE TABLE status_subscriber_components (
	subscriber_id INTEGER NOT NULL REFERENCES status_subscribers (id) ON DELETE CASCADE,
	component_id INTEGER NOT NULL,
	PRIMARY KEY (subscriber_id, component_id)
);
CREATE INDEX status_subscriber_components_component_idx ON status_subscriber_components (component_id, subscriber_id);

-- Confirmation and unsubscribe links; sha256 of the token, never the token.
CREATE TABLE status_subscriber_tokens (
	token_hash TEXT PRIMARY KEY,
	subscriber_id INTEGER NOT NULL REFERENCES status_subscribers (id) ON DELETE CASCADE,
	purpose TEXT NOT NULL,
	created_at TIMESTAMP NOT NULL,
	expires_at TIMESTAMP
);
CREATE INDEX status_subscriber_tokens_subscriber_idx ON status_subscriber_tokens (subscriber_id);

-- One row per step subscribers hear about. The fan-out job records how far
-- it got (last_subscriber_id), so a crash resumes where it stopped.
CREATE TABLE status_notifications (
	id INTEGER PRIMARY KEY,
	kind TEXT NOT NULL,
	incident_id INTEGER NOT NULL,
	update_id INTEGER NOT NULL,
	payload TEXT NOT NULL DEFAULT '',
	component_ids TEXT NOT NULL DEFAULT '[]',
	last_subscriber_id INTEGER NOT NULL DEFAULT 0,
	deliveries INTEGER NOT NULL DEFAULT 0,
	fanned_out_at TIMESTAMP,
	created_at TIMESTAMP NOT NULL,
	UNIQUE (kind, incident_id, update_id)
);
CREATE INDEX status_notifications_incident_idx ON status_notifications (incident_id);

-- One message per subscriber and notification: the unique key keeps a
-- retried fan-out from sending twice.
CREATE TABLE status_deliveries (
	id INTEGER PRIMARY KEY,
	notification_id INTEGER NOT NULL REFERENCES status_notifications (id) ON DELETE CASCADE,
	subscriber_id INTEGER NOT NULL REFERENCES status_subscribers (id) ON DELETE CASCADE,
	status TEXT NOT NULL,
	attempts INTEGER NOT NULL DEFAULT 0,
	last_error TEXT NOT NULL DEFAULT '',
	response_status INTEGER,
	created_at TIMESTAMP NOT NULL,
	sent_at TIMESTAMP,
	UNIQUE (notification_id, subscriber_id)
);
CREATE INDEX status_deliveries_subscriber_idx ON status_deliveries (subscriber_id);
CREATE INDEX status_deliveries_status_idx ON status_deliveries (notification_id, status);

CREATE TABLE user_notices (
	id INTEGER PRIMARY KEY,
	user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	title TEXT NOT NULL,
	body TEXT NOT NULL,
	url TEXT NOT NULL DEFAULT '',
	read_at TIMESTAMP,
	created_at TIMESTAMP NOT NULL
);
CREATE INDEX user_notices_user_idx ON user_notices (user_id, id);
