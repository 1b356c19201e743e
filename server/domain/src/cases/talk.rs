//! Consultation on published cases (comments that may point at a clip frame, answers marked
//! by experts) and the in-app notifications it sends.
use super::row;
use crate::{Db, internal, new_id, now};
use model::cases::{CaseComment, CaseId, FrameRef, Notification, limits};
use model::{AppError, CurrentUser, InvalidReason, Role, UserId};

type CommentRow = (
    String,
    String,
    String,
    String,
    String,
    Option<String>,
    Option<i64>,
    i64,
    i64,
);

/// A case's consultation in the order it was written.
pub async fn comments(db: &Db, case: &str) -> Result<Vec<CaseComment>, AppError> {
    let rows: Vec<CommentRow> = sqlx::query_as(
        "SELECT m.id, m.author_id, u.display_name, u.role, m.body, m.sop_uid, m.frame, \
         m.is_answer, m.created_at FROM case_comments m JOIN users u ON u.id = m.author_id \
         WHERE m.case_id = $1 ORDER BY m.created_at, m.id",
    )
    .bind(case)
    .fetch_all(&db.pool)
    .await
    .map_err(internal)?;
    Ok(rows
        .into_iter()
        .map(
            |(id, author_id, author_name, role, body, sop_uid, frame, is_answer, created_at)| {
                CaseComment {
                    id,
                    author_id: UserId(author_id),
                    author_name,
                    author_role: Role::parse(&role).unwrap_or(Role::Learner),
                    body,
                    frame: match (sop_uid, frame) {
                        (Some(sop_uid), Some(frame)) => Some(FrameRef {
                            sop_uid,
                            frame: frame as u32,
                        }),
                        _ => None,
                    },
                    is_answer: is_answer != 0,
                    created_at,
                }
            },
        )
        .collect())
}

