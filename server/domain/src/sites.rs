//! Sites of the network: the hub hospital and the community health service centres.
use super::audit::{self, Actor};
use super::{Db, Result, new_id, now};
use model::{AppError, AuditAction, Site, SiteId, SiteKind, SitePeople, rules};
use sqlx::AnyConnection;

/// A `sites` row as `SITE_COLUMNS` selects it.
#[derive(sqlx::FromRow)]
struct SiteRow {
    id: String,
    code: String,
    kind: String,
    name_zh: String,
    name_en: String,
    active: i64,
}

const SITE_COLUMNS: &str = "id, code, kind, name_zh, name_en, active";

impl From<SiteRow> for Site {
    fn from(r: SiteRow) -> Site {
        Site {
            id: SiteId(r.id),
            code: r.code,
            kind: SiteKind::parse(&r.kind).unwrap_or(SiteKind::Community),
            name_zh: r.name_zh,
            name_en: r.name_en,
            active: r.active != 0,
        }
    }
}

/// Active accounts of one site and role.
#[derive(sqlx::FromRow)]
struct HeadCount {
    site_id: String,
    role: String,
    people: i64,
}

/// The network as it stands: one district hub and thirteen community centres.
const NETWORK: [(&str, &str, &str); 14] = [
    ("HUB", "区中心医院", "District Central Hospital"),
    (
        "DH",
        "东湖街道社区卫生服务中心",
        "Donghu Community Health Service Centre",
    ),
    (
        "XC",
        "西城街道社区卫生服务中心",
        "Xicheng Community Health Service Centre",
    ),
    (
        "NM",
        "南门街道社区卫生服务中心",
        "Nanmen Community Health Service Centre",
    ),
    (
        "BG",
        "北关街道社区卫生服务中心",
        "Beiguan Community Health Service Centre",
    ),
    (
        "JB",
        "江滨街道社区卫生服务中心",
        "Jiangbin Community Health Service Centre",
    ),
    (
        "QD",
        "桥东街道社区卫生服务中心",
        "Qiaodong Community Health Service Centre",
    ),
    (
        "CN",
        "城南街道社区卫生服务中心",
        "Chengnan Community Health Service Centre",
    ),
    (
        "XH",
        "新华街道社区卫生服务中心",
        "Xinhua Community Health Service Centre",
    ),
    (
        "BH",
        "滨河街道社区卫生服务中心",
        "Binhe Community Health Service Centre",
    ),
    (
        "CA",
        "长安街道社区卫生服务中心",
        "Chang'an Community Health Service Centre",
    ),
    (
        "HP",
        "和平街道社区卫生服务中心",
        "Heping Community Health Service Centre",
    ),
    (
        "QS",
        "青山街道社区卫生服务中心",
        "Qingshan Community Health Service Centre",
    ),
    (
        "BT",
        "白塔街道社区卫生服务中心",
        "Baita Community Health Service Centre",
    ),
];

