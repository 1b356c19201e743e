//! Bulk data (PS3.18 §8.3.5.1, §10.4): `…/instances/{sop}/bulkdata/{tag}`, the top-level
//! binary values over 1 KiB that `/metadata` links instead of inlining (a 16-bit palette, an
//! ICC profile), as uncompressed little endian octets. Pixel Data is served by `frames`.
use super::accept::{Accept, EXPLICIT_LE, Offer};
use super::multipart::multipart;
use super::pixels;
use super::wado::{scope, stored_bytes};
use super::{PathUids, Problem};
use crate::http::ServerState;
use anyhow::Context;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use dicom_core::Tag;

/// The path of a bulk data resource.
#[derive(Debug, serde::Deserialize)]
pub(super) struct BulkPath {
    study: String,
    series: String,
    instance: String,
    tag: String,
}

/// A top-level attribute tag as DICOM JSON writes it: eight hex digits.
fn tag(value: &str) -> Result<Tag, Problem> {
    let bad = || Problem::BadRequest(format!("{value:?} is not a tag (eight hex digits)"));
    if value.len() != 8 || !value.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(bad());
    }
    let group = u16::from_str_radix(&value[..4], 16).map_err(|_| bad())?;
    let element = u16::from_str_radix(&value[4..], 16).map_err(|_| bad())?;
    Ok(Tag(group, element))
}

/// The value of the top-level binary attribute `tag`, as little endian bytes; `None` when
/// the data set has no such attribute or it is not binary.
fn bulk_value(bytes: &[u8], tag: Tag) -> anyhow::Result<Option<Bytes>> {
    let obj = pixels::header(bytes)?;
    let Some(element) = obj.element_opt(tag).context("reading the attribute")? else {
        return Ok(None);
    };
    let binary = matches!(
        element.vr(),
        dicom_core::VR::OB
            | dicom_core::VR::OD
            | dicom_core::VR::OF
            | dicom_core::VR::OL
            | dicom_core::VR::OV
            | dicom_core::VR::OW
            | dicom_core::VR::UN
    );
    match element.value().primitive() {
        Some(value) if binary => Ok(Some(Bytes::copy_from_slice(&value.to_bytes()))),
        _ => Ok(None),
    }
}

/// `GET …/instances/{sop}/bulkdata/{tag}`: the value as one `application/octet-stream` part
/// of `multipart/related`, or alone when the client accepts only `application/octet-stream`.
pub(super) async fn retrieve(
    State(state): State<ServerState>,
    Path(path): Path<BulkPath>,
    headers: HeaderMap,
) -> Result<Response, Problem> {
    let tag = tag(&path.tag)?;
    if tag.group() == 0x7FE0 {
        return Err(Problem::NotFound(
            "pixel data is served at the instance's frames/ resource",
        ));
    }
    let offers: Vec<Offer> = [true, false]
        .into_iter()
        .map(|multipart| Offer {
            multipart,
            media_type: "application/octet-stream",
            syntax: EXPLICIT_LE.into(),
            as_stored: true,
            syntax_by_default: true,
        })
        .collect();
    let chosen = Accept::from_headers(&headers)
        .choose(&offers, Offer::fit)
        .cloned()
        .ok_or_else(|| {
            Problem::NotAcceptable(
                "bulk data is application/octet-stream, alone or in multipart/related".into(),
            )
        })?;
    let uids = PathUids {
        study: Some(path.study),
        series: Some(path.series),
        instance: Some(path.instance),
    };
    let instance = scope(&state, uids)
        .await?
        .into_iter()
        .next()
        .ok_or(Problem::NotFound("no such instance"))?;
    let bytes = stored_bytes(state.app.importer.blobs(), &instance).await?;
    let value = tokio::task::spawn_blocking(move || bulk_value(&bytes, tag))
        .await
        .map_err(Problem::internal)?
        .map_err(Problem::internal)?
        .ok_or(Problem::NotFound("this instance has no such bulk data"))?;
    let content_type = format!("application/octet-stream; transfer-syntax={EXPLICIT_LE}");
    if !chosen.multipart {
        let mut response = value.into_response();
        if let Ok(v) = HeaderValue::from_str(&content_type) {
            response.headers_mut().insert(header::CONTENT_TYPE, v);
        }
        return Ok(response);
    }
    let (parts, response) = multipart("application/octet-stream");
    tokio::spawn(async move {
        if parts.part(&content_type, value).await {
            parts.finish().await;
        }
    });
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_eight_hex_digits() {
        assert_eq!(tag("00281201").unwrap(), Tag(0x0028, 0x1201));
        assert_eq!(tag("7fe00010").unwrap(), Tag(0x7FE0, 0x0010));
        for bad in ["0028120", "002812011", "0028120G", "", "(0028,1201)"] {
            assert!(tag(bad).is_err(), "{bad}");
        }
    }
}
