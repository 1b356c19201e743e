//! The quiz editor's content as typed, and its conversion to the quiz that is saved: minutes
//! to seconds, a closing time in China time to Unix seconds, and each missing or wrong field
//! named as the server names it.
use crate::model::calendar::{civil_from_days, days_from_civil};
use crate::model::quiz::{GradingMethod, QuizInput, QuizPick, QuizSettings, ReviewOptions};
use crate::model::{AppError, InvalidReason, QuestionId};
use crate::pages::people::{NETWORK_OFFSET_SECS, network_time};

/// The longest stem shown in a list of questions, in characters.
const STEM_CHARS: usize = 90;

/// Unix seconds as an `<input type="datetime-local">` value in the network's time zone.
fn local_input(secs: i64) -> String {
    network_time(secs).replacen(' ', "T", 1)
}

/// An `<input type="datetime-local">` value (`2026-07-01T18:00`, seconds optional) in the
/// network's time zone as Unix seconds; `None` when it is not a real date and time.
fn parse_local_input(text: &str) -> Option<i64> {
    let (date, time) = text.trim().split_once('T')?;
    let mut ymd = date.splitn(3, '-').map(|p| p.parse::<i64>().ok());
    let (y, m, d) = (ymd.next()??, ymd.next()??, ymd.next()??);
    let days = days_from_civil(y, m, d);
    // 2026-02-30 would land in March: only a date that comes back unchanged is real.
    if !(1..=12).contains(&m) || civil_from_days(days) != (y, m, d) {
        return None;
    }
    let mut hms = time.splitn(3, ':').map(|p| p.parse::<i64>().ok());
    let (h, min) = (hms.next()??, hms.next()??);
    let s = hms.next().unwrap_or(Some(0))?;
    if !(0..24).contains(&h) || !(0..60).contains(&min) || !(0..60).contains(&s) {
        return None;
    }
    Some(days * 86_400 + h * 3600 + min * 60 + s - NETWORK_OFFSET_SECS)
}

/// A number without a trailing `.0` (and at most two decimals).
fn number_text(value: f64) -> String {
    if value.fract() == 0.0 {
        format!("{value:.0}")
    } else {
        let text = format!("{value:.2}");
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// Minutes typed (decimals allowed) as whole seconds; `Ok(None)` when left empty.
fn parse_minutes(text: &str) -> Result<Option<u32>, InvalidReason> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let minutes: f64 = text.parse().map_err(|_| InvalidReason::BadFormat)?;
    let secs = (minutes * 60.0).round();
    if !secs.is_finite() || secs < 0.0 || secs > f64::from(u32::MAX) {
        return Err(InvalidReason::BadFormat);
    }
    Ok(Some(secs as u32))
}

/// A stem's Markdown as one line of plain text, shortened for a list.
pub(super) fn plain_stem(markdown: &str) -> String {
    let mut text = String::with_capacity(markdown.len());
    for line in markdown.lines() {
        let line = line.trim_start().trim_start_matches(['#', '>']).trim();
        if line.is_empty() {
            continue;
        }
        if !text.is_empty() {
            text.push(' ');
        }
        let mut chars = line.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '*' | '`' => {}
                '_' if chars.peek() == Some(&'_') => {
                    chars.next();
                }
                '!' if chars.peek() == Some(&'[') => {}
                '[' => {}
                // A link's or image's address is not read out.
                ']' if chars.peek() == Some(&'(') => {
                    for c in chars.by_ref() {
                        if c == ')' {
                            break;
                        }
                    }
                }
                c => text.push(c),
            }
        }
    }
    if text.chars().count() > STEM_CHARS {
        let mut short: String = text.chars().take(STEM_CHARS - 1).collect();
        short.push('…');
        short
    } else {
        text
    }
}

/// A place in the quiz as the editor holds it: a fixed place may not have its question yet.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum PlaceDraft {
    Fixed { question: Option<QuestionId> },
    Random { application: String, topic: String },
}

impl PlaceDraft {
    fn from_pick(pick: &QuizPick) -> Self {
        match pick {
            QuizPick::Fixed { question } => PlaceDraft::Fixed {
                question: Some(question.clone()),
            },
            QuizPick::Random { application, topic } => PlaceDraft::Random {
                application: application.clone(),
                topic: topic.clone().unwrap_or_default(),
            },
        }
    }

    /// The pick it stands for, once a fixed place has its question.
    fn pick(&self) -> Option<QuizPick> {
        match self {
            PlaceDraft::Fixed { question } => question
                .clone()
                .map(|question| QuizPick::Fixed { question }),
            PlaceDraft::Random { application, topic } => Some(QuizPick::Random {
                application: application.clone(),
                topic: Some(topic.trim().to_string()).filter(|t| !t.is_empty()),
            }),
        }
    }

