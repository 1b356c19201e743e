//! Guidance replays on the server: a clip (an anonymised DICOM instance of the library, or a
//! screen recording), the voices recorded over it and the timeline of what the viewer showed,
//! reviewed like cases (draft → in review → published → retired).
//!
//! Who sees what: experts (`Permission::RecordReplays`) see and edit every replay; learners
//! and coordinators see published replays only, and a replay in any other state is not found
//! for them through every door (lists, the player, comments, media, the package). Admins do
//! not use the teaching areas.
//!
//! * `library` lists replays, shows one to its player and says which files it may serve.
//! * `editing` saves drafts and moves replays through review.
//! * `comments` are remarks at a time of a replay.
//! * `media` takes uploaded voices and screen recordings, sniffed by `sniff`.
//! * `package` imports and exports the zip of `replay.json` and its media files.
mod comments;
mod editing;
mod library;
mod media;
pub(crate) mod package;
pub mod sniff;

pub use comments::{add_comment, comments};
pub use editing::{discard, save, transition};
pub use library::{MediaRef, clip_is_published, for_case, is_published, list, media_for, view};
pub use media::put_media;
pub use package::{export_package, import_package};

use crate::Result;
use model::cases::CaseStatus;
use model::replay::{MAX_DURATION_MS, TimelineError};
use model::{AppError, CurrentUser, InvalidReason, Permission};

/// Largest voice accepted.
pub const MAX_AUDIO_BYTES: u64 = 64 * 1024 * 1024;
/// Largest screen recording accepted.
pub const MAX_VIDEO_BYTES: u64 = 512 * 1024 * 1024;
/// Largest package accepted, and the most its files may inflate to in all.
pub const MAX_PACKAGE_BYTES: u64 = 1024 * 1024 * 1024;
/// Voice tracks of one replay (a live session has two).
const MAX_VOICES: usize = 8;
const MAX_TITLE: usize = 200;
const MAX_SUMMARY: usize = 10_000;
const MAX_SPEAKER: usize = 100;
/// Events may come this long after the end of the longest voice: a recorder stops a moment
/// after the last event is written.
const MEDIA_TOLERANCE_MS: u64 = 1000;

/// Who is asking, as far as replays are concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Audience {
    /// An expert: every replay, in every state.
    Curator,
    /// A learner or coordinator: published replays only.
    Reader,
}

fn audience(user: &CurrentUser) -> Result<Audience> {
    if !user.role.uses_teaching() {
        return Err(AppError::Forbidden.into());
    }
    Ok(if user.may(Permission::RecordReplays) {
        Audience::Curator
    } else {
        Audience::Reader
    })
}

/// Only experts record, edit, review and import.
fn must_curate(user: &CurrentUser) -> Result<()> {
    match audience(user)? {
        Audience::Curator => Ok(()),
        Audience::Reader => Err(AppError::Forbidden.into()),
    }
}

fn not_found() -> crate::Error {
    AppError::NotFound("replay".into()).into()
}

fn invalid(field: &str, reason: InvalidReason) -> crate::Error {
    AppError::invalid(field, reason).into()
}

/// A timeline or manifest refusal at its path, under `prefix` (`replay.json:` in a package).
fn refused_at(prefix: &str, e: TimelineError) -> crate::Error {
    let field = match (prefix, e.path.as_str()) {
        ("", path) => path.to_string(),
        (prefix, "") => prefix.trim_end_matches(':').to_string(),
        (prefix, path) => format!("{prefix}{path}"),
    };
    AppError::Invalid {
        field,
        reason: e.reason,
    }
    .into()
}

fn status_of(stored: &str) -> CaseStatus {
    CaseStatus::parse(stored).unwrap_or(CaseStatus::Draft)
}

/// Unix seconds as RFC 3339 in UTC, e.g. `2026-11-30T14:01:43Z`.
fn timestamp(secs: i64) -> String {
    let (y, m, d) = model::calendar::civil_from_days(secs.div_euclid(86_400));
    let s = secs.rem_euclid(86_400);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        s / 3600,
        s / 60 % 60,
        s % 60
    )
}

