-- The regional archive connection, imported (anonymised) studies, their blobs and import jobs.
-- Nothing here identifies a patient: UIDs are the remapped 2.25 ones, dates are shifted, the
-- patient is a pseudonymous key. Raw files wait in the data folder's inbox, never here.
CREATE TABLE archive_settings (
    id            INTEGER PRIMARY KEY CHECK (id = 1),
    base_url      TEXT NOT NULL,
    auth          TEXT NOT NULL CHECK (auth IN ('none', 'basic', 'bearer')),
    username      TEXT NOT NULL DEFAULT '',
    secret        TEXT NOT NULL DEFAULT '',
    timeout_secs  BIGINT NOT NULL,
    updated_by    TEXT REFERENCES users(id),
    updated_at    BIGINT NOT NULL
);

CREATE TABLE studies (
    uid          TEXT PRIMARY KEY,
    patient_key  TEXT NOT NULL,
    study_date   TEXT NOT NULL DEFAULT '',
    modalities   TEXT NOT NULL DEFAULT '',
    description  TEXT NOT NULL DEFAULT '',
    created_by   TEXT REFERENCES users(id),
    created_at   BIGINT NOT NULL
);
CREATE INDEX studies_patient ON studies(patient_key);
CREATE INDEX studies_created ON studies(created_at);

CREATE TABLE series (
    uid           TEXT PRIMARY KEY,
    study_uid     TEXT NOT NULL REFERENCES studies(uid),
    modality      TEXT NOT NULL DEFAULT '',
    number        BIGINT,
    description   TEXT NOT NULL DEFAULT '',
    manufacturer  TEXT NOT NULL DEFAULT '',
    model         TEXT NOT NULL DEFAULT ''
);
CREATE INDEX series_study ON series(study_uid);

CREATE TABLE import_jobs (
    id           TEXT PRIMARY KEY,
    kind         TEXT NOT NULL CHECK (kind IN ('archive', 'upload', 'cstore')),
    status       TEXT NOT NULL CHECK (status IN ('receiving', 'queued', 'running', 'done', 'failed')),
    label        TEXT NOT NULL DEFAULT '',
    created_by   TEXT REFERENCES users(id),
    created_at   BIGINT NOT NULL,
    started_at   BIGINT,
    finished_at  BIGINT,
    lease_until  BIGINT NOT NULL DEFAULT 0,
    claimed_by   TEXT,
    error        TEXT
);
CREATE INDEX import_jobs_status ON import_jobs(status, created_at);

CREATE TABLE instances (
    sop_uid          TEXT PRIMARY KEY,
    series_uid       TEXT NOT NULL REFERENCES series(uid),
    study_uid        TEXT NOT NULL REFERENCES studies(uid),
    sop_class        TEXT NOT NULL DEFAULT '',
    number           BIGINT,
    blob_sha         TEXT NOT NULL,
    size             BIGINT NOT NULL,
    transfer_syntax  TEXT NOT NULL,
    height           BIGINT NOT NULL DEFAULT 0,
    width            BIGINT NOT NULL DEFAULT 0,
    frames           BIGINT NOT NULL DEFAULT 1,
    masked_pixels    BIGINT NOT NULL DEFAULT 0,
    psnr_db          DOUBLE PRECISION,
    job_id           TEXT REFERENCES import_jobs(id),
    created_at       BIGINT NOT NULL
);
CREATE INDEX instances_series ON instances(series_uid);
CREATE INDEX instances_study ON instances(study_uid);
CREATE INDEX instances_blob ON instances(blob_sha);

-- One row per instance (or uploaded file) of a job. `item_key` is the anonymised SOP Instance
-- UID for archive items (known before the download) or `file-N` for inbox files.
CREATE TABLE import_items (
    id          TEXT PRIMARY KEY,
    job_id      TEXT NOT NULL REFERENCES import_jobs(id),
    item_key    TEXT NOT NULL,
    seq         BIGINT NOT NULL,
    label       TEXT NOT NULL DEFAULT '',
    status      TEXT NOT NULL CHECK (status IN ('pending', 'imported', 'duplicate', 'failed')),
    sop_uid     TEXT,
    error       TEXT,
    updated_at  BIGINT NOT NULL,
    UNIQUE (job_id, item_key)
);
CREATE INDEX import_items_job ON import_items(job_id, seq);
