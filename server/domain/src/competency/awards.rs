//! Credential standings, awards and certificates: a learner's record in an application read
//! against its rule, a coordinator's award (only when the rules say it may be given), and the
//! certificate anyone can check by its code.
use super::{date, json, to_json};
use crate::audit::{self, Actor};
use crate::{Db, Result, new_id, now};
use model::competency::{
    AwardSummary, Certificate, CivilDate, CredentialRule, CredentialStatus, Grade, LearnerRecord,
    ReviewedScan, Rule, Standing, Verdict, evaluate,
};
use model::{AppError, AuditAction, CurrentUser, InvalidReason, Permission, UserId};
use rand::Rng;
use std::collections::HashMap;

/// Letters of a verification code: no 0/O, 1/I/L, so that it is read back without doubt.
const CODE_ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";

/// A verification code, `XXXX-XXXX-XXXX` (about 59 bits), its letters chosen by `pick`
/// (an index below the alphabet's length): at random for awards, from a seed in the demo.
pub fn verification_code(mut pick: impl FnMut(usize) -> usize) -> String {
    grouped(
        (0..12)
            .map(|_| char::from(CODE_ALPHABET[pick(CODE_ALPHABET.len()) % CODE_ALPHABET.len()]))
            .collect(),
    )
}

fn new_code() -> String {
    let mut rng = rand::thread_rng();
    verification_code(|n| rng.gen_range(0..n))
}

/// Twelve letters as three dashed groups of four.
fn grouped(letters: Vec<char>) -> String {
    letters
        .chunks(4)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-")
}

/// A code as someone typed it, normalised: upper case, the dashes where they belong; `None`
/// when it cannot be one.
pub fn normalise_code(text: &str) -> Option<String> {
    let letters: Vec<char> = text
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| c.to_ascii_uppercase())
        .collect();
    (letters.len() == 12 && letters.iter().all(|c| CODE_ALPHABET.contains(&(*c as u8))))
        .then(|| grouped(letters))
}

#[derive(sqlx::FromRow)]
struct ScanRow {
    grade: i64,
    verdict: String,
    reviewed_on: String,
}

#[derive(sqlx::FromRow)]
struct AwardRow {
    code: String,
    awarded_on: String,
    awarded_by: String,
}

impl AwardRow {
    /// The award as a standing shows it.
    fn summary(self) -> Result<AwardSummary> {
        Ok(AwardSummary {
            awarded_on: date(&self.awarded_on)?,
            code: self.code,
            awarded_by: self.awarded_by,
        })
    }
}

/// The current (not withdrawn) award of a learner in an application.
async fn current_award(db: &Db, learner: &str, application: &str) -> Result<Option<AwardRow>> {
    Ok(sqlx::query_as(
        "SELECT a.code, a.awarded_on, u.display_name AS awarded_by FROM credential_awards a \
         JOIN users u ON u.id = a.awarded_by \
         WHERE a.learner_id = $1 AND a.application = $2 AND a.revoked_at IS NULL \
         ORDER BY a.awarded_on DESC, a.created_at DESC LIMIT 1",
    )
    .bind(learner)
    .bind(application)
    .fetch_optional(&db.pool)
    .await?)
}

/// A reviewed scan as the rules read it, from its stored columns.
pub(super) fn reviewed_scan(grade: i64, verdict: &str, reviewed_on: &str) -> Result<ReviewedScan> {
    Ok(ReviewedScan {
        grade: Grade::parse(grade)?,
        verdict: Verdict::parse(verdict)
            .ok_or_else(|| anyhow::anyhow!("stored verdict {verdict:?}"))?,
        reviewed_on: date(reviewed_on)?,
    })
}

