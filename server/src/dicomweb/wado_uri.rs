//! WADO-URI (PS3.18 §9) for viewers that still use it (Cornerstone's `wadouri` loader, OHIF
//! with `imageRendering: 'wadouri'`, older PACS viewers):
//! `GET /dicom-web?requestType=WADO&studyUID=…&seriesUID=…&objectUID=…`.
//!
//! * `contentType=application/dicom`: the instance as stored. A `transferSyntax` other than
//!   the stored one is refused with 406: SonoHub never transcodes.
//! * `image/jpeg` (the default, as the standard says for images) or `image/png`: one frame
//!   (`frameNumber`, from 1) rendered as `/rendered` renders it, fitted inside `columns` ×
//!   `rows`, cut to `region` (four fractions of the image: left, top, right, bottom; at its
//!   own size when no rows or columns are given), at `imageQuality`.
//! * `contentType` may list several types, in order of preference; `*/*` and `image/*` take
//!   the default.
//!
//! Parameters SonoHub has nothing to do with (`charset`, `anonymize`: every stored object is
//! anonymised already; `annotation`, `windowCenter`/`windowWidth`, `presentationUID`) are
//! ignored, as the standard allows a server to.
use super::Reader;
use super::picture::{ImageFormat, SourceRegion};
use super::rendered::{self, MAX_SIDE, RenderQuery, Viewport};
use super::wado::{audit_export, scope, stored_bytes};
use super::{Caches, PathUids, Problem};
use crate::http::ServerState;
use axum::Extension;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use std::sync::Arc;

/// What a WADO-URI request asks for.
#[derive(Debug, PartialEq)]
enum Wanted {
    /// The stored file.
    Dicom,
    /// One frame, 0-based, as an image.
    Image {
        format: ImageFormat,
        frame: u32,
        query: RenderQuery,
        region: Option<[f64; 4]>,
    },
}

/// A checked WADO-URI request.
#[derive(Debug, PartialEq)]
struct UriRequest {
    study: String,
    series: String,
    object: String,
    wanted: Wanted,
}

fn bad(message: impl Into<String>) -> Problem {
    Problem::BadRequest(message.into())
}

impl UriRequest {
    fn parse(pairs: &[(String, String)]) -> Result<UriRequest, Problem> {
        let get = |name: &str| pairs.iter().find(|(n, _)| n == name).map(|(_, v)| v.trim());
        match get("requestType") {
            Some("WADO") => {}
            Some(other) => return Err(bad(format!("requestType={other:?}: only WADO is served"))),
            None => return Err(bad("requestType=WADO is required")),
        }
        let uid = |name: &str| {
            let value = get(name).ok_or_else(|| bad(format!("{name} is required")))?;
            super::uid(value)
        };
        let (study, series, object) = (uid("studyUID")?, uid("seriesUID")?, uid("objectUID")?);
        let wanted = match content_type(get("contentType"))? {
            None => {
                if let Some(syntax) = get("transferSyntax") {
                    super::uid(syntax)?;
                }
                Wanted::Dicom
            }
            Some(format) => {
                let frame = match get("frameNumber") {
                    None => 0,
                    Some(n) => n
                        .parse::<u32>()
                        .ok()
                        .filter(|n| *n >= 1)
                        .map(|n| n - 1)
                        .ok_or_else(|| bad(format!("frameNumber={n:?}: a frame number from 1")))?,
                };
                let side = |name: &str| {
                    get(name)
                        .map(|v| {
                            v.parse::<u32>()
                                .ok()
                                .filter(|s| (1..=MAX_SIDE).contains(s))
                                .ok_or_else(|| {
                                    bad(format!("{name}={v:?}: from 1 to {MAX_SIDE} pixels"))
                                })
                        })
                        .transpose()
                };
                let (rows, columns) = (side("rows")?, side("columns")?);
                let quality = get("imageQuality")
                    .map(|v| {
                        v.parse::<u8>()
                            .ok()
                            .filter(|q| (1..=100).contains(q))
                            .ok_or_else(|| bad(format!("imageQuality={v:?}: from 1 to 100")))
                    })
                    .transpose()?;
                let viewport = (rows.is_some() || columns.is_some()).then(|| Viewport {
                    width: columns.unwrap_or(MAX_SIDE),
                    height: rows.unwrap_or(MAX_SIDE),
                    source: None,
                });
                Wanted::Image {
                    format,
                    frame,
                    query: RenderQuery {
                        viewport,
                        quality,
                        accept: None,
                    },
                    region: get("region").map(region).transpose()?,
                }
            }
        };
        Ok(UriRequest {
            study,
            series,
            object,
            wanted,
        })
    }
}

