//! Expert review of logged scans: the queue, a first review (and an optional independent
//! second one for reviewer agreement), and a verdict a follow-up later settles.
use super::logbook::{SUMMARY_SELECT, SummaryRow, summary};
use super::{date, json, to_json};
use crate::audit::{self, Actor};
use crate::sql::Search;
use crate::{Db, Result, new_id, now};
use model::cases::{Call, CaseContent};
use model::competency::{
    EntryStatus, EntrySummary, FindingCall, Grade, Interpretation, QueueFilter, ReviewInput,
    ReviewView, Verdict, VerdictSource, finding_call, reference_verdict, validate_interpretation,
    validate_rubric_scores,
};
use model::{AppError, AuditAction, CurrentUser, InvalidReason, Permission};

/// The longest feedback, in characters.
pub const MAX_FEEDBACK: usize = 4000;
/// The most entries the queue lists at once.
const QUEUE_LIMIT: i64 = 200;

/// Entries waiting for review (oldest first), then those waiting for a second review, for
/// `reviewer`: never their own, never one they already reviewed.
pub async fn queue(
    db: &Db,
    reviewer: &CurrentUser,
    filter: &QueueFilter,
) -> Result<Vec<EntrySummary>> {
    if !reviewer.may(Permission::ReviewScans) {
        return Err(AppError::Forbidden.into());
    }
    let mut search = Search::new(SUMMARY_SELECT);
    search
        .and_where()
        .push("(e.status = 'submitted' OR (e.status = 'reviewed' AND e.second_wanted = 1))")
        .and_where()
        .push("e.learner_id <> ")
        .bind(reviewer.id.as_str().to_string())
        .and_where()
        .push(
            "NOT EXISTS (SELECT 1 FROM scan_reviews r WHERE r.entry_id = e.id AND r.reviewer_id = ",
        )
        .bind(reviewer.id.as_str().to_string())
        .push(")");
    if let Some(site) = &filter.site {
        search
            .and_where()
            .push("e.site_id = ")
            .bind(site.as_str().to_string());
    }
    if let Some(application) = &filter.application {
        search
            .and_where()
            .push("e.application = ")
            .bind(application.clone());
    }
    if let Some(days) = filter.min_age_days {
        search
            .and_where()
            .push("e.submitted_at <= ")
            .bind(now() - i64::from(days) * 86_400);
    }
    search
        .push(" ORDER BY e.status DESC, e.submitted_at, e.id LIMIT ")
        .bind(QUEUE_LIMIT);
    let rows: Vec<SummaryRow> = search.fetch_all(db).await?;
    rows.into_iter().map(SummaryRow::into_summary).collect()
}

#[derive(sqlx::FromRow)]
struct ReviewRow {
    id: String,
    reviewer_name: String,
    second: i64,
    grade: i64,
    rubric: String,
    interpretation: String,
    verdict: String,
    verdict_source: String,
    reviewer_verdict: String,
    feedback: String,
    case_id: Option<String>,
    case_title: Option<String>,
    follow_up_id: Option<String>,
    reviewed_on: String,
}

fn verdict(text: &str) -> Result<Verdict> {
    Verdict::parse(text).ok_or_else(|| anyhow::anyhow!("stored verdict {text:?}").into())
}

/// The reviews of an entry as its reader may see them. The learner (`own`) sees only the first
/// review (a second review is a check on the reviewers, not feedback); an expert about to give
/// the second review (`blind`) sees none before giving their own; everyone else sees both.
pub(super) async fn reviews_of(
    db: &Db,
    entry: &str,
    own: bool,
    blind: bool,
) -> Result<Vec<ReviewView>> {
    let rows: Vec<ReviewRow> = sqlx::query_as(
        "SELECT r.id, u.display_name AS reviewer_name, r.second, r.grade, \
         r.rubric, r.interpretation, r.verdict, r.verdict_source, r.reviewer_verdict, \
         r.feedback, r.case_id, c.title AS case_title, r.follow_up_id, r.reviewed_on \
         FROM scan_reviews r JOIN users u ON u.id = r.reviewer_id \
         LEFT JOIN cases c ON c.id = r.case_id WHERE r.entry_id = $1 ORDER BY r.second",
    )
    .bind(entry)
    .fetch_all(&db.pool)
    .await?;
    rows.into_iter()
        .filter(|r| !blind && (!own || r.second == 0))
        .map(|r| {
            Ok(ReviewView {
                grade: Grade::parse(r.grade)?,
                rubric: json(&r.rubric)?,
                interpretation: json(&r.interpretation)?,
                verdict: verdict(&r.verdict)?,
                verdict_source: if r.verdict_source == "follow_up" {
                    VerdictSource::FollowUp
                } else {
                    VerdictSource::Reviewer
                },
                reviewer_verdict: verdict(&r.reviewer_verdict)?,
                reviewed_on: date(&r.reviewed_on)?,
                id: r.id,
                reviewer_name: r.reviewer_name,
                second: r.second != 0,
                feedback: r.feedback,
                case_id: r.case_id,
                case_title: r.case_title,
                follow_up_id: r.follow_up_id,
            })
        })
        .collect()
}

