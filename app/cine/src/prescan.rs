//! A cheap walk over a file's element headers before the real parse: every declared length
//! must fit in the bytes that remain. A corrupted length would otherwise make the parser
//! reserve and zero gigabytes before noticing the file is short (seconds natively, an
//! out-of-memory trap in the browser).
use super::error::CineError;

const UNDEFINED: u32 = 0xFFFF_FFFF;
const MAX_DEPTH: u32 = 32;

struct Walker<'a> {
    bytes: &'a [u8],
    at: usize,
    explicit: bool,
}

fn too_long(group: u16, element: u16, len: u32, remaining: usize) -> CineError {
    CineError::truncated(format!(
        "element ({group:04X},{element:04X}) claims {len} bytes but only {remaining} remain"
    ))
}

impl Walker<'_> {
    fn u16(&self, at: usize) -> Option<u16> {
        self.bytes
            .get(at..at + 2)
            .map(|b| u16::from_le_bytes([b[0], b[1]]))
    }

    fn u32(&self, at: usize) -> Option<u32> {
        self.bytes
            .get(at..at + 4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn short() -> CineError {
        CineError::truncated("the file ends inside an element header")
    }

    /// Walks data elements until `end` (or a delimiter when `end` is `None`).
    fn dataset(&mut self, end: Option<usize>, depth: u32) -> Result<(), CineError> {
        if depth > MAX_DEPTH {
            return Err(CineError::malformed("sequences nested too deeply"));
        }
        loop {
            let limit = end.unwrap_or(self.bytes.len());
            // Stray padding shorter than an element header after the last element is harmless.
            if self.at >= limit || (depth == 0 && limit - self.at < 8) {
                return Ok(());
            }
            let group = self.u16(self.at).ok_or_else(Self::short)?;
            let element = self.u16(self.at + 2).ok_or_else(Self::short)?;
            if group == 0xFFFE {
                // Item delimiter ends an undefined-length item.
                self.at += 8;
                if element == 0xE00D && end.is_none() {
                    return Ok(());
                }
                continue;
            }
            let (vr, len, header) = if self.explicit {
                let vr = self
                    .bytes
                    .get(self.at + 4..self.at + 6)
                    .ok_or_else(Self::short)?;
                let vr = [vr[0], vr[1]];
                if matches!(
                    &vr,
                    b"OB"
                        | b"OD"
                        | b"OF"
                        | b"OL"
                        | b"OV"
                        | b"OW"
                        | b"SQ"
                        | b"SV"
                        | b"UC"
                        | b"UN"
                        | b"UR"
                        | b"UT"
                        | b"UV"
                ) {
                    (vr, self.u32(self.at + 8).ok_or_else(Self::short)?, 12)
                } else {
                    (
                        vr,
                        u32::from(self.u16(self.at + 6).ok_or_else(Self::short)?),
                        8,
                    )
                }
            } else {
                (*b"UN", self.u32(self.at + 4).ok_or_else(Self::short)?, 8)
            };
            self.at += header;
            if len == UNDEFINED {
                // A sequence, or encapsulated pixel data whose items are raw fragments.
                let dataset_items =
                    &vr == b"SQ" || (&vr == b"UN" && !(group == 0x7FE0 && element == 0x0010));
                self.items(None, dataset_items, depth + 1)?;
                continue;
            }
            let remaining = limit.saturating_sub(self.at);
            if len as usize > remaining {
                return Err(too_long(group, element, len, remaining));
            }
            let value_end = self.at + len as usize;
            if &vr == b"SQ" {
                self.items(Some(value_end), true, depth + 1)?;
            }
            self.at = value_end;
        }
    }

    /// Walks items until `end` or the sequence delimiter.
    fn items(&mut self, end: Option<usize>, datasets: bool, depth: u32) -> Result<(), CineError> {
        if depth > MAX_DEPTH {
            return Err(CineError::malformed("sequences nested too deeply"));
        }
        loop {
            let limit = end.unwrap_or(self.bytes.len());
            if self.at >= limit {
                return match end {
                    Some(_) => Ok(()),
                    None => Err(CineError::truncated("a sequence is not closed")),
                };
            }
            let group = self.u16(self.at).ok_or_else(Self::short)?;
            let element = self.u16(self.at + 2).ok_or_else(Self::short)?;
            let len = self.u32(self.at + 4).ok_or_else(Self::short)?;
            self.at += 8;
            match (group, element) {
                (0xFFFE, 0xE0DD) => return Ok(()),
                (0xFFFE, 0xE000) if len == UNDEFINED && datasets => {
                    self.dataset(None, depth + 1)?
                }
                (0xFFFE, 0xE000) => {
                    let remaining = limit.saturating_sub(self.at);
                    if len == UNDEFINED || len as usize > remaining {
                        return Err(too_long(group, element, len, remaining));
                    }
                    let item_end = self.at + len as usize;
                    if datasets {
                        self.dataset(Some(item_end), depth + 1)?;
                    }
                    self.at = item_end;
                }
                _ => {
                    return Err(CineError::malformed(format!(
                        "({group:04X},{element:04X}) where a sequence item was expected"
                    )));
                }
            }
        }
    }
}

/// Checks the element lengths of a file starting at its `DICM` magic. Only little-endian,
/// non-deflated data sets are walked; others are left to the parser.
pub(crate) fn check_lengths(from_magic: &[u8]) -> Result<(), CineError> {
    let bytes = from_magic.get(4..).ok_or(CineError::NotDicom)?;
    // The meta group (explicit VR little endian) tells how the data set is encoded.
    let mut w = Walker {
        bytes,
        at: 0,
        explicit: true,
    };
    let mut syntax = String::new();
    while w.u16(w.at) == Some(0x0002) {
        let element = w.u16(w.at + 2).ok_or_else(Walker::short)?;
        let len = u32::from(w.u16(w.at + 6).ok_or_else(Walker::short)?);
        let long = matches!(w.bytes.get(w.at + 4..w.at + 6), Some(b"OB") | Some(b"UN"));
        let (len, header) = if long {
            (w.u32(w.at + 8).ok_or_else(Walker::short)?, 12)
        } else {
            (len, 8)
        };
        let start = w.at + header;
        let value = bytes
            .get(start..start.saturating_add(len as usize))
            .ok_or_else(|| too_long(2, element, len, bytes.len().saturating_sub(start)))?;
        if element == 0x0010 {
            syntax = String::from_utf8_lossy(value)
                .trim_end_matches(['\0', ' '])
                .to_string();
        }
        w.at = start + len as usize;
    }
    w.explicit = match syntax.as_str() {
        "1.2.840.10008.1.2" => false,
        // Big endian and deflated data sets are not walked here.
        "1.2.840.10008.1.2.2" | "1.2.840.10008.1.2.1.99" => return Ok(()),
        _ => true,
    };
    w.dataset(None, 0)
}
