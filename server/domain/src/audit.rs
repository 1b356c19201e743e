//! The audit trail: who did what to whom, through which door, kept for the admin.
//!
//! Every change is recorded by the domain function that makes it, inside the same
//! transaction (`record_in`), whichever door it came through: the web app, DICOMweb, a
//! scanner's C-STORE or a background job. Events that change nothing (a sign-in, a DICOMweb
//! export) are recorded on their own (`record`).
use super::{Db, Result, new_id, now};
use model::{AuditAction, AuditVia, UserId};
use sqlx::AnyConnection;

/// Who acted, and through which door. A scanner or a job acts with no user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub user: Option<UserId>,
    pub via: AuditVia,
}

impl Actor {
    /// A signed-in person in the web app.
    pub fn web(user: &UserId) -> Actor {
        Actor {
            user: Some(user.clone()),
            via: AuditVia::Web,
        }
    }

    /// No person: a scanner (`CStore`), a token-holding DICOMweb client or a background job.
    pub fn system(via: AuditVia) -> Actor {
        Actor { user: None, via }
    }
}

/// Records one event inside the transaction of the change it records, so that the change and
/// its record are kept or lost together.
pub async fn record_in(
    conn: &mut AnyConnection,
    actor: &Actor,
    action: AuditAction,
    subject: Option<&str>,
    detail: serde_json::Value,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO audit_events (id, actor_id, action, subject, detail, at, via) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(new_id())
    .bind(actor.user.as_ref().map(|u| u.0.clone()))
    .bind(action.as_str().to_string())
    .bind(subject.map(str::to_string))
    .bind(detail.to_string())
    .bind(now())
    .bind(actor.via.as_str())
    .execute(conn)
    .await?;
    Ok(())
}

/// Records an event that is not itself a database change (a sign-in, a DICOMweb export);
/// a failure is logged and does not undo the action.
pub async fn record(
    db: &Db,
    actor: &Actor,
    action: AuditAction,
    subject: Option<&str>,
    detail: serde_json::Value,
) {
    let written = async {
        let mut conn = db.pool.acquire().await?;
        record_in(&mut conn, actor, action, subject, detail).await
    };
    if let Err(err) = written.await {
        tracing::error!(error = %err, action = action.as_str(), "could not write the audit event");
    }
}

/// Number of events with this action (used by tests and the admin overview).
pub async fn count(db: &Db, action: AuditAction) -> Result<i64> {
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM audit_events WHERE action = $1")
        .bind(action.as_str().to_string())
        .fetch_one(&db.pool)
        .await?;
    Ok(n)
}

/// An event with names instead of ids where they resolve.
#[derive(sqlx::FromRow)]
struct AuditRow {
    id: String,
    at: i64,
    /// The actor's username.
    actor: Option<String>,
    action: String,
    /// The subject's id.
    subject: Option<String>,
    /// The subject's username or site code.
    subject_name: Option<String>,
    detail: String,
    via: String,
}

impl From<AuditRow> for model::AuditEvent {
    fn from(r: AuditRow) -> model::AuditEvent {
        model::AuditEvent {
            id: r.id,
            at: r.at,
            actor: r.actor,
            action: r.action,
            subject: r.subject_name.or(r.subject),
            detail: r.detail,
            via: AuditVia::parse(&r.via).unwrap_or(AuditVia::Web),
        }
    }
}

/// The most recent events, newest first, with names instead of ids where they resolve.
pub async fn recent(db: &Db, limit: i64, before: Option<i64>) -> Result<Vec<model::AuditEvent>> {
    let rows: Vec<AuditRow> = sqlx::query_as(
        "SELECT e.id, e.at, a.username AS actor, e.action, e.subject, \
                    COALESCE(su.username, ss.code) AS subject_name, e.detail, e.via \
             FROM audit_events e \
             LEFT JOIN users a ON a.id = e.actor_id \
             LEFT JOIN users su ON su.id = e.subject \
             LEFT JOIN sites ss ON ss.id = e.subject \
             WHERE e.at < $1 \
             ORDER BY e.at DESC, e.id DESC LIMIT $2",
    )
    .bind(before.unwrap_or(i64::MAX))
    .bind(limit)
    .fetch_all(&db.pool)
    .await?;
    Ok(rows.into_iter().map(model::AuditEvent::from).collect())
}
