//! The fuzz targets' bodies, one function per target: each feeds untrusted bytes to a reader
//! that user input reaches, the way the server calls it, and ignores the answer. Only a panic,
//! a sanitizer report, a hang or an allocation past the limit is a finding.
//!
//! Written once for two callers: `fuzz_targets/*.rs` (cargo fuzz, nightly) and
//! `server/tests/fuzz_regressions.rs`, which includes this file as a module and replays every
//! saved input under `regressions/<target>/` on a stable `cargo test`. So this file names only
//! crates the server's tests can also name: `domain`, `cine` and the dicom crates.
//!
//! It does not name `server`: that crate brings the whole web UI (Leptos) into the build,
//! several times the size and build time of everything else here once instrumented. The
//! receiver's DIMSE parser is compiled here from its source file instead; the QIDO-RS query
//! parser is the domain's (`domain::dicomweb::query`).
use cine::clean::{Mask, PixelRect};
use dicom_ul::pdu::{PDataValueType, Pdu, read_pdu};
use domain::imports::{FileName, Limits, ZipEntry, read_zip, screen};
use std::io::Cursor;

/// The C-STORE receiver's command sets (`server::store_scp::dimse`), from its source. Only
/// the parser and the response writer are called here.
#[allow(dead_code)]
#[path = "../../src/store_scp/dimse.rs"]
mod dimse;

/// `store_scp::MAX_PDU_LENGTH`: the largest PDU the receiver reads (strict mode refuses longer
/// ones). The regression test checks that both limits still agree with the server's.
pub const STORE_SCP_MAX_PDU_LENGTH: u32 = 256 * 1024;
/// `store_scp::MAX_COMMAND_BYTES`: the largest command set the receiver puts together.
pub const STORE_SCP_MAX_COMMAND_BYTES: usize = 64 * 1024;

/// A target's body: the bytes libFuzzer chose.
pub type Target = fn(&[u8]);

/// Every target by name, as `fuzz_targets/` and `regressions/` name them.
pub const TARGETS: &[(&str, Target)] = &[
    ("ingest", ingest),
    ("frames", frames),
    ("jpeg_mask", jpeg_mask),
    ("store_pdu", store_pdu),
    ("dimse_command", dimse_command),
    ("upload_zip", upload_zip),
    ("replay_package", replay_package),
    ("qido_query", qido_query),
];

/// A received file as the import worker takes it: screened, then de-identified (parse, pixel
/// cleaning, header rules, PHI check, decoding what will be stored).
pub fn ingest(data: &[u8]) {
    if screen(data, Limits::default()).is_err() {
        return;
    }
    // An image area an expert marked, and a rectangle to black out: a file without ultrasound
    // regions is then cleaned instead of held, so the cleaning code runs on every input.
    let config = domain::dicom::AnonymizeConfig {
        secret: b"sonohub-fuzz-secret".to_vec(),
        image_area: Some(PixelRect {
            x0: 1,
            y0: 1,
            x1: 6,
            y1: 6,
        }),
        extra_masks: vec![PixelRect {
            x0: 0,
            y0: 0,
            x1: 3,
            y1: 1,
        }],
        ..Default::default()
    };
    let _ = domain::dicom::anonymize(data, &config);
}

/// A clip opened as the player and DICOMweb open it: parsed, described, and its first, middle
/// and last frames decoded every way a caller asks for them.
pub fn frames(data: &[u8]) {
    let Ok(clip) = cine::Clip::parse(data) else {
        return;
    };
    let count = clip.info().frames;
    let mut wanted = vec![0, count / 2, count.saturating_sub(1)];
    wanted.dedup();
    for n in wanted {
        let _ = clip.decode_frame(n);
        let _ = clip.browser_decodable_jpeg(n);
        let _ = cine::clean::decode_frame_full_range(&clip, n);
    }
    let _ = clip.video_stream();
}

/// One JPEG frame masked in its coefficients. The input is five bytes of mask, then the
/// codestream: a black-sample choice (greyscale or YCbCr) and a rectangle to black out, in
/// 256ths of the frame, whose size is read from the codestream's SOF marker as the cleaner
/// reads it from Rows and Columns.
pub fn jpeg_mask(data: &[u8]) {
    let [colour, x0, y0, x1, y1, jpeg @ ..] = data else {
        return;
    };
    let Some((width, height)) = jpeg_size(jpeg) else {
        return;
    };
    // Rows and Columns are 16-bit, but the cleaner never sees a mask larger than an image
    // that fits the file limit; past that the harness would only measure its own mask.
    if width == 0 || height == 0 || width * height > 4096 * 4096 {
        return;
    }
    let scale = |v: u8, size: u32| u32::from(v) * size / 256;
    let remove = PixelRect {
        x0: scale(*x0, width),
        y0: scale(*y0, height),
        x1: scale(*x1, width),
        y1: scale(*y1, height),
    };
    let whole = PixelRect {
        x0: 0,
        y0: 0,
        x1: width - 1,
        y1: height - 1,
    };
    let mask = Mask::new(width, height, &[whole], &[remove]);
    let black: &[u8] = if colour & 1 == 0 {
        &[0]
    } else {
        &[0, 128, 128]
    };
    let _ = cine::fuzzing::mask_jpeg(jpeg, &mask, black);
}

