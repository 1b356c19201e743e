//! Frame timing: how long each frame of a clip stays on screen, from the Cine Module
//! (PS3.3 C.7.6.5) and the rate attributes, with 30 fps when the file says nothing.
use serde::{Deserialize, Serialize};

/// Frame time used when a clip carries no timing at all (30 fps).
pub const DEFAULT_FRAME_TIME_MS: f64 = 1000.0 / 30.0;

/// Frame Time (0018,1063).
pub const FRAME_TIME_TAG: (u16, u16) = (0x0018, 0x1063);
/// Frame Time Vector (0018,1065).
pub const FRAME_TIME_VECTOR_TAG: (u16, u16) = (0x0018, 0x1065);

/// Which attribute the clip's timing came from.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum TimingSource {
    /// Frame Time (0018,1063).
    FrameTime,
    /// Frame Time Vector (0018,1065).
    FrameTimeVector,
    /// Cine Rate (0018,0040), frames per second.
    CineRate,
    /// Recommended Display Frame Rate (0008,2144), frames per second.
    RecommendedDisplayFrameRate,
    /// Nothing usable in the file: 30 fps.
    Default,
}

/// The timing attributes as read from a file, before any choice is made.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TimingAttributes {
    /// Frame Time in ms.
    pub frame_time: Option<f64>,
    /// Frame Time Vector in ms (first entry is the increment before frame 0, normally 0).
    pub frame_time_vector: Option<Vec<f64>>,
    /// Cine Rate in frames per second.
    pub cine_rate: Option<f64>,
    /// Recommended Display Frame Rate in frames per second.
    pub recommended_display_frame_rate: Option<f64>,
    /// Frame Increment Pointer: the tags that vary from frame to frame.
    pub frame_increment_pointer: Vec<(u16, u16)>,
}

/// The timing a viewer plays a clip at.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct FrameTiming {
    /// Nominal time per frame in ms (the mean increment for a Frame Time Vector).
    pub frame_time_ms: f64,
    /// Per-frame increments in ms when the file has a usable Frame Time Vector;
    /// entry `i` is the time from frame `i - 1` to frame `i` (entry 0 is normally 0).
    pub frame_time_vector_ms: Option<Vec<f64>>,
    /// Which attribute the timing came from.
    pub source: TimingSource,
}

fn positive(v: Option<f64>) -> Option<f64> {
    v.filter(|x| x.is_finite() && *x > 0.0)
}

/// A Frame Time Vector is usable when it has one entry per frame (or is one longer than the
/// increments between frames), no negative or non-finite entry, and some positive entry.
fn usable_vector(v: Option<&Vec<f64>>, frames: u32) -> Option<Vec<f64>> {
    let v = v?;
    if v.is_empty() || v.iter().any(|x| !x.is_finite() || *x < 0.0) {
        return None;
    }
    if !v.iter().any(|x| *x > 0.0) {
        return None;
    }
    let frames = frames as usize;
    match v.len() {
        n if n == frames => Some(v.clone()),
        // Some writers omit the leading 0.
        n if n + 1 == frames => {
            let mut with_zero = Vec::with_capacity(frames);
            with_zero.push(0.0);
            with_zero.extend_from_slice(v);
            Some(with_zero)
        }
        _ => None,
    }
}

/// Chooses the timing of a clip of `frames` frames: the attribute the Frame Increment Pointer
/// names first, then Frame Time, Frame Time Vector, Cine Rate, Recommended Display Frame Rate,
/// and 30 fps when none is usable (missing, zero, negative or the wrong length).
pub fn frame_timing(attrs: &TimingAttributes, frames: u32) -> FrameTiming {
    let from_frame_time = || {
        positive(attrs.frame_time).map(|ms| FrameTiming {
            frame_time_ms: ms,
            frame_time_vector_ms: None,
            source: TimingSource::FrameTime,
        })
    };
    let from_vector = || {
        usable_vector(attrs.frame_time_vector.as_ref(), frames).map(|v| {
            // The mean of the increments between frames; entry 0 precedes the first frame.
            let between: Vec<f64> = v.iter().skip(1).copied().collect();
            let mean = if between.is_empty() {
                v.iter().copied().fold(0.0, f64::max)
            } else {
                between.iter().sum::<f64>() / between.len() as f64
            };
            FrameTiming {
                frame_time_ms: if mean > 0.0 {
                    mean
                } else {
                    DEFAULT_FRAME_TIME_MS
                },
                frame_time_vector_ms: Some(v),
                source: TimingSource::FrameTimeVector,
            }
        })
    };
    let from_rate = |rate: Option<f64>, source| {
        positive(rate).map(|fps| FrameTiming {
            frame_time_ms: 1000.0 / fps,
            frame_time_vector_ms: None,
            source,
        })
    };

    let pointed = if attrs
        .frame_increment_pointer
        .contains(&FRAME_TIME_VECTOR_TAG)
    {
        from_vector().or_else(from_frame_time)
    } else if attrs.frame_increment_pointer.contains(&FRAME_TIME_TAG) {
        from_frame_time().or_else(from_vector)
    } else {
        None
    };
    pointed
        .or_else(from_frame_time)
        .or_else(from_vector)
        .or_else(|| from_rate(attrs.cine_rate, TimingSource::CineRate))
        .or_else(|| {
            from_rate(
                attrs.recommended_display_frame_rate,
                TimingSource::RecommendedDisplayFrameRate,
            )
        })
        .unwrap_or(FrameTiming {
            frame_time_ms: DEFAULT_FRAME_TIME_MS,
            frame_time_vector_ms: None,
            source: TimingSource::Default,
        })
}

