//! WADO-RS frames (PS3.18 §8.3.5.1, §10.4): `…/instances/{sop}/frames/{list}`. The stored
//! bytes as they are (`transfer-syntax=*`, the stored syntax, or its own media type such as
//! `image/jpeg`), read from the blob store by byte range; or, asked for uncompressed data of
//! a compressed clip, each frame decoded by `cine` (the browser's decoder) to interleaved RGB
//! little endian. Multipart answers stream frame by frame; one frame may come single-part.
use super::Reader;
use super::accept::{Accept, EXPLICIT_LE, Offer};
use super::decoded;
use super::multipart::multipart;
use super::pixels::{self, FrameBytes, FrameLayout};
use super::wado::{audit_export, scope, stored_bytes};
use super::{Caches, PathUids, Problem};
use crate::http::ServerState;
use axum::Extension;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use domain::blobs::{Blobs, GetRange};
use domain::dicomweb::InstanceRecord;
use std::sync::Arc;

/// The most frames one request may list: a whole long clip, not an unbounded list.
const MAX_LISTED: usize = 10_000;

/// The path of a frames resource.
#[derive(Debug, serde::Deserialize)]
pub(super) struct FramePath {
    study: String,
    series: String,
    instance: String,
    frames: String,
}

impl FramePath {
    fn uids(&self) -> PathUids {
        PathUids {
            study: Some(self.study.clone()),
            series: Some(self.series.clone()),
            instance: Some(self.instance.clone()),
        }
    }
}

/// The 1-based frame numbers of a `{list}`, in the order asked (repeats kept): positive
/// integers separated by commas.
pub(super) fn frame_list(list: &str) -> Result<Vec<u32>, Problem> {
    let bad = || {
        Problem::BadRequest(format!(
            "{list:?} is not a frame list: frame numbers from 1, separated by commas"
        ))
    };
    let numbers = list
        .split(',')
        .map(|n| {
            if n.is_empty() || !n.bytes().all(|b| b.is_ascii_digit()) {
                return Err(bad());
            }
            n.parse::<u32>().ok().filter(|n| *n > 0).ok_or_else(bad)
        })
        .collect::<Result<Vec<u32>, Problem>>()?;
    if numbers.len() > MAX_LISTED {
        return Err(Problem::BadRequest(format!(
            "at most {MAX_LISTED} frames a request"
        )));
    }
    Ok(numbers)
}

/// The one instance a frames path names, and its 1-based frame numbers checked against the
/// frames it has (404 past the last).
pub(super) async fn instance_and_frames(
    state: &ServerState,
    path: &FramePath,
) -> Result<(InstanceRecord, Vec<u32>), Problem> {
    let numbers = frame_list(&path.frames)?;
    let instance = scope(state, path.uids())
        .await?
        .into_iter()
        .next()
        .ok_or(Problem::NotFound("no such instance"))?;
    if let Some(past) = numbers.iter().find(|n| i64::from(**n) > instance.frames) {
        return Err(Problem::Missing(format!(
            "frame {past} does not exist: the instance has {} frames",
            instance.frames
        )));
    }
    Ok((instance, numbers))
}

/// Where the frames of `instance` are, read once per blob and then kept.
async fn stored_layout(
    state: &ServerState,
    caches: &Caches,
    instance: &InstanceRecord,
) -> Result<Arc<FrameLayout>, Problem> {
    if let Some(layout) = caches.layouts.get(&instance.blob_sha) {
        return Ok(layout);
    }
    let bytes = stored_bytes(state.app.importer.blobs(), instance).await?;
    let layout = tokio::task::spawn_blocking(move || pixels::locate(&bytes))
        .await
        .map_err(Problem::internal)?
        .map_err(Problem::internal)?
        .ok_or(Problem::NotFound("this instance has no frames"))?;
    let layout = Arc::new(layout);
    caches
        .layouts
        .insert(instance.blob_sha.clone(), layout.clone());
    Ok(layout)
}

