//! Consultation on published cases (comments that may point at a clip frame, answers marked
//! by experts) and the in-app notifications it sends.
use super::row;
use crate::{Db, Result, new_id, now};
use model::cases::{CaseComment, CaseId, FrameRef, Notification, limits};
use model::{AppError, CurrentUser, InvalidReason, Role, UserId};

/// A consultation comment with its author's name and role.
#[derive(sqlx::FromRow)]
struct CommentRow {
    id: String,
    author_id: String,
    author_name: String,
    author_role: String,
    body: String,
    sop_uid: Option<String>,
    frame: Option<i64>,
    is_answer: i64,
    created_at: i64,
}

impl From<CommentRow> for CaseComment {
    fn from(r: CommentRow) -> CaseComment {
        CaseComment {
            id: r.id,
            author_id: UserId(r.author_id),
            author_name: r.author_name,
            author_role: Role::parse(&r.author_role).unwrap_or(Role::Learner),
            body: r.body,
            frame: match (r.sop_uid, r.frame) {
                (Some(sop_uid), Some(frame)) => Some(FrameRef {
                    sop_uid,
                    frame: frame as u32,
                }),
                _ => None,
            },
            is_answer: r.is_answer != 0,
            created_at: r.created_at,
        }
    }
}

/// A case's consultation in the order it was written.
pub async fn comments(db: &Db, case: &str) -> Result<Vec<CaseComment>> {
    let rows: Vec<CommentRow> = sqlx::query_as(
        "SELECT m.id, m.author_id, u.display_name AS author_name, u.role AS author_role, m.body, \
         m.sop_uid, m.frame, m.is_answer, m.created_at \
         FROM case_comments m JOIN users u ON u.id = m.author_id \
         WHERE m.case_id = $1 ORDER BY m.created_at, m.id",
    )
    .bind(case)
    .fetch_all(&db.pool)
    .await?;
    Ok(rows.into_iter().map(CaseComment::from).collect())
}

