//! Uploaded media: voices (Opus in WebM or Ogg) and screen recordings (WebM or MP4), taken
//! for what their bytes are, stored in the blob store and registered in `replay_media` with
//! their type and length.
use super::sniff::{self, MediaKind, Sniffed};
use super::{MAX_AUDIO_BYTES, MAX_VIDEO_BYTES, invalid, must_curate};
use crate::blobs::Blobs;
use crate::{Db, Result, now};
use model::replay::MediaUpload;
use model::{CurrentUser, InvalidReason, UserId};
use sqlx::AnyConnection;

/// The largest file of a kind.
pub(super) fn cap(kind: MediaKind) -> u64 {
    match kind {
        MediaKind::Audio => MAX_AUDIO_BYTES,
        MediaKind::Video => MAX_VIDEO_BYTES,
    }
}

/// What `bytes` are, or why they are refused at `field`: too large for any media, not a
/// container and codec browsers play, or too large for their kind.
pub(super) fn accept(bytes: &[u8], field: &str) -> Result<Sniffed> {
    let size = bytes.len() as u64;
    if size > MAX_VIDEO_BYTES {
        return Err(invalid(field, InvalidReason::TooLong));
    }
    let sniffed = sniff::sniff(bytes).map_err(|refusal| {
        tracing::info!(field, ?refusal, "media refused");
        invalid(field, InvalidReason::Unsupported)
    })?;
    if size > cap(sniffed.kind) {
        return Err(invalid(field, InvalidReason::TooLong));
    }
    Ok(sniffed)
}

/// [`accept`] off the async threads (a screen recording's clusters are walked one by one).
pub(super) async fn accept_blocking(bytes: Vec<u8>, field: String) -> Result<(Vec<u8>, Sniffed)> {
    tokio::task::spawn_blocking(move || {
        let sniffed = accept(&bytes, &field)?;
        Ok((bytes, sniffed))
    })
    .await?
}

/// Registers a stored media blob (once: the same bytes uploaded again keep the first entry).
pub(super) async fn register(
    conn: &mut AnyConnection,
    sha: &str,
    sniffed: &Sniffed,
    size: u64,
    by: &UserId,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO replay_media (sha, mime, bytes, duration_ms, uploaded_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (sha) DO NOTHING",
    )
    .bind(sha)
    .bind(sniffed.mime)
    .bind(size as i64)
    .bind(sniffed.duration_ms.map(|d| d as i64))
    .bind(&by.0)
    .bind(now())
    .execute(conn)
    .await?;
    Ok(())
}

/// A registered media file.
#[derive(sqlx::FromRow)]
pub(super) struct MediaRow {
    pub mime: String,
    pub duration_ms: Option<i64>,
}

pub(super) async fn media(db: &Db, sha: &str) -> Result<Option<MediaRow>> {
    let row = sqlx::query_as("SELECT mime, duration_ms FROM replay_media WHERE sha = $1")
        .bind(sha)
        .fetch_optional(&db.pool)
        .await?;
    Ok(row)
}

/// Takes one uploaded voice or screen recording from an expert. `declared_mime` (the
/// request's Content-Type) is only a hint for the log: the type is read from the bytes.
pub async fn put_media(
    db: &Db,
    blobs: &Blobs,
    user: &CurrentUser,
    declared_mime: Option<&str>,
    bytes: Vec<u8>,
) -> Result<MediaUpload> {
    must_curate(user)?;
    let (bytes, sniffed) = accept_blocking(bytes, "media".into()).await?;
    if declared_mime.is_some_and(|d| !d.starts_with(sniffed.mime)) {
        tracing::debug!(
            declared = declared_mime,
            sniffed = sniffed.mime,
            "media sent under another type"
        );
    }
    let size = bytes.len() as u64;
    let sha = blobs.put(bytes).await?;
    let mut conn = db.pool.acquire().await?;
    register(&mut conn, &sha, &sniffed, size, &user.id).await?;
    Ok(MediaUpload {
        media: sha,
        mime: sniffed.mime.to_string(),
        bytes: size,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const VOICE_OGG: &[u8] = include_bytes!("../../../tests/data/voice.ogg");

    fn reason(e: crate::Error) -> (String, InvalidReason) {
        match model::AppError::from(e) {
            model::AppError::Invalid { field, reason } => (field, reason),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_voice_is_capped_at_64_mib_and_anything_at_512() {
        assert_eq!(cap(MediaKind::Audio), 64 << 20);
        assert_eq!(cap(MediaKind::Video), 512 << 20);
        // A real voice, padded past the audio cap: still Ogg Opus, so too long.
        let mut big = VOICE_OGG.to_vec();
        big.resize((64 << 20) + 1, 0);
        assert_eq!(
            reason(accept(&big, "voice.ogg").unwrap_err()),
            ("voice.ogg".into(), InvalidReason::TooLong)
        );
        assert_eq!(accept(VOICE_OGG, "media").unwrap().kind, MediaKind::Audio);
        assert_eq!(
            reason(accept(b"RIFF....WAVEfmt ", "media").unwrap_err()),
            ("media".into(), InvalidReason::Unsupported)
        );
    }
}
