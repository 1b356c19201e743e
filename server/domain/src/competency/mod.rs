//! Competency on the server: applications and their review forms, credential rules, the scan
//! logbook and its review queue, credential standings and awards, and the quality-control
//! dashboards. The rules themselves are `model::competency`'s; this module stores and reads.
mod awards;
mod dashboards;
mod logbook;
mod review;

pub use awards::{award, certificate, revoke, standing, standings};
pub use awards::{normalise_code, verification_code};
pub use dashboards::{grid, learning_curve, my_progress, quality_report};
pub use logbook::{attach_upload, blob_in_logbook, entry, my_logbook, pickable_clips, save_entry};
pub use review::{queue, review, settle_from_follow_up};

use crate::audit::{self, Actor};
use crate::{Db, Result, now};
use model::competency::{
    ApplicationForm, CivilDate, CredentialRule, ReviewForm, RuleView, validate_form, validate_rule,
};
use model::{AppError, AuditAction, CurrentUser, InvalidReason};
use std::collections::HashMap;

/// Today in the network's time zone.
pub fn today() -> CivilDate {
    CivilDate::network_day(now())
}

fn json<T: serde::de::DeserializeOwned>(text: &str) -> Result<T> {
    Ok(serde_json::from_str(text)?)
}

fn to_json<T: serde::Serialize>(value: &T) -> Result<String> {
    Ok(serde_json::to_string(value)?)
}

fn date(text: &str) -> Result<CivilDate> {
    CivilDate::parse(text).map_err(|_| anyhow::anyhow!("stored date {text:?} unreadable").into())
}

#[derive(sqlx::FromRow)]
struct ApplicationRow {
    code: String,
    name_zh: String,
    name_en: String,
    emergency: i64,
    review_form: String,
    retired_at: Option<i64>,
}

impl ApplicationRow {
    fn into_form(self) -> Result<ApplicationForm> {
        Ok(ApplicationForm {
            form: json(&self.review_form)?,
            code: self.code,
            name_zh: self.name_zh,
            name_en: self.name_en,
            emergency: self.emergency != 0,
            retired: self.retired_at.is_some(),
        })
    }
}

const APPLICATION_COLUMNS: &str =
    "code, name_zh, name_en, emergency, review_form, retired_at FROM applications";

/// Every application with its review form, in the catalogue's order, retired ones included.
pub async fn applications(db: &Db) -> Result<Vec<ApplicationForm>> {
    let rows: Vec<ApplicationRow> = sqlx::query_as(&format!(
        "SELECT {APPLICATION_COLUMNS} ORDER BY position, code"
    ))
    .fetch_all(&db.pool)
    .await?;
    rows.into_iter().map(ApplicationRow::into_form).collect()
}

/// One application with its form.
pub async fn application(db: &Db, code: &str) -> Result<ApplicationForm> {
    let row: Option<ApplicationRow> =
        sqlx::query_as(&format!("SELECT {APPLICATION_COLUMNS} WHERE code = $1"))
            .bind(code)
            .fetch_optional(&db.pool)
            .await?;
    row.ok_or_else(|| AppError::NotFound("application".into()))?
        .into_form()
}

