//! The state of a replay at any time: the last view, each participant's pointer, the
//! drawings on screen and the chapter under way. Seeking and playing reach the same state
//! because both fold the same events; checkpoints keep a seek on a long replay short.
use super::{Action, Event, GUIDE, GUIDED, Participant, Timeline, View};
use crate::{Annotation, Point};

/// Events folded between two stored checkpoints.
const CHECKPOINT_EVERY: usize = 256;

/// The viewer's state at a time: the last view event, and how long it has been playing since.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ViewAt {
    pub view: View,
    /// Milliseconds of playback from `view.frame` (0 when paused).
    pub playing_for_ms: u64,
}

/// Everything shown at one time of the replay.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ReplayState {
    /// The last view event, `None` before the first.
    pub view: Option<View>,
    /// When that view event happened.
    pub view_since: u64,
    /// Pointers of the guide and the guided, where on the image they are.
    pub pointers: [Option<Point>; 2],
    /// Drawings on screen in the order they first appeared, by (participant, id).
    pub drawings: Vec<((Participant, u32), Annotation)>,
    /// Index of the chapter under way (into `Timeline::chapters`).
    pub chapter: Option<usize>,
    /// Index of the last remark reached (into `Timeline::remarks`).
    pub remark: Option<usize>,
}

impl ReplayState {
    /// Folds one more event into the state (a live session follows its events this way).
    pub fn apply(&mut self, e: &Event) {
        match &e.action {
            Action::View(v) => {
                self.view = Some(*v);
                self.view_since = e.t;
            }
            Action::Pointer { x, y } => {
                self.pointers[slot(e.by)] = Some(Point { x: *x, y: *y });
            }
            Action::PointerOut => self.pointers[slot(e.by)] = None,
            Action::Draw { id, annotation } => {
                let key = (e.by, *id);
                match self.drawings.iter_mut().find(|(k, _)| *k == key) {
                    Some((_, a)) => *a = annotation.clone(),
                    None => self.drawings.push((key, annotation.clone())),
                }
            }
            Action::Erase { id } => self.drawings.retain(|(k, _)| *k != (e.by, *id)),
            Action::Chapter { .. } => self.chapter = Some(self.chapter.map_or(0, |c| c + 1)),
            Action::Remark { .. } => self.remark = Some(self.remark.map_or(0, |r| r + 1)),
        }
    }

    /// The view at time `t` (this state's time): playback time counts on while playing.
    pub fn view_at(&self, t: u64) -> ViewAt {
        let view = self.view.unwrap_or_default();
        let playing_for_ms = if view.playing {
            view.played_ms + t.saturating_sub(self.view_since)
        } else {
            0
        };
        ViewAt {
            view,
            playing_for_ms,
        }
    }

    /// The drawings shown on `frame`.
    pub fn drawings_on(&self, frame: u32) -> Vec<Annotation> {
        self.drawings
            .iter()
            .filter(|(_, a)| a.visible_on(frame))
            .map(|(_, a)| a.clone())
            .collect()
    }
}

fn slot(by: Participant) -> usize {
    if by == GUIDED { 1 } else { GUIDE as usize }
}

/// Answers "what is on screen at t" for one timeline.
#[derive(Debug, Clone)]
pub struct Replayer {
    events: Vec<Event>,
    /// State after folding the first `k * CHECKPOINT_EVERY` events.
    checkpoints: Vec<ReplayState>,
}

impl Replayer {
    /// Prepares `timeline` (events in time order; equal times keep their order).
    pub fn new(timeline: &Timeline) -> Replayer {
        let mut events = timeline.events.clone();
        events.sort_by_key(|e| e.t);
        let mut checkpoints = vec![ReplayState::default()];
        let mut state = ReplayState::default();
        for (i, e) in events.iter().enumerate() {
            state.apply(e);
            if (i + 1) % CHECKPOINT_EVERY == 0 {
                checkpoints.push(state.clone());
            }
        }
        Replayer {
            events,
            checkpoints,
        }
    }

    /// The state once every event at or before `t` has happened.
    pub fn state_at(&self, t: u64) -> ReplayState {
        let upto = self.events.partition_point(|e| e.t <= t);
        let k = upto / CHECKPOINT_EVERY;
        let mut state = self.checkpoints[k].clone();
        for e in &self.events[k * CHECKPOINT_EVERY..upto] {
            state.apply(e);
        }
        state
    }

    /// Folds the events after time `from` up to and including `to` into `state` (a player
    /// moving forward one animation frame); earlier times fall back to [`Replayer::state_at`].
    pub fn advance(&self, state: &mut ReplayState, from: u64, to: u64) {
        if to < from {
            *state = self.state_at(to);
            return;
        }
        let start = self.events.partition_point(|e| e.t <= from);
        let end = self.events.partition_point(|e| e.t <= to);
        for e in &self.events[start..end] {
            state.apply(e);
        }
    }

    pub fn events(&self) -> &[Event] {
        &self.events
    }
}
