-- Log drains: one per app, the rolling window of error counts per minute,
-- recent logplex frame ids (retries must not count twice) and error surges.
CREATE TABLE drains (
	id INTEGER PRIMARY KEY,
	app_id INTEGER NOT NULL UNIQUE REFERENCES apps (id) ON DELETE CASCADE,
	token_hash TEXT NOT NULL UNIQUE,
	token_prefix TEXT NOT NULL,
	created_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
	notify BOOLEAN NOT NULL,
	open_ticket BOOLEAN NOT NULL,
	min_errors_per_minute INTEGER NOT NULL,
	baseline_factor INTEGER NOT NULL,
	unavailable_percent INTEGER NOT NULL,
	unavailable_minutes INTEGER NOT NULL,
	last_received_at TIMESTAMP,
	created_at TIMESTAMP NOT NULL,
	updated_at TIMESTAMP NOT NULL
);

CREATE TABLE drain_counts (
	app_id INTEGER NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
	minute TIMESTAMP NOT NULL,
	code TEXT NOT NULL,
	count INTEGER NOT NULL,
	PRIMARY KEY (app_id, minute, code)
);
CREATE INDEX drain_counts_minute_idx ON drain_counts (minute);

CREATE TABLE drain_frames (
	drain_id INTEGER NOT NULL REFERENCES drains (id) ON DELETE CASCADE,
	frame_id TEXT NOT NULL,
	received_at TIMESTAMP NOT NULL,
	PRIMARY KEY (drain_id, frame_id)
);
CREATE INDEX drain_frames_received_idx ON drain_frames (drain_id, received_at);

CREATE TABLE drain_surges (
	id INTEGER PRIMARY KEY,
	app_id INTEGER NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
	started_at TIMESTAMP NOT NULL,
	last_hot_at TIMESTAMP NOT NULL,
	ended_at TIMESTAMP,
	reason TEXT NOT NULL,
	codes TEXT NOT NULL DEFAULT '{}',
	peak INTEGER NOT NULL,
	notified INTEGER NOT NULL DEFAULT 0,
	ticket_state TEXT NOT NULL DEFAULT '',
	ticket_id INTEGER REFERENCES tickets (id) ON DELETE SET NULL,
	ticket_error TEXT NOT NULL DEFAULT ''
);
-- At most one open surge per app, whatever the number of processes.
CREATE UNIQUE INDEX drain_surges_open_key ON drain_surges (app_id) WHERE ended_at IS NULL;
CREATE INDEX drain_surges_app_idx ON drain_surges (app_id, started_at DESC);
