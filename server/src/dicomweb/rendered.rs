//! Rendered images and thumbnails (PS3.18 §8.3.5.1.3, §10.4.1.1.3, §10.4.4): one frame
//! decoded by `cine` as the browser shows it (monochrome through its stored window or VOI,
//! palettes looked up, YBR as RGB), cut to the `viewport`'s source region when one is given,
//! fitted inside the viewport keeping its aspect ratio, and encoded as JPEG (the default) or
//! PNG. Answers are cached by blob hash and parameters, with an ETag made of the same.
//!
//! Which frame: a frame URL's own; the first frame of the first image in scope for
//! `/rendered`; the middle frame of the first image for `/thumbnail`, which shows a clip
//! mid-sweep rather than as the probe touches the skin.
use super::Reader;
use super::accept::{Accept, fits_single};
use super::decoded;
use super::frames::{FramePath, instance_and_frames};
use super::picture::{self, ImageFormat, Picture, SourceRegion, fit_inside};
use super::wado::{audit_export, scope, stored_bytes};
use super::{Caches, PathUids, Problem};
use crate::http::ServerState;
use axum::Extension;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use domain::dicomweb::InstanceRecord;
use std::sync::Arc;

/// The largest viewport side served: more is never a display, only work.
pub(super) const MAX_SIDE: u32 = 4096;
/// What a thumbnail fits inside when the client gives no viewport.
const THUMBNAIL_SIDE: u32 = 256;
/// JPEG quality when the client names none.
const DEFAULT_QUALITY: u8 = 90;
/// How long a browser may reuse a rendered image without asking again.
const CACHE_CONTROL: &str = "private, max-age=3600";

/// The `viewport` parameter: the box the image is fitted inside, and optionally the region
/// of the source image shown in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) struct Viewport {
    pub width: u32,
    pub height: u32,
    pub source: Option<SourceRegion>,
}

/// The rendering parameters a client may give; unknown parameters are ignored.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct RenderQuery {
    pub viewport: Option<Viewport>,
    pub quality: Option<u8>,
    /// The `accept` parameter, which takes the Accept header's place (for `<img src>`).
    pub accept: Option<String>,
}

fn bad(name: &str, value: &str, rule: &str) -> Problem {
    Problem::BadRequest(format!("{name}={value:?}: {rule}"))
}

impl RenderQuery {
    fn parse(pairs: &[(String, String)]) -> Result<RenderQuery, Problem> {
        let mut query = RenderQuery {
            viewport: None,
            quality: None,
            accept: None,
        };
        for (name, value) in pairs {
            match name.as_str() {
                "viewport" => query.viewport = Some(viewport(value)?),
                "quality" => {
                    let q = value
                        .parse::<u8>()
                        .ok()
                        .filter(|q| (1..=100).contains(q))
                        .ok_or_else(|| bad(name, value, "a whole number from 1 to 100"))?;
                    query.quality = Some(q);
                }
                "accept" => query.accept = Some(value.clone()),
                _ => {}
            }
        }
        Ok(query)
    }
}

/// `vw,vh` or `vw,vh,sx,sy,sw,sh`.
fn viewport(value: &str) -> Result<Viewport, Problem> {
    let rule = "vw,vh or vw,vh,sx,sy,sw,sh with a viewport from 1 to 4096 pixels a side";
    let fields: Vec<&str> = value.split(',').collect();
    let side = |s: &str| {
        s.parse::<u32>()
            .ok()
            .filter(|v| (1..=MAX_SIDE).contains(v))
            .ok_or_else(|| bad("viewport", value, rule))
    };
    let at = |s: &str| s.parse::<u32>().map_err(|_| bad("viewport", value, rule));
    let extent = |s: &str| {
        s.parse::<i32>()
            .ok()
            .filter(|v| *v != 0)
            .ok_or_else(|| bad("viewport", value, rule))
    };
    match fields.as_slice() {
        [w, h] => Ok(Viewport {
            width: side(w)?,
            height: side(h)?,
            source: None,
        }),
        [w, h, sx, sy, sw, sh] => Ok(Viewport {
            width: side(w)?,
            height: side(h)?,
            source: Some(SourceRegion {
                x: at(sx)?,
                y: at(sy)?,
                width: extent(sw)?,
                height: extent(sh)?,
            }),
        }),
        _ => Err(bad("viewport", value, rule)),
    }
}

