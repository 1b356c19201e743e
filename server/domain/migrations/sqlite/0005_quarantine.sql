-- The quarantine and device masks. A file without a known image area (no Sequence of Ultrasound
-- Regions, no device mask) is held: its item's status is 'held', the identified file stays in
-- the job's inbox folder (never in the blob store) and `held_files` describes it for the expert
-- who marks the area. Device masks say where the image is on every file of one scanner model
-- and image size.

-- SQLite cannot change a CHECK constraint in place: the table is rebuilt ('held' added).
CREATE TABLE import_items_new (
    id          TEXT PRIMARY KEY,
    job_id      TEXT NOT NULL REFERENCES import_jobs(id),
    item_key    TEXT NOT NULL,
    seq         INTEGER NOT NULL,
    label       TEXT NOT NULL DEFAULT '',
    status      TEXT NOT NULL CHECK (status IN ('pending', 'imported', 'duplicate', 'failed', 'held')),
    sop_uid     TEXT,
    error       TEXT,
    updated_at  INTEGER NOT NULL,
    UNIQUE (job_id, item_key)
);
INSERT INTO import_items_new (id, job_id, item_key, seq, label, status, sop_uid, error, updated_at)
    SELECT id, job_id, item_key, seq, label, status, sop_uid, error, updated_at FROM import_items;
DROP TABLE import_items;
ALTER TABLE import_items_new RENAME TO import_items;
CREATE INDEX import_items_job ON import_items(job_id, seq);
CREATE INDEX import_items_status ON import_items(status);

-- What the quarantine shows of a held file: its device (manufacturer, model and size are not
-- identifying), what SonoHub proposes as its image area, and the area an expert marked.
CREATE TABLE held_files (
    item_id        TEXT PRIMARY KEY REFERENCES import_items(id),
    job_id         TEXT NOT NULL REFERENCES import_jobs(id),
    manufacturer   TEXT NOT NULL DEFAULT '',
    model          TEXT NOT NULL DEFAULT '',
    image_columns  INTEGER NOT NULL,
    image_rows     INTEGER NOT NULL,
    frames         INTEGER NOT NULL DEFAULT 1,
    modality       TEXT NOT NULL DEFAULT '',
    photometric    TEXT NOT NULL DEFAULT '',
    -- JSON: {"Ok": AreaProposal} or {"Err": NoAreaReason}.
    proposal       TEXT NOT NULL,
    -- JSON MaskRect: the area an expert marked for this file alone, once released with it.
    area           TEXT,
    held_at        INTEGER NOT NULL
);
CREATE INDEX held_files_device ON held_files(manufacturer, model, image_columns, image_rows);

CREATE TABLE device_masks (
    id             TEXT PRIMARY KEY,
    manufacturer   TEXT NOT NULL,
    model          TEXT NOT NULL,
    image_columns  INTEGER NOT NULL,
    image_rows     INTEGER NOT NULL,
    -- JSON MaskRect: the image area kept when a file carries no ultrasound regions.
    keep_area      TEXT NOT NULL,
    -- JSON [MaskRect]: blacked out in any case.
    remove_areas   TEXT NOT NULL DEFAULT '[]',
    created_by     TEXT REFERENCES users(id),
    created_at     INTEGER NOT NULL,
    updated_by     TEXT REFERENCES users(id),
    updated_at     INTEGER NOT NULL,
    retired_at     INTEGER
);
CREATE INDEX device_masks_device ON device_masks(manufacturer, model, image_columns, image_rows);
CREATE INDEX audit_events_subject ON audit_events(action, subject);
