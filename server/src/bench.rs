//! `sonohub bench` (hidden from `--help`): the tools of `make bench`'s load benchmark
//! (end2end/bench/load.mjs). `library` grows a data folder's case library to any size from
//! the published cases it already holds; `anchor` serves the library's search from a bare
//! axum + sqlx handler, which the pages are measured against in the same run.
use anyhow::{Context, ensure};
use axum::extract::{Query, State};
use axum::response::Html;
use domain::{Db, new_id, now};
use rand::{Rng, SeedableRng};
use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct BenchArgs {
    #[command(subcommand)]
    pub command: BenchCommand,
}

#[derive(Debug, clap::Subcommand)]
pub enum BenchCommand {
    /// Copies the published cases (each with its versions and follow-ups, and new attempts and
    /// comments by the learners) until the library holds `--cases` published cases; prints
    /// the counts and one case and one clip to request, as JSON.
    Library(LibraryArgs),
    /// Serves `GET /cases?q=…` (HTML) and `GET /cases.json?q=…` from the library's own search
    /// query, without Leptos, sessions or any middleware.
    Anchor(AnchorArgs),
}

/// Which database: the one `serve` would open with the same options.
#[derive(Debug, clap::Args)]
pub struct Database {
    #[arg(long, env = "SONOHUB_DATA", default_value = "./data")]
    pub data: PathBuf,
    #[arg(long, env = "DATABASE_URL")]
    pub database_url: Option<String>,
}

impl Database {
    async fn open(&self) -> anyhow::Result<Db> {
        let url = self
            .database_url
            .clone()
            .unwrap_or_else(|| domain::db::sqlite_url(&self.data));
        Db::connect(&url).await
    }
}

#[derive(Debug, clap::Args)]
pub struct LibraryArgs {
    #[command(flatten)]
    pub database: Database,
    /// Published cases the library should hold.
    #[arg(long, default_value_t = 10_000)]
    pub cases: usize,
    /// Attempts at each copied case, by learners.
    #[arg(long, default_value_t = 3)]
    pub attempts: usize,
    /// Consultation comments on each copied case.
    #[arg(long, default_value_t = 2)]
    pub comments: usize,
}

#[derive(Debug, clap::Args)]
pub struct AnchorArgs {
    #[command(flatten)]
    pub database: Database,
    #[arg(long, default_value = "127.0.0.1:3100")]
    pub addr: SocketAddr,
}

pub async fn run(args: BenchArgs) -> anyhow::Result<()> {
    match args.command {
        BenchCommand::Library(args) => {
            let grown = grow_library(&args).await?;
            println!("{}", serde_json::to_string(&grown)?);
            Ok(())
        }
        BenchCommand::Anchor(args) => anchor(args).await,
    }
}

/// What `library` made, and what to request.
#[derive(Debug, serde::Serialize)]
pub struct Grown {
    pub cases: i64,
    pub attempts: i64,
    pub comments: i64,
    /// A published case with clips.
    pub case: String,
    /// The blob of one of its clips.
    pub blob: String,
}

async fn count(db: &Db, sql: &str) -> anyhow::Result<i64> {
    let (n,): (i64,) = sqlx::query_as(sql).fetch_one(&db.pool).await?;
    Ok(n)
}

