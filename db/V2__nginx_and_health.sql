-- Every nginx configuration the console tried to apply, and the last verdict of each instance's
-- health checks (so that a restarted console keeps serving the instances that were up).

CREATE TABLE nginx_revisions (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at  TEXT NOT NULL,
    actor       TEXT NOT NULL,
    hash        TEXT NOT NULL,
    config      TEXT NOT NULL,
    test_output TEXT,
    result      TEXT NOT NULL CHECK (result IN ('applied', 'rejected', 'failed')),
    message     TEXT
);

CREATE TABLE instance_health (
    instance_id INTEGER PRIMARY KEY REFERENCES instances (id) ON DELETE CASCADE,
    healthy     INTEGER NOT NULL,
    changed_at  TEXT    NOT NULL
);
