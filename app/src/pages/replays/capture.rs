//! What the recorder keeps while it runs, apart from the voice: its clock (recording time, so
//! a pause leaves no gap), the events with their times, the pointer thinned to at most 30
//! moves a second, the drawing list turned into draw and erase events, and the chapters marked
//! on the way. Pure: the page passes in the wall clock (`performance.now()`), so the rules are
//! tested natively.
use crate::model::replay::{Action, Chapter, DrawingDiff, Event, GUIDE, Timeline, View};
use crate::model::{Annotation, Point};

/// Least time between two recorded pointer moves: 30 a second at most.
pub const POINTER_GAP_MS: u64 = 34;

/// Recording time: wall time since the start, less the time spent paused.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Clock {
    started: f64,
    paused_at: Option<f64>,
    paused_for: f64,
}

impl Clock {
    /// A clock started at wall time `wall` (milliseconds).
    pub fn start(wall: f64) -> Clock {
        Clock {
            started: wall,
            paused_at: None,
            paused_for: 0.0,
        }
    }

    pub fn pause(&mut self, wall: f64) {
        if self.paused_at.is_none() {
            self.paused_at = Some(wall);
        }
    }

    pub fn resume(&mut self, wall: f64) {
        if let Some(at) = self.paused_at.take() {
            self.paused_for += (wall - at).max(0.0);
        }
    }

    pub fn paused(&self) -> bool {
        self.paused_at.is_some()
    }

    /// Milliseconds of recording at wall time `wall` (standing still while paused).
    pub fn at(&self, wall: f64) -> u64 {
        let wall = self.paused_at.unwrap_or(wall);
        (wall - self.started - self.paused_for).max(0.0).round() as u64
    }
}

/// A recording under way.
#[derive(Debug, Clone, PartialEq)]
pub struct Capture {
    clock: Clock,
    events: Vec<Event>,
    drawings: DrawingDiff,
    last_view: Option<View>,
    /// Time of the last pointer move recorded, and whether the pointer is over the image.
    pointer_at: Option<u64>,
    pointer_in: bool,
    /// A move that came too soon after the last one: recorded when its turn comes.
    pending: Option<Point>,
    chapters: Vec<Chapter>,
}

impl Capture {
    /// Starts at wall time `wall`: what is on screen (`view`, the drawings already there) is
    /// recorded at time 0, so the replay opens as the recording did.
    pub fn start(wall: f64, view: View, drawings: &[Annotation]) -> Capture {
        let mut capture = Capture {
            clock: Clock::start(wall),
            events: Vec::new(),
            drawings: DrawingDiff::default(),
            last_view: None,
            pointer_at: None,
            pointer_in: false,
            pending: None,
            chapters: Vec::new(),
        };
        capture.view(wall, view);
        capture.drawings(wall, drawings);
        capture
    }

    /// Recording time now.
    pub fn now(&self, wall: f64) -> u64 {
        self.clock.at(wall)
    }

    pub fn paused(&self) -> bool {
        self.clock.paused()
    }

    fn push(&mut self, t: u64, action: Action) {
        self.events.push(Event {
            t,
            by: GUIDE,
            action,
        });
    }

    /// The viewer shows `view` (recorded when it differs from the last one).
    pub fn view(&mut self, wall: f64, view: View) {
        if self.last_view != Some(view) {
            self.last_view = Some(view);
            let t = self.now(wall);
            self.push(t, Action::View(view));
        }
    }

    /// The drawing list is now `list`: what changed becomes draw and erase events.
    pub fn drawings(&mut self, wall: f64, list: &[Annotation]) {
        let t = self.now(wall);
        for action in self.drawings.update(list) {
            self.push(t, action);
        }
    }

    /// The pointer moved to `at` (`None`: it left the image). A move sooner than
    /// [`POINTER_GAP_MS`] after the last is held back; the answer is then how long until
    /// [`Capture::flush_pointer`] should record it. Moves while paused are not kept.
    pub fn pointer(&mut self, wall: f64, at: Option<Point>) -> Option<u64> {
        if self.paused() {
            return None;
        }
        let t = self.now(wall);
        match at {
            None => {
                self.pending = None;
                if self.pointer_in {
                    self.pointer_in = false;
                    self.push(t, Action::PointerOut);
                }
                None
            }
            Some(p) => match self.pointer_at {
                Some(last) if t < last + POINTER_GAP_MS => {
                    let first_held = self.pending.is_none();
                    self.pending = Some(p);
                    first_held.then_some(last + POINTER_GAP_MS - t)
                }
                _ => {
                    self.pending = None;
                    self.record_pointer(t, p);
                    None
                }
            },
        }
    }

