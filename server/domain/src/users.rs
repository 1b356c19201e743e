//! People: accounts, their role and site, and their password hashes.
use super::{Db, new_id, now, sites};
use model::{CurrentUser, Role, SiteId, UserId, UserSummary};

type UserRow = (String, String, String, String, String, i64, i64);

const USER_COLUMNS: &str = "id, username, display_name, role, site_id, active, created_at";

fn summary_from_row(
    (id, username, display_name, role, site_id, active, created_at): UserRow,
) -> UserSummary {
    UserSummary {
        id: UserId(id),
        username,
        display_name,
        role: Role::parse(&role).unwrap_or(Role::Learner),
        site_id: SiteId(site_id),
        active: active != 0,
        created_at,
    }
}

/// An account as stored, with its hash, for sign-in.
#[derive(Debug, Clone)]
pub struct Credentials {
    pub id: UserId,
    pub password_hash: String,
    pub active: bool,
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
pub async fn insert(db: &Db, user: InsertUser<'_>) -> Result<Option<UserId>, sqlx::Error> {
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
    .execute(&db.pool)
    .await;
    match res {
        Ok(_) => Ok(Some(UserId(id))),
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => Ok(None),
        Err(e) => Err(e),
    }
}

/// The stored hash and state of an account, by username.
pub async fn credentials(db: &Db, username: &str) -> Result<Option<Credentials>, sqlx::Error> {
    let row: Option<(String, String, i64)> =
        sqlx::query_as("SELECT id, password_hash, active FROM users WHERE username = $1")
            .bind(username.to_string())
            .fetch_optional(&db.pool)
            .await?;
    Ok(row.map(|(id, password_hash, active)| Credentials {
        id: UserId(id),
        password_hash,
        active: active != 0,
    }))
}

/// The stored hash of an account, by id.
pub async fn password_hash(db: &Db, id: &UserId) -> Result<Option<String>, sqlx::Error> {
    let row: Option<(String,)> = sqlx::query_as("SELECT password_hash FROM users WHERE id = $1")
        .bind(id.0.clone())
        .fetch_optional(&db.pool)
        .await?;
    Ok(row.map(|(h,)| h))
}

/// One account by id, active or not.
pub async fn get(db: &Db, id: &UserId) -> Result<Option<UserSummary>, sqlx::Error> {
    let row: Option<UserRow> =
        sqlx::query_as(&format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1"))
            .bind(id.0.clone())
            .fetch_optional(&db.pool)
            .await?;
    Ok(row.map(summary_from_row))
}

/// The signed-in person with their site; `None` when missing or disabled.
pub async fn current(db: &Db, id: &UserId) -> Result<Option<CurrentUser>, sqlx::Error> {
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
pub async fn list(
    db: &Db,
    site: Option<&SiteId>,
    role: Option<Role>,
) -> Result<Vec<UserSummary>, sqlx::Error> {
    let rows: Vec<UserRow> = sqlx::query_as(&format!(
        "SELECT {USER_COLUMNS} FROM users \
         WHERE ($1 = '' OR site_id = $1) AND ($2 = '' OR role = $2) \
         ORDER BY site_id, display_name, username"
    ))
    .bind(site.map(|s| s.0.clone()).unwrap_or_default())
    .bind(role.map(Role::as_str).unwrap_or_default())
    .fetch_all(&db.pool)
    .await?;
    Ok(rows.into_iter().map(summary_from_row).collect())
}

/// Enables or disables an account; false when there is no such account.
pub async fn set_active(db: &Db, id: &UserId, active: bool) -> Result<bool, sqlx::Error> {
    let res = sqlx::query("UPDATE users SET active = $1, updated_at = $2 WHERE id = $3")
        .bind(i64::from(active))
        .bind(now())
        .bind(id.0.clone())
        .execute(&db.pool)
        .await?;
    Ok(res.rows_affected() == 1)
}

/// Replaces an account's password hash; false when there is no such account.
pub async fn set_password_hash(db: &Db, id: &UserId, hash: &str) -> Result<bool, sqlx::Error> {
    let res = sqlx::query("UPDATE users SET password_hash = $1, updated_at = $2 WHERE id = $3")
        .bind(hash.to_string())
        .bind(now())
        .bind(id.0.clone())
        .execute(&db.pool)
        .await?;
    Ok(res.rows_affected() == 1)
}

/// Number of active administrators (the last one may not be disabled).
pub async fn active_admins(db: &Db) -> Result<i64, sqlx::Error> {
    let (n,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM users WHERE role = 'admin' AND active = 1")
            .fetch_one(&db.pool)
            .await?;
    Ok(n)
}

/// Number of accounts of any kind.
pub async fn count(db: &Db) -> Result<i64, sqlx::Error> {
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM users")
        .fetch_one(&db.pool)
        .await?;
    Ok(n)
}
