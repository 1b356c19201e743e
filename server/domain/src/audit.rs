//! The audit trail: who did what to whom, kept for the admin.
use super::{Db, new_id, now};

/// Records one event; failures are logged, never shown, and never undo the action.
pub async fn record(
    db: &Db,
    actor: Option<&str>,
    action: &str,
    subject: Option<&str>,
    detail: serde_json::Value,
) {
    let res = sqlx::query(
        "INSERT INTO audit_events (id, actor_id, action, subject, detail, at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(new_id())
    .bind(actor.map(str::to_string))
    .bind(action.to_string())
    .bind(subject.map(str::to_string))
    .bind(detail.to_string())
    .bind(now())
    .execute(&db.pool)
    .await;
    if let Err(err) = res {
        tracing::error!(error = %err, action, "could not write the audit event");
    }
}

/// Number of events with this action (used by tests and the admin overview).
pub async fn count(db: &Db, action: &str) -> Result<i64, sqlx::Error> {
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM audit_events WHERE action = $1")
        .bind(action.to_string())
        .fetch_one(&db.pool)
        .await?;
    Ok(n)
}

/// id, at, actor, action, subject id, subject name, detail.
type AuditRow = (
    String,
    i64,
    Option<String>,
    String,
    Option<String>,
    Option<String>,
    String,
);

/// The most recent events, newest first, with names instead of ids where they resolve.
pub async fn recent(
    db: &Db,
    limit: i64,
    before: Option<i64>,
) -> Result<Vec<model::AuditEvent>, sqlx::Error> {
    let rows: Vec<AuditRow> = sqlx::query_as(
        "SELECT e.id, e.at, a.username, e.action, e.subject, \
                    COALESCE(su.username, ss.code), e.detail \
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
    Ok(rows
        .into_iter()
        .map(
            |(id, at, actor, action, subject, subject_name, detail)| model::AuditEvent {
                id,
                at,
                actor,
                action,
                subject: subject_name.or(subject),
                detail,
            },
        )
        .collect())
}