/// The first type of `contentType` SonoHub serves: `None` for the stored file, or an image
/// format. Absent, it is JPEG.
fn content_type(value: Option<&str>) -> Result<Option<ImageFormat>, Problem> {
    let Some(value) = value else {
        return Ok(Some(ImageFormat::Jpeg));
    };
    for item in value.split(',') {
        let media = item.split(';').next().unwrap_or_default().trim();
        match media.to_ascii_lowercase().as_str() {
            "application/dicom" => return Ok(None),
            "image/jpeg" | "image/jpg" | "image/*" | "*/*" => return Ok(Some(ImageFormat::Jpeg)),
            "image/png" => return Ok(Some(ImageFormat::Png)),
            _ => {}
        }
    }
    Err(Problem::NotAcceptable(format!(
        "contentType={value:?}: served are application/dicom, image/jpeg and image/png"
    )))
}

/// `region=x1,y1,x2,y2`: fractions of the image from its top left, x1 < x2 and y1 < y2.
fn region(value: &str) -> Result<[f64; 4], Problem> {
    let rule = || {
        bad(format!(
            "region={value:?}: four fractions x1,y1,x2,y2 from 0 to 1, x1 < x2, y1 < y2"
        ))
    };
    let numbers: Vec<f64> = value
        .split(',')
        .map(|v| v.trim().parse::<f64>().map_err(|_| rule()))
        .collect::<Result<_, _>>()?;
    match numbers.as_slice() {
        &[x1, y1, x2, y2]
            if [x1, y1, x2, y2].iter().all(|v| (0.0..=1.0).contains(v)) && x1 < x2 && y1 < y2 =>
        {
            Ok([x1, y1, x2, y2])
        }
        _ => Err(rule()),
    }
}

/// The region in pixels of an image `columns` × `rows`, at least one pixel each way.
fn source_region([x1, y1, x2, y2]: [f64; 4], columns: u32, rows: u32) -> SourceRegion {
    let at = |f: f64, n: u32| ((f * f64::from(n)).floor() as u32).min(n.saturating_sub(1));
    let (x, y) = (at(x1, columns), at(y1, rows));
    let extent = |from: u32, f: f64, n: u32| {
        let to = ((f * f64::from(n)).ceil() as u32).min(n);
        i32::try_from(to.saturating_sub(from).max(1)).unwrap_or(i32::MAX)
    };
    SourceRegion {
        x,
        y,
        width: extent(x, x2, columns),
        height: extent(y, y2, rows),
    }
}