    fn record_pointer(&mut self, t: u64, p: Point) {
        self.pointer_at = Some(t);
        self.pointer_in = true;
        self.push(t, Action::Pointer { x: p.x, y: p.y });
    }

    /// Records a held-back move whose turn has come; otherwise says how long to wait still.
    pub fn flush_pointer(&mut self, wall: f64) -> Option<u64> {
        let p = self.pending?;
        if self.paused() {
            self.pending = None;
            return None;
        }
        let t = self.now(wall);
        match self.pointer_at {
            Some(last) if t < last + POINTER_GAP_MS => Some(last + POINTER_GAP_MS - t),
            _ => {
                self.pending = None;
                self.record_pointer(t, p);
                None
            }
        }
    }

    /// Marks a chapter now; the answer is its index (to rename it while recording goes on).
    pub fn chapter(&mut self, wall: f64, title: String) -> usize {
        let t = self.now(wall);
        self.chapters.push(Chapter { t, title });
        self.chapters.len() - 1
    }

    pub fn rename_chapter(&mut self, index: usize, title: String) {
        if let Some(c) = self.chapters.get_mut(index) {
            c.title = title;
        }
    }

    /// A remark typed during the recording (blank ones are not kept).
    pub fn remark(&mut self, wall: f64, text: &str) {
        let text = text.trim();
        if !text.is_empty() {
            let t = self.now(wall);
            self.push(
                t,
                Action::Remark {
                    text: text.to_string(),
                },
            );
        }
    }

    pub fn pause(&mut self, wall: f64) {
        self.pending = None;
        self.clock.pause(wall);
    }

    /// Carries on; `view` is what the viewer shows now (a clip that played on while
    /// recording was paused is restated where it stands).
    pub fn resume(&mut self, wall: f64, view: View) {
        self.clock.resume(wall);
        self.view(wall, view);
    }