#[derive(sqlx::FromRow)]
struct FollowUpRow {
    case_id: String,
    malignant: Option<i64>,
    confirms: Option<i64>,
}

/// The published impression of a case, if it makes a benign/malignant call.
async fn impression_call(db: &Db, case_id: &str) -> Result<Option<Call>> {
    let row: Option<(String,)> = sqlx::query_as(
        "SELECT v.content FROM cases c JOIN case_versions v \
         ON v.case_id = c.id AND v.version = c.published_version WHERE c.id = $1",
    )
    .bind(case_id)
    .fetch_optional(&db.pool)
    .await?;
    Ok(match row {
        Some((content,)) => json::<CaseContent>(&content)?.impression_call,
        None => None,
    })
}

/// Whether a follow-up settles that a finding was there: tissue or cytology says malignant or
/// not; imaging or clinical course confirms or refutes the case's published impression.
async fn settled_call(db: &Db, follow_up: &FollowUpRow) -> Result<Option<FindingCall>> {
    if let Some(malignant) = follow_up.malignant {
        return Ok(Some(if malignant != 0 {
            FindingCall::Positive
        } else {
            FindingCall::Negative
        }));
    }
    let (Some(confirms), Some(call)) = (
        follow_up.confirms,
        impression_call(db, &follow_up.case_id).await?,
    ) else {
        return Ok(None);
    };
    let positive = (call == Call::Malignant) == (confirms != 0);
    Ok(Some(if positive {
        FindingCall::Positive
    } else {
        FindingCall::Negative
    }))
}

