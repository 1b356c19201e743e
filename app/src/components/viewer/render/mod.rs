//! The browser side of the viewer: decoding into a frame cache, drawing, the playback loop and
//! pointer input. Runs only in the browser (from effects and event handlers).
//!
//! Two decoders fill the cache. 8-bit lossy JPEG frames whose colours the browser renders the
//! same way go to the browser's own image decoder (`createImageBitmap`), which works on its
//! own threads, a few frames in flight at a time; everything else (and any frame the browser
//! refuses) is decoded by `crate::cine` in wasm, in short slices between animation frames.
//! Native (uncompressed) clips skip the cache: the header is read, and each frame is converted
//! from the file's bytes as it is drawn.
mod decode;
mod draw;
mod input;
mod link;
mod player;
mod screen;
mod video;

pub(super) use decode::load;
pub(super) use draw::{seek, set_mode, set_speed, step, toggle_play};
pub(super) use input::{
    finish_polygon, fit, pointer_cancel, pointer_down, pointer_leave, pointer_move, pointer_up,
    wheel, zoom_by,
};
pub(super) use link::apply as apply_link;
pub(super) use player::{drop_player, new_viewer_id};
pub(super) use screen::{export_png, fullscreen};

use crate::cine::CineError;

/// Why the viewer shows no image.
#[derive(Debug, Clone, PartialEq)]
pub enum ViewerError {
    /// The download failed (network, HTTP status).
    Fetch(String),
    /// The file could not be parsed or decoded.
    Cine(CineError),
}
