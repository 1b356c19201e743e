//! WADO-RS (PS3.18 §10.4): studies, series and instances as `multipart/related` DICOM parts
//! with the stored bytes unchanged (streamed from the blob store, never transcoded), and their
//! metadata as DICOM JSON with bulk data linked. Frames, rendered images and bulk data have
//! their own modules.
use super::Reader;
use super::accept::{Accept, Offer};
use super::multipart::multipart;
use super::pixels::{self, ImageShape};
use super::{PathUids, Problem, json};
use crate::http::ServerState;
use axum::Extension;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use dicom_core::VR;
use domain::audit::{self, Actor};
use domain::blobs::Blobs;
use domain::dicomweb::{self as repo, InstanceRecord, Matching};
use model::{AuditAction, AuditVia};
use serde_json::Value as Json;

/// The stored instances a retrieve path names; 404 when there are none.
pub(super) async fn scope(
    state: &ServerState,
    uids: PathUids,
) -> Result<Vec<InstanceRecord>, Problem> {
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

/// A whole instance as stored, inside `multipart/related`. A range naming no transfer
/// syntax takes it too: SonoHub never transcodes, and says so in the part's header.
fn dicom_offer(syntax: &str) -> Offer {
    Offer {
        multipart: true,
        media_type: "application/dicom",
        syntax: syntax.to_string(),
        as_stored: true,
        syntax_by_default: true,
    }
}

/// `GET /dicom-web/studies/{study}[/series/{series}[/instances/{instance}]]`: every instance
/// in scope as one `multipart/related; type="application/dicom"` response.
pub(super) async fn retrieve(
    State(state): State<ServerState>,
    Extension(reader): Extension<Reader>,
    Path(uids): Path<PathUids>,
    headers: HeaderMap,
) -> Result<Response, Problem> {
    let instances = scope(&state, uids).await?;
    let accept = Accept::from_headers(&headers);
    if let Some(refused) = instances.iter().find(|i| {
        accept
            .choose(&[dicom_offer(&i.transfer_syntax)], Offer::fit)
            .is_none()
    }) {
        return Err(Problem::NotAcceptable(format!(
            "instances are served as stored (no transcoding); {} is in transfer syntax {}. \
             Accept multipart/related; type=\"application/dicom\"; transfer-syntax=*",
            refused.sop_uid, refused.transfer_syntax
        )));
    }
    let mut studies: Vec<&str> = instances.iter().map(|i| i.study_uid.as_str()).collect();
    studies.dedup();
    let detail = serde_json::json!({
        "instances": instances.len(),
        "bytes": instances.iter().map(|i| i.size).sum::<i64>(),
    });
    for study in studies {
        audit_export(&state, &reader, study, detail.clone()).await;
    }
    Ok(stream_instances(
        state.app.importer.blobs().clone(),
        instances,
    ))
}

/// Records who took images of `study` out, and what (`detail`): the signed-in expert, or the
/// token (by name, no person).
pub(super) async fn audit_export(
    state: &ServerState,
    reader: &Reader,
    study: &str,
    mut detail: Json,
) {
    let user = match reader {
        Reader::Token(name) => {
            if let Some(fields) = detail.as_object_mut() {
                fields.insert("token".to_string(), Json::String(name.clone()));
            }
            None
        }
        Reader::Expert(user) => Some(user.clone()),
    };
    let actor = Actor {
        user,
        via: AuditVia::DicomWeb,
    };
    audit::record(
        &state.app.db,
        &actor,
        AuditAction::StudyExported,
        Some(study),
        detail,
    )
    .await;
}

/// Streams the instances' blobs as parts, one at a time.
fn stream_instances(blobs: Blobs, instances: Vec<InstanceRecord>) -> Response {
    let (parts, response) = multipart("application/dicom");
    tokio::spawn(async move {
        for instance in instances {
            let content_type = format!(
                "application/dicom; transfer-syntax={}",
                instance.transfer_syntax
            );
            let size = u64::try_from(instance.size).unwrap_or_default();
            if !parts
                .blob_part(&blobs, &instance.blob_sha, None, &content_type, size)
                .await
            {
                return;
            }
        }
        parts.finish().await;
    });
    response
}

/// Where a metadata request's URL leads to each instance's own resources, for relative
/// `BulkDataURI`s.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum MetadataLevel {
    Study,
    Series,
    Instance,
}

impl MetadataLevel {
    fn of(uids: &PathUids) -> MetadataLevel {
        match (&uids.series, &uids.instance) {
            (_, Some(_)) => MetadataLevel::Instance,
            (Some(_), None) => MetadataLevel::Series,
            _ => MetadataLevel::Study,
        }
    }

