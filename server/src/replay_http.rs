//! Replay files over HTTP, for what a server function cannot carry: a media upload
//! (`POST /replays/media`, a voice or screen recording as the raw body, its type read from
//! the bytes), a replay's media (`GET /replays/{id}/media/{sha}`, with Range, private), a
//! package import (`POST /replays/import`, a zip as the raw body, answered with `{"id": ...}`)
//! and export (`GET /replays/{id}/package`). Refusals answer with the `AppError` as JSON and
//! its status, as server functions do; whoever may not see a replay finds no such replay.
use crate::dicom_http::serve_blob;
use crate::http::ServerState;
use app::api::guard::SignedIn;
use axum::Json;
use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use domain::blobs::is_sha256;
use domain::replays::{self, MAX_PACKAGE_BYTES, MAX_VIDEO_BYTES};
use futures_util::StreamExt;
use model::{AppError, CurrentUser, InvalidReason, Permission, ReplayId};

/// An error as the browser reads it: its status and the `AppError` as JSON.
fn failed(err: AppError) -> Response {
    (err.status(), Json(err)).into_response()
}

/// A domain error, logged once if it is ours.
fn domain_failed(err: domain::Error) -> Response {
    let err = AppError::from(err);
    // A file past its kind's limit is a payload too large, however it was found out.
    if let AppError::Invalid {
        reason: InvalidReason::TooLong,
        field,
    } = &err
        && matches!(field.as_str(), "media" | "package")
    {
        return (StatusCode::PAYLOAD_TOO_LARGE, Json(err)).into_response();
    }
    failed(err)
}

/// The body of a request, refused past `cap` bytes (by its Content-Length at once, or as it
/// arrives) with 413 and `field` too long.
async fn body_under(
    headers: &HeaderMap,
    body: Body,
    cap: u64,
    field: &str,
) -> Result<Bytes, Response> {
    let too_large = || {
        let err = AppError::invalid(field, InvalidReason::TooLong);
        (StatusCode::PAYLOAD_TOO_LARGE, Json(err)).into_response()
    };
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > cap) {
        return Err(too_large());
    }
    let mut bytes = Vec::with_capacity(declared.unwrap_or(0) as usize);
    let mut stream = body.into_data_stream();
    while let Some(chunk) = stream.next().await {
        let Ok(chunk) = chunk else {
            // The client went away mid-file: nothing of it is kept.
            let err = AppError::invalid(field, InvalidReason::BadFormat);
            return Err((StatusCode::BAD_REQUEST, Json(err)).into_response());
        };
        if (bytes.len() + chunk.len()) as u64 > cap {
            return Err(too_large());
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(Bytes::from(bytes))
}

/// The signed-in user, or the refusal to answer with.
async fn user(signed_in: &SignedIn) -> Result<CurrentUser, Response> {
    match signed_in.user().await {
        Ok(Some(user)) => Ok(user),
        Ok(None) => Err(failed(AppError::Unauthenticated)),
        Err(e) => Err(failed(e)),
    }
}

/// `POST /replays/media`: one voice or screen recording (experts). The Content-Type is only a
/// hint; answers the `MediaUpload` (its media id is the blob's SHA-256).
pub async fn upload_media(
    State(state): State<ServerState>,
    signed_in: SignedIn,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let user = match signed_in.who_may(Permission::RecordReplays).await {
        Ok(user) => user,
        Err(e) => return failed(e),
    };
    let bytes = match body_under(&headers, body, MAX_VIDEO_BYTES, "media").await {
        Ok(bytes) => bytes,
        Err(refused) => return refused,
    };
    let declared = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    let app = &state.app;
    match replays::put_media(&app.db, app.importer.blobs(), &user, declared, bytes.into()).await {
        Ok(upload) => Json(upload).into_response(),
        Err(e) => domain_failed(e),
    }
}

/// `GET /replays/{id}/media/{sha}`: a voice or the screen recording of a replay the user may
/// watch, served as the type it was sniffed as.
pub async fn get_media(
    State(state): State<ServerState>,
    signed_in: SignedIn,
    Path((id, sha)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let user = match user(&signed_in).await {
        Ok(user) => user,
        Err(refused) => return refused,
    };
    let id = match ReplayId::from_path(&id) {
        Ok(id) => id,
        Err(e) => return failed(e),
    };
    if !is_sha256(&sha) {
        return failed(AppError::NotFound("media".into()));
    }
    let app = &state.app;
    let media = match replays::media_for(&app.db, &user, &id, &sha).await {
        Ok(media) => media,
        Err(e) => return domain_failed(e),
    };
    // Private: who may fetch it can change (a draft is published, a replay retired).
    let cache = HeaderValue::from_static("private");
    serve_blob(
        app.importer.blobs(),
        &media.sha,
        &headers,
        &media.mime,
        cache,
    )
    .await
}

/// `POST /replays/import`: a replay package (zip) as a new draft of the expert who sends it.
pub async fn import(
    State(state): State<ServerState>,
    signed_in: SignedIn,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let user = match signed_in.who_may(Permission::RecordReplays).await {
        Ok(user) => user,
        Err(e) => return failed(e),
    };
    let zip = match body_under(&headers, body, MAX_PACKAGE_BYTES, "package").await {
        Ok(bytes) => bytes,
        Err(refused) => return refused,
    };
    let app = &state.app;
    match replays::import_package(&app.db, &app.importer, &user, zip).await {
        Ok(id) => Json(serde_json::json!({ "id": id })).into_response(),
        Err(e) => domain_failed(e),
    }
}

/// `GET /replays/{id}/package`: the package of a replay the user may watch, as a download.
pub async fn export(
    State(state): State<ServerState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
) -> Response {
    let user = match user(&signed_in).await {
        Ok(user) => user,
        Err(refused) => return refused,
    };
    let id = match ReplayId::from_path(&id) {
        Ok(id) => id,
        Err(e) => return failed(e),
    };
    let app = &state.app;
    match replays::export_package(&app.db, app.importer.blobs(), &user, &id).await {
        Ok(zip) => (
            [
                (header::CONTENT_TYPE, "application/zip".to_string()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"replay-{id}.zip\""),
                ),
                (header::CACHE_CONTROL, "private, no-store".to_string()),
            ],
            zip,
        )
            .into_response(),
        Err(e) => domain_failed(e),
    }
}

/// True for the file routes under `/replays/` (they answer 401 themselves, not with a
/// redirect to the sign-in page): `/replays/{id}/media/{sha}` and `/replays/{id}/package`.
pub fn is_file_path(path: &str) -> bool {
    let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    matches!(
        parts.as_slice(),
        ["replays", "media" | "import"] | ["replays", _, "media", _] | ["replays", _, "package"]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_routes_are_told_from_pages() {
        assert!(is_file_path(
            "/replays/0190c1c2-0000-7000-8000-000000000001/package"
        ));
        assert!(is_file_path("/replays/x/media/abc"));
        assert!(is_file_path("/replays/media"));
        assert!(!is_file_path("/replays"));
        assert!(!is_file_path(
            "/replays/0190c1c2-0000-7000-8000-000000000001"
        ));
        assert!(!is_file_path("/replays/x/edit"));
    }
}