/// What a frames answer carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Payload {
    /// The frame bytes as stored (native data as little endian).
    Stored,
    /// Decoded by `cine` to interleaved 8-bit RGB.
    Decoded,
}

/// One way of answering, with what the client's Accept is matched against.
#[derive(Debug, Clone, PartialEq)]
struct FrameOffer {
    offer: Offer,
    payload: Payload,
}

/// The answers a frames request may get, in SonoHub's order of preference: the stored bytes
/// first when they are lossy (nothing better exists), decoded little endian first otherwise
/// (the PS3.18 default); multipart before single-part, which only one frame may have.
fn offers(layout: &FrameLayout, one_frame: bool) -> Vec<FrameOffer> {
    let encoding = pixels::web_encoding(&layout.syntax);
    if encoding.video {
        return Vec::new();
    }
    let stored_syntax = if encoding.native {
        EXPLICIT_LE
    } else {
        layout.syntax.as_str()
    };
    let mut offers = Vec::new();
    for multipart in [true, false] {
        if !multipart && !one_frame {
            break;
        }
        let offer = |media_type, syntax: &str, as_stored, syntax_by_default| Offer {
            multipart,
            media_type,
            syntax: syntax.to_string(),
            as_stored,
            syntax_by_default,
        };
        // Bytes without a media type of their own (encapsulated uncompressed) are only
        // named by their syntax, below: plain octet-stream means Explicit VR Little Endian.
        let own_type = encoding.native || encoding.media_type != "application/octet-stream";
        let mut stored: Vec<FrameOffer> = std::iter::once(encoding.media_type)
            .chain(encoding.aliases.iter().copied())
            .filter(|_| own_type)
            .map(|t| FrameOffer {
                offer: offer(t, stored_syntax, true, true),
                payload: Payload::Stored,
            })
            .collect();
        if !encoding.native {
            // Compressed bytes as `application/octet-stream` only when the client names
            // their syntax (or `*`): without one, octet-stream means uncompressed.
            stored.push(FrameOffer {
                offer: offer("application/octet-stream", stored_syntax, true, false),
                payload: Payload::Stored,
            });
        }
        let decoded = (!encoding.native && layout.shape.decodes_to_rgb()).then(|| FrameOffer {
            offer: offer("application/octet-stream", EXPLICIT_LE, false, true),
            payload: Payload::Decoded,
        });
        if encoding.lossy {
            offers.extend(stored);
            offers.extend(decoded);
        } else {
            offers.extend(decoded);
            offers.extend(stored);
        }
    }
    offers
}

/// Why nothing could be chosen, and what the client could ask for instead.
fn not_acceptable(layout: &FrameLayout) -> Problem {
    let encoding = pixels::web_encoding(&layout.syntax);
    if encoding.video {
        return Problem::NotAcceptable(format!(
            "this instance is a video stream ({}): its frames cannot be cut out; retrieve \
             the instance, or its /rendered image",
            layout.syntax
        ));
    }
    let uncompressed = if encoding.native || layout.shape.decodes_to_rgb() {
        "; or type=\"application/octet-stream\" alone for uncompressed frames".to_string()
    } else {
        format!(
            "; uncompressed frames are decoded for 8-bit colour only, not {}: /rendered gives \
             a displayable image",
            layout.shape.photometric
        )
    };
    Problem::NotAcceptable(format!(
        "frames are stored as {} ({}): accept multipart/related; type=\"{}\", or \
         type=\"application/octet-stream\"; transfer-syntax=*{uncompressed}",
        encoding.media_type, layout.syntax, encoding.media_type,
    ))
}