    /// Ends the recording at wall time `wall`: the timeline, chapters included (a chapter
    /// left without a title is named by `untitled` with its number).
    pub fn finish(mut self, wall: f64, untitled: impl Fn(usize) -> String) -> Timeline {
        // A move still held back is kept only if its turn has come.
        let _ = self.flush_pointer(wall);
        let end = self.now(wall).max(1);
        let chapters: Vec<Chapter> = self
            .chapters
            .iter()
            .enumerate()
            .map(|(i, c)| Chapter {
                t: c.t.min(end),
                title: if c.title.trim().is_empty() {
                    untitled(i + 1)
                } else {
                    c.title.trim().to_string()
                },
            })
            .collect();
        let mut timeline = Timeline {
            duration_ms: end,
            events: self
                .events
                .into_iter()
                .map(|e| Event {
                    t: e.t.min(end),
                    ..e
                })
                .collect(),
        };
        timeline.set_chapters(&chapters);
        timeline
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Shape;
    use crate::model::replay::{Limits, validate};

    fn ellipse(x: f64) -> Annotation {
        Annotation {
            shape: Shape::Ellipse {
                center: Point { x, y: 40.0 },
                rx: 10.0,
                ry: 5.0,
            },
            first_frame: 0,
            last_frame: 9,
            color: None,
        }
    }

    fn kinds(t: &Timeline) -> Vec<(u64, &'static str)> {
        t.events
            .iter()
            .map(|e| {
                let kind = match e.action {
                    Action::View(_) => "view",
                    Action::Pointer { .. } => "pointer",
                    Action::PointerOut => "out",
                    Action::Draw { .. } => "draw",
                    Action::Erase { .. } => "erase",
                    Action::Chapter { .. } => "chapter",
                    Action::Remark { .. } => "remark",
                };
                (e.t, kind)
            })
            .collect()
    }

    #[test]
    fn recording_time_leaves_out_pauses() {
        let mut clock = Clock::start(1000.0);
        assert_eq!(clock.at(1500.0), 500);
        clock.pause(1500.0);
        assert_eq!(clock.at(9000.0), 500);
        clock.resume(4000.0);
        assert_eq!(clock.at(4250.0), 750);
        // A second pause and resume adds up.
        clock.pause(4250.0);
        clock.pause(5000.0);
        clock.resume(6000.0);
        assert_eq!(clock.at(6100.0), 850);
    }

    #[test]
    fn what_is_on_screen_is_recorded_at_time_zero() {
        let view = View {
            frame: 7,
            playing: true,
            ..View::default()
        };
        let capture = Capture::start(200.0, view, &[ellipse(50.0), ellipse(80.0)]);
        let t = capture.finish(1200.0, |n| format!("Chapter {n}"));
        assert_eq!(kinds(&t), [(0, "view"), (0, "draw"), (0, "draw")]);
        assert_eq!(t.duration_ms, 1000);
        assert_eq!(validate(&t, Limits::default(), ""), Ok(()));
    }

    #[test]
    fn drawings_and_views_get_recording_time() {
        let mut c = Capture::start(0.0, View::default(), &[]);
        c.drawings(1000.0, &[ellipse(50.0)]);
        c.pause(1500.0);
        c.resume(
            5500.0,
            View {
                frame: 3,
                ..View::default()
            },
        );
        c.drawings(6000.0, &[ellipse(50.0), ellipse(90.0)]);
        // The same view again is no event.
        c.view(6100.0, c.last_view.unwrap());
        c.drawings(6500.0, &[ellipse(90.0)]);
        let t = c.finish(7000.0, |n| n.to_string());
        assert_eq!(
            kinds(&t),
            [
                (0, "view"),
                (1000, "draw"),
                (1500, "view"),
                (2000, "draw"),
                (2500, "erase")
            ]
        );
        assert_eq!(t.drawing_times(), [(1, 1000), (2, 2000)]);
        assert_eq!(t.duration_ms, 3000);
        assert_eq!(validate(&t, Limits::default(), ""), Ok(()));
    }

    #[test]
    fn the_pointer_is_kept_to_thirty_moves_a_second() {
        let mut c = Capture::start(0.0, View::default(), &[]);
        let p = |x: f64| Some(Point { x, y: 1.0 });
        assert_eq!(c.pointer(100.0, p(1.0)), None);
        // Too soon: held, with the wait until its turn.
        assert_eq!(c.pointer(110.0, p(2.0)), Some(24));
        // Still too soon: the newer position replaces the held one, no second timer.
        assert_eq!(c.pointer(120.0, p(3.0)), None);
        assert_eq!(c.flush_pointer(130.0), Some(4));
        assert_eq!(c.flush_pointer(134.0), None);
        // Every wall millisecond for a second: no more than 30 moves.
        for ms in 200..1200 {
            if c.pointer(ms as f64, p(ms as f64)).is_some() {
                // The page's timer would flush it; moves keep coming sooner anyway.
            }
        }
        c.pointer(1300.0, None);
        c.pointer(1310.0, None);
        let t = c.finish(1400.0, |n| n.to_string());
        let moves: Vec<u64> = t
            .events
            .iter()
            .filter(|e| matches!(e.action, Action::Pointer { .. }))
            .map(|e| e.t)
            .collect();
        assert!(moves.windows(2).all(|w| w[1] - w[0] >= POINTER_GAP_MS));
        assert_eq!(moves[..2], [100, 134]);
        assert!(moves.iter().filter(|t| (200..1200).contains(*t)).count() <= 30);
        assert_eq!(
            t.events
                .iter()
                .filter(|e| e.action == Action::PointerOut)
                .count(),
            1
        );
        assert_eq!(
            t.events
                .iter()
                .find(|e| e.t == 134)
                .map(|e| e.action.clone()),
            Some(Action::Pointer { x: 3.0, y: 1.0 })
        );
    }

    #[test]
    fn pointer_moves_while_paused_are_not_kept() {
        let mut c = Capture::start(0.0, View::default(), &[]);
        c.pause(100.0);
        assert_eq!(c.pointer(150.0, Some(Point { x: 1.0, y: 1.0 })), None);
        c.resume(200.0, View::default());
        let t = c.finish(300.0, |n| n.to_string());
        assert_eq!(kinds(&t), [(0, "view")]);
    }

    #[test]
    fn chapters_and_remarks_take_their_time_and_a_name() {
        let mut c = Capture::start(0.0, View::default(), &[]);
        let first = c.chapter(500.0, String::new());
        c.remark(700.0, "  看这里的积液 ");
        c.remark(800.0, "   ");
        let second = c.chapter(900.0, "肝肾隐窝".into());
        c.rename_chapter(first, "  右上腹 ".into());
        assert_eq!(second, 1);
        let untitled = c.chapter(950.0, " ".into());
        assert_eq!(untitled, 2);
        let t = c.finish(1000.0, |n| format!("第 {n} 章"));
        assert_eq!(
            t.chapters(),
            [
                Chapter {
                    t: 500,
                    title: "右上腹".into()
                },
                Chapter {
                    t: 900,
                    title: "肝肾隐窝".into()
                },
                Chapter {
                    t: 950,
                    title: "第 3 章".into()
                },
            ]
        );
        assert_eq!(t.remarks(), [(700, "看这里的积液".to_string())]);
        assert_eq!(validate(&t, Limits::default(), ""), Ok(()));
    }
}