    pub(super) fn application(&self) -> Option<&str> {
        match self {
            PlaceDraft::Random { application, .. } => Some(application),
            PlaceDraft::Fixed { .. } => None,
        }
    }
}

/// The editor's content as typed: numbers still text, places perhaps incomplete. Compared with
/// what was last saved to tell the author whether there are unsaved changes.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct QuizDraft {
    pub(super) title: String,
    pub(super) places: Vec<PlaceDraft>,
    pub(super) attempts: String,
    /// Minutes.
    pub(super) time_limit: String,
    pub(super) pass_mark: String,
    pub(super) grading: GradingMethod,
    pub(super) shuffle_questions: bool,
    pub(super) shuffle_options: bool,
    /// `datetime-local` in the network's time zone.
    pub(super) closes_at: String,
    pub(super) review: ReviewOptions,
}

impl QuizDraft {
    pub(super) fn from_quiz(quiz: &QuizInput) -> Self {
        let s = &quiz.settings;
        QuizDraft {
            title: quiz.title.clone(),
            places: quiz.picks.iter().map(PlaceDraft::from_pick).collect(),
            attempts: s
                .attempts_allowed
                .map(|n| n.to_string())
                .unwrap_or_default(),
            time_limit: s
                .time_limit_secs
                .map(|secs| number_text(f64::from(secs) / 60.0))
                .unwrap_or_default(),
            pass_mark: number_text(s.pass_mark),
            grading: s.grading,
            shuffle_questions: s.shuffle_questions,
            shuffle_options: s.shuffle_options,
            closes_at: s.closes_at.map(local_input).unwrap_or_default(),
            review: s.review,
        }
    }

