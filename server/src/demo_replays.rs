//! The demo's guidance replays: three packages in `server/demo/replays/` (voices synthesised
//! once with espeak-ng, chapters, pointer tracks and drawings; one recorded from a live
//! session with two voices), imported through the same package import experts use, over the
//! first clip of a demo library case, then submitted and published by the other expert.
use anyhow::{Context, Result};
use domain::imports::Importer;
use domain::{Db, replays, users};
use model::CurrentUser;
use serde::Deserialize;
use std::io::Write;

/// One entry of `replays.toml`.
#[derive(Debug, Deserialize)]
pub struct DemoReplay {
    pub dir: String,
    /// Title of the demo case whose first clip the replay plays over.
    pub case: String,
    pub author: String,
    pub publisher: String,
    #[serde(default)]
    pub session: bool,
}

#[derive(Debug, Deserialize)]
struct Index {
    replay: Vec<DemoReplay>,
}

/// The files of each demo replay, embedded in the binary.
const FILES: &[(&str, &str, &[u8])] = &[
    (
        "efast-ruq",
        "replay.json",
        include_bytes!("../demo/replays/efast-ruq/replay.json"),
    ),
    (
        "efast-ruq",
        "voice-1.ogg",
        include_bytes!("../demo/replays/efast-ruq/voice-1.ogg"),
    ),
    (
        "efast-ruq",
        "voice-2.ogg",
        include_bytes!("../demo/replays/efast-ruq/voice-2.ogg"),
    ),
    (
        "lung-point",
        "replay.json",
        include_bytes!("../demo/replays/lung-point/replay.json"),
    ),
    (
        "lung-point",
        "voice-1.ogg",
        include_bytes!("../demo/replays/lung-point/voice-1.ogg"),
    ),
    (
        "carotid-plaque",
        "replay.json",
        include_bytes!("../demo/replays/carotid-plaque/replay.json"),
    ),
    (
        "carotid-plaque",
        "voice-1.ogg",
        include_bytes!("../demo/replays/carotid-plaque/voice-1.ogg"),
    ),
];

/// The index of demo replays.
pub fn index() -> Result<Vec<DemoReplay>> {
    let index: Index = toml::from_str(include_str!("../demo/replays/replays.toml"))
        .context("server/demo/replays/replays.toml")?;
    Ok(index.replay)
}

/// The package of one demo replay with its clip named by SOP Instance UID.
pub fn package(dir: &str, sop_uid: &str) -> Result<Vec<u8>> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    let mut found = false;
    for (d, name, bytes) in FILES.iter().filter(|(d, ..)| *d == dir) {
        found = true;
        zip.start_file(*name, stored)?;
        if *name == "replay.json" {
            let mut manifest: serde_json::Value = serde_json::from_slice(bytes)
                .with_context(|| format!("server/demo/replays/{d}/replay.json"))?;
            manifest["clip"] = serde_json::json!({ "kind": "dicom", "sop_uid": sop_uid });
            zip.write_all(&serde_json::to_vec(&manifest)?)?;
        } else {
            zip.write_all(bytes)?;
        }
    }
    anyhow::ensure!(found, "no files for the demo replay {dir}");
    Ok(zip.finish()?.into_inner())
}

/// Seeds the demo replays once the case library is there. Does nothing when any replay exists.
pub async fn seed(db: &Db, importer: &Importer) {
    match run(db, importer).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(replays = n, "demo replays seeded"),
        Err(e) => tracing::warn!(error = format!("{e:#}"), "the demo replays were not seeded"),
    }
}

#[derive(sqlx::FromRow)]
struct Count {
    n: i64,
}

#[derive(sqlx::FromRow)]
struct CaseClip {
    case_id: String,
    sop_uid: String,
}