/// What a rendered image was made from: its cache key and the root of its ETag.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(super) struct RenderKey {
    sha: String,
    /// 0-based.
    frame: u32,
    format: ImageFormat,
    viewport: Option<Viewport>,
    /// JPEG quality; 0 for PNG, which has none.
    quality: u8,
}

impl RenderKey {
    fn etag(&self) -> String {
        let viewport = match self.viewport {
            None => "full".to_string(),
            Some(v) => match v.source {
                None => format!("{}x{}", v.width, v.height),
                Some(s) => format!(
                    "{}x{}+{},{},{},{}",
                    v.width, v.height, s.x, s.y, s.width, s.height
                ),
            },
        };
        let format = match self.format {
            ImageFormat::Jpeg => "jpeg",
            ImageFormat::Png => "png",
        };
        format!(
            "\"{}-{}-{format}-{viewport}-q{}\"",
            self.sha,
            self.frame + 1,
            self.quality
        )
    }
}

/// Decodes, cuts, fits and encodes one frame (blocking: run it on `spawn_blocking`).
fn render(bytes: &[u8], key: &RenderKey) -> Result<Vec<u8>, Problem> {
    let cannot = |e| decoded::cine_problem(e, "this image cannot be rendered on the server");
    let clip = cine::Clip::parse(bytes).map_err(cannot)?;
    let frame = clip.decode_frame(key.frame).map_err(cannot)?;
    let mut image = Picture {
        width: frame.width,
        height: frame.height,
        rgb: picture::rgb(&frame.rgba),
    };
    if let Some(viewport) = key.viewport {
        if let Some(region) = viewport.source {
            image = image.region(region).map_err(Problem::BadRequest)?;
        }
        let (w, h) = fit_inside(image.width, image.height, viewport.width, viewport.height);
        image = image.resized(w, h);
    }
    picture::encode(&image, key.format, key.quality).map_err(Problem::internal)
}

/// What a rendered request is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Purpose {
    Rendered,
    Thumbnail,
}

/// The image instance and 0-based frame a study, series or instance URL renders.
async fn first_image(
    state: &ServerState,
    uids: PathUids,
    purpose: Purpose,
) -> Result<(InstanceRecord, u32), Problem> {
    let instance = scope(state, uids)
        .await?
        .into_iter()
        .find(|i| i.frames > 0 && i.rows > 0)
        .ok_or(Problem::NotFound("nothing here has an image to render"))?;
    let frames = u32::try_from(instance.frames).unwrap_or(1);
    let frame = match purpose {
        Purpose::Rendered => 0,
        Purpose::Thumbnail => (frames - 1) / 2,
    };
    Ok((instance, frame))
}

/// The instance and 0-based frame a frame URL renders: exactly one frame.
async fn listed_frame(
    state: &ServerState,
    path: &FramePath,
) -> Result<(InstanceRecord, u32), Problem> {
    let (instance, numbers) = instance_and_frames(state, path).await?;
    match numbers.as_slice() {
        [n] => Ok((instance, n - 1)),
        _ => Err(Problem::BadRequest(
            "one frame at a time is rendered, as JPEG or PNG".into(),
        )),
    }
}

/// The request's rendering parameters and chosen format, checked before any image is read.
fn parameters(
    pairs: &[(String, String)],
    headers: &HeaderMap,
    purpose: Purpose,
) -> Result<(RenderQuery, ImageFormat), Problem> {
    let query = RenderQuery::parse(pairs)?;
    let accept = match &query.accept {
        Some(value) => {
            let mut headers = HeaderMap::new();
            let value = HeaderValue::from_str(value)
                .map_err(|_| bad("accept", value, "a list of media types"))?;
            headers.insert(header::ACCEPT, value);
            Accept::from_headers(&headers)
        }
        None => Accept::from_headers(headers),
    };
    let media_type = accept
        .choose(&ImageFormat::OFFERED, fits_single)
        .ok_or_else(|| {
            Problem::NotAcceptable("rendered images are image/jpeg or image/png".into())
        })?;
    let mut query = query;
    if purpose == Purpose::Thumbnail && query.viewport.is_none() {
        query.viewport = Some(Viewport {
            width: THUMBNAIL_SIDE,
            height: THUMBNAIL_SIDE,
            source: None,
        });
    }
    Ok((query, ImageFormat::from_media_type(media_type)))
}

