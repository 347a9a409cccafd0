-- Email: the outbox of notifications (one row per message, deduplicated per
-- event and recipient), reply-address tokens, notification preferences and
-- unsubscribe tokens, and the inbox of received mail.
CREATE TABLE mail_outbox (
	id INTEGER PRIMARY KEY,
	dedupe_key TEXT NOT NULL UNIQUE,
	ticket_id INTEGER REFERENCES tickets (id) ON DELETE CASCADE,
	user_id INTEGER REFERENCES users (id) ON DELETE CASCADE,
	to_email TEXT NOT NULL,
	category TEXT NOT NULL,
	message_id TEXT NOT NULL UNIQUE,
	subject TEXT NOT NULL,
	text_body TEXT NOT NULL,
	html_body TEXT NOT NULL,
	headers TEXT NOT NULL DEFAULT '{}',
	status TEXT NOT NULL,
	attempts INTEGER NOT NULL DEFAULT 0,
	last_error TEXT NOT NULL DEFAULT '',
	created_at TIMESTAMP NOT NULL,
	sent_at TIMESTAMP
);
CREATE INDEX mail_outbox_ticket_idx ON mail_outbox (ticket_id, created_at);
CREATE INDEX mail_outbox_status_idx ON mail_outbox (status, created_at);

CREATE TABLE reply_tokens (
	token TEXT PRIMARY KEY,
	ticket_id INTEGER NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
	user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	created_at TIMESTAMP NOT NULL,
	UNIQUE (ticket_id, user_id)
);

CREATE TABLE notification_prefs (
	user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	category TEXT NOT NULL,
	enabled BOOLEAN NOT NULL,
	PRIMARY KEY (user_id, category)
);

CREATE TABLE unsubscribe_tokens (
	token TEXT PRIMARY KEY,
	user_id INTEGER NOT NULL UNIQUE REFERENCES users (id) ON DELETE CASCADE
);

CREATE TABLE mail_inbox (
	id INTEGER PRIMARY KEY,
	message_id TEXT NOT NULL,
	from_email TEXT NOT NULL,
	subject TEXT NOT NULL,
	status TEXT NOT NULL,
	reason TEXT NOT NULL DEFAULT '',
	ticket_id INTEGER REFERENCES tickets (id) ON DELETE SET NULL,
	comment_id INTEGER REFERENCES ticket_comments (id) ON DELETE SET NULL,
	user_id INTEGER REFERENCES users (id) ON DELETE SET NULL,
	raw_sha256 TEXT NOT NULL,
	size INTEGER NOT NULL,
	received_at TIMESTAMP NOT NULL
);
CREATE INDEX mail_inbox_status_idx ON mail_inbox (status, received_at);
CREATE INDEX mail_inbox_sender_idx ON mail_inbox (from_email, received_at);
CREATE INDEX mail_inbox_message_idx ON mail_inbox (message_id);
