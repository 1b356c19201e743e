//! Replay time, pure: the wall clock that runs at the chosen speed, where a voice's recording
//! stands at a timeline time, when a following voice has drifted, when the viewer is told the
//! view again, and times as text. The browser side reads the real clocks and applies these
//! answers; here they are tested natively.
use crate::model::replay::{View, ViewAt};

/// Speeds offered beside the player (the voice keeps its pitch at each).
pub const SPEEDS: [f64; 6] = [0.5, 0.75, 1.0, 1.25, 1.5, 2.0];
/// A voice further than this from the master clock is moved back into step (ms).
pub const VOICE_TOLERANCE_MS: f64 = 80.0;
/// While the clip plays, the viewer is told the view again this often to correct drift (ms).
pub const DRIVE_EVERY_MS: f64 = 500.0;
/// An audio clock that reads up to this much behind the time already shown is held, so the
/// drawings never step backwards on a coarse `currentTime` (ms).
pub const HOLD_BACK_MS: f64 = 60.0;
/// A remark stays under the picture this long after its time (ms).
pub const REMARK_SHOWN_MS: u64 = 6_000;
/// The arrow keys on the position bar move this far (ms).
pub const KEY_STEP_MS: i64 = 5_000;

/// A time as `m:ss` (`h:mm:ss` from an hour), rounded down to the second, as the position
/// bar reads it out and comment links show it.
pub fn mmss(ms: u64) -> String {
    let s = ms / 1000;
    if s >= 3600 {
        format!("{}:{:02}:{:02}", s / 3600, (s / 60) % 60, s % 60)
    } else {
        format!("{}:{:02}", s / 60, s % 60)
    }
}

/// The `t` of a link (`?t=83500`): milliseconds, or `m:ss` as a person might type it.
pub fn parse_t(text: &str) -> Option<u64> {
    let text = text.trim();
    if let Ok(ms) = text.parse::<u64>() {
        return Some(ms);
    }
    let (m, s) = text.split_once(':')?;
    let (m, s) = (m.parse::<u64>().ok()?, s.parse::<u64>().ok()?);
    (s < 60).then_some((m * 60 + s) * 1000)
}

/// `t` moved by `delta_ms`, kept within the replay.
pub fn stepped(t: u64, delta_ms: i64, duration_ms: u64) -> u64 {
    t.saturating_add_signed(delta_ms).min(duration_ms)
}

/// The clock used where no voice is playing: timeline time runs at `speed` times wall time
/// (`performance.now()`) from an anchor, set again on every seek, play, pause and speed change
/// and whenever a voice has been the clock, so handing over between the two never jumps.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WallClock {
    anchor_t: f64,
    anchor_wall: f64,
    speed: f64,
    running: bool,
}

impl WallClock {
    /// Stopped at `t`.
    pub fn new(t: f64) -> WallClock {
        WallClock {
            anchor_t: t,
            anchor_wall: 0.0,
            speed: 1.0,
            running: false,
        }
    }

    /// Timeline time (ms) at wall time `wall` (ms).
    pub fn at(&self, wall: f64) -> f64 {
        if self.running {
            self.anchor_t + (wall - self.anchor_wall).max(0.0) * self.speed
        } else {
            self.anchor_t
        }
    }

    /// Reads `t` at wall time `wall` (a seek, or the master voice's reading).
    pub fn set(&mut self, t: f64, wall: f64) {
        self.anchor_t = t;
        self.anchor_wall = wall;
    }

    /// Starts or stops the clock where it stands.
    pub fn run(&mut self, running: bool, wall: f64) {
        let t = self.at(wall);
        self.set(t, wall);
        self.running = running;
    }

    /// Changes speed without moving the time shown.
    pub fn set_speed(&mut self, speed: f64, wall: f64) {
        let t = self.at(wall);
        self.set(t, wall);
        self.speed = speed;
    }
}

/// Where a voice recording lies on the timeline.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct VoiceSpan {
    /// Timeline time at which the recording's start plays (negative: its start is cut).
    pub offset_ms: f64,
    /// Length of the recording once known (MediaRecorder files do not say until read).
    pub length_ms: Option<f64>,
}

impl VoiceSpan {
    /// The timeline time the recording's `currentTime` (seconds) stands for.
    pub fn timeline_ms(&self, current_time_s: f64) -> f64 {
        current_time_s * 1000.0 + self.offset_ms
    }

