//! Writes the duration into a MediaRecorder WebM file. The recorder streams its file and never
//! goes back to say how long it is, so players show no length and some will not seek; the
//! exported video gets a `Duration` in its segment's `Info` before it is offered. Pure, so it
//! is tested natively.

const EBML: u32 = 0x1A45_DFA3;
const SEGMENT: u32 = 0x1853_8067;
const INFO: u32 = 0x1549_A966;
const TIMECODE_SCALE: u32 = 0x2A_D7B1;
const DURATION: u32 = 0x4489;
/// Nanoseconds per timecode unit when the file does not say (Matroska's default).
const DEFAULT_SCALE: u64 = 1_000_000;

/// An element header: its id, where its data starts and how long it is (`None`: unknown,
/// running to the end of its parent).
struct Header {
    id: u32,
    data: usize,
    size: Option<u64>,
    /// Bytes of the size field.
    size_len: usize,
}

/// Length of a variable-length integer from its first byte (1 to 8).
fn vint_len(first: u8) -> Option<usize> {
    (first != 0).then(|| first.leading_zeros() as usize + 1)
}

fn header(bytes: &[u8], at: usize) -> Option<Header> {
    let id_len = vint_len(*bytes.get(at)?)?;
    if id_len > 4 {
        return None;
    }
    let id = bytes
        .get(at..at + id_len)?
        .iter()
        .fold(0u32, |v, b| (v << 8) | u32::from(*b));
    let size_at = at + id_len;
    let size_len = vint_len(*bytes.get(size_at)?)?;
    let raw = bytes.get(size_at..size_at + size_len)?;
    let mask = if size_len == 8 { 0 } else { 0xFFu8 >> size_len };
    let value = raw[1..]
        .iter()
        .fold(u64::from(raw[0] & mask), |v, b| (v << 8) | u64::from(*b));
    let unknown = value == (1u64 << (7 * size_len)) - 1;
    Some(Header {
        id,
        data: size_at + size_len,
        size: (!unknown).then_some(value),
        size_len,
    })
}

/// `value` as a size field of `len` bytes, if it fits (all ones would read as unknown).
fn encode_size(value: u64, len: usize) -> Option<Vec<u8>> {
    if !(1..=8).contains(&len) || value >= (1u64 << (7 * len)) - 1 {
        return None;
    }
    let mut out = value.to_be_bytes()[8 - len..].to_vec();
    out[0] |= 0x80 >> (len - 1);
    Some(out)
}

/// The smallest size field for `value`, or one `len` bytes long when that fits.
fn size_field(value: u64, len: usize) -> Option<Vec<u8>> {
    encode_size(value, len).or_else(|| (1..=8).find_map(|n| encode_size(value, n)))
}

fn uint(data: &[u8]) -> u64 {
    data.iter().fold(0, |v, b| (v << 8) | u64::from(*b))
}

