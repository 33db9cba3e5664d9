-- The console's state: bridge instances, settings, an audit log of events, and API tokens.

CREATE TABLE instances (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    name             TEXT    NOT NULL UNIQUE,
    host             TEXT    NOT NULL,
    port             INTEGER NOT NULL CHECK (port BETWEEN 1 AND 65535),
    upstream_url     TEXT    NOT NULL,
    upstream_dialect TEXT    NOT NULL DEFAULT 'auto' CHECK (upstream_dialect IN ('auto', 'ollama', 'openai')),
    weight           INTEGER NOT NULL DEFAULT 1 CHECK (weight BETWEEN 1 AND 100),
    role             TEXT    NOT NULL DEFAULT 'primary' CHECK (role IN ('primary', 'backup')),
    max_fails        INTEGER NOT NULL DEFAULT 2,
    fail_timeout_s   INTEGER NOT NULL DEFAULT 30,
    cache_enabled    INTEGER NOT NULL DEFAULT 1,
    cache_dir        TEXT    UNIQUE,
    shared_mode      INTEGER NOT NULL DEFAULT 0,
    upstream_api_key TEXT,
    client_keys      TEXT    NOT NULL DEFAULT '[]',
    rate_limit       INTEGER NOT NULL DEFAULT 0,
    think_filter     INTEGER NOT NULL DEFAULT 1,
    enabled          INTEGER NOT NULL DEFAULT 1,
    managed          INTEGER NOT NULL DEFAULT 1,
    version          INTEGER NOT NULL DEFAULT 1,
    created_at       TEXT    NOT NULL,
    updated_at       TEXT    NOT NULL,
    UNIQUE (host, port)
);

CREATE TABLE settings (
    key        TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE events (
    id     INTEGER PRIMARY KEY AUTOINCREMENT,
    at     TEXT NOT NULL,
    actor  TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT,
    detail TEXT
);
CREATE INDEX events_by_time ON events (at);

CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    name         TEXT NOT NULL UNIQUE,
    token_hash   TEXT NOT NULL UNIQUE,
    created_at   TEXT NOT NULL,
    last_used_at TEXT
);
