//! Editing a recorded timeline: trimming it to a stretch, and turning the drawing list a
//! viewer edits into draw and erase events.
use super::{Action, Event, GUIDE, Replayer, Timeline};
use crate::Annotation;

/// The part of `timeline` from `start_ms` to `end_ms`, shifted to start at 0. What was on
/// screen at `start_ms` (view, pointers, drawings, the chapter under way) is restated at 0, so
/// the trimmed replay opens as the original looked at that moment. Voice offsets shift by
/// `-start_ms` (the caller applies that to its tracks).
pub fn trim(timeline: &Timeline, start_ms: u64, end_ms: u64) -> Timeline {
    let end_ms = end_ms.min(timeline.duration_ms);
    let start_ms = start_ms.min(end_ms);
    let replayer = Replayer::new(timeline);
    let before = replayer.state_at(start_ms.saturating_sub(1));
    let at_start = if start_ms == 0 {
        super::ReplayState::default()
    } else {
        before.clone()
    };
    let mut events = Vec::new();
    if start_ms > 0 {
        if let Some(view) = at_start.view {
            let mut v = view;
            v.played_ms = at_start.view_at(start_ms).playing_for_ms;
            events.push(Event {
                t: 0,
                by: GUIDE,
                action: Action::View(v),
            });
        }
        for (slot, pointer) in at_start.pointers.iter().enumerate() {
            if let Some(p) = pointer {
                events.push(Event {
                    t: 0,
                    by: slot as u8,
                    action: Action::Pointer { x: p.x, y: p.y },
                });
            }
        }
        for ((by, id), annotation) in &at_start.drawings {
            events.push(Event {
                t: 0,
                by: *by,
                action: Action::Draw {
                    id: *id,
                    annotation: annotation.clone(),
                },
            });
        }
        // The chapter under way carries on from the start, unless a new one begins there.
        let chapter_at_start = replayer
            .events()
            .iter()
            .any(|e| e.t == start_ms && matches!(e.action, Action::Chapter { .. }));
        if let (Some(i), false) = (at_start.chapter, chapter_at_start) {
            let chapters = timeline.chapters();
            events.push(Event {
                t: 0,
                by: GUIDE,
                action: Action::Chapter {
                    title: chapters[i].title.clone(),
                },
            });
        }
    }
    events.extend(
        replayer
            .events()
            .iter()
            .filter(|e| e.t >= start_ms && e.t <= end_ms)
            .map(|e| Event {
                t: e.t - start_ms,
                ..e.clone()
            }),
    );
    Timeline {
        duration_ms: end_ms - start_ms,
        events,
    }
}

/// Follows a viewer's editable drawing list and says what changed as draw and erase events.
/// Drawings keep their id while they stay in the list, however others are added or removed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DrawingDiff {
    shown: Vec<(u32, Annotation)>,
    next_id: u32,
}

impl DrawingDiff {
    /// What turned `shown` into `now`: erases first, then draws (new or changed drawings).
    pub fn update(&mut self, now: &[Annotation]) -> Vec<Action> {
        let mut kept: Vec<Option<u32>> = vec![None; now.len()];
        let mut unused: Vec<bool> = vec![true; self.shown.len()];
        // Unchanged drawings first, in order, so a removal in the middle keeps the rest.
        for (i, a) in now.iter().enumerate() {
            if let Some(j) = (0..self.shown.len()).find(|&j| unused[j] && self.shown[j].1 == *a) {
                unused[j] = false;
                kept[i] = Some(self.shown[j].0);
            }
        }
        // A changed drawing stays where it was: same position among the changed ones.
        let mut changed_old = (0..self.shown.len())
            .filter(|&j| unused[j])
            .collect::<Vec<_>>();
        let changed_new = (0..now.len())
            .filter(|&i| kept[i].is_none())
            .collect::<Vec<_>>();
        let same_count = changed_old.len() == changed_new.len();
        let mut actions = Vec::new();
        if !same_count {
            for &j in &changed_old {
                actions.push(Action::Erase {
                    id: self.shown[j].0,
                });
            }
            changed_old.clear();
        }
        let mut shown = Vec::with_capacity(now.len());
        let mut reuse = changed_old.into_iter();
        for (i, a) in now.iter().enumerate() {
            let id = match kept[i] {
                Some(id) => id,
                None => {
                    let id = match reuse.next() {
                        Some(j) => self.shown[j].0,
                        None => {
                            self.next_id += 1;
                            self.next_id
                        }
                    };
                    actions.push(Action::Draw {
                        id,
                        annotation: a.clone(),
                    });
                    id
                }
            };
            shown.push((id, a.clone()));
        }
        self.shown = shown;
        actions
    }

    /// Starts again from an empty list (ids carry on, so they never repeat in a timeline).
    pub fn clear(&mut self) -> Vec<Action> {
        self.shown
            .drain(..)
            .map(|(id, _)| Action::Erase { id })
            .collect()
    }
}
