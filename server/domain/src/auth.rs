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

/// Argon2 hashes running at once: each takes 19 MiB and a core for a while, so a flood of
/// sign-ins waits its turn instead of taking the machine's memory.
static HASHING: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(4);

/// Failed attempts since `since` matching `condition` (binds `$2`, `$3`… after the time).
async fn failures_since(db: &Db, condition: &str, values: &[&str], since: i64) -> Result<i64> {
    let sql = format!(
        "SELECT COUNT(*) FROM login_attempts WHERE succeeded = 0 AND at >= $1 AND {condition}"
    );
    let mut query = sqlx::query_as(&sql).bind(since);
    for v in values {
        query = query.bind(v.to_string());
    }
    let (n,): (i64,) = query.fetch_one(&db.pool).await?;
    Ok(n)
}

/// Whether `ip` signed in to the account lately (its owner's usual place), since `since`.
async fn signed_in_from(db: &Db, username: &str, ip: &str, since: i64) -> Result<bool> {
    let hit: Option<(i64,)> = sqlx::query_as(
        "SELECT 1 FROM login_attempts WHERE username = $1 AND ip = $2 AND succeeded = 1 \
         AND at >= $3 LIMIT 1",
    )
    .bind(username.to_string())
    .bind(ip.to_string())
    .bind(since)
    .fetch_optional(&db.pool)
    .await?;
    Ok(hit.is_some())
}

/// Records an attempt as failed before anything is checked; returns its id.
async fn record_attempt(db: &Db, username: &str, ip: &str) -> Result<String> {
    let id = new_id();
    sqlx::query(
        "INSERT INTO login_attempts (id, username, ip, succeeded, at) VALUES ($1, $2, $3, 0, $4)",
    )
    .bind(&id)
    .bind(username.to_string())
    .bind(ip.to_string())
    .bind(now())
    .execute(&db.pool)
    .await?;
    Ok(id)
}

/// Marks the attempt as the account's successful sign-in, with its `SignIn` audit event, in
/// one transaction.
async fn record_success(db: &Db, attempt: &str, user: &UserId, ip: &str) -> Result<()> {
    let mut tx = db.pool.begin().await?;
    sqlx::query("UPDATE login_attempts SET succeeded = 1 WHERE id = $1")
        .bind(attempt.to_string())
        .execute(&mut *tx)
        .await?;
    let detail = serde_json::json!({ "ip": ip });
    audit::record_in(
        &mut tx,
        &Actor::web(user),
        AuditAction::SignIn,
        None,
        detail,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Checks a sign-in. Refuses without saying whether the account exists, and refuses every
/// attempt while one of the limits is reached inside the window: failures of this account
/// from this address; failures from this address; failures of this account from anywhere,
/// except from an address it signed in from within the day.
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
    // The attempt is on record (as a failure) before the limits are counted, so of many
    // sent at once only those inside the limits go on to the costly password check.
    let attempt = record_attempt(db, &username, ip).await?;
    let since = now() - s.login_window_secs;
    let here = failures_since(db, "username = $2 AND ip = $3", &[&username, ip], since).await?;
    let by_ip = failures_since(db, "ip = $2", &[ip], since).await?;
    let mut limited = here > s.max_failures_per_account_and_ip || by_ip > s.max_failures_per_ip;
    if !limited {
        let by_account = failures_since(db, "username = $2", &[&username], since).await?;
        limited = by_account > s.max_failures_per_account
            && !signed_in_from(db, &username, ip, now() - 24 * 3600).await?;
    }
    if limited {
        tracing::warn!(%username, %ip, here, by_ip, "sign-in rate limited");
        return Err(AppError::RateLimited.into());
    }
    let creds = users::credentials(db, &username).await?;
    let hash = creds
        .as_ref()
        .map(|c| c.password_hash.clone())
        .unwrap_or_else(|| DECOY_HASH.to_string());
    let matches = {
        let _turn = HASHING.acquire().await.map_err(anyhow::Error::from)?;
        verify_password(password.to_string(), hash).await?
    };
    match creds {
        Some(c) if matches && c.active => {
            record_success(db, &attempt, &c.id, ip).await?;
            Ok(c.id)
        }
        _ => Err(AppError::BadCredentials.into()),
    }
}

/// The client's address: the socket's peer, or, when the peer is a trusted proxy, the
/// nearest address in `X-Forwarded-For` that is not one (proxies append the address they
/// saw, so anything left of it may be made up by the client).
pub fn client_address(
    peer: std::net::IpAddr,
    forwarded_for: Option<&str>,
    trusted: &[ipnet::IpNet],
) -> std::net::IpAddr {
    let is_trusted = |ip: &std::net::IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(&peer) {
        return peer;
    }
    let chain: Vec<std::net::IpAddr> = forwarded_for
        .unwrap_or_default()
        .split(',')
        .filter_map(|hop| hop.trim().parse().ok())
        .collect();
    chain
        .iter()
        .rev()
        .find(|ip| !is_trusted(ip))
        .or(chain.first())
        .copied()
        .unwrap_or(peer)
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

    #[test]
    fn the_client_is_the_first_address_no_trusted_proxy_added() {
        let trusted: Vec<ipnet::IpNet> = vec!["127.0.0.0/8".parse().unwrap()];
        let ip = |s: &str| s.parse::<std::net::IpAddr>().unwrap();
        let proxy = ip("127.0.0.1");
        // Straight from a client: its own address, whatever it claims.
        assert_eq!(
            client_address(ip("10.1.2.3"), Some("8.8.8.8"), &trusted),
            ip("10.1.2.3")
        );
        // Through the proxy: the address the proxy saw, not what the client wrote before it.
        assert_eq!(
            client_address(proxy, Some("8.8.8.8, 10.1.2.3"), &trusted),
            ip("10.1.2.3")
        );
        assert_eq!(
            client_address(proxy, Some("10.1.2.3"), &trusted),
            ip("10.1.2.3")
        );
        assert_eq!(client_address(proxy, Some("garbage"), &trusted), proxy);
        assert_eq!(client_address(proxy, None, &trusted), proxy);
    }

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