/// `bytes` with the segment's duration set to `duration_ms`; `None` when it is not a WebM
/// file laid out as MediaRecorder writes it (the caller keeps the file as it was).
pub fn with_duration(bytes: &[u8], duration_ms: f64) -> Option<Vec<u8>> {
    if !duration_ms.is_finite() || duration_ms <= 0.0 {
        return None;
    }
    let ebml = header(bytes, 0)?;
    if ebml.id != EBML {
        return None;
    }
    let segment_at = ebml.data + usize::try_from(ebml.size?).ok()?;
    let segment = header(bytes, segment_at)?;
    if segment.id != SEGMENT {
        return None;
    }
    let segment_end = match segment.size {
        Some(s) => segment.data.checked_add(usize::try_from(s).ok()?)?,
        None => bytes.len(),
    };
    // The segment's Info, before its first cluster.
    let mut at = segment.data;
    let (info_at, info) = loop {
        let h = header(bytes, at)?;
        if h.id == INFO {
            break (at, h);
        }
        at = h.data.checked_add(usize::try_from(h.size?).ok()?)?;
        if at >= segment_end {
            return None;
        }
    };
    let info_end = info.data.checked_add(usize::try_from(info.size?).ok()?)?;
    if info_end > bytes.len() {
        return None;
    }
    let mut scale = DEFAULT_SCALE;
    let mut duration = None;
    let mut at = info.data;
    while at < info_end {
        let h = header(bytes, at)?;
        let end = h.data.checked_add(usize::try_from(h.size?).ok()?)?;
        match h.id {
            TIMECODE_SCALE => scale = uint(bytes.get(h.data..end)?).max(1),
            DURATION => duration = Some((h.data, end)),
            _ => {}
        }
        at = end;
    }
    let value = duration_ms * 1_000_000.0 / scale as f64;
    let mut out = bytes.to_vec();
    if let Some((from, to)) = duration {
        // Already there (zero, as some recorders write it): set it in place.
        match to - from {
            8 => out[from..to].copy_from_slice(&value.to_be_bytes()),
            4 => out[from..to].copy_from_slice(&(value as f32).to_be_bytes()),
            _ => return None,
        }
        return Some(out);
    }
    let mut element = vec![0x44, 0x89, 0x88];
    element.extend_from_slice(&value.to_be_bytes());
    let grown = info.size? + element.len() as u64;
    let info_size = size_field(grown, info.size_len)?;
    let mut patched = Vec::with_capacity(bytes.len() + element.len() + 8);
    patched.extend_from_slice(&bytes[..info_at]);
    patched.extend_from_slice(&bytes[info_at..info_at + 4]);
    patched.extend_from_slice(&info_size);
    patched.extend_from_slice(&bytes[info.data..info_end]);
    patched.extend_from_slice(&element);
    patched.extend_from_slice(&bytes[info_end..]);
    let added = (patched.len() - bytes.len()) as u64;
    // A segment of known size grows by what was added.
    if let Some(size) = segment.size {
        let field = encode_size(size + added, segment.size_len)?;
        let at = segment.data - segment.size_len;
        patched[at..segment.data].copy_from_slice(&field);
    }
    Some(patched)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn element(id: &[u8], data: &[u8]) -> Vec<u8> {
        let mut out = id.to_vec();
        out.extend(size_field(data.len() as u64, 1).unwrap());
        out.extend_from_slice(data);
        out
    }

    /// A file laid out as MediaRecorder writes it: header, a segment and a cluster of unknown
    /// size, the Info without a duration.
    fn recorded(info_extra: &[u8], segment_size: Option<u64>) -> Vec<u8> {
        let mut file = element(&[0x1A, 0x45, 0xDF, 0xA3], &element(&[0x42, 0x82], b"webm"));
        let mut info = element(&[0x2A, 0xD7, 0xB1], &[0x0F, 0x42, 0x40]);
        info.extend(element(&[0x4D, 0x80], b"Chrome"));
        info.extend_from_slice(info_extra);
        let mut body = element(&[0x15, 0x49, 0xA9, 0x66], &info);
        body.extend(element(&[0x16, 0x54, 0xAE, 0x6B], &[]));
        body.extend([
            0x1F, 0x43, 0xB6, 0x75, 0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        ]);
        body.extend([0xE7, 0x81, 0x00]);
        file.extend([0x18, 0x53, 0x80, 0x67]);
        match segment_size {
            Some(_) => file.extend(encode_size(body.len() as u64, 8).unwrap()),
            None => file.extend([0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]),
        }
        file.extend(body);
        file
    }

    /// The Info's duration (ms) and the bytes after the Info, read back.
    fn read_back(file: &[u8]) -> (Option<f64>, Vec<u8>) {
        let ebml = header(file, 0).unwrap();
        let segment = header(file, ebml.data + ebml.size.unwrap() as usize).unwrap();
        let info = header(file, segment.data).unwrap();
        assert_eq!(info.id, INFO);
        let end = info.data + info.size.unwrap() as usize;
        let mut at = info.data;
        let mut duration = None;
        while at < end {
            let h = header(file, at).unwrap();
            let e = h.data + h.size.unwrap() as usize;
            if h.id == DURATION {
                duration = Some(f64::from_be_bytes(file[h.data..e].try_into().unwrap()));
            }
            at = e;
        }
        assert_eq!(at, end, "the Info's children fill it exactly");
        (duration, file[end..].to_vec())
    }

    #[test]
    fn a_recording_gets_its_duration_and_keeps_everything_else() {
        let file = recorded(&[], None);
        let (none, rest) = read_back(&file);
        assert_eq!(none, None);
        let patched = with_duration(&file, 30_257.5).unwrap();
        let (duration, after) = read_back(&patched);
        assert_eq!(duration, Some(30_257.5));
        assert_eq!(after, rest, "tracks and clusters are untouched");
        assert_eq!(patched.len(), file.len() + 11);
    }

    #[test]
    fn a_segment_of_known_size_grows_with_it() {
        let file = recorded(&[], Some(0));
        let patched = with_duration(&file, 1_000.0).unwrap();
        let ebml = header(&patched, 0).unwrap();
        let segment = header(&patched, ebml.data + ebml.size.unwrap() as usize).unwrap();
        assert_eq!(
            segment.data + segment.size.unwrap() as usize,
            patched.len(),
            "the segment still ends with the file"
        );
        assert_eq!(read_back(&patched).0, Some(1_000.0));
    }

    #[test]
    fn a_duration_already_there_is_set_in_place() {
        let file = recorded(&element(&[0x44, 0x89], &0.0f64.to_be_bytes()), None);
        let patched = with_duration(&file, 5_000.0).unwrap();
        assert_eq!(patched.len(), file.len());
        assert_eq!(read_back(&patched).0, Some(5_000.0));
    }

    #[test]
    fn the_timecode_scale_sets_the_unit() {
        // Microsecond timecodes: 2 s is 2_000_000 units.
        let mut file = recorded(&[], None);
        let scale = file
            .windows(3)
            .position(|w| w == [0x2A, 0xD7, 0xB1])
            .unwrap();
        file[scale + 4..scale + 7].copy_from_slice(&[0x00, 0x03, 0xE8]);
        let patched = with_duration(&file, 2_000.0).unwrap();
        assert_eq!(read_back(&patched).0, Some(2_000_000.0));
    }

    #[test]
    fn what_is_not_a_recording_is_left_alone() {
        assert_eq!(with_duration(b"OggS\0\x02", 1_000.0), None);
        assert_eq!(with_duration(&[], 1_000.0), None);
        let file = recorded(&[], None);
        assert_eq!(with_duration(&file[..30], 1_000.0), None, "cut short");
        assert_eq!(with_duration(&file, f64::NAN), None);
    }

    #[test]
    fn sizes_round_trip() {
        for (value, len) in [(0u64, 1), (126, 1), (127, 2), (5_000, 2), (1 << 40, 8)] {
            let field = size_field(value, len).unwrap();
            let mut bytes = vec![0x42, 0x82];
            bytes.extend(&field);
            let h = header(&bytes, 0).unwrap();
            assert_eq!(h.size, Some(value));
        }
        assert_eq!(encode_size(127, 1), None, "all ones means unknown");
    }
}
