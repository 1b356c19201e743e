//! The library as readers see it: search over published versions, the case page, version
//! history and comparison, the experts' workbench and unknown-case attempts.
use super::{content_from, row};
use crate::db::DbKind;
use crate::sql::Search;
use crate::{Db, Result, new_id, now, sites};
use model::cases::{
    AttemptInput, CaseContent, CaseId, CasePage, CasePuzzle, CaseQuery, CaseSort, CaseStatus,
    CaseSummary, CaseView, FieldChange, PuzzleKind, Reveal, VersionInfo, concordance,
};
use model::scores::{StenosisGrade, TiradsLevel, worst_grade, worst_tirads};
use model::{AgeBand, Sex, UserId};

/// The SQL condition (over `cases c`) for a case readers may see: published once and not
/// retired.
pub(crate) const VISIBLE: &str = "c.published_version IS NOT NULL AND c.status <> 'retired'";

/// Results per library page.
pub const PER_PAGE: u32 = 12;

/// Teaching points: Markdown to HTML, then sanitised (no scripts, styles or event handlers).
pub fn render_markdown(markdown: &str) -> String {
    use pulldown_cmark::{Options, Parser, html};
    let mut out = String::new();
    html::push_html(
        &mut out,
        Parser::new_ext(
            markdown,
            Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH,
        ),
    );
    ammonia::Builder::default()
        .link_rel(Some("noopener noreferrer nofollow"))
        // Images come from SonoHub itself only: one from another host would tell it who
        // read which lesson, and when.
        .attribute_filter(|element, attribute, value| {
            if element == "img" && attribute == "src" && !same_site(value) {
                None
            } else {
                Some(value.into())
            }
        })
        .clean(&out)
        .to_string()
}

/// A URL that stays on this site: a path (`/x`, `x`, `../x`), never `//host` or a scheme.
fn same_site(url: &str) -> bool {
    let url = url.trim();
    !url.starts_with("//")
        && !url.starts_with("\\")
        && !url
            .split(['/', '?', '#'])
            .next()
            .is_some_and(|first| first.contains(':'))
}

/// A one-paragraph text (a question's stem) as inline HTML: rendered and sanitised like
/// teaching points, without the paragraph around it.
pub fn render_inline_markdown(markdown: &str) -> String {
    let html = render_markdown(markdown);
    let trimmed = html.trim();
    match trimmed
        .strip_prefix("<p>")
        .and_then(|t| t.strip_suffix("</p>"))
    {
        Some(inner) if !inner.contains("<p>") => inner.to_string(),
        _ => html,
    }
}

/// Markdown as plain text (emphasis marks and the like dropped), for tables and titles.
pub fn markdown_text(markdown: &str) -> String {
    use pulldown_cmark::{Event, Parser};
    let mut out = String::new();
    for event in Parser::new(markdown) {
        match event {
            Event::Text(t) | Event::Code(t) => out.push_str(&t),
            Event::SoftBreak | Event::HardBreak => out.push(' '),
            _ => {}
        }
    }
    out
}

/// The searchable text and tag list of a version.
pub(crate) struct Index {
    pub search: String,
    pub tags: String,
}

/// Lower-cased text over everything a reader might search for, in both languages for the
/// application name; tags are stored as `|tag|tag|` so one can be matched whole.
pub(crate) async fn index_of(db: &Db, c: &CaseContent) -> Result<Index> {
    let app = super::application(db, &c.application).await?;
    let mut parts = vec![
        c.title.as_str(),
        c.history.as_str(),
        c.findings.as_str(),
        c.impression.as_str(),
        c.diagnosis.as_str(),
        c.differential.as_str(),
    ];
    parts.extend(c.tags.iter().map(String::as_str));
    if let Some(app) = &app {
        parts.push(&app.name_zh);
        parts.push(&app.name_en);
    }
    let search = parts.join("\n").to_lowercase();
    let tags = if c.tags.is_empty() {
        String::new()
    } else {
        format!("|{}|", c.tags.join("|").to_lowercase())
    };
    Ok(Index { search, tags })
}

