-- Teaching cases: the application catalogue, cases with their working copy and published
-- versions, curation history, follow-up outcomes, consultation, notifications and
-- unknown-case attempts. A case's index columns describe its last published version only.
CREATE TABLE applications (
    code       TEXT PRIMARY KEY,
    name_zh    TEXT NOT NULL,
    name_en    TEXT NOT NULL,
    emergency  INTEGER NOT NULL DEFAULT 0,
    position   INTEGER NOT NULL
);
INSERT INTO applications (code, name_zh, name_en, emergency, position) VALUES
    ('thyroid', '甲状腺', 'Thyroid', 0, 1),
    ('carotid', '颈动脉', 'Carotid', 0, 2),
    ('efast', '创伤重点超声 (eFAST)', 'eFAST', 1, 3),
    ('lung', '肺超声', 'Lung', 1, 4),
    ('cardiac', '急诊心脏超声', 'Focused cardiac', 1, 5),
    ('aaa', '腹主动脉瘤', 'Abdominal aorta (AAA)', 1, 6),
    ('dvt', '下肢深静脉血栓', 'Deep vein thrombosis (DVT)', 1, 7),
    ('biliary', '胆道', 'Biliary', 1, 8),
    ('renal', '肾脏与泌尿', 'Renal', 1, 9),
    ('early_pregnancy', '早孕', 'Early pregnancy', 1, 10),
    ('breast', '乳腺', 'Breast', 0, 11),
    ('liver', '肝脏', 'Liver', 0, 12);

CREATE TABLE cases (
    id                 TEXT PRIMARY KEY,
    study_uid          TEXT NOT NULL REFERENCES studies(uid),
    author_id          TEXT NOT NULL REFERENCES users(id),
    status             TEXT NOT NULL CHECK (status IN ('draft', 'in_review', 'published', 'retired')),
    content            TEXT NOT NULL,
    next_version       INTEGER NOT NULL DEFAULT 1,
    published_version  INTEGER,
    published_at       INTEGER,
    -- Index of the published version (NULL / empty until the first publication).
    title              TEXT NOT NULL DEFAULT '',
    application        TEXT REFERENCES applications(code),
    difficulty         TEXT NOT NULL DEFAULT 'basic',
    diagnosis          TEXT NOT NULL DEFAULT '',
    age_band           TEXT NOT NULL DEFAULT '',
    sex                TEXT NOT NULL DEFAULT '',
    cover_sop          TEXT,
    tags               TEXT NOT NULL DEFAULT '',
    tirads             INTEGER,
    grade              TEXT,
    site_id            TEXT REFERENCES sites(id),
    search_text        TEXT NOT NULL DEFAULT '',
    has_pathology      INTEGER NOT NULL DEFAULT 0,
    created_at         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL
);
CREATE INDEX cases_status ON cases(status);
CREATE INDEX cases_published ON cases(published_at);
CREATE INDEX cases_author ON cases(author_id);

CREATE TABLE case_versions (
    case_id       TEXT NOT NULL REFERENCES cases(id),
    version       INTEGER NOT NULL,
    content       TEXT NOT NULL,
    published_by  TEXT NOT NULL REFERENCES users(id),
    published_at  INTEGER NOT NULL,
    PRIMARY KEY (case_id, version)
);

CREATE TABLE case_events (
    id        TEXT PRIMARY KEY,
    case_id   TEXT NOT NULL REFERENCES cases(id),
    actor_id  TEXT NOT NULL REFERENCES users(id),
    action    TEXT NOT NULL,
    body      TEXT NOT NULL DEFAULT '',
    version   INTEGER,
    at        INTEGER NOT NULL
);
CREATE INDEX case_events_case ON case_events(case_id, at);

CREATE TABLE follow_ups (
    id          TEXT PRIMARY KEY,
    case_id     TEXT NOT NULL REFERENCES cases(id),
    kind        TEXT NOT NULL CHECK (kind IN ('fna', 'histopathology', 'surgery', 'imaging', 'clinical')),
    day_offset  INTEGER NOT NULL,
    bethesda    INTEGER CHECK (bethesda BETWEEN 1 AND 6),
    malignant   INTEGER,
    confirms    INTEGER,
    summary     TEXT NOT NULL,
    added_by    TEXT NOT NULL REFERENCES users(id),
    created_at  INTEGER NOT NULL
);
CREATE INDEX follow_ups_case ON follow_ups(case_id, day_offset);

CREATE TABLE case_comments (
    id          TEXT PRIMARY KEY,
    case_id     TEXT NOT NULL REFERENCES cases(id),
    author_id   TEXT NOT NULL REFERENCES users(id),
    body        TEXT NOT NULL,
    sop_uid     TEXT,
    frame       INTEGER,
    is_answer   INTEGER NOT NULL DEFAULT 0,
    created_at  INTEGER NOT NULL
);
CREATE INDEX case_comments_case ON case_comments(case_id, created_at);

CREATE TABLE notifications (
    id          TEXT PRIMARY KEY,
    user_id     TEXT NOT NULL REFERENCES users(id),
    case_id     TEXT NOT NULL REFERENCES cases(id),
    actor_id    TEXT NOT NULL REFERENCES users(id),
    kind        TEXT NOT NULL,
    excerpt     TEXT NOT NULL DEFAULT '',
    read_at     INTEGER,
    created_at  INTEGER NOT NULL
);
CREATE INDEX notifications_user ON notifications(user_id, created_at);

CREATE TABLE case_attempts (
    id          TEXT PRIMARY KEY,
    case_id     TEXT NOT NULL REFERENCES cases(id),
    user_id     TEXT NOT NULL REFERENCES users(id),
    version     INTEGER NOT NULL,
    impression  TEXT NOT NULL,
    answer      TEXT NOT NULL DEFAULT '{}',
    correct     INTEGER,
    created_at  INTEGER NOT NULL
);
CREATE INDEX case_attempts_user ON case_attempts(user_id, created_at);
CREATE INDEX case_attempts_case ON case_attempts(case_id);