/// True when the client's If-None-Match names `etag` (weakly compared, as RFC 9110 says).
fn client_has(headers: &HeaderMap, etag: &str) -> bool {
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|tag| tag.trim().trim_start_matches("W/"))
        .any(|tag| tag == etag || tag == "*")
}

/// The image `key` names, from the cache or rendered now (and kept).
async fn cached_or_rendered(
    state: &ServerState,
    caches: &Caches,
    instance: &InstanceRecord,
    key: &RenderKey,
) -> Result<Bytes, Problem> {
    if let Some(image) = caches.rendered.get(key) {
        return Ok(image);
    }
    let bytes = stored_bytes(state.app.importer.blobs(), instance).await?;
    let for_render = key.clone();
    let image = tokio::task::spawn_blocking(move || render(&bytes, &for_render))
        .await
        .map_err(Problem::internal)??;
    let image = Bytes::from(image);
    caches.rendered.insert(key.clone(), image.clone());
    Ok(image)
}

/// The answer for one frame: 304 when the client has it, else the image (audited).
pub(super) async fn answer(
    state: &ServerState,
    caches: &Caches,
    reader: &Reader,
    headers: &HeaderMap,
    (instance, frame): (InstanceRecord, u32),
    (query, format): (RenderQuery, ImageFormat),
) -> Result<Response, Problem> {
    let key = RenderKey {
        sha: instance.blob_sha.clone(),
        frame,
        format,
        viewport: query.viewport,
        quality: match format {
            ImageFormat::Jpeg => query.quality.unwrap_or(DEFAULT_QUALITY),
            ImageFormat::Png => 0,
        },
    };
    let etag = key.etag();
    if client_has(headers, &etag) {
        let not_modified = StatusCode::NOT_MODIFIED.into_response();
        return Ok(with_caching(not_modified, &etag));
    }
    let image = cached_or_rendered(state, caches, &instance, &key).await?;
    let detail = serde_json::json!({
        "instance": instance.sop_uid,
        "frame": frame + 1,
        "rendered": format.media_type(),
    });
    audit_export(state, reader, &instance.study_uid, detail).await;
    let content_type = HeaderValue::from_static(format.media_type());
    let response = ([(header::CONTENT_TYPE, content_type)], image).into_response();
    Ok(with_caching(response, &etag))
}

/// Lets the browser keep the image privately, and revalidate it by ETag.
fn with_caching(mut response: Response, etag: &str) -> Response {
    let headers = response.headers_mut();
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(CACHE_CONTROL),
    );
    if let Ok(etag) = HeaderValue::from_str(etag) {
        headers.insert(header::ETAG, etag);
    }
    response
}

/// `GET /studies/{study}[/series/{series}[/instances/{instance}]]/rendered`
pub(super) async fn rendered(
    State(state): State<ServerState>,
    Extension(caches): Extension<Arc<Caches>>,
    Extension(reader): Extension<Reader>,
    Path(uids): Path<PathUids>,
    Query(pairs): Query<Vec<(String, String)>>,
    headers: HeaderMap,
) -> Result<Response, Problem> {
    let params = parameters(&pairs, &headers, Purpose::Rendered)?;
    let target = first_image(&state, uids, Purpose::Rendered).await?;
    answer(&state, &caches, &reader, &headers, target, params).await
}

/// `GET /studies/{study}[/series/{series}[/instances/{instance}]]/thumbnail`
pub(super) async fn thumbnail(
    State(state): State<ServerState>,
    Extension(caches): Extension<Arc<Caches>>,
    Extension(reader): Extension<Reader>,
    Path(uids): Path<PathUids>,
    Query(pairs): Query<Vec<(String, String)>>,
    headers: HeaderMap,
) -> Result<Response, Problem> {
    let params = parameters(&pairs, &headers, Purpose::Thumbnail)?;
    let target = first_image(&state, uids, Purpose::Thumbnail).await?;
    answer(&state, &caches, &reader, &headers, target, params).await
}

