-- What the library's hot reads need without touching a case's row, whose working copy
-- (`content`, kilobytes of JSON) sits before the listing columns: on SQLite, reading any column
-- after it walks the row's overflow pages, so a search over a few thousand matches read
-- megabytes to learn which were visible.
--
-- `cases_library`: the filters and the default order of a library search, so that the count
-- and the page's ids come from the index alone; the page's twenty rows are then read whole.
CREATE INDEX cases_library ON cases (id, published_version, status, published_at, site_id,
    application, difficulty, tirads, has_pathology);

-- The clips each published version shows, written with the version (versions never change):
-- a clip's bytes are served to learners only when a visible published version lists it, which
-- was found by parsing every version of the clip's study.
CREATE TABLE case_version_clips (
    case_id  TEXT NOT NULL,
    version  INTEGER NOT NULL,
    sop_uid  TEXT NOT NULL,
    PRIMARY KEY (case_id, version, sop_uid),
    FOREIGN KEY (case_id, version) REFERENCES case_versions (case_id, version)
);
CREATE INDEX case_version_clips_sop ON case_version_clips (sop_uid);

INSERT INTO case_version_clips (case_id, version, sop_uid)
    SELECT v.case_id, v.version, json_extract(clip.value, '$.sop_uid')
    FROM case_versions v, json_each(v.content, '$.clips') AS clip
    WHERE json_extract(clip.value, '$.sop_uid') IS NOT NULL
ON CONFLICT DO NOTHING;