    /// Where the recording should stand at timeline time `t` (seconds), `None` while it is
    /// silent (before its start or past its end).
    pub fn position_s(&self, t: f64) -> Option<f64> {
        let into = t - self.offset_ms;
        let before_end = self.length_ms.is_none_or(|len| into < len);
        (into >= 0.0 && before_end).then_some(into / 1000.0)
    }

    /// Where a silent recording waits (seconds): at its start before it, at its end after.
    pub fn parked_s(&self, t: f64) -> f64 {
        match self.length_ms {
            Some(len) if t - self.offset_ms >= len => len / 1000.0,
            _ => 0.0,
        }
    }
}

/// Whether a voice reading `voice_t` has drifted far enough from the clock's `clock_t` to be
/// moved (both timeline ms).
pub fn drifted(voice_t: f64, clock_t: f64) -> bool {
    (voice_t - clock_t).abs() > VOICE_TOLERANCE_MS
}

/// The time to show next, given the one shown and a clock's reading: a reading a little
/// behind is held (audio clocks are coarse), a seek or a real jump is followed.
pub fn next_time(shown: f64, reading: f64) -> f64 {
    if reading < shown && shown - reading <= HOLD_BACK_MS {
        shown
    } else {
        reading
    }
}

/// What the viewer was last told, to decide when to tell it again.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DriveMark {
    /// Time of the view event applied, and the event itself.
    pub view_since: u64,
    pub view: Option<View>,
    /// The player's own play state and speed.
    pub playing: bool,
    pub speed: f64,
    /// Wall time of the telling (ms).
    pub wall: f64,
}

/// Tell the viewer again when the view event changed, the player started, stopped or changed
/// speed, or, while the clip plays, every [`DRIVE_EVERY_MS`] to correct drift.
pub fn should_drive(last: Option<&DriveMark>, next: &DriveMark) -> bool {
    let Some(last) = last else {
        return true;
    };
    let clip_playing = next.playing && next.view.is_some_and(|v| v.playing);
    last.view_since != next.view_since
        || last.view != next.view
        || last.playing != next.playing
        || last.speed != next.speed
        || (clip_playing && next.wall - last.wall >= DRIVE_EVERY_MS)
}

/// The view to give the viewer at player speed `speed`: the clip's recorded speed multiplies
/// with the player's (its playback time divides by it, so the frame reached is the same); a
/// paused player shows the frame the recording had reached, paused.
pub fn driven(at: ViewAt, speed: f64, playing: bool) -> ViewAt {
    let speed = if speed.is_finite() && speed > 0.0 {
        speed
    } else {
        1.0
    };
    ViewAt {
        view: View {
            speed: at.view.speed * speed,
            playing: at.view.playing && playing,
            ..at.view
        },
        playing_for_ms: (at.playing_for_ms as f64 / speed).round() as u64,
    }
}

/// The remark to show at `t`: the last one reached, for [`REMARK_SHOWN_MS`] after its time.
pub fn remark_shown(times: &[u64], reached: Option<usize>, t: u64) -> Option<usize> {
    reached.filter(|&i| {
        times
            .get(i)
            .is_some_and(|at| t.saturating_sub(*at) < REMARK_SHOWN_MS)
    })
}

