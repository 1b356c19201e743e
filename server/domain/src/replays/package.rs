//! Replay packages: a zip of `replay.json` (a [`Manifest`]) and the media files it names — the
//! clip (an anonymised DICOM file, or a screen recording) and the voices. Export writes what
//! import reads back.
//!
//! Import refuses a package with a clear field and reason and leaves nothing behind: every
//! file is read (each under its own limit, whatever its zip header claims) and checked first,
//! a DICOM clip anonymised by the same anonymiser as any upload, then the blobs are stored,
//! then the rows in one transaction. A crash between the two leaves only unreferenced blobs,
//! which housekeeping sweeps.
use super::editing::{
    ClipFacts, NewReplay, StoredClip, insert_replay, insert_voices, instance_by, video_frames,
};
use super::library::{timeline_of, visible, voices};
use super::media::{accept, register};
use super::sniff::{MediaKind, Sniffed};
use super::{
    MAX_AUDIO_BYTES, MAX_PACKAGE_BYTES, MAX_VIDEO_BYTES, MAX_VOICES, Voice, checked_summary,
    checked_title, checked_voice, invalid, media_limit, must_curate, refused_at,
};
use crate::audit::{self, Actor};
use crate::blobs::{Blobs, sha256_hex};
use crate::imports::{Cleaned, Importer, InstanceRows, insert_instance};
use crate::{Db, Result, new_id};
use bytes::Bytes;
use model::replay::{
    ClipFile, FORMAT_NAME, FORMAT_VERSION, Limits, Manifest, VoiceFile, parse_manifest, validate,
};
use model::{AuditAction, CurrentUser, ImportFailure, InvalidReason, ReplayId};
use std::io::{Cursor, Read, Seek, Write};

/// The events file every package has at its root.
const MANIFEST: &str = "replay.json";
/// Where refusals inside the events file point.
const IN_MANIFEST: &str = "replay.json:";
/// Largest events file (a four-hour session with a busy pointer stays well below).
const MAX_MANIFEST_BYTES: u64 = 64 * 1024 * 1024;
/// Entries a package may hold (the events file, a clip and the voices, with room to spare).
const MAX_ENTRIES: usize = 64;

/// A package's zip, read under limits: each entry at most its own cap (read with a limit, not
/// trusting the header), all of them together at most [`MAX_PACKAGE_BYTES`].
struct Package<R> {
    archive: zip::ZipArchive<R>,
    /// How much more the package may inflate to.
    budget: u64,
}

impl<R: Read + Seek> Package<R> {
    fn open(mut zip: R) -> Result<Package<R>> {
        if !crate::imports::zip_directory_fits(&mut zip).unwrap_or(false) {
            return Err(invalid("package", InvalidReason::BadFormat));
        }
        let archive =
            zip::ZipArchive::new(zip).map_err(|_| invalid("package", InvalidReason::BadFormat))?;
        if archive.len() > MAX_ENTRIES {
            return Err(invalid("package", InvalidReason::TooLong));
        }
        Ok(Package {
            archive,
            budget: MAX_PACKAGE_BYTES,
        })
    }

    /// The file `name`, refused at its name when missing, damaged or larger than `cap`.
    fn read(&mut self, name: &str, cap: u64) -> Result<Vec<u8>> {
        let mut entry = match self.archive.by_name(name) {
            Ok(entry) if !entry.is_dir() => entry,
            Ok(_) | Err(zip::result::ZipError::FileNotFound) => {
                return Err(invalid(name, InvalidReason::Required));
            }
            Err(_) => return Err(invalid(name, InvalidReason::BadFormat)),
        };
        if entry.size() > cap {
            return Err(invalid(name, InvalidReason::TooLong));
        }
        let mut bytes = Vec::new();
        (&mut entry)
            .take(cap.min(self.budget) + 1)
            .read_to_end(&mut bytes)
            .map_err(|_| invalid(name, InvalidReason::BadFormat))?;
        let size = bytes.len() as u64;
        if size > cap {
            return Err(invalid(name, InvalidReason::TooLong));
        }
        if size > self.budget {
            return Err(invalid("package", InvalidReason::TooLong));
        }
        self.budget -= size;
        Ok(bytes)
    }
}

/// A file name inside the package, as the events file gives it: a relative path that stays
/// inside the package. `at` is its place in the events file.
fn checked_name(at: &str, name: &str) -> Result<()> {
    let safe = !name.is_empty()
        && name.len() <= 255
        && name != MANIFEST
        && !name.starts_with('/')
        && !name.contains(['\\', '\0'])
        && name.split('/').all(|part| !part.is_empty() && part != "..");
    if safe {
        Ok(())
    } else {
        Err(invalid(
            &format!("{IN_MANIFEST}{at}"),
            InvalidReason::BadFormat,
        ))
    }
}

