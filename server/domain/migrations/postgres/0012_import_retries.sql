-- A job whose run fails (the store or database errs, or the worker panics) is run again
-- later, behind jobs that have not failed, and fails for good after a few runs, so one
-- broken job cannot hold up every import queued after it.
ALTER TABLE import_jobs ADD COLUMN runs_failed INTEGER NOT NULL DEFAULT 0;
ALTER TABLE import_jobs ADD COLUMN not_before BIGINT NOT NULL DEFAULT 0;
