-- Why each nginx revision was made, as operators read it ("weight b1 3→7 by web:admin",
-- "health: b2 down"); whether the console made it by itself (health checks, model discovery, its
-- own start) rather than at someone's request; and, for a rollback, the revision it applied again.
ALTER TABLE nginx_revisions ADD COLUMN cause TEXT;
ALTER TABLE nginx_revisions ADD COLUMN automatic INTEGER NOT NULL DEFAULT 0;
ALTER TABLE nginx_revisions ADD COLUMN rollback_to INTEGER;

-- Revisions made before causes were recorded say who made them, which is all that is known.
UPDATE nginx_revisions SET automatic = actor IN ('health', 'models', 'console', 'supervisor');
UPDATE nginx_revisions SET cause = CASE WHEN automatic = 1 THEN actor ELSE 'apply by ' || actor END;
