-- Live guidance sessions: an expert guides a community doctor on a shared clip (a published
-- case's instance). A learner's request waits for any expert to take it; an expert's
-- invitation waits for the learner to accept. While live, the events travel through the
-- server's in-memory hub; when the guide ends it, the server's copy of the timeline
-- (model::replay::Timeline as JSON) is kept here and a replay draft is made from it.
CREATE TABLE guidance_sessions (
    id                  TEXT PRIMARY KEY,
    -- NULL while a learner's request waits for an expert.
    guide_id            TEXT REFERENCES users(id),
    guided_id           TEXT NOT NULL REFERENCES users(id),
    sop_uid             TEXT NOT NULL REFERENCES instances(sop_uid),
    status              TEXT NOT NULL
                        CHECK (status IN ('requested', 'invited', 'live', 'ended', 'declined')),
    note                TEXT NOT NULL DEFAULT '',
    -- The guide lets the guided doctor move the shared view (0 or 1).
    guided_may_control  INTEGER NOT NULL DEFAULT 0,
    created_at          INTEGER NOT NULL,
    -- When it went live: the session clock's zero.
    started_at          INTEGER,
    ended_at            INTEGER,
    replay_id           TEXT REFERENCES replays(id),
    timeline            TEXT
);
CREATE INDEX guidance_sessions_guide ON guidance_sessions(guide_id, status);
CREATE INDEX guidance_sessions_guided ON guidance_sessions(guided_id, status);
CREATE INDEX guidance_sessions_status ON guidance_sessions(status, created_at);
