-- Alerts: where they are posted (webhooks), which rules raise them (one row per rule kind, the rest of
-- a rule is in code), and what was posted (deliveries, bounded: the service keeps the last 1000).
CREATE TABLE alert_webhooks (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  name       TEXT    NOT NULL,
  url        TEXT    NOT NULL,
  format     TEXT    NOT NULL CHECK (format IN ('generic', 'slack')),
  enabled    INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
  created_at TEXT    NOT NULL
);

-- A kind without a row has its defaults (on, the code's threshold and minutes).
CREATE TABLE alert_rules (
  kind      TEXT PRIMARY KEY,
  enabled   INTEGER NOT NULL CHECK (enabled IN (0, 1)),
  threshold REAL,
  minutes   INTEGER
);

-- webhook_name is kept so that a delivery still says where it went after its webhook is deleted.
CREATE TABLE alert_deliveries (
  id           INTEGER PRIMARY KEY AUTOINCREMENT,
  webhook_id   INTEGER NOT NULL,
  webhook_name TEXT    NOT NULL,
  kind         TEXT    NOT NULL,
  state        TEXT    NOT NULL CHECK (state IN ('firing', 'resolved')),
  subject      TEXT,
  summary      TEXT    NOT NULL,
  status       TEXT    NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
  attempts     INTEGER NOT NULL DEFAULT 0,
  last_status  INTEGER,
  last_error   TEXT,
  at           TEXT    NOT NULL,
  updated_at   TEXT    NOT NULL
);

-- What fires now, so that a restarted console neither fires again what it posted nor misses the
-- resolution of what fired before it stopped.
CREATE TABLE alert_firing (
  kind    TEXT NOT NULL,
  subject TEXT NOT NULL,
  message TEXT,
  since   TEXT NOT NULL,
  PRIMARY KEY (kind, subject)
);
