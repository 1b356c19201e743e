//! Screening: whether a received file may reach the parser, and why a file was refused.
use super::Limits;
use super::names::FileName;
use crate::dicom::AnonymizeError;
use model::ImportFailure;
use std::io::{Read, Seek, SeekFrom};

const DEFLATED: &str = dicom_dictionary_std::uids::DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN;

/// Refuses what must not reach the parser: non-DICOM, oversized, or a deflated data set
/// that inflates past the limit.
pub fn screen(bytes: &[u8], limits: Limits) -> Result<(), ImportFailure> {
    if bytes.len() as u64 > limits.max_instance_bytes {
        return Err(ImportFailure::TooLarge(
            limits.max_instance_bytes / (1024 * 1024),
        ));
    }
    if bytes.len() < 132 || &bytes[128..132] != b"DICM" {
        return Err(ImportFailure::NotDicom);
    }
    // dicom-object reserves each meta element's declared length before reading it: the
    // lengths are checked against the file first, as dicom-object reads them.
    cine::prescan::HeaderWalk::new(&bytes[128..]).map_err(|_| ImportFailure::Damaged)?;
    let mut reader = &bytes[128..];
    let meta = dicom_object::meta::FileMetaTable::from_reader(&mut reader)
        .map_err(|_| ImportFailure::Damaged)?;
    if meta.transfer_syntax() == DEFLATED {
        let cap = limits.max_instance_bytes;
        let mut inflated = 0u64;
        let mut decoder = flate2::read::DeflateDecoder::new(reader).take(cap + 1);
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            match decoder.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => inflated += n as u64,
                Err(_) => return Err(ImportFailure::Damaged),
            }
        }
        if inflated > cap {
            return Err(ImportFailure::DeflateBomb);
        }
    }
    Ok(())
}

/// One entry of an uploaded zip, as [`read_zip`] hands it over.
#[derive(Debug)]
pub enum ZipEntry {
    /// A file to queue, read whole: at most the instance limit, whatever its header said.
    File {
        name: Option<FileName>,
        bytes: Vec<u8>,
    },
    /// An entry refused by name: its path would leave the folder, or it is too large.
    Refused {
        name: Option<FileName>,
        failure: ImportFailure,
    },
}

/// Reads an uploaded zip entry by entry, as an upload queues it. The central directory is
/// checked before the zip reader sees it ([`zip_directory_fits`]); each entry is named by its
/// path (inside the zip's own name, when it was sent with one); folders, `DICOMDIR` indexes
/// and hidden files (macOS metadata) are skipped; no header is trusted: each entry is read to
/// at most one byte past `max_entry`, and once more than `max_total` has been inflated the
/// whole zip is refused as a deflate bomb. `each` sees the entries in order, and an error it
/// returns ends the walk with that error.
pub fn read_zip(
    zip: impl Read + Seek,
    zip_name: Option<&FileName>,
    max_entry: u64,
    max_total: u64,
    mut each: impl FnMut(ZipEntry) -> Result<(), ImportFailure>,
) -> Result<(), ImportFailure> {
    let mut zip = zip;
    if !zip_directory_fits(&mut zip).map_err(|_| ImportFailure::Damaged)? {
        return Err(ImportFailure::Damaged);
    }
    let mut archive = zip::ZipArchive::new(zip).map_err(|_| ImportFailure::Damaged)?;
    let mut total = 0u64;
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).map_err(|_| ImportFailure::Damaged)?;
        if entry.is_dir() {
            continue;
        }
        // Sent without a name, the entries are still named by their paths.
        let name = match zip_name {
            Some(zip) => Some(zip.entry(entry.name())),
            None => FileName::parse(entry.name()),
        };
        if entry.enclosed_name().is_none() {
            each(ZipEntry::Refused {
                name,
                failure: ImportFailure::UnsafePath,
            })?;
            continue;
        }
        let base = entry.name().rsplit('/').next().unwrap_or_default();
        if base.eq_ignore_ascii_case("DICOMDIR") || base.starts_with('.') {
            continue;
        }
        if entry.size() > max_entry {
            let failure = ImportFailure::TooLarge(max_entry / (1024 * 1024));
            each(ZipEntry::Refused { name, failure })?;
            continue;
        }
        let mut bytes = Vec::new();
        (&mut entry)
            .take(max_entry + 1)
            .read_to_end(&mut bytes)
            .map_err(|_| ImportFailure::Damaged)?;
        total += bytes.len() as u64;
        if bytes.len() as u64 > max_entry || total > max_total {
            return Err(ImportFailure::DeflateBomb);
        }
        each(ZipEntry::File { name, bytes })?;
    }
    Ok(())
}

