//! People: accounts, their role and site, and their password hashes.
use super::audit::{self, Actor};
use super::{Db, DbKind, Result, auth, new_id, now, sites};
use model::{
    AppError, AuditAction, CurrentUser, InvalidReason, NewUser, Role, SiteId, UserId, UserSummary,
    rules,
};
use sqlx::AnyConnection;

/// A `users` row as `USER_COLUMNS` selects it.
#[derive(sqlx::FromRow)]
struct UserRow {
    id: String,
    username: String,
    display_name: String,
    role: String,
    site_id: String,
    active: i64,
    created_at: i64,
}

const USER_COLUMNS: &str = "id, username, display_name, role, site_id, active, created_at";

impl From<UserRow> for UserSummary {
    fn from(r: UserRow) -> UserSummary {
        UserSummary {
            id: UserId(r.id),
            username: r.username,
            display_name: r.display_name,
            role: Role::parse(&r.role).unwrap_or(Role::Learner),
            site_id: SiteId(r.site_id),
            active: r.active != 0,
            created_at: r.created_at,
        }
    }
}

/// An account as stored, with its hash, for sign-in.
#[derive(Debug, Clone)]
pub struct Credentials {
    pub id: UserId,
    pub password_hash: String,
    pub active: bool,
}

/// The `users` columns sign-in reads.
#[derive(sqlx::FromRow)]
struct CredentialsRow {
    id: String,
    password_hash: String,
    active: i64,
}

impl From<CredentialsRow> for Credentials {
    fn from(r: CredentialsRow) -> Credentials {
        Credentials {
            id: UserId(r.id),
            password_hash: r.password_hash,
            active: r.active != 0,
        }
    }
}

/// Fields of a new account, already validated and hashed.
pub struct InsertUser<'a> {
    pub username: &'a str,
    pub display_name: &'a str,
    pub role: Role,
    pub site_id: &'a SiteId,
    pub password_hash: &'a str,
}

/// Inserts an account; `Ok(None)` when the username is taken.
pub async fn insert(db: &Db, user: InsertUser<'_>) -> Result<Option<UserId>> {
    let mut conn = db.pool.acquire().await?;
    insert_in(&mut conn, user).await
}

