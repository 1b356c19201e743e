//! Proposes where the live image is in a clip without a Sequence of Ultrasound Regions, for an
//! expert to confirm: burned-in text and device overlays stay still while the image moves, so
//! the pixels that change across frames outline the image.
//!
//! The algorithm ([`propose_image_area`]), on frames of 8-bit luminance:
//! 1. **Activity**: per pixel, the mean absolute difference between successive frames (at most
//!    [`MAX_FRAMES`], spread evenly over the clip). A duplicated frame only lowers the mean by
//!    one term and a dropped one changes nothing, unlike a max−min range that one glitch fills.
//! 2. **Blocks**: activity averaged over square blocks ([`block_size`], so the grid is at most
//!    [`GRID_CELLS`] cells a side), which evens out speckle that happens to hold still.
//! 3. **Threshold**: Otsu on the block map splits still from moving; the threshold is the
//!    still class's own noise (median + 3 MAD: zero when overlays are bit-identical from frame to
//!    frame, a little more after lossy per-frame compression), so dim moving far field counts;
//!    never above Otsu or a quarter of the 90th percentile, never below [`NOISE_FLOOR`]. Under
//!    [`MIN_ACTIVE_SHARE`] of the image moving at all, the clip is static: no proposal.
//! 4. **Cleanup**: closing (radius [`CLOSE_RADIUS`] blocks) fills still pockets inside the image
//!    (dark far field, clamped speckle, a lumen); opening (radius [`OPEN_RADIUS`]) cuts thin
//!    bridges and drops specks: a blinking cursor, a clock or frame counter in the banner.
//! 5. **Largest component** (8-connected) of the opened map, grown back over the closed map
//!    by the opening radius so sector corners the opening rounded off return; its bounding
//!    rectangle in pixels is the proposal, to within one block.
//!
//! An ECG trace sweeping along the bottom: when a still gap separates it from the image, it is
//! another component and is left out (scanners give it its own Waveform region; it is not the
//! image); drawn over the image, it is inside the proposal anyway. Either way the expert sees
//! the proposal before anything is cleaned with it.
//!
//! A single frame gets no proposal: without motion the only cue is "not text", and text
//! detection on burned-in banners is unreliable; a wrong rectangle an expert accepts in a hurry
//! keeps a name in the image, which is worse than asking them to draw one.
//!
//! Cost: one pass of `frames × width × height` absolute differences (about 24 M for 30 frames
//! of 1024 × 768), then work on a grid of at most 256 × 256 cells. Decoding the frames
//! ([`propose_for_clip`] decodes at most [`MAX_FRAMES`]) costs far more.
use crate::{CineError, Clip, RgbaFrame};
use serde::{Deserialize, Serialize};

/// A rectangle of pixels, bounds inclusive (what pixel cleaning keeps or blacks out, and what
/// is proposed here; `clean::PixelRect` is this type).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PixelRect {
    pub x0: u32,
    pub y0: u32,
    pub x1: u32,
    pub y1: u32,
}

impl PixelRect {
    /// Whether pixel (x, y) lies inside.
    pub fn contains(&self, x: u32, y: u32) -> bool {
        (self.x0..=self.x1).contains(&x) && (self.y0..=self.y1).contains(&y)
    }
}

/// At most this many frames are compared; longer clips are sampled evenly.
pub const MAX_FRAMES: usize = 30;
/// The block grid has at most this many cells along its longer side.
pub const GRID_CELLS: u32 = 256;
/// Mean absolute change (grey levels per frame) below which a block always counts as still.
pub const NOISE_FLOOR: f32 = 0.5;
/// Below this share of the image's blocks moving, the clip is static.
pub const MIN_ACTIVE_SHARE: f32 = 0.005;
/// The largest moving area must cover at least this share of the image.
pub const MIN_AREA_SHARE: f32 = 0.02;
/// Closing radius, in blocks: still pockets up to about twice this wide are filled.
pub const CLOSE_RADIUS: usize = 3;
/// Opening radius, in blocks: moving specks and bridges thinner than about twice this go.
pub const OPEN_RADIUS: usize = 1;

/// What SonoHub proposes as the image area.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Proposal {
    /// The live image's bounding rectangle.
    pub rect: PixelRect,
    /// 0–1: how much of the motion lies inside `rect`, times how solidly `rect` moves (full
    /// marks from a fill of 0.6, a sector's).
    pub confidence: f32,
    /// Share of `rect` (in blocks) that moves after cleanup: about 1 for a rectangular image,
    /// 0.6–0.8 for a sector.
    pub fill: f32,
    /// Share of all motion (summed block activity) outside `rect`: cursors, clocks, ECG.
    pub outside_share: f32,
    /// What the moving area looks like, from `fill`.
    pub shape: AreaShape,
    /// Frames compared.
    pub frames_used: u32,
}

