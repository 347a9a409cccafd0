-- Status page: components and the history of their status (uptime is
-- computed from it), incidents and scheduled maintenance (one table, told
-- apart by kind) with their updates and affected components, update
-- templates, and the tickets linked to incidents.
CREATE TABLE components (
	id INTEGER PRIMARY KEY,
	name TEXT NOT NULL,
	description TEXT NOT NULL DEFAULT '',
	is_group BOOLEAN NOT NULL DEFAULT FALSE,
	-- Groups do not nest: a member's group is always top level.
	group_id INTEGER REFERENCES components (id),
	position INTEGER NOT NULL DEFAULT 0,
	status TEXT NOT NULL,
	region TEXT NOT NULL DEFAULT '',
	keywords TEXT NOT NULL DEFAULT '[]', -- JSON array of lowercase words
	created_at TIMESTAMP NOT NULL,
	updated_at TIMESTAMP NOT NULL
);
-- Names are unique within a group (and among top-level components).
CREATE UNIQUE INDEX components_name_idx ON components (COALESCE(group_id, 0), name);

-- One row when a component is created and one per status change after.
CREATE TABLE component_status_changes (
	id INTEGER PRIMARY KEY,
	component_id INTEGER NOT NULL REFERENCES components (id) ON DELETE CASCADE,
	status TEXT NOT NULL,
	at TIMESTAMP NOT NULL
);
CREATE INDEX component_status_changes_idx ON component_status_changes (component_id, at);
CREATE INDEX component_status_changes_at_idx ON component_status_changes (at);

CREATE TABLE incidents (
	id INTEGER PRIMARY KEY,
	kind TEXT NOT NULL, -- incident, maintenance
	name TEXT NOT NULL,
	status TEXT NOT NULL,
	impact TEXT NOT NULL, -- none, minor, major, critical; maintenance for maintenance
	scheduled_for TIMESTAMP,
	scheduled_until TIMESTAMP,
	auto_transition BOOLEAN NOT NULL DEFAULT FALSE,
	started_at TIMESTAMP NOT NULL,
	monitoring_at TIMESTAMP,
	resolved_at TIMESTAMP,
	created_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
	created_at TIMESTAMP NOT NULL,
	updated_at TIMESTAMP NOT NULL
);
CREATE INDEX incidents_status_idx ON incidents (status, kind);
CREATE INDEX incidents_created_idx ON incidents (created_at);
CREATE INDEX incidents_resolved_idx ON incidents (resolved_at);

-- The status an incident gives each component it affects; a component's
-- status is the worst its active incidents give it.
CREATE TABLE incident_components (
	incident_id INTEGER NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
	component_id INTEGER NOT NULL REFERENCES components (id) ON DELETE CASCADE,
	status TEXT NOT NULL,
	PRIMARY KEY (incident_id, component_id)
);
CREATE INDEX incident_components_component_idx ON incident_components (component_id);

CREATE TABLE incident_updates (
	id INTEGER PRIMARY KEY,
	incident_id INTEGER NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
	status TEXT NOT NULL,
	body TEXT NOT NULL, -- Markdown
	notify BOOLEAN NOT NULL DEFAULT FALSE,
	components TEXT NOT NULL DEFAULT '[]', -- JSON: the component statuses it set
	created_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
	created_at TIMESTAMP NOT NULL,
	updated_at TIMESTAMP NOT NULL
);
CREATE INDEX incident_updates_incident_idx ON incident_updates (incident_id, created_at);

CREATE TABLE status_templates (
	id INTEGER PRIMARY KEY,
	name TEXT NOT NULL UNIQUE,
	kind TEXT NOT NULL,
	status TEXT NOT NULL,
	title TEXT NOT NULL DEFAULT '',
	body TEXT NOT NULL
);
INSERT INTO status_templates (name, kind, status, title, body) VALUES
	('Investigating elevated errors', 'incident', 'investigating', 'Elevated errors',
	 'We are investigating reports of elevated error rates. Some requests may fail or time out. We will post an update within 30 minutes.'),
	('Fix deployed, monitoring', 'incident', 'monitoring', '',
	 'A fix has been deployed and error rates are returning to normal. We are monitoring the results.'),
	('Resolved', 'incident', 'resolved', '',
	 'This incident has been resolved. Affected services are operating normally. If you still see problems, please open a ticket.'),
	('Scheduled database maintenance', 'maintenance', 'scheduled', 'Database maintenance',
	 'We will perform maintenance on the database infrastructure during this window. Databases may be unavailable for a few minutes while they fail over. No action is required.');

-- Tickets linked to an incident: automatically when they mention an
-- affected component or come from an app in an affected region, or by hand.
CREATE TABLE incident_tickets (
	incident_id INTEGER NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
	ticket_id INTEGER NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
	reason TEXT NOT NULL,
	linked_at TIMESTAMP NOT NULL,
	PRIMARY KEY (incident_id, ticket_id)
);
CREATE INDEX incident_tickets_ticket_idx ON incident_tickets (ticket_id);
