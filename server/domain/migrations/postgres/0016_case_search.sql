-- The library's text search through a trigram index (pg_trgm's GIN operator class) rather than
-- a scan of every case: PostgreSQL answers `search_text LIKE '%term%'` from the index when the
-- term has a trigram (three characters or more), and rechecks each candidate, so the matches
-- are exactly LIKE's. The SQLite counterpart is the FTS5 index of migration 0014.
--
-- pg_trgm ships with PostgreSQL (contrib) and is a trusted extension since PostgreSQL 13: the
-- owner of the database may create it without being a superuser.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX cases_search_trigrams ON cases USING gin (search_text gin_trgm_ops);
