-- Hosts: the machines bridges run on. 'local' is the console's own, served in-process; every other
-- host joined with a one-time token and runs an agent that holds a client certificate of the console's CA.

CREATE TABLE hosts (
    name             TEXT PRIMARY KEY,
    advertise        TEXT NOT NULL,
    state            TEXT NOT NULL CHECK (state IN ('ready', 'not_ready', 'revoked')),
    joined_at        TEXT NOT NULL,
    changed_at       TEXT NOT NULL,
    last_report_at   TEXT,
    version          TEXT,
    facts            TEXT,
    cert_sha256      TEXT,
    cert_expires_at  TEXT,
    desired_revision INTEGER NOT NULL DEFAULT 0,
    desired_hash     TEXT,
    applied_revision INTEGER NOT NULL DEFAULT 0
);

INSERT INTO hosts (name, advertise, state, joined_at, changed_at)
VALUES ('local', '127.0.0.1', 'ready', strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), strftime('%Y-%m-%dT%H:%M:%SZ', 'now'));

-- kubeadm's shape: the token is <id>.<secret>; the id finds the row, only the secret's hash is kept.
CREATE TABLE join_tokens (
    id          TEXT PRIMARY KEY,
    secret_hash TEXT NOT NULL,
    host        TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    used_at     TEXT,
    revoked_at  TEXT
);

-- The address a bridge listens on becomes listen_host; host now names the machine it runs on.
ALTER TABLE instances RENAME COLUMN host TO listen_host;
ALTER TABLE instances ADD COLUMN host TEXT NOT NULL DEFAULT 'local';