    /// The path from `…/metadata` at this level to the instance's resources.
    fn to_instance(self, instance: &InstanceRecord) -> String {
        match self {
            MetadataLevel::Instance => String::new(),
            MetadataLevel::Series => format!("instances/{}/", instance.sop_uid),
            MetadataLevel::Study => format!(
                "series/{}/instances/{}/",
                instance.series_uid, instance.sop_uid
            ),
        }
    }
}

/// The stored data set of a blob as DICOM JSON, read up to (not including) the pixel data,
/// which is linked to the instance's frames.
fn metadata_of(bytes: &[u8], to_instance: String) -> anyhow::Result<Json> {
    let obj = pixels::header(bytes)?;
    let shape = ImageShape::read(&obj);
    let syntax = obj.meta().transfer_syntax();
    let encapsulated = !pixels::web_encoding(syntax).native;
    let links = json::BulkLinks {
        instance: to_instance,
        frames: shape.as_ref().map_or(0, |s| s.frames),
        pixel_vr: match shape {
            Some(s) if !encapsulated && s.bits_allocated > 8 => VR::OW,
            _ => VR::OB,
        },
    };
    Ok(json::instance(&obj, &links))
}

/// `GET .../metadata` at study, series or instance level: each instance's data set as DICOM
/// JSON, with its Transfer Syntax UID and bulk data (pixel data first) as `BulkDataURI`s.
pub(super) async fn metadata(
    State(state): State<ServerState>,
    Path(uids): Path<PathUids>,
) -> Result<Response, Problem> {
    let level = MetadataLevel::of(&uids);
    let instances = scope(&state, uids).await?;
    let blobs = state.app.importer.blobs();
    let mut out = Vec::with_capacity(instances.len());
    for instance in instances {
        let bytes = stored_bytes(blobs, &instance).await?;
        let to_instance = level.to_instance(&instance);
        let data_set = tokio::task::spawn_blocking(move || metadata_of(&bytes, to_instance))
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

/// The whole stored file of `instance`; a missing blob is our fault, not the client's.
pub(super) async fn stored_bytes(
    blobs: &Blobs,
    instance: &InstanceRecord,
) -> Result<Bytes, Problem> {
    blobs
        .bytes(&instance.blob_sha)
        .await
        .map_err(Problem::internal)?
        .ok_or_else(|| Problem::internal(anyhow::anyhow!("blob {} is missing", instance.blob_sha)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record() -> InstanceRecord {
        InstanceRecord {
            study_uid: "2.25.1".into(),
            series_uid: "2.25.2".into(),
            sop_uid: "2.25.3".into(),
            sop_class: String::new(),
            number: None,
            modality: "US".into(),
            blob_sha: String::new(),
            size: 0,
            transfer_syntax: String::new(),
            rows: 1,
            columns: 1,
            frames: 1,
        }
    }

    #[test]
    fn bulk_data_links_are_relative_to_the_metadata_request() {
        let uids = |series: Option<&str>, instance: Option<&str>| PathUids {
            study: Some("2.25.1".into()),
            series: series.map(String::from),
            instance: instance.map(String::from),
        };
        let base = "https://pacs.example/dicom-web/studies/2.25.1/";
        let cases = [
            (uids(None, None), "metadata"),
            (uids(Some("2.25.2"), None), "series/2.25.2/metadata"),
            (
                uids(Some("2.25.2"), Some("2.25.3")),
                "series/2.25.2/instances/2.25.3/metadata",
            ),
        ];
        for (uids, request) in cases {
            let relative = MetadataLevel::of(&uids).to_instance(&record());
            let request = reqwest::Url::parse(base).unwrap().join(request).unwrap();
            assert_eq!(
                request
                    .join(&format!("{relative}frames/1"))
                    .unwrap()
                    .as_str(),
                "https://pacs.example/dicom-web/studies/2.25.1/series/2.25.2/instances/2.25.3/frames/1",
                "{request}"
            );
        }
    }

    #[test]
    fn whole_instances_are_offered_in_their_stored_syntax() {
        let jpeg = dicom_offer(dicom_dictionary_std::uids::JPEG_BASELINE8_BIT);
        let takes = |accept: &str| {
            super::super::accept::Accept::parse(accept)
                .choose(std::slice::from_ref(&jpeg), Offer::fit)
                .is_some()
        };
        assert!(takes("multipart/related; type=application/dicom; q=0.9"));
        assert!(takes("multipart/related; type=\"application/dicom\""));
        assert!(!takes(
            "multipart/related; type=application/dicom; transfer-syntax=1.2.840.10008.1.2.1"
        ));
    }
}