/// Adds an application (a code not in the catalogue) or renames it and replaces its review
/// form. Coordinators only (the caller checks).
pub async fn save_application(db: &Db, actor: &CurrentUser, input: ApplicationForm) -> Result<()> {
    let code = input.code.trim();
    let well_formed = !code.is_empty()
        && code.len() <= 32
        && code
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if !well_formed {
        return Err(AppError::invalid("code", InvalidReason::BadFormat).into());
    }
    for (field, name) in [("name_zh", &input.name_zh), ("name_en", &input.name_en)] {
        if name.trim().is_empty() {
            return Err(AppError::invalid(field, InvalidReason::Required).into());
        }
        if name.chars().count() > 60 {
            return Err(AppError::invalid(field, InvalidReason::TooLong).into());
        }
    }
    validate_form(&input.form)?;
    let form = to_json(&input.form)?;
    let mut tx = db.begin_write().await?;
    let changed = sqlx::query(
        "UPDATE applications SET name_zh = $1, name_en = $2, emergency = $3, review_form = $4 \
         WHERE code = $5",
    )
    .bind(input.name_zh.trim())
    .bind(input.name_en.trim())
    .bind(i64::from(input.emergency))
    .bind(&form)
    .bind(code)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if changed == 0 {
        sqlx::query(
            "INSERT INTO applications (code, name_zh, name_en, emergency, position, review_form) \
             SELECT $1, $2, $3, $4, COALESCE(MAX(position), 0) + 1, $5 FROM applications",
        )
        .bind(code)
        .bind(input.name_zh.trim())
        .bind(input.name_en.trim())
        .bind(i64::from(input.emergency))
        .bind(&form)
        .execute(&mut *tx)
        .await?;
    }
    let detail = serde_json::json!({ "name_zh": input.name_zh, "name_en": input.name_en,
        "fields": input.form.fields.len(), "new": changed == 0 });
    audit::record_in(
        &mut tx,
        &Actor::web(&actor.id),
        AuditAction::ApplicationSaved,
        Some(code),
        detail,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Retires an application, or brings it back: retired ones take no new logbook entries.
pub async fn retire_application(
    db: &Db,
    actor: &CurrentUser,
    code: &str,
    retired: bool,
) -> Result<()> {
    let mut tx = db.begin_write().await?;
    let changed = sqlx::query("UPDATE applications SET retired_at = $1 WHERE code = $2")
        .bind(retired.then(now))
        .bind(code)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    if changed == 0 {
        return Err(AppError::NotFound("application".into()).into());
    }
    audit::record_in(
        &mut tx,
        &Actor::web(&actor.id),
        AuditAction::ApplicationRetired,
        Some(code),
        serde_json::json!({ "retired": retired }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The rule an application's credential follows: its own, or the default.
pub async fn rule(db: &Db, application: &str) -> Result<RuleView> {
    let row: Option<(String, Option<String>, i64)> = sqlx::query_as(
        "SELECT r.rule, u.display_name, r.updated_at FROM credential_rules r \
         LEFT JOIN users u ON u.id = r.updated_by WHERE r.application = $1",
    )
    .bind(application)
    .fetch_optional(&db.pool)
    .await?;
    Ok(match row {
        Some((rule, by, at)) => RuleView {
            application: application.to_string(),
            rule: json(&rule)?,
            custom: true,
            updated_by: by,
            updated_at: Some(at),
        },
        None => RuleView {
            application: application.to_string(),
            rule: CredentialRule::default(),
            custom: false,
            updated_by: None,
            updated_at: None,
        },
    })
}

/// The rule of every application that has its own, by application (the others follow the
/// default), in one query.
pub(super) async fn rule_map(db: &Db) -> Result<HashMap<String, CredentialRule>> {
    let rows: Vec<(String, String)> =
        sqlx::query_as("SELECT application, rule FROM credential_rules")
            .fetch_all(&db.pool)
            .await?;
    rows.into_iter()
        .map(|(application, rule)| Ok((application, json(&rule)?)))
        .collect()
}

/// Every application's rule, in the catalogue's order.
pub async fn rules(db: &Db) -> Result<Vec<RuleView>> {
    let mut out = Vec::new();
    for app in applications(db).await? {
        out.push(rule(db, &app.code).await?);
    }
    Ok(out)
}

/// Sets an application's credential rule; courses and quizzes it names must exist.
pub async fn save_rule(
    db: &Db,
    actor: &CurrentUser,
    application_code: &str,
    rule: CredentialRule,
) -> Result<()> {
    validate_rule(&rule)?;
    application(db, application_code).await?;
    for (i, course) in rule.required_courses.iter().enumerate() {
        let found: Option<(String,)> = sqlx::query_as("SELECT id FROM courses WHERE id = $1")
            .bind(course.as_str())
            .fetch_optional(&db.pool)
            .await?;
        if found.is_none() {
            return Err(AppError::invalid(
                &format!("required_courses.{i}"),
                InvalidReason::Unknown,
            )
            .into());
        }
    }
    for (i, quiz) in rule.required_quizzes.iter().enumerate() {
        let found: Option<(String,)> = sqlx::query_as("SELECT id FROM quizzes WHERE id = $1")
            .bind(quiz.as_str())
            .fetch_optional(&db.pool)
            .await?;
        if found.is_none() {
            return Err(AppError::invalid(
                &format!("required_quizzes.{i}"),
                InvalidReason::Unknown,
            )
            .into());
        }
    }
    let text = to_json(&rule)?;
    let at = now();
    let mut tx = db.begin_write().await?;
    let changed = sqlx::query(
        "UPDATE credential_rules SET rule = $1, updated_by = $2, updated_at = $3 \
         WHERE application = $4",
    )
    .bind(&text)
    .bind(&actor.id.0)
    .bind(at)
    .bind(application_code)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if changed == 0 {
        sqlx::query(
            "INSERT INTO credential_rules (application, rule, updated_by, updated_at) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(application_code)
        .bind(&text)
        .bind(&actor.id.0)
        .bind(at)
        .execute(&mut *tx)
        .await?;
    }
    audit::record_in(
        &mut tx,
        &Actor::web(&actor.id),
        AuditAction::CredentialRuleSaved,
        Some(application_code),
        serde_json::to_value(&rule)?,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The form an application's entries are filled against; retired applications refuse new
/// entries when `for_new` is set.
async fn form_for(db: &Db, code: &str, for_new: bool) -> Result<ReviewForm> {
    let app = match application(db, code).await {
        Err(crate::Error::App(AppError::NotFound(_))) => {
            return Err(AppError::invalid("application", InvalidReason::Unknown).into());
        }
        other => other?,
    };
    if for_new && app.retired {
        return Err(AppError::invalid("application", InvalidReason::WrongState).into());
    }
    Ok(app.form)
}