/// A learner's record in one application: reviewed scans, completed courses and passed
/// quizzes that the rule names, and the current award.
pub(super) async fn record(
    db: &Db,
    learner: &str,
    application: &str,
    rule: &CredentialRule,
) -> Result<LearnerRecord> {
    let rows: Vec<ScanRow> = sqlx::query_as(
        "SELECT grade, verdict, reviewed_on FROM logbook_entries \
         WHERE learner_id = $1 AND application = $2 AND status = 'reviewed' \
         ORDER BY reviewed_on, reviewed_at",
    )
    .bind(learner)
    .bind(application)
    .fetch_all(&db.pool)
    .await?;
    let mut scans = Vec::with_capacity(rows.len());
    for row in rows {
        scans.push(reviewed_scan(row.grade, &row.verdict, &row.reviewed_on)?);
    }
    let mut completed_courses = Vec::new();
    for course in &rule.required_courses {
        let done: Option<(i64,)> = sqlx::query_as(
            "SELECT 1 FROM enrolments WHERE course_id = $1 AND user_id = $2 \
             AND completed_at IS NOT NULL",
        )
        .bind(course.as_str())
        .bind(learner)
        .fetch_optional(&db.pool)
        .await?;
        if done.is_some() {
            completed_courses.push(course.clone());
        }
    }
    let mut passed_quizzes = Vec::new();
    for quiz in &rule.required_quizzes {
        if crate::quizzes::attempts::passed(db, learner, quiz).await? {
            passed_quizzes.push(quiz.clone());
        }
    }
    let awarded_on = match current_award(db, learner, application).await? {
        Some(award) => Some(date(&award.awarded_on)?),
        None => None,
    };
    Ok(LearnerRecord {
        scans,
        completed_courses,
        passed_quizzes,
        awarded_on,
    })
}

/// A learner × application the standings list, with who the learner is (one query for all).
#[derive(sqlx::FromRow)]
struct StandingPairRow {
    learner_id: String,
    application: String,
    display_name: String,
    site_code: String,
}

#[derive(sqlx::FromRow)]
struct LearnerRow {
    id: String,
    display_name: String,
    site_code: String,
}

async fn learner_row(db: &Db, id: &str) -> Result<LearnerRow> {
    let row: Option<LearnerRow> = sqlx::query_as(
        "SELECT u.id, u.display_name, s.code AS site_code FROM users u \
         JOIN sites s ON s.id = u.site_id WHERE u.id = $1 AND u.role = 'learner'",
    )
    .bind(id)
    .fetch_optional(&db.pool)
    .await?;
    row.ok_or_else(|| AppError::NotFound("learner".into()).into())
}

/// One learner's standing in one application on `today`.
async fn standing_of(
    db: &Db,
    learner: &LearnerRow,
    application: &model::competency::ApplicationForm,
    today: CivilDate,
) -> Result<Standing> {
    let rule = super::rule(db, &application.code).await?.rule;
    let record = record(db, &learner.id, &application.code, &rule).await?;
    let counts: (i64, i64) = sqlx::query_as(
        "SELECT COUNT(*), COALESCE(SUM(CASE WHEN status = 'submitted' THEN 1 ELSE 0 END), 0) \
         FROM logbook_entries WHERE learner_id = $1 AND application = $2",
    )
    .bind(&learner.id)
    .bind(&application.code)
    .fetch_one(&db.pool)
    .await?;
    let award = current_award(db, &learner.id, &application.code)
        .await?
        .map(AwardRow::summary)
        .transpose()?;
    assemble(
        db,
        learner,
        application,
        &rule,
        &record,
        counts,
        award,
        today,
    )
    .await
}

/// A standing from what was read for it; the titles of the quizzes the rule requires are
/// looked up here (quizzes are read by their authors only: the rule lines name them for all).
#[allow(clippy::too_many_arguments)]
async fn assemble(
    db: &Db,
    learner: &LearnerRow,
    application: &model::competency::ApplicationForm,
    rule: &CredentialRule,
    record: &LearnerRecord,
    counts: (i64, i64),
    award: Option<AwardSummary>,
    today: CivilDate,
) -> Result<Standing> {
    let mut quiz_titles = Vec::new();
    for quiz in &rule.required_quizzes {
        let title: Option<(String,)> = sqlx::query_as("SELECT title FROM quizzes WHERE id = $1")
            .bind(quiz.as_str())
            .fetch_optional(&db.pool)
            .await?;
        if let Some((title,)) = title {
            quiz_titles.push((quiz.to_string(), title));
        }
    }
    Ok(Standing {
        quiz_titles,
        learner: UserId(learner.id.clone()),
        learner_name: learner.display_name.clone(),
        site_code: learner.site_code.clone(),
        application: application.code.clone(),
        application_zh: application.name_zh.clone(),
        application_en: application.name_en.clone(),
        evaluation: evaluate(rule, record, today),
        logged: u32::try_from(counts.0).unwrap_or(0),
        waiting: u32::try_from(counts.1).unwrap_or(0),
        award,
    })
}

#[derive(sqlx::FromRow)]
struct PairScanRow {
    learner_id: String,
    application: String,
    grade: i64,
    verdict: String,
    reviewed_on: String,
    reviewed_at: i64,
}