/// The clip of a package, read and sniffed but not yet anonymised or stored.
enum ClipBytes {
    /// A DICOM file in the package.
    Dicom { name: String, bytes: Vec<u8> },
    /// A DICOM clip already in the library.
    Stored { sop_uid: String },
    /// A screen recording.
    Video {
        bytes: Vec<u8>,
        sniffed: Sniffed,
        frame_rate: f64,
    },
}

/// A voice of a package, read and sniffed.
struct VoiceBytes {
    file: VoiceFile,
    speaker: String,
    bytes: Vec<u8>,
    sniffed: Sniffed,
}

/// Everything in a package, read and checked as far as it can be without the database.
pub(crate) struct Unpacked {
    manifest: Manifest,
    title: String,
    summary: String,
    clip: ClipBytes,
    voices: Vec<VoiceBytes>,
}

/// Reads the events file and every file it names (blocking: inflating and sniffing).
pub(crate) fn unpack(zip: &[u8], max_dicom: u64) -> Result<Unpacked> {
    let mut package = Package::open(Cursor::new(zip))?;
    let json = package.read(MANIFEST, MAX_MANIFEST_BYTES)?;
    let manifest = parse_manifest(&json).map_err(|e| refused_at(IN_MANIFEST, e))?;
    let title = checked_title(&format!("{IN_MANIFEST}title"), &manifest.title)?;
    let summary = checked_summary(&format!("{IN_MANIFEST}summary"), &manifest.summary)?;
    if manifest.voices.len() > MAX_VOICES {
        return Err(invalid(
            &format!("{IN_MANIFEST}voices"),
            InvalidReason::TooLong,
        ));
    }
    let clip = match &manifest.clip {
        ClipFile::Dicom {
            file: Some(name), ..
        } => {
            checked_name("clip.file", name)?;
            ClipBytes::Dicom {
                bytes: package.read(name, max_dicom)?,
                name: name.clone(),
            }
        }
        ClipFile::Dicom {
            file: None,
            sop_uid: Some(sop_uid),
        } => ClipBytes::Stored {
            sop_uid: sop_uid.clone(),
        },
        ClipFile::Dicom {
            file: None,
            sop_uid: None,
        } => {
            return Err(invalid(
                &format!("{IN_MANIFEST}clip"),
                InvalidReason::Required,
            ));
        }
        ClipFile::Video { file, frame_rate } => {
            if !(frame_rate.is_finite() && (0.1..=240.0).contains(frame_rate)) {
                let field = format!("{IN_MANIFEST}clip.frame_rate");
                return Err(invalid(&field, InvalidReason::BadFormat));
            }
            checked_name("clip.file", file)?;
            let bytes = package.read(file, MAX_VIDEO_BYTES)?;
            let sniffed = accept(&bytes, file)?;
            if sniffed.kind != MediaKind::Video {
                return Err(invalid(file, InvalidReason::Unsupported));
            }
            ClipBytes::Video {
                bytes,
                sniffed,
                frame_rate: *frame_rate,
            }
        }
    };
    let mut voices = Vec::with_capacity(manifest.voices.len());
    for (i, file) in manifest.voices.iter().enumerate() {
        checked_name(&format!("voices[{i}].file"), &file.file)?;
        let at = format!("{IN_MANIFEST}voices[{i}]");
        let speaker = checked_voice(&at, &file.speaker, file.by, file.offset_ms)?;
        let bytes = package.read(&file.file, MAX_AUDIO_BYTES)?;
        let sniffed = accept(&bytes, &file.file)?;
        if sniffed.kind != MediaKind::Audio {
            return Err(invalid(&file.file, InvalidReason::Unsupported));
        }
        voices.push(VoiceBytes {
            file: file.clone(),
            speaker,
            bytes,
            sniffed,
        });
    }
    Ok(Unpacked {
        manifest,
        title,
        summary,
        clip,
        voices,
    })
}

/// Why a package's DICOM clip was refused, in the terms of a field.
fn reason_of(failure: &ImportFailure) -> InvalidReason {
    match failure {
        ImportFailure::TooLarge(_)
        | ImportFailure::DeflateBomb
        | ImportFailure::TooManyPixels(_) => InvalidReason::TooLong,
        ImportFailure::NotDicom | ImportFailure::NotAnImage | ImportFailure::Unsupported(_) => {
            InvalidReason::Unsupported
        }
        _ => InvalidReason::BadFormat,
    }
}

