-- Client keys: what apps and people send to the cluster's bridges (Authorization: Bearer ob-…). Only
-- the secret's SHA-256 is kept; prefix is its first characters, shown so a key can be recognised.
-- A revoked key stays as a row (revoked_at set) so that usage and logs keep its name; its name is
-- free again for a new key. models is a JSON array of names or prefixes ending in '*', empty for all.
CREATE TABLE client_keys (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    name                TEXT NOT NULL,
    owner               TEXT,
    sha256              TEXT NOT NULL UNIQUE,
    prefix              TEXT NOT NULL,
    models              TEXT NOT NULL DEFAULT '[]',
    requests_per_minute INTEGER NOT NULL DEFAULT 0 CHECK (requests_per_minute >= 0),
    tokens_per_day      INTEGER NOT NULL DEFAULT 0 CHECK (tokens_per_day >= 0),
    expires_at          TEXT,
    enabled             INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
    created_at          TEXT NOT NULL,
    revoked_at          TEXT
);

CREATE UNIQUE INDEX client_keys_live_name ON client_keys (name) WHERE revoked_at IS NULL;