#[derive(sqlx::FromRow)]
struct PairCountRow {
    learner_id: String,
    application: String,
    logged: i64,
    waiting: i64,
}

#[derive(sqlx::FromRow)]
struct PairAwardRow {
    learner_id: String,
    application: String,
    code: String,
    awarded_on: String,
    awarded_by: String,
}

/// A learner and an application.
pub(super) type Pair = (String, String);

/// A reviewed scan with when it was reviewed (day, then instant), to put scans in order.
type Timed = ((String, i64), ReviewedScan);

/// Reviewed scans by learner × application, in review order: every learner's, or with
/// `holders_only` only where the learner holds a (not withdrawn) credential in it. Read in
/// table order and sorted here: ordering in SQL walked the date index and visited every row
/// out of order (SQLite: 200 ms of the grid's 230 ms over 100,000 scans).
pub(super) async fn scans_by_pair(
    db: &Db,
    holders_only: bool,
) -> Result<HashMap<Pair, Vec<ReviewedScan>>> {
    let holders = if holders_only {
        " AND EXISTS (SELECT 1 FROM credential_awards a WHERE a.learner_id = e.learner_id \
          AND a.application = e.application AND a.revoked_at IS NULL)"
    } else {
        ""
    };
    let rows: Vec<PairScanRow> = sqlx::query_as(&format!(
        "SELECT e.learner_id, e.application, e.grade, e.verdict, e.reviewed_on, \
         COALESCE(e.reviewed_at, 0) AS reviewed_at \
         FROM logbook_entries e WHERE e.status = 'reviewed'{holders}"
    ))
    .fetch_all(&db.pool)
    .await?;
    let mut timed: HashMap<Pair, Vec<Timed>> = HashMap::new();
    for r in rows {
        let scan = reviewed_scan(r.grade, &r.verdict, &r.reviewed_on)?;
        timed
            .entry((r.learner_id, r.application))
            .or_default()
            .push(((r.reviewed_on, r.reviewed_at), scan));
    }
    Ok(timed
        .into_iter()
        .map(|(pair, mut list)| {
            list.sort_by(|a, b| a.0.cmp(&b.0));
            (pair, list.into_iter().map(|(_, scan)| scan).collect())
        })
        .collect())
}

/// Every learner × application's reviewed scans, entry counts and current award, read in
/// three queries for the standings list (instead of several queries per pair).
async fn bulk(
    db: &Db,
) -> Result<(
    HashMap<Pair, Vec<ReviewedScan>>,
    HashMap<Pair, (i64, i64)>,
    HashMap<Pair, AwardRow>,
)> {
    let scans = scans_by_pair(db, false).await?;
    let rows: Vec<PairCountRow> = sqlx::query_as(
        "SELECT learner_id, application, COUNT(*) AS logged, \
         COALESCE(SUM(CASE WHEN status = 'submitted' THEN 1 ELSE 0 END), 0) AS waiting \
         FROM logbook_entries GROUP BY learner_id, application",
    )
    .fetch_all(&db.pool)
    .await?;
    let counts = rows
        .into_iter()
        .map(|r| ((r.learner_id, r.application), (r.logged, r.waiting)))
        .collect();
    let rows: Vec<PairAwardRow> = sqlx::query_as(
        "SELECT a.learner_id, a.application, a.code, a.awarded_on, u.display_name AS awarded_by \
         FROM credential_awards a JOIN users u ON u.id = a.awarded_by \
         WHERE a.revoked_at IS NULL ORDER BY a.awarded_on DESC, a.created_at DESC",
    )
    .fetch_all(&db.pool)
    .await?;
    let mut awards: HashMap<Pair, AwardRow> = HashMap::new();
    for r in rows {
        // The latest first: the one in force.
        awards
            .entry((r.learner_id, r.application))
            .or_insert(AwardRow {
                code: r.code,
                awarded_on: r.awarded_on,
                awarded_by: r.awarded_by,
            });
    }
    Ok((scans, counts, awards))
}

/// Whether `viewer` may see `learner`'s standing: the learner, or a coordinator.
fn may_see(viewer: &CurrentUser, learner: &str) -> bool {
    viewer.id.as_str() == learner || viewer.may(Permission::ManageCredentials)
}