/// A clip to store once everything is checked.
enum NewClip {
    /// Already in the library (named by UID, or the same anonymised file).
    Nothing,
    Dicom(Box<Cleaned>),
    Video(Vec<u8>, Sniffed),
}

/// The package's clip: what the timeline must fit, and what is still to be stored.
async fn resolve_clip(
    db: &Db,
    importer: &Importer,
    clip: ClipBytes,
) -> Result<(ClipFacts, NewClip)> {
    match clip {
        ClipBytes::Stored { sop_uid } => {
            let found = instance_by(db, "sop_uid", &sop_uid).await?.ok_or_else(|| {
                invalid(
                    &format!("{IN_MANIFEST}clip.sop_uid"),
                    InvalidReason::Unknown,
                )
            })?;
            Ok((found.facts(), NewClip::Nothing))
        }
        ClipBytes::Dicom { name, bytes } => {
            // Byte for byte a file of the library (a package exported here): it is anonymised.
            if let Some(found) = instance_by(db, "blob_sha", &sha256_hex(&bytes)).await? {
                return Ok((found.facts(), NewClip::Nothing));
            }
            let cleaned = importer.anonymise_now(bytes).await?.map_err(|failure| {
                tracing::info!(file = name, ?failure, "package clip refused");
                invalid(&name, reason_of(&failure))
            })?;
            // The same source imported before lands on the same pseudonymous UID.
            if let Some(found) = instance_by(db, "sop_uid", &cleaned.meta.sop_uid).await? {
                return Ok((found.facts(), NewClip::Nothing));
            }
            let meta = &cleaned.meta;
            let facts = ClipFacts {
                frames: Some(meta.frames.max(1)),
                size: (meta.columns > 0 && meta.rows > 0).then_some((meta.columns, meta.rows)),
                media_end: None,
                clip: StoredClip {
                    kind: "dicom",
                    sop_uid: Some(meta.sop_uid.clone()),
                    sha: sha256_hex(&cleaned.bytes),
                    mime: "application/dicom".into(),
                    frame_rate: None,
                },
            };
            Ok((facts, NewClip::Dicom(Box::new(cleaned))))
        }
        ClipBytes::Video {
            bytes,
            sniffed,
            frame_rate,
        } => {
            let facts = ClipFacts {
                frames: video_frames(sniffed.duration_ms, frame_rate),
                size: None,
                media_end: Some(sniffed.duration_ms.map(|d| d as i64)),
                clip: StoredClip {
                    kind: "video",
                    sop_uid: None,
                    sha: sha256_hex(&bytes),
                    mime: sniffed.mime.into(),
                    frame_rate: Some(frame_rate),
                },
            };
            Ok((facts, NewClip::Video(bytes, sniffed)))
        }
    }
}