/// Creates the network's sites when the table is empty; returns how many were added.
pub async fn ensure_network(db: &Db) -> Result<usize> {
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM sites")
        .fetch_one(&db.pool)
        .await?;
    if n > 0 {
        return Ok(0);
    }
    let mut tx = db.pool.begin().await?;
    for (code, zh, en) in NETWORK {
        let kind = if code == "HUB" {
            SiteKind::Hub
        } else {
            SiteKind::Community
        };
        sqlx::query(
            "INSERT INTO sites (id, code, kind, name_zh, name_en, active, created_at) VALUES ($1, $2, $3, $4, $5, 1, $6)",
        )
        .bind(new_id())
        .bind(code)
        .bind(kind.as_str())
        .bind(zh)
        .bind(en)
        .bind(now())
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(NETWORK.len())
}

/// All sites, hub first, then by code.
pub async fn list(db: &Db) -> Result<Vec<Site>> {
    let rows: Vec<SiteRow> = sqlx::query_as(&format!(
        "SELECT {SITE_COLUMNS} FROM sites ORDER BY CASE kind WHEN 'hub' THEN 0 ELSE 1 END, code"
    ))
    .fetch_all(&db.pool)
    .await?;
    Ok(rows.into_iter().map(Site::from).collect())
}

/// One site by id.
pub async fn get(db: &Db, id: &SiteId) -> Result<Option<Site>> {
    let row: Option<SiteRow> =
        sqlx::query_as(&format!("SELECT {SITE_COLUMNS} FROM sites WHERE id = $1"))
            .bind(id.0.clone())
            .fetch_optional(&db.pool)
            .await?;
    Ok(row.map(Site::from))
}

/// One site by its short code (e.g. `HUB`, `DH`).
pub async fn by_code(db: &Db, code: &str) -> Result<Option<Site>> {
    let row: Option<SiteRow> =
        sqlx::query_as(&format!("SELECT {SITE_COLUMNS} FROM sites WHERE code = $1"))
            .bind(code.to_string())
            .fetch_optional(&db.pool)
            .await?;
    Ok(row.map(Site::from))
}

/// Renames a site or (de)activates it; false when there is no such site.
pub async fn update(
    db: &Db,
    id: &SiteId,
    name_zh: &str,
    name_en: &str,
    active: bool,
) -> Result<bool> {
    let mut conn = db.pool.acquire().await?;
    update_in(&mut conn, id, name_zh, name_en, active).await
}

async fn update_in(
    conn: &mut AnyConnection,
    id: &SiteId,
    name_zh: &str,
    name_en: &str,
    active: bool,
) -> Result<bool> {
    let res = sqlx::query("UPDATE sites SET name_zh = $1, name_en = $2, active = $3 WHERE id = $4")
        .bind(name_zh.to_string())
        .bind(name_en.to_string())
        .bind(i64::from(active))
        .bind(id.0.clone())
        .execute(conn)
        .await?;
    Ok(res.rows_affected() == 1)
}

/// Renames a site or (de)activates it on an admin's behalf: the names are checked, and the
/// change and its audit record written in one transaction.
pub async fn update_by(
    db: &Db,
    actor: &Actor,
    id: &SiteId,
    name_zh: &str,
    name_en: &str,
    active: bool,
) -> Result<Site> {
    let name_zh = rules::display_name(name_zh).map_err(|r| AppError::invalid("name_zh", r))?;
    let name_en = rules::display_name(name_en).map_err(|r| AppError::invalid("name_en", r))?;
    let mut tx = db.pool.begin().await?;
    if !update_in(&mut tx, id, &name_zh, &name_en, active).await? {
        return Err(AppError::NotFound("site".into()).into());
    }
    let detail = serde_json::json!({ "name_zh": name_zh, "name_en": name_en, "active": active });
    audit::record_in(
        &mut tx,
        actor,
        AuditAction::SiteUpdated,
        Some(&id.0),
        detail,
    )
    .await?;
    tx.commit().await?;
    Ok(get(db, id).await?.ok_or(AppError::Internal)?)
}

/// Active accounts per site and role, every site listed.
pub async fn people_per_site(db: &Db) -> Result<Vec<SitePeople>> {
    let counts: Vec<HeadCount> = sqlx::query_as(
        "SELECT site_id, role, COUNT(*) AS people FROM users WHERE active = 1 \
         GROUP BY site_id, role",
    )
    .fetch_all(&db.pool)
    .await?;
    Ok(list(db)
        .await?
        .into_iter()
        .map(|site| {
            let of = |role: &str| {
                counts
                    .iter()
                    .filter(|c| c.site_id == site.id.0 && c.role == role)
                    .map(|c| c.people)
                    .sum()
            };
            SitePeople {
                learners: of("learner"),
                experts: of("expert"),
                coordinators: of("coordinator"),
                admins: of("admin"),
                site,
            }
        })
        .collect())
}
