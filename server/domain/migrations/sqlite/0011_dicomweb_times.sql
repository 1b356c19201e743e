-- What QIDO-RS returns and matches on beyond the first archive tables: the study's time and
-- each series' date and time (dates shifted like the study date, times kept, as in the files).
-- Studies stored before this keep them empty until re-imported.
ALTER TABLE studies ADD COLUMN study_time TEXT NOT NULL DEFAULT '';
ALTER TABLE series ADD COLUMN series_date TEXT NOT NULL DEFAULT '';
ALTER TABLE series ADD COLUMN series_time TEXT NOT NULL DEFAULT '';
