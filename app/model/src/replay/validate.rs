//! Checking an events file before anything is stored: its shape (serde, with the path of the
//! first bad value) and its meaning (known format, events in order and inside the replay,
//! frames on the clip, drawings that exist before they are erased). Every refusal names the
//! place in the file, e.g. `timeline.events[12].frame`.
use super::{Action, FORMAT_NAME, FORMAT_VERSION, Manifest, Timeline};
use crate::InvalidReason;

/// Longest replay accepted: four hours.
pub const MAX_DURATION_MS: u64 = 4 * 3600 * 1000;
/// Most events in one timeline (a 4-hour session with a busy pointer stays well below).
pub const MAX_EVENTS: usize = 500_000;
/// Longest chapter title, remark or title, in characters.
pub const MAX_TEXT: usize = 2000;

/// A refusal: where in the file, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimelineError {
    pub path: String,
    pub reason: InvalidReason,
}

impl TimelineError {
    fn at(path: impl Into<String>, reason: InvalidReason) -> TimelineError {
        TimelineError {
            path: path.into(),
            reason,
        }
    }
}

/// What the timeline must fit: the clip's frames and size, and how long the media plays.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Limits {
    pub frames: Option<u32>,
    pub size: Option<(u32, u32)>,
    /// Events may not start after this (the longest voice, or the video clip).
    pub media_ms: Option<u64>,
}

/// Reads a package's `replay.json`: syntax and shape first (naming the path of the first bad
/// value), then the format name and version.
pub fn parse_manifest(bytes: &[u8]) -> Result<Manifest, TimelineError> {
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    let manifest: Manifest = serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let path = if path == "." { String::new() } else { path };
        TimelineError::at(path, InvalidReason::BadFormat)
    })?;
    if manifest.format != FORMAT_NAME {
        return Err(TimelineError::at("format", InvalidReason::BadFormat));
    }
    if manifest.version == 0 || manifest.version > FORMAT_VERSION {
        return Err(TimelineError::at("version", InvalidReason::Unknown));
    }
    if manifest.title.trim().is_empty() {
        return Err(TimelineError::at("title", InvalidReason::Required));
    }
    if manifest.title.chars().count() > 200 {
        return Err(TimelineError::at("title", InvalidReason::TooLong));
    }
    if !matches!(manifest.language.as_str(), "zh" | "en") {
        return Err(TimelineError::at("language", InvalidReason::Unknown));
    }
    Ok(manifest)
}

/// Checks the meaning of a timeline against what it plays over; `prefix` is its path in the
/// file (`timeline` in a package, empty for a bare timeline).
pub fn validate(timeline: &Timeline, limits: Limits, prefix: &str) -> Result<(), TimelineError> {
    let at = |rest: String| {
        if prefix.is_empty() {
            rest
        } else {
            format!("{prefix}.{rest}")
        }
    };
    if timeline.duration_ms == 0 {
        return Err(TimelineError::at(
            at("duration_ms".into()),
            InvalidReason::Required,
        ));
    }
    if timeline.duration_ms > MAX_DURATION_MS {
        return Err(TimelineError::at(
            at("duration_ms".into()),
            InvalidReason::TooLong,
        ));
    }
    if timeline.events.len() > MAX_EVENTS {
        return Err(TimelineError::at(
            at("events".into()),
            InvalidReason::TooLong,
        ));
    }
    let mut alive = std::collections::BTreeSet::new();
    let mut last_t = 0;
    for (i, e) in timeline.events.iter().enumerate() {
        let here = |field: &str| at(format!("events[{i}].{field}"));
        if e.t < last_t {
            return Err(TimelineError::at(here("t"), InvalidReason::BadFormat));
        }
        last_t = e.t;
        if e.t > timeline.duration_ms || limits.media_ms.is_some_and(|m| e.t > m) {
            return Err(TimelineError::at(here("t"), InvalidReason::PastEnd));
        }
        if e.by > 1 {
            return Err(TimelineError::at(here("by"), InvalidReason::Unknown));
        }
        let finite = |v: f64| v.is_finite();
        match &e.action {
            Action::View(v) => {
                if limits.frames.is_some_and(|n| v.frame >= n) {
                    return Err(TimelineError::at(here("frame"), InvalidReason::PastEnd));
                }
                if !(finite(v.speed) && (0.1..=8.0).contains(&v.speed)) {
                    return Err(TimelineError::at(here("speed"), InvalidReason::BadFormat));
                }
                if !(finite(v.zoom) && (0.25..=16.0).contains(&v.zoom)) {
                    return Err(TimelineError::at(here("zoom"), InvalidReason::BadFormat));
                }
                if !v.pan.iter().all(|p| finite(*p) && p.abs() <= 16.0) {
                    return Err(TimelineError::at(here("pan"), InvalidReason::BadFormat));
                }
            }
            Action::Pointer { x, y } => {
                let on_image = finite(*x)
                    && finite(*y)
                    && limits.size.is_none_or(|(w, h)| {
                        (-1.0..=f64::from(w) + 1.0).contains(x)
                            && (-1.0..=f64::from(h) + 1.0).contains(y)
                    });
                if !on_image {
                    return Err(TimelineError::at(here("x"), InvalidReason::BadFormat));
                }
            }
            Action::PointerOut => {}
            Action::Draw { id, annotation } => {
                if annotation.first_frame > annotation.last_frame
                    || limits.frames.is_some_and(|n| annotation.first_frame >= n)
                {
                    return Err(TimelineError::at(
                        here("annotation.first_frame"),
                        InvalidReason::BadFormat,
                    ));
                }
                if let Some((w, h)) = limits.size
                    && !annotation.shape.fits(w, h)
                {
                    return Err(TimelineError::at(
                        here("annotation.shape"),
                        InvalidReason::BadFormat,
                    ));
                }
                if let crate::Shape::Text { text, .. } = &annotation.shape
                    && text.chars().count() > MAX_TEXT
                {
                    return Err(TimelineError::at(
                        here("annotation.shape.text"),
                        InvalidReason::TooLong,
                    ));
                }
                alive.insert((e.by, *id));
            }
            Action::Erase { id } => {
                if !alive.remove(&(e.by, *id)) {
                    return Err(TimelineError::at(here("id"), InvalidReason::Unknown));
                }
            }
            Action::Chapter { title } => {
                if title.trim().is_empty() {
                    return Err(TimelineError::at(here("title"), InvalidReason::Required));
                }
                if title.chars().count() > 200 {
                    return Err(TimelineError::at(here("title"), InvalidReason::TooLong));
                }
            }
            Action::Remark { text } => {
                if text.trim().is_empty() {
                    return Err(TimelineError::at(here("text"), InvalidReason::Required));
                }
                if text.chars().count() > MAX_TEXT {
                    return Err(TimelineError::at(here("text"), InvalidReason::TooLong));
                }
            }
        }
    }
    Ok(())
}
