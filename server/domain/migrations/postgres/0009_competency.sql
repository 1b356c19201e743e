-- Competency: scan logbooks, expert review, credential rules and awards.
-- Applications gain a review form (model::competency::ReviewForm as JSON: the interpretation
-- fields a learner fills and a reviewer fills again, and an optional image-quality rubric) and
-- can be retired (no new logbook entries; past entries and credentials stay).
ALTER TABLE applications ADD COLUMN review_form TEXT NOT NULL DEFAULT '{"fields":[]}';
ALTER TABLE applications ADD COLUMN retired_at BIGINT;

-- Each application's starting review form; coordinators edit them.
UPDATE applications SET review_form = '{"fields": [{"key": "tirads", "label": "ACR TI-RADS 分级 level (TR1–TR5)", "kind": {"type": "level", "min": 1, "max": 5, "positive_from": 4}}, {"key": "recommendation", "label": "建议 recommendation", "kind": {"type": "choice", "options": ["无需随访 no follow-up", "超声随访 ultrasound follow-up", "细针穿刺 FNA"], "negative": ["无需随访 no follow-up"]}}]}' WHERE code = 'thyroid';
UPDATE applications SET review_form = '{"fields": [{"key": "plaque", "label": "斑块 plaque", "kind": {"type": "choice", "options": ["无 none", "有 present"], "negative": ["无 none"]}}, {"key": "stenosis", "label": "ICA 狭窄程度 stenosis (SRU)", "kind": {"type": "choice", "options": ["正常 normal", "<50%", "50–69%", "≥70%", "次全闭塞 near occlusion", "闭塞 occlusion"], "negative": ["正常 normal", "<50%"]}}]}' WHERE code = 'carotid';
UPDATE applications SET review_form = '{"fields": [{"key": "windows", "label": "各切面游离液体/气胸 free fluid or pneumothorax per window", "kind": {"type": "per_window", "windows": ["右上腹 RUQ", "左上腹 LUQ", "盆腔 pelvis", "心包 pericardium", "右肺 right lung", "左肺 left lung"], "options": ["阴性 negative", "阳性 positive", "无法评估 indeterminate"], "negative": ["阴性 negative"]}}], "rubric": {"criteria": [{"key": "morison", "label": "肝肾隐窝显示 Morison''s pouch", "levels": ["未显示 not seen", "部分显示 partly seen", "完整显示 fully seen, liver tip included"]}, {"key": "pelvis", "label": "盆腔切面 pelvic view", "levels": ["未获取 not obtained", "仅一个平面 one plane", "两个平面 two planes"]}, {"key": "lung", "label": "肺滑动 lung sliding", "levels": ["未评估 not assessed", "单侧 one side", "双侧 both sides, M-mode"]}]}}' WHERE code = 'efast';
UPDATE applications SET review_form = '{"fields": [{"key": "sliding", "label": "肺滑动 lung sliding", "kind": {"type": "per_window", "windows": ["右前胸 right anterior", "左前胸 left anterior"], "options": ["存在 present", "消失 absent", "肺点 lung point"], "negative": ["存在 present"]}}, {"key": "b_lines", "label": "B 线 B-lines", "kind": {"type": "choice", "options": ["无 none", "局灶 focal", "弥漫 diffuse"], "negative": ["无 none"]}}]}' WHERE code = 'lung';
UPDATE applications SET review_form = '{"fields": [{"key": "effusion", "label": "心包积液 pericardial effusion", "kind": {"type": "choice", "options": ["无 none", "少量 small", "中大量 moderate–large", "填塞征象 tamponade signs"], "negative": ["无 none"]}}, {"key": "lv", "label": "左室收缩 LV function", "kind": {"type": "choice", "options": ["正常 normal", "减低 reduced", "重度减低 severely reduced"], "negative": ["正常 normal"]}}, {"key": "rv", "label": "右室扩大 RV dilation", "kind": {"type": "choice", "options": ["无 none", "有 present"], "negative": ["无 none"]}}]}' WHERE code = 'cardiac';
UPDATE applications SET review_form = '{"fields": [{"key": "aneurysm", "label": "腹主动脉瘤 aneurysm (≥3 cm)", "kind": {"type": "choice", "options": ["无 none", "有 present"], "negative": ["无 none"]}}, {"key": "diameter", "label": "最大径 maximum diameter", "kind": {"type": "choice", "options": ["<3 cm", "3–5.4 cm", "≥5.5 cm"], "negative": ["<3 cm"]}}]}' WHERE code = 'aaa';
UPDATE applications SET review_form = '{"fields": [{"key": "compression", "label": "加压试验 compression", "kind": {"type": "per_window", "windows": ["股总静脉 common femoral", "股静脉 femoral", "腘静脉 popliteal"], "options": ["可压闭 compressible", "不可压闭 non-compressible"], "negative": ["可压闭 compressible"]}}]}' WHERE code = 'dvt';
UPDATE applications SET review_form = '{"fields": [{"key": "stones", "label": "胆囊结石 gallstones", "kind": {"type": "choice", "options": ["无 none", "有 present"], "negative": ["无 none"]}}, {"key": "cholecystitis", "label": "胆囊炎征象 cholecystitis signs", "kind": {"type": "choice", "options": ["无 none", "有 present"], "negative": ["无 none"]}}, {"key": "cbd", "label": "胆总管扩张 CBD dilated", "kind": {"type": "choice", "options": ["无 none", "有 present"], "negative": ["无 none"]}}]}' WHERE code = 'biliary';
UPDATE applications SET review_form = '{"fields": [{"key": "hydronephrosis", "label": "肾积水 hydronephrosis", "kind": {"type": "choice", "options": ["无 none", "轻度 mild", "中度 moderate", "重度 severe"], "negative": ["无 none"]}}, {"key": "stone", "label": "结石 stone seen", "kind": {"type": "choice", "options": ["无 none", "有 present"], "negative": ["无 none"]}}]}' WHERE code = 'renal';
UPDATE applications SET review_form = '{"fields": [{"key": "iup", "label": "宫内妊娠 intrauterine pregnancy", "kind": {"type": "choice", "options": ["可见 seen", "未见 not seen"], "negative": ["可见 seen"]}}, {"key": "free_fluid", "label": "盆腔游离液体 free fluid", "kind": {"type": "choice", "options": ["无 none", "有 present"], "negative": ["无 none"]}}]}' WHERE code = 'early_pregnancy';
UPDATE applications SET review_form = '{"fields": [{"key": "birads", "label": "BI-RADS 分类 category", "kind": {"type": "level", "min": 1, "max": 5, "positive_from": 4}}]}' WHERE code = 'breast';
UPDATE applications SET review_form = '{"fields": [{"key": "lesion", "label": "局灶性病变 focal lesion", "kind": {"type": "choice", "options": ["无 none", "有 present"], "negative": ["无 none"]}}, {"key": "steatosis", "label": "脂肪肝 steatosis", "kind": {"type": "choice", "options": ["无 none", "轻度 mild", "中度 moderate", "重度 severe"], "negative": ["无 none"]}}]}' WHERE code = 'liver';

