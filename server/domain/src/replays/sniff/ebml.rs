//! A small EBML walker for WebM and Matroska: the document type, each track's codec and how
//! long the file plays. The length is the segment's Duration when it has one; a browser's
//! MediaRecorder writes none (it streams with clusters of unknown size), so otherwise it is
//! the last block's time: its cluster's timestamp plus the block's own offset (plus the
//! block's duration when a block group gives it). Only element headers are read; no frame is
//! decoded. Sizes past the end of the bytes are cut to what is there (a recording cut short
//! still tells how far it got).

/// The EBML header's element ID, the first four bytes of every WebM and Matroska file.
pub const EBML_MAGIC: [u8; 4] = [0x1A, 0x45, 0xDF, 0xA3];

const EBML: u32 = 0x1A45_DFA3;
const DOC_TYPE: u32 = 0x4282;
const SEGMENT: u32 = 0x1853_8067;
const SEEK_HEAD: u32 = 0x114D_9B74;
const INFO: u32 = 0x1549_A966;
const TIMESTAMP_SCALE: u32 = 0x2A_D7B1;
const DURATION: u32 = 0x4489;
const TRACKS: u32 = 0x1654_AE6B;
const TRACK_ENTRY: u32 = 0xAE;
const CODEC_ID: u32 = 0x86;
const CLUSTER: u32 = 0x1F43_B675;
const CLUSTER_TIMESTAMP: u32 = 0xE7;
const SIMPLE_BLOCK: u32 = 0xA3;
const BLOCK_GROUP: u32 = 0xA0;
const BLOCK: u32 = 0xA1;
const BLOCK_DURATION: u32 = 0x9B;
const CUES: u32 = 0x1C53_BB6B;
const ATTACHMENTS: u32 = 0x1941_A469;
const CHAPTERS: u32 = 0x1043_A770;
const TAGS: u32 = 0x1254_C367;

/// The elements that sit beside clusters in a segment: one of them ends a cluster of unknown
/// size.
const SEGMENT_CHILDREN: [u32; 8] = [
    SEEK_HEAD,
    INFO,
    TRACKS,
    CLUSTER,
    CUES,
    ATTACHMENTS,
    CHAPTERS,
    TAGS,
];

/// Nanoseconds per timestamp tick when the file does not say (Matroska's default).
const DEFAULT_SCALE_NS: u64 = 1_000_000;

/// What a WebM or Matroska file says about itself.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WebmInfo {
    /// `webm` or `matroska` (Matroska's default when absent).
    pub doc_type: String,
    /// Each track's CodecID, e.g. `A_OPUS`, `V_VP9` (empty for a track that names none).
    pub codecs: Vec<String>,
    pub duration_ms: Option<u64>,
}

/// An element header: its ID and where its data lies. `end` is `None` for an element of
/// unknown size (it runs until something that cannot be its child).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Element {
    id: u32,
    data: usize,
    end: Option<usize>,
}

/// The element ID at `pos` (1 to 4 bytes, its length marker kept) and its length.
fn read_id(buf: &[u8], pos: usize) -> Option<(u32, usize)> {
    let first = *buf.get(pos)?;
    let len = first.leading_zeros() as usize + 1;
    if len > 4 {
        return None;
    }
    let bytes = buf.get(pos..pos + len)?;
    Some((
        bytes.iter().fold(0u32, |v, b| (v << 8) | u32::from(*b)),
        len,
    ))
}

/// The size at `pos` (a variable-length integer of 1 to 8 bytes, its marker removed), its
/// length, and whether it is the reserved all-ones value that means "unknown".
fn read_size(buf: &[u8], pos: usize) -> Option<(u64, usize, bool)> {
    let first = *buf.get(pos)?;
    if first == 0 {
        return None;
    }
    let len = first.leading_zeros() as usize + 1;
    let bytes = buf.get(pos..pos + len)?;
    let value = bytes[1..]
        .iter()
        .fold(u64::from(first) & (0xFF >> len), |v, b| {
            (v << 8) | u64::from(*b)
        });
    let unknown = value == (1u64 << (7 * len)) - 1;
    Some((value, len, unknown))
}

/// The element header at `pos`, its data cut to the end of `buf`.
fn header(buf: &[u8], pos: usize) -> Option<Element> {
    let (id, id_len) = read_id(buf, pos)?;
    let (size, size_len, unknown) = read_size(buf, pos + id_len)?;
    let data = pos + id_len + size_len;
    let end = (!unknown).then(|| {
        usize::try_from(size)
            .ok()
            .and_then(|s| data.checked_add(s))
            .map_or(buf.len(), |e| e.min(buf.len()))
    });
    Some(Element { id, data, end })
}

/// The children of known size between `pos` and `end`; stops at one of unknown size or at
/// bytes that are not an element header.
struct Children<'a> {
    buf: &'a [u8],
    pos: usize,
    end: usize,
}

impl<'a> Children<'a> {
    fn of(buf: &'a [u8], parent: &Element, outer_end: usize) -> Children<'a> {
        Children {
            buf,
            pos: parent.data,
            end: parent.end.unwrap_or(outer_end),
        }
    }
}

impl Iterator for Children<'_> {
    /// The child and its data.
    type Item = (u32, std::ops::Range<usize>);

    fn next(&mut self) -> Option<Self::Item> {
        if self.pos >= self.end {
            return None;
        }
        let e = header(self.buf, self.pos)?;
        let end = e.end?.min(self.end);
        // Every header is at least two bytes long, so the walk always moves on.
        self.pos = end.max(self.pos + 1);
        Some((e.id, e.data.min(end)..end))
    }
}