/// Imports a package as a draft authored by `user` (an expert); see the module header for
/// what is refused and how.
pub async fn import_package(
    db: &Db,
    importer: &Importer,
    user: &CurrentUser,
    zip: Bytes,
) -> Result<ReplayId> {
    must_curate(user)?;
    let max_dicom = importer.limits().max_instance_bytes;
    let Unpacked {
        manifest,
        title,
        summary,
        clip,
        voices: voice_files,
    } = tokio::task::spawn_blocking(move || unpack(&zip, max_dicom)).await??;
    let (facts, new_clip) = resolve_clip(db, importer, clip).await?;
    let mut ends: Vec<Option<i64>> = facts.media_end.into_iter().collect();
    for v in &voice_files {
        let length = v.sniffed.duration_ms.map(|d| d as i64);
        ends.push(length.map(|d| v.file.offset_ms.saturating_add(d)));
    }
    let limits = Limits {
        frames: facts.frames,
        size: facts.size,
        media_ms: media_limit(&ends),
    };
    validate(&manifest.timeline, limits, "timeline").map_err(|e| refused_at(IN_MANIFEST, e))?;

    // Everything is checked: the blobs, then the rows.
    let blobs = importer.blobs();
    let mut media: Vec<(String, Sniffed, u64)> = Vec::new();
    let mut new_instance = None;
    match new_clip {
        NewClip::Nothing => {}
        NewClip::Dicom(mut cleaned) => {
            let bytes = std::mem::take(&mut cleaned.bytes);
            let size = bytes.len() as i64;
            blobs.put(bytes).await?;
            new_instance = Some((cleaned, size));
        }
        NewClip::Video(bytes, sniffed) => {
            let size = bytes.len() as u64;
            media.push((blobs.put(bytes).await?, sniffed, size));
        }
    }
    let mut voices = Vec::with_capacity(voice_files.len());
    for v in voice_files {
        let size = v.bytes.len() as u64;
        let sha = blobs.put(v.bytes).await?;
        voices.push(Voice {
            sha: sha.clone(),
            mime: v.sniffed.mime.into(),
            speaker: v.speaker,
            by: v.file.by,
            offset_ms: v.file.offset_ms,
        });
        media.push((sha, v.sniffed, size));
    }
    let id = ReplayId(new_id());
    let actor = Actor::web(&user.id);
    let mut tx = db.begin_write().await?;
    if let Some((cleaned, size)) = &new_instance {
        let rows = InstanceRows {
            meta: &cleaned.meta,
            patient_key: &cleaned.patient_key,
            sha: &facts.clip.sha,
            size: *size,
            masked_pixels: cleaned.masked_pixels as i64,
            psnr_db: cleaned.reencode_psnr_db,
            job: None,
            created_by: Some(&user.id.0),
        };
        insert_instance(&mut tx, &rows).await?;
        for mask in &cleaned.device_masks_used {
            let detail = serde_json::json!({ "replay": id, "sop_uid": cleaned.meta.sop_uid });
            let action = AuditAction::DeviceMaskUsed;
            audit::record_in(&mut tx, &actor, action, Some(mask), detail).await?;
        }
    }
    for (sha, sniffed, size) in &media {
        register(&mut tx, sha, sniffed, *size, &user.id).await?;
    }
    let new = NewReplay {
        id: id.as_str(),
        title: &title,
        summary: &summary,
        language: &manifest.language,
        author: &user.id,
        clip: &facts.clip,
        case_id: None,
        timeline: &manifest.timeline,
    };
    insert_replay(&mut tx, &new).await?;
    insert_voices(&mut tx, id.as_str(), &voices).await?;
    let detail = serde_json::json!({
        "title": title,
        "clip": facts.clip.kind,
        "sop_uid": facts.clip.sop_uid,
        "voices": voices.len(),
    });
    audit::record_in(
        &mut tx,
        &actor,
        AuditAction::ReplayImported,
        Some(id.as_str()),
        detail,
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// The file extension a media type is written with.
fn extension(mime: &str) -> &'static str {
    match mime {
        "application/dicom" => "dcm",
        "audio/ogg" => "ogg",
        "audio/webm" | "video/webm" => "webm",
        "video/mp4" => "mp4",
        m if m.ends_with("matroska") => "mkv",
        _ => "bin",
    }
}

async fn blob(blobs: &Blobs, sha: &str) -> Result<Bytes> {
    let bytes = blobs.bytes(sha).await?;
    Ok(bytes.ok_or_else(|| anyhow::anyhow!("blob {sha} of a replay is missing"))?)
}

/// The package of a replay `user` may watch: `replay.json` with the clip (`clip.dcm`, or the
/// screen recording) and the voices (`voice-1.ogg`, ...), as [`import_package`] reads it.
pub async fn export_package(
    db: &Db,
    blobs: &Blobs,
    user: &CurrentUser,
    id: &ReplayId,
) -> Result<Vec<u8>> {
    let (_, row) = visible(db, user, id).await?;
    let timeline = timeline_of(&row)?;
    let clip_name = format!("clip.{}", extension(&row.clip_mime));
    let clip = match (row.clip_kind.as_str(), &row.clip_sop_uid) {
        ("dicom", Some(sop_uid)) => ClipFile::Dicom {
            file: Some(clip_name.clone()),
            sop_uid: Some(sop_uid.clone()),
        },
        _ => ClipFile::Video {
            file: clip_name.clone(),
            frame_rate: row.clip_frame_rate.unwrap_or(30.0),
        },
    };
    let mut files = vec![(clip_name, blob(blobs, &row.clip_sha).await?)];
    let mut voice_files = Vec::new();
    for (i, v) in voices(db, &row.id).await?.into_iter().enumerate() {
        let name = format!("voice-{}.{}", i + 1, extension(&v.mime));
        files.push((name.clone(), blob(blobs, &v.media_sha).await?));
        voice_files.push(VoiceFile {
            file: name,
            speaker: v.speaker,
            by: v.participant.clamp(0, 1) as u8,
            offset_ms: v.offset_ms,
        });
    }
    let manifest = Manifest {
        format: FORMAT_NAME.into(),
        version: FORMAT_VERSION,
        title: row.title,
        summary: row.summary,
        language: row.language,
        clip,
        voices: voice_files,
        timeline,
    };
    let json = serde_json::to_vec_pretty(&manifest)?;
    tokio::task::spawn_blocking(move || write_zip(&json, &files)).await?
}

/// The zip of an events file and its media (stored as they are: they are compressed already).
fn write_zip(manifest: &[u8], files: &[(String, Bytes)]) -> Result<Vec<u8>> {
    use zip::write::SimpleFileOptions;
    let zipped = || -> zip::result::ZipResult<Vec<u8>> {
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let deflated =
            SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        let stored =
            SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
        zip.start_file(MANIFEST, deflated)?;
        zip.write_all(manifest)?;
        for (name, bytes) in files {
            zip.start_file(name.as_str(), stored)?;
            zip.write_all(bytes)?;
        }
        Ok(zip.finish()?.into_inner())
    };
    Ok(zipped().map_err(anyhow::Error::from)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refusal(e: crate::Error) -> (String, InvalidReason) {
        match model::AppError::from(e) {
            model::AppError::Invalid { field, reason } => (field, reason),
            other => panic!("{other:?}"),
        }
    }

    fn zip_of(files: &[(&str, &[u8])], method: zip::CompressionMethod) -> Vec<u8> {
        use zip::write::SimpleFileOptions;
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for (name, bytes) in files {
            zip.start_file(
                *name,
                SimpleFileOptions::default().compression_method(method),
            )
            .unwrap();
            zip.write_all(bytes).unwrap();
        }
        zip.finish().unwrap().into_inner()
    }

    #[test]
    fn entries_are_read_under_their_own_limit_whatever_the_header_says() {
        // 8 MiB of zeros deflate to a few KiB: a small package that inflates far past 1 MiB.
        let bomb = vec![0u8; 8 << 20];
        let zip = zip_of(&[("voice.ogg", &bomb)], zip::CompressionMethod::Deflated);
        assert!(zip.len() < 64 << 10);
        let mut package = Package::open(Cursor::new(zip.as_slice())).unwrap();
        assert_eq!(
            refusal(package.read("voice.ogg", 1 << 20).unwrap_err()),
            ("voice.ogg".into(), InvalidReason::TooLong)
        );
        assert_eq!(
            refusal(package.read("missing.ogg", 1 << 20).unwrap_err()),
            ("missing.ogg".into(), InvalidReason::Required)
        );
        // The zip's own size field lies (says 10 bytes): the read limit still holds.
        let mut lying = zip_of(&[("a.bin", &bomb)], zip::CompressionMethod::Deflated);
        for at in 0..lying.len() - 4 {
            if lying[at..at + 4] == (8u32 << 20).to_le_bytes() {
                lying[at..at + 4].copy_from_slice(&10u32.to_le_bytes());
            }
        }
        if let Ok(mut package) = Package::open(Cursor::new(lying.as_slice())) {
            match package.read("a.bin", 1 << 20) {
                Ok(bytes) => assert!(bytes.len() <= 1 << 20),
                Err(e) => assert!(matches!(
                    refusal(e).1,
                    InvalidReason::TooLong | InvalidReason::BadFormat
                )),
            }
        }
        let many: Vec<(String, Vec<u8>)> = (0..=MAX_ENTRIES)
            .map(|i| (format!("f{i}"), vec![1]))
            .collect();
        let many: Vec<(&str, &[u8])> = many
            .iter()
            .map(|(n, b)| (n.as_str(), b.as_slice()))
            .collect();
        let zip = zip_of(&many, zip::CompressionMethod::Stored);
        assert_eq!(
            refusal(Package::open(Cursor::new(zip.as_slice())).err().unwrap()),
            ("package".into(), InvalidReason::TooLong)
        );
        assert_eq!(
            refusal(
                Package::open(Cursor::new(b"not a zip".as_slice()))
                    .err()
                    .unwrap()
            ),
            ("package".into(), InvalidReason::BadFormat)
        );
    }

    #[test]
    fn file_names_stay_inside_the_package() {
        for good in ["clip.dcm", "media/voice-1.ogg"] {
            assert!(checked_name("clip.file", good).is_ok(), "{good}");
        }
        for bad in [
            "",
            "/etc/passwd",
            "../clip.dcm",
            "a//b",
            "a\\b",
            "replay.json",
        ] {
            assert_eq!(
                refusal(checked_name("clip.file", bad).unwrap_err()),
                ("replay.json:clip.file".into(), InvalidReason::BadFormat),
                "{bad}"
            );
        }
    }
}