/// Adds a comment to a case the caller can read; the author and everyone who took part
/// before are notified. A frame reference must name one of the case's clips.
pub async fn add_comment(
    db: &Db,
    actor: &CurrentUser,
    case: &str,
    body: &str,
    frame: Option<FrameRef>,
) -> Result<CaseComment, AppError> {
    let body = body.trim();
    if body.is_empty() {
        return Err(AppError::invalid("body", InvalidReason::Required));
    }
    if body.chars().count() > limits::COMMENT {
        return Err(AppError::invalid("body", InvalidReason::TooLong));
    }
    let view = super::view(db, case, &actor.id)
        .await?
        .ok_or(AppError::NotFound("case".into()))?;
    if let Some(f) = &frame {
        let clip = view
            .content
            .clips
            .iter()
            .find(|c| c.sop_uid == f.sop_uid)
            .ok_or(AppError::invalid("frame", InvalidReason::Unknown))?;
        let frames: Option<(i64,)> =
            sqlx::query_as("SELECT frames FROM instances WHERE sop_uid = $1")
                .bind(&clip.sop_uid)
                .fetch_optional(&db.pool)
                .await
                .map_err(internal)?;
        if frames.is_none_or(|(n,)| i64::from(f.frame) >= n.max(1)) {
            return Err(AppError::invalid("frame", InvalidReason::BadFormat));
        }
    }
    let comment = CaseComment {
        id: new_id(),
        author_id: actor.id.clone(),
        author_name: actor.display_name.clone(),
        author_role: actor.role,
        body: body.to_string(),
        frame,
        is_answer: false,
        created_at: now(),
    };
    sqlx::query(
        "INSERT INTO case_comments (id, case_id, author_id, body, sop_uid, frame, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&comment.id)
    .bind(case)
    .bind(&actor.id.0)
    .bind(&comment.body)
    .bind(comment.frame.as_ref().map(|f| f.sop_uid.clone()))
    .bind(comment.frame.as_ref().map(|f| i64::from(f.frame)))
    .bind(comment.created_at)
    .execute(&db.pool)
    .await
    .map_err(internal)?;
    let row = row(db, case)
        .await?
        .ok_or(AppError::NotFound("case".into()))?;
    let mut people: Vec<String> = sqlx::query_as::<_, (String,)>(
        "SELECT DISTINCT author_id FROM case_comments WHERE case_id = $1",
    )
    .bind(case)
    .fetch_all(&db.pool)
    .await
    .map_err(internal)?
    .into_iter()
    .map(|(id,)| id)
    .collect();
    people.push(row.author_id);
    people.sort();
    people.dedup();
    for person in people.into_iter().filter(|p| *p != actor.id.0) {
        notify(db, &UserId(person), case, &actor.id, "reply", &comment.body).await?;
    }
    Ok(comment)
}

/// Marks (or unmarks) a comment as the answer; the comment's author is told.
pub async fn mark_answer(
    db: &Db,
    actor: &CurrentUser,
    comment: &str,
    answer: bool,
) -> Result<CaseId, AppError> {
    let found: Option<(String, String, String)> =
        sqlx::query_as("SELECT case_id, author_id, body FROM case_comments WHERE id = $1")
            .bind(comment)
            .fetch_optional(&db.pool)
            .await
            .map_err(internal)?;
    let (case, author, body) = found.ok_or(AppError::NotFound("comment".into()))?;
    if !super::is_visible(db, &case).await? {
        return Err(AppError::NotFound("comment".into()));
    }
    sqlx::query("UPDATE case_comments SET is_answer = $1 WHERE id = $2")
        .bind(i64::from(answer))
        .bind(comment)
        .execute(&db.pool)
        .await
        .map_err(internal)?;
    if answer && author != actor.id.0 {
        notify(db, &UserId(author), &case, &actor.id, "answer", &body).await?;
    }
    Ok(CaseId(case))
}

/// Queues an in-app notification for `user`.
pub async fn notify(
    db: &Db,
    user: &UserId,
    case: &str,
    actor: &UserId,
    kind: &str,
    excerpt: &str,
) -> Result<(), AppError> {
    let excerpt: String = excerpt.chars().take(140).collect();
    sqlx::query(
        "INSERT INTO notifications (id, user_id, case_id, actor_id, kind, excerpt, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(new_id())
    .bind(&user.0)
    .bind(case)
    .bind(&actor.0)
    .bind(kind)
    .bind(excerpt)
    .bind(now())
    .execute(&db.pool)
    .await
    .map_err(internal)?;
    Ok(())
}

/// A user's latest notifications, newest first.
pub async fn notifications(db: &Db, user: &UserId) -> Result<Vec<Notification>, AppError> {
    type Row = (
        String,
        String,
        String,
        String,
        String,
        String,
        String,
        Option<i64>,
        i64,
    );
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT n.id, n.case_id, c.title, c.content, u.display_name, n.kind, n.excerpt, n.read_at, n.created_at \
         FROM notifications n JOIN cases c ON c.id = n.case_id JOIN users u ON u.id = n.actor_id \
         WHERE n.user_id = $1 ORDER BY n.created_at DESC, n.id DESC LIMIT 100",
    )
    .bind(&user.0)
    .fetch_all(&db.pool)
    .await
    .map_err(internal)?;
    Ok(rows
        .into_iter()
        .map(
            |(id, case_id, title, content, actor_name, kind, excerpt, read_at, created_at)| {
                Notification {
                    id,
                    case_id: CaseId(case_id),
                    // The published title once there is one; the working title for curation notes.
                    case_title: if title.is_empty() {
                        super::content_from(&content)
                            .map(|c| c.title)
                            .unwrap_or_default()
                    } else {
                        title
                    },
                    actor_name,
                    kind,
                    excerpt,
                    read: read_at.is_some(),
                    created_at,
                }
            },
        )
        .collect())
}

/// How many notifications the user has not opened.
pub async fn unread_count(db: &Db, user: &UserId) -> Result<u32, AppError> {
    let (n,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND read_at IS NULL")
            .bind(&user.0)
            .fetch_one(&db.pool)
            .await
            .map_err(internal)?;
    Ok(n as u32)
}

/// Marks one notification (or, with `None`, all of them) as read.
pub async fn mark_read(db: &Db, user: &UserId, id: Option<&str>) -> Result<(), AppError> {
    sqlx::query(
        "UPDATE notifications SET read_at = $1 WHERE user_id = $2 AND read_at IS NULL \
         AND ($3 = '' OR id = $3)",
    )
    .bind(now())
    .bind(&user.0)
    .bind(id.unwrap_or_default())
    .execute(&db.pool)
    .await
    .map_err(internal)?;
    Ok(())
}
