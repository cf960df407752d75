-- Flow versions as they went live: the flow file and the plugin sources it used, so a stored
-- call (calls.flow_name, calls.flow_version) can always be linked to the exact text that answered
-- it. The version is the registry's hash of that text; the same text going live again keeps its
-- first row. Versions are never purged with calls: they are small and a kept call may need one.
-- Turns get the instant they began, so a replay can put routed keys among them in order.
-- Portable SQL: the same script runs on H2 2.x and PostgreSQL.

CREATE TABLE flow_versions (
    flow_name VARCHAR(200) NOT NULL,
    version   VARCHAR(128) NOT NULL,
    live_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (flow_name, version)
);
CREATE INDEX flow_versions_live ON flow_versions (flow_name, live_at);

CREATE INDEX calls_version ON calls (flow_name, flow_version);

ALTER TABLE turns ADD COLUMN started_at TIMESTAMP WITH TIME ZONE;

CREATE TABLE flow_version_files (
    flow_name VARCHAR(200) NOT NULL,
    version   VARCHAR(128) NOT NULL,
    seq       INTEGER      NOT NULL,
    path      VARCHAR(500) NOT NULL,
    content   VARCHAR      NOT NULL,
    PRIMARY KEY (flow_name, version, seq),
    FOREIGN KEY (flow_name, version) REFERENCES flow_versions (flow_name, version) ON DELETE CASCADE
);
