//! The dashboards' figures: the coordinator's site × application grid, a learner's learning
//! curve and progress, each site's monthly quality against the hub's, and reviewer workload
//! and agreement. Counts come from the logbook's copied first-review columns, so the grid is
//! one pass over the covering `logbook_grid` index.
use super::date;
use crate::{Db, Result};
use model::competency::{
    CURVE_WINDOW, CurvePoint, Grade, Grid, GridCell, GridSite, LearnerRecord, LearningCurve,
    MyProgress, Period, QualityReport, Rating, ReviewerLoad, ReviewerPair, SiteMonth, SiteTrend,
    Verdict, evaluate, reviewer_agreement,
};
use model::{AppError, Application, CurrentUser, Permission, SiteId, UserId};
use std::collections::{HashMap, HashSet};
use std::time::Instant;

#[derive(sqlx::FromRow)]
struct SiteRow {
    id: String,
    code: String,
    name_zh: String,
    name_en: String,
    kind: String,
}

async fn sites(db: &Db) -> Result<Vec<GridSite>> {
    let rows: Vec<SiteRow> = sqlx::query_as(
        "SELECT id, code, name_zh, name_en, kind FROM sites WHERE active = 1 \
         ORDER BY CASE WHEN kind = 'hub' THEN 0 ELSE 1 END, code",
    )
    .fetch_all(&db.pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| GridSite {
            hub: r.kind == "hub",
            id: SiteId(r.id),
            code: r.code,
            name_zh: r.name_zh,
            name_en: r.name_en,
        })
        .collect())
}

#[derive(sqlx::FromRow)]
struct CellRow {
    site_id: String,
    application: String,
    reviewed: i64,
    acceptable: i64,
    agreeing: i64,
}

fn count(n: i64) -> u32 {
    u32::try_from(n).unwrap_or(0)
}

/// Checks a period: from no later than until, at most ten years.
fn check_period(period: &Period) -> Result<()> {
    let days = period.from.days_until(period.until);
    if !(0..=3660).contains(&days) {
        return Err(AppError::invalid("period", model::InvalidReason::OutOfRange).into());
    }
    Ok(())
}

/// The coordinator's grid over `period`: reviewed scans, acceptable and agreeing ones per
/// site and application, and the people credentialed today.
pub async fn grid(db: &Db, viewer: &CurrentUser, period: Period) -> Result<Grid> {
    if !viewer.may(Permission::ManageCredentials) {
        return Err(AppError::Forbidden.into());
    }
    check_period(&period)?;
    let started = Instant::now();
    let sites = sites(db).await?;
    let applications: Vec<Application> = super::applications(db)
        .await?
        .into_iter()
        .filter(|a| !a.retired)
        .map(|a| Application {
            code: a.code,
            name_zh: a.name_zh,
            name_en: a.name_en,
            emergency: a.emergency,
        })
        .collect();
    let rows: Vec<CellRow> = sqlx::query_as(
        "SELECT site_id, application, COUNT(*) AS reviewed, \
         COALESCE(SUM(CASE WHEN grade >= 3 THEN 1 ELSE 0 END), 0) AS acceptable, \
         COALESCE(SUM(CASE WHEN agrees = 1 THEN 1 ELSE 0 END), 0) AS agreeing \
         FROM logbook_entries WHERE reviewed_on >= $1 AND reviewed_on <= $2 \
         GROUP BY site_id, application",
    )
    .bind(period.from.to_string())
    .bind(period.until.to_string())
    .fetch_all(&db.pool)
    .await?;
    let site_index: HashMap<&str, usize> = sites
        .iter()
        .enumerate()
        .map(|(i, s)| (s.id.as_str(), i))
        .collect();
    let app_index: HashMap<&str, usize> = applications
        .iter()
        .enumerate()
        .map(|(i, a)| (a.code.as_str(), i))
        .collect();
    let mut cells = vec![vec![GridCell::default(); applications.len()]; sites.len()];
    for row in rows {
        if let (Some(&s), Some(&a)) = (
            site_index.get(row.site_id.as_str()),
            app_index.get(row.application.as_str()),
        ) {
            cells[s][a] = GridCell {
                reviewed: count(row.reviewed),
                acceptable: count(row.acceptable),
                agreeing: count(row.agreeing),
                credentialed: 0,
            };
        }
    }
    for (site, application) in credentialed_today(db).await? {
        if let (Some(&s), Some(&a)) = (
            site_index.get(site.as_str()),
            app_index.get(application.as_str()),
        ) {
            cells[s][a].credentialed += 1;
        }
    }
    let hub = sites
        .iter()
        .position(|s| s.hub)
        .map(|h| cells[h].clone())
        .unwrap_or_else(|| vec![GridCell::default(); applications.len()]);
    Ok(Grid {
        period,
        sites,
        applications,
        cells,
        hub,
        took_ms: u32::try_from(started.elapsed().as_millis()).unwrap_or(u32::MAX),
    })
}

