-- Usage: the bridges' per-key counters (bridge_usage_*_total{key,model}) rolled up per UTC hour, key
-- and model, by the console's scrapes. Each scrape's increases are added to the hour of the scrape.
--
-- usage_cursors and usage_bridges remember what was last counted, and are written in the SAME
-- transaction as the hourly rows: a console that restarts resumes from exactly what it counted, never
-- twice. The rule (UsageIncreases) for one series of one bridge:
--   1. a cursor of the same bridge process (same start time) and no counter lower: count the difference;
--   2. a cursor of another process (start time changed), or a counter lower than the cursor: the bridge
--      restarted, its counters began again at zero, so count the whole value;
--   3. no cursor, but the console has counted this instance before (a usage_bridges row): the series
--      appeared since (a key or model new to this process, or a new process), so count the whole value;
--   4. no cursor and the instance never counted: count the whole value if the bridge started at or
--      after usage_origin (when this database began counting), else only remember it (its counts were
--      made before this database counted usage and cannot be placed in an hour).
-- What a bridge counted after the console's last scrape and before it stopped is lost with it.

CREATE TABLE usage_hourly (
    hour              INTEGER NOT NULL, -- the hour's start, epoch seconds (UTC)
    instance_id       INTEGER NOT NULL,
    instance_name     TEXT    NOT NULL,
    host              TEXT    NOT NULL,
    key_id            TEXT    NOT NULL, -- KeyRule.id, or 'none'
    model             TEXT    NOT NULL, -- the client's model, 'none' or '(other)'
    requests          INTEGER NOT NULL DEFAULT 0,
    errors            INTEGER NOT NULL DEFAULT 0,
    prompt_tokens     INTEGER NOT NULL DEFAULT 0,
    completion_tokens INTEGER NOT NULL DEFAULT 0,
    cache_hits        INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (hour, instance_id, key_id, model)
);

CREATE INDEX usage_hourly_by_key ON usage_hourly (key_id, hour);

-- The last values counted of each series of each instance's bridge, and which process they came from.
CREATE TABLE usage_cursors (
    instance_id       INTEGER NOT NULL,
    key_id            TEXT    NOT NULL,
    model             TEXT    NOT NULL,
    started_ms        INTEGER NOT NULL, -- bridge_start_time_seconds in ms, 0 when the bridge gave none
    requests          INTEGER NOT NULL,
    errors            INTEGER NOT NULL,
    prompt_tokens     INTEGER NOT NULL,
    completion_tokens INTEGER NOT NULL,
    cache_hits        INTEGER NOT NULL,
    PRIMARY KEY (instance_id, key_id, model)
);

-- The bridge process last counted per instance.
CREATE TABLE usage_bridges (
    instance_id INTEGER PRIMARY KEY,
    started_ms  INTEGER NOT NULL
);

-- When this database began counting usage (rule 4), epoch ms.
CREATE TABLE usage_origin (
    started_ms INTEGER NOT NULL
);
INSERT INTO usage_origin (started_ms) VALUES (CAST(strftime('%s', 'now') AS INTEGER) * 1000);