async fn run(db: &Db, importer: &Importer) -> Result<usize> {
    let Count { n } = sqlx::query_as("SELECT COUNT(*) AS n FROM replays")
        .fetch_one(&db.pool)
        .await?;
    if n > 0 {
        return Ok(0);
    }
    let entries = index()?;
    for entry in &entries {
        // The published title of a revised case may carry more words at its end.
        let clip: Option<CaseClip> = sqlx::query_as(
            "SELECT c.id AS case_id, i.sop_uid FROM cases c JOIN instances i ON i.study_uid = c.study_uid \
             WHERE c.status = 'published' AND (c.title = $1 OR c.title LIKE $2) \
             ORDER BY i.number, i.sop_uid LIMIT 1",
        )
        .bind(&entry.case)
        .bind(format!("{}%", entry.case.replace('%', "")))
        .fetch_optional(&db.pool)
        .await?;
        let clip = clip.with_context(|| format!("no published demo case {:?}", entry.case))?;
        let author = person(db, &entry.author).await?;
        let publisher = person(db, &entry.publisher).await?;
        let bytes = package(&entry.dir, &clip.sop_uid)?;
        let id = replays::import_package(db, importer, &author, bytes.into())
            .await
            .with_context(|| format!("importing the demo replay {}", entry.dir))?;
        // A package names no library case; the demo's belong to the case of their clip.
        sqlx::query("UPDATE replays SET case_id = $1 WHERE id = $2")
            .bind(&clip.case_id)
            .bind(id.as_str())
            .execute(&db.pool)
            .await?;
        replays::transition(db, &author, &id, "submit").await?;
        replays::transition(db, &publisher, &id, "publish").await?;
        if entry.session {
            sqlx::query("UPDATE replays SET session_id = $1 WHERE id = $2")
                .bind(format!("demo-{}", entry.dir))
                .bind(id.as_str())
                .execute(&db.pool)
                .await?;
        }
    }
    Ok(entries.len())
}

async fn person(db: &Db, username: &str) -> Result<CurrentUser> {
    let credentials = users::credentials(db, username)
        .await?
        .with_context(|| format!("the demo account {username} is missing"))?;
    users::current(db, &credentials.id)
        .await?
        .with_context(|| format!("the demo account {username} is inactive"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_demo_replay_is_a_valid_package_over_a_640_by_480_clip() {
        let entries = index().expect("replays.toml");
        assert!(entries.len() >= 3);
        assert!(entries.iter().any(|e| e.session), "one live-session replay");
        let mut languages = std::collections::BTreeSet::new();
        for entry in &entries {
            let (_, _, json) = FILES
                .iter()
                .find(|(d, n, _)| *d == entry.dir && *n == "replay.json")
                .expect("replay.json");
            let m = model::replay::parse_manifest(json)
                .unwrap_or_else(|e| panic!("{}/replay.json: {e:?}", entry.dir));
            languages.insert(m.language.clone());
            let limits = model::replay::Limits {
                frames: Some(28),
                size: Some((640, 480)),
                media_ms: Some(m.timeline.duration_ms),
            };
            model::replay::validate(&m.timeline, limits, "timeline")
                .unwrap_or_else(|e| panic!("{}/replay.json: {e:?}", entry.dir));
            assert!(
                m.timeline.chapters().len() >= 3,
                "{} has chapters",
                entry.dir
            );
            assert!(
                m.timeline.drawing_times().len() >= 2,
                "{} has drawings",
                entry.dir
            );
            let voices = if entry.session { 2 } else { 1 };
            assert_eq!(m.voices.len(), voices, "{}", entry.dir);
            for v in &m.voices {
                let (_, _, bytes) = FILES
                    .iter()
                    .find(|(d, n, _)| *d == entry.dir && *n == v.file)
                    .unwrap_or_else(|| panic!("{}/{} is embedded", entry.dir, v.file));
                assert!(bytes.starts_with(b"OggS"), "{} is Ogg", v.file);
                assert!(bytes.len() < 150_000, "{} stays small", v.file);
            }
            package(&entry.dir, "2.25.1").expect("the package zips");
        }
        assert_eq!(languages.into_iter().collect::<Vec<_>>(), ["en", "zh"]);
    }
}