/// `GET …/instances/{instance}/frames/{n}/rendered`
pub(super) async fn frame_rendered(
    State(state): State<ServerState>,
    Extension(caches): Extension<Arc<Caches>>,
    Extension(reader): Extension<Reader>,
    Path(path): Path<FramePath>,
    Query(pairs): Query<Vec<(String, String)>>,
    headers: HeaderMap,
) -> Result<Response, Problem> {
    let params = parameters(&pairs, &headers, Purpose::Rendered)?;
    let target = listed_frame(&state, &path).await?;
    answer(&state, &caches, &reader, &headers, target, params).await
}

/// `GET …/instances/{instance}/frames/{n}/thumbnail`
pub(super) async fn frame_thumbnail(
    State(state): State<ServerState>,
    Extension(caches): Extension<Arc<Caches>>,
    Extension(reader): Extension<Reader>,
    Path(path): Path<FramePath>,
    Query(pairs): Query<Vec<(String, String)>>,
    headers: HeaderMap,
) -> Result<Response, Problem> {
    let params = parameters(&pairs, &headers, Purpose::Thumbnail)?;
    let target = listed_frame(&state, &path).await?;
    answer(&state, &caches, &reader, &headers, target, params).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn parameters_are_checked_and_unknown_ones_ignored() {
        let q = RenderQuery::parse(&pairs(&[
            ("viewport", "128,96"),
            ("quality", "75"),
            ("window", "40,400,linear"),
            ("annotation", "patient"),
        ]))
        .unwrap();
        assert_eq!(
            q.viewport,
            Some(Viewport {
                width: 128,
                height: 96,
                source: None
            })
        );
        assert_eq!(q.quality, Some(75));
        let region = RenderQuery::parse(&pairs(&[("viewport", "64,64,10,20,-30,40")])).unwrap();
        assert_eq!(
            region.viewport.unwrap().source,
            Some(SourceRegion {
                x: 10,
                y: 20,
                width: -30,
                height: 40
            })
        );
        for (k, v) in [
            ("viewport", "128"),
            ("viewport", "0,96"),
            ("viewport", "128,x"),
            ("viewport", "5000,96"),
            ("viewport", "128,96,1,2,3"),
            ("viewport", "128,96,1,2,0,4"),
            ("quality", "0"),
            ("quality", "101"),
            ("quality", "high"),
        ] {
            assert!(
                matches!(
                    RenderQuery::parse(&pairs(&[(k, v)])),
                    Err(Problem::BadRequest(_))
                ),
                "{k}={v}"
            );
        }
    }

    #[test]
    fn formats_follow_the_accept_header_or_parameter() {
        let format = |accept: Option<&str>, param: Option<&str>| {
            let mut headers = HeaderMap::new();
            if let Some(a) = accept {
                headers.insert(header::ACCEPT, HeaderValue::from_str(a).unwrap());
            }
            let p: Vec<(String, String)> = param
                .map(|v| vec![("accept".to_string(), v.to_string())])
                .unwrap_or_default();
            parameters(&p, &headers, Purpose::Rendered).map(|(_, f)| f)
        };
        assert_eq!(format(None, None).unwrap(), ImageFormat::Jpeg);
        assert_eq!(format(Some("image/png"), None).unwrap(), ImageFormat::Png);
        assert_eq!(format(Some("image/*"), None).unwrap(), ImageFormat::Jpeg);
        assert_eq!(
            format(Some("image/jpeg"), Some("image/png")).unwrap(),
            ImageFormat::Png
        );
        assert!(matches!(
            format(Some("image/gif"), None),
            Err(Problem::NotAcceptable(_))
        ));
        let (thumb, _) = parameters(&[], &HeaderMap::new(), Purpose::Thumbnail).unwrap();
        assert_eq!(thumb.viewport.unwrap().width, THUMBNAIL_SIDE);
    }

    #[test]
    fn etags_name_the_blob_and_every_parameter() {
        let key = RenderKey {
            sha: "ab".repeat(32),
            frame: 0,
            format: ImageFormat::Jpeg,
            viewport: None,
            quality: 90,
        };
        let other = RenderKey {
            viewport: Some(Viewport {
                width: 64,
                height: 64,
                source: None,
            }),
            ..key.clone()
        };
        assert_ne!(key.etag(), other.etag());
        assert_ne!(
            key.etag(),
            RenderKey {
                quality: 80,
                ..key.clone()
            }
            .etag()
        );
        assert!(key.etag().starts_with('"') && key.etag().ends_with('"'));
    }
}