/// Adds a comment to a case the caller can read; the author and everyone who took part
/// before are notified. A frame reference must name one of the case's clips.
pub async fn add_comment(
    db: &Db,
    actor: &CurrentUser,
    case: &str,
    body: &str,
    frame: Option<FrameRef>,
) -> Result<CaseComment> {
    let body = body.trim();
    if body.is_empty() {
        return Err(AppError::invalid("body", InvalidReason::Required).into());
    }
    if body.chars().count() > limits::COMMENT {
        return Err(AppError::invalid("body", InvalidReason::TooLong).into());
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
                .await?;
        if frames.is_none_or(|(n,)| i64::from(f.frame) >= n.max(1)) {
            return Err(AppError::invalid("frame", InvalidReason::BadFormat).into());
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
    .await?;
    let row = row(db, case)
        .await?
        .ok_or(AppError::NotFound("case".into()))?;
    let mut people: Vec<String> = sqlx::query_as::<_, (String,)>(
        "SELECT DISTINCT author_id FROM case_comments WHERE case_id = $1",
    )
    .bind(case)
    .fetch_all(&db.pool)
    .await?
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

/// The comment being marked: its case, its author and what they wrote.
#[derive(sqlx::FromRow)]
struct MarkedComment {
    #[sqlx(rename = "case_id")]
    case: String,
    #[sqlx(rename = "author_id")]
    author: String,
    body: String,
}

/// Marks (or unmarks) a comment as the answer; the comment's author is told.
pub async fn mark_answer(
    db: &Db,
    actor: &CurrentUser,
    comment: &str,
    answer: bool,
) -> Result<CaseId> {
    let found: Option<MarkedComment> =
        sqlx::query_as("SELECT case_id, author_id, body FROM case_comments WHERE id = $1")
            .bind(comment)
            .fetch_optional(&db.pool)
            .await?;
    let MarkedComment { case, author, body } = found.ok_or(AppError::NotFound("comment".into()))?;
    if !super::is_visible(db, &case).await? {
        return Err(AppError::NotFound("comment".into()).into());
    }
    sqlx::query("UPDATE case_comments SET is_answer = $1 WHERE id = $2")
        .bind(i64::from(answer))
        .bind(comment)
        .execute(&db.pool)
        .await?;
    if answer && author != actor.id.0 {
        notify(db, &UserId(author), &case, &actor.id, "answer", &body).await?;
    }
    Ok(CaseId(case))
}

/// How much of a comment a notification quotes.
const EXCERPT_CHARS: usize = 140;

/// The start of `text`, at most `max` characters; a cut one ends with "…", at a word's end
/// when there is one near (Chinese has no spaces: it is cut at the character).
fn excerpt_of(text: &str, max: usize) -> String {
    let text = text.trim();
    if text.chars().count() <= max {
        return text.to_string();
    }
    let head: String = text.chars().take(max - 1).collect();
    let near_end = head
        .char_indices()
        .rev()
        .take(20)
        .find(|(_, c)| c.is_whitespace());
    let head = match near_end {
        Some((at, _)) => &head[..at],
        None => head.as_str(),
    };
    format!("{}…", head.trim_end())
}

/// Queues an in-app notification for `user`.
pub async fn notify(
    db: &Db,
    user: &UserId,
    case: &str,
    actor: &UserId,
    kind: &str,
    excerpt: &str,
) -> Result<()> {
    let excerpt = excerpt_of(excerpt, EXCERPT_CHARS);
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
    .await?;
    Ok(())
}

/// A notification with its case's titles and the actor's name.
#[derive(sqlx::FromRow)]
struct NotificationRow {
    id: String,
    case_id: String,
    /// The published title; empty until the case is published.
    title: String,
    /// The working copy, for the title of a case still in curation.
    content: String,
    actor_name: String,
    kind: String,
    excerpt: String,
    read_at: Option<i64>,
    created_at: i64,
}

impl From<NotificationRow> for Notification {
    fn from(r: NotificationRow) -> Notification {
        Notification {
            id: r.id,
            case_id: CaseId(r.case_id),
            // The published title once there is one; the working title for curation notes.
            case_title: if r.title.is_empty() {
                super::content_from(&r.content)
                    .map(|c| c.title)
                    .unwrap_or_default()
            } else {
                r.title
            },
            actor_name: r.actor_name,
            kind: r.kind,
            excerpt: r.excerpt,
            read: r.read_at.is_some(),
            created_at: r.created_at,
        }
    }
}

/// A user's latest notifications, newest first.
pub async fn notifications(db: &Db, user: &UserId) -> Result<Vec<Notification>> {
    let rows: Vec<NotificationRow> = sqlx::query_as(
        "SELECT n.id, n.case_id, c.title, c.content, u.display_name AS actor_name, n.kind, \
         n.excerpt, n.read_at, n.created_at \
         FROM notifications n JOIN cases c ON c.id = n.case_id JOIN users u ON u.id = n.actor_id \
         WHERE n.user_id = $1 ORDER BY n.created_at DESC, n.id DESC LIMIT 100",
    )
    .bind(&user.0)
    .fetch_all(&db.pool)
    .await?;
    Ok(rows.into_iter().map(Notification::from).collect())
}

/// How many notifications the user has not opened.
pub async fn unread_count(db: &Db, user: &UserId) -> Result<u32> {
    let (n,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND read_at IS NULL")
            .bind(&user.0)
            .fetch_one(&db.pool)
            .await?;
    Ok(n as u32)
}

/// Marks one notification (or, with `None`, all of them) as read.
pub async fn mark_read(db: &Db, user: &UserId, id: Option<&str>) -> Result<()> {
    sqlx::query(
        "UPDATE notifications SET read_at = $1 WHERE user_id = $2 AND read_at IS NULL \
         AND ($3 = '' OR id = $3)",
    )
    .bind(now())
    .bind(&user.0)
    .bind(id.unwrap_or_default())
    .execute(&db.pool)
    .await?;
    Ok(())
}

#[cfg(test)]
mod excerpt_tests {
    use super::excerpt_of;

    #[test]
    fn short_text_is_quoted_whole() {
        assert_eq!(
            excerpt_of("  Is this a plaque?  ", 140),
            "Is this a plaque?"
        );
    }

    #[test]
    fn long_latin_text_is_cut_at_a_word_with_an_ellipsis() {
        let text = "The plaque at the origin of the right ICA looks calcified to me, do you agree";
        let cut = excerpt_of(text, 30);
        assert_eq!(cut, "The plaque at the origin of…");
        assert!(cut.chars().count() <= 30);
    }

    #[test]
    fn long_chinese_text_is_cut_at_a_character_with_an_ellipsis() {
        let text = "右侧颈内动脉起始段可见混合回声斑块伴钙化声影，请问狭窄程度如何评估";
        let cut = excerpt_of(text, 10);
        assert_eq!(cut, "右侧颈内动脉起始段…");
        assert_eq!(cut.chars().count(), 10);
    }
}
