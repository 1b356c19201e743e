//! `make bench`: the coordinator's competency grid (14 sites × 12 applications) over 100,000
//! reviewed scans, on SQLite and (with `SONOHUB_BENCH_POSTGRES_URL`) PostgreSQL.
//!
//! The figure is the server's time to build the grid (`competency::grid`, what the
//! `competency_grid` server function returns), beside two peers measured on the same data in
//! the same run: the bare `GROUP BY` the grid rests on (the floor: one indexed pass over the
//! period's scans), and the grid again with the competency indexes dropped (what they buy).
//! 600 credentials are in force, a third of them under a yearly renewal rule, so the reading
//! of who holds a credential today is in the figure too.
//!
//! Writes the table into BENCHMARKS.md between the grid markers when `SONOHUB_BENCH_WRITE=1`.
use domain::{Db, competency, sites};
use model::competency::{CredentialRule, Period};
use model::{CurrentUser, Role, Site, SiteKind, UserId};
use std::time::Instant;

const APPLICATIONS: [&str; 12] = [
    "thyroid",
    "carotid",
    "efast",
    "lung",
    "cardiac",
    "aaa",
    "dvt",
    "biliary",
    "renal",
    "early_pregnancy",
    "breast",
    "liver",
];
const LEARNERS_PER_SITE: usize = 40;
const AWARDS: usize = 600;
const RUNS: usize = 25;

/// A small reproducible generator (xorshift64*), so both databases hold the same scans.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn id(kind: &str, n: usize) -> String {
    // UUID-shaped, readable in a query plan.
    format!("00000000-0000-4000-8{kind:0>3}-{n:012}")
}

struct Figures {
    backend: &'static str,
    scans: usize,
    grid: Vec<f64>,
    bare: Vec<f64>,
    unindexed: Vec<f64>,
    cells: usize,
    reviewed: u64,
}

fn median(xs: &[f64]) -> f64 {
    let mut s = xs.to_vec();
    s.sort_by(f64::total_cmp);
    s[s.len() / 2]
}

fn p95(xs: &[f64]) -> f64 {
    let mut s = xs.to_vec();
    s.sort_by(f64::total_cmp);
    s[((s.len() as f64) * 0.95) as usize].min(s[s.len() - 1])
}

