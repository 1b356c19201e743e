//! A cheap walk over a Part 10 file's element headers, without decoding any value. Before the
//! real parse it checks that every declared length fits in the bytes that remain: a corrupted
//! length would otherwise make the parser reserve and zero gigabytes before noticing the file
//! is short (seconds natively, an out-of-memory trap in the browser). [`HeaderWalk`] lets other
//! callers walk the same way, e.g. the server finding where Pixel Data starts.
use super::error::CineError;
use super::info::EXPLICIT_VR_BIG_ENDIAN;
use dicom_dictionary_std::uids;
use std::ops::ControlFlow;

/// The length of a value that runs to a delimiter (sequences, encapsulated pixel data).
pub const UNDEFINED_LENGTH: u32 = 0xFFFF_FFFF;
const MAX_DEPTH: u32 = 32;

/// A data element's header as it stands in the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ElementHeader {
    /// Group and element number.
    pub tag: (u16, u16),
    /// The VR as written; `UN` in an implicit VR data set.
    pub vr: [u8; 2],
    /// The declared value length, possibly [`UNDEFINED_LENGTH`].
    pub len: u32,
    /// Where the header starts, counted from the `DICM` magic.
    pub at: usize,
}

/// How the data set after the meta group is encoded, as far as the walk is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DataSetEncoding {
    /// Explicit VR little endian (every encapsulated syntax uses it).
    ExplicitVrLittleEndian,
    /// Implicit VR little endian: lengths are walked, VRs are not known.
    ImplicitVrLittleEndian,
    /// Big endian or deflated: left to the parser, never walked.
    NotWalked,
}

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

    /// Walks data elements until `end` (or a delimiter when `end` is `None`), handing each
    /// header to `visit` before its value is skipped; `Ok(Some(b))` when `visit` stopped the
    /// walk with `b`.
    fn dataset<B>(
        &mut self,
        end: Option<usize>,
        depth: u32,
        visit: &mut dyn FnMut(&ElementHeader) -> ControlFlow<B>,
    ) -> Result<Option<B>, CineError> {
        if depth > MAX_DEPTH {
            return Err(CineError::malformed("sequences nested too deeply"));
        }
        loop {
            let limit = end.unwrap_or(self.bytes.len());
            // Stray padding shorter than an element header after the last element is harmless.
            if self.at >= limit || (depth == 0 && limit - self.at < 8) {
                return Ok(None);
            }
            let group = self.u16(self.at).ok_or_else(Self::short)?;
            let element = self.u16(self.at + 2).ok_or_else(Self::short)?;
            if group == 0xFFFE {
                // Item delimiter ends an undefined-length item.
                self.at += 8;
                if element == 0xE00D && end.is_none() {
                    return Ok(None);
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
            let found = ElementHeader {
                tag: (group, element),
                vr,
                len,
                at: self.at,
            };
            if let ControlFlow::Break(b) = visit(&found) {
                return Ok(Some(b));
            }
            self.at += header;
            if len == UNDEFINED_LENGTH {
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

    /// Walks an item's data set, every element only checked.
    fn nested(&mut self, end: Option<usize>, depth: u32) -> Result<(), CineError> {
        self.dataset(end, depth, &mut |_| ControlFlow::<()>::Continue(()))
            .map(drop)
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
                (0xFFFE, 0xE000) if len == UNDEFINED_LENGTH && datasets => {
                    self.nested(None, depth + 1)?
                }
                (0xFFFE, 0xE000) => {
                    let remaining = limit.saturating_sub(self.at);
                    if len == UNDEFINED_LENGTH || len as usize > remaining {
                        return Err(too_long(group, element, len, remaining));
                    }
                    let item_end = self.at + len as usize;
                    if datasets {
                        self.nested(Some(item_end), depth + 1)?;
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

/// A file's meta group, read, with its data set ready to walk.
pub struct HeaderWalk<'a> {
    walker: Walker<'a>,
    transfer_syntax: Option<String>,
    encoding: DataSetEncoding,
}

impl<'a> HeaderWalk<'a> {
    /// Reads the meta group (always explicit VR little endian) of a file starting at its
    /// `DICM` magic; the data set is walked by [`HeaderWalk::top_level`].
    pub fn new(from_magic: &'a [u8]) -> Result<Self, CineError> {
        if from_magic.len() < 4 {
            return Err(CineError::NotDicom);
        }
        let mut w = Walker {
            bytes: from_magic,
            at: 4,
            explicit: true,
        };
        let mut transfer_syntax = None;
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
            let value = w
                .bytes
                .get(start..start.saturating_add(len as usize))
                .ok_or_else(|| too_long(2, element, len, w.bytes.len().saturating_sub(start)))?;
            if element == 0x0010 {
                transfer_syntax = Some(
                    String::from_utf8_lossy(value)
                        .trim_end_matches(['\0', ' '])
                        .to_string(),
                );
            }
            w.at = start + len as usize;
        }
        let encoding = match transfer_syntax.as_deref() {
            Some(uids::IMPLICIT_VR_LITTLE_ENDIAN) => DataSetEncoding::ImplicitVrLittleEndian,
            Some(EXPLICIT_VR_BIG_ENDIAN | uids::DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN) => {
                DataSetEncoding::NotWalked
            }
            _ => DataSetEncoding::ExplicitVrLittleEndian,
        };
        w.explicit = encoding != DataSetEncoding::ImplicitVrLittleEndian;
        Ok(HeaderWalk {
            walker: w,
            transfer_syntax,
            encoding,
        })
    }

    /// The Transfer Syntax UID (0002,0010), without its padding, when the meta group has one.
    pub fn transfer_syntax(&self) -> Option<&str> {
        self.transfer_syntax.as_deref()
    }

    /// How the data set is encoded (explicit VR little endian when the meta group names no
    /// transfer syntax).
    pub fn encoding(&self) -> DataSetEncoding {
        self.encoding
    }

    /// Where the data set starts, just after the meta group, counted from the `DICM` magic.
    pub fn data_set_at(&self) -> usize {
        self.walker.at
    }

    /// Walks the data set's top-level elements in order, handing each header to `visit`
    /// before its value is skipped. Everything skipped, nested items included, must fit in the
    /// bytes given. `Ok(Some(b))` when `visit` stopped the walk with `Break(b)`; `Ok(None)` at
    /// the end of the data set, or at once when it is [`DataSetEncoding::NotWalked`].
    pub fn top_level<B>(
        mut self,
        mut visit: impl FnMut(&ElementHeader) -> ControlFlow<B>,
    ) -> Result<Option<B>, CineError> {
        if self.encoding == DataSetEncoding::NotWalked {
            return Ok(None);
        }
        self.walker.dataset(None, 0, &mut visit)
    }
}

/// Checks the element lengths of a file starting at its `DICM` magic. Only little-endian,
/// non-deflated data sets are walked; others are left to the parser.
pub(crate) fn check_lengths(from_magic: &[u8]) -> Result<(), CineError> {
    HeaderWalk::new(from_magic)?
        .top_level(|_| ControlFlow::<()>::Continue(()))
        .map(drop)
}