/// A learner's standing in one application.
pub async fn standing(
    db: &Db,
    viewer: &CurrentUser,
    learner: &UserId,
    application: &str,
) -> Result<Standing> {
    if !may_see(viewer, learner.as_str()) {
        return Err(AppError::NotFound("learner".into()).into());
    }
    let row = learner_row(db, learner.as_str()).await?;
    let app = super::application(db, application).await?;
    standing_of(db, &row, &app, super::today()).await
}

/// Standings for coordinators: every learner × application with a logged scan or an award,
/// optionally of one site and one application, most advanced first.
pub async fn standings(
    db: &Db,
    viewer: &CurrentUser,
    site: Option<&str>,
    application: Option<&str>,
) -> Result<Vec<Standing>> {
    if !viewer.may(Permission::ManageCredentials) {
        return Err(AppError::Forbidden.into());
    }
    let pairs: Vec<StandingPairRow> = sqlx::query_as(
        "SELECT DISTINCT p.learner_id, p.application, u.display_name, s.code AS site_code FROM ( \
           SELECT learner_id, application FROM logbook_entries \
           UNION SELECT learner_id, application FROM credential_awards WHERE revoked_at IS NULL \
         ) p JOIN users u ON u.id = p.learner_id AND u.role = 'learner' \
         JOIN sites s ON s.id = u.site_id \
         WHERE ($1 = '' OR u.site_id = $1) AND ($2 = '' OR p.application = $2) \
         ORDER BY p.learner_id, p.application",
    )
    .bind(site.unwrap_or_default())
    .bind(application.unwrap_or_default())
    .fetch_all(&db.pool)
    .await?;
    let apps = super::applications(db).await?;
    let today = super::today();
    let rules = super::rule_map(db).await?;
    let (mut scans, counts, mut awards) = bulk(db).await?;
    let mut out = Vec::with_capacity(pairs.len());
    for pair in pairs {
        let (learner, code) = (pair.learner_id, pair.application);
        let row = LearnerRow {
            id: learner.clone(),
            display_name: pair.display_name,
            site_code: pair.site_code,
        };
        let Some(app) = apps.iter().find(|a| a.code == code) else {
            continue;
        };
        let rule = rules.get(&code).cloned().unwrap_or_default();
        let key = (learner.clone(), code.clone());
        let award = awards.remove(&key).map(AwardRow::summary).transpose()?;
        let awarded_on = award.as_ref().map(|a| a.awarded_on);
        let record = if rule.required_courses.is_empty() && rule.required_quizzes.is_empty() {
            LearnerRecord {
                scans: scans.remove(&key).unwrap_or_default(),
                completed_courses: Vec::new(),
                passed_quizzes: Vec::new(),
                awarded_on,
            }
        } else {
            record(db, &learner, &code, &rule).await?
        };
        let counts = counts.get(&key).copied().unwrap_or((0, 0));
        out.push(assemble(db, &row, app, &rule, &record, counts, award, today).await?);
    }
    out.sort_by(|a, b| {
        b.evaluation
            .status
            .cmp(&a.evaluation.status)
            .then_with(|| a.learner_name.cmp(&b.learner_name))
            .then_with(|| a.application.cmp(&b.application))
    });
    Ok(out)
}

/// Awards a learner the credential in an application, dated today: only a coordinator, and
/// only when the rules say it may be given. Returns the verification code.
pub async fn award(
    db: &Db,
    coordinator: &CurrentUser,
    learner: &UserId,
    application: &str,
) -> Result<String> {
    if !coordinator.may(Permission::ManageCredentials) {
        return Err(AppError::Forbidden.into());
    }
    let row = learner_row(db, learner.as_str()).await?;
    let app = super::application(db, application).await?;
    let today = super::today();
    let standing = standing_of(db, &row, &app, today).await?;
    if !standing.evaluation.awardable {
        return Err(AppError::invalid("learner", InvalidReason::NotEligible).into());
    }
    let rule = super::rule(db, application).await?.rule;
    let code = new_code();
    let mut tx = db.begin_write().await?;
    // A renewed award replaces the lapsed one: one credential in force per application.
    sqlx::query(
        "UPDATE credential_awards SET revoked_at = $1 \
         WHERE learner_id = $2 AND application = $3 AND revoked_at IS NULL",
    )
    .bind(now())
    .bind(learner.as_str())
    .bind(application)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "INSERT INTO credential_awards (id, code, learner_id, application, awarded_on, \
         awarded_by, rule, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(new_id())
    .bind(&code)
    .bind(learner.as_str())
    .bind(application)
    .bind(today.to_string())
    .bind(coordinator.id.as_str())
    .bind(to_json(&rule)?)
    .bind(now())
    .execute(&mut *tx)
    .await?;
    audit::record_in(
        &mut tx,
        &Actor::web(&coordinator.id),
        AuditAction::CredentialAwarded,
        Some(learner.as_str()),
        serde_json::json!({ "application": application, "code": code,
            "awarded_on": today.to_string() }),
    )
    .await?;
    tx.commit().await?;
    Ok(code)
}

