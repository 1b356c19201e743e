//! Guidance replays: a clip, the voices recorded over it, and a timeline of what the viewer
//! showed (frame, playback, zoom and pan, pointers, drawings, chapters, remarks). The same
//! events travel live between the two sides of a guidance session; recorded with their times
//! they are the replay. The file format is documented in `timeline.schema.json` beside this
//! module, and its version is [`FORMAT_VERSION`].
mod edit;
mod state;
mod validate;
mod views;

#[cfg(test)]
mod tests;

pub use edit::{DrawingDiff, trim};
pub use state::{ReplayState, Replayer, ViewAt};
pub use validate::{Limits, MAX_DURATION_MS, MAX_TEXT, TimelineError, parse_manifest, validate};
pub use views::*;

use crate::Annotation;
use serde::{Deserialize, Serialize};

/// The name in every events file, so a stray JSON file is told apart from a replay.
pub const FORMAT_NAME: &str = "sonohub-replay";
/// The version of the events format this code reads and writes.
pub const FORMAT_VERSION: u32 = 1;
/// The JSON Schema of the events file (a package's `replay.json`).
pub const SCHEMA: &str = include_str!("timeline.schema.json");

/// Who caused an event in a live session: the guiding expert or the guided doctor.
pub type Participant = u8;
/// The expert who guides (and who records alone).
pub const GUIDE: Participant = 0;
/// The doctor being guided.
pub const GUIDED: Participant = 1;

/// Loop behaviour of the viewer, as recorded.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Default)]
#[serde(rename_all = "snake_case")]
pub enum Looping {
    #[default]
    Loop,
    Bounce,
    Once,
}

/// What the viewer shows: the whole view state, sent whenever any part of it changes.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq)]
pub struct View {
    /// The frame on screen when the event happened (0-based).
    pub frame: u32,
    pub playing: bool,
    #[serde(default = "one")]
    pub speed: f64,
    #[serde(default, rename = "loop")]
    pub looping: Looping,
    #[serde(default = "one")]
    pub zoom: f64,
    /// Pan in fractions of the displayed image's width and height at zoom 1.
    #[serde(default)]
    pub pan: [f64; 2],
    /// Playback had already run this long from `frame` at the event (a trimmed replay starts
    /// part-way through a playing stretch).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub played_ms: u64,
}

fn one() -> f64 {
    1.0
}

fn is_zero(v: &u64) -> bool {
    *v == 0
}

fn is_guide(p: &Participant) -> bool {
    *p == GUIDE
}

impl Default for View {
    fn default() -> View {
        View {
            frame: 0,
            playing: false,
            speed: 1.0,
            looping: Looping::Loop,
            zoom: 1.0,
            pan: [0.0, 0.0],
            played_ms: 0,
        }
    }
}

/// What happened.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Action {
    /// The viewer's state changed (seek, play, pause, speed, loop, zoom, pan).
    View(View),
    /// The pointer moved over the image (image pixels).
    Pointer { x: f64, y: f64 },
    /// The pointer left the image.
    PointerOut,
    /// A drawing appeared, or drawing `id` changed.
    Draw { id: u32, annotation: Annotation },
    /// Drawing `id` disappeared.
    Erase { id: u32 },
    /// A chapter starts here.
    Chapter { title: String },
    /// A remark typed during the session, shown at its time.
    Remark { text: String },
}

/// One event of the timeline.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Event {
    /// Milliseconds from the start of the replay.
    pub t: u64,
    /// Who did it ([`GUIDE`] when absent).
    #[serde(default, skip_serializing_if = "is_guide")]
    pub by: Participant,
    #[serde(flatten)]
    pub action: Action,
}

/// The events of a replay in time order, and its length.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
pub struct Timeline {
    pub duration_ms: u64,
    pub events: Vec<Event>,
}

/// A chapter mark, as listed beside the player.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Chapter {
    pub t: u64,
    pub title: String,
}

impl Timeline {
    /// The chapter marks in time order.
    pub fn chapters(&self) -> Vec<Chapter> {
        self.events
            .iter()
            .filter_map(|e| match &e.action {
                Action::Chapter { title } => Some(Chapter {
                    t: e.t,
                    title: title.clone(),
                }),
                _ => None,
            })
            .collect()
    }

    /// The remarks with their times.
    pub fn remarks(&self) -> Vec<(u64, String)> {
        self.events
            .iter()
            .filter_map(|e| match &e.action {
                Action::Remark { text } => Some((e.t, text.clone())),
                _ => None,
            })
            .collect()
    }

    /// Times of every drawing's appearance (first `draw` of each id), for tests and
    /// the editor's marks.
    pub fn drawing_times(&self) -> Vec<(u32, u64)> {
        let mut seen = std::collections::BTreeSet::new();
        self.events
            .iter()
            .filter_map(|e| match &e.action {
                Action::Draw { id, .. } if seen.insert((e.by, *id)) => Some((*id, e.t)),
                _ => None,
            })
            .collect()
    }

    /// Replaces the chapter marks (the editor moves, renames, adds and removes them).
    pub fn set_chapters(&mut self, chapters: &[Chapter]) {
        self.events
            .retain(|e| !matches!(e.action, Action::Chapter { .. }));
        for c in chapters {
            self.events.push(Event {
                t: c.t.min(self.duration_ms),
                by: GUIDE,
                action: Action::Chapter {
                    title: c.title.trim().to_string(),
                },
            });
        }
        // Stable: events at the same time keep their order, chapters after the rest.
        self.events.sort_by_key(|e| e.t);
    }
}

/// The events file of a replay package (`replay.json`): the timeline with what it plays over.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Manifest {
    /// Always [`FORMAT_NAME`].
    pub format: String,
    /// [`FORMAT_VERSION`] for files this code writes.
    pub version: u32,
    pub title: String,
    #[serde(default)]
    pub summary: String,
    /// `zh` or `en`: the language spoken.
    #[serde(default = "zh")]
    pub language: String,
    pub clip: ClipFile,
    #[serde(default)]
    pub voices: Vec<VoiceFile>,
    pub timeline: Timeline,
}

fn zh() -> String {
    "zh".into()
}

/// The clip a package's timeline plays over.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ClipFile {
    /// An anonymised DICOM clip in the package (`file`), or already in the library (`sop_uid`).
    Dicom {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        file: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        sop_uid: Option<String>,
    },
    /// A scanner screen recording (WebM or MP4); frames count at `frame_rate`.
    Video { file: String, frame_rate: f64 },
}

/// A voice track of a package.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct VoiceFile {
    /// Path inside the package.
    pub file: String,
    /// Who speaks (shown beside the player).
    #[serde(default)]
    pub speaker: String,
    #[serde(default)]
    pub by: Participant,
    /// Timeline time at which the recording's start plays (negative: its first part is cut).
    #[serde(default)]
    pub offset_ms: i64,
}
