-- A running evaluation's heartbeat: the HTTP node that runs it writes the time every few seconds
-- (http.evaluations.heartbeat_ms), so a memory node can tell a run whose process is gone (no heartbeat for
-- memory.evaluation_stale_s) from one running on another node of a cluster. Runs stored before: NULL (their
-- created_at stands in).
ALTER TABLE evaluations ADD COLUMN heartbeat_at INTEGER;