-- model::competency::CredentialRule as JSON, one per application (absent: the default rule).
CREATE TABLE credential_rules (
    application  TEXT PRIMARY KEY REFERENCES applications(code),
    rule         TEXT NOT NULL,
    updated_by   TEXT REFERENCES users(id),
    updated_at   BIGINT NOT NULL
);

-- A scan a learner logged. The first review's grade and the current verdict (a follow-up may
-- settle it later) are copied here so that the coordinator's grid is one indexed pass.
CREATE TABLE logbook_entries (
    id              TEXT PRIMARY KEY,
    learner_id      TEXT NOT NULL REFERENCES users(id),
    -- The site the scan was done at (the learner's, unless they say otherwise).
    site_id         TEXT NOT NULL REFERENCES sites(id),
    application     TEXT NOT NULL REFERENCES applications(code),
    scanned_on      TEXT NOT NULL,
    indication      TEXT NOT NULL DEFAULT '',
    -- model::competency::Interpretation as JSON.
    interpretation  TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('draft', 'submitted', 'reviewed')),
    -- Clips uploaded with the entry go through this import job (anonymised, cleaned).
    upload_job      TEXT REFERENCES import_jobs(id),
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    submitted_at    BIGINT,
    -- Of the first review.
    reviewed_at     BIGINT,
    reviewed_on     TEXT,
    grade           BIGINT CHECK (grade BETWEEN 1 AND 5),
    verdict         TEXT,
    agrees          BIGINT,
    -- Asked for a second, independent review (a sample for reviewer agreement).
    second_wanted   BIGINT NOT NULL DEFAULT 0
);
-- The grid and the site trends read a period's reviewed scans from this index alone: every
-- column they count is in it, so no table row is visited (a year of 100,000 scans).
CREATE INDEX logbook_grid ON logbook_entries(reviewed_on, site_id, application, grade, agrees);
CREATE INDEX logbook_learner ON logbook_entries(learner_id, application, scanned_on);
CREATE INDEX logbook_queue ON logbook_entries(status, submitted_at);