/// `%text%` for LIKE, with the wildcards in the user's text escaped.
fn like(text: &str) -> String {
    let escaped = text
        .to_lowercase()
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

/// A case as lists show it, as `SUMMARY_SELECT` reads it.
#[derive(sqlx::FromRow)]
struct SummaryRow {
    id: String,
    title: String,
    application: Option<String>,
    difficulty: String,
    status: String,
    /// `|tag|tag|`.
    tags: String,
    diagnosis: String,
    age_band: String,
    sex: String,
    tirads: Option<i64>,
    grade: Option<String>,
    has_pathology: i64,
    follow_ups: i64,
    comments: i64,
    author_name: String,
    site_code: Option<String>,
    published_version: Option<i64>,
    updated_at: i64,
    published_at: Option<i64>,
    /// The blob of the first clip.
    cover_sha: Option<String>,
}

const SUMMARY_SELECT: &str = "SELECT c.id, c.title, c.application, c.difficulty, c.status, c.tags, c.diagnosis, \
     c.age_band, c.sex, c.tirads, c.grade, c.has_pathology, \
     (SELECT COUNT(*) FROM follow_ups f WHERE f.case_id = c.id) AS follow_ups, \
     (SELECT COUNT(*) FROM case_comments m WHERE m.case_id = c.id) AS comments, \
     u.display_name AS author_name, s.code AS site_code, c.published_version, c.updated_at, \
     c.published_at, i.blob_sha AS cover_sha \
     FROM cases c JOIN users u ON u.id = c.author_id LEFT JOIN sites s ON s.id = c.site_id \
     LEFT JOIN instances i ON i.sop_uid = c.cover_sop";

impl From<SummaryRow> for CaseSummary {
    fn from(r: SummaryRow) -> CaseSummary {
        CaseSummary {
            id: CaseId(r.id),
            title: r.title,
            application: r.application.unwrap_or_default(),
            difficulty: model::Difficulty::parse(&r.difficulty)
                .unwrap_or(model::Difficulty::Intermediate),
            status: CaseStatus::parse(&r.status).unwrap_or(CaseStatus::Draft),
            tags: r
                .tags
                .split('|')
                .filter(|t| !t.is_empty())
                .map(str::to_string)
                .collect(),
            diagnosis: r.diagnosis,
            age_band: AgeBand::parse(&r.age_band).unwrap_or(AgeBand::A40),
            sex: Sex::parse(&r.sex),
            tirads: r.tirads.and_then(|n| TiradsLevel::from_number(n as u8)),
            grade: r.grade.as_deref().and_then(StenosisGrade::parse),
            has_pathology: r.has_pathology != 0,
            follow_ups: r.follow_ups as u32,
            comments: r.comments as u32,
            author_name: r.author_name,
            site_code: r.site_code.unwrap_or_default(),
            published_version: r.published_version.map(|v| v as u32),
            updated_at: r.updated_at,
            published_at: r.published_at,
            cover_url: r.cover_sha.map(|sha| format!("/dicom/{sha}")),
        }
    }
}

/// A summary with the working copy it is curated from.
#[derive(sqlx::FromRow)]
struct WorkbenchRow {
    content: String,
    #[sqlx(flatten)]
    summary: SummaryRow,
}

/// How many cases a search matched.
#[derive(sqlx::FromRow)]
struct Total {
    total: i64,
}

/// One case of a search's page, with how many cases the search matched.
#[derive(sqlx::FromRow)]
struct Hit {
    id: String,
    total: i64,
}

/// What a search's conditions are written over.
const MATCH_FROM: &str = "FROM cases c LEFT JOIN sites s ON s.id = c.site_id";

/// A term as an FTS5 phrase: the whole term, quotes doubled, so nothing in it is syntax.
fn phrase(term: &str) -> String {
    format!("\"{}\"", term.to_lowercase().replace('"', "\"\""))
}

/// `select` over `cases c` (and `sites s`) narrowed to the visible cases matching `q`, each
/// value bound at the column's type. On SQLite a text term of three characters or more is
/// looked up in the trigram index (`case_search`, migration 0014) as a phrase, which matches
/// exactly the cases whose `search_text` holds it; shorter terms scan the index's copy of the
/// text. On PostgreSQL a term of three characters or more goes through LIKE and pg_trgm's
/// index, a shorter one is a substring test over the rows.
fn matching(select: impl Into<String>, q: &CaseQuery, kind: DbKind) -> Search<'static> {
    let mut search = Search::new(select);
    search.and_where().push(VISIBLE);
    for term in q.text.split_whitespace().take(8) {
        let lower = term.to_lowercase();
        let condition = search.and_where();
        match (kind, term.chars().count() >= 3) {
            (DbKind::Sqlite, trigram) => {
                condition.push(
                    "c.id IN (SELECT k.case_id FROM case_search \
                     JOIN case_search_keys k ON k.key = case_search.rowid WHERE ",
                );
                if trigram {
                    condition.push("case_search MATCH ").bind(phrase(term));
                } else {
                    // No trigram to look up: a scan, but of the index's own copy of the text
                    // (a tenth of the cases' rows). Both sides are lower-cased, so `instr` is
                    // the same substring test as LIKE, without its per-character matching.
                    condition
                        .push("instr(case_search.search_text, ")
                        .bind(lower)
                        .push(") > 0");
                }
                condition.push(")");
            }
            // pg_trgm's index (migration 0016) answers the LIKE.
            (DbKind::Postgres, true) => {
                condition
                    .push("c.search_text LIKE ")
                    .bind(like(term))
                    .push(" ESCAPE '\\'");
            }
            // No trigram in the term: LIKE would walk the whole trigram index, slower than
            // reading the rows; `strpos` is the same substring test (both sides lower-cased)
            // and never uses it.
            (DbKind::Postgres, false) => {
                condition
                    .push("strpos(c.search_text, ")
                    .bind(lower)
                    .push(") > 0");
            }
        }
    }
    if !q.application.is_empty() {
        search
            .and_where()
            .push("c.application = ")
            .bind(q.application.clone());
    }
    if !q.diagnosis.trim().is_empty() {
        search
            .and_where()
            .push("LOWER(c.diagnosis) LIKE ")
            .bind(like(q.diagnosis.trim()))
            .push(" ESCAPE '\\'");
    }
    if let Some(level) = q.tirads {
        search
            .and_where()
            .push("c.tirads = ")
            .bind(i64::from(level));
    }
    if let Some(has) = q.has_pathology {
        search
            .and_where()
            .push("c.has_pathology = ")
            .bind(i64::from(has));
    }
    if let Some(d) = q.difficulty {
        search
            .and_where()
            .push("c.difficulty = ")
            .bind(d.as_str().to_string());
    }
    if !q.tag.trim().is_empty() {
        let tag = q.tag.trim().trim_start_matches('#').to_lowercase();
        search
            .and_where()
            .push("c.tags LIKE ")
            .bind(like(&format!("|{tag}|")))
            .push(" ESCAPE '\\'");
    }
    if !q.site.is_empty() {
        search.and_where().push("s.code = ").bind(q.site.clone());
    }
    search
}

