-- Sites, people, sign-in attempts and the audit trail. Ids are UUIDv7 text, times are unix seconds.
CREATE TABLE sites (
    id          TEXT PRIMARY KEY,
    code        TEXT NOT NULL UNIQUE,
    kind        TEXT NOT NULL CHECK (kind IN ('hub', 'community')),
    name_zh     TEXT NOT NULL,
    name_en     TEXT NOT NULL,
    active      INTEGER NOT NULL DEFAULT 1,
    created_at  INTEGER NOT NULL
);

CREATE TABLE users (
    id             TEXT PRIMARY KEY,
    username       TEXT NOT NULL UNIQUE,
    display_name   TEXT NOT NULL,
    role           TEXT NOT NULL CHECK (role IN ('learner', 'expert', 'coordinator', 'admin')),
    site_id        TEXT NOT NULL REFERENCES sites(id),
    password_hash  TEXT NOT NULL,
    active         INTEGER NOT NULL DEFAULT 1,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL
);
CREATE INDEX users_site ON users(site_id);

CREATE TABLE login_attempts (
    id         TEXT PRIMARY KEY,
    username   TEXT NOT NULL,
    ip         TEXT NOT NULL,
    succeeded  INTEGER NOT NULL,
    at         INTEGER NOT NULL
);
CREATE INDEX login_attempts_user ON login_attempts(username, at);
CREATE INDEX login_attempts_ip ON login_attempts(ip, at);

CREATE TABLE audit_events (
    id         TEXT PRIMARY KEY,
    actor_id   TEXT,
    action     TEXT NOT NULL,
    subject    TEXT,
    detail     TEXT NOT NULL DEFAULT '{}',
    at         INTEGER NOT NULL
);
CREATE INDEX audit_events_at ON audit_events(at);
