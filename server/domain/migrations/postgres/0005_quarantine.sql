-- The quarantine and device masks. A file without a known image area (no Sequence of Ultrasound
-- Regions, no device mask) is held: its item's status is 'held', the identified file stays in
-- the job's inbox folder (never in the blob store) and `held_files` describes it for the expert
-- who marks the area. Device masks say where the image is on every file of one scanner model
-- and image size.

ALTER TABLE import_items DROP CONSTRAINT import_items_status_check;
ALTER TABLE import_items ADD CONSTRAINT import_items_status_check
    CHECK (status IN ('pending', 'imported', 'duplicate', 'failed', 'held'));
CREATE INDEX import_items_status ON import_items(status);

-- What the quarantine shows of a held file: its device (manufacturer, model and size are not
-- identifying), what SonoHub proposes as its image area, and the area an expert marked.
CREATE TABLE held_files (
    item_id        TEXT PRIMARY KEY REFERENCES import_items(id),
    job_id         TEXT NOT NULL REFERENCES import_jobs(id),
    manufacturer   TEXT NOT NULL DEFAULT '',
    model          TEXT NOT NULL DEFAULT '',
    image_columns  BIGINT NOT NULL,
    image_rows     BIGINT NOT NULL,
    frames         BIGINT NOT NULL DEFAULT 1,
    modality       TEXT NOT NULL DEFAULT '',
    photometric    TEXT NOT NULL DEFAULT '',
    -- JSON: {"Ok": AreaProposal} or {"Err": NoAreaReason}.
    proposal       TEXT NOT NULL,
    -- JSON MaskRect: the area an expert marked for this file alone, once released with it.
    area           TEXT,
    held_at        BIGINT NOT NULL
);
CREATE INDEX held_files_device ON held_files(manufacturer, model, image_columns, image_rows);

CREATE TABLE device_masks (
    id             TEXT PRIMARY KEY,
    manufacturer   TEXT NOT NULL,
    model          TEXT NOT NULL,
    image_columns  BIGINT NOT NULL,
    image_rows     BIGINT NOT NULL,
    -- JSON MaskRect: the image area kept when a file carries no ultrasound regions.
    keep_area      TEXT NOT NULL,
    -- JSON [MaskRect]: blacked out in any case.
    remove_areas   TEXT NOT NULL DEFAULT '[]',
    created_by     TEXT REFERENCES users(id),
    created_at     BIGINT NOT NULL,
    updated_by     TEXT REFERENCES users(id),
    updated_at     BIGINT NOT NULL,
    retired_at     BIGINT
);
CREATE INDEX device_masks_device ON device_masks(manufacturer, model, image_columns, image_rows);
CREATE INDEX audit_events_subject ON audit_events(action, subject);