/// Published cases matching the query, one page at a time. Every text term must occur
/// somewhere (substring, so Chinese needs no word segmentation).
pub async fn search(db: &Db, q: &CaseQuery) -> Result<CasePage> {
    let order = match q.sort {
        CaseSort::Newest => "c.published_at DESC, c.id DESC",
        CaseSort::Title => "c.title, c.id",
        CaseSort::Difficulty => {
            "CASE c.difficulty WHEN 'basic' THEN 1 WHEN 'intermediate' THEN 2 ELSE 3 END, c.title, c.id"
        }
        CaseSort::Discussed => {
            "(SELECT COUNT(*) FROM case_comments m WHERE m.case_id = c.id) DESC, c.published_at DESC, c.id"
        }
    };
    let page = q.page.min(10_000);
    // The page's ids with the number of matches, in one pass over the narrow `cases_library`
    // index (migration 0015): a separate count matched every case a second time.
    let mut ids = matching(
        format!("SELECT c.id, COUNT(*) OVER () AS total {MATCH_FROM}"),
        q,
        db.kind,
    );
    ids.push(" ORDER BY ")
        .push(order)
        .push(" LIMIT ")
        .bind(i64::from(PER_PAGE))
        .push(" OFFSET ")
        .bind(i64::from(page * PER_PAGE));
    let hits: Vec<Hit> = ids.fetch_all(db).await?;
    let total = match hits.first() {
        Some(hit) => hit.total,
        // Past the last page the rows carry no count: it is asked for on its own.
        None if page > 0 => {
            let Total { total } =
                matching(format!("SELECT COUNT(*) AS total {MATCH_FROM}"), q, db.kind)
                    .fetch_one(db)
                    .await?;
            total
        }
        None => 0,
    };
    // Then the summaries of those twenty alone: sorting whole summaries would read every
    // match's row.
    let rows: Vec<SummaryRow> = if hits.is_empty() {
        Vec::new()
    } else {
        let mut summaries = Search::new(format!("{SUMMARY_SELECT} WHERE {VISIBLE} AND c.id IN ("));
        summaries
            .bind_list(hits.into_iter().map(|hit| hit.id))
            .push(") ORDER BY ")
            .push(order);
        summaries.fetch_all(db).await?
    };
    Ok(CasePage {
        cases: rows.into_iter().map(CaseSummary::from).collect(),
        total: total as u32,
        page,
        per_page: PER_PAGE,
    })
}