/// Withdraws a credential by its code (coordinators only).
pub async fn revoke(db: &Db, coordinator: &CurrentUser, code: &str) -> Result<()> {
    if !coordinator.may(Permission::ManageCredentials) {
        return Err(AppError::Forbidden.into());
    }
    let code = normalise_code(code).ok_or_else(|| AppError::NotFound("credential".into()))?;
    let mut tx = db.begin_write().await?;
    let changed = sqlx::query(
        "UPDATE credential_awards SET revoked_at = $1 WHERE code = $2 AND revoked_at IS NULL",
    )
    .bind(now())
    .bind(&code)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if changed == 0 {
        return Err(AppError::NotFound("credential".into()).into());
    }
    audit::record_in(
        &mut tx,
        &Actor::web(&coordinator.id),
        AuditAction::CredentialRevoked,
        Some(&code),
        serde_json::json!({}),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct CertificateRow {
    code: String,
    learner_id: String,
    learner_name: String,
    site_zh: String,
    site_en: String,
    application: String,
    application_zh: String,
    application_en: String,
    awarded_on: String,
    awarded_by: String,
    rule: String,
    revoked_at: Option<i64>,
}

/// A certificate by its verification code, for anyone (the public verification page) — what
/// was awarded, on what record, and where it stands today.
pub async fn certificate(db: &Db, code: &str) -> Result<Certificate> {
    let not_found = || crate::Error::from(AppError::NotFound("credential".into()));
    let code = normalise_code(code).ok_or_else(not_found)?;
    let row: Option<CertificateRow> = sqlx::query_as(
        "SELECT a.code, a.learner_id, u.display_name AS learner_name, s.name_zh AS site_zh, \
         s.name_en AS site_en, a.application, p.name_zh AS application_zh, \
         p.name_en AS application_en, a.awarded_on, b.display_name AS awarded_by, a.rule, \
         a.revoked_at \
         FROM credential_awards a JOIN users u ON u.id = a.learner_id \
         JOIN sites s ON s.id = u.site_id JOIN applications p ON p.code = a.application \
         JOIN users b ON b.id = a.awarded_by WHERE a.code = $1",
    )
    .bind(&code)
    .fetch_optional(&db.pool)
    .await?;
    let row = row.ok_or_else(not_found)?;
    let awarded_on = date(&row.awarded_on)?;
    let rule: CredentialRule = json(&row.rule)?;
    let current = super::rule(db, &row.application).await?.rule;
    let mut record = record(db, &row.learner_id, &row.application, &current).await?;
    // Judge this award, not a later one.
    record.awarded_on = Some(awarded_on);
    let today = super::today();
    let now_standing = evaluate(&current, &record, today);
    let before = LearnerRecord {
        awarded_on: None,
        ..record.clone()
    };
    let then = evaluate(&rule, &before, awarded_on);
    let (mut reviewed, mut acceptable_share, mut agreement) = (0, None, None);
    for line in &then.lines {
        match line.rule {
            Rule::ReviewedScans { actual, .. } => reviewed = actual,
            Rule::AcceptableShare { share, .. } => acceptable_share = share,
            Rule::Agreement { share, .. } => agreement = share,
            _ => {}
        }
    }
    let status = if now_standing.status.holds_credential()
        || now_standing.status == CredentialStatus::Lapsed
    {
        now_standing.status
    } else {
        CredentialStatus::Credentialed
    };
    Ok(Certificate {
        code: row.code,
        learner_name: row.learner_name,
        site_zh: row.site_zh,
        site_en: row.site_en,
        application_zh: row.application_zh,
        application_en: row.application_en,
        awarded_on,
        awarded_by: row.awarded_by,
        reviewed_scans: reviewed,
        acceptable_share,
        agreement,
        status,
        valid_until: now_standing.valid_until,
        revoked: row.revoked_at.is_some(),
    })
}