async fn seed(db: &Db, scans: usize) -> anyhow::Result<UserId> {
    sites::ensure_network(db).await?;
    let sites: Vec<Site> = sites::list(db).await?;
    let now = 1_764_000_000i64;
    let mut tx = db.pool.begin().await?;
    let coordinator = id("c", 0);
    let hub = sites.iter().find(|s| s.kind == SiteKind::Hub).unwrap();
    sqlx::query(
        "INSERT INTO users (id, username, display_name, role, site_id, password_hash, active, \
         created_at, updated_at) VALUES ($1, 'bench.coordinator', 'Bench', 'coordinator', $2, \
         'x', 1, $3, $3)",
    )
    .bind(&coordinator)
    .bind(hub.id.as_str())
    .bind(now)
    .execute(&mut *tx)
    .await?;
    let mut learners = Vec::new();
    for (s, site) in sites.iter().enumerate() {
        for k in 0..LEARNERS_PER_SITE {
            let n = s * LEARNERS_PER_SITE + k;
            let user = id("b", n);
            sqlx::query(
                "INSERT INTO users (id, username, display_name, role, site_id, password_hash, \
                 active, created_at, updated_at) VALUES ($1, $2, $3, 'learner', $4, 'x', 1, $5, $5)",
            )
            .bind(&user)
            .bind(format!("bench.{n}"))
            .bind(format!("Learner {n}"))
            .bind(site.id.as_str())
            .bind(now)
            .execute(&mut *tx)
            .await?;
            learners.push((user, site.id.clone()));
        }
    }
    tx.commit().await?;

    let today = competency::today();
    let mut rng = Rng(0x5EED_600D);
    let batch = 400;
    let mut written = 0;
    while written < scans {
        let rows = batch.min(scans - written);
        let mut sql = String::from(
            "INSERT INTO logbook_entries (id, learner_id, site_id, application, scanned_on, \
             interpretation, status, created_at, updated_at, submitted_at, reviewed_at, \
             reviewed_on, grade, verdict, agrees) VALUES ",
        );
        let mut values = Vec::with_capacity(rows);
        for r in 0..rows {
            let n = written + r;
            let (learner, site) = &learners[rng.below(learners.len() as u64) as usize];
            let app = APPLICATIONS[rng.below(12) as usize];
            let day = today.plus_days(-(rng.below(730) as i64));
            let grade = 1 + rng.below(5) as i64;
            let agrees = rng.below(10) < 8;
            values.push((
                id("e", n),
                learner.clone(),
                site.clone(),
                app,
                day,
                grade,
                agrees,
            ));
            let b = r * 8;
            sql.push_str(&format!(
                "{}(${}, ${}, ${}, ${}, ${}, '{{\"answers\":{{}}}}', 'reviewed', {now}, {now}, {now}, \
                 {now}, ${}, ${}, ${}, ${})",
                if r == 0 { "" } else { ", " },
                b + 1,
                b + 2,
                b + 3,
                b + 4,
                b + 5,
                b + 5,
                b + 6,
                b + 7,
                b + 8,
            ));
        }
        // The scan date doubles as the review date (bound once per row, used twice).
        let mut q = sqlx::query(&sql);
        for (entry, learner, site, app, day, grade, agrees) in values {
            let verdict = if agrees { "agree" } else { "disagree" };
            q = q
                .bind(entry)
                .bind(learner)
                .bind(site.as_str().to_string())
                .bind(app)
                .bind(day.to_string())
                .bind(grade)
                .bind(verdict)
                .bind(i64::from(agrees));
        }
        q.execute(&db.pool).await?;
        written += rows;
    }

    // Credentials in force; efast and lung renew yearly, so their holders are read against
    // their scans of the last year.
    let renewing = CredentialRule {
        renewal_days: Some(365),
        maintenance_scans: 10,
        ..CredentialRule::default()
    };
    let rule_json = serde_json::to_string(&renewing)?;
    for app in ["efast", "lung"] {
        sqlx::query(
            "INSERT INTO credential_rules (application, rule, updated_by, updated_at) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(app)
        .bind(&rule_json)
        .bind(&coordinator)
        .bind(now)
        .execute(&db.pool)
        .await?;
    }
    let default_rule = serde_json::to_string(&CredentialRule::default())?;
    let mut tx = db.pool.begin().await?;
    for k in 0..AWARDS {
        let (learner, _) = &learners[(k * 7) % learners.len()];
        let app = APPLICATIONS[k % 12];
        sqlx::query(
            "INSERT INTO credential_awards (id, code, learner_id, application, awarded_on, \
             awarded_by, rule, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(id("a", k))
        .bind(format!("BENCH{k:06}"))
        .bind(learner)
        .bind(app)
        .bind(today.plus_days(-(k as i64 % 500)).to_string())
        .bind(&coordinator)
        .bind(&default_rule)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    // Both planners see the data as a long-running network's would.
    sqlx::query("ANALYZE").execute(&db.pool).await?;
    Ok(UserId(coordinator))
}

async fn time_grid(
    db: &Db,
    who: &CurrentUser,
    period: &Period,
) -> anyhow::Result<(Vec<f64>, usize, u64)> {
    let mut times = Vec::new();
    let mut cells = 0;
    let mut reviewed = 0;
    for run in 0..RUNS + 3 {
        let started = Instant::now();
        let grid = competency::grid(db, who, *period).await?;
        let took = started.elapsed().as_secs_f64() * 1000.0;
        // The JSON the server function sends is part of the answer.
        let json = serde_json::to_vec(&grid)?;
        std::hint::black_box(json);
        if run >= 3 {
            times.push(took);
        }
        cells = grid.cells.iter().map(Vec::len).sum();
        reviewed = grid
            .cells
            .iter()
            .flatten()
            .map(|c| u64::from(c.reviewed))
            .sum();
    }
    Ok((times, cells, reviewed))
}

async fn time_bare(db: &Db, period: &Period) -> anyhow::Result<Vec<f64>> {
    let mut times = Vec::new();
    for run in 0..RUNS + 3 {
        let started = Instant::now();
        let rows: Vec<(String, String, i64, i64, i64)> = sqlx::query_as(
            "SELECT site_id, application, COUNT(*), \
             COALESCE(SUM(CASE WHEN grade >= 3 THEN 1 ELSE 0 END), 0), \
             COALESCE(SUM(CASE WHEN agrees = 1 THEN 1 ELSE 0 END), 0) \
             FROM logbook_entries WHERE reviewed_on >= $1 AND reviewed_on <= $2 \
             GROUP BY site_id, application",
        )
        .bind(period.from.to_string())
        .bind(period.until.to_string())
        .fetch_all(&db.pool)
        .await?;
        std::hint::black_box(rows);
        if run >= 3 {
            times.push(started.elapsed().as_secs_f64() * 1000.0);
        }
    }
    Ok(times)
}

async fn measure(backend: &'static str, url: &str, scans: usize) -> anyhow::Result<Figures> {
    let db = Db::connect(url).await?;
    let started = Instant::now();
    let coordinator = seed(&db, scans).await?;
    eprintln!(
        "{backend}: {scans} scans written in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let hub = sites::list(&db).await?.remove(0);
    let who = CurrentUser {
        id: coordinator,
        username: "bench.coordinator".into(),
        display_name: "Bench".into(),
        role: Role::Coordinator,
        site: hub,
    };
    let today = competency::today();
    let period = Period {
        from: today.plus_days(-365),
        until: today,
    };
    let (grid, cells, reviewed) = time_grid(&db, &who, &period).await?;
    let bare = time_bare(&db, &period).await?;
    for index in ["logbook_grid"] {
        sqlx::query(&format!("DROP INDEX {index}"))
            .execute(&db.pool)
            .await?;
    }
    let (unindexed, _, _) = time_grid(&db, &who, &period).await?;
    db.pool.close().await;
    Ok(Figures {
        backend,
        scans,
        grid,
        bare,
        unindexed,
        cells,
        reviewed,
    })
}

fn table(figures: &[Figures]) -> String {
    let mut out = String::from(
        "| database | scans | cells | reviewed in the year | grid, median (p95) | bare GROUP BY, median | grid ÷ bare | grid without the competency indexes |\n\
         |---|---|---|---|---|---|---|---|\n",
    );
    for f in figures {
        let (g, b, u) = (median(&f.grid), median(&f.bare), median(&f.unindexed));
        out.push_str(&format!(
            "| {} | {} | {} | {} | {:.1} ms ({:.1} ms) | {:.1} ms | {:.2} | {:.1} ms |\n",
            f.backend,
            f.scans,
            f.cells,
            f.reviewed,
            g,
            p95(&f.grid),
            b,
            g / b,
            u
        ));
    }
    out
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> anyhow::Result<()> {
    let scans: usize = std::env::var("SONOHUB_BENCH_SCANS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(100_000);
    let dir = tempfile::tempdir()?;
    let sqlite = format!("sqlite://{}/grid.db?mode=rwc", dir.path().display());
    let mut figures = vec![measure("SQLite", &sqlite, scans).await?];
    if let Ok(admin) = std::env::var("SONOHUB_BENCH_POSTGRES_URL") {
        // A database of its own, made afresh each run.
        sqlx::any::install_default_drivers();
        let pool = sqlx::any::AnyPoolOptions::new()
            .max_connections(1)
            .connect(&admin)
            .await?;
        sqlx::query("DROP DATABASE IF EXISTS sonohub_grid_bench")
            .execute(&pool)
            .await?;
        sqlx::query("CREATE DATABASE sonohub_grid_bench")
            .execute(&pool)
            .await?;
        let base = admin
            .rsplit_once('/')
            .map_or(admin.as_str(), |(base, _)| base);
        let url = format!("{base}/sonohub_grid_bench");
        figures.push(measure("PostgreSQL", &url, scans).await?);
        sqlx::query("DROP DATABASE sonohub_grid_bench")
            .execute(&pool)
            .await?;
    } else {
        eprintln!("SONOHUB_BENCH_POSTGRES_URL is not set: SQLite only");
    }
    let table = table(&figures);
    println!("{table}");
    if std::env::var("SONOHUB_BENCH_WRITE").as_deref() == Ok("1") {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../BENCHMARKS.md");
        let text = std::fs::read_to_string(path)?;
        let (start, end) = ("<!-- grid:start -->", "<!-- grid:end -->");
        let (a, b) = (
            text.find(start).expect("grid markers in BENCHMARKS.md"),
            text.find(end).expect("grid markers in BENCHMARKS.md"),
        );
        let updated = format!("{}{start}\n{table}{}", &text[..a], &text[b..]);
        std::fs::write(path, updated)?;
    }
    Ok(())
}