/// Records `reviewer`'s judgement of an entry: the first review while it waits, or the
/// independent second one when asked for. The reviewer is never its learner and never reviews
/// one entry twice. A linked follow-up that settles the finding sets the verdict.
pub async fn review(db: &Db, reviewer: &CurrentUser, input: ReviewInput) -> Result<()> {
    if !reviewer.may(Permission::ReviewScans) {
        return Err(AppError::Forbidden.into());
    }
    let entry = summary(db, &input.entry).await?;
    if entry.status == EntryStatus::Draft {
        return Err(AppError::NotFound("logbook entry".into()).into());
    }
    if entry.learner == reviewer.id {
        return Err(AppError::invalid("entry", InvalidReason::OwnWork).into());
    }
    if super::logbook::reviewed_by(db, &input.entry, &reviewer.id).await? {
        return Err(AppError::invalid("entry", InvalidReason::WrongState).into());
    }
    let second = match entry.status {
        EntryStatus::Submitted => false,
        EntryStatus::Reviewed if entry.wants_second => true,
        _ => return Err(AppError::invalid("entry", InvalidReason::WrongState).into()),
    };
    let application = super::application(db, &entry.application).await?;
    validate_interpretation(&application.form, &input.interpretation)?;
    match &application.form.rubric {
        Some(rubric) => validate_rubric_scores(rubric, &input.rubric)?,
        None if !input.rubric.0.is_empty() => {
            return Err(AppError::invalid("rubric", InvalidReason::Unknown).into());
        }
        None => {}
    }
    let feedback = input.feedback.trim();
    if feedback.chars().count() > MAX_FEEDBACK {
        return Err(AppError::invalid("feedback", InvalidReason::TooLong).into());
    }
    let follow_up = match (&input.case_id, &input.follow_up_id) {
        (None, Some(_)) => return Err(AppError::invalid("case_id", InvalidReason::Required).into()),
        (Some(case), follow_up) => {
            let found: Option<(String,)> = sqlx::query_as("SELECT id FROM cases WHERE id = $1")
                .bind(case)
                .fetch_optional(&db.pool)
                .await?;
            found.ok_or_else(|| AppError::invalid("case_id", InvalidReason::Unknown))?;
            match follow_up {
                Some(f) => {
                    let row: Option<FollowUpRow> = sqlx::query_as(
                        "SELECT case_id, malignant, confirms FROM follow_ups \
                         WHERE id = $1 AND case_id = $2",
                    )
                    .bind(f)
                    .bind(case)
                    .fetch_optional(&db.pool)
                    .await?;
                    Some(
                        row.ok_or_else(|| {
                            AppError::invalid("follow_up_id", InvalidReason::Unknown)
                        })?,
                    )
                }
                None => None,
            }
        }
        (None, None) => None,
    };
    let learner_reading: (String,) =
        sqlx::query_as("SELECT interpretation FROM logbook_entries WHERE id = $1")
            .bind(&input.entry)
            .fetch_one(&db.pool)
            .await?;
    let learner_reading: Interpretation = json(&learner_reading.0)?;
    let (verdict, source) = match &follow_up {
        Some(f) => match (
            settled_call(db, f).await?,
            finding_call(&application.form, &learner_reading),
        ) {
            (Some(settled), Some(call)) => (reference_verdict(call, settled), "follow_up"),
            _ => (input.verdict, "reviewer"),
        },
        None => (input.verdict, "reviewer"),
    };
    let today = super::today();
    let at = now();
    let id = new_id();
    let mut tx = db.begin_write().await?;
    sqlx::query(
        "INSERT INTO scan_reviews (id, entry_id, reviewer_id, second, grade, rubric, \
         interpretation, verdict, verdict_source, reviewer_verdict, feedback, case_id, \
         follow_up_id, reviewed_on, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
    )
    .bind(&id)
    .bind(&input.entry)
    .bind(reviewer.id.as_str())
    .bind(i64::from(second))
    .bind(i64::from(input.grade.value()))
    .bind(to_json(&input.rubric)?)
    .bind(to_json(&input.interpretation)?)
    .bind(verdict.as_str())
    .bind(source)
    .bind(input.verdict.as_str())
    .bind(feedback)
    .bind(input.case_id.clone())
    .bind(input.follow_up_id.clone())
    .bind(today.to_string())
    .bind(at)
    .execute(&mut *tx)
    .await?;
    let changed = if second {
        sqlx::query(
            "UPDATE logbook_entries SET second_wanted = 0 \
             WHERE id = $1 AND status = 'reviewed' AND second_wanted = 1",
        )
        .bind(&input.entry)
        .execute(&mut *tx)
        .await?
    } else {
        sqlx::query(
            "UPDATE logbook_entries SET status = 'reviewed', reviewed_at = $1, reviewed_on = $2, \
             grade = $3, verdict = $4, agrees = $5, second_wanted = $6 \
             WHERE id = $7 AND status = 'submitted'",
        )
        .bind(at)
        .bind(today.to_string())
        .bind(i64::from(input.grade.value()))
        .bind(verdict.as_str())
        .bind(i64::from(verdict.agrees()))
        .bind(i64::from(input.want_second))
        .bind(&input.entry)
        .execute(&mut *tx)
        .await?
    };
    // Another reviewer got there first.
    if changed.rows_affected() == 0 {
        return Err(AppError::invalid("entry", InvalidReason::WrongState).into());
    }
    audit::record_in(
        &mut tx,
        &Actor::web(&reviewer.id),
        AuditAction::ScanReviewed,
        Some(&input.entry),
        serde_json::json!({ "grade": input.grade.value(), "verdict": verdict.as_str(),
            "second": second, "source": source }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct LinkedReview {
    id: String,
    entry_id: String,
    second: i64,
    verdict: String,
    application: String,
    interpretation: String,
}

/// A follow-up was added to `case_id`: every review linked to the case whose learner made a
/// positive/negative call gets the verdict the follow-up settles. Returns how many changed.
pub async fn settle_from_follow_up(
    db: &Db,
    actor: &CurrentUser,
    case_id: &str,
    follow_up_id: &str,
) -> Result<u32> {
    let follow_up: Option<FollowUpRow> = sqlx::query_as(
        "SELECT case_id, malignant, confirms FROM follow_ups WHERE id = $1 AND case_id = $2",
    )
    .bind(follow_up_id)
    .bind(case_id)
    .fetch_optional(&db.pool)
    .await?;
    let Some(follow_up) = follow_up else {
        return Ok(0);
    };
    let Some(settled) = settled_call(db, &follow_up).await? else {
        return Ok(0);
    };
    let linked: Vec<LinkedReview> = sqlx::query_as(
        "SELECT r.id, r.entry_id, r.second, r.verdict, e.application, e.interpretation \
         FROM scan_reviews r JOIN logbook_entries e ON e.id = r.entry_id WHERE r.case_id = $1",
    )
    .bind(case_id)
    .fetch_all(&db.pool)
    .await?;
    let mut changed = 0;
    for review in linked {
        let form = super::application(db, &review.application).await?.form;
        let reading: Interpretation = json(&review.interpretation)?;
        let Some(call) = finding_call(&form, &reading) else {
            continue;
        };
        let settled_verdict = reference_verdict(call, settled);
        if settled_verdict.as_str() == review.verdict {
            continue;
        }
        let mut tx = db.begin_write().await?;
        sqlx::query(
            "UPDATE scan_reviews SET verdict = $1, verdict_source = 'follow_up', \
             follow_up_id = $2 WHERE id = $3",
        )
        .bind(settled_verdict.as_str())
        .bind(follow_up_id)
        .bind(&review.id)
        .execute(&mut *tx)
        .await?;
        if review.second == 0 {
            sqlx::query("UPDATE logbook_entries SET verdict = $1, agrees = $2 WHERE id = $3")
                .bind(settled_verdict.as_str())
                .bind(i64::from(settled_verdict.agrees()))
                .bind(&review.entry_id)
                .execute(&mut *tx)
                .await?;
        }
        audit::record_in(
            &mut tx,
            &Actor::web(&actor.id),
            AuditAction::VerdictSettled,
            Some(&review.entry_id),
            serde_json::json!({ "from": review.verdict, "to": settled_verdict.as_str(),
                "case": case_id, "follow_up": follow_up_id }),
        )
        .await?;
        tx.commit().await?;
        changed += 1;
    }
    Ok(changed)
}