#[derive(sqlx::FromRow)]
struct AwardRow {
    learner_id: String,
    site_id: String,
    application: String,
    awarded_on: String,
}

/// (site, application) of every credential in force today, once per learner. Credentials that
/// never renew hold once awarded; the others are read against their renewal rule, from the
/// holders' reviewed scans fetched in one pass (a rule that also asks for courses or quizzes
/// reads each holder's whole record).
async fn credentialed_today(db: &Db) -> Result<Vec<(String, String)>> {
    let mut awards: Vec<AwardRow> = sqlx::query_as(
        "SELECT a.learner_id, u.site_id, a.application, a.awarded_on \
         FROM credential_awards a JOIN users u ON u.id = a.learner_id \
         WHERE a.revoked_at IS NULL ORDER BY a.awarded_on DESC, a.created_at DESC",
    )
    .fetch_all(&db.pool)
    .await?;
    // The latest award of a learner in an application is the one in force.
    let mut seen = HashSet::new();
    awards.retain(|a| seen.insert((a.learner_id.clone(), a.application.clone())));
    let rules = super::rule_map(db).await?;
    let renews = |app: &str| rules.get(app).is_some_and(|r| r.renewal_days.is_some());
    let mut scans = if awards.iter().any(|a| renews(&a.application)) {
        super::awards::scans_by_pair(db, true).await?
    } else {
        HashMap::new()
    };
    let today = super::today();
    let mut out = Vec::new();
    for award in awards {
        let rule = rules.get(&award.application).cloned().unwrap_or_default();
        let awarded_on = date(&award.awarded_on)?;
        let holds = if rule.renewal_days.is_none() {
            awarded_on <= today
        } else if rule.required_courses.is_empty() && rule.required_quizzes.is_empty() {
            let key = (award.learner_id.clone(), award.application.clone());
            let record = LearnerRecord {
                scans: scans.remove(&key).unwrap_or_default(),
                completed_courses: Vec::new(),
                passed_quizzes: Vec::new(),
                awarded_on: Some(awarded_on),
            };
            evaluate(&rule, &record, today).status.holds_credential()
        } else {
            let record =
                super::awards::record(db, &award.learner_id, &award.application, &rule).await?;
            evaluate(&rule, &record, today).status.holds_credential()
        };
        if holds {
            out.push((award.site_id, award.application));
        }
    }
    Ok(out)
}

#[derive(sqlx::FromRow)]
struct CurveRow {
    grade: i64,
    agrees: Option<i64>,
    reviewed_on: String,
}

/// A learner's grades in one application in the order they were reviewed, with the moving
/// average over the last [`CURVE_WINDOW`] scans. The learner, or a coordinator.
pub async fn learning_curve(
    db: &Db,
    viewer: &CurrentUser,
    learner: &UserId,
    application: &str,
) -> Result<LearningCurve> {
    if viewer.id != *learner && !viewer.may(Permission::ManageCredentials) {
        return Err(AppError::NotFound("learner".into()).into());
    }
    let name: Option<(String,)> = sqlx::query_as("SELECT display_name FROM users WHERE id = $1")
        .bind(learner.as_str())
        .fetch_optional(&db.pool)
        .await?;
    let (learner_name,) = name.ok_or_else(|| AppError::NotFound("learner".into()))?;
    let rows: Vec<CurveRow> = sqlx::query_as(
        "SELECT grade, agrees, reviewed_on FROM logbook_entries \
         WHERE learner_id = $1 AND application = $2 AND status = 'reviewed' \
         ORDER BY reviewed_at, id",
    )
    .bind(learner.as_str())
    .bind(application)
    .fetch_all(&db.pool)
    .await?;
    let mut points: Vec<CurvePoint> = Vec::with_capacity(rows.len());
    let mut grades: Vec<f64> = Vec::with_capacity(rows.len());
    for (i, row) in rows.into_iter().enumerate() {
        let grade = Grade::parse(row.grade)?;
        grades.push(f64::from(grade.value()));
        let window = &grades[grades.len().saturating_sub(CURVE_WINDOW)..];
        points.push(CurvePoint {
            n: u32::try_from(i + 1).unwrap_or(u32::MAX),
            grade,
            agrees: row.agrees == Some(1),
            reviewed_on: date(&row.reviewed_on)?,
            moving_average: window.iter().sum::<f64>() / window.len() as f64,
        });
    }
    Ok(LearningCurve {
        learner_name,
        application: application.to_string(),
        points,
    })
}

