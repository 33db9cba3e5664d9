-- Browser origins (besides its own addresses) whose pages an instance's bridge serves: --allowed-origin.

ALTER TABLE instances ADD COLUMN allowed_origins TEXT NOT NULL DEFAULT '[]';