/// Where the browser fetches a replay's voice or screen recording.
fn media_url(replay: &str, sha: &str) -> String {
    format!("/replays/{replay}/media/{sha}")
}

/// A title, trimmed: required, at most 200 characters.
fn checked_title(field: &str, title: &str) -> Result<String> {
    let title = title.trim();
    if title.is_empty() {
        return Err(invalid(field, InvalidReason::Required));
    }
    if title.chars().count() > MAX_TITLE {
        return Err(invalid(field, InvalidReason::TooLong));
    }
    Ok(title.to_string())
}

fn checked_summary(field: &str, summary: &str) -> Result<String> {
    let summary = summary.trim();
    if summary.chars().count() > MAX_SUMMARY {
        return Err(invalid(field, InvalidReason::TooLong));
    }
    Ok(summary.to_string())
}

fn checked_language(field: &str, language: &str) -> Result<()> {
    if matches!(language, "zh" | "en") {
        Ok(())
    } else {
        Err(invalid(field, InvalidReason::Unknown))
    }
}

/// A voice track as stored: its media blob and who speaks when.
#[derive(Debug, Clone, PartialEq)]
struct Voice {
    sha: String,
    mime: String,
    speaker: String,
    by: u8,
    offset_ms: i64,
}

/// Checks who speaks on a voice track and where it starts; `at` is the track's path (e.g.
/// `voices[1]`). Returns the speaker, trimmed.
fn checked_voice(at: &str, speaker: &str, by: u8, offset_ms: i64) -> Result<String> {
    let speaker = speaker.trim();
    if speaker.chars().count() > MAX_SPEAKER {
        return Err(invalid(&format!("{at}.speaker"), InvalidReason::TooLong));
    }
    if by > model::replay::GUIDED {
        return Err(invalid(&format!("{at}.by"), InvalidReason::Unknown));
    }
    if offset_ms.unsigned_abs() > MAX_DURATION_MS {
        return Err(invalid(&format!("{at}.offset_ms"), InvalidReason::TooLong));
    }
    Ok(speaker.to_string())
}

/// How far into the timeline events may come: the end of the longest media (a voice from its
/// offset, or a video clip) plus a moment's grace; unknown when any media's length is.
fn media_limit(ends: &[Option<i64>]) -> Option<u64> {
    let mut longest = 0u64;
    for end in ends {
        longest = longest.max(u64::try_from((*end)?).unwrap_or(0));
    }
    (!ends.is_empty()).then_some(longest + MEDIA_TOLERANCE_MS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_rfc_3339_in_utc() {
        assert_eq!(timestamp(0), "1970-01-01T00:00:00Z");
        assert_eq!(timestamp(1_796_047_303), "2026-11-30T14:01:43Z");
    }

    #[test]
    fn events_may_run_to_the_longest_media_plus_a_moment() {
        assert_eq!(media_limit(&[]), None, "no media: the timeline alone");
        assert_eq!(media_limit(&[Some(2000), Some(5000)]), Some(6000));
        assert_eq!(
            media_limit(&[Some(2000), None]),
            None,
            "a voice of unknown length could be the longest"
        );
        assert_eq!(
            media_limit(&[Some(-500)]),
            Some(1000),
            "cut before the start"
        );
    }

    #[test]
    fn package_paths_name_the_file_and_the_place_in_it() {
        let at = |path: &str| TimelineError {
            path: path.into(),
            reason: InvalidReason::PastEnd,
        };
        let field = |e: crate::Error| match AppError::from(e) {
            AppError::Invalid { field, .. } => field,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            field(refused_at("replay.json:", at("timeline.events[3].t"))),
            "replay.json:timeline.events[3].t"
        );
        assert_eq!(field(refused_at("replay.json:", at(""))), "replay.json");
        assert_eq!(
            field(refused_at("", at("timeline.duration_ms"))),
            "timeline.duration_ms"
        );
    }
}