/// True when readers may see the case (without loading it).
pub async fn is_visible(db: &Db, id: &str) -> Result<bool> {
    let hit: Option<(i64,)> = sqlx::query_as(&format!(
        "SELECT 1 FROM cases c WHERE c.id = $1 AND {VISIBLE}"
    ))
    .bind(id)
    .fetch_optional(&db.pool)
    .await?;
    Ok(hit.is_some())
}

/// True when the blob is a clip of a case's visible published version: all a learner may fetch.
/// The version's own clip list (`case_version_clips`, written with the version) is matched by
/// equality, so no other clip of the case's study, and no SOP UID that only looks like one,
/// passes.
pub async fn blob_is_published(db: &Db, sha: &str) -> Result<bool> {
    let hit: Option<(i64,)> = sqlx::query_as(&format!(
        "SELECT 1 FROM instances i \
         JOIN case_version_clips vc ON vc.sop_uid = i.sop_uid \
         JOIN cases c ON c.id = vc.case_id AND c.published_version = vc.version \
         WHERE i.blob_sha = $1 AND i.sop_uid <> '' AND {VISIBLE} LIMIT 1"
    ))
    .bind(sha)
    .fetch_optional(&db.pool)
    .await?;
    Ok(hit.is_some())
}

/// Every visible published case, newest first (for queues over the whole library).
pub(crate) async fn published_summaries(db: &Db) -> Result<Vec<CaseSummary>> {
    let rows: Vec<SummaryRow> = sqlx::query_as(&format!(
        "{SUMMARY_SELECT} WHERE {VISIBLE} \
         ORDER BY c.published_at DESC, c.id"
    ))
    .fetch_all(&db.pool)
    .await?;
    Ok(rows.into_iter().map(CaseSummary::from).collect())
}

