//! WADO-RS (PS3.18 §10.4): studies, series and instances as `multipart/related` DICOM parts
//! with the stored bytes unchanged (streamed from the blob store, never transcoded), and their
//! metadata as DICOM JSON.
use super::{PathUids, Problem, json};
use crate::http::ServerState;
use app::api::guard::SignedIn;
use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use domain::audit::{self, Actor};
use domain::blobs::Blobs;
use domain::dicomweb::{self as repo, InstanceRecord, Matching};
use futures_util::StreamExt;
use model::{AuditAction, AuditVia};
use serde_json::Value as Json;

/// The stored instances a retrieve path names; 404 when there are none.
async fn scope(state: &ServerState, uids: PathUids) -> Result<Vec<InstanceRecord>, Problem> {
    let PathUids {
        study,
        series,
        instance,
    } = uids.validated()?;
    let matching = Matching {
        study_uids: study.into_iter().collect(),
        series_uids: series.iter().cloned().collect(),
        sop_uids: instance.iter().cloned().collect(),
        limit: i64::MAX,
        ..Matching::default()
    };
    let found = repo::instances(&state.app.db, &matching)
        .await
        .map_err(Problem::internal)?;
    if found.is_empty() {
        return Err(Problem::NotFound(match (series, instance) {
            (_, Some(_)) => "no such instance",
            (Some(_), None) => "no such series",
            _ => "no such study",
        }));
    }
    Ok(found)
}

/// One media range of an Accept header: its type and parameters, lower-cased where DICOM
/// and HTTP say case does not matter.
#[derive(Debug, PartialEq)]
struct MediaRange {
    media_type: String,
    params: Vec<(String, String)>,
}

impl MediaRange {
    fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// The media ranges a client accepts (those with `q=0` left out); `None` without an Accept
/// header, which accepts anything.
fn accepted(headers: &HeaderMap) -> Option<Vec<MediaRange>> {
    headers.get(header::ACCEPT)?;
    let ranges = headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|range| {
            let mut parts = range.split(';').map(str::trim);
            let media_type = parts.next()?.to_ascii_lowercase();
            if media_type.is_empty() {
                return None;
            }
            let params: Vec<(String, String)> = parts
                .filter_map(|p| {
                    let (k, v) = p.split_once('=')?;
                    Some((
                        k.trim().to_ascii_lowercase(),
                        v.trim().trim_matches('"').to_string(),
                    ))
                })
                .collect();
            let refused = params
                .iter()
                .any(|(k, v)| k == "q" && v.parse::<f32>().is_ok_and(|q| q <= 0.0));
            (!refused).then_some(MediaRange { media_type, params })
        })
        .collect();
    Some(ranges)
}

/// True when one of `ranges` takes a DICOM part in `syntax`: `multipart/related` of
/// `application/dicom` with no transfer syntax, `*`, or exactly this one (or a wildcard range).
fn takes(ranges: &Option<Vec<MediaRange>>, syntax: &str) -> bool {
    let Some(ranges) = ranges else {
        return true;
    };
    ranges.iter().any(|r| match r.media_type.as_str() {
        "*/*" | "multipart/*" => true,
        "multipart/related" => {
            r.param("type")
                .is_none_or(|t| t.eq_ignore_ascii_case("application/dicom"))
                && r.param("transfer-syntax")
                    .is_none_or(|ts| ts == "*" || ts == syntax)
        }
        _ => false,
    })
}

/// `GET /dicom-web/studies/{study}[/series/{series}[/instances/{instance}]]`: every instance
/// in scope as one `multipart/related; type="application/dicom"` response.
pub(super) async fn retrieve(
    State(state): State<ServerState>,
    signed_in: SignedIn,
    Path(uids): Path<PathUids>,
    headers: HeaderMap,
) -> Result<Response, Problem> {
    let instances = scope(&state, uids).await?;
    let ranges = accepted(&headers);
    if let Some(refused) = instances
        .iter()
        .find(|i| !takes(&ranges, &i.transfer_syntax))
    {
        return Err(Problem::NotAcceptable(format!(
            "instances are served as stored (no transcoding); {} is in transfer syntax {}. \
             Accept multipart/related; type=\"application/dicom\"; transfer-syntax=*",
            refused.sop_uid, refused.transfer_syntax
        )));
    }
    audit_export(&state, &signed_in, &headers, &instances).await;
    Ok(multipart(state.app.importer.blobs().clone(), instances))
}

/// Records who took which images out: the signed-in expert, or the bearer token's holder
/// (no person) when a token was presented.
async fn audit_export(
    state: &ServerState,
    signed_in: &SignedIn,
    headers: &HeaderMap,
    instances: &[InstanceRecord],
) {
    let user = match headers.contains_key(header::AUTHORIZATION) {
        true => None,
        false => signed_in.user().await.ok().flatten().map(|u| u.id),
    };
    let actor = Actor {
        user,
        via: AuditVia::DicomWeb,
    };
    let mut studies: Vec<&str> = instances.iter().map(|i| i.study_uid.as_str()).collect();
    studies.dedup();
    let detail = serde_json::json!({
        "instances": instances.len(),
        "bytes": instances.iter().map(|i| i.size).sum::<i64>(),
    });
    for study in studies {
        audit::record(
            &state.app.db,
            &actor,
            AuditAction::StudyExported,
            Some(study),
            detail.clone(),
        )
        .await;
    }
}

