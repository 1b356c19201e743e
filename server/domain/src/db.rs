//! The database: SQLite (embedded default) or PostgreSQL, one pool, migrations per engine.
use anyhow::Context;
use sqlx::AnyPool;
use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::migrate::Migrator;

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/postgres");

/// Which engine is behind the pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DbKind {
    Sqlite,
    Postgres,
}

/// A pool over either engine. Queries use `$N` placeholders, which both accept.
#[derive(Clone, Debug)]
pub struct Db {
    pub pool: AnyPool,
    pub kind: DbKind,
    pub url: String,
}

impl Db {
    /// Connects to `url` (`sqlite://...` or `postgres://...`) and applies the migrations.
    pub async fn connect(url: &str) -> anyhow::Result<Db> {
        install_default_drivers();
        let kind = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            DbKind::Postgres
        } else if url.starts_with("sqlite:") {
            DbKind::Sqlite
        } else {
            anyhow::bail!("unsupported database url (expected sqlite: or postgres://)");
        };
        let max = if kind == DbKind::Sqlite { 8 } else { 16 };
        let pool = AnyPoolOptions::new()
            .max_connections(max)
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if kind == DbKind::Sqlite {
                        use sqlx::Executor;
                        // Reads map the file (no copy per page read, one copy shared by
                        // every connection) and each connection caches 8 MiB of pages (the
                        // default 2 MiB held a tenth of one library search's pages).
                        conn.execute(
                            "PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000; \
                             PRAGMA mmap_size = 1073741824; PRAGMA cache_size = -8192;",
                        )
                        .await?;
                    }
                    Ok(())
                })
            })
            .connect(url)
            .await
            .with_context(|| format!("connecting to the {kind:?} database"))?;
        if kind == DbKind::Sqlite {
            sqlx::query("PRAGMA journal_mode = WAL")
                .execute(&pool)
                .await
                .context("enabling WAL")?;
        }
        let migrator = match kind {
            DbKind::Sqlite => &SQLITE_MIGRATIONS,
            DbKind::Postgres => &POSTGRES_MIGRATIONS,
        };
        migrator.run(&pool).await.context("applying migrations")?;
        Ok(Db {
            pool,
            kind,
            url: url.to_string(),
        })
    }

    /// A transaction that is going to write. On SQLite it takes the write lock at once
    /// (`BEGIN IMMEDIATE`, waiting up to the busy timeout): a deferred transaction that reads
    /// first and writes later fails outright (`SQLITE_BUSY_SNAPSHOT`, no waiting) when another
    /// connection wrote in between, as the import worker does while an expert releases files.
    pub async fn begin_write(&self) -> sqlx::Result<sqlx::Transaction<'static, sqlx::Any>> {
        match self.kind {
            DbKind::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await,
            DbKind::Postgres => self.pool.begin().await,
        }
    }

    /// Holds a lock on the whole database while this node seeds it on first start (the
    /// network's sites, the first administrator, the secret's check, the session table), so
    /// nodes started together do not seed it twice. On PostgreSQL an advisory lock, held by a
    /// connection of its own: it is released by [`FirstStart::done`], or by the server when
    /// this process dies. SQLite has one node.
    pub async fn first_start(&self) -> anyhow::Result<FirstStart> {
        if self.kind == DbKind::Sqlite {
            return Ok(FirstStart(None));
        }
        let mut conn = self.pool.acquire().await?;
        sqlx::query("SELECT pg_advisory_lock($1)")
            .bind(FIRST_START_LOCK)
            .execute(&mut *conn)
            .await
            .context("waiting for the first-start lock")?;
        Ok(FirstStart(Some(conn)))
    }

    /// True when the database answers a trivial query.
    pub async fn ping(&self) -> bool {
        sqlx::query("SELECT 1").execute(&self.pool).await.is_ok()
    }
}

/// The first-start advisory lock's key ("SONO" in ASCII).
const FIRST_START_LOCK: i64 = 0x534F_4E4F;

/// The first-start lock, held until [`FirstStart::done`].
pub struct FirstStart(Option<sqlx::pool::PoolConnection<sqlx::Any>>);