/// Width and height from the first baseline or extended SOF marker.
fn jpeg_size(jpeg: &[u8]) -> Option<(u32, u32)> {
    let at = jpeg
        .windows(2)
        .position(|w| w[0] == 0xFF && (w[1] == 0xC0 || w[1] == 0xC1))?;
    let be16 = |i: usize| {
        Some(u32::from(u16::from_be_bytes([
            *jpeg.get(i)?,
            *jpeg.get(i + 1)?,
        ])))
    };
    Some((be16(at + 7)?, be16(at + 5)?))
}

/// Bytes as they arrive on the C-STORE receiver's socket: PDUs read as dicom-ul reads them for
/// the receiver (strict, at its maximum length), and each command set put together from its
/// fragments and parsed as the receiver does (`store_scp::on_command_fragment`).
pub fn store_pdu(data: &[u8]) {
    let mut rest = data;
    let mut command: Option<(u8, Vec<u8>)> = None;
    while let Ok(Some(pdu)) = read_pdu(&mut rest, STORE_SCP_MAX_PDU_LENGTH, true) {
        let Pdu::PData { data: values } = pdu else {
            continue;
        };
        for value in values {
            if value.value_type != PDataValueType::Command {
                continue;
            }
            let context = value.presentation_context_id;
            let bytes = match command.take() {
                None => value.data,
                Some((started, mut bytes)) if started == context => {
                    bytes.extend_from_slice(&value.data);
                    bytes
                }
                // The receiver aborts the association here.
                Some(_) => return,
            };
            if bytes.len() > STORE_SCP_MAX_COMMAND_BYTES {
                return;
            }
            if value.is_last {
                dimse_command(&bytes);
            } else {
                command = Some((context, bytes));
            }
        }
    }
}

/// A DIMSE command set alone (implicit VR little endian), and the response the receiver
/// writes for it, which carries the request's UIDs back.
pub fn dimse_command(data: &[u8]) {
    if let Ok((request, _)) = dimse::parse_command(data) {
        let _ = dimse::response_command(&request, dimse::status::SUCCESS, Some("fuzz"));
    }
}

/// A QIDO-RS query string: the first byte picks the level (its value modulo 3: study, series,
/// instance), the rest is decoded as axum's `Query` decodes it (`&`-separated `key=value`,
/// `+` and percent escapes, invalid UTF-8 replaced), then parsed as the server parses it.
pub fn qido_query(data: &[u8]) {
    let [level, query @ ..] = data else {
        return;
    };
    let pairs: Vec<(String, String)> = query
        .split(|b| *b == b'&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| match pair.iter().position(|b| *b == b'=') {
            Some(eq) => (form_decode(&pair[..eq]), form_decode(&pair[eq + 1..])),
            None => (form_decode(pair), String::new()),
        })
        .collect();
    use domain::dicomweb::query::{Level, parse};
    let level = [Level::Study, Level::Series, Level::Instance][usize::from(level % 3)];
    let _ = parse(level, &pairs);
}

/// `application/x-www-form-urlencoded` decoding of one key or value.
fn form_decode(raw: &[u8]) -> String {
    let hex = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        let escaped = match raw[i..] {
            [b'%', hi, lo, ..] => hex(hi).zip(hex(lo)).map(|(hi, lo)| hi * 16 + lo),
            _ => None,
        };
        match (raw[i], escaped) {
            (_, Some(byte)) => {
                out.push(byte);
                i += 3;
                continue;
            }
            (b'+', None) => out.push(b' '),
            (other, None) => out.push(other),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// An uploaded zip read as an upload reads it (`imports::read_zip`, the code the upload
/// handler runs): its central directory checked, each entry named and its path checked, read
/// to at most one byte past the instance limit whatever its header says, the whole archive to
/// four times that, and each file screened as queued.
pub fn upload_zip(data: &[u8]) {
    let limits = Limits::default();
    let upload = FileName::parse("upload.zip");
    let max = limits.max_instance_bytes;
    let _ = read_zip(Cursor::new(data), upload.as_ref(), max, max * 4, |entry| {
        if let ZipEntry::File { bytes, .. } = entry {
            let _ = screen(&bytes, limits);
        }
        Ok(())
    });
}

/// A replay package read and checked as its import does before the database: the zip, the
/// events file and every media file it names, sniffed.
pub fn replay_package(data: &[u8]) {
    let max_dicom = Limits::default().max_instance_bytes;
    let _ = domain::fuzzing::unpack_replay_package(data, max_dicom).map_err(|e| e.to_string());
}
