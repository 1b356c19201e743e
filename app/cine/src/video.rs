//! MPEG-4 AVC/H.264 clips (PS3.5 §8.2.7–8.2.8): the pixel data is one H.264 elementary stream in
//! Annex B byte-stream form. Nothing here decodes it; the browser's video decoder does. This
//! splits the stream into access units (one coded picture each, in decoding order) and names
//! the codec the way WebCodecs wants it (`avc1.PPCCLL` from the sequence parameter set).
use std::ops::Range;

/// One coded picture: its bytes (start codes included) and whether decoding can start there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessUnit {
    pub bytes: Range<usize>,
    /// Holds an IDR slice: the decoder needs nothing before it.
    pub key: bool,
}

/// NAL units of an Annex B stream: (start of the start code, start of the NAL header, end).
fn nal_units(stream: &[u8]) -> Vec<(usize, usize, usize)> {
    let mut starts = Vec::new();
    let mut i = 0;
    while i + 3 <= stream.len() {
        if stream[i] == 0 && stream[i + 1] == 0 && stream[i + 2] == 1 {
            // A four-byte start code owns the zero before it.
            let code = if i > 0 && stream[i - 1] == 0 {
                i - 1
            } else {
                i
            };
            starts.push((code, i + 3));
            i += 3;
        } else {
            i += 1;
        }
    }
    starts
        .iter()
        .enumerate()
        .map(|(k, &(code, header))| {
            let end = starts.get(k + 1).map_or(stream.len(), |next| next.0);
            (code, header, end.max(header))
        })
        .collect()
}

/// Splits the stream into access units (H.264 §7.4.1.2.3): a unit starts with an access unit
/// delimiter, parameter sets or SEI after a picture, or the first slice of a new picture.
pub fn access_units(stream: &[u8]) -> Vec<AccessUnit> {
    let mut units: Vec<AccessUnit> = Vec::new();
    let mut current: Option<AccessUnit> = None;
    let mut has_picture = false;
    for (code, header, end) in nal_units(stream) {
        let Some(&first) = stream.get(header) else {
            continue;
        };
        let kind = first & 0x1F;
        let vcl = matches!(kind, 1 | 5);
        // first_mb_in_slice is the slice header's first ue(v): a leading 1 bit means 0.
        let first_slice = vcl && stream.get(header + 1).is_some_and(|b| b & 0x80 != 0);
        let starts_unit = has_picture && (matches!(kind, 6..=9 | 14..=18) || first_slice);
        if starts_unit && let Some(done) = current.take() {
            units.push(done);
            has_picture = false;
        }
        let unit = current.get_or_insert(AccessUnit {
            bytes: code..end,
            key: false,
        });
        unit.bytes.end = end;
        unit.key |= kind == 5;
        has_picture |= vcl;
    }
    units.extend(current.filter(|_| has_picture));
    units
}

/// The WebCodecs codec string (`avc1.` + profile, constraint flags and level in hex) from the
/// stream's first sequence parameter set.
pub fn codec_string(stream: &[u8]) -> Option<String> {
    nal_units(stream).into_iter().find_map(|(_, header, end)| {
        let nal = stream.get(header..end)?;
        (nal.first()? & 0x1F == 7 && nal.len() >= 4)
            .then(|| format!("avc1.{:02X}{:02X}{:02X}", nal[1], nal[2], nal[3]))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nal(kind: u8, first_slice: bool) -> Vec<u8> {
        let mut v = vec![0, 0, 0, 1, 0x60 | kind];
        v.push(if first_slice { 0x88 } else { 0x08 });
        v.extend([0xAB, 0xCD]);
        v
    }

    #[test]
    fn pictures_are_split_at_their_first_slice_and_parameter_sets() {
        let mut s = Vec::new();
        s.extend([0, 0, 0, 1, 0x67, 0x64, 0x00, 0x1F, 0xAC]); // SPS, High 3.1
        s.extend([0, 0, 1, 0x68, 0xEE]); // PPS, three-byte start code
        s.extend(nal(5, true)); // IDR, slice 1 of picture 1
        s.extend(nal(5, false)); // IDR, slice 2 of picture 1
        s.extend(nal(1, true)); // picture 2
        s.extend(nal(6, false)); // SEI: starts picture 3's unit
        s.extend(nal(1, true)); // picture 3
        let units = access_units(&s);
        assert_eq!(units.len(), 3);
        assert!(units[0].key && !units[1].key && !units[2].key);
        assert_eq!(units[0].bytes.start, 0);
        assert_eq!(units[2].bytes.end, s.len());
        // The units tile the stream without gaps.
        assert_eq!(units[0].bytes.end, units[1].bytes.start);
        assert_eq!(units[1].bytes.end, units[2].bytes.start);
        assert_eq!(codec_string(&s).as_deref(), Some("avc1.64001F"));
    }

    #[test]
    fn garbage_has_no_pictures_and_no_codec() {
        assert!(access_units(b"not a video stream").is_empty());
        assert!(access_units(&[0, 0, 1]).is_empty());
        assert_eq!(codec_string(&[0, 0, 1, 0x67, 0x64]), None);
        assert_eq!(codec_string(&[]), None);
    }
}
