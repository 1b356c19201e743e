//! Comments at a time of a replay: anyone who may watch it reads and writes them, and each
//! links back to its moment.
use super::library::visible;
use super::{invalid, timestamp};
use crate::{Db, Result, now};
use model::replay::{MAX_TEXT, ReplayComment};
use model::{CurrentUser, InvalidReason, ReplayId};

/// A comment with its author's name.
#[derive(sqlx::FromRow)]
struct CommentRow {
    id: i64,
    author_id: String,
    author: String,
    t_ms: i64,
    body: String,
    created_at: i64,
}

impl CommentRow {
    fn view(self, user: &CurrentUser) -> ReplayComment {
        ReplayComment {
            id: self.id,
            mine: self.author_id == user.id.0,
            author: self.author,
            t_ms: self.t_ms.max(0) as u64,
            body: self.body,
            created_at: timestamp(self.created_at),
        }
    }
}

/// The comments on a replay `user` may watch, in time order.
pub async fn comments(db: &Db, user: &CurrentUser, id: &ReplayId) -> Result<Vec<ReplayComment>> {
    visible(db, user, id).await?;
    let rows: Vec<CommentRow> = sqlx::query_as(
        "SELECT c.id, c.author_id, u.display_name AS author, c.t_ms, c.body, c.created_at \
         FROM replay_comments c JOIN users u ON u.id = c.author_id \
         WHERE c.replay_id = $1 ORDER BY c.t_ms, c.id",
    )
    .bind(id.as_str())
    .fetch_all(&db.pool)
    .await?;
    Ok(rows.into_iter().map(|r| r.view(user)).collect())
}

#[derive(sqlx::FromRow)]
struct NewComment {
    id: i64,
}

/// Adds a comment at `t_ms` (inside the replay) to a replay `user` may watch.
pub async fn add_comment(
    db: &Db,
    user: &CurrentUser,
    id: &ReplayId,
    t_ms: u64,
    body: &str,
) -> Result<ReplayComment> {
    let body = body.trim();
    if body.is_empty() {
        return Err(invalid("body", InvalidReason::Required));
    }
    if body.chars().count() > MAX_TEXT {
        return Err(invalid("body", InvalidReason::TooLong));
    }
    let (_, row) = visible(db, user, id).await?;
    if t_ms > row.duration_ms.max(0) as u64 {
        return Err(invalid("t_ms", InvalidReason::PastEnd));
    }
    let at = now();
    let created: NewComment = sqlx::query_as(
        "INSERT INTO replay_comments (replay_id, author_id, t_ms, body, created_at) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(id.as_str())
    .bind(&user.id.0)
    .bind(t_ms as i64)
    .bind(body)
    .bind(at)
    .fetch_one(&db.pool)
    .await?;
    Ok(ReplayComment {
        id: created.id,
        author: user.display_name.clone(),
        t_ms,
        body: body.to_string(),
        created_at: timestamp(at),
        mine: true,
    })
}