/// The outline of the moving area, as a hint for drawing it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AreaShape {
    /// Fills its bounding rectangle (linear probe, most secondary captures).
    Rectangle,
    /// Leaves the rectangle's corners still (sector or curved probe).
    Sector,
}

/// Why no area is proposed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, thiserror::Error)]
pub enum NoProposal {
    /// One frame: nothing moves, and text detection alone is not trusted.
    #[error("a single frame shows no motion to find the image by")]
    SingleFrame,
    /// Fewer than [`MIN_ACTIVE_SHARE`] of the image changes between frames.
    #[error("nothing moves between the frames")]
    Static,
    /// Things move, but no connected area of at least [`MIN_AREA_SHARE`] of the image.
    #[error("no coherent moving area was found")]
    NoCoherentArea,
    /// The moving area reaches all four edges of the image: no still banner or border frames
    /// it, so the still overlays that carry names cannot be told from the image (two unrelated
    /// frames, or overlays that change with every frame). Proposing the whole image would keep
    /// any burned-in text, so nothing is proposed.
    #[error("everything changes between the frames, up to every edge")]
    EverythingMoves,
    /// A frame is not `width × height` bytes, or the size is zero.
    #[error("frame {frame} has {len} bytes, expected {expected}")]
    BadFrame {
        frame: usize,
        len: usize,
        expected: usize,
    },
    /// The clip's frames could not be decoded.
    #[error("the frames could not be decoded: {0}")]
    Undecodable(String),
}

impl From<CineError> for NoProposal {
    fn from(e: CineError) -> Self {
        NoProposal::Undecodable(e.to_string())
    }
}

/// Intersection over union of two inclusive rectangles (0 when disjoint).
pub fn iou(a: PixelRect, b: PixelRect) -> f64 {
    let area = |r: PixelRect| {
        (u64::from(r.x1.saturating_sub(r.x0)) + 1) * (u64::from(r.y1.saturating_sub(r.y0)) + 1)
    };
    let (x0, y0) = (a.x0.max(b.x0), a.y0.max(b.y0));
    let (x1, y1) = (a.x1.min(b.x1), a.y1.min(b.y1));
    let inter = if x0 <= x1 && y0 <= y1 {
        area(PixelRect { x0, y0, x1, y1 })
    } else {
        0
    };
    let union = area(a) + area(b) - inter;
    inter as f64 / union as f64
}

/// Rec. 601 luma of an RGBA frame, one byte per pixel.
pub fn luma(frame: &RgbaFrame) -> Vec<u8> {
    frame
        .rgba
        .chunks_exact(4)
        .map(|p| ((77 * u32::from(p[0]) + 150 * u32::from(p[1]) + 29 * u32::from(p[2])) >> 8) as u8)
        .collect()
}

/// The indices of at most [`MAX_FRAMES`] of `frames` frames, spread evenly, first and last
/// included.
pub fn sample_frames(frames: u32) -> Vec<u32> {
    let n = frames as usize;
    if n <= MAX_FRAMES {
        return (0..frames).collect();
    }
    (0..MAX_FRAMES)
        .map(|i| (i * (n - 1) / (MAX_FRAMES - 1)) as u32)
        .collect()
}

/// Decodes a sample of the clip's frames (as displayed) and proposes its image area.
pub fn propose_for_clip(clip: &Clip) -> Result<Proposal, NoProposal> {
    let info = clip.info();
    if info.frames < 2 {
        return Err(NoProposal::SingleFrame);
    }
    let frames = sample_frames(info.frames)
        .into_iter()
        .map(|n| clip.decode_frame(n).map(|f| luma(&f)))
        .collect::<Result<Vec<_>, _>>()?;
    let refs: Vec<&[u8]> = frames.iter().map(Vec::as_slice).collect();
    propose_image_area(info.columns, info.rows, &refs)
}

