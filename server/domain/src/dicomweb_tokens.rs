//! Read-only DICOMweb tokens: admins issue them to people and services by name, and revoke
//! them. A token is 160 random bits shown once at issue; only its SHA-256 is stored, so a
//! stolen database opens nothing. Each use is counted on the token (last use, number of
//! requests) and every answer that carries pixels out is audited with the token's name.
use crate::audit::{self, Actor};
use crate::{Db, Result, new_id, now};
use model::{AuditAction, DicomWebTokenView};
use rand::RngCore;
use sha2::{Digest, Sha256};

/// What every issued secret starts with, so one found in a log or a config is recognisable.
pub const PREFIX: &str = "shdw_";
/// The longest name and holder kept.
pub const MAX_NAME: usize = 80;
pub const MAX_HOLDER: usize = 120;

/// A token in force that a request presented.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct TokenRef {
    pub id: String,
    pub name: String,
}

/// What came of issuing.
#[derive(Debug)]
pub enum Issue {
    Issued(Box<model::IssuedToken>),
    /// Another token in force has this name.
    NameTaken,
}

fn sha256_hex(secret: &str) -> String {
    Sha256::digest(secret.trim().as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn new_secret() -> String {
    let mut bytes = [0u8; 20];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("{PREFIX}{hex}")
}

#[derive(sqlx::FromRow)]
struct TokenRow {
    id: String,
    name: String,
    holder: String,
    hint: String,
    created_by: Option<String>,
    created_at: i64,
    uses: i64,
    last_used_at: Option<i64>,
    revoked_at: Option<i64>,
    revoked_by: Option<String>,
}

impl From<TokenRow> for DicomWebTokenView {
    fn from(r: TokenRow) -> Self {
        DicomWebTokenView {
            id: r.id,
            name: r.name,
            holder: r.holder,
            hint: r.hint,
            created_by: r.created_by,
            created_at: r.created_at,
            uses: r.uses.max(0) as u64,
            last_used_at: r.last_used_at,
            revoked_at: r.revoked_at,
            revoked_by: r.revoked_by,
        }
    }
}

const COLUMNS: &str = "t.id, t.name, t.holder, t.hint, cu.display_name AS created_by, t.created_at, \
     t.uses, t.last_used_at, t.revoked_at, ru.display_name AS revoked_by \
     FROM dicomweb_tokens t LEFT JOIN users cu ON cu.id = t.created_by \
     LEFT JOIN users ru ON ru.id = t.revoked_by";

/// Every token, those in force first, newest first.
pub async fn list(db: &Db) -> Result<Vec<DicomWebTokenView>> {
    let rows: Vec<TokenRow> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} ORDER BY CASE WHEN t.revoked_at IS NULL THEN 0 ELSE 1 END, t.created_at DESC, t.id"
    ))
    .fetch_all(&db.pool)
    .await?;
    Ok(rows.into_iter().map(Into::into).collect())
}

/// Issues a token named `name` for `holder` (both already checked for length); audited.
pub async fn issue(db: &Db, actor: &Actor, name: &str, holder: &str) -> Result<Issue> {
    let mut tx = db.pool.begin().await?;
    let taken: Option<(String,)> =
        sqlx::query_as("SELECT id FROM dicomweb_tokens WHERE name = $1 AND revoked_at IS NULL")
            .bind(name)
            .fetch_optional(&mut *tx)
            .await?;
    if taken.is_some() {
        return Ok(Issue::NameTaken);
    }
    let (id, secret, at) = (new_id(), new_secret(), now());
    let hint = secret[..PREFIX.len() + 4].to_string();
    sqlx::query(
        "INSERT INTO dicomweb_tokens (id, name, holder, secret_sha256, hint, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&id)
    .bind(name)
    .bind(holder)
    .bind(sha256_hex(&secret))
    .bind(&hint)
    .bind(actor.user.as_ref().map(|u| u.0.clone()))
    .bind(at)
    .execute(&mut *tx)
    .await?;
    let detail = serde_json::json!({ "name": name, "holder": holder, "hint": hint });
    audit::record_in(
        &mut tx,
        actor,
        AuditAction::DicomWebTokenIssued,
        Some(&id),
        detail,
    )
    .await?;
    let row: TokenRow = sqlx::query_as(&format!("SELECT {COLUMNS} WHERE t.id = $1"))
        .bind(&id)
        .fetch_one(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(Issue::Issued(Box::new(model::IssuedToken {
        token: row.into(),
        secret,
    })))
}

/// Revokes a token in force; `false` when there is none with this id. Audited.
pub async fn revoke(db: &Db, actor: &Actor, id: &str) -> Result<bool> {
    let mut tx = db.pool.begin().await?;
    let name: Option<(String,)> = sqlx::query_as(
        "UPDATE dicomweb_tokens SET revoked_at = $2, revoked_by = $3 \
         WHERE id = $1 AND revoked_at IS NULL RETURNING name",
    )
    .bind(id)
    .bind(now())
    .bind(actor.user.as_ref().map(|u| u.0.clone()))
    .fetch_optional(&mut *tx)
    .await?;
    if let Some((name,)) = &name {
        let detail = serde_json::json!({ "name": name });
        audit::record_in(
            &mut tx,
            actor,
            AuditAction::DicomWebTokenRevoked,
            Some(id),
            detail,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(name.is_some())
}

/// The token in force whose secret is `secret`, if any.
pub async fn find(db: &Db, secret: &str) -> Result<Option<TokenRef>> {
    if !secret.trim().starts_with(PREFIX) {
        return Ok(None);
    }
    Ok(sqlx::query_as(
        "SELECT id, name FROM dicomweb_tokens WHERE secret_sha256 = $1 AND revoked_at IS NULL",
    )
    .bind(sha256_hex(secret))
    .fetch_optional(&db.pool)
    .await?)
}

/// Counts one request answered with the token.
pub async fn used(db: &Db, id: &str) -> Result<()> {
    sqlx::query("UPDATE dicomweb_tokens SET uses = uses + 1, last_used_at = $2 WHERE id = $1")
        .bind(id)
        .bind(now())
        .execute(&db.pool)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_prefixed_random_and_hashed_alike_with_spaces() {
        let (a, b) = (new_secret(), new_secret());
        assert_ne!(a, b);
        assert!(a.starts_with(PREFIX) && a.len() == PREFIX.len() + 40, "{a}");
        assert_eq!(sha256_hex(&a), sha256_hex(&format!(" {a}\n")));
        assert_ne!(sha256_hex(&a), sha256_hex(&b));
        assert_eq!(sha256_hex("abc").len(), 64);
    }
}