/// Streams the instances' blobs as parts, one at a time, so a study is never held in memory.
/// A blob that cannot be read ends the body with an error rather than a short, valid-looking
/// message.
fn multipart(blobs: Blobs, instances: Vec<InstanceRecord>) -> Response {
    let boundary = format!("sonohub-{}", uuid::Uuid::now_v7().simple());
    let content_type =
        format!("multipart/related; type=\"application/dicom\"; boundary={boundary}");
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<Bytes, std::io::Error>>(4);
    tokio::spawn(async move {
        for instance in instances {
            let head = format!(
                "--{boundary}\r\nContent-Type: application/dicom; transfer-syntax={}\r\n\
                 Content-Length: {}\r\n\r\n",
                instance.transfer_syntax, instance.size
            );
            if tx.send(Ok(Bytes::from(head))).await.is_err() {
                return;
            }
            let read = match blobs.read(&instance.blob_sha, None).await {
                Ok(Some(read)) => read,
                Ok(None) => {
                    tracing::error!(sha = instance.blob_sha, "stored instance has no blob");
                    let _ = tx.send(Err(std::io::Error::other("missing blob"))).await;
                    return;
                }
                Err(e) => {
                    tracing::error!(error = format!("{e:#}"), "reading a blob failed");
                    let _ = tx.send(Err(std::io::Error::other("storage error"))).await;
                    return;
                }
            };
            let mut chunks = read.body.into_stream();
            while let Some(chunk) = chunks.next().await {
                let failed = chunk.is_err();
                if tx.send(chunk.map_err(std::io::Error::other)).await.is_err() || failed {
                    return;
                }
            }
            if tx.send(Ok(Bytes::from_static(b"\r\n"))).await.is_err() {
                return;
            }
        }
        let _ = tx
            .send(Ok(Bytes::from(format!("--{boundary}--\r\n"))))
            .await;
    });
    let body = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|item| (item, rx))
    });
    Response::builder()
        .status(StatusCode::OK)
        .header(header::CONTENT_TYPE, content_type)
        .body(Body::from_stream(body))
        .unwrap_or_else(|_| Problem::Internal.into_response())
}

/// The stored data set of a blob as DICOM JSON, read up to (not including) the pixel data.
fn metadata_of(bytes: &[u8]) -> anyhow::Result<Json> {
    use anyhow::Context;
    let obj = dicom_object::OpenFileOptions::new()
        .read_until(dicom_dictionary_std::tags::PIXEL_DATA)
        .from_reader(bytes.get(128..).context("file too short")?)
        .context("reading a stored instance")?;
    Ok(json::data_set(&obj))
}

/// `GET .../metadata` at study, series or instance level: each instance's data set as DICOM
/// JSON, pixel data left out.
pub(super) async fn metadata(
    State(state): State<ServerState>,
    Path(uids): Path<PathUids>,
) -> Result<Response, Problem> {
    let instances = scope(&state, uids).await?;
    let blobs = state.app.importer.blobs();
    let mut out = Vec::with_capacity(instances.len());
    for instance in instances {
        let bytes = blobs
            .bytes(&instance.blob_sha)
            .await
            .map_err(Problem::internal)?
            .ok_or_else(|| {
                Problem::internal(anyhow::anyhow!("blob {} is missing", instance.blob_sha))
            })?;
        let data_set = tokio::task::spawn_blocking(move || metadata_of(&bytes))
            .await
            .map_err(Problem::internal)?
            .map_err(Problem::internal)?;
        out.push(data_set);
    }
    Ok((
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/dicom+json"),
        )],
        Json::Array(out).to_string(),
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accept(value: &str) -> Option<Vec<MediaRange>> {
        let mut headers = HeaderMap::new();
        headers.insert(header::ACCEPT, HeaderValue::from_str(value).unwrap());
        accepted(&headers)
    }

    const JPEG: &str = dicom_dictionary_std::uids::JPEG_BASELINE8_BIT;

    #[test]
    fn stored_syntax_is_served_unless_the_client_names_another() {
        assert!(takes(&None, JPEG), "no Accept takes anything");
        assert!(takes(&accept("*/*"), JPEG));
        assert!(takes(
            &accept("multipart/related; type=\"application/dicom\""),
            JPEG
        ));
        assert!(takes(
            &accept("multipart/related; type=\"application/dicom\"; transfer-syntax=*"),
            JPEG
        ));
        assert!(takes(
            &accept(&format!(
                "multipart/related; type=application/dicom; transfer-syntax={JPEG}"
            )),
            JPEG
        ));
        let explicit_le =
            "multipart/related; type=\"application/dicom\"; transfer-syntax=1.2.840.10008.1.2.1";
        assert!(!takes(&accept(explicit_le), JPEG));
        assert!(takes(
            &accept(&format!(
                "{explicit_le}, multipart/related; type=\"application/dicom\"; transfer-syntax={JPEG}"
            )),
            JPEG
        ));
        assert!(!takes(&accept("application/dicom+json"), JPEG));
        assert!(!takes(
            &accept("multipart/related; type=\"image/jpeg\""),
            JPEG
        ));
        assert!(!takes(&accept("*/*; q=0"), JPEG));
    }
}