/// `GET …/instances/{sop}/frames/{list}`
pub(super) async fn retrieve(
    State(state): State<ServerState>,
    Extension(caches): Extension<Arc<Caches>>,
    Extension(reader): Extension<Reader>,
    Path(path): Path<FramePath>,
    headers: HeaderMap,
) -> Result<Response, Problem> {
    let (instance, numbers) = instance_and_frames(&state, &path).await?;
    let layout = stored_layout(&state, &caches, &instance).await?;
    if let Some(past) = numbers.iter().find(|n| **n > layout.shape.frames) {
        return Err(Problem::Missing(format!(
            "frame {past} does not exist: the stored file has {} frames",
            layout.shape.frames
        )));
    }
    let offers = offers(&layout, numbers.len() == 1);
    let chosen = Accept::from_headers(&headers)
        .choose(&offers, |range, o| Offer::fit(range, &o.offer))
        .cloned()
        .ok_or_else(|| not_acceptable(&layout))?;
    let frames: Vec<usize> = numbers.iter().map(|n| *n as usize - 1).collect();
    let blobs = state.app.importer.blobs();
    let response = respond(blobs, &instance, &layout, &chosen, frames).await?;
    let detail = serde_json::json!({
        "instance": instance.sop_uid,
        "frames": numbers.len(),
        "as": match chosen.payload {
            Payload::Stored => "stored",
            Payload::Decoded => "decoded",
        },
    });
    audit_export(&state, &reader, &instance.study_uid, detail).await;
    Ok(response)
}

/// The answer `chosen` for `frames` (0-based) of `instance`.
async fn respond(
    blobs: &Blobs,
    instance: &InstanceRecord,
    layout: &FrameLayout,
    chosen: &FrameOffer,
    frames: Vec<usize>,
) -> Result<Response, Problem> {
    let content_type = format!(
        "{}; transfer-syntax={}",
        chosen.offer.media_type, chosen.offer.syntax
    );
    let multipart_answer = chosen.offer.multipart;
    match (chosen.payload, &layout.frames) {
        (Payload::Stored, FrameBytes::InFile(ranges)) if multipart_answer => Ok(stream_stored(
            blobs.clone(),
            instance.blob_sha.clone(),
            ranges.clone(),
            frames,
            content_type,
        )),
        (Payload::Stored, FrameBytes::InFile(ranges)) => {
            let frame = ranges.get(frames[0]).map(Vec::as_slice).unwrap_or_default();
            Ok(single(
                &content_type,
                read_ranges(blobs, instance, frame).await?,
            ))
        }
        (Payload::Stored, FrameBytes::ByParsing) => {
            let bytes = stored_bytes(blobs, instance).await?;
            let shape = layout.shape.clone();
            let parsed = tokio::task::spawn_blocking(move || {
                pixels::parse_native_frames(&bytes, &shape, &frames)
            })
            .await
            .map_err(Problem::internal)?
            .map_err(Problem::internal)?;
            Ok(in_memory(multipart_answer, &content_type, parsed))
        }
        (Payload::Decoded, _) => {
            let bytes = stored_bytes(blobs, instance).await?;
            decoded::frames(bytes, frames, multipart_answer, content_type).await
        }
    }
}

/// A single-part answer.
pub(super) fn single(content_type: &str, body: Bytes) -> Response {
    let mut response = body.into_response();
    if let Ok(value) = HeaderValue::from_str(content_type) {
        response.headers_mut().insert(header::CONTENT_TYPE, value);
    }
    response
}

/// Frames already in memory, multipart or (one frame) single-part.
fn in_memory(multipart_answer: bool, content_type: &str, frames: Vec<Bytes>) -> Response {
    if !multipart_answer {
        return single(content_type, frames.into_iter().next().unwrap_or_default());
    }
    let part_type = content_type
        .split(';')
        .next()
        .unwrap_or(content_type)
        .to_string();
    let content_type = content_type.to_string();
    let (parts, response) = multipart(&part_type);
    tokio::spawn(async move {
        for frame in frames {
            if !parts.part(&content_type, frame).await {
                return;
            }
        }
        parts.finish().await;
    });
    response
}

