-- The library's text search through a trigram index (FTS5) rather than a LIKE over every case,
-- which read each case's whole row (its content first) on every search: a term of three
-- characters or more is looked up in the index as a phrase, an exact substring match. Terms of
-- one or two characters, which have no trigram, still scan `cases.search_text`.
--
-- The index's rowids come from `case_search_keys`, an INTEGER PRIMARY KEY, which VACUUM, a
-- backup and a restore keep (the implicit rowid of `cases` they may renumber). Triggers keep
-- both in step with `cases`, whoever writes it.
CREATE TABLE case_search_keys (
    key      INTEGER PRIMARY KEY,
    case_id  TEXT NOT NULL UNIQUE
);

CREATE VIRTUAL TABLE case_search USING fts5(search_text, tokenize = 'trigram case_sensitive 0');

CREATE TRIGGER case_search_insert AFTER INSERT ON cases BEGIN
    INSERT INTO case_search_keys (case_id) VALUES (new.id);
    INSERT INTO case_search (rowid, search_text)
        SELECT key, new.search_text FROM case_search_keys WHERE case_id = new.id;
END;

CREATE TRIGGER case_search_update AFTER UPDATE OF search_text ON cases BEGIN
    UPDATE case_search SET search_text = new.search_text
        WHERE rowid = (SELECT key FROM case_search_keys WHERE case_id = new.id);
END;

CREATE TRIGGER case_search_delete AFTER DELETE ON cases BEGIN
    DELETE FROM case_search WHERE rowid = (SELECT key FROM case_search_keys WHERE case_id = old.id);
    DELETE FROM case_search_keys WHERE case_id = old.id;
END;

INSERT INTO case_search_keys (case_id) SELECT id FROM cases;
INSERT INTO case_search (rowid, search_text)
    SELECT k.key, c.search_text FROM case_search_keys k JOIN cases c ON c.id = k.case_id;
