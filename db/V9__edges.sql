-- Edges: hosts whose agent runs an nginx of the cluster. edge_listen is the address it listens on
-- (NULL: every address of the host), on the port of the cluster's nginx.listen. edge_report keeps the
-- last EdgeReport the host's agent sent (checked, as JSON), so that a restarted console shows each
-- edge's revision, since when, and its last attempt before the agent reports again. The local host's
-- nginx is the console's own: its state is in nginx_revisions, not here.
ALTER TABLE hosts ADD COLUMN edge INTEGER NOT NULL DEFAULT 0 CHECK (edge IN (0, 1));
ALTER TABLE hosts ADD COLUMN edge_listen TEXT;
ALTER TABLE hosts ADD COLUMN edge_report TEXT;
