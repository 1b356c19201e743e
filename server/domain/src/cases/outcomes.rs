//! Follow-up outcomes as they arrive, the queue of cases still waiting for one, and the
//! network's tables of ultrasound scores against outcomes.
use super::library::VISIBLE;
use super::{content_from, row};
use crate::audit::{self, Actor};
use crate::{Db, Result, new_id, now};
use model::cases::{
    CaseStatus, CaseSummary, Concordance, FollowUp, FollowUpInput, FollowUpKind, GradeOutcomeRow,
    OutcomeTables, TiradsOutcomeRow, concordance, settled_malignancy,
};
use model::scores::{StenosisGrade, TiradsLevel, worst_grade, worst_tirads};
use model::{AppError, AuditAction, CurrentUser};

fn flag(v: Option<bool>) -> Option<i64> {
    v.map(i64::from)
}

/// Adds an outcome to a case that is not retired; marks the case as having pathology when
/// cytology or a tissue verdict arrives.
pub async fn add_follow_up(
    db: &Db,
    actor: &CurrentUser,
    id: &str,
    input: FollowUpInput,
) -> Result<FollowUp> {
    let row = row(db, id)
        .await?
        .ok_or(AppError::NotFound("case".into()))?;
    if row.status == CaseStatus::Retired {
        return Err(AppError::invalid("status", model::InvalidReason::WrongState).into());
    }
    let input = input
        .normalise()
        .map_err(|(field, reason)| AppError::Invalid { field, reason })?;
    let follow_up = FollowUp {
        id: new_id(),
        kind: input.kind,
        day_offset: input.day_offset,
        bethesda: input.bethesda,
        malignant: input.malignant,
        confirms: input.confirms,
        summary: input.summary,
        added_by: actor.display_name.clone(),
        created_at: now(),
    };
    let mut tx = db.pool.begin().await?;
    sqlx::query(
        "INSERT INTO follow_ups (id, case_id, kind, day_offset, bethesda, malignant, confirms, \
         summary, added_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(&follow_up.id)
    .bind(id)
    .bind(follow_up.kind.as_str())
    .bind(i64::from(follow_up.day_offset))
    .bind(follow_up.bethesda.map(i64::from))
    .bind(flag(follow_up.malignant))
    .bind(flag(follow_up.confirms))
    .bind(&follow_up.summary)
    .bind(&actor.id.0)
    .bind(follow_up.created_at)
    .execute(&mut *tx)
    .await?;
    // Cytology or tissue: FNA, histopathology, or surgery whose specimen gave a verdict.
    let pathology = match follow_up.kind {
        FollowUpKind::Fna | FollowUpKind::Histopathology => true,
        FollowUpKind::Surgery => follow_up.malignant.is_some(),
        FollowUpKind::Imaging | FollowUpKind::Clinical => false,
    };
    if pathology {
        sqlx::query("UPDATE cases SET has_pathology = 1 WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
    }
    let detail = serde_json::json!({ "kind": follow_up.kind });
    let who = Actor::web(&actor.id);
    audit::record_in(&mut tx, &who, AuditAction::CaseFollowUp, Some(id), detail).await?;
    tx.commit().await?;
    // Logged scans whose review links this case get the verdict the outcome settles.
    crate::competency::settle_from_follow_up(db, actor, id, &follow_up.id).await?;
    Ok(follow_up)
}

/// The columns every follow-up query selects (the case first, then the follow-up).
const FOLLOW_UP_SELECT: &str = "SELECT f.case_id, f.id, f.kind, f.day_offset, f.bethesda, \
     f.malignant, f.confirms, f.summary, u.display_name AS added_by_name, f.created_at \
     FROM follow_ups f JOIN users u ON u.id = f.added_by";

/// A follow-up with the case it belongs to and the name of who added it.
#[derive(sqlx::FromRow)]
struct FollowUpRow {
    case_id: String,
    id: String,
    kind: String,
    day_offset: i64,
    bethesda: Option<i64>,
    malignant: Option<i64>,
    confirms: Option<i64>,
    summary: String,
    added_by_name: String,
    created_at: i64,
}

impl FollowUpRow {
    /// The case the follow-up belongs to, and the follow-up; `None` for an unknown kind.
    fn into_follow_up(self) -> Option<(String, FollowUp)> {
        Some((
            self.case_id,
            FollowUp {
                id: self.id,
                kind: FollowUpKind::parse(&self.kind)?,
                day_offset: self.day_offset as i32,
                bethesda: self.bethesda.map(|b| b as u8),
                malignant: self.malignant.map(|m| m != 0),
                confirms: self.confirms.map(|c| c != 0),
                summary: self.summary,
                added_by: self.added_by_name,
                created_at: self.created_at,
            },
        ))
    }
}

/// A case's outcomes in the order they happened.
pub async fn follow_ups(db: &Db, id: &str) -> Result<Vec<FollowUp>> {
    let rows: Vec<FollowUpRow> = sqlx::query_as(&format!(
        "{FOLLOW_UP_SELECT} WHERE f.case_id = $1 ORDER BY f.day_offset, f.created_at, f.id"
    ))
    .bind(id)
    .fetch_all(&db.pool)
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(FollowUpRow::into_follow_up)
        .map(|(_, f)| f)
        .collect())
}

/// Every visible published case with its published content and outcomes (two queries,
/// however many cases there are).
async fn published_with_outcomes(
    db: &Db,
) -> Result<Vec<(String, model::cases::CaseContent, Vec<FollowUp>)>> {
    let rows: Vec<(String, String)> = sqlx::query_as(&format!(
        "SELECT c.id, v.content FROM cases c JOIN case_versions v \
         ON v.case_id = c.id AND v.version = c.published_version \
         WHERE {VISIBLE} ORDER BY c.published_at DESC, c.id"
    ))
    .fetch_all(&db.pool)
    .await?;
    let outcomes: Vec<FollowUpRow> = sqlx::query_as(&format!(
        "{FOLLOW_UP_SELECT} JOIN cases c ON c.id = f.case_id WHERE {VISIBLE} \
         ORDER BY f.day_offset, f.created_at, f.id"
    ))
    .fetch_all(&db.pool)
    .await?;
    let mut by_case: std::collections::HashMap<String, Vec<FollowUp>> = Default::default();
    for (case, follow_up) in outcomes.into_iter().filter_map(FollowUpRow::into_follow_up) {
        by_case.entry(case).or_default().push(follow_up);
    }
    rows.into_iter()
        .map(|(id, json)| {
            let follow_ups = by_case.remove(&id).unwrap_or_default();
            Ok((id, content_from(&json)?, follow_ups))
        })
        .collect()
}

/// Published cases whose outcome does not yet settle the impression, oldest publication first.
pub async fn awaiting_follow_up(db: &Db) -> Result<Vec<CaseSummary>> {
    let waiting: std::collections::HashSet<String> = published_with_outcomes(db)
        .await?
        .into_iter()
        .filter(|(_, c, f)| concordance(c.impression_call, f) == Concordance::Pending)
        .map(|(id, _, _)| id)
        .collect();
    let mut cases: Vec<CaseSummary> = super::library::published_summaries(db)
        .await?
        .into_iter()
        .filter(|c| waiting.contains(&c.id.0))
        .collect();
    cases.sort_by_key(|c| (c.published_at, c.id.0.clone()));
    Ok(cases)
}

/// TI-RADS level against malignancy over cases whose outcome settled it, carotid grade against
/// what followed, and concordance counts, over every visible published case.
pub async fn outcome_tables(db: &Db) -> Result<OutcomeTables> {
    let cases = published_with_outcomes(db).await?;
    let mut tirads: Vec<TiradsOutcomeRow> = TiradsLevel::all()
        .into_iter()
        .map(|level| TiradsOutcomeRow {
            level,
            cases: 0,
            malignant: 0,
        })
        .collect();
    let mut carotid: Vec<GradeOutcomeRow> = StenosisGrade::all()
        .into_iter()
        .map(|grade| GradeOutcomeRow {
            grade,
            cases: 0,
            confirmed: 0,
            not_confirmed: 0,
            intervention: 0,
            pending: 0,
        })
        .collect();
    let (mut concordant, mut discordant, mut pending) = (0, 0, 0);
    for (_, content, follow_ups) in &cases {
        match concordance(content.impression_call, follow_ups) {
            Concordance::Concordant => concordant += 1,
            Concordance::Discordant => discordant += 1,
            Concordance::Pending => pending += 1,
        }
        if let (Some(level), Some(malignant)) = (
            worst_tirads(&content.scores),
            settled_malignancy(follow_ups),
        ) && let Some(row) = tirads.iter_mut().find(|r| r.level == level)
        {
            row.cases += 1;
            row.malignant += u32::from(malignant);
        }
        if let Some(grade) = worst_grade(&content.scores)
            && let Some(row) = carotid.iter_mut().find(|r| r.grade == grade)
        {
            row.cases += 1;
            if follow_ups.iter().any(|f| f.kind == FollowUpKind::Surgery) {
                row.intervention += 1;
            }
            let latest = follow_ups
                .iter()
                .filter_map(|f| f.confirms.map(|c| (f.day_offset, c)))
                .max_by_key(|(day, _)| *day);
            match latest {
                Some((_, true)) => row.confirmed += 1,
                Some((_, false)) => row.not_confirmed += 1,
                None => row.pending += 1,
            }
        }
    }
    Ok(OutcomeTables {
        tirads,
        carotid,
        concordant,
        discordant,
        pending,
    })
}