CREATE TABLE logbook_clips (
    entry_id  TEXT NOT NULL REFERENCES logbook_entries(id),
    sop_uid   TEXT NOT NULL REFERENCES instances(sop_uid),
    position  BIGINT NOT NULL,
    PRIMARY KEY (entry_id, sop_uid)
);

-- A review of a logbook entry: the first (second = 0) and an optional independent second.
CREATE TABLE scan_reviews (
    id              TEXT PRIMARY KEY,
    entry_id        TEXT NOT NULL REFERENCES logbook_entries(id),
    reviewer_id     TEXT NOT NULL REFERENCES users(id),
    second          BIGINT NOT NULL DEFAULT 0,
    grade           BIGINT NOT NULL CHECK (grade BETWEEN 1 AND 5),
    -- model::competency::RubricScores and Interpretation as JSON.
    rubric          TEXT NOT NULL DEFAULT '{}',
    interpretation  TEXT NOT NULL DEFAULT '{"answers":{}}',
    verdict         TEXT NOT NULL,
    -- 'reviewer', or 'follow_up' once a linked follow-up settled the finding.
    verdict_source  TEXT NOT NULL DEFAULT 'reviewer' CHECK (verdict_source IN ('reviewer', 'follow_up')),
    reviewer_verdict TEXT NOT NULL,
    feedback        TEXT NOT NULL DEFAULT '',
    case_id         TEXT REFERENCES cases(id),
    follow_up_id    TEXT REFERENCES follow_ups(id),
    reviewed_on     TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    UNIQUE (entry_id, second)
);
CREATE INDEX scan_reviews_reviewer ON scan_reviews(reviewer_id, created_at);
CREATE INDEX scan_reviews_case ON scan_reviews(case_id);

-- A credential a coordinator awarded; the code is printed on the certificate and checked at
-- /verify/{code} by anyone.
CREATE TABLE credential_awards (
    id           TEXT PRIMARY KEY,
    code         TEXT NOT NULL UNIQUE,
    learner_id   TEXT NOT NULL REFERENCES users(id),
    application  TEXT NOT NULL REFERENCES applications(code),
    awarded_on   TEXT NOT NULL,
    awarded_by   TEXT NOT NULL REFERENCES users(id),
    -- The rule in force at the award, as JSON (the certificate states what was met).
    rule         TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    revoked_at   BIGINT
);
CREATE INDEX credential_awards_learner ON credential_awards(learner_id, application);
