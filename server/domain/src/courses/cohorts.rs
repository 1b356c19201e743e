//! Cohorts: a coordinator enrols a site's learners, or named people, in a course with a due
//! date, and follows each cohort's completion.
use super::learning::enrol;
use crate::audit::{self, Actor};
use crate::{Db, Result, new_id, now};
use model::courses::{CohortInput, CohortView, EnrolVia};
use model::{AppError, AuditAction, AuditVia, CohortId, CourseId, CurrentUser, InvalidReason};

fn well_formed_date(date: &str) -> bool {
    let b = date.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
        && (1..=12).contains(&date[5..7].parse::<u32>().unwrap_or(0))
        && (1..=31).contains(&date[8..10].parse::<u32>().unwrap_or(0))
}

/// Makes a cohort and enrols its site's learners and its named people on the course's
/// current published version. Coordinators only (the caller checks).
pub async fn create_cohort(
    db: &Db,
    actor: &CurrentUser,
    course: &CourseId,
    input: CohortInput,
) -> Result<CohortId> {
    let name = input.name.trim();
    if name.is_empty() {
        return Err(AppError::invalid("name", InvalidReason::Required).into());
    }
    if name.chars().count() > 120 {
        return Err(AppError::invalid("name", InvalidReason::TooLong).into());
    }
    if input.due.as_deref().is_some_and(|d| !well_formed_date(d)) {
        return Err(AppError::invalid("due", InvalidReason::BadFormat).into());
    }
    if input.site.is_none() && input.people.is_empty() {
        return Err(AppError::invalid("people", InvalidReason::Required).into());
    }
    let id = CohortId(new_id());
    let mut tx = db.begin_write().await?;
    sqlx::query(
        "INSERT INTO cohorts (id, course_id, name, site_id, due_date, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(id.as_str())
    .bind(course.as_str())
    .bind(name)
    .bind(input.site.as_ref().map(|s| s.0.clone()))
    .bind(input.due.as_deref())
    .bind(&actor.id.0)
    .bind(now())
    .execute(&mut *tx)
    .await?;
    let detail = serde_json::json!({ "course": course.as_str(), "name": name });
    let who = Actor::web(&actor.id);
    audit::record_in(
        &mut tx,
        &who,
        AuditAction::CohortSaved,
        Some(id.as_str()),
        detail,
    )
    .await?;
    tx.commit().await?;
    let mut members: Vec<(String, EnrolVia)> = Vec::new();
    if let Some(site) = &input.site {
        let learners: Vec<(String,)> = sqlx::query_as(
            "SELECT id FROM users WHERE site_id = $1 AND role = 'learner' AND active = 1",
        )
        .bind(site.as_str())
        .fetch_all(&db.pool)
        .await?;
        members.extend(learners.into_iter().map(|(u,)| (u, EnrolVia::Site)));
    }
    members.extend(input.people.iter().map(|u| (u.0.clone(), EnrolVia::Person)));
    for (user, via) in members {
        enrol(db, &who, &user, course, via, Some(id.as_str())).await?;
    }
    Ok(id)
}

#[derive(sqlx::FromRow)]
struct OpenCohort {
    id: String,
    course_id: String,
}

/// Enrols a learner in the site cohorts of their site they are not in yet: a cohort made for
/// a site takes in the learners who join the site after it was made. Run when an account is
/// made or enabled again (a disabled account was left out of cohorts made meanwhile).
/// Cohorts of courses taken out of the catalogue take no one new.
pub async fn join_site_cohorts(db: &Db, user_id: &str) -> Result<()> {
    let open: Vec<OpenCohort> = sqlx::query_as(
        "SELECT c.id, c.course_id FROM cohorts c \
         JOIN users u ON u.site_id = c.site_id AND u.role = 'learner' AND u.active = 1 \
         JOIN courses k ON k.id = c.course_id \
         WHERE u.id = $1 AND k.published_version IS NOT NULL AND k.retired_at IS NULL \
         AND NOT EXISTS (SELECT 1 FROM enrolments e WHERE e.course_id = c.course_id \
                         AND e.user_id = u.id) \
         ORDER BY c.created_at",
    )
    .bind(user_id)
    .fetch_all(&db.pool)
    .await?;
    for cohort in open {
        let course = CourseId(cohort.course_id);
        enrol(
            db,
            &Actor::system(AuditVia::Job),
            user_id,
            &course,
            EnrolVia::Site,
            Some(&cohort.id),
        )
        .await?;
    }
    Ok(())
}

#[derive(sqlx::FromRow)]
struct CohortRow {
    id: String,
    name: String,
    site: Option<String>,
    site_en: Option<String>,
    due: Option<String>,
    members: i64,
    completed: i64,
}

/// A course's cohorts with their members and completions.
pub async fn cohorts(db: &Db, course: &CourseId) -> Result<Vec<CohortView>> {
    let rows: Vec<CohortRow> = sqlx::query_as(
        "SELECT c.id, c.name, s.name_zh AS site, s.name_en AS site_en, c.due_date AS due, \
         (SELECT COUNT(*) FROM enrolments e WHERE e.cohort_id = c.id) AS members, \
         (SELECT COUNT(*) FROM enrolments e WHERE e.cohort_id = c.id AND e.completed_at IS NOT NULL) \
         AS completed \
         FROM cohorts c LEFT JOIN sites s ON s.id = c.site_id \
         WHERE c.course_id = $1 ORDER BY c.created_at",
    )
    .bind(course.as_str())
    .fetch_all(&db.pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| CohortView {
            id: CohortId(r.id),
            name: r.name,
            site: r.site,
            site_en: r.site_en,
            due: r.due,
            members: r.members as usize,
            completed: r.completed as usize,
        })
        .collect())
}