/// The concatenated byte ranges of one stored frame.
async fn read_ranges(
    blobs: &Blobs,
    instance: &InstanceRecord,
    ranges: &[std::ops::Range<u64>],
) -> Result<Bytes, Problem> {
    let mut out = Vec::new();
    for range in ranges {
        let read = blobs
            .read(&instance.blob_sha, Some(GetRange::Bounded(range.clone())))
            .await
            .map_err(Problem::internal)?
            .ok_or_else(|| {
                Problem::internal(anyhow::anyhow!("blob {} is missing", instance.blob_sha))
            })?;
        let bytes = read.body.bytes().await.map_err(Problem::internal)?;
        if ranges.len() == 1 {
            return Ok(bytes);
        }
        out.extend_from_slice(&bytes);
    }
    Ok(Bytes::from(out))
}

/// Streams stored frames from the blob, one part a frame, each read by its byte ranges.
fn stream_stored(
    blobs: Blobs,
    sha: String,
    ranges: Vec<Vec<std::ops::Range<u64>>>,
    frames: Vec<usize>,
    content_type: String,
) -> Response {
    let part_type = content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .to_string();
    let (parts, response) = multipart(&part_type);
    tokio::spawn(async move {
        for n in frames {
            let frame = ranges.get(n).map(Vec::as_slice).unwrap_or_default();
            let len = frame.iter().map(|r| r.end - r.start).sum();
            if !parts
                .blob_part(&blobs, &sha, Some(frame), &content_type, len)
                .await
            {
                return;
            }
        }
        parts.finish().await;
    });
    response
}

#[cfg(test)]
mod tests {
    use super::super::pixels::ImageShape;
    use super::*;
    use dicom_dictionary_std::uids;

    #[test]
    fn frame_lists_are_positive_numbers_separated_by_commas() {
        assert_eq!(frame_list("1").unwrap(), [1]);
        assert_eq!(frame_list("3,1,3").unwrap(), [3, 1, 3]);
        for bad in [
            "",
            "0",
            "1,",
            ",1",
            "1,,2",
            "a",
            "1-3",
            "+1",
            " 1",
            "1.0",
            "99999999999",
        ] {
            assert!(
                matches!(frame_list(bad), Err(Problem::BadRequest(_))),
                "{bad:?}"
            );
        }
        let long = vec!["1"; MAX_LISTED + 1].join(",");
        assert!(frame_list(&long).is_err());
    }

    fn layout(syntax: &str, photometric: &str, samples: u16) -> FrameLayout {
        FrameLayout {
            syntax: syntax.into(),
            shape: ImageShape {
                rows: 2,
                columns: 2,
                frames: 3,
                bits_allocated: 8,
                samples_per_pixel: samples,
                photometric: photometric.into(),
            },
            frames: FrameBytes::ByParsing,
        }
    }

    const OHIF: &str = "multipart/related; type=application/octet-stream; transfer-syntax=*";

    fn pick(layout: &FrameLayout, one: bool, accept: &str) -> Option<(Payload, bool, String)> {
        let offers = offers(layout, one);
        Accept::parse(accept)
            .choose(&offers, |r, o| Offer::fit(r, &o.offer))
            .map(|o| {
                (
                    o.payload,
                    o.offer.multipart,
                    format!("{}; transfer-syntax={}", o.offer.media_type, o.offer.syntax),
                )
            })
    }