/// The signed-in learner's standing and learning curve in every application they logged a
/// scan in (or hold a credential in).
pub async fn my_progress(db: &Db, learner: &CurrentUser) -> Result<MyProgress> {
    let apps: Vec<(String,)> = sqlx::query_as(
        "SELECT application FROM logbook_entries WHERE learner_id = $1 \
         UNION SELECT application FROM credential_awards WHERE learner_id = $1",
    )
    .bind(learner.id.as_str())
    .fetch_all(&db.pool)
    .await?;
    let catalogue = super::applications(db).await?;
    let mut standings = Vec::new();
    let mut curves = Vec::new();
    for app in catalogue
        .iter()
        .filter(|a| apps.iter().any(|(code,)| *code == a.code))
    {
        standings.push(super::standing(db, learner, &learner.id, &app.code).await?);
        curves.push(learning_curve(db, learner, &learner.id, &app.code).await?);
    }
    Ok(MyProgress { standings, curves })
}

#[derive(sqlx::FromRow)]
struct MonthRow {
    site_id: String,
    month: String,
    reviewed: i64,
    mean_grade: Option<f64>,
    agreeing: i64,
}

#[derive(sqlx::FromRow)]
struct TurnaroundRow {
    reviewer_id: String,
    name: String,
    second: i64,
    hours: Option<f64>,
}

#[derive(sqlx::FromRow)]
struct PairRow {
    first_name: String,
    second_name: String,
    first_grade: i64,
    second_grade: i64,
    first_verdict: String,
    second_verdict: String,
}

fn percentile(sorted: &[f64], p: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (p * (sorted.len() - 1) as f64).round() as usize;
    sorted.get(rank).copied()
}

fn verdict(text: &str) -> Result<Verdict> {
    Verdict::parse(text).ok_or_else(|| anyhow::anyhow!("stored verdict {text:?}").into())
}