/// `insert` on a connection or inside a transaction.
async fn insert_in(conn: &mut AnyConnection, user: InsertUser<'_>) -> Result<Option<UserId>> {
    let id = new_id();
    let t = now();
    let res = sqlx::query(
        "INSERT INTO users (id, username, display_name, role, site_id, password_hash, active, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, 1, $7, $8)",
    )
    .bind(id.clone())
    .bind(user.username.to_string())
    .bind(user.display_name.to_string())
    .bind(user.role.as_str())
    .bind(user.site_id.0.clone())
    .bind(user.password_hash.to_string())
    .bind(t)
    .bind(t)
    .execute(conn)
    .await;
    match res {
        Ok(_) => Ok(Some(UserId(id))),
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// Creates an account on an admin's behalf: the fields are checked, the password hashed, and
/// the account and its audit record written in one transaction.
pub async fn create(db: &Db, actor: &Actor, user: NewUser) -> Result<UserSummary> {
    let username = rules::username(&user.username).map_err(|r| AppError::invalid("username", r))?;
    let display_name = rules::display_name(&user.display_name)
        .map_err(|r| AppError::invalid("display_name", r))?;
    rules::password(&user.password).map_err(|r| AppError::invalid("password", r))?;
    let site = sites::get(db, &user.site_id)
        .await?
        .ok_or_else(|| AppError::invalid("site", InvalidReason::Unknown))?;
    let hash = auth::hash_password(user.password).await?;
    let mut tx = db.pool.begin().await?;
    let new = InsertUser {
        username: &username,
        display_name: &display_name,
        role: user.role,
        site_id: &site.id,
        password_hash: &hash,
    };
    let id = insert_in(&mut tx, new)
        .await?
        .ok_or_else(|| AppError::invalid("username", InvalidReason::Taken))?;
    audit::record_in(
        &mut tx,
        actor,
        AuditAction::UserCreated,
        Some(&id.0),
        serde_json::json!({ "username": username, "role": user.role.as_str(), "site": site.code }),
    )
    .await?;
    tx.commit().await?;
    crate::courses::join_site_cohorts(db, &id.0).await?;
    Ok(get(db, &id).await?.ok_or(AppError::Internal)?)
}

/// The stored hash and state of an account, by username.
pub async fn credentials(db: &Db, username: &str) -> Result<Option<Credentials>> {
    let row: Option<CredentialsRow> =
        sqlx::query_as("SELECT id, password_hash, active FROM users WHERE username = $1")
            .bind(username.to_string())
            .fetch_optional(&db.pool)
            .await?;
    Ok(row.map(Credentials::from))
}

/// The stored hash of an account, by id.
pub async fn password_hash(db: &Db, id: &UserId) -> Result<Option<String>> {
    let row: Option<(String,)> = sqlx::query_as("SELECT password_hash FROM users WHERE id = $1")
        .bind(id.0.clone())
        .fetch_optional(&db.pool)
        .await?;
    Ok(row.map(|(h,)| h))
}

/// What a session remembers of the password it was opened with: a digest of the stored hash,
/// which changes with every change or reset (each new hash has a new salt). A session whose
/// stamp no longer matches was opened before the password changed and is over.
pub fn credential_stamp(password_hash: &str) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(password_hash.as_bytes());
    digest[..16].iter().map(|b| format!("{b:02x}")).collect()
}

/// The signed-in person (as `current`) with their account's credential stamp.
pub async fn current_with_stamp(db: &Db, id: &UserId) -> Result<Option<(CurrentUser, String)>> {
    let Some(hash) = password_hash(db, id).await? else {
        return Ok(None);
    };
    Ok(current(db, id)
        .await?
        .map(|user| (user, credential_stamp(&hash))))
}

/// One account by id, active or not.
pub async fn get(db: &Db, id: &UserId) -> Result<Option<UserSummary>> {
    let row: Option<UserRow> =
        sqlx::query_as(&format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1"))
            .bind(id.0.clone())
            .fetch_optional(&db.pool)
            .await?;
    Ok(row.map(UserSummary::from))
}

/// The signed-in person with their site; `None` when missing or disabled.
pub async fn current(db: &Db, id: &UserId) -> Result<Option<CurrentUser>> {
    let Some(user) = get(db, id).await? else {
        return Ok(None);
    };
    if !user.active {
        return Ok(None);
    }
    let Some(site) = sites::get(db, &user.site_id).await? else {
        return Ok(None);
    };
    Ok(Some(CurrentUser {
        id: user.id,
        username: user.username,
        display_name: user.display_name,
        role: user.role,
        site,
    }))
}

/// Accounts, optionally of one site and/or role, by site then name.
pub async fn list(db: &Db, site: Option<&SiteId>, role: Option<Role>) -> Result<Vec<UserSummary>> {
    let rows: Vec<UserRow> = sqlx::query_as(&format!(
        "SELECT {USER_COLUMNS} FROM users \
         WHERE ($1 = '' OR site_id = $1) AND ($2 = '' OR role = $2) \
         ORDER BY site_id, display_name, username"
    ))
    .bind(site.map(|s| s.0.clone()).unwrap_or_default())
    .bind(role.map(Role::as_str).unwrap_or_default())
    .fetch_all(&db.pool)
    .await?;
    Ok(rows.into_iter().map(UserSummary::from).collect())
}

/// Enables or disables an account; false when there is no such account.
pub async fn set_active(db: &Db, id: &UserId, active: bool) -> Result<bool> {
    let res = sqlx::query("UPDATE users SET active = $1, updated_at = $2 WHERE id = $3")
        .bind(i64::from(active))
        .bind(now())
        .bind(id.0.clone())
        .execute(&db.pool)
        .await?;
    Ok(res.rows_affected() == 1)
}

/// Enables or disables an account on an admin's behalf, with its audit record, in one
/// transaction: the last active administrator is never disabled, even by two admins
/// disabling each other at the same moment. `None` when there is no such account.
pub async fn set_active_by(
    db: &Db,
    actor: &Actor,
    target: &UserId,
    active: bool,
) -> Result<Option<UserSummary>> {
    let mut tx = db.pool.begin().await?;
    if db.kind == DbKind::Postgres {
        // Serialises concurrent changes to the set of admins (SQLite serialises every write).
        sqlx::query("SELECT id FROM users WHERE role = 'admin' AND active = 1 FOR UPDATE")
            .fetch_all(&mut *tx)
            .await?;
    }
    let changed = sqlx::query(
        "UPDATE users SET active = $1, updated_at = $2 WHERE id = $3 AND ($1 = 1 OR role <> 'admin' \
         OR active = 0 OR (SELECT COUNT(*) FROM users WHERE role = 'admin' AND active = 1) > 1)",
    )
    .bind(i64::from(active))
    .bind(now())
    .bind(target.0.clone())
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if changed == 0 {
        return match get(db, target).await? {
            None => Ok(None),
            Some(_) => Err(AppError::invalid("role", InvalidReason::LastAdmin).into()),
        };
    }
    let action = if active {
        AuditAction::UserEnabled
    } else {
        AuditAction::UserDisabled
    };
    audit::record_in(
        &mut tx,
        actor,
        action,
        Some(&target.0),
        serde_json::json!({}),
    )
    .await?;
    tx.commit().await?;
    if active {
        crate::courses::join_site_cohorts(db, &target.0).await?;
    }
    get(db, target).await
}

/// Replaces an account's password hash; false when there is no such account.
async fn set_password_hash(conn: &mut AnyConnection, id: &UserId, hash: &str) -> Result<bool> {
    let res = sqlx::query("UPDATE users SET password_hash = $1, updated_at = $2 WHERE id = $3")
        .bind(hash.to_string())
        .bind(now())
        .bind(id.0.clone())
        .execute(conn)
        .await?;
    Ok(res.rows_affected() == 1)
}

/// Sets a new password for an account (an admin's reset, or the owner's change once the
/// current password was checked), with its audit record, in one transaction.
async fn store_password(
    db: &Db,
    actor: &Actor,
    action: AuditAction,
    id: &UserId,
    password: String,
    field: &'static str,
) -> Result<()> {
    rules::password(&password).map_err(|r| AppError::invalid(field, r))?;
    let hash = auth::hash_password(password).await?;
    let mut tx = db.pool.begin().await?;
    if !set_password_hash(&mut tx, id, &hash).await? {
        return Err(AppError::NotFound("user".into()).into());
    }
    audit::record_in(&mut tx, actor, action, Some(&id.0), serde_json::json!({})).await?;
    tx.commit().await?;
    Ok(())
}

/// Sets a new password for someone else's account (admins).
pub async fn reset_password(db: &Db, actor: &Actor, id: &UserId, password: String) -> Result<()> {
    store_password(
        db,
        actor,
        AuditAction::PasswordReset,
        id,
        password,
        "password",
    )
    .await
}

/// Changes one's own password after checking the current one.
pub async fn change_password(
    db: &Db,
    me: &UserId,
    current: String,
    new_password: String,
) -> Result<()> {
    rules::password(&new_password).map_err(|r| AppError::invalid("new_password", r))?;
    let hash = password_hash(db, me)
        .await?
        .ok_or(AppError::Unauthenticated)?;
    if !auth::verify_password(current, hash).await? {
        return Err(AppError::invalid("current_password", InvalidReason::Wrong).into());
    }
    let actor = Actor::web(me);
    store_password(
        db,
        &actor,
        AuditAction::PasswordChanged,
        me,
        new_password,
        "new_password",
    )
    .await
}

/// Number of active administrators (the last one may not be disabled).
pub async fn active_admins(db: &Db) -> Result<i64> {
    let (n,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM users WHERE role = 'admin' AND active = 1")
            .fetch_one(&db.pool)
            .await?;
    Ok(n)
}

/// Number of accounts of any kind.
pub async fn count(db: &Db) -> Result<i64> {
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM users")
        .fetch_one(&db.pool)
        .await?;
    Ok(n)
}
