//! Playback arithmetic: which frame is on screen after a given time, at a given speed, in
//! loop, bounce or play-once mode. Pure, so it is tested natively.
use serde::{Deserialize, Serialize};

/// What happens at the last frame.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
pub enum LoopMode {
    /// Stop on the last frame.
    Once,
    /// Start again from the first frame.
    Loop,
    /// Play backwards to the first frame, then forwards again.
    Bounce,
}

/// The speeds offered to the user.
pub const SPEEDS: [f64; 7] = [0.25, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0];

/// Start time (ms) of every frame for a clip's timing, plus the clip's total duration.
#[derive(Debug, Clone, PartialEq)]
pub struct Schedule {
    starts: Vec<f64>,
    total: f64,
}

impl Schedule {
    /// Builds the schedule of `frames` frames at a constant `frame_time_ms`, or from the
    /// Frame Time Vector (entry `i` is the time from frame `i - 1` to frame `i`).
    pub fn new(frames: u32, frame_time_ms: f64, vector_ms: Option<&[f64]>) -> Schedule {
        let frames = frames.max(1) as usize;
        let step = if frame_time_ms.is_finite() && frame_time_ms > 0.0 {
            frame_time_ms
        } else {
            1000.0 / 30.0
        };
        let mut starts = Vec::with_capacity(frames);
        match vector_ms.filter(|v| v.len() == frames) {
            Some(v) => {
                let mut t = 0.0;
                for (i, inc) in v.iter().enumerate() {
                    if i > 0 {
                        t += if inc.is_finite() && *inc > 0.0 {
                            *inc
                        } else {
                            step
                        };
                    }
                    starts.push(t);
                }
            }
            None => starts.extend((0..frames).map(|i| i as f64 * step)),
        }
        // The last frame stays up for one nominal frame time.
        let total = starts.last().copied().unwrap_or(0.0) + step;
        Schedule { starts, total }
    }

    /// Number of frames.
    pub fn frames(&self) -> u32 {
        self.starts.len() as u32
    }

    /// Duration of one pass through the clip at 1×, in ms.
    pub fn duration_ms(&self) -> f64 {
        self.total
    }

    /// Start time of `frame` at 1×, in ms.
    pub fn start_of(&self, frame: u32) -> f64 {
        self.starts
            .get(frame as usize)
            .copied()
            .unwrap_or(self.total)
    }

    /// The frame shown `t_ms` into one forward pass (clamped to the clip).
    fn frame_in_pass(&self, t_ms: f64) -> u32 {
        match self.starts.partition_point(|s| *s <= t_ms) {
            0 => 0,
            n => (n - 1) as u32,
        }
    }

    /// The frame on screen `elapsed_ms` of wall time after starting at frame `from`, at
    /// `speed`; the flag says playback has reached its end (only in `Once` mode).
    pub fn frame_at(&self, from: u32, elapsed_ms: f64, speed: f64, mode: LoopMode) -> (u32, bool) {
        let t = self.start_of(from.min(self.frames() - 1)) + elapsed_ms.max(0.0) * speed;
        let last = self.frames() - 1;
        match mode {
            LoopMode::Once if t >= self.total => (last, true),
            LoopMode::Once => (self.frame_in_pass(t), false),
            LoopMode::Loop => (self.frame_in_pass(t.rem_euclid(self.total)), false),
            LoopMode::Bounce => {
                if last == 0 {
                    return (0, false);
                }
                // Forwards (every frame for its own time), then backwards over the inner
                // frames: 0 1 2 3 2 1 0 1 ... without showing an end frame twice.
                let inner = self.start_of(last) - self.start_of(1);
                let phase = t.rem_euclid(self.total + inner);
                if phase < self.total {
                    (self.frame_in_pass(phase), false)
                } else {
                    let mirrored = self.total + inner - phase + self.start_of(1);
                    (self.frame_in_pass(mirrored - 1e-9), false)
                }
            }
        }
    }
}

/// `m:ss.t` for a time in ms, as shown beside the scrub bar.
pub fn clock(ms: f64) -> String {
    let tenths = (ms.max(0.0) / 100.0).round() as u64;
    format!("{}:{:02}.{}", tenths / 600, (tenths / 10) % 60, tenths % 10)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constant_rate_plays_each_frame_for_its_frame_time() {
        let s = Schedule::new(10, 40.0, None);
        assert_eq!(s.duration_ms(), 400.0);
        assert_eq!(s.frame_at(0, 0.0, 1.0, LoopMode::Once), (0, false));
        assert_eq!(s.frame_at(0, 39.9, 1.0, LoopMode::Once), (0, false));
        assert_eq!(s.frame_at(0, 40.0, 1.0, LoopMode::Once), (1, false));
        assert_eq!(s.frame_at(0, 399.0, 1.0, LoopMode::Once), (9, false));
        assert_eq!(s.frame_at(0, 400.0, 1.0, LoopMode::Once), (9, true));
        assert_eq!(
            s.frame_at(3, 40.0, 1.0, LoopMode::Once),
            (4, false),
            "starts where paused"
        );
    }

    #[test]
    fn speed_scales_time() {
        let s = Schedule::new(10, 40.0, None);
        assert_eq!(s.frame_at(0, 40.0, 2.0, LoopMode::Once).0, 2);
        assert_eq!(s.frame_at(0, 160.0, 0.25, LoopMode::Once).0, 1);
    }

    #[test]
    fn loop_wraps_and_bounce_turns_at_the_ends() {
        let s = Schedule::new(4, 10.0, None);
        assert_eq!(s.frame_at(0, 45.0, 1.0, LoopMode::Loop).0, 0);
        assert_eq!(s.frame_at(0, 55.0, 1.0, LoopMode::Loop).0, 1);
        // Bounce: 0 1 2 3 2 1 0 1 ...
        let seq: Vec<u32> = (0..8)
            .map(|i| {
                s.frame_at(0, i as f64 * 10.0 + 1.0, 1.0, LoopMode::Bounce)
                    .0
            })
            .collect();
        assert_eq!(seq, vec![0, 1, 2, 3, 2, 1, 0, 1]);
    }

    #[test]
    fn frame_time_vector_gives_uneven_frames() {
        let s = Schedule::new(4, 30.0, Some(&[0.0, 10.0, 50.0, 10.0]));
        assert_eq!(s.start_of(2), 60.0);
        assert_eq!(s.frame_at(0, 59.0, 1.0, LoopMode::Once).0, 1);
        assert_eq!(s.frame_at(0, 61.0, 1.0, LoopMode::Once).0, 2);
        // A vector of the wrong length is ignored in favour of the nominal rate.
        let s = Schedule::new(4, 30.0, Some(&[0.0, 10.0]));
        assert_eq!(s.start_of(2), 60.0);
    }

    #[test]
    fn no_usable_rate_means_30_fps() {
        let s = Schedule::new(31, 0.0, None);
        assert!((s.duration_ms() - 31.0 * 1000.0 / 30.0).abs() < 1e-9);
    }

    #[test]
    fn clock_reads_minutes_seconds_tenths() {
        assert_eq!(clock(0.0), "0:00.0");
        assert_eq!(clock(1234.0), "0:01.2");
        assert_eq!(clock(61_050.0), "1:01.1");
    }
}
