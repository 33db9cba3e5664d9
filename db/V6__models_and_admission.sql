-- Model-aware routing and load-aware admission.
-- models: names an instance serves whatever its backend lists (pinned; empty: as discovered).
-- model_aliases: "CLIENT=BACKEND" entries, the bridge's --model-alias.
-- max_concurrent, queue_size, queue_timeout_ms: the bridge's generation slots and wait queue (0: no limit).
ALTER TABLE instances ADD COLUMN models TEXT NOT NULL DEFAULT '[]';
ALTER TABLE instances ADD COLUMN model_aliases TEXT NOT NULL DEFAULT '[]';
ALTER TABLE instances ADD COLUMN max_concurrent INTEGER NOT NULL DEFAULT 0;
ALTER TABLE instances ADD COLUMN queue_size INTEGER NOT NULL DEFAULT 0;
ALTER TABLE instances ADD COLUMN queue_timeout_ms INTEGER NOT NULL DEFAULT 30000;

-- What each instance's bridge listed when last asked, and when each name was last seen.
CREATE TABLE instance_models (
    instance_id INTEGER NOT NULL REFERENCES instances (id) ON DELETE CASCADE,
    name        TEXT    NOT NULL,
    seen_at     TEXT    NOT NULL,
    PRIMARY KEY (instance_id, name)
);