    #[test]
    fn lossy_frames_go_as_stored_unless_uncompressed_is_asked_for() {
        let jpeg = layout(uids::JPEG_BASELINE8_BIT, "YBR_FULL_422", 3);
        let stored = |t: &str| {
            Some((
                Payload::Stored,
                true,
                format!("{t}; transfer-syntax={}", uids::JPEG_BASELINE8_BIT),
            ))
        };
        let decoded = Some((
            Payload::Decoded,
            true,
            format!("application/octet-stream; transfer-syntax={EXPLICIT_LE}"),
        ));
        assert_eq!(pick(&jpeg, false, "*/*"), stored("image/jpeg"));
        assert_eq!(
            pick(&jpeg, false, "multipart/related; type=\"*/*\""),
            stored("image/jpeg")
        );
        assert_eq!(
            pick(
                &jpeg,
                false,
                "multipart/related; type=application/octet-stream; transfer-syntax=*"
            ),
            stored("application/octet-stream"),
            "OHIF's request"
        );
        assert_eq!(
            pick(&jpeg, false, "multipart/related; type=\"image/jpeg\""),
            stored("image/jpeg")
        );
        assert_eq!(
            pick(
                &jpeg,
                false,
                "multipart/related; type=\"application/octet-stream\""
            ),
            decoded
        );
        assert_eq!(
            pick(
                &jpeg,
                false,
                &format!(
                    "multipart/related; type=application/octet-stream; transfer-syntax={EXPLICIT_LE}"
                )
            ),
            decoded
        );
        assert_eq!(
            pick(&jpeg, false, "multipart/related; type=\"image/jp2\""),
            None
        );
        assert_eq!(
            pick(&jpeg, false, "image/jpeg"),
            None,
            "single-part needs one frame"
        );
        assert_eq!(
            pick(&jpeg, true, "image/jpeg"),
            Some((
                Payload::Stored,
                false,
                format!("image/jpeg; transfer-syntax={}", uids::JPEG_BASELINE8_BIT)
            ))
        );
        assert_eq!(
            pick(&jpeg, true, "application/octet-stream"),
            Some((
                Payload::Decoded,
                false,
                format!("application/octet-stream; transfer-syntax={EXPLICIT_LE}")
            ))
        );
    }

    #[test]
    fn lossless_frames_default_to_uncompressed_and_rle_keeps_its_names() {
        let rle = layout(uids::RLE_LOSSLESS, "RGB", 3);
        assert_eq!(pick(&rle, false, "*/*").unwrap().0, Payload::Decoded);
        for stored in [
            "multipart/related; type=\"image/dicom-rle\"",
            "multipart/related; type=image/x-dicom-rle",
            "multipart/related; type=application/octet-stream; transfer-syntax=*",
            "multipart/related; type=application/octet-stream; transfer-syntax=1.2.840.10008.1.2.5",
        ] {
            assert_eq!(
                pick(&rle, false, stored).unwrap().0,
                Payload::Stored,
                "{stored}"
            );
        }
        let grey = layout(uids::RLE_LOSSLESS, "MONOCHROME2", 1);
        assert_eq!(
            pick(&grey, false, "*/*").unwrap().0,
            Payload::Stored,
            "nothing to decode to"
        );
        assert_eq!(
            pick(
                &grey,
                false,
                "multipart/related; type=application/octet-stream"
            ),
            None
        );
    }

    #[test]
    fn native_frames_are_little_endian_whatever_is_asked() {
        let native = layout("1.2.840.10008.1.2.2", "MONOCHROME2", 1);
        let le = format!("application/octet-stream; transfer-syntax={EXPLICIT_LE}");
        for accept in [
            "*/*",
            "multipart/related; type=application/octet-stream",
            "multipart/related; type=application/octet-stream; transfer-syntax=*",
            &format!(
                "multipart/related; type=application/octet-stream; transfer-syntax={EXPLICIT_LE}"
            ),
        ] {
            assert_eq!(
                pick(&native, false, accept),
                Some((Payload::Stored, true, le.clone())),
                "{accept}"
            );
        }
        assert_eq!(
            pick(&native, false, "multipart/related; type=image/jpeg"),
            None
        );
        let encapsulated = layout(
            uids::ENCAPSULATED_UNCOMPRESSED_EXPLICIT_VR_LITTLE_ENDIAN,
            "MONOCHROME2",
            1,
        );
        assert_eq!(
            pick(
                &encapsulated,
                false,
                "multipart/related; type=application/octet-stream"
            ),
            None,
            "plain octet-stream is Explicit VR Little Endian, not these bytes"
        );
        assert_eq!(
            pick(&encapsulated, false, OHIF).map(|p| p.0),
            Some(Payload::Stored)
        );
        let video = layout(uids::MPEG4HP41, "YBR_PARTIAL_420", 3);
        assert_eq!(pick(&video, false, "*/*"), None);
    }
}
