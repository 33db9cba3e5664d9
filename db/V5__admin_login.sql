-- The web console's login: one user, admin, whose password is kept only as an Argon2id hash (the
-- PHC string, which names its own parameters, so stronger ones can come later).

CREATE TABLE admin_login (
    username      TEXT PRIMARY KEY CHECK (username = 'admin'),
    password_hash TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    changed_at    TEXT NOT NULL
);