/// A big-endian unsigned integer of up to 8 bytes.
fn uint(bytes: &[u8]) -> Option<u64> {
    (bytes.len() <= 8).then(|| bytes.iter().fold(0u64, |v, b| (v << 8) | u64::from(*b)))
}

/// A 4- or 8-byte big-endian float (0 bytes: zero).
fn float(bytes: &[u8]) -> Option<f64> {
    match bytes.len() {
        0 => Some(0.0),
        4 => Some(f64::from(f32::from_be_bytes(bytes.try_into().ok()?))),
        8 => Some(f64::from_be_bytes(bytes.try_into().ok()?)),
        _ => None,
    }
}

/// ASCII text, without the zero padding EBML allows.
fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes)
        .trim_end_matches('\0')
        .to_string()
}

/// A block's time relative to its cluster: after the track number (a variable-length
/// integer), a signed 16-bit offset.
fn block_offset(data: &[u8]) -> Option<i64> {
    let (_, len, _) = read_size(data, 0)?;
    let offset = data.get(len..len + 2)?;
    Some(i64::from(i16::from_be_bytes([offset[0], offset[1]])))
}

/// Reads a WebM or Matroska file's document type, codecs and length; `None` when it does not
/// start with an EBML header followed by a segment.
pub fn read(buf: &[u8]) -> Option<WebmInfo> {
    let head = header(buf, 0)?;
    if head.id != EBML {
        return None;
    }
    let head_end = head.end?;
    let mut info = WebmInfo {
        doc_type: "matroska".into(),
        ..WebmInfo::default()
    };
    for (id, data) in Children::of(buf, &head, head_end) {
        if id == DOC_TYPE {
            info.doc_type = text(&buf[data]);
        }
    }
    // The segment follows, perhaps after padding.
    let mut pos = head_end;
    let segment = loop {
        let e = header(buf, pos)?;
        if e.id == SEGMENT {
            break e;
        }
        pos = e.end?;
    };
    let seg_end = segment.end.unwrap_or(buf.len());
    let mut scale_ns = DEFAULT_SCALE_NS;
    let mut duration_ticks: Option<f64> = None;
    let mut last_tick: Option<u64> = None;
    let mut pos = segment.data;
    while pos < seg_end {
        let Some(e) = header(buf, pos) else { break };
        match e.id {
            INFO => {
                for (id, data) in Children::of(buf, &e, seg_end) {
                    match id {
                        TIMESTAMP_SCALE => {
                            scale_ns = uint(&buf[data]).filter(|s| *s > 0).unwrap_or(scale_ns);
                        }
                        DURATION => {
                            duration_ticks =
                                float(&buf[data]).filter(|d| d.is_finite() && *d > 0.0);
                        }
                        _ => {}
                    }
                }
            }
            TRACKS => {
                for (id, entry) in Children::of(buf, &e, seg_end) {
                    if id != TRACK_ENTRY {
                        continue;
                    }
                    let track = Element {
                        id,
                        data: entry.start,
                        end: Some(entry.end),
                    };
                    let codec = Children::of(buf, &track, entry.end)
                        .find(|(id, _)| *id == CODEC_ID)
                        .map(|(_, data)| text(&buf[data]))
                        .unwrap_or_default();
                    info.codecs.push(codec);
                }
            }
            CLUSTER => {
                pos = cluster(buf, &e, seg_end, &mut last_tick);
                continue;
            }
            _ => {}
        }
        match e.end {
            Some(end) => pos = end,
            // An element of unknown size that is not a cluster: nothing more can be read.
            None => break,
        }
    }
    info.duration_ms = match duration_ticks {
        Some(ticks) => Some((ticks * scale_ns as f64 / 1e6).round() as u64),
        None => last_tick.map(|t| (u128::from(t) * u128::from(scale_ns) / 1_000_000) as u64),
    };
    Some(info)
}

/// Reads the block times of one cluster into `last_tick` (the latest block end seen, in
/// timestamp ticks); returns where the segment's next element starts.
fn cluster(buf: &[u8], cluster: &Element, seg_end: usize, last_tick: &mut Option<u64>) -> usize {
    let end = cluster.end.unwrap_or(seg_end);
    let mut base: i64 = 0;
    let mut note = |offset: i64, duration: u64, base: i64| {
        let tick = (base + offset).max(0) as u64 + duration;
        *last_tick = Some(last_tick.map_or(tick, |t| t.max(tick)));
    };
    let mut pos = cluster.data;
    while pos < end {
        let Some(e) = header(buf, pos) else {
            return end;
        };
        // A cluster of unknown size ends where the next cluster (or cues, tags...) begins.
        if cluster.end.is_none() && SEGMENT_CHILDREN.contains(&e.id) {
            return pos;
        }
        let Some(e_end) = e.end.map(|x| x.min(end)) else {
            return end;
        };
        let data = &buf[e.data.min(e_end)..e_end];
        match e.id {
            CLUSTER_TIMESTAMP => {
                base = uint(data).and_then(|t| i64::try_from(t).ok()).unwrap_or(0);
            }
            SIMPLE_BLOCK => {
                if let Some(offset) = block_offset(data) {
                    note(offset, 0, base);
                }
            }
            BLOCK_GROUP => {
                let mut offset = None;
                let mut duration = 0;
                for (id, range) in Children::of(buf, &e, e_end) {
                    match id {
                        BLOCK => offset = block_offset(&buf[range]),
                        BLOCK_DURATION => duration = uint(&buf[range]).unwrap_or(0),
                        _ => {}
                    }
                }
                if let Some(offset) = offset {
                    note(offset, duration, base);
                }
            }
            _ => {}
        }
        pos = e_end.max(pos + 1);
    }
    end
}
