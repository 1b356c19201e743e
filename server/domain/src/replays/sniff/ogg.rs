//! Ogg pages (RFC 3533) as far as an Opus voice needs them (RFC 7845): whether a stream starts
//! with an Opus identification header, and its length, which is the granule position of the
//! stream's last page minus the pre-skip, in 48 kHz samples.

/// Opus always counts granules at 48 kHz, whatever the input rate was.
const OPUS_RATE: u64 = 48_000;
/// Fixed part of a page header, before its segment table.
const PAGE_HEADER: usize = 27;
/// Header type flag: the first page of a logical stream.
const BEGINS_STREAM: u8 = 0x02;

/// What an Ogg file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OggInfo {
    /// A logical stream starts with `OpusHead`.
    pub opus: bool,
    pub duration_ms: Option<u64>,
}

/// Walks the pages from the start; stops at the first bytes that are not a whole page (a
/// recording cut short still tells how far it got). `None` when the first page does not
/// begin a stream.
pub fn read(buf: &[u8]) -> Option<OggInfo> {
    let mut pos = 0;
    let mut opus_serial = None;
    let mut pre_skip = 0u64;
    let mut last_granule = None;
    let mut pages = 0usize;
    while let Some(page) = buf.get(pos..pos + PAGE_HEADER) {
        if &page[..4] != b"OggS" || page[4] != 0 {
            break;
        }
        let header_type = page[5];
        let granule = i64::from_le_bytes(page[6..14].try_into().ok()?);
        let serial = u32::from_le_bytes(page[14..18].try_into().ok()?);
        let segments = usize::from(page[26]);
        let Some(table) = buf.get(pos + PAGE_HEADER..pos + PAGE_HEADER + segments) else {
            break;
        };
        let body_start = pos + PAGE_HEADER + segments;
        let body_len: usize = table.iter().map(|b| usize::from(*b)).sum();
        let Some(body) = buf.get(body_start..body_start + body_len) else {
            break;
        };
        if pages == 0 && header_type & BEGINS_STREAM == 0 {
            return None;
        }
        pages += 1;
        if header_type & BEGINS_STREAM != 0 {
            if opus_serial.is_none() && body.len() >= 19 && body.starts_with(b"OpusHead") {
                opus_serial = Some(serial);
                pre_skip = u64::from(u16::from_le_bytes([body[10], body[11]]));
            }
        } else if opus_serial == Some(serial) && granule >= 0 {
            // -1 says no packet ends on this page.
            last_granule = Some(granule as u64);
        }
        pos = body_start + body_len;
    }
    if pages == 0 {
        return None;
    }
    Some(OggInfo {
        opus: opus_serial.is_some(),
        duration_ms: last_granule.map(|g| g.saturating_sub(pre_skip) * 1000 / OPUS_RATE),
    })
}