/// Every case for experts, by status: drafts and reviews first, newest change first. The
/// title and application come from the working copy, which is what is being curated.
pub async fn workbench(db: &Db) -> Result<Vec<CaseSummary>> {
    let sql = SUMMARY_SELECT.replacen("SELECT ", "SELECT c.content, ", 1);
    let rows: Vec<WorkbenchRow> = sqlx::query_as(&format!(
        "{sql} ORDER BY CASE c.status WHEN 'in_review' THEN 1 WHEN 'draft' THEN 2 \
         WHEN 'published' THEN 3 ELSE 4 END, c.updated_at DESC, c.id LIMIT 500"
    ))
    .fetch_all(&db.pool)
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for WorkbenchRow { content, summary } in rows {
        let mut s = CaseSummary::from(summary);
        let c = content_from(&content)?;
        s.title = c.title;
        s.application = c.application;
        s.difficulty = c.difficulty;
        s.diagnosis = c.diagnosis;
        s.tags = c.tags;
        s.age_band = c.age_band;
        s.sex = c.sex;
        s.tirads = worst_tirads(&c.scores);
        s.grade = worst_grade(&c.scores);
        out.push(s);
    }
    Ok(out)
}

/// The published version a reader gets: `None` while unpublished or once retired.
pub async fn view(db: &Db, id: &str, reader: &UserId) -> Result<Option<CaseView>> {
    let Some(row) = row(db, id).await? else {
        return Ok(None);
    };
    let Some(version) = row.published_version else {
        return Ok(None);
    };
    if row.status == CaseStatus::Retired {
        return Ok(None);
    }
    let Some((content, info)) = self::version(db, id, version as u32).await? else {
        return Ok(None);
    };
    let application = super::application(db, &content.application)
        .await?
        .ok_or_else(|| anyhow::anyhow!("case {id} has an unknown application"))?;
    let site = sites::get(db, &content.origin_site).await?;
    let follow_ups = super::follow_ups(db, id).await?;
    let blobs: Vec<(String, String)> =
        sqlx::query_as("SELECT sop_uid, blob_sha FROM instances WHERE study_uid = $1")
            .bind(&row.study_uid)
            .fetch_all(&db.pool)
            .await?;
    let clip_urls = content
        .clips
        .iter()
        .filter_map(|clip| {
            let (_, sha) = blobs.iter().find(|(sop, _)| *sop == clip.sop_uid)?;
            Some((clip.sop_uid.clone(), format!("/dicom/{sha}")))
        })
        .collect();
    let (attempts,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM case_attempts WHERE case_id = $1 AND user_id = $2")
            .bind(id)
            .bind(&reader.0)
            .fetch_one(&db.pool)
            .await?;
    Ok(Some(CaseView {
        id: CaseId(row.id),
        version: version as u32,
        status: row.status,
        teaching_html: render_markdown(&content.teaching_points),
        differential_html: render_markdown(&content.differential),
        concordance: concordance(content.impression_call, &follow_ups),
        content,
        application,
        site_code: site.as_ref().map(|s| s.code.clone()).unwrap_or_default(),
        site_name_zh: site.as_ref().map(|s| s.name_zh.clone()).unwrap_or_default(),
        site_name_en: site.map(|s| s.name_en).unwrap_or_default(),
        author_name: row.author_name,
        published_at: info.published_at,
        follow_ups,
        clip_urls,
        my_attempts: attempts as u32,
    }))
}

/// A published version with the name of who published it.
#[derive(sqlx::FromRow)]
struct VersionRow {
    version: i64,
    content: String,
    published_by: String,
    published_at: i64,
}

impl VersionRow {
    /// The version's header, titled from its content.
    fn info(&self, title: String) -> VersionInfo {
        VersionInfo {
            version: self.version as u32,
            published_by: self.published_by.clone(),
            published_at: self.published_at,
            title,
        }
    }
}

/// One published version with its header.
pub async fn version(
    db: &Db,
    id: &str,
    version: u32,
) -> Result<Option<(CaseContent, VersionInfo)>> {
    let row: Option<VersionRow> = sqlx::query_as(
        "SELECT v.version, v.content, u.display_name AS published_by, v.published_at \
         FROM case_versions v JOIN users u ON u.id = v.published_by \
         WHERE v.case_id = $1 AND v.version = $2",
    )
    .bind(id)
    .bind(i64::from(version))
    .fetch_optional(&db.pool)
    .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    let content = content_from(&row.content)?;
    let info = row.info(content.title.clone());
    Ok(Some((content, info)))
}

/// Every published version of a case, newest first.
pub async fn versions(db: &Db, id: &str) -> Result<Vec<VersionInfo>> {
    let rows: Vec<VersionRow> = sqlx::query_as(
        "SELECT v.version, v.content, u.display_name AS published_by, v.published_at \
         FROM case_versions v JOIN users u ON u.id = v.published_by \
         WHERE v.case_id = $1 ORDER BY v.version DESC",
    )
    .bind(id)
    .fetch_all(&db.pool)
    .await?;
    rows.into_iter()
        .map(|row| {
            let title = content_from(&row.content)?.title;
            Ok(row.info(title))
        })
        .collect()
}

/// The fields that differ between two versions, each shown as text.
pub fn diff(before: &CaseContent, after: &CaseContent) -> Vec<FieldChange> {
    let a = serde_json::to_value(before).unwrap_or_default();
    let b = serde_json::to_value(after).unwrap_or_default();
    let (Some(a), Some(b)) = (a.as_object(), b.as_object()) else {
        return Vec::new();
    };
    let shown = |v: Option<&serde_json::Value>| match v {
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(serde_json::Value::Null) | None => String::new(),
        Some(serde_json::Value::Array(items)) if items.iter().all(|i| i.is_string()) => items
            .iter()
            .filter_map(|i| i.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        Some(other) => serde_json::to_string_pretty(other).unwrap_or_default(),
    };
    let mut fields: Vec<&String> = a.keys().chain(b.keys()).collect();
    fields.dedup();
    let mut seen = std::collections::HashSet::new();
    fields
        .into_iter()
        .filter(|f| seen.insert(f.as_str()) && a.get(*f) != b.get(*f))
        .map(|f| FieldChange {
            field: f.clone(),
            before: shown(a.get(f)),
            after: shown(b.get(f)),
        })
        .collect()
}

/// The unknown-case view of a published case: no findings, impression, diagnosis,
/// annotations or outcomes.
pub async fn puzzle(db: &Db, id: &str, reader: &UserId) -> Result<Option<CasePuzzle>> {
    let Some(view) = view(db, id, reader).await? else {
        return Ok(None);
    };
    let c = &view.content;
    let kind = match c.puzzle_kind() {
        PuzzleKind::Tirads(_) => "tirads",
        PuzzleKind::Stenosis(_) => "stenosis",
        PuzzleKind::Choice(_) => "choice",
        PuzzleKind::FreeText => "free",
    };
    Ok(Some(CasePuzzle {
        id: view.id.clone(),
        version: view.version,
        application: view.application.clone(),
        age_band: c.age_band,
        sex: c.sex,
        history: c.history.clone(),
        clips: view.clip_urls.iter().map(|(_, url)| url.clone()).collect(),
        kind: kind.to_string(),
        choices: c.choices.clone(),
    }))
}

/// Records a committed unknown-case answer and returns the reveal.
pub async fn record_attempt(
    db: &Db,
    id: &str,
    user: &UserId,
    answer: AttemptInput,
) -> Result<Option<Reveal>> {
    let Some(case) = view(db, id, user).await? else {
        return Ok(None);
    };
    let expected = case.content.puzzle_kind();
    let correct = match expected {
        PuzzleKind::Tirads(level) => answer.tirads.map(|n| n == level.number()),
        PuzzleKind::Stenosis(grade) => answer.grade.map(|g| g == grade),
        PuzzleKind::Choice(right) => answer.choice.map(|c| c == right),
        PuzzleKind::FreeText => None,
    };
    sqlx::query(
        "INSERT INTO case_attempts (id, case_id, user_id, version, impression, answer, correct, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(new_id())
    .bind(id)
    .bind(&user.0)
    .bind(i64::from(case.version))
    .bind(&answer.impression)
    .bind(serde_json::to_string(&answer)?)
    .bind(correct.map(i64::from))
    .bind(now())
    .execute(&db.pool)
    .await?;
    let mut case = case;
    case.my_attempts += 1;
    Ok(Some(Reveal {
        attempt: answer,
        correct,
        expected,
        case,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stem_renders_inline_and_as_plain_text() {
        let stem = "选出**首次出现**积液的帧 <script>x()</script>";
        let html = render_inline_markdown(stem);
        assert_eq!(html, "选出<strong>首次出现</strong>积液的帧 ");
        assert_eq!(
            markdown_text("选出**首次出现**积液的帧"),
            "选出首次出现积液的帧"
        );
        // Two paragraphs keep theirs.
        assert!(render_inline_markdown("a\n\nb").starts_with("<p>a</p>"));
    }

    #[test]
    fn teaching_points_render_markdown_without_scripts() {
        let html = render_markdown(
            "**要点**: TR5 ≥ 1 cm → FNA\n\n<script>alert(1)</script>\n\n[x](javascript:alert(1)) <img src=x onerror=alert(1)>",
        );
        assert!(html.contains("<strong>要点</strong>"), "{html}");
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("javascript:"), "{html}");
        assert!(!html.contains("onerror"), "{html}");
    }

    #[test]
    fn images_come_from_this_site_only() {
        for outside in [
            "https://tracker.example/p.gif",
            "//tracker.example/p.gif",
            "HTTP://tracker.example/p.gif",
            "data:image/png;base64,AAAA",
            " https://tracker.example/p.gif",
        ] {
            let html = render_markdown(&format!("![x]({outside}) <img src=\"{outside}\">"));
            assert!(!html.contains("tracker.example"), "{outside}: {html}");
            assert!(!html.contains("data:"), "{outside}: {html}");
        }
        let html = render_markdown("![plane](/media/plane.png) ![b](figures/b.png)");
        assert!(html.contains("src=\"/media/plane.png\""), "{html}");
        assert!(html.contains("src=\"figures/b.png\""), "{html}");
        let link = render_markdown("[guideline](https://www.acr.org/ti-rads)");
        assert!(
            link.contains("href=\"https://www.acr.org/ti-rads\""),
            "links stay: {link}"
        );
    }

    /// The trigram index finds exactly the cases LIKE over `search_text` finds, for every kind of
    /// term: Chinese and English, typed in upper case, wildcards and quotes taken as text, one
    /// or two characters (still LIKE), terms that cross a space or are not there; and it follows
    /// cases written before the index was made (the migration's fill), inserted after it,
    /// re-indexed and deleted (the triggers).
    #[tokio::test]
    async fn the_trigram_index_finds_what_like_finds() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::connect(&crate::db::sqlite_url(dir.path()))
            .await
            .unwrap();
        let texts = [
            "右叶 tr5 实性极低回声结节：甲状腺乳头状癌伴中央区淋巴结转移",
            "甲状腺右叶结节 tr4，bethesda iv：滤泡性腺瘤",
            "颈动脉斑块 50%狭窄 \"软斑\" ica_stenosis",
            "hashimoto thyroiditis with a pseudo-nodule: do not score it",
            "肝脏 liver 结",
            "",
        ];
        let mut conn = db.pool.acquire().await.unwrap();
        // The rows alone: studies and sites do not matter to the search; the author is named
        // in the summaries.
        sqlx::query("PRAGMA foreign_keys = OFF")
            .execute(&mut *conn)
            .await
            .unwrap();
        sqlx::query(
            "INSERT INTO users (id, username, display_name, role, site_id, password_hash, \
             created_at, updated_at) VALUES ('u', 'u', 'U', 'expert', 'hub', '', 0, 0)",
        )
        .execute(&mut *conn)
        .await
        .unwrap();
        let insert = |id: String, text: &'static str| {
            sqlx::query(
                "INSERT INTO cases (id, study_uid, author_id, status, content, published_version, \
                 search_text, created_at, updated_at) VALUES ($1, 's', 'u', 'published', '{}', 1, $2, 0, 0)",
            )
            .bind(id)
            .bind(text)
        };
        for (i, text) in texts.iter().enumerate() {
            insert(format!("c{i}"), text)
                .execute(&mut *conn)
                .await
                .unwrap();
        }
        // Re-index one case and delete another, as a new publication and a removal would.
        sqlx::query("UPDATE cases SET search_text = $1 WHERE id = 'c4'")
            .bind("肝脏 liver 肝囊肿 cyst")
            .execute(&mut *conn)
            .await
            .unwrap();
        insert("gone".into(), "甲状腺 tr5 待删除")
            .execute(&mut *conn)
            .await
            .unwrap();
        sqlx::query("DELETE FROM cases WHERE id = 'gone'")
            .execute(&mut *conn)
            .await
            .unwrap();
        sqlx::query("PRAGMA foreign_keys = ON")
            .execute(&mut *conn)
            .await
            .unwrap();
        drop(conn);
        let (indexed,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM case_search")
            .fetch_one(&db.pool)
            .await
            .unwrap();
        assert_eq!(indexed, texts.len() as i64, "one index row per case");

        for text in [
            "甲状腺",
            "TR5",
            "tr4，",
            "实性极低回声",
            "乳头状癌伴",
            "结节",
            "结",
            "50%",
            "50%狭",
            "\"软斑\"",
            "ica_stenosis",
            "ica_s",
            "_st",
            "%",
            "pseudo-nodule:",
            "NODULE",
            "肝囊肿",
            "liver",
            "待删除",
            "颈动脉 斑块",
            "甲状腺 tr4",
            "腺右叶 滤泡",
            "不存在的词",
            "a\"b",
        ] {
            let q = CaseQuery {
                text: text.to_string(),
                ..CaseQuery::default()
            };
            let found = search(&db, &q).await.unwrap();
            let mut by_like = Search::new("SELECT COUNT(*) AS total FROM cases c");
            by_like.and_where().push(VISIBLE);
            for term in text.split_whitespace() {
                by_like
                    .and_where()
                    .push("c.search_text LIKE ")
                    .bind(like(term))
                    .push(" ESCAPE '\\'");
            }
            let Total { total } = by_like.fetch_one(&db).await.unwrap();
            assert_eq!(i64::from(found.total), total, "{text}");
            let shown = found.cases.len() as i64;
            assert_eq!(shown, total.min(i64::from(PER_PAGE)), "{text}");
        }
        // Past the last page: no cases, and the count is still told.
        let first = CaseQuery {
            text: "甲状腺".into(),
            ..CaseQuery::default()
        };
        let total = search(&db, &first).await.unwrap().total;
        assert!(total > 0);
        let past = search(
            &db,
            &CaseQuery {
                page: 50,
                ..first.clone()
            },
        )
        .await
        .unwrap();
        assert_eq!((past.cases.len(), past.total), (0, total));
        // The re-indexed case is found by its new words alone.
        let q = CaseQuery {
            text: "肝脏 cyst".into(),
            ..CaseQuery::default()
        };
        assert_eq!(search(&db, &q).await.unwrap().total, 1);
    }

    #[test]
    fn like_patterns_escape_wildcards_and_lower_case() {
        assert_eq!(like("50%_TR"), "%50\\%\\_tr%");
        assert_eq!(like("结节"), "%结节%");
    }
}
