-- Courses and quizzes. A course's working copy (content, JSON) is edited freely; publishing
-- freezes it as a numbered version and enrolments follow the version they started on.
-- Questions keep their key on the server; an attempt copies each question it asks (key
-- included) so later edits never change an attempt's marking or its item analysis.
CREATE TABLE courses (
    id                 TEXT PRIMARY KEY,
    author_id          TEXT NOT NULL REFERENCES users(id),
    content            TEXT NOT NULL,
    next_version       INTEGER NOT NULL DEFAULT 1,
    published_version  INTEGER,
    published_at       INTEGER,
    -- Retired courses take no new enrolments and leave the catalogue.
    retired_at         INTEGER,
    -- Of the published version: what the catalogue lists and filters on.
    title              TEXT NOT NULL DEFAULT '',
    self_enrol         INTEGER NOT NULL DEFAULT 0,
    created_at         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL
);

CREATE TABLE course_versions (
    course_id     TEXT NOT NULL REFERENCES courses(id),
    version       INTEGER NOT NULL,
    content       TEXT NOT NULL,
    published_by  TEXT NOT NULL REFERENCES users(id),
    published_at  INTEGER NOT NULL,
    PRIMARY KEY (course_id, version)
);

CREATE TABLE cohorts (
    id          TEXT PRIMARY KEY,
    course_id   TEXT NOT NULL REFERENCES courses(id),
    name        TEXT NOT NULL,
    -- Every learner of this site is enrolled (now and when their account is made).
    site_id     TEXT REFERENCES sites(id),
    due_date    TEXT,
    created_by  TEXT NOT NULL REFERENCES users(id),
    created_at  INTEGER NOT NULL
);
CREATE INDEX cohorts_course ON cohorts(course_id);

CREATE TABLE enrolments (
    course_id     TEXT NOT NULL REFERENCES courses(id),
    user_id       TEXT NOT NULL REFERENCES users(id),
    cohort_id     TEXT REFERENCES cohorts(id),
    via           TEXT NOT NULL CHECK (via IN ('site', 'person', 'self')),
    -- The published version the learner follows.
    version       INTEGER NOT NULL,
    enrolled_at   INTEGER NOT NULL,
    last_lesson   TEXT,
    completed_at  INTEGER,
    -- Percent: the mean of the course's quiz grades at completion.
    score         REAL,
    PRIMARY KEY (course_id, user_id)
);
CREATE INDEX enrolments_user ON enrolments(user_id);
CREATE INDEX enrolments_cohort ON enrolments(cohort_id);

CREATE TABLE lesson_progress (
    course_id   TEXT NOT NULL REFERENCES courses(id),
    user_id     TEXT NOT NULL REFERENCES users(id),
    lesson_key  TEXT NOT NULL,
    done_at     INTEGER NOT NULL,
    PRIMARY KEY (course_id, user_id, lesson_key)
);

CREATE TABLE questions (
    id           TEXT PRIMARY KEY,
    author_id    TEXT NOT NULL REFERENCES users(id),
    application  TEXT NOT NULL REFERENCES applications(code),
    topic        TEXT NOT NULL DEFAULT '',
    kind         TEXT NOT NULL,
    -- QuestionInput as JSON, key included: server only.
    body         TEXT NOT NULL,
    retired_at   INTEGER,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
);
CREATE INDEX questions_tags ON questions(application, topic);

CREATE TABLE quizzes (
    id          TEXT PRIMARY KEY,
    author_id   TEXT NOT NULL REFERENCES users(id),
    title       TEXT NOT NULL,
    -- QuizPick list and QuizSettings as JSON.
    picks       TEXT NOT NULL,
    settings    TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);

CREATE TABLE quiz_attempts (
    id           TEXT PRIMARY KEY,
    quiz_id      TEXT NOT NULL REFERENCES quizzes(id),
    user_id      TEXT NOT NULL REFERENCES users(id),
    -- The course lesson it was taken from, if any.
    course_id    TEXT REFERENCES courses(id),
    lesson_key   TEXT,
    number       INTEGER NOT NULL,
    started_at   INTEGER NOT NULL,
    deadline     INTEGER,
    finished_at  INTEGER,
    timed_out    INTEGER NOT NULL DEFAULT 0,
    -- Fraction 0-1 of the attempt's maximum.
    grade        REAL,
    shuffle_options INTEGER NOT NULL DEFAULT 0,
    UNIQUE (quiz_id, user_id, number)
);
CREATE INDEX quiz_attempts_open ON quiz_attempts(finished_at, deadline);
CREATE INDEX quiz_attempts_user ON quiz_attempts(user_id, quiz_id);

CREATE TABLE attempt_slots (
    attempt_id   TEXT NOT NULL REFERENCES quiz_attempts(id),
    slot         INTEGER NOT NULL,
    -- The quiz's place this question filled (before shuffling), for item analysis by place.
    place        INTEGER NOT NULL,
    question_id  TEXT NOT NULL REFERENCES questions(id),
    -- The question as asked (QuestionInput JSON, key included): server only.
    question     TEXT NOT NULL,
    seed         INTEGER NOT NULL,
    max_mark     REAL NOT NULL,
    -- The answer in the author's indexes (Answer JSON).
    answer       TEXT,
    answered_at  INTEGER,
    -- Fraction 0-1 once marked.
    mark         REAL,
    PRIMARY KEY (attempt_id, slot)
);
CREATE INDEX attempt_slots_question ON attempt_slots(question_id);