/// Quality control over `period`, optionally for one application: each site's monthly mean
/// grade and agreement (the hub's first), each reviewer's load and turnaround, and the
/// agreement of every reviewer pair over their double-reviewed scans. Coordinators only.
pub async fn quality_report(
    db: &Db,
    viewer: &CurrentUser,
    period: Period,
    application: Option<&str>,
) -> Result<QualityReport> {
    if !viewer.may(Permission::ManageCredentials) {
        return Err(AppError::Forbidden.into());
    }
    check_period(&period)?;
    let app = application.unwrap_or_default();
    let (from, until) = (period.from.to_string(), period.until.to_string());
    let rows: Vec<MonthRow> = sqlx::query_as(
        "SELECT site_id, SUBSTR(reviewed_on, 1, 7) AS month, COUNT(*) AS reviewed, \
         AVG(CAST(grade AS DOUBLE PRECISION)) AS mean_grade, \
         COALESCE(SUM(CASE WHEN agrees = 1 THEN 1 ELSE 0 END), 0) AS agreeing \
         FROM logbook_entries WHERE reviewed_on >= $1 AND reviewed_on <= $2 \
         AND ($3 = '' OR application = $3) \
         GROUP BY site_id, SUBSTR(reviewed_on, 1, 7) ORDER BY 1, 2",
    )
    .bind(&from)
    .bind(&until)
    .bind(app)
    .fetch_all(&db.pool)
    .await?;
    let months = months_of(&period);
    let trends = sites(db)
        .await?
        .into_iter()
        .map(|site| {
            let months = months
                .iter()
                .map(|month| {
                    let row = rows
                        .iter()
                        .find(|r| r.site_id == site.id.as_str() && &r.month == month);
                    SiteMonth {
                        month: month.clone(),
                        reviewed: row.map_or(0, |r| count(r.reviewed)),
                        mean_grade: row.and_then(|r| r.mean_grade),
                        agreement: row
                            .filter(|r| r.reviewed > 0)
                            .map(|r| r.agreeing as f64 / r.reviewed as f64),
                    }
                })
                .collect();
            SiteTrend { site, months }
        })
        .collect();
    let turnaround: Vec<TurnaroundRow> = sqlx::query_as(
        "SELECT r.reviewer_id, u.display_name AS name, r.second, \
         CAST(r.created_at - e.submitted_at AS DOUBLE PRECISION) / 3600.0 AS hours \
         FROM scan_reviews r JOIN logbook_entries e ON e.id = r.entry_id \
         JOIN users u ON u.id = r.reviewer_id \
         WHERE r.reviewed_on >= $1 AND r.reviewed_on <= $2 AND ($3 = '' OR e.application = $3)",
    )
    .bind(&from)
    .bind(&until)
    .bind(app)
    .fetch_all(&db.pool)
    .await?;
    let mut loads: HashMap<String, (String, u32, u32, Vec<f64>)> = HashMap::new();
    for row in turnaround {
        let load = loads
            .entry(row.reviewer_id)
            .or_insert_with(|| (row.name, 0, 0, Vec::new()));
        if row.second != 0 {
            load.2 += 1;
        } else {
            load.1 += 1;
            load.3.extend(row.hours);
        }
    }
    let mut reviewers: Vec<ReviewerLoad> = loads
        .into_iter()
        .map(|(id, (name, reviews, second_reviews, mut hours))| {
            hours.sort_by(f64::total_cmp);
            ReviewerLoad {
                reviewer: UserId(id),
                name,
                reviews,
                second_reviews,
                median_hours: percentile(&hours, 0.5),
                p90_hours: percentile(&hours, 0.9),
            }
        })
        .collect();
    reviewers.sort_by(|a, b| {
        (b.reviews + b.second_reviews)
            .cmp(&(a.reviews + a.second_reviews))
            .then_with(|| a.name.cmp(&b.name))
    });
    let pair_rows: Vec<PairRow> = sqlx::query_as(
        "SELECT u1.display_name AS first_name, u2.display_name AS second_name, \
         r1.grade AS first_grade, r2.grade AS second_grade, \
         r1.reviewer_verdict AS first_verdict, r2.reviewer_verdict AS second_verdict \
         FROM scan_reviews r1 JOIN scan_reviews r2 ON r2.entry_id = r1.entry_id AND r2.second = 1 \
         JOIN logbook_entries e ON e.id = r1.entry_id \
         JOIN users u1 ON u1.id = r1.reviewer_id JOIN users u2 ON u2.id = r2.reviewer_id \
         WHERE r1.second = 0 AND r2.reviewed_on >= $1 AND r2.reviewed_on <= $2 \
         AND ($3 = '' OR e.application = $3)",
    )
    .bind(&from)
    .bind(&until)
    .bind(app)
    .fetch_all(&db.pool)
    .await?;
    // Agreement is symmetric: a pair is the two names in order, whoever reviewed first.
    let mut by_pair: HashMap<(String, String), Vec<(Rating, Rating)>> = HashMap::new();
    for row in pair_rows {
        let a = Rating {
            grade: Grade::parse(row.first_grade)?,
            verdict: verdict(&row.first_verdict)?,
        };
        let b = Rating {
            grade: Grade::parse(row.second_grade)?,
            verdict: verdict(&row.second_verdict)?,
        };
        let (key, ratings) = if row.first_name <= row.second_name {
            ((row.first_name, row.second_name), (a, b))
        } else {
            ((row.second_name, row.first_name), (b, a))
        };
        by_pair.entry(key).or_default().push(ratings);
    }
    let mut pairs: Vec<ReviewerPair> = by_pair
        .into_iter()
        .map(|((first, second), ratings)| ReviewerPair {
            first,
            second,
            agreement: reviewer_agreement(&ratings),
        })
        .collect();
    pairs.sort_by(|a, b| (&a.first, &a.second).cmp(&(&b.first, &b.second)));
    let waiting: (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM logbook_entries WHERE status = 'submitted' \
         AND ($1 = '' OR application = $1)",
    )
    .bind(app)
    .fetch_one(&db.pool)
    .await?;
    Ok(QualityReport {
        period,
        application: application.map(str::to_string),
        trends,
        reviewers,
        pairs,
        waiting: count(waiting.0),
    })
}

/// Every month (`YYYY-MM`) the period touches, in order.
fn months_of(period: &Period) -> Vec<String> {
    let (mut y, mut m, _) = period.from.ymd();
    let (until_y, until_m, _) = period.until.ymd();
    let mut out = Vec::new();
    while (y, m) <= (until_y, until_m) {
        out.push(format!("{y:04}-{m:02}"));
        m += 1;
        if m > 12 {
            m = 1;
            y += 1;
        }
    }
    out
}