/// The share of the replay played, 0–100, for the export's progress bar.
pub fn percent(t: u64, duration_ms: u64) -> u32 {
    if duration_ms == 0 {
        return 100;
    }
    ((t.min(duration_ms) as f64 / duration_ms as f64) * 100.0).floor() as u32
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::replay::Looping;

    #[test]
    fn times_read_as_minutes_and_seconds() {
        assert_eq!(mmss(0), "0:00");
        assert_eq!(mmss(999), "0:00");
        assert_eq!(mmss(65_400), "1:05");
        assert_eq!(mmss(600_000), "10:00");
        assert_eq!(mmss(3_723_000), "1:02:03");
    }

    #[test]
    fn link_times_are_milliseconds_or_minutes_and_seconds() {
        assert_eq!(parse_t("83500"), Some(83_500));
        assert_eq!(parse_t("1:23"), Some(83_000));
        assert_eq!(parse_t("1:75"), None);
        assert_eq!(parse_t("soon"), None);
        assert_eq!(parse_t("-5"), None);
    }

    #[test]
    fn steps_stay_inside_the_replay() {
        assert_eq!(stepped(2_000, -KEY_STEP_MS, 60_000), 0);
        assert_eq!(stepped(58_000, KEY_STEP_MS, 60_000), 60_000);
        assert_eq!(stepped(10_000, KEY_STEP_MS, 60_000), 15_000);
    }

    #[test]
    fn the_wall_clock_runs_at_speed_and_hands_over_without_a_jump() {
        let mut c = WallClock::new(1_000.0);
        assert_eq!(c.at(5_000.0), 1_000.0, "stopped");
        c.run(true, 5_000.0);
        assert_eq!(c.at(5_500.0), 1_500.0);
        c.set_speed(2.0, 5_500.0);
        assert_eq!(
            c.at(5_500.0),
            1_500.0,
            "a speed change does not move the time"
        );
        assert_eq!(c.at(6_000.0), 2_500.0);
        // A voice was the clock and read 2_480 at wall 6_000: the clock carries on from there.
        c.set(2_480.0, 6_000.0);
        assert_eq!(c.at(6_100.0), 2_680.0);
        c.run(false, 6_100.0);
        assert_eq!(c.at(9_000.0), 2_680.0, "paused where it stood");
        assert_eq!(c.at(5_000.0), 2_680.0);
    }

    #[test]
    fn a_voice_plays_only_inside_its_span() {
        let late = VoiceSpan {
            offset_ms: 2_000.0,
            length_ms: Some(10_000.0),
        };
        assert_eq!(late.position_s(1_999.0), None);
        assert_eq!(late.position_s(2_000.0), Some(0.0));
        assert_eq!(late.position_s(7_500.0), Some(5.5));
        assert_eq!(late.position_s(12_000.0), None, "past its end");
        assert_eq!(late.parked_s(1_000.0), 0.0);
        assert_eq!(late.parked_s(13_000.0), 10.0);
        assert_eq!(late.timeline_ms(5.5), 7_500.0);
        // A recording whose start was trimmed off plays from its middle at time 0.
        let cut = VoiceSpan {
            offset_ms: -1_500.0,
            length_ms: None,
        };
        assert_eq!(cut.position_s(0.0), Some(1.5));
        assert_eq!(
            cut.position_s(1e9),
            Some(1_000_001.5),
            "unknown length: no end yet"
        );
        assert_eq!(cut.timeline_ms(1.5), 0.0);
    }

    #[test]
    fn voices_are_moved_only_past_the_tolerance() {
        assert!(!drifted(1_000.0, 1_080.0));
        assert!(!drifted(1_080.0, 1_000.0));
        assert!(drifted(1_000.0, 1_081.0));
        assert!(drifted(1_200.0, 1_000.0));
    }

    #[test]
    fn a_coarse_audio_clock_never_moves_the_replay_back_but_a_seek_does() {
        assert_eq!(next_time(1_000.0, 1_016.0), 1_016.0);
        assert_eq!(next_time(1_000.0, 980.0), 1_000.0, "jitter is held");
        assert_eq!(next_time(1_000.0, 940.0), 1_000.0, "held up to the limit");
        assert_eq!(next_time(1_000.0, 930.0), 930.0, "a jump back is followed");
        assert_eq!(next_time(9_000.0, 0.0), 0.0);
    }

    fn view(frame: u32, playing: bool) -> View {
        View {
            frame,
            playing,
            ..View::default()
        }
    }

    fn mark(view_since: u64, v: View, playing: bool, speed: f64, wall: f64) -> DriveMark {
        DriveMark {
            view_since,
            view: Some(v),
            playing,
            speed,
            wall,
        }
    }

    #[test]
    fn the_viewer_is_told_on_changes_and_twice_a_second_while_the_clip_plays() {
        let first = mark(100, view(3, true), true, 1.0, 0.0);
        assert!(should_drive(None, &first));
        assert!(!should_drive(
            Some(&first),
            &mark(100, view(3, true), true, 1.0, 499.0)
        ));
        assert!(should_drive(
            Some(&first),
            &mark(100, view(3, true), true, 1.0, 500.0)
        ));
        assert!(should_drive(
            Some(&first),
            &mark(900, view(3, true), true, 1.0, 10.0)
        ));
        assert!(should_drive(
            Some(&first),
            &mark(100, view(3, true), false, 1.0, 10.0)
        ));
        assert!(should_drive(
            Some(&first),
            &mark(100, view(3, true), true, 1.5, 10.0)
        ));
        // A paused clip, or a paused player, needs no correcting.
        let still = mark(100, view(3, false), true, 1.0, 0.0);
        assert!(!should_drive(
            Some(&still),
            &mark(100, view(3, false), true, 1.0, 5_000.0)
        ));
        let paused = mark(100, view(3, true), false, 1.0, 0.0);
        assert!(!should_drive(
            Some(&paused),
            &mark(100, view(3, true), false, 1.0, 5_000.0)
        ));
    }

    #[test]
    fn the_clip_runs_at_its_own_speed_times_the_players_and_reaches_the_same_frame() {
        let at = ViewAt {
            view: View {
                speed: 0.5,
                looping: Looping::Bounce,
                ..view(4, true)
            },
            playing_for_ms: 3_000,
        };
        let fast = driven(at, 2.0, true);
        assert_eq!(fast.view.speed, 1.0);
        assert_eq!(fast.playing_for_ms, 1_500);
        assert!(fast.view.playing);
        assert_eq!(fast.view.looping, Looping::Bounce);
        // Playback position in clip time is what the recording reached either way.
        assert_eq!(
            fast.playing_for_ms as f64 * fast.view.speed,
            at.playing_for_ms as f64 * at.view.speed
        );
        let paused = driven(at, 1.0, false);
        assert!(!paused.view.playing, "a paused player holds the frame");
        assert_eq!(paused.playing_for_ms, 3_000, "at the frame reached");
        assert_eq!(paused.view.frame, 4);
        assert_eq!(driven(at, f64::NAN, true).view.speed, 0.5);
    }

    #[test]
    fn a_remark_shows_for_a_while_after_its_time() {
        let times = [1_000, 20_000];
        assert_eq!(remark_shown(&times, None, 500), None);
        assert_eq!(remark_shown(&times, Some(0), 1_000), Some(0));
        assert_eq!(remark_shown(&times, Some(0), 6_999), Some(0));
        assert_eq!(remark_shown(&times, Some(0), 7_000), None);
        assert_eq!(remark_shown(&times, Some(1), 21_000), Some(1));
        assert_eq!(remark_shown(&times, Some(5), 21_000), None);
    }

    #[test]
    fn playing_frame_by_frame_on_a_jittery_audio_clock_shows_what_seeking_shows() {
        use crate::model::replay::{Action, Event, Replayer, Timeline};
        use crate::model::{Annotation, Point, Shape};
        let arrow = |x: f64| Annotation {
            shape: Shape::Arrow {
                tail: Point { x, y: 0.0 },
                head: Point { x, y: 9.0 },
            },
            first_frame: 0,
            last_frame: u32::MAX,
            color: None,
        };
        let at = |t: u64, action: Action| Event { t, by: 0, action };
        let timeline = Timeline {
            duration_ms: 3_000,
            events: vec![
                at(0, Action::View(view(0, true))),
                at(400, Action::Pointer { x: 1.0, y: 2.0 }),
                at(
                    1_000,
                    Action::Draw {
                        id: 1,
                        annotation: arrow(5.0),
                    },
                ),
                at(1_000, Action::Chapter { title: "A".into() }),
                at(1_500, Action::Erase { id: 1 }),
                at(
                    1_501,
                    Action::Draw {
                        id: 2,
                        annotation: arrow(7.0),
                    },
                ),
                at(2_200, Action::PointerOut),
                at(2_900, Action::View(view(40, false))),
            ],
        };
        let replayer = Replayer::new(&timeline);
        let mut state = replayer.state_at(0);
        let (mut shown, mut shown_ms) = (0.0_f64, 0_u64);
        // Animation frames ~16.7 ms apart; the audio clock reads a little behind now and then.
        for k in 1..=180 {
            let reading = k as f64 * 16.7 - if k % 7 == 0 { 25.0 } else { 0.0 };
            shown = next_time(shown, reading).min(3_000.0);
            let t_ms = shown.floor() as u64;
            replayer.advance(&mut state, shown_ms, t_ms);
            shown_ms = t_ms;
            assert_eq!(state, replayer.state_at(t_ms), "at {t_ms} ms");
        }
        // A seek back folds afresh and lands on the same state too.
        replayer.advance(&mut state, shown_ms, 1_200);
        assert_eq!(state, replayer.state_at(1_200));
        assert_eq!(state.drawings.len(), 1);
    }

    #[test]
    fn progress_is_a_whole_percentage() {
        assert_eq!(percent(0, 60_000), 0);
        assert_eq!(percent(30_000, 60_000), 50);
        assert_eq!(percent(59_999, 60_000), 99);
        assert_eq!(percent(70_000, 60_000), 100);
        assert_eq!(percent(0, 0), 100);
    }
}
