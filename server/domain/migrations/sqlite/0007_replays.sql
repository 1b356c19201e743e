-- Guidance replays: a clip (an anonymised DICOM instance or a screen recording) with the
-- voices recorded over it and the timeline of what the viewer showed (model::replay::Timeline
-- as JSON), reviewed like cases (draft → in review → published → retired). Every media file
-- uploaded for replays (voices, screen recordings) is registered in `replay_media` under its
-- blob's SHA-256, with the type and length read from its bytes. Comments sit at a time.
CREATE TABLE replay_media (
    sha          TEXT PRIMARY KEY,
    -- Sniffed from the bytes, never taken from the upload's header: audio/ogg, audio/webm,
    -- video/webm, video/mp4, ...
    mime         TEXT NOT NULL,
    bytes        INTEGER NOT NULL,
    -- NULL when the container does not say and no frame times could be read.
    duration_ms  INTEGER,
    uploaded_by  TEXT NOT NULL REFERENCES users(id),
    created_at   INTEGER NOT NULL
);

CREATE TABLE replays (
    id               TEXT PRIMARY KEY,
    title            TEXT NOT NULL,
    summary          TEXT NOT NULL DEFAULT '',
    language         TEXT NOT NULL CHECK (language IN ('zh', 'en')),
    status           TEXT NOT NULL CHECK (status IN ('draft', 'in_review', 'published', 'retired')),
    author_id        TEXT NOT NULL REFERENCES users(id),
    clip_kind        TEXT NOT NULL CHECK (clip_kind IN ('dicom', 'video')),
    -- A DICOM clip's instance; its blob is looked up there (a re-mask replaces it).
    clip_sop_uid     TEXT REFERENCES instances(sop_uid),
    -- The clip's blob when saved (a video clip's `replay_media` entry).
    clip_sha         TEXT NOT NULL,
    clip_mime        TEXT NOT NULL,
    -- Frames per second of a video clip, by which timeline frames count.
    clip_frame_rate  REAL,
    case_id          TEXT REFERENCES cases(id),
    timeline         TEXT NOT NULL,
    duration_ms      INTEGER NOT NULL,
    -- Chapter marks in the timeline, for lists.
    chapters         INTEGER NOT NULL DEFAULT 0,
    -- The live guidance session it was recorded from (filled by the sessions; no key).
    session_id       TEXT,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    published_at     INTEGER
);
CREATE INDEX replays_status ON replays(status, updated_at);
CREATE INDEX replays_published ON replays(published_at);
CREATE INDEX replays_case ON replays(case_id);
CREATE INDEX replays_clip ON replays(clip_sop_uid);
CREATE INDEX replays_author ON replays(author_id);

CREATE TABLE replay_voices (
    replay_id    TEXT NOT NULL REFERENCES replays(id),
    idx          INTEGER NOT NULL,
    media_sha    TEXT NOT NULL REFERENCES replay_media(sha),
    mime         TEXT NOT NULL,
    speaker      TEXT NOT NULL DEFAULT '',
    -- Who speaks: 0 the guiding expert, 1 the guided doctor (`by` is an SQL keyword).
    participant  INTEGER NOT NULL DEFAULT 0,
    -- Timeline time at which the recording's start plays (negative: its start is cut).
    offset_ms    INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (replay_id, idx)
);
CREATE INDEX replay_voices_media ON replay_voices(media_sha);

CREATE TABLE replay_comments (
    id          INTEGER PRIMARY KEY,
    replay_id   TEXT NOT NULL REFERENCES replays(id),
    author_id   TEXT NOT NULL REFERENCES users(id),
    t_ms        INTEGER NOT NULL,
    body        TEXT NOT NULL,
    created_at  INTEGER NOT NULL
);
CREATE INDEX replay_comments_replay ON replay_comments(replay_id, t_ms);
