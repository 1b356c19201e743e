//! Frames decoded on the server by `cine`, the browser's own decoder, for clients that ask
//! for uncompressed pixel data of a compressed clip: interleaved 8-bit RGB, decoded on
//! `spawn_blocking` one frame at a time as the client reads.
use super::Problem;
use super::multipart::{Parts, multipart};
use super::picture;
use axum::body::Bytes;
use axum::response::Response;

/// What decoding on the server failed on: the clip, which `cine` cannot show (406, saying
/// why after `cannot`), or something else (500, logged).
pub(super) fn cine_problem(err: cine::CineError, cannot: &str) -> Problem {
    use cine::CineError as E;
    match err {
        E::UnsupportedTransferSyntax { .. }
        | E::UnsupportedPhotometric { .. }
        | E::UnsupportedBits { .. }
        | E::UnsupportedFeature { .. } => Problem::NotAcceptable(format!("{cannot}: {err}")),
        other => Problem::internal(other),
    }
}

/// Frame `n` (0-based) decoded by `cine`, as interleaved 8-bit RGB.
fn decode_rgb(clip: &cine::Clip, n: usize) -> Result<Bytes, cine::CineError> {
    let frame = clip.decode_frame(n as u32)?;
    Ok(Bytes::from(picture::rgb(&frame.rgba)))
}

/// Decoded frames: the clip is parsed and the first frame decoded before the answer starts,
/// so a frame the server cannot decode is a clear error, not a broken body; the rest are
/// decoded one at a time as the client reads.
pub(super) async fn frames(
    bytes: Bytes,
    wanted: Vec<usize>,
    multipart_answer: bool,
    content_type: String,
) -> Result<Response, Problem> {
    let first = wanted[0];
    let (clip, first_frame) = tokio::task::spawn_blocking(move || {
        let clip = cine::Clip::parse(&bytes)?;
        let first_frame = decode_rgb(&clip, first)?;
        Ok::<_, cine::CineError>((clip, first_frame))
    })
    .await
    .map_err(Problem::internal)?
    .map_err(|e| {
        cine_problem(
            e,
            "frames of this instance cannot be decoded on the server (ask for \
             transfer-syntax=* to have them as stored)",
        )
    })?;
    if !multipart_answer {
        return Ok(super::frames::single(&content_type, first_frame));
    }
    let (parts, response) = multipart("application/octet-stream");
    tokio::task::spawn_blocking(move || {
        stream_decoded(parts, &clip, &wanted, first_frame, &content_type);
    });
    Ok(response)
}

/// Sends `first` (already decoded) and then decodes and sends the rest of `wanted`.
fn stream_decoded(
    parts: Parts,
    clip: &cine::Clip,
    wanted: &[usize],
    first: Bytes,
    content_type: &str,
) {
    if !parts.blocking_part(content_type, first) {
        return;
    }
    for n in wanted.iter().skip(1) {
        let frame = match decode_rgb(clip, *n) {
            Ok(frame) => frame,
            Err(e) => {
                tracing::error!(error = %e, frame = n + 1, "decoding a frame failed");
                parts.blocking_fail("a frame could not be decoded");
                return;
            }
        };
        if !parts.blocking_part(content_type, frame) {
            return;
        }
    }
    parts.blocking_finish();
}