impl FrameTiming {
    /// How long frame `n` stays on screen, in ms (the increment to the next frame; the
    /// nominal frame time for the last frame and for clips without a vector).
    pub fn frame_duration_ms(&self, n: u32) -> f64 {
        self.frame_time_vector_ms
            .as_ref()
            .and_then(|v| v.get(n as usize + 1).copied())
            .filter(|d| *d > 0.0)
            .unwrap_or(self.frame_time_ms)
    }

    /// When frame `n` starts, in ms from the start of the clip.
    pub fn frame_start_ms(&self, n: u32) -> f64 {
        match &self.frame_time_vector_ms {
            Some(v) => v.iter().skip(1).take(n as usize).sum(),
            None => self.frame_time_ms * f64::from(n),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn no_timing_plays_at_30_fps() {
        let t = frame_timing(&TimingAttributes::default(), 10);
        assert_eq!(t.source, TimingSource::Default);
        assert!(close(t.frame_time_ms, 33.333_333_333_333_336));
        assert!(close(t.frame_start_ms(3), 100.0));
    }

    #[test]
    fn frame_time_wins_over_rates() {
        let attrs = TimingAttributes {
            frame_time: Some(40.0),
            cine_rate: Some(50.0),
            recommended_display_frame_rate: Some(10.0),
            ..Default::default()
        };
        let t = frame_timing(&attrs, 5);
        assert_eq!(t.source, TimingSource::FrameTime);
        assert!(close(t.frame_time_ms, 40.0));
    }

    #[test]
    fn frame_increment_pointer_chooses_the_vector() {
        let attrs = TimingAttributes {
            frame_time: Some(40.0),
            frame_time_vector: Some(vec![0.0, 20.0, 30.0, 40.0]),
            frame_increment_pointer: vec![FRAME_TIME_VECTOR_TAG],
            ..Default::default()
        };
        let t = frame_timing(&attrs, 4);
        assert_eq!(t.source, TimingSource::FrameTimeVector);
        assert!(close(t.frame_time_ms, 30.0));
        assert!(close(t.frame_duration_ms(0), 20.0));
        assert!(close(t.frame_duration_ms(2), 40.0));
        // The last frame has no next increment: it shows for the mean.
        assert!(close(t.frame_duration_ms(3), 30.0));
        assert!(close(t.frame_start_ms(3), 90.0));
    }

    #[test]
    fn vector_missing_its_leading_zero_is_accepted() {
        let attrs = TimingAttributes {
            frame_time_vector: Some(vec![25.0, 25.0]),
            ..Default::default()
        };
        let t = frame_timing(&attrs, 3);
        assert_eq!(t.frame_time_vector_ms, Some(vec![0.0, 25.0, 25.0]));
        assert!(close(t.frame_time_ms, 25.0));
    }

    #[test]
    fn a_vector_of_the_wrong_length_falls_back_to_the_rates() {
        let attrs = TimingAttributes {
            frame_time_vector: Some(vec![0.0, 25.0]),
            frame_increment_pointer: vec![FRAME_TIME_VECTOR_TAG],
            cine_rate: Some(25.0),
            ..Default::default()
        };
        let t = frame_timing(&attrs, 10);
        assert_eq!(t.source, TimingSource::CineRate);
        assert!(close(t.frame_time_ms, 40.0));
    }

    #[test]
    fn zero_and_negative_values_are_ignored() {
        let attrs = TimingAttributes {
            frame_time: Some(0.0),
            cine_rate: Some(-5.0),
            recommended_display_frame_rate: Some(20.0),
            ..Default::default()
        };
        let t = frame_timing(&attrs, 2);
        assert_eq!(t.source, TimingSource::RecommendedDisplayFrameRate);
        assert!(close(t.frame_time_ms, 50.0));
        let none = TimingAttributes {
            frame_time: Some(f64::NAN),
            ..Default::default()
        };
        assert_eq!(frame_timing(&none, 2).source, TimingSource::Default);
    }
}