/// Proposes the image area of a clip from its frames, each `width × height` bytes of luminance
/// in row order (longer lists are sampled down to [`MAX_FRAMES`]).
pub fn propose_image_area(
    width: u32,
    height: u32,
    frames: &[&[u8]],
) -> Result<Proposal, NoProposal> {
    let (w, h) = (width as usize, height as usize);
    let expected = w * h;
    for (frame, f) in frames.iter().enumerate() {
        if f.len() != expected || expected == 0 {
            return Err(NoProposal::BadFrame {
                frame,
                len: f.len(),
                expected,
            });
        }
    }
    if frames.len() < 2 {
        return Err(NoProposal::SingleFrame);
    }
    let picked: Vec<&[u8]> = sample_frames(frames.len() as u32)
        .into_iter()
        .map(|i| frames[i as usize])
        .collect();
    let activity = activity_map(&picked, expected);
    let b = block_size(width, height) as usize;
    let grid = Grid::average(&activity, w, h, b);

    let moving_at_all = grid.cells.iter().filter(|&&v| v >= NOISE_FLOOR).count();
    if (moving_at_all as f32) < MIN_ACTIVE_SHARE * grid.cells.len() as f32 {
        return Err(NoProposal::Static);
    }
    let threshold = threshold(&grid.cells);
    let active: Vec<bool> = grid.cells.iter().map(|&v| v >= threshold).collect();
    let closed = grid.close(&active, CLOSE_RADIUS);
    let opened = grid.open(&closed, OPEN_RADIUS);
    let Some(component) = grid.largest_component(&opened) else {
        return Err(NoProposal::NoCoherentArea);
    };
    // Grow back what the opening shaved off (sector corners), but only over moving blocks.
    let grown = grid.dilate(&component, OPEN_RADIUS);
    let area: Vec<bool> = grown.iter().zip(&closed).map(|(g, c)| *g && *c).collect();
    let count = area.iter().filter(|a| **a).count();
    if (count as f32) < MIN_AREA_SHARE * grid.cells.len() as f32 {
        return Err(NoProposal::NoCoherentArea);
    }
    let (bx0, by0, bx1, by1) = grid.bounds(&area).ok_or(NoProposal::NoCoherentArea)?;
    if bx0 == 0 && by0 == 0 && bx1 + 1 == grid.w && by1 + 1 == grid.h {
        return Err(NoProposal::EverythingMoves);
    }
    let rect = PixelRect {
        x0: (bx0 * b) as u32,
        y0: (by0 * b) as u32,
        x1: (((bx1 + 1) * b).min(w) - 1) as u32,
        y1: (((by1 + 1) * b).min(h) - 1) as u32,
    };

    let (mut inside, mut total, mut filled) = (0f64, 0f64, 0usize);
    for by in 0..grid.h {
        for bx in 0..grid.w {
            let i = by * grid.w + bx;
            let v = f64::from(grid.cells[i]);
            total += v;
            if (bx0..=bx1).contains(&bx) && (by0..=by1).contains(&by) {
                inside += v;
                filled += usize::from(closed[i]);
            }
        }
    }
    let fill = filled as f32 / ((bx1 - bx0 + 1) * (by1 - by0 + 1)) as f32;
    let outside_share = if total > 0.0 {
        (1.0 - inside / total) as f32
    } else {
        0.0
    };
    Ok(Proposal {
        rect,
        confidence: ((1.0 - outside_share) * (fill / 0.6).min(1.0)).clamp(0.0, 1.0),
        fill,
        outside_share,
        shape: if fill >= 0.9 {
            AreaShape::Rectangle
        } else {
            AreaShape::Sector
        },
        frames_used: picked.len() as u32,
    })
}

/// Side of the square blocks the activity is averaged over, for an image of this size.
pub fn block_size(width: u32, height: u32) -> u32 {
    width.max(height).div_ceil(GRID_CELLS).max(1)
}

/// Mean absolute difference between successive frames, per pixel.
fn activity_map(frames: &[&[u8]], pixels: usize) -> Vec<f32> {
    let mut sum = vec![0u32; pixels];
    for pair in frames.windows(2) {
        for ((s, a), b) in sum.iter_mut().zip(pair[0]).zip(pair[1]) {
            *s += u32::from(a.abs_diff(*b));
        }
    }
    let pairs = (frames.len() - 1) as f32;
    sum.into_iter().map(|s| s as f32 / pairs).collect()
}

/// The activity above which a block moves (see the module notes, step 3).
fn threshold(cells: &[f32]) -> f32 {
    const BINS: usize = 512;
    let max = cells.iter().copied().fold(0f32, f32::max);
    if max <= 0.0 {
        return NOISE_FLOOR;
    }
    let bin = |v: f32| ((v / max * (BINS - 1) as f32) as usize).min(BINS - 1);
    let mut hist = [0u32; BINS];
    for &v in cells {
        hist[bin(v)] += 1;
    }
    let n = cells.len() as f64;
    let total_mean: f64 = hist
        .iter()
        .enumerate()
        .map(|(i, &c)| i as f64 * f64::from(c))
        .sum::<f64>()
        / n;
    let (mut best, mut best_bin) = (0f64, 0usize);
    let (mut weight, mut mean_sum) = (0f64, 0f64);
    for (i, &c) in hist.iter().enumerate() {
        weight += f64::from(c) / n;
        mean_sum += i as f64 * f64::from(c) / n;
        if weight <= 0.0 || weight >= 1.0 {
            continue;
        }
        let between = (total_mean * weight - mean_sum).powi(2) / (weight * (1.0 - weight));
        if between > best {
            best = between;
            best_bin = i;
        }
    }
    let otsu = (best_bin + 1) as f32 / (BINS - 1) as f32 * max;
    let mut sorted = cells.to_vec();
    sorted.sort_by(f32::total_cmp);
    let p90 = sorted[(sorted.len() - 1) * 9 / 10];
    // The still class's own noise, robustly: its median plus 3 median absolute deviations,
    // so dim moving blocks that fall under Otsu do not raise it.
    let still = &sorted[..sorted.partition_point(|&v| v < otsu)];
    let noise = if still.is_empty() {
        0.0
    } else {
        let median = still[still.len() / 2];
        let mut dev: Vec<f32> = still.iter().map(|v| (v - median).abs()).collect();
        dev.sort_by(f32::total_cmp);
        median + 3.0 * dev[dev.len() / 2]
    };
    noise.min(otsu).min(p90 / 4.0).max(NOISE_FLOOR)
}

