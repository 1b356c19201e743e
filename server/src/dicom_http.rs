//! DICOM over HTTP: anonymised files at `/dicom/{sha}` (experts: any stored file; others: the
//! clips of published cases and published replays; ETag, Range, revalidated on every use) and uploads into an import job's inbox at
//! `/upload/{job}` (experts; one DICOM file or a zip of them per request, streamed to disk
//! under the size limit, its name in the `x-file-name` header); held files of the quarantine
//! at `/held/{item}` (experts, never cached).
use crate::http::ServerState;
use app::api::guard::SignedIn;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use domain::blobs::{self, GetRange};
use domain::{self, imports};
use futures_util::StreamExt;
use model::{ImportFailure, Permission};
use tokio::io::AsyncWriteExt;

fn plain(status: StatusCode, message: &'static str) -> Response {
    (status, message).into_response()
}

/// Parses a single `bytes=` range against a blob of `size` bytes.
fn parse_range(value: &str, size: u64) -> Option<Result<GetRange, ()>> {
    let spec = value.trim().strip_prefix("bytes=")?;
    if spec.contains(',') {
        // Several ranges: answer with the whole file, as RFC 9110 allows.
        return None;
    }
    let (start, end) = spec.split_once('-')?;
    let (start, end) = (start.trim(), end.trim());
    let range = if start.is_empty() {
        let n: u64 = end.parse().ok()?;
        if n == 0 {
            return Some(Err(()));
        }
        GetRange::Suffix(n)
    } else {
        let start: u64 = start.parse().ok()?;
        if start >= size {
            return Some(Err(()));
        }
        if end.is_empty() {
            GetRange::Offset(start)
        } else {
            let end: u64 = end.parse().ok()?;
            if end < start {
                return None;
            }
            GetRange::Bounded(start..end.min(size - 1) + 1)
        }
    };
    Some(Ok(range))
}

/// `GET /held/{item}`: a file held in the quarantine, still identified, for the expert who
/// marks its image area. Experts only; never cached, never stored by the browser.
pub async fn get_held(
    State(state): State<ServerState>,
    signed_in: SignedIn,
    Path(item): Path<String>,
) -> Response {
    let Ok(Some(user)) = signed_in.user().await else {
        return plain(StatusCode::UNAUTHORIZED, "sign in to fetch held files");
    };
    if !user.may(Permission::CurateStudies) {
        return plain(StatusCode::FORBIDDEN, "your role cannot see held files");
    }
    if item.len() > 64 || !item.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
        return plain(StatusCode::NOT_FOUND, "no such held file");
    }
    match state.app.importer.held_bytes(&item).await {
        Ok(Some(bytes)) => (
            [
                (header::CONTENT_TYPE, "application/dicom"),
                (header::CACHE_CONTROL, "no-store"),
            ],
            bytes,
        )
            .into_response(),
        Ok(None) => plain(StatusCode::NOT_FOUND, "no such held file"),
        Err(e) => {
            domain::internal(e);
            plain(StatusCode::INTERNAL_SERVER_ERROR, "storage error")
        }
    }
}

/// `GET /dicom/{sha}`: an anonymised DICOM file, to whoever may see it.
pub async fn get_blob(
    State(state): State<ServerState>,
    signed_in: SignedIn,
    Path(sha): Path<String>,
    headers: HeaderMap,
) -> Response {
    let app = &state.app;
    let Ok(Some(user)) = signed_in.user().await else {
        return plain(StatusCode::UNAUTHORIZED, "sign in to fetch DICOM files");
    };
    if !blobs::is_sha256(&sha) {
        return plain(StatusCode::NOT_FOUND, "no such file");
    }
    // Experts curate whole studies; everyone else sees only the clips of published cases
    // and published replays.
    let visible = if user.may(Permission::CurateStudies) {
        domain::studies::blob_is_referenced(&app.db, &sha).await
    } else {
        match domain::cases::blob_is_published(&app.db, &sha).await {
            Ok(false) => match domain::replays::clip_is_published(&app.db, &sha).await {
                // A learner's own logbook clips; every logbook clip for coordinators.
                Ok(false) => domain::competency::blob_in_logbook(&app.db, &user, &sha).await,
                other => other,
            },
            other => other,
        }
    };
    match visible {
        Ok(true) => {}
        Ok(false) => return plain(StatusCode::NOT_FOUND, "no such file"),
        Err(e) => {
            domain::internal(e);
            return plain(StatusCode::INTERNAL_SERVER_ERROR, "storage error");
        }
    }
    // Kept, but checked again on every use (a 304 costs a few bytes): a file re-cleaned
    // after release, or a case withdrawn, must not live on in a shared clinic browser.
    let cache = HeaderValue::from_static("private, no-cache");
    serve_blob(
        app.importer.blobs(),
        &sha,
        &headers,
        "application/dicom",
        cache,
    )
    .await
}