impl FirstStart {
    /// Releases the lock.
    pub async fn done(self) -> anyhow::Result<()> {
        if let Some(mut conn) = self.0 {
            sqlx::query("SELECT pg_advisory_unlock($1)")
                .bind(FIRST_START_LOCK)
                .execute(&mut *conn)
                .await?;
        }
        Ok(())
    }
}

/// The SQLite url for a data folder, creating the file when missing.
pub fn sqlite_url(data_dir: &std::path::Path) -> String {
    format!(
        "sqlite://{}?mode=rwc",
        data_dir.join("sonohub.db").display()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    /// Versions published before migration 0015 get their clip lists from their content, so
    /// their clips stay servable to learners after the upgrade.
    #[tokio::test]
    async fn versions_published_before_the_clip_table_keep_their_clips() {
        install_default_drivers();
        let dir = tempfile::tempdir().unwrap();
        let url = sqlite_url(dir.path());
        let pool = AnyPoolOptions::new()
            .max_connections(1)
            .connect(&url)
            .await
            .unwrap();
        let before = Migrator {
            migrations: SQLITE_MIGRATIONS
                .migrations
                .iter()
                .filter(|m| m.version < 15)
                .cloned()
                .collect(),
            ..Migrator::DEFAULT
        };
        before.run(&pool).await.unwrap();
        // Only the versions matter here: foreign keys off on the pool's one connection.
        sqlx::query("PRAGMA foreign_keys = OFF")
            .execute(&pool)
            .await
            .unwrap();
        for (case, version, content) in [
            (
                "a",
                1,
                r#"{"title":"x","clips":[{"sop_uid":"1.2.3","caption":""},{"sop_uid":"1.2.4"}]}"#,
            ),
            ("a", 2, r#"{"title":"x","clips":[{"sop_uid":"1.2.4"}]}"#),
            ("b", 1, r#"{"title":"y","clips":[]}"#),
        ] {
            sqlx::query(
                "INSERT INTO case_versions (case_id, version, content, published_by, published_at) \
                 VALUES ($1, $2, $3, 'u', 0)",
            )
            .bind(case)
            .bind(version)
            .bind(content)
            .execute(&pool)
            .await
            .unwrap();
        }
        SQLITE_MIGRATIONS.run(&pool).await.unwrap();
        let clips: Vec<(String, i64, String)> = sqlx::query_as(
            "SELECT case_id, version, sop_uid FROM case_version_clips \
             ORDER BY case_id, version, sop_uid",
        )
        .fetch_all(&pool)
        .await
        .unwrap();
        let expected = [("a", 1, "1.2.3"), ("a", 1, "1.2.4"), ("a", 2, "1.2.4")]
            .map(|(c, v, s)| (c.to_string(), v, s.to_string()));
        assert_eq!(clips, expected);
    }

    #[tokio::test]
    async fn a_write_transaction_that_reads_first_is_not_overtaken_by_another_writer() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::connect(&sqlite_url(dir.path())).await.unwrap();
        sqlx::query("CREATE TABLE counter (n INTEGER NOT NULL)")
            .execute(&db.pool)
            .await
            .unwrap();
        sqlx::query("INSERT INTO counter (n) VALUES (0)")
            .execute(&db.pool)
            .await
            .unwrap();
        // Read, then (after another connection tried to write) write: the other writer waits
        // for this transaction instead of invalidating what it read.
        let mut tx = db.begin_write().await.unwrap();
        let (n,): (i64,) = sqlx::query_as("SELECT n FROM counter")
            .fetch_one(&mut *tx)
            .await
            .unwrap();
        let other = tokio::spawn({
            let db = db.clone();
            async move {
                sqlx::query("UPDATE counter SET n = n + 10")
                    .execute(&db.pool)
                    .await
            }
        });
        tokio::time::sleep(Duration::from_millis(200)).await;
        sqlx::query("UPDATE counter SET n = $1")
            .bind(n + 1)
            .execute(&mut *tx)
            .await
            .expect("a read-then-write transaction is not overtaken");
        tx.commit().await.unwrap();
        other
            .await
            .unwrap()
            .expect("the other writer waited its turn");
        let (n,): (i64,) = sqlx::query_as("SELECT n FROM counter")
            .fetch_one(&db.pool)
            .await
            .unwrap();
        assert_eq!(n, 11);
    }
}