/// The block grid: activity averaged over `b × b` blocks (edge blocks over what they hold).
struct Grid {
    w: usize,
    h: usize,
    cells: Vec<f32>,
}

impl Grid {
    fn average(activity: &[f32], w: usize, h: usize, b: usize) -> Grid {
        let (gw, gh) = (w.div_ceil(b), h.div_ceil(b));
        let mut sum = vec![0f32; gw * gh];
        let mut count = vec![0u32; gw * gh];
        for (y, row) in activity.chunks_exact(w).enumerate().take(h) {
            for (x, v) in row.iter().enumerate() {
                let i = (y / b) * gw + x / b;
                sum[i] += v;
                count[i] += 1;
            }
        }
        let cells = sum
            .into_iter()
            .zip(count)
            .map(|(s, c)| s / c.max(1) as f32)
            .collect();
        Grid {
            w: gw,
            h: gh,
            cells,
        }
    }

    /// Square structuring element of radius `r`, applied by rows then columns: `any` dilates,
    /// otherwise erodes. Cells past the grid's edge are ignored, so erosion does not eat an
    /// area that touches the image edge.
    fn morph(&self, set: &[bool], r: usize, any: bool) -> Vec<bool> {
        let pass = |src: &[bool], horizontal: bool| -> Vec<bool> {
            let mut out = vec![false; src.len()];
            for y in 0..self.h {
                for x in 0..self.w {
                    let (pos, len) = if horizontal { (x, self.w) } else { (y, self.h) };
                    let lo = pos.saturating_sub(r);
                    let hi = (pos + r).min(len - 1);
                    let at = |k: usize| {
                        if horizontal {
                            src[y * self.w + k]
                        } else {
                            src[k * self.w + x]
                        }
                    };
                    out[y * self.w + x] = if any {
                        (lo..=hi).any(at)
                    } else {
                        (lo..=hi).all(at)
                    };
                }
            }
            out
        };
        pass(&pass(set, true), false)
    }

    fn dilate(&self, set: &[bool], r: usize) -> Vec<bool> {
        self.morph(set, r, true)
    }

    fn close(&self, set: &[bool], r: usize) -> Vec<bool> {
        self.morph(&self.morph(set, r, true), r, false)
    }

    fn open(&self, set: &[bool], r: usize) -> Vec<bool> {
        self.morph(&self.morph(set, r, false), r, true)
    }

    /// The largest 8-connected set of cells, or `None` when nothing is set.
    fn largest_component(&self, set: &[bool]) -> Option<Vec<bool>> {
        let mut label = vec![0u32; set.len()];
        let (mut best, mut best_size, mut next) = (0u32, 0usize, 0u32);
        let mut stack = Vec::new();
        for start in 0..set.len() {
            if !set[start] || label[start] != 0 {
                continue;
            }
            next += 1;
            label[start] = next;
            stack.push(start);
            let mut size = 0;
            while let Some(i) = stack.pop() {
                size += 1;
                let (x, y) = (i % self.w, i / self.w);
                for ny in y.saturating_sub(1)..=(y + 1).min(self.h - 1) {
                    for nx in x.saturating_sub(1)..=(x + 1).min(self.w - 1) {
                        let j = ny * self.w + nx;
                        if set[j] && label[j] == 0 {
                            label[j] = next;
                            stack.push(j);
                        }
                    }
                }
            }
            if size > best_size {
                (best, best_size) = (next, size);
            }
        }
        (best_size > 0).then(|| label.iter().map(|&l| l == best).collect())
    }

    /// Inclusive cell bounds (x0, y0, x1, y1) of the set cells.
    fn bounds(&self, set: &[bool]) -> Option<(usize, usize, usize, usize)> {
        let mut b: Option<(usize, usize, usize, usize)> = None;
        for (i, _) in set.iter().enumerate().filter(|(_, s)| **s) {
            let (x, y) = (i % self.w, i / self.w);
            b = Some(match b {
                None => (x, y, x, y),
                Some((x0, y0, x1, y1)) => (x0.min(x), y0.min(y), x1.max(x), y1.max(y)),
            });
        }
        b
    }
}
