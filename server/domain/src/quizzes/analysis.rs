//! Item analysis of a quiz over its finished attempts (each learner's first, or all): the
//! marks table handed to `model::quiz::analyse`, option shares of choice questions, and where
//! learners clicked on hotspot questions.
use super::attempts::{Slot, slots};
use super::bank::{published_clip, quiz_row};
use crate::{Db, Result};
use model::quiz::{
    Answer, ClickMap, ItemReport, QuestionKind, QuizReport, Slot as AnalysisSlot, analyse,
    kind_name, option_shares, random_guess_score,
};
use model::{AppError, QuestionId, QuizId};
use std::collections::HashMap;

/// The report of `quiz` over first attempts only, or all finished attempts.
pub async fn report(db: &Db, quiz: &QuizId, first_only: bool) -> Result<QuizReport> {
    super::attempts::close_expired(db).await?;
    let row = quiz_row(db, quiz)
        .await?
        .ok_or_else(|| AppError::NotFound("quiz".into()))?;
    let attempts: Vec<(String,)> = sqlx::query_as(
        "SELECT id FROM quiz_attempts WHERE quiz_id = $1 AND finished_at IS NOT NULL \
         AND ($2 = 0 OR number = 1) ORDER BY started_at, id",
    )
    .bind(quiz.as_str())
    .bind(i64::from(first_only))
    .fetch_all(&db.pool)
    .await?;
    let places = row.picks.len();
    // by_place[p]: the slot filling place p in each attempt.
    let mut by_place: Vec<Vec<Slot>> = (0..places).map(|_| Vec::new()).collect();
    let mut marks: Vec<Vec<f64>> = Vec::with_capacity(attempts.len());
    for (id,) in &attempts {
        let mut row_marks = vec![0.0; places];
        for slot in slots(db, id).await? {
            let p = slot.place as usize;
            if p < places {
                row_marks[p] = slot.max_mark * slot.mark.unwrap_or(0.0);
                by_place[p].push(slot);
            }
        }
        marks.push(row_marks);
    }
    let analysis_slots: Vec<AnalysisSlot> = by_place
        .iter()
        .map(|s| AnalysisSlot {
            max_mark: s.first().map_or(1.0, |s| s.max_mark),
            random_guess: s.first().and_then(|s| random_guess_score(&s.question.kind)),
        })
        .collect();
    let analysis = analyse(&analysis_slots, &marks).map_err(anyhow::Error::from)?;
    let mut items = Vec::with_capacity(places);
    for (p, (slots, statistics)) in by_place.into_iter().zip(analysis.items).enumerate() {
        let Some(first) = slots.first() else {
            continue;
        };
        items.push(ItemReport {
            place: p as u32 + 1,
            question_id: QuestionId(most_common(&slots)),
            stem: crate::cases::markdown_text(&first.question.stem),
            kind: kind_name(&first.question.kind).to_string(),
            attempts: slots.len(),
            statistics,
            options: options(&slots),
            clicks: clicks(db, &slots).await?,
        });
    }
    Ok(QuizReport {
        quiz_id: quiz.clone(),
        title: row.title,
        first_only,
        quiz: analysis.quiz,
        items,
    })
}

/// The question most attempts were asked at this place (random picks vary).
fn most_common(slots: &[Slot]) -> String {
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for s in slots {
        *counts.entry(&s.question_id).or_default() += 1;
    }
    counts
        .into_iter()
        .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(a.0)))
        .map(|(id, _)| id.to_string())
        .unwrap_or_default()
}

/// The share of attempts choosing each option, for the choice question asked most here.
fn options(slots: &[Slot]) -> Vec<(String, f64, bool)> {
    let id = most_common(slots);
    let same: Vec<&Slot> = slots.iter().filter(|s| s.question_id == id).collect();
    let Some(first) = same.first() else {
        return Vec::new();
    };
    let chosen = |s: &&Slot| match &s.answer {
        Some(Answer::Choice(i)) => vec![*i],
        Some(Answer::Choices(list)) => list.clone(),
        Some(Answer::TrueFalse(b)) => vec![usize::from(!*b)],
        _ => Vec::new(),
    };
    let choices: Vec<Vec<usize>> = same.iter().map(chosen).collect();
    let (labels, right): (Vec<String>, Vec<bool>) = match &first.question.kind {
        QuestionKind::Single { options, correct } => (
            options.clone(),
            (0..options.len()).map(|i| i == *correct).collect(),
        ),
        QuestionKind::Multiple {
            options, correct, ..
        } => (
            options.clone(),
            (0..options.len()).map(|i| correct.contains(&i)).collect(),
        ),
        QuestionKind::TrueFalse { correct } => (
            vec!["true".into(), "false".into()],
            vec![*correct, !*correct],
        ),
        _ => return Vec::new(),
    };
    let shares = option_shares(&choices, labels.len());
    labels
        .into_iter()
        .zip(shares)
        .zip(right)
        .map(|((label, share), right)| (label, share, right))
        .collect()
}

/// Where learners clicked on the hotspot question asked most here, drawn on the frame most
/// clicks were made on.
async fn clicks(db: &Db, slots: &[Slot]) -> Result<Option<ClickMap>> {
    let id = most_common(slots);
    let same: Vec<&Slot> = slots.iter().filter(|s| s.question_id == id).collect();
    let Some(first) = same.first() else {
        return Ok(None);
    };
    let QuestionKind::Hotspot { targets, .. } = &first.question.kind else {
        return Ok(None);
    };
    let Some(clip) = first.question.clip.as_deref() else {
        return Ok(None);
    };
    let Some(clip) = published_clip(db, clip).await? else {
        return Ok(None);
    };
    let clicks: Vec<(f64, f64, u32, bool)> = same
        .iter()
        .filter_map(|s| match s.answer {
            Some(Answer::Click { x, y, frame }) => {
                Some((x, y, frame, s.mark.unwrap_or(0.0) >= 1.0))
            }
            _ => None,
        })
        .collect();
    let mut per_frame: HashMap<u32, usize> = HashMap::new();
    for c in &clicks {
        *per_frame.entry(c.2).or_default() += 1;
    }
    let frame = per_frame
        .into_iter()
        .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0)))
        .map(|(f, _)| f)
        .or_else(|| targets.first().map(|t| t.first_frame))
        .unwrap_or(0);
    Ok(Some(ClickMap {
        sha: clip.sha,
        frame,
        width: clip.width,
        height: clip.height,
        clicks,
        targets: targets
            .iter()
            .filter(|t| (t.first_frame..=t.last_frame).contains(&frame))
            .map(|t| t.shape.clone())
            .collect(),
    }))
}