/// Answers with a stored blob, whole or the range asked for (while `If-Range` still matches),
/// its SHA-256 as the ETag; 304 when the client has it already. Whoever calls has checked
/// that the user may see it.
pub(crate) async fn serve_blob(
    blobs: &blobs::Blobs,
    sha: &str,
    headers: &HeaderMap,
    content_type: &str,
    cache: HeaderValue,
) -> Response {
    let etag = format!("\"{sha}\"");
    if headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"))
    {
        return (
            StatusCode::NOT_MODIFIED,
            [(header::ETAG, etag.as_str())],
            [(header::CACHE_CONTROL, cache)],
        )
            .into_response();
    }
    let size = match blobs.size(sha).await {
        Ok(Some(size)) => size,
        Ok(None) => return plain(StatusCode::NOT_FOUND, "no such file"),
        Err(e) => {
            domain::internal(e);
            return plain(StatusCode::INTERNAL_SERVER_ERROR, "storage error");
        }
    };
    // A Range only applies while the validator still matches.
    let if_range_ok = headers
        .get(header::IF_RANGE)
        .and_then(|v| v.to_str().ok())
        .is_none_or(|v| v.trim() == etag);
    let range = match headers
        .get(header::RANGE)
        .and_then(|v| v.to_str().ok())
        .filter(|_| if_range_ok)
        .and_then(|v| parse_range(v, size))
    {
        Some(Ok(r)) => Some(r),
        Some(Err(())) => {
            return (
                StatusCode::RANGE_NOT_SATISFIABLE,
                [(header::CONTENT_RANGE, format!("bytes */{size}"))],
            )
                .into_response();
        }
        None => None,
    };
    let partial = range.is_some();
    let read = match blobs.read(sha, range).await {
        Ok(Some(read)) => read,
        Ok(None) => return plain(StatusCode::NOT_FOUND, "no such file"),
        Err(e) => {
            domain::internal(e);
            return plain(StatusCode::INTERNAL_SERVER_ERROR, "storage error");
        }
    };
    let len = read.range.end - read.range.start;
    let mut res = Response::builder()
        .status(if partial {
            StatusCode::PARTIAL_CONTENT
        } else {
            StatusCode::OK
        })
        .header(header::CONTENT_TYPE, content_type)
        .header(header::CONTENT_LENGTH, len)
        .header(header::ETAG, &etag)
        .header(header::ACCEPT_RANGES, "bytes")
        .header(header::CACHE_CONTROL, cache);
    if partial {
        res = res.header(
            header::CONTENT_RANGE,
            format!(
                "bytes {}-{}/{}",
                read.range.start,
                read.range.end.saturating_sub(1),
                read.size
            ),
        );
    }
    let stream = read
        .body
        .into_stream()
        .map(|chunk| chunk.map_err(std::io::Error::other));
    res.body(Body::from_stream(stream))
        .unwrap_or_else(|_| plain(StatusCode::INTERNAL_SERVER_ERROR, "response error"))
}

/// Why an upload request was refused, as JSON the page translates.
fn refused(status: StatusCode, failure: ImportFailure) -> Response {
    (
        status,
        axum::Json(serde_json::json!({ "refused": failure })),
    )
        .into_response()
}

/// The largest zip accepted, and how much it may inflate to in all.
const ZIP_FACTOR: u64 = 4;

/// The header an upload's file name travels in, percent-encoded UTF-8 (`encodeURIComponent`).
/// Not in the URL: request URLs are logged, and a file name may name a patient.
const FILE_NAME_HEADER: &str = "x-file-name";

/// The file name an upload was sent with, decoded and cleaned; `None` when it has none.
fn upload_name(headers: &HeaderMap) -> Option<imports::FileName> {
    let raw = headers.get(FILE_NAME_HEADER)?.to_str().ok()?;
    imports::FileName::parse(&percent_decode(raw))
}