/// Whether a zip's central directory can hold the entries its end record declares (each takes
/// at least 46 bytes): the zip reader reserves memory for the declared count before reading
/// a single entry, so a few bytes declaring billions of entries would take the server down.
/// `false` for anything that is not a readable zip.
pub fn zip_directory_fits(zip: &mut (impl Read + Seek)) -> std::io::Result<bool> {
    const END: [u8; 4] = [0x50, 0x4b, 0x05, 0x06];
    const LOCATOR64: [u8; 4] = [0x50, 0x4b, 0x06, 0x07];
    const END64: [u8; 4] = [0x50, 0x4b, 0x06, 0x06];
    let len = zip.seek(SeekFrom::End(0))?;
    // The end record is the last 22 bytes plus a comment of up to 64 KiB.
    let tail_len = len.min(22 + 65535 + 20);
    let mut tail = vec![0u8; tail_len as usize];
    zip.seek(SeekFrom::Start(len - tail_len))?;
    zip.read_exact(&mut tail)?;
    let Some(end) = (0..tail.len().saturating_sub(21))
        .rev()
        .find(|&i| tail[i..i + 4] == END)
    else {
        return Ok(false);
    };
    let u16_at = |b: &[u8], i: usize| u64::from(u16::from_le_bytes([b[i], b[i + 1]]));
    let u32_at =
        |b: &[u8], i: usize| u64::from(u32::from_le_bytes(b[i..i + 4].try_into().unwrap()));
    let u64_at = |b: &[u8], i: usize| u64::from_le_bytes(b[i..i + 8].try_into().unwrap());
    let mut entries = u16_at(&tail, end + 10);
    let mut size = u32_at(&tail, end + 12);
    if entries == 0xFFFF || size == 0xFFFF_FFFF {
        // Zip64: the locator just before the end record points at the zip64 end record.
        let Some(locator) = end.checked_sub(20).filter(|&l| tail[l..l + 4] == LOCATOR64) else {
            return Ok(false);
        };
        let at = u64_at(&tail, locator + 8);
        if at.checked_add(56).is_none_or(|e| e > len) {
            return Ok(false);
        }
        let mut record = [0u8; 56];
        zip.seek(SeekFrom::Start(at))?;
        zip.read_exact(&mut record)?;
        if record[..4] != END64 {
            return Ok(false);
        }
        entries = u64_at(&record, 32);
        size = u64_at(&record, 40);
    }
    zip.seek(SeekFrom::Start(0))?;
    Ok(size <= len && entries.checked_mul(46).is_some_and(|need| need <= size))
}