/// Grows the library by copying its published cases, round-robin, reproducibly (a seeded
/// random spreads sites and publication dates).
pub async fn grow_library(args: &LibraryArgs) -> anyhow::Result<Grown> {
    let db = args.database.open().await?;
    let sources: Vec<(String,)> =
        sqlx::query_as("SELECT id FROM cases WHERE status = 'published' ORDER BY id")
            .fetch_all(&db.pool)
            .await?;
    ensure!(
        !sources.is_empty(),
        "no published case to copy: start `sonohub serve --demo` on this data once and wait \
         for the demo library"
    );
    let ids = |sql: &'static str| {
        let db = &db;
        async move {
            let rows: Vec<(String,)> = sqlx::query_as(sql).fetch_all(&db.pool).await?;
            anyhow::Ok(rows.into_iter().map(|(id,)| id).collect::<Vec<_>>())
        }
    };
    let learners = ids("SELECT id FROM users WHERE role = 'learner' ORDER BY id").await?;
    let experts = ids("SELECT id FROM users WHERE role = 'expert' ORDER BY id").await?;
    let sites = ids("SELECT id FROM sites ORDER BY id").await?;
    ensure!(
        !learners.is_empty() && !experts.is_empty(),
        "the demo accounts are missing"
    );
    let published = count(&db, "SELECT COUNT(*) FROM cases WHERE status = 'published'").await?;
    let mut rng = rand::rngs::StdRng::seed_from_u64(2026);
    let mut tx = db.pool.begin().await?;
    let t = now();
    for n in published as usize..args.cases {
        let (source,) = &sources[n % sources.len()];
        let id = new_id();
        let published_at = t - rng.gen_range(0..2 * 365 * 24 * 3600);
        sqlx::query(
            "INSERT INTO cases (id, study_uid, author_id, status, content, next_version, \
             published_version, published_at, title, application, difficulty, diagnosis, \
             age_band, sex, cover_sop, tags, tirads, grade, site_id, search_text, \
             has_pathology, created_at, updated_at) \
             SELECT $1, study_uid, author_id, status, content, next_version, published_version, \
             $2, title || $3, application, difficulty, diagnosis, age_band, sex, cover_sop, \
             tags, tirads, grade, $4, search_text || $5, has_pathology, $2, $2 \
             FROM cases WHERE id = $6",
        )
        .bind(&id)
        .bind(published_at)
        .bind(format!(" · {n}"))
        .bind(&sites[rng.gen_range(0..sites.len())])
        .bind(format!(" {n}"))
        .bind(source)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO case_versions (case_id, version, content, published_by, published_at) \
             SELECT $1, version, content, published_by, published_at FROM case_versions \
             WHERE case_id = $2",
        )
        .bind(&id)
        .bind(source)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO case_version_clips (case_id, version, sop_uid) \
             SELECT $1, version, sop_uid FROM case_version_clips WHERE case_id = $2",
        )
        .bind(&id)
        .bind(source)
        .execute(&mut *tx)
        .await?;
        let follow_ups: Vec<(String,)> =
            sqlx::query_as("SELECT id FROM follow_ups WHERE case_id = $1")
                .bind(source)
                .fetch_all(&mut *tx)
                .await?;
        for (follow_up,) in follow_ups {
            sqlx::query(
                "INSERT INTO follow_ups (id, case_id, kind, day_offset, bethesda, malignant, \
                 confirms, summary, added_by, created_at) \
                 SELECT $1, $2, kind, day_offset, bethesda, malignant, confirms, summary, \
                 added_by, created_at FROM follow_ups WHERE id = $3",
            )
            .bind(new_id())
            .bind(&id)
            .bind(follow_up)
            .execute(&mut *tx)
            .await?;
        }
        for a in 0..args.attempts {
            sqlx::query(
                "INSERT INTO case_attempts (id, case_id, user_id, version, impression, answer, \
                 correct, created_at) VALUES ($1, $2, $3, 1, $4, '{}', $5, $6)",
            )
            .bind(new_id())
            .bind(&id)
            .bind(&learners[(n + a) % learners.len()])
            .bind("benign")
            .bind(i64::from(rng.gen_bool(0.6)))
            .bind(published_at + 3600 * (a as i64 + 1))
            .execute(&mut *tx)
            .await?;
        }
        for c in 0..args.comments {
            let author = if c % 2 == 0 {
                &learners[(n + c) % learners.len()]
            } else {
                &experts[(n + c) % experts.len()]
            };
            sqlx::query(
                "INSERT INTO case_comments (id, case_id, author_id, body, created_at) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(new_id())
            .bind(&id)
            .bind(author)
            .bind(format!(
                "第 {c} 条讨论：边界是否清晰？ Margin question {c}."
            ))
            .bind(published_at + 7200 * (c as i64 + 1))
            .execute(&mut *tx)
            .await?;
        }
    }
    tx.commit().await?;
    let (case, blob): (String, String) = sqlx::query_as(
        "SELECT c.id, i.blob_sha FROM cases c JOIN instances i ON i.study_uid = c.study_uid \
         WHERE c.status = 'published' ORDER BY c.id LIMIT 1",
    )
    .fetch_one(&db.pool)
    .await
    .context("no published case has a clip")?;
    Ok(Grown {
        cases: count(&db, "SELECT COUNT(*) FROM cases WHERE status = 'published'").await?,
        attempts: count(&db, "SELECT COUNT(*) FROM case_attempts").await?,
        comments: count(&db, "SELECT COUNT(*) FROM case_comments").await?,
        case,
        blob,
    })
}

/// The library query's parameters the anchor reads (the page's own: `q`, `app`, `page`).
#[derive(Debug, serde::Deserialize)]
struct AnchorQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    app: String,
    #[serde(default)]
    page: u32,
}

impl AnchorQuery {
    fn case_query(self) -> model::cases::CaseQuery {
        model::cases::CaseQuery {
            text: self.q,
            application: self.app,
            page: self.page,
            ..Default::default()
        }
    }
}

async fn anchor(args: AnchorArgs) -> anyhow::Result<()> {
    let db = args.database.open().await?;
    let app = axum::Router::new()
        .route("/cases", axum::routing::get(anchor_page))
        .route("/cases.json", axum::routing::get(anchor_json))
        .with_state(db);
    let listener = tokio::net::TcpListener::bind(args.addr).await?;
    println!("anchor listening on http://{}", listener.local_addr()?);
    axum::serve(listener, app).await?;
    Ok(())
}

async fn anchor_json(
    State(db): State<Db>,
    Query(q): Query<AnchorQuery>,
) -> Result<axum::Json<model::cases::CasePage>, (axum::http::StatusCode, String)> {
    domain::cases::search(&db, &q.case_query())
        .await
        .map(axum::Json)
        .map_err(|e| (axum::http::StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))
}

async fn anchor_page(
    State(db): State<Db>,
    Query(q): Query<AnchorQuery>,
) -> Result<Html<String>, (axum::http::StatusCode, String)> {
    let page = domain::cases::search(&db, &q.case_query())
        .await
        .map_err(|e| (axum::http::StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
    let mut html = format!(
        "<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>病例库</title>\
         </head><body><h1>病例库</h1><p>{} cases</p><ul>",
        page.total
    );
    for case in page.cases {
        html.push_str(&format!(
            "<li><a href=\"/cases/{}\">{}</a> {} {}</li>",
            case.id.as_str(),
            escape(&case.title),
            escape(&case.diagnosis),
            escape(&case.author_name),
        ));
    }
    html.push_str("</ul></body></html>");
    Ok(Html(html))
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