/// Decodes `%XX` escapes as UTF-8 (invalid sequences become U+FFFD); other bytes stay.
fn percent_decode(raw: &str) -> String {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (bytes[i], bytes.get(i + 1), bytes.get(i + 2)) {
            (b'%', Some(&h), Some(&l)) if hex(h).is_some() && hex(l).is_some() => {
                out.push((hex(h).unwrap_or(0) * 16 + hex(l).unwrap_or(0)) as u8);
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `POST /upload/{job}`: one DICOM file, or a zip of them, into an open upload job's inbox,
/// each item named after the file (a zip's entries as `archive.zip › dir/file.dcm`).
/// Answers `{"files": n, "refused": [...]}`.
pub async fn upload(
    State(state): State<ServerState>,
    signed_in: SignedIn,
    Path(job): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let app = &state.app;
    let Ok(Some(user)) = signed_in.user().await else {
        return plain(StatusCode::UNAUTHORIZED, "sign in to upload");
    };
    // Experts import studies; learners upload the clips of their logbook entries (into a job
    // opened for an entry of theirs, which the owner check below holds them to).
    if !user.may(Permission::CurateStudies) && !user.may(Permission::LogScans) {
        return plain(StatusCode::FORBIDDEN, "only experts import studies");
    }
    match imports::job(&app.db, &job).await {
        Ok(Some(j))
            if j.status == model::JobStatus::Receiving
                && j.created_by.as_deref() == Some(user.id.0.as_str()) => {}
        Ok(_) => return plain(StatusCode::NOT_FOUND, "no open upload with this id"),
        Err(e) => {
            domain::internal(e);
            return plain(StatusCode::INTERNAL_SERVER_ERROR, "storage error");
        }
    }
    let importer = &app.importer;
    let name = upload_name(&headers);
    let max = importer.limits().max_instance_bytes;
    let is_zip = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.contains("zip"));
    let limit = if is_zip { max * ZIP_FACTOR } else { max };
    if headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
        .is_some_and(|n| n > limit)
    {
        let failure = ImportFailure::TooLarge(limit / (1024 * 1024));
        let _ = importer.add_refused(&job, &failure, name.as_ref()).await;
        return refused(StatusCode::PAYLOAD_TOO_LARGE, failure);
    }
    // Stream to a part file in the job's inbox; nothing is queued until it is whole. While
    // bytes keep coming, however slowly, the job is not taken for abandoned.
    importer.keep_receiving(&job).await;
    let part = importer.inbox_part(&job);
    let write = async {
        if let Some(dir) = part.parent() {
            tokio::fs::create_dir_all(dir).await?;
        }
        let mut file = tokio::fs::File::create(&part).await?;
        let mut stream = body.into_data_stream();
        let mut total = 0u64;
        let mut kept = std::time::Instant::now();
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(std::io::Error::other)?;
            total += chunk.len() as u64;
            if total > limit {
                return Ok::<Option<u64>, std::io::Error>(None);
            }
            file.write_all(&chunk).await?;
            if kept.elapsed() > std::time::Duration::from_secs(60) {
                importer.keep_receiving(&job).await;
                kept = std::time::Instant::now();
            }
        }
        file.flush().await?;
        Ok(Some(total))
    };
    let written = write.await;
    let cleanup = || async {
        let _ = tokio::fs::remove_file(&part).await;
    };
    match written {
        Ok(Some(_)) => {}
        Ok(None) => {
            cleanup().await;
            let failure = ImportFailure::TooLarge(limit / (1024 * 1024));
            let _ = importer.add_refused(&job, &failure, name.as_ref()).await;
            return refused(StatusCode::PAYLOAD_TOO_LARGE, failure);
        }
        Err(e) => {
            // The browser went away mid-file: nothing of it is kept.
            tracing::warn!(job, error = %e, "upload interrupted");
            cleanup().await;
            return refused(StatusCode::BAD_REQUEST, ImportFailure::Incomplete);
        }
    }
    if !is_zip {
        return match importer.adopt_file(&job, &part, name.as_ref()).await {
            Ok(()) => axum::Json(serde_json::json!({ "files": 1, "refused": [] })).into_response(),
            Err(e) => {
                cleanup().await;
                domain::internal(e);
                refused(StatusCode::INTERNAL_SERVER_ERROR, ImportFailure::Storage)
            }
        };
    }
    let importer2 = importer.clone();
    let job2 = job.clone();
    let part2 = part.clone();
    let zip_name = name.clone();
    let handle = tokio::runtime::Handle::current();
    let result = tokio::task::spawn_blocking(move || {
        let zip = Zip {
            path: &part2,
            name: zip_name.as_ref(),
        };
        unzip_into(&handle, &importer2, &job2, zip, max, max * ZIP_FACTOR)
    })
    .await;
    cleanup().await;
    match result {
        Ok(Ok((files, refusals))) => {
            axum::Json(serde_json::json!({ "files": files, "refused": refusals })).into_response()
        }
        Ok(Err(failure)) => {
            let _ = importer.add_refused(&job, &failure, name.as_ref()).await;
            refused(StatusCode::UNPROCESSABLE_ENTITY, failure)
        }
        Err(e) => {
            domain::internal(e);
            refused(StatusCode::INTERNAL_SERVER_ERROR, ImportFailure::Storage)
        }
    }
}

/// An uploaded zip: where it was spooled and the name it was sent under.
struct Zip<'a> {
    path: &'a std::path::Path,
    name: Option<&'a imports::FileName>,
}

