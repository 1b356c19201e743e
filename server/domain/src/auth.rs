//! Passwords (argon2id, hashed off the async threads) and sign-in with rate limiting.
use super::audit::{self, Actor};
use super::{AppState, Db, Result, new_id, now, users};
use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use model::{AppError, AuditAction, UserId};

/// Hashes a password with argon2id on the blocking pool.
pub async fn hash_password(password: String) -> Result<String> {
    let hashed = tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut rand::rngs::OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| anyhow::anyhow!("hashing failed: {e}"))
    })
    .await??;
    Ok(hashed)
}

/// Checks a password against a stored hash on the blocking pool.
pub async fn verify_password(password: String, hash: String) -> Result<bool> {
    let verified = tokio::task::spawn_blocking(move || {
        let parsed =
            PasswordHash::new(&hash).map_err(|e| anyhow::anyhow!("stored hash unreadable: {e}"))?;
        Ok::<_, anyhow::Error>(
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok(),
        )
    })
    .await??;
    Ok(verified)
}

/// A hash that verifies nothing, so unknown accounts cost the same time as known ones.
const DECOY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c29ub2h1Yi1kZWNveQ$0n1v2cFq6Cq1pGkqN2b0b5u3qK7mJr1VQ3xwJ4uBq0Y";

async fn failures_since(db: &Db, column: &str, value: &str, since: i64) -> Result<i64> {
    let (n,): (i64,) = sqlx::query_as(&format!(
        "SELECT COUNT(*) FROM login_attempts WHERE {column} = $1 AND succeeded = 0 AND at >= $2"
    ))
    .bind(value.to_string())
    .bind(since)
    .fetch_one(&db.pool)
    .await?;
    Ok(n)
}

/// Records an attempt; a successful one is also the account's `SignIn` audit event, in the
/// same transaction.
async fn record_attempt(
    db: &Db,
    username: &str,
    ip: &str,
    signed_in: Option<&UserId>,
) -> Result<()> {
    let mut tx = db.pool.begin().await?;
    sqlx::query(
        "INSERT INTO login_attempts (id, username, ip, succeeded, at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(new_id())
    .bind(username.to_string())
    .bind(ip.to_string())
    .bind(i64::from(signed_in.is_some()))
    .bind(now())
    .execute(&mut *tx)
    .await?;
    if let Some(user) = signed_in {
        let detail = serde_json::json!({ "ip": ip });
        audit::record_in(
            &mut tx,
            &Actor::web(user),
            AuditAction::SignIn,
            None,
            detail,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Checks a sign-in. Refuses without saying whether the account exists, and refuses every
/// attempt once an account or an address has failed too often inside the window.
pub async fn authenticate(
    state: &AppState,
    username: &str,
    password: &str,
    ip: &str,
) -> Result<UserId> {
    let db = &state.db;
    let s = &state.settings;
    let username = username.trim().to_lowercase();
    if username.is_empty() || password.is_empty() {
        return Err(AppError::BadCredentials.into());
    }
    let since = now() - s.login_window_secs;
    let by_account = failures_since(db, "username", &username, since).await?;
    let by_ip = failures_since(db, "ip", ip, since).await?;
    if by_account >= s.max_failures_per_account || by_ip >= s.max_failures_per_ip {
        tracing::warn!(%username, %ip, by_account, by_ip, "sign-in rate limited");
        return Err(AppError::RateLimited.into());
    }
    let creds = users::credentials(db, &username).await?;
    let hash = creds
        .as_ref()
        .map(|c| c.password_hash.clone())
        .unwrap_or_else(|| DECOY_HASH.to_string());
    let matches = verify_password(password.to_string(), hash).await?;
    let ok = match creds {
        Some(c) if matches && c.active => Some(c.id),
        _ => None,
    };
    record_attempt(db, &username, ip, ok.as_ref()).await?;
    ok.ok_or_else(|| AppError::BadCredentials.into())
}

/// Forgets attempts older than a day so the table stays small.
pub async fn prune_attempts(db: &Db) -> Result<u64> {
    let res = sqlx::query("DELETE FROM login_attempts WHERE at < $1")
        .bind(now() - 24 * 3600)
        .execute(&db.pool)
        .await?;
    Ok(res.rows_affected())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_verify_only_their_password() {
        let h = hash_password("correct horse battery".into()).await.unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(
            verify_password("correct horse battery".into(), h.clone())
                .await
                .unwrap()
        );
        assert!(
            !verify_password("correct horse battery!".into(), h)
                .await
                .unwrap()
        );
    }

    #[tokio::test]
    async fn decoy_hash_parses_and_rejects() {
        assert!(
            !verify_password("anything".into(), DECOY_HASH.into())
                .await
                .unwrap()
        );
    }
}
