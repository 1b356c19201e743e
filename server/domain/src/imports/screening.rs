//! Screening: whether a received file may reach the parser, and why a file was refused.
use super::Limits;
use crate::dicom::AnonymizeError;
use model::ImportFailure;
use std::io::Read;

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