/// Queues every file of a zip, each named by its path inside the zip (`imports::read_zip`
/// reads it). Entries whose path would leave the folder or that are too large are refused by
/// name; a zip that inflates past `max_total` is refused whole.
fn unzip_into(
    rt: &tokio::runtime::Handle,
    importer: &imports::Importer,
    job: &str,
    zip: Zip<'_>,
    max_entry: u64,
    max_total: u64,
) -> Result<(usize, Vec<ImportFailure>), ImportFailure> {
    let file = std::fs::File::open(zip.path).map_err(|_| ImportFailure::Storage)?;
    let mut files = 0;
    let mut refusals = Vec::new();
    imports::read_zip(file, zip.name, max_entry, max_total, |entry| {
        match entry {
            imports::ZipEntry::File { name, bytes } => {
                rt.block_on(importer.add_file(job, &bytes, name.as_ref()))
                    .map_err(|_| ImportFailure::Storage)?;
                files += 1;
            }
            imports::ZipEntry::Refused { name, failure } => {
                rt.block_on(importer.add_refused(job, &failure, name.as_ref()))
                    .map_err(|_| ImportFailure::Storage)?;
                refusals.push(failure);
            }
        }
        Ok(())
    })?;
    Ok((files, refusals))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_travel_percent_encoded_as_utf8() {
        assert_eq!(
            percent_decode("%E9%A2%88%E5%8A%A8%E8%84%89%20%E5%B7%A6.dcm"),
            "颈动脉 左.dcm"
        );
        assert_eq!(percent_decode("100%_sure%2"), "100%_sure%2");
        assert_eq!(percent_decode("%FF.dcm"), "\u{FFFD}.dcm");
        let mut headers = HeaderMap::new();
        assert_eq!(upload_name(&headers), None);
        headers.insert(FILE_NAME_HEADER, HeaderValue::from_static("a%0Ab.dcm"));
        assert_eq!(upload_name(&headers), imports::FileName::parse("a b.dcm"));
    }

    #[test]
    fn ranges_are_read_as_rfc_9110_says() {
        let ok = |v: &str| match parse_range(v, 1000) {
            Some(Ok(r)) => Some(r),
            _ => None,
        };
        assert_eq!(ok("bytes=0-99"), Some(GetRange::Bounded(0..100)));
        assert_eq!(ok("bytes=900-5000"), Some(GetRange::Bounded(900..1000)));
        assert_eq!(ok("bytes=500-"), Some(GetRange::Offset(500)));
        assert_eq!(ok("bytes=-100"), Some(GetRange::Suffix(100)));
        assert!(matches!(parse_range("bytes=1000-", 1000), Some(Err(()))));
        assert!(
            parse_range("bytes=0-1,5-6", 1000).is_none(),
            "several ranges: whole file"
        );
        assert!(parse_range("items=0-1", 1000).is_none());
        assert!(parse_range("bytes=9-2", 1000).is_none());
    }
}
