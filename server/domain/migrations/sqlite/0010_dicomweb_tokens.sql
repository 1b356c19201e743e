-- Read-only DICOMweb tokens that admins issue to people and services (an OHIF viewer, a
-- research PACS). Only the secret's SHA-256 is kept; the first characters help recognise it.
CREATE TABLE dicomweb_tokens (
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    holder        TEXT NOT NULL DEFAULT '',
    secret_sha256 TEXT NOT NULL UNIQUE,
    hint          TEXT NOT NULL,
    created_by    TEXT REFERENCES users(id),
    created_at    INTEGER NOT NULL,
    uses          INTEGER NOT NULL DEFAULT 0,
    last_used_at  INTEGER,
    revoked_by    TEXT REFERENCES users(id),
    revoked_at    INTEGER
);
-- One token in force per name, so the audit log's names are unambiguous.
CREATE UNIQUE INDEX dicomweb_tokens_active_name ON dicomweb_tokens(name) WHERE revoked_at IS NULL;
