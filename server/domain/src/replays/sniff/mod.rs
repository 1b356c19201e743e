//! What a media file is, read from its bytes and never from the name or header it came with:
//! WebM/Matroska (Opus or Vorbis audio; VP8, VP9, AV1 or H.264 video), Opus in Ogg, or MP4
//! video, and how long it plays where the container says so without decoding a frame.
mod ebml;
mod mp4;
mod ogg;

#[cfg(test)]
mod tests;

pub use ebml::WebmInfo;

/// Audio (a voice) or video (a screen recording used as a replay's clip).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MediaKind {
    Audio,
    Video,
}

/// A media file this server accepts, as sniffed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sniffed {
    pub kind: MediaKind,
    /// What it is served as.
    pub mime: &'static str,
    /// How long it plays, when the container tells without decoding.
    pub duration_ms: Option<u64>,
}

/// Why a file is not accepted: not a container we read, or a codec browsers cannot play.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Not WebM/Matroska, Ogg Opus or MP4, or too damaged to tell.
    UnknownContainer,
    /// A known container with a track no browser plays (or no track at all).
    UnsupportedCodec,
}

/// Audio codecs a voice may use in WebM/Matroska.
const AUDIO_CODECS: [&str; 2] = ["A_OPUS", "A_VORBIS"];
/// Video codecs a screen recording may use in WebM/Matroska.
const VIDEO_CODECS: [&str; 4] = ["V_VP8", "V_VP9", "V_AV1", "V_MPEG4/ISO/AVC"];

/// Reads what `bytes` are by their magic numbers and container structure.
pub fn sniff(bytes: &[u8]) -> Result<Sniffed, Refusal> {
    if bytes.starts_with(&ebml::EBML_MAGIC) {
        let info = ebml::read(bytes).ok_or(Refusal::UnknownContainer)?;
        return webm(&info);
    }
    if bytes.starts_with(b"OggS") {
        let info = ogg::read(bytes).ok_or(Refusal::UnknownContainer)?;
        if !info.opus {
            return Err(Refusal::UnsupportedCodec);
        }
        return Ok(Sniffed {
            kind: MediaKind::Audio,
            mime: "audio/ogg",
            duration_ms: info.duration_ms,
        });
    }
    if bytes.get(4..8) == Some(b"ftyp") {
        let duration_ms = mp4::duration_ms(bytes).map_err(|()| Refusal::UnknownContainer)?;
        return Ok(Sniffed {
            kind: MediaKind::Video,
            mime: "video/mp4",
            duration_ms,
        });
    }
    Err(Refusal::UnknownContainer)
}

/// A WebM or Matroska file: video if it has a video track, audio if only audio; refused when
/// any track's codec is not one browsers play.
fn webm(info: &WebmInfo) -> Result<Sniffed, Refusal> {
    let matroska = match info.doc_type.as_str() {
        "webm" => false,
        "matroska" => true,
        _ => return Err(Refusal::UnknownContainer),
    };
    if info.codecs.is_empty() {
        return Err(Refusal::UnsupportedCodec);
    }
    let mut video = false;
    for codec in &info.codecs {
        if VIDEO_CODECS.contains(&codec.as_str()) {
            video = true;
        } else if !AUDIO_CODECS.contains(&codec.as_str()) {
            return Err(Refusal::UnsupportedCodec);
        }
    }
    let (kind, mime) = match (video, matroska) {
        (true, false) => (MediaKind::Video, "video/webm"),
        (true, true) => (MediaKind::Video, "video/x-matroska"),
        (false, false) => (MediaKind::Audio, "audio/webm"),
        (false, true) => (MediaKind::Audio, "audio/x-matroska"),
    };
    Ok(Sniffed {
        kind,
        mime,
        duration_ms: info.duration_ms,
    })
}
