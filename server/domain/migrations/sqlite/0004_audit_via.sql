-- The door an audited action came through: web, dicomweb, c-store or job.
ALTER TABLE audit_events ADD COLUMN via TEXT NOT NULL DEFAULT 'web';
