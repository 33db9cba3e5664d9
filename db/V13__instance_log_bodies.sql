-- Whether an instance's bridge writes prompts and answers into its request log (--log-bodies): off by default.

ALTER TABLE instances ADD COLUMN log_bodies INTEGER NOT NULL DEFAULT 0;