    /// The quiz to save, or the first field that is missing or wrong, named as the server
    /// names it so that both read the same.
    pub(super) fn to_quiz(&self) -> Result<QuizInput, AppError> {
        let picks = self
            .places
            .iter()
            .enumerate()
            .map(|(n, place)| {
                place.pick().ok_or_else(|| {
                    AppError::invalid(&format!("picks.{n}"), InvalidReason::Required)
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let attempts = self.attempts.trim();
        let attempts_allowed = if attempts.is_empty() {
            None
        } else {
            Some(attempts.parse::<u32>().map_err(|_| {
                AppError::invalid("settings.attempts_allowed", InvalidReason::BadFormat)
            })?)
        };
        let time_limit_secs = parse_minutes(&self.time_limit)
            .map_err(|reason| AppError::invalid("settings.time_limit_secs", reason))?;
        let pass_mark = self.pass_mark.trim();
        if pass_mark.is_empty() {
            return Err(AppError::invalid(
                "settings.pass_mark",
                InvalidReason::Required,
            ));
        }
        let pass_mark = pass_mark
            .parse::<f64>()
            .ok()
            .filter(|p| p.is_finite())
            .ok_or_else(|| AppError::invalid("settings.pass_mark", InvalidReason::BadFormat))?;
        let closes_at = match self.closes_at.trim() {
            "" => None,
            text => Some(parse_local_input(text).ok_or_else(|| {
                AppError::invalid("settings.closes_at", InvalidReason::BadFormat)
            })?),
        };
        let quiz = QuizInput {
            title: self.title.trim().to_string(),
            picks,
            settings: QuizSettings {
                attempts_allowed,
                grading: self.grading,
                time_limit_secs,
                shuffle_questions: self.shuffle_questions,
                shuffle_options: self.shuffle_options,
                pass_mark,
                review: self.review,
                closes_at,
            },
        };
        quiz.validate()?;
        Ok(quiz)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::quiz::ReviewShows;

    #[test]
    fn closing_time_is_typed_in_china_time() {
        // 2026-11-25 17:00 UTC is 01:00 on the 26th in Beijing.
        assert_eq!(local_input(1_795_626_000), "2026-11-26T01:00");
        assert_eq!(parse_local_input("2026-11-26T01:00"), Some(1_795_626_000));
        assert_eq!(
            parse_local_input("2026-11-26T01:00:30"),
            Some(1_795_626_030)
        );
        assert_eq!(parse_local_input("2024-02-29T08:00"), Some(1_709_164_800));
    }

    #[test]
    fn impossible_dates_and_times_are_refused() {
        for text in [
            "",
            "2026-02-30T10:00",
            "2026-13-01T10:00",
            "2026-01-01T24:00",
            "2026-01-01T10:60",
            "2026-01-01",
            "soon",
        ] {
            assert_eq!(parse_local_input(text), None, "{text}");
        }
    }

    #[test]
    fn time_limits_are_minutes() {
        assert_eq!(parse_minutes(""), Ok(None));
        assert_eq!(parse_minutes(" 20 "), Ok(Some(1200)));
        assert_eq!(parse_minutes("1.5"), Ok(Some(90)));
        assert_eq!(parse_minutes("-1"), Err(InvalidReason::BadFormat));
        assert_eq!(parse_minutes("ten"), Err(InvalidReason::BadFormat));
        assert_eq!(number_text(1200.0 / 60.0), "20");
        assert_eq!(number_text(90.0 / 60.0), "1.5");
        assert_eq!(number_text(62.5), "62.5");
    }

    #[test]
    fn stems_read_as_plain_text() {
        assert_eq!(
            plain_stem("选出肝肾隐窝**首次出现**游离液体的那一帧"),
            "选出肝肾隐窝首次出现游离液体的那一帧"
        );
        assert_eq!(
            plain_stem("## See `B-lines`\n\n[the atlas](https://x/y) and __this__"),
            "See B-lines the atlas and this"
        );
        let long = plain_stem(&"肺".repeat(200));
        assert_eq!(long.chars().count(), STEM_CHARS);
        assert!(long.ends_with('…'));
    }

    fn question(n: u8) -> QuestionId {
        QuestionId(format!("0190a000-0000-7000-8000-0000000000{n:02}"))
    }

    #[test]
    fn a_saved_quiz_reads_back_unchanged() {
        let quiz = QuizInput {
            title: "eFAST 测验".into(),
            picks: vec![
                QuizPick::Fixed {
                    question: question(1),
                },
                QuizPick::Random {
                    application: "lung".into(),
                    topic: Some("pneumothorax".into()),
                },
                QuizPick::Random {
                    application: "efast".into(),
                    topic: None,
                },
            ],
            settings: QuizSettings {
                attempts_allowed: Some(3),
                grading: GradingMethod::Average,
                time_limit_secs: Some(1200),
                shuffle_questions: true,
                shuffle_options: true,
                pass_mark: 62.5,
                review: ReviewOptions {
                    later: ReviewShows::default(),
                    ..ReviewOptions::default()
                },
                closes_at: Some(1_795_626_000),
            },
        };
        assert_eq!(QuizDraft::from_quiz(&quiz).to_quiz(), Ok(quiz));
    }

    #[test]
    fn what_is_missing_or_wrong_is_named_as_the_server_names_it() {
        let quiz = QuizInput {
            title: "Lung".into(),
            picks: vec![QuizPick::Fixed {
                question: question(1),
            }],
            settings: QuizSettings::default(),
        };
        let draft = QuizDraft::from_quiz(&quiz);
        let refused = |change: fn(&mut QuizDraft)| {
            let mut d = draft.clone();
            change(&mut d);
            match d.to_quiz() {
                Err(AppError::Invalid { field, reason }) => (field, reason),
                other => panic!("accepted: {other:?}"),
            }
        };
        assert_eq!(
            refused(|d| d.places.push(PlaceDraft::Fixed { question: None })),
            ("picks.1".into(), InvalidReason::Required)
        );
        assert_eq!(
            refused(|d| d.places.clear()),
            ("picks".into(), InvalidReason::Required)
        );
        assert_eq!(
            refused(|d| d.pass_mark = "150".into()),
            ("settings.pass_mark".into(), InvalidReason::BadFormat)
        );
        assert_eq!(
            refused(|d| d.pass_mark = " ".into()),
            ("settings.pass_mark".into(), InvalidReason::Required)
        );
        assert_eq!(
            refused(|d| d.attempts = "0".into()),
            ("settings.attempts_allowed".into(), InvalidReason::BadFormat)
        );
        assert_eq!(
            refused(|d| d.attempts = "2.5".into()),
            ("settings.attempts_allowed".into(), InvalidReason::BadFormat)
        );
        assert_eq!(
            refused(|d| d.time_limit = "0".into()),
            ("settings.time_limit_secs".into(), InvalidReason::BadFormat)
        );
        assert_eq!(
            refused(|d| d.title = "  ".into()),
            ("title".into(), InvalidReason::Required)
        );
        // An empty topic draws from the whole application.
        let mut d = draft.clone();
        d.places = vec![PlaceDraft::Random {
            application: "lung".into(),
            topic: "  ".into(),
        }];
        assert_eq!(
            d.to_quiz().map(|q| q.picks),
            Ok(vec![QuizPick::Random {
                application: "lung".into(),
                topic: None
            }])
        );
    }
}
