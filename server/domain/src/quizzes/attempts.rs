//! Attempts: starting one (attempt limit, quiz close, questions drawn and shuffled per
//! attempt), saving answers while time remains, submitting, closing attempts whose time ran
//! out, and the learner's review with what the quiz's review options allow. Keys, regions,
//! tolerances and explanations leave the server only in a review.
use super::bank::{QuizRow, published_clip, quiz_row};
use crate::{Db, Result, new_id, now};
use model::quiz::{
    Answer, AttemptSlot, AttemptView, FinishedAttempt, QuestionClip, QuestionInput, QuizPick,
    ReviewShows, ReviewSlot, ReviewView, answer_to_author, answer_to_shown, in_time, overall,
    score, shown_key, shown_question, shuffled,
};
use model::{AppError, AttemptId, CourseId, CurrentUser, InvalidReason, Permission, QuizId};

/// Questions of the bank a random pick may draw, in a stable order.
pub(crate) async fn candidates(
    db: &Db,
    application: &str,
    topic: Option<&str>,
) -> Result<Vec<String>> {
    let rows: Vec<(String,)> = sqlx::query_as(
        "SELECT id FROM questions WHERE retired_at IS NULL AND application = $1 \
         AND ($2 = '' OR topic = $2) ORDER BY id",
    )
    .bind(application)
    .bind(topic.unwrap_or(""))
    .fetch_all(&db.pool)
    .await?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

/// 64 random bits (the random part of a fresh UUIDv7).
fn random_seed() -> u64 {
    uuid::Uuid::now_v7().as_u128() as u64
}

#[derive(sqlx::FromRow)]
struct AttemptRow {
    id: String,
    quiz_id: String,
    user_id: String,
    course_id: Option<String>,
    lesson_key: Option<String>,
    number: i64,
    started_at: i64,
    deadline: Option<i64>,
    finished_at: Option<i64>,
    timed_out: i64,
    grade: Option<f64>,
    shuffle_options: i64,
}

const ATTEMPT_COLUMNS: &str = "id, quiz_id, user_id, course_id, lesson_key, number, started_at, \
     deadline, finished_at, timed_out, grade, shuffle_options";

async fn attempt_row(db: &Db, id: &AttemptId) -> Result<Option<AttemptRow>> {
    Ok(sqlx::query_as(&format!(
        "SELECT {ATTEMPT_COLUMNS} FROM quiz_attempts WHERE id = $1"
    ))
    .bind(id.as_str())
    .fetch_optional(&db.pool)
    .await?)
}

#[derive(sqlx::FromRow)]
struct SlotRow {
    slot: i64,
    place: i64,
    question_id: String,
    question: String,
    seed: i64,
    max_mark: f64,
    answer: Option<String>,
    mark: Option<f64>,
}

pub(crate) struct Slot {
    pub slot: u32,
    pub place: u32,
    pub question_id: String,
    pub question: QuestionInput,
    pub seed: u64,
    pub max_mark: f64,
    pub answer: Option<Answer>,
    pub mark: Option<f64>,
}

fn json<T: serde::de::DeserializeOwned>(text: &str) -> Result<T> {
    serde_json::from_str(text).map_err(|e| anyhow::Error::from(e).into())
}

impl TryFrom<SlotRow> for Slot {
    type Error = crate::Error;

    fn try_from(row: SlotRow) -> Result<Slot> {
        Ok(Slot {
            slot: row.slot as u32,
            place: row.place as u32,
            question_id: row.question_id,
            question: json(&row.question)?,
            seed: row.seed as u64,
            max_mark: row.max_mark,
            answer: row.answer.as_deref().map(json).transpose()?,
            mark: row.mark,
        })
    }
}

pub(crate) async fn slots(db: &Db, attempt: &str) -> Result<Vec<Slot>> {
    let rows: Vec<SlotRow> = sqlx::query_as(
        "SELECT slot, place, question_id, question, seed, max_mark, answer, mark \
         FROM attempt_slots WHERE attempt_id = $1 ORDER BY slot",
    )
    .bind(attempt)
    .fetch_all(&db.pool)
    .await?;
    rows.into_iter().map(Slot::try_from).collect()
}

fn not_found() -> crate::Error {
    AppError::NotFound("attempt".into()).into()
}

fn refuse(reason: InvalidReason) -> crate::Error {
    AppError::invalid("attempt", reason).into()
}

#[derive(sqlx::FromRow)]
struct SlotMark {
    max_mark: f64,
    mark: Option<f64>,
}

/// Finishes an attempt: its grade is the marks earned over the marks possible (an unanswered
/// question earns nothing). `timed_out` when the server closed it at its deadline.
async fn finish(db: &Db, attempt: &AttemptRow, at: i64, timed_out: bool) -> Result<f64> {
    let marks: Vec<SlotMark> =
        sqlx::query_as("SELECT max_mark, mark FROM attempt_slots WHERE attempt_id = $1")
            .bind(&attempt.id)
            .fetch_all(&db.pool)
            .await?;
    let possible: f64 = marks.iter().map(|s| s.max_mark).sum();
    let earned: f64 = marks
        .iter()
        .map(|s| s.max_mark * s.mark.unwrap_or(0.0))
        .sum();
    let grade = if possible > 0.0 {
        earned / possible
    } else {
        0.0
    };
    let finished_at = match attempt.deadline {
        Some(deadline) if timed_out => deadline,
        _ => at,
    };
    let done = sqlx::query(
        "UPDATE quiz_attempts SET finished_at = $1, timed_out = $2, grade = $3 \
         WHERE id = $4 AND finished_at IS NULL",
    )
    .bind(finished_at)
    .bind(i64::from(timed_out))
    .bind(grade)
    .bind(&attempt.id)
    .execute(&db.pool)
    .await?;
    if done.rows_affected() == 1 {
        after_finish(db, attempt).await?;
    }
    Ok(grade)
}

/// When a quiz taken from a course lesson is passed, the lesson is done.
async fn after_finish(db: &Db, attempt: &AttemptRow) -> Result<()> {
    let (Some(course), Some(lesson)) = (&attempt.course_id, &attempt.lesson_key) else {
        return Ok(());
    };
    let quiz = QuizId(attempt.quiz_id.clone());
    let Some(row) = quiz_row(db, &quiz).await? else {
        return Ok(());
    };
    let grade = overall_grade(db, &attempt.user_id, &quiz, &row).await?;
    if grade.is_some_and(|g| g >= row.settings.pass_mark) {
        let course = CourseId(course.clone());
        crate::courses::lesson_done(db, &attempt.user_id, &course, lesson).await?;
    }
    Ok(())
}

/// Closes every open attempt whose time is up, graded as it stands; returns how many. The
/// housekeeping job calls it every minute; each attempt's own reads call it first.
pub async fn close_expired(db: &Db) -> Result<usize> {
    let at = now();
    let expired: Vec<AttemptRow> = sqlx::query_as(&format!(
        "SELECT {ATTEMPT_COLUMNS} FROM quiz_attempts \
         WHERE finished_at IS NULL AND deadline IS NOT NULL AND deadline < $1"
    ))
    .bind(at)
    .fetch_all(&db.pool)
    .await?;
    for attempt in &expired {
        finish(db, attempt, at, true).await?;
    }
    Ok(expired.len())
}

/// The attempt, closed first if its time ran out; the learner's own only.
async fn own_attempt(db: &Db, user: &CurrentUser, id: &AttemptId) -> Result<AttemptRow> {
    let attempt = attempt_row(db, id).await?.ok_or_else(not_found)?;
    if attempt.user_id != user.id.0 {
        return Err(not_found());
    }
    if attempt.finished_at.is_none() && !in_time(attempt.deadline, now()) {
        finish(db, &attempt, now(), true).await?;
        return Err(refuse(InvalidReason::TimeUp));
    }
    Ok(attempt)
}

/// The grades of a learner's finished attempts, oldest first.
async fn finished(db: &Db, user_id: &str, quiz: &QuizId) -> Result<Vec<(String, i64, i64, f64)>> {
    Ok(sqlx::query_as(
        "SELECT id, number, started_at, grade FROM quiz_attempts \
         WHERE quiz_id = $1 AND user_id = $2 AND finished_at IS NOT NULL ORDER BY number",
    )
    .bind(quiz.as_str())
    .bind(user_id)
    .fetch_all(&db.pool)
    .await?)
}

/// Whether the learner has passed the quiz: their grade by its grading method reaches the
/// pass mark (a credential rule's required quiz).
pub(crate) async fn passed(db: &Db, user_id: &str, quiz: &QuizId) -> Result<bool> {
    let Some(row) = quiz_row(db, quiz).await? else {
        return Ok(false);
    };
    let grade = overall_grade(db, user_id, quiz, &row).await?;
    Ok(grade.is_some_and(|g| g >= row.settings.pass_mark))
}

/// The learner's grade for the quiz by its grading method, in percent.
pub(crate) async fn overall_grade(
    db: &Db,
    user_id: &str,
    quiz: &QuizId,
    row: &QuizRow,
) -> Result<Option<f64>> {
    let attempts: Vec<FinishedAttempt> = finished(db, user_id, quiz)
        .await?
        .into_iter()
        .map(|(_, _, started_at, grade)| FinishedAttempt {
            started_at,
            grade: grade * 100.0,
        })
        .collect();
    Ok(overall(row.settings.grading, &attempts))
}

/// The questions of a new attempt: one per pick (random picks draw a question not already
/// in the attempt), in the quiz's order or shuffled.
async fn draw(db: &Db, row: &QuizRow) -> Result<Vec<(u32, String, QuestionInput)>> {
    let mut chosen: Vec<(u32, String, QuestionInput)> = Vec::with_capacity(row.picks.len());
    for (place, pick) in row.picks.iter().enumerate() {
        let id = match pick {
            QuizPick::Fixed { question } => question.0.clone(),
            QuizPick::Random { application, topic } => {
                let pool: Vec<String> = candidates(db, application, topic.as_deref())
                    .await?
                    .into_iter()
                    .filter(|c| chosen.iter().all(|(_, id, _)| id != c))
                    .collect();
                if pool.is_empty() {
                    return Err(AppError::invalid(
                        &format!("picks.{place}"),
                        InvalidReason::Unknown,
                    )
                    .into());
                }
                pool[(random_seed() % pool.len() as u64) as usize].clone()
            }
        };
        let question = super::bank::question(db, &model::QuestionId(id.clone()))
            .await?
            .ok_or_else(|| AppError::invalid(&format!("picks.{place}"), InvalidReason::Unknown))?;
        chosen.push((place as u32, id, question));
    }
    if row.settings.shuffle_questions {
        let order = shuffled(chosen.len(), random_seed());
        let mut taken: Vec<Option<(u32, String, QuestionInput)>> =
            chosen.into_iter().map(Some).collect();
        chosen = order.into_iter().filter_map(|i| taken[i].take()).collect();
    }
    Ok(chosen)
}

/// Starts an attempt, or returns the learner's open one. Refused when the quiz is closed or
/// every attempt it allows is used. `from` is the course lesson it is taken in.
pub async fn start(
    db: &Db,
    user: &CurrentUser,
    quiz: &QuizId,
    from: Option<(&CourseId, &str)>,
) -> Result<AttemptId> {
    close_expired(db).await?;
    let row = quiz_row(db, quiz)
        .await?
        .ok_or_else(|| AppError::NotFound("quiz".into()))?;
    let at = now();
    if row.settings.closes_at.is_some_and(|c| at >= c) {
        return Err(AppError::invalid("quiz", InvalidReason::WrongState).into());
    }
    let open: Option<(String,)> = sqlx::query_as(
        "SELECT id FROM quiz_attempts WHERE quiz_id = $1 AND user_id = $2 AND finished_at IS NULL",
    )
    .bind(quiz.as_str())
    .bind(&user.id.0)
    .fetch_optional(&db.pool)
    .await?;
    if let Some((id,)) = open {
        return Ok(AttemptId(id));
    }
    let questions = draw(db, &row).await?;
    let deadline = row
        .settings
        .time_limit_secs
        .map(|limit| at + i64::from(limit))
        .map(|d| row.settings.closes_at.map_or(d, |c| d.min(c)));
    let id = AttemptId(new_id());
    let mut tx = db.begin_write().await?;
    let (used,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM quiz_attempts WHERE quiz_id = $1 AND user_id = $2")
            .bind(quiz.as_str())
            .bind(&user.id.0)
            .fetch_one(&mut *tx)
            .await?;
    if row
        .settings
        .attempts_allowed
        .is_some_and(|n| used >= i64::from(n))
    {
        return Err(refuse(InvalidReason::NoAttemptsLeft));
    }
    sqlx::query(
        "INSERT INTO quiz_attempts (id, quiz_id, user_id, course_id, lesson_key, number, \
         started_at, deadline, shuffle_options) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(id.as_str())
    .bind(quiz.as_str())
    .bind(&user.id.0)
    .bind(from.map(|(c, _)| c.0.clone()))
    .bind(from.map(|(_, l)| l.to_string()))
    .bind(used + 1)
    .bind(at)
    .bind(deadline)
    .bind(i64::from(row.settings.shuffle_options))
    .execute(&mut *tx)
    .await?;
    for (slot, (place, question_id, question)) in questions.iter().enumerate() {
        sqlx::query(
            "INSERT INTO attempt_slots (attempt_id, slot, place, question_id, question, seed, \
             max_mark) VALUES ($1, $2, $3, $4, $5, $6, 1.0)",
        )
        .bind(id.as_str())
        .bind(slot as i64)
        .bind(i64::from(*place))
        .bind(question_id)
        .bind(serde_json::to_string(question).map_err(anyhow::Error::from)?)
        .bind(random_seed() as i64)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(id)
}

async fn clip_of(db: &Db, question: &QuestionInput) -> Result<Option<QuestionClip>> {
    let Some(sop) = question.clip.as_deref() else {
        return Ok(None);
    };
    Ok(published_clip(db, sop).await?.map(|c| QuestionClip {
        sha: c.sha,
        frames: c.frames,
    }))
}

/// An attempt in progress, without any key. Refused once finished (the page then offers the
/// review) or when its time ran out (it is closed and graded then).
pub async fn view(db: &Db, user: &CurrentUser, id: &AttemptId) -> Result<AttemptView> {
    let attempt = own_attempt(db, user, id).await?;
    if attempt.finished_at.is_some() {
        return Err(refuse(InvalidReason::WrongState));
    }
    let quiz = QuizId(attempt.quiz_id.clone());
    let row = quiz_row(db, &quiz).await?.ok_or_else(not_found)?;
    let shuffle = attempt.shuffle_options != 0;
    let mut shown = Vec::new();
    for slot in slots(db, &attempt.id).await? {
        let kind = &slot.question.kind;
        shown.push(AttemptSlot {
            slot: slot.slot,
            stem: crate::cases::render_inline_markdown(&slot.question.stem),
            question: shown_question(kind, slot.seed, shuffle),
            clip: clip_of(db, &slot.question).await?,
            answer: slot
                .answer
                .map(|a| answer_to_shown(kind, a, slot.seed, shuffle)),
            max_mark: slot.max_mark,
        });
    }
    Ok(AttemptView {
        id: id.clone(),
        quiz_id: quiz,
        quiz_title: row.title,
        number: attempt.number as u32,
        started_at: attempt.started_at,
        deadline: attempt.deadline,
        server_now: now(),
        slots: shown,
    })
}

/// Saves (or replaces) the answer to one question, given in the positions the learner saw.
/// Refused after the deadline (the attempt is closed then) or once submitted.
pub async fn answer(
    db: &Db,
    user: &CurrentUser,
    id: &AttemptId,
    slot: u32,
    given: Answer,
) -> Result<()> {
    let attempt = own_attempt(db, user, id).await?;
    if attempt.finished_at.is_some() {
        return Err(refuse(InvalidReason::WrongState));
    }
    let slot = slots(db, &attempt.id)
        .await?
        .into_iter()
        .find(|s| s.slot == slot)
        .ok_or_else(|| AppError::invalid("slot", InvalidReason::Unknown))?;
    let kind = &slot.question.kind;
    let bad = |_| AppError::invalid("answer", InvalidReason::BadFormat);
    let author =
        answer_to_author(kind, given, slot.seed, attempt.shuffle_options != 0).map_err(bad)?;
    let mark = score(kind, &author).map_err(bad)?;
    let at = now();
    let saved = sqlx::query(
        "UPDATE attempt_slots SET answer = $1, mark = $2, answered_at = $3 \
         WHERE attempt_id = $4 AND slot = $5 \
         AND EXISTS (SELECT 1 FROM quiz_attempts a WHERE a.id = $4 AND a.finished_at IS NULL \
         AND (a.deadline IS NULL OR a.deadline >= $3))",
    )
    .bind(serde_json::to_string(&author).map_err(anyhow::Error::from)?)
    .bind(mark.fraction)
    .bind(at)
    .bind(&attempt.id)
    .bind(i64::from(slot.slot))
    .execute(&db.pool)
    .await?;
    if saved.rows_affected() == 0 {
        return Err(refuse(InvalidReason::TimeUp));
    }
    Ok(())
}

/// Submits the attempt and grades it; returns the grade in percent. An attempt whose time ran
/// out was already closed and graded by the server.
pub async fn submit(db: &Db, user: &CurrentUser, id: &AttemptId) -> Result<f64> {
    let attempt = own_attempt(db, user, id).await?;
    if let Some(grade) = attempt.grade.filter(|_| attempt.finished_at.is_some()) {
        return Ok(grade * 100.0);
    }
    Ok(finish(db, &attempt, now(), false).await? * 100.0)
}

/// A finished attempt as its learner may see it now (by the quiz's review options), or as the
/// quiz's author and coordinators see it (everything).
pub async fn review(db: &Db, user: &CurrentUser, id: &AttemptId) -> Result<ReviewView> {
    close_expired(db).await?;
    let attempt = attempt_row(db, id).await?.ok_or_else(not_found)?;
    let quiz = QuizId(attempt.quiz_id.clone());
    let row = quiz_row(db, &quiz).await?.ok_or_else(not_found)?;
    let own = attempt.user_id == user.id.0;
    let manages = row.author_id == user.id.0 || user.may(Permission::ManageEnrolment);
    if !own && !manages {
        return Err(not_found());
    }
    let Some(finished_at) = attempt.finished_at else {
        return Err(refuse(InvalidReason::WrongState));
    };
    let shows = if manages {
        ReviewShows {
            marks: true,
            right_answer: true,
            explanation: true,
        }
    } else {
        row.settings
            .review
            .at(now(), finished_at, row.settings.closes_at)
    };
    let shuffle = attempt.shuffle_options != 0;
    let mut shown = Vec::new();
    for slot in slots(db, &attempt.id).await? {
        let kind = &slot.question.kind;
        shown.push(ReviewSlot {
            slot: slot.slot,
            stem: crate::cases::render_inline_markdown(&slot.question.stem),
            question: shown_question(kind, slot.seed, shuffle),
            clip: clip_of(db, &slot.question).await?,
            answer: slot
                .answer
                .filter(|_| shows.marks)
                .map(|a| answer_to_shown(kind, a, slot.seed, shuffle)),
            mark: shows.marks.then(|| slot.mark.unwrap_or(0.0)),
            max_mark: slot.max_mark,
            key: shows
                .right_answer
                .then(|| shown_key(kind, slot.seed, shuffle)),
            explanation: shows
                .explanation
                .then(|| crate::cases::render_markdown(&slot.question.explanation)),
        });
    }
    let learner: (String,) = sqlx::query_as("SELECT display_name FROM users WHERE id = $1")
        .bind(&attempt.user_id)
        .fetch_one(&db.pool)
        .await?;
    let grade = attempt.grade.map(|g| g * 100.0);
    Ok(ReviewView {
        id: id.clone(),
        quiz_id: quiz,
        quiz_title: row.title,
        learner: learner.0,
        number: attempt.number as u32,
        started_at: attempt.started_at,
        finished_at,
        timed_out: attempt.timed_out != 0,
        grade: grade.filter(|_| shows.marks),
        passed: grade
            .filter(|_| shows.marks)
            .map(|g| g >= row.settings.pass_mark),
        shows,
        slots: shown,
        back: attempt
            .course_id
            .zip(attempt.lesson_key)
            .map(|(c, l)| format!("/courses/{c}/lessons/{l}")),
    })
}

#[derive(sqlx::FromRow)]
struct AttemptListRow {
    id: String,
    number: i64,
    finished_at: Option<i64>,
    grade: Option<f64>,
}

/// The quiz as its lesson shows it to `user`: settings, their attempts and grade.
pub async fn lesson(
    db: &Db,
    user: &CurrentUser,
    quiz: &QuizId,
) -> Result<model::courses::QuizLesson> {
    close_expired(db).await?;
    let row = quiz_row(db, quiz)
        .await?
        .ok_or_else(|| AppError::NotFound("quiz".into()))?;
    let all: Vec<AttemptListRow> = sqlx::query_as(
        "SELECT id, number, finished_at, grade FROM quiz_attempts \
         WHERE quiz_id = $1 AND user_id = $2 ORDER BY number",
    )
    .bind(quiz.as_str())
    .bind(&user.id.0)
    .fetch_all(&db.pool)
    .await?;
    let grade = overall_grade(db, &user.id.0, quiz, &row).await?;
    let open = all.iter().any(|a| a.finished_at.is_none());
    let left = row
        .settings
        .attempts_allowed
        .is_none_or(|n| (all.len() as u32) < n);
    let closed = row.settings.closes_at.is_some_and(|c| now() >= c);
    Ok(model::courses::QuizLesson {
        quiz_id: quiz.clone(),
        title: row.title,
        questions: row.picks.len(),
        attempts_allowed: row.settings.attempts_allowed,
        time_limit_secs: row.settings.time_limit_secs,
        grading: row.settings.grading,
        pass_mark: row.settings.pass_mark,
        attempts: all
            .into_iter()
            .map(|a| {
                (
                    AttemptId(a.id),
                    a.number as u32,
                    a.finished_at.is_some(),
                    a.grade.map(|g| g * 100.0),
                )
            })
            .collect(),
        grade,
        passed: grade.is_some_and(|g| g >= row.settings.pass_mark),
        may_start: open || (left && !closed),
    })
}
