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