/// The reason for a refused file. Files reach the anonymiser only after [`screen`] found them
/// to be DICOM, so one it cannot read is damaged.
pub(super) fn failure_of(e: AnonymizeError) -> ImportFailure {
    match e {
        AnonymizeError::Unreadable(_) => ImportFailure::Damaged,
        AnonymizeError::NotAnImage => ImportFailure::NotAnImage,
        AnonymizeError::NoImageArea => ImportFailure::NoImageArea,
        AnonymizeError::Pixels(why) => ImportFailure::Unsupported(why),
        AnonymizeError::Phi { element } => ImportFailure::PhiFound(element),
        AnonymizeError::PixelsNotBlank { frame } => ImportFailure::PixelsNotBlank(frame),
        AnonymizeError::TooManyPixels { limit, .. } => {
            ImportFailure::TooManyPixels(limit.div_ceil(1_000_000))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dicom_with_meta(ts: &str, body: &[u8]) -> Vec<u8> {
        use dicom_object::meta::FileMetaTableBuilder;
        let meta = FileMetaTableBuilder::new()
            .transfer_syntax(ts)
            .media_storage_sop_class_uid("1.2.840.10008.5.1.4.1.1.3.1")
            .media_storage_sop_instance_uid("2.25.1")
            .build()
            .unwrap();
        let mut out = vec![0u8; 128];
        out.extend_from_slice(b"DICM");
        meta.write(&mut out).unwrap();
        out.extend_from_slice(body);
        out
    }

    /// The fuzzer's finding: a meta element with a VR dicom-object does not know is read with
    /// a 32-bit length, and a 3 GB one was reserved before the file was found short.
    #[test]
    fn a_meta_element_longer_than_the_file_is_refused_unread() {
        let mut file = dicom_with_meta(dicom_dictionary_std::uids::EXPLICIT_VR_LITTLE_ENDIAN, b"");
        // A second Transfer Syntax UID (0002,0010), which dicom-object reads into a string it
        // reserves first, with VR "U\xce" claiming 3 GB; the group length counts it.
        let group_length = u32::from_le_bytes(file[140..144].try_into().unwrap());
        file[140..144].copy_from_slice(&(group_length + 12).to_le_bytes());
        file.extend([0x02, 0x00, 0x10, 0x00, b'U', 0xCE, 0, 0]);
        file.extend(3_469_659_854u32.to_le_bytes());
        file.extend([0u8; 64]);
        assert_eq!(
            screen(&file, Limits::default()),
            Err(ImportFailure::Damaged)
        );
    }

    #[test]
    fn zips_declaring_more_entries_than_they_hold_are_refused() {
        use std::io::{Cursor, Write};
        let mut real = Cursor::new(Vec::new());
        {
            let mut w = zip::ZipWriter::new(&mut real);
            for name in ["a.dcm", "b.dcm"] {
                w.start_file(name, zip::write::SimpleFileOptions::default())
                    .unwrap();
                w.write_all(b"bytes").unwrap();
            }
            w.finish().unwrap();
        }
        assert!(zip_directory_fits(&mut real).unwrap());
        // The same zip claiming 65,534 entries in its 2-entry directory.
        let mut lying = real.into_inner();
        let end = lying
            .windows(4)
            .rposition(|w| w == [0x50, 0x4b, 0x05, 0x06])
            .unwrap();
        lying[end + 10..end + 12].copy_from_slice(&0xFFFEu16.to_le_bytes());
        assert!(!zip_directory_fits(&mut Cursor::new(lying.clone())).unwrap());
        // A zip64 end record claiming 2^40 entries.
        lying[end + 10..end + 12].copy_from_slice(&0xFFFFu16.to_le_bytes());
        let mut z64 = lying[..end].to_vec();
        let at = z64.len() as u64;
        z64.extend_from_slice(&[0x50, 0x4b, 0x06, 0x06]);
        z64.extend_from_slice(&44u64.to_le_bytes());
        z64.extend_from_slice(&[0; 20]);
        z64.extend_from_slice(&(1u64 << 40).to_le_bytes());
        z64.extend_from_slice(&(1u64 << 40).to_le_bytes());
        z64.extend_from_slice(&(1u64 << 41).to_le_bytes());
        z64.extend_from_slice(&0u64.to_le_bytes());
        z64.extend_from_slice(&[0x50, 0x4b, 0x06, 0x07, 0, 0, 0, 0]);
        z64.extend_from_slice(&at.to_le_bytes());
        z64.extend_from_slice(&1u32.to_le_bytes());
        z64.extend_from_slice(&lying[end..]);
        assert!(!zip_directory_fits(&mut Cursor::new(z64)).unwrap());
        assert!(!zip_directory_fits(&mut Cursor::new(b"not a zip".to_vec())).unwrap());
        assert!(!zip_directory_fits(&mut Cursor::new(Vec::new())).unwrap());
    }

    #[test]
    fn screening_refuses_what_the_parser_must_not_see() {
        let limits = Limits {
            max_instance_bytes: 1024 * 1024,
        };
        assert_eq!(screen(b"hello", limits), Err(ImportFailure::NotDicom));
        assert_eq!(
            screen(&vec![0u8; 2 * 1024 * 1024], limits),
            Err(ImportFailure::TooLarge(1))
        );
        let mut broken = vec![0u8; 128];
        broken.extend_from_slice(b"DICM\x02\x00");
        assert_eq!(screen(&broken, limits), Err(ImportFailure::Damaged));
        // 64 MB of zeros deflate to about 64 KB: far past the 1 MB limit once inflated.
        let mut enc = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
        std::io::Write::write_all(&mut enc, &vec![0u8; 64 * 1024 * 1024]).unwrap();
        let bomb = dicom_with_meta(DEFLATED, &enc.finish().unwrap());
        assert!(bomb.len() < 1024 * 1024);
        assert_eq!(screen(&bomb, limits), Err(ImportFailure::DeflateBomb));
        let plain = dicom_with_meta("1.2.840.10008.1.2.1", &[0u8; 16]);
        assert_eq!(screen(&plain, limits), Ok(()));
    }
}