/// `GET /dicom-web?requestType=WADO&…`
pub(super) async fn retrieve(
    State(state): State<ServerState>,
    Extension(caches): Extension<Arc<Caches>>,
    Extension(reader): Extension<Reader>,
    Query(pairs): Query<Vec<(String, String)>>,
    headers: HeaderMap,
) -> Result<Response, Problem> {
    let request = UriRequest::parse(&pairs)?;
    let uids = PathUids {
        study: Some(request.study),
        series: Some(request.series),
        instance: Some(request.object),
    };
    let instance = scope(&state, uids)
        .await?
        .into_iter()
        .next()
        .ok_or(Problem::NotFound("no such instance"))?;
    match request.wanted {
        Wanted::Dicom => {
            let asked = pairs
                .iter()
                .find(|(n, _)| n == "transferSyntax")
                .map(|(_, v)| v.trim());
            if let Some(asked) = asked.filter(|s| *s != instance.transfer_syntax) {
                return Err(Problem::NotAcceptable(format!(
                    "transferSyntax={asked}: the instance is served as stored, in {} \
                     (SonoHub never transcodes)",
                    instance.transfer_syntax
                )));
            }
            let bytes = stored_bytes(state.app.importer.blobs(), &instance).await?;
            let detail = serde_json::json!({
                "instances": 1,
                "bytes": bytes.len(),
                "wado_uri": instance.sop_uid,
            });
            audit_export(&state, &reader, &instance.study_uid, detail).await;
            let content_type = HeaderValue::from_static("application/dicom");
            Ok(([(header::CONTENT_TYPE, content_type)], bytes).into_response())
        }
        Wanted::Image {
            format,
            frame,
            mut query,
            region,
        } => {
            if instance.frames < 1 || instance.rows < 1 {
                return Err(Problem::NotFound("this instance has no image to render"));
            }
            if i64::from(frame) >= instance.frames {
                return Err(Problem::Missing(format!(
                    "frameNumber={}: the instance has {} frames",
                    frame + 1,
                    instance.frames
                )));
            }
            if let Some(region) = region {
                let columns = u32::try_from(instance.columns).unwrap_or(1);
                let rows = u32::try_from(instance.rows).unwrap_or(1);
                let source = source_region(region, columns, rows);
                // Without rows or columns the region comes at its own size.
                let viewport = query.viewport.get_or_insert(Viewport {
                    width: source.width.unsigned_abs().min(MAX_SIDE),
                    height: source.height.unsigned_abs().min(MAX_SIDE),
                    source: None,
                });
                viewport.source = Some(source);
            }
            rendered::answer(
                &state,
                &caches,
                &reader,
                &headers,
                (instance, frame),
                (query, format),
            )
            .await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(query: &str) -> Vec<(String, String)> {
        query
            .split('&')
            .filter_map(|kv| kv.split_once('='))
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    const UIDS: &str = "requestType=WADO&studyUID=2.25.1&seriesUID=2.25.2&objectUID=2.25.3";

    #[test]
    fn the_stored_file_is_asked_for_by_content_type() {
        let r =
            UriRequest::parse(&pairs(&format!("{UIDS}&contentType=application/dicom"))).unwrap();
        assert_eq!((r.study.as_str(), r.object.as_str()), ("2.25.1", "2.25.3"));
        assert_eq!(r.wanted, Wanted::Dicom);
        // The first listed type SonoHub serves wins.
        let r = UriRequest::parse(&pairs(&format!(
            "{UIDS}&contentType=image/gif,application/dicom,image/jpeg"
        )))
        .unwrap();
        assert_eq!(r.wanted, Wanted::Dicom);
    }

    #[test]
    fn an_image_is_jpeg_of_the_first_frame_unless_told() {
        let r = UriRequest::parse(&pairs(UIDS)).unwrap();
        let Wanted::Image {
            format,
            frame,
            query,
            region,
        } = r.wanted
        else {
            panic!("an image");
        };
        assert_eq!((format, frame, region), (ImageFormat::Jpeg, 0, None));
        assert_eq!((query.viewport, query.quality), (None, None));

        let r = UriRequest::parse(&pairs(&format!(
            "{UIDS}&contentType=image/png&frameNumber=7&rows=240&imageQuality=70&region=0.25,0,0.75,0.5"
        )))
        .unwrap();
        let Wanted::Image {
            format,
            frame,
            query,
            region,
        } = r.wanted
        else {
            panic!("an image");
        };
        assert_eq!((format, frame), (ImageFormat::Png, 6));
        assert_eq!(query.quality, Some(70));
        let viewport = query.viewport.unwrap();
        assert_eq!((viewport.width, viewport.height), (MAX_SIDE, 240));
        assert_eq!(region, Some([0.25, 0.0, 0.75, 0.5]));
    }

    #[test]
    fn what_cannot_be_served_is_refused_clearly() {
        let refused = |query: &str| UriRequest::parse(&pairs(query)).unwrap_err();
        for (query, status) in [
            ("studyUID=2.25.1&seriesUID=2.25.2&objectUID=2.25.3", 400),
            (
                "requestType=WADO-RS&studyUID=2.25.1&seriesUID=2.25.2&objectUID=2.25.3",
                400,
            ),
            ("requestType=WADO&studyUID=2.25.1&objectUID=2.25.3", 400),
            (
                "requestType=WADO&studyUID=2.25.1&seriesUID=2.25.2&objectUID=../x",
                400,
            ),
            (&format!("{UIDS}&frameNumber=0"), 400),
            (&format!("{UIDS}&rows=0"), 400),
            (&format!("{UIDS}&imageQuality=101"), 400),
            (&format!("{UIDS}&region=0.5,0,0.25,1"), 400),
            (&format!("{UIDS}&contentType=image/gif"), 406),
            (
                &format!("{UIDS}&contentType=application/dicom&transferSyntax=jpeg"),
                400,
            ),
        ] {
            let code = refused(query).into_response().status().as_u16();
            assert_eq!(code, status, "{query}");
        }
    }

    #[test]
    fn a_region_becomes_whole_pixels_inside_the_image() {
        let r = source_region([0.25, 0.0, 0.75, 0.5], 640, 480);
        assert_eq!((r.x, r.y, r.width, r.height), (160, 0, 320, 240));
        // A sliver still covers one pixel, and the far edge stays inside.
        let r = source_region([0.999, 0.999, 1.0, 1.0], 10, 10);
        assert_eq!((r.x, r.y, r.width, r.height), (9, 9, 1, 1));
    }
}
