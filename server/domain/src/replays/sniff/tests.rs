//! The sniffer against files built element by element (a browser's streaming recording with
//! clusters of unknown size and no Duration, block groups, cut-off files, other codecs) and
//! against real Opus files made by ffmpeg (`server/tests/data/voice.{ogg,webm}`: a 2-second
//! 440 Hz tone).
use super::*;

const VOICE_OGG: &[u8] = include_bytes!("../../../../tests/data/voice.ogg");
const VOICE_WEBM: &[u8] = include_bytes!("../../../../tests/data/voice.webm");

/// An element ID (its marker bits included) as written.
fn id_bytes(id: u32) -> Vec<u8> {
    let bytes = id.to_be_bytes();
    let skip = bytes.iter().take_while(|b| **b == 0).count();
    bytes[skip..].to_vec()
}

/// An element of known size (the size written on 8 bytes, as some muxers do).
fn el(id: u32, body: &[u8]) -> Vec<u8> {
    let mut out = id_bytes(id);
    let mut size = (body.len() as u64).to_be_bytes();
    size[0] = 0x01;
    out.extend_from_slice(&size);
    out.extend_from_slice(body);
    out
}

/// An element of unknown size, as MediaRecorder writes the segment and its clusters.
fn unknown(id: u32, body: &[u8]) -> Vec<u8> {
    let mut out = id_bytes(id);
    out.extend_from_slice(&[0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]);
    out.extend_from_slice(body);
    out
}

fn uint(id: u32, v: u64) -> Vec<u8> {
    el(id, &v.to_be_bytes())
}

fn ebml_header(doc_type: &str) -> Vec<u8> {
    el(0x1A45_DFA3, &el(0x4282, doc_type.as_bytes()))
}

fn tracks(codecs: &[&str]) -> Vec<u8> {
    let entries: Vec<u8> = codecs
        .iter()
        .enumerate()
        .flat_map(|(i, c)| {
            el(
                0xAE,
                &[uint(0xD7, i as u64 + 1), el(0x86, c.as_bytes())].concat(),
            )
        })
        .collect();
    el(0x1654_AE6B, &entries)
}

/// A simple block of track 1 at `offset` ticks from its cluster.
fn simple_block(offset: i16) -> Vec<u8> {
    let mut body = vec![0x81];
    body.extend_from_slice(&offset.to_be_bytes());
    body.extend_from_slice(&[0x80, 0xFC, 0xFF, 0xFE]);
    el(0xA3, &body)
}

/// A cluster of unknown size at `timestamp` with blocks every 20 ms up to `last` ms.
fn streamed_cluster(timestamp: u64, last: i16) -> Vec<u8> {
    let mut body = uint(0xE7, timestamp);
    for offset in (0..=last).step_by(20) {
        body.extend(simple_block(offset));
    }
    unknown(0x1F43_B675, &body)
}

/// What Chrome's MediaRecorder writes for an Opus voice: no Duration, a segment and clusters
/// of unknown size.
fn recorder_webm(codecs: &[&str]) -> Vec<u8> {
    let info = el(0x1549_A966, &uint(0x2A_D7B1, 1_000_000));
    let body = [
        info,
        tracks(codecs),
        streamed_cluster(0, 980),
        streamed_cluster(1000, 960),
        streamed_cluster(2000, 460),
    ]
    .concat();
    [ebml_header("webm"), unknown(0x1853_8067, &body)].concat()
}

#[test]
fn a_streamed_recording_without_duration_lasts_until_its_last_block() {
    let file = recorder_webm(&["A_OPUS"]);
    let found = sniff(&file).unwrap();
    assert_eq!(found.kind, MediaKind::Audio);
    assert_eq!(found.mime, "audio/webm");
    assert_eq!(found.duration_ms, Some(2460));
    // Cut ten blocks (16 bytes each) before the end: as far as it got.
    let cut = &file[..file.len() - 16 * 10];
    assert_eq!(sniff(cut).unwrap().duration_ms, Some(2260));
}

#[test]
fn the_duration_element_wins_and_counts_in_the_timestamp_scale() {
    // 2.5 s in 10 ms ticks, with a cluster whose blocks end earlier.
    let info = el(
        0x1549_A966,
        &[
            uint(0x2A_D7B1, 10_000_000),
            el(0x4489, &250.0f64.to_be_bytes()),
        ]
        .concat(),
    );
    let body = [info, tracks(&["A_VORBIS"]), streamed_cluster(0, 40)].concat();
    let file = [ebml_header("webm"), el(0x1853_8067, &body)].concat();
    assert_eq!(sniff(&file).unwrap().duration_ms, Some(2500));
    // A 4-byte float is allowed too.
    let info = el(0x1549_A966, &el(0x4489, &1234.0f32.to_be_bytes()));
    let file = [
        ebml_header("webm"),
        el(0x1853_8067, &[info, tracks(&["A_OPUS"])].concat()),
    ]
    .concat();
    assert_eq!(sniff(&file).unwrap().duration_ms, Some(1234));
}

#[test]
fn block_groups_add_their_duration_and_known_size_clusters_are_skipped_whole() {
    let block = {
        let mut b = vec![0x81];
        b.extend_from_slice(&300i16.to_be_bytes());
        b.push(0);
        b
    };
    let group = el(0xA0, &[el(0xA1, &block), uint(0x9B, 40)].concat());
    let cluster = el(0x1F43_B675, &[uint(0xE7, 5000), group].concat());
    // Tags after the cluster are not blocks.
    let tags = el(0x1254_C367, &[0u8; 16]);
    let body = [tracks(&["V_VP9", "A_OPUS"]), cluster, tags].concat();
    let file = [ebml_header("matroska"), el(0x1853_8067, &body)].concat();
    let found = sniff(&file).unwrap();
    assert_eq!(found.kind, MediaKind::Video);
    assert_eq!(found.mime, "video/x-matroska");
    assert_eq!(found.duration_ms, Some(5340));
}

#[test]
fn codecs_and_containers_browsers_cannot_play_are_refused() {
    for video in ["V_VP8", "V_VP9", "V_AV1", "V_MPEG4/ISO/AVC"] {
        let found = sniff(&recorder_webm(&[video, "A_OPUS"])).unwrap();
        assert_eq!(
            (found.kind, found.mime),
            (MediaKind::Video, "video/webm"),
            "{video}"
        );
    }
    assert_eq!(
        sniff(&recorder_webm(&["A_AAC"])),
        Err(Refusal::UnsupportedCodec)
    );
    assert_eq!(
        sniff(&recorder_webm(&["V_VP9", "A_MPEG/L3"])),
        Err(Refusal::UnsupportedCodec)
    );
    assert_eq!(sniff(&recorder_webm(&[])), Err(Refusal::UnsupportedCodec));
    let mut other = recorder_webm(&["A_OPUS"]);
    let at = other.windows(4).position(|w| w == b"webm").unwrap();
    other[at..at + 4].copy_from_slice(b"qtff");
    assert_eq!(sniff(&other), Err(Refusal::UnknownContainer));
    // The EBML magic and nothing after it.
    assert_eq!(
        sniff(&[0x1A, 0x45, 0xDF, 0xA3]),
        Err(Refusal::UnknownContainer)
    );
    let wav = [b"RIFF".as_slice(), &[0x24, 0, 0, 0], b"WAVEfmt "].concat();
    assert_eq!(sniff(&wav), Err(Refusal::UnknownContainer));
    assert_eq!(sniff(b""), Err(Refusal::UnknownContainer));
    assert_eq!(sniff(b"ID3\x04\x00 an mp3"), Err(Refusal::UnknownContainer));
}

#[test]
fn real_opus_in_webm_reads_as_a_two_second_voice() {
    let found = sniff(VOICE_WEBM).unwrap();
    assert_eq!((found.kind, found.mime), (MediaKind::Audio, "audio/webm"));
    let ms = found.duration_ms.unwrap();
    assert!((1990..=2030).contains(&ms), "{ms}");
    // The same file as MediaRecorder would leave it, without Duration: the clusters tell.
    let mut stripped = VOICE_WEBM.to_vec();
    let at = stripped
        .windows(3)
        .position(|w| w == [0x44, 0x89, 0x88])
        .expect("ffmpeg writes an 8-byte Duration");
    // Same length: a Void element (0xEC) with a 2-byte size of 8.
    stripped[at..at + 3].copy_from_slice(&[0xEC, 0x40, 0x08]);
    let without = sniff(&stripped).unwrap().duration_ms.unwrap();
    assert!((1940..=2010).contains(&without), "{without}");
}

/// An Ogg page of one packet.
fn page(header_type: u8, granule: i64, serial: u32, body: &[u8]) -> Vec<u8> {
    let mut out = b"OggS\0".to_vec();
    out.push(header_type);
    out.extend_from_slice(&granule.to_le_bytes());
    out.extend_from_slice(&serial.to_le_bytes());
    out.extend_from_slice(&[0; 8]);
    let mut table = vec![255u8; body.len() / 255];
    table.push((body.len() % 255) as u8);
    out.push(table.len() as u8);
    out.extend(table);
    out.extend_from_slice(body);
    out
}

fn opus_head(pre_skip: u16) -> Vec<u8> {
    let mut head = b"OpusHead\x01\x01".to_vec();
    head.extend_from_slice(&pre_skip.to_le_bytes());
    head.extend_from_slice(&48_000u32.to_le_bytes());
    head.extend_from_slice(&[0, 0, 0]);
    head
}

#[test]
fn ogg_opus_lasts_its_last_granule_less_the_pre_skip() {
    let file = [
        page(0x02, 0, 7, &opus_head(312)),
        page(0, 0, 7, b"OpusTags\0\0\0\0\0\0\0\0"),
        page(0, 48_000 + 312, 7, &[0xFC; 300]),
        page(0, -1, 7, &[0xFC; 20]),
        page(0x04, 3 * 48_000 + 312, 7, &[0xFC; 40]),
    ]
    .concat();
    let found = sniff(&file).unwrap();
    assert_eq!((found.kind, found.mime), (MediaKind::Audio, "audio/ogg"));
    assert_eq!(found.duration_ms, Some(3000));
    // Cut inside the last page: the page before it tells.
    assert_eq!(
        sniff(&file[..file.len() - 10]).unwrap().duration_ms,
        Some(1000)
    );
    // Vorbis in Ogg is not a voice we take; neither is a page that starts no stream.
    let vorbis = [
        page(0x02, 0, 1, b"\x01vorbis\0\0\0\0\x01"),
        page(0, 44_100, 1, &[1; 8]),
    ]
    .concat();
    assert_eq!(sniff(&vorbis), Err(Refusal::UnsupportedCodec));
    assert_eq!(
        sniff(&page(0, 0, 1, &opus_head(0))),
        Err(Refusal::UnknownContainer)
    );
    let found = sniff(VOICE_OGG).unwrap();
    assert_eq!(
        (found.kind, found.duration_ms),
        (MediaKind::Audio, Some(2000))
    );
}

fn mp4_box(kind: &[u8; 4], body: &[u8]) -> Vec<u8> {
    let mut out = ((body.len() + 8) as u32).to_be_bytes().to_vec();
    out.extend_from_slice(kind);
    out.extend_from_slice(body);
    out
}

#[test]
fn mp4_lasts_its_movie_header_duration() {
    let ftyp = mp4_box(b"ftyp", b"isom\0\0\x02\0isomavc1");
    let mut mvhd0 = vec![0u8; 100];
    mvhd0[12..16].copy_from_slice(&600u32.to_be_bytes());
    mvhd0[16..20].copy_from_slice(&2_700u32.to_be_bytes());
    let moov = mp4_box(b"moov", &mp4_box(b"mvhd", &mvhd0));
    let file = [ftyp.clone(), mp4_box(b"free", &[0; 4]), moov].concat();
    let found = sniff(&file).unwrap();
    assert_eq!(
        (found.kind, found.mime, found.duration_ms),
        (MediaKind::Video, "video/mp4", Some(4500))
    );
    let mut mvhd1 = vec![0u8; 112];
    mvhd1[0] = 1;
    mvhd1[20..24].copy_from_slice(&90_000u32.to_be_bytes());
    mvhd1[24..32].copy_from_slice(&900_000u64.to_be_bytes());
    let file = [ftyp.clone(), mp4_box(b"moov", &mp4_box(b"mvhd", &mvhd1))].concat();
    assert_eq!(sniff(&file).unwrap().duration_ms, Some(10_000));
    // A fragmented recording's header says 0: unknown, not zero.
    let mut mvhd_frag = mvhd0.clone();
    mvhd_frag[16..20].copy_from_slice(&0u32.to_be_bytes());
    let file = [
        ftyp.clone(),
        mp4_box(b"moov", &mp4_box(b"mvhd", &mvhd_frag)),
    ]
    .concat();
    assert_eq!(sniff(&file).unwrap().duration_ms, None);
    // A box claiming less than its own header is damage.
    let mut broken = ftyp;
    broken.extend_from_slice(&[0, 0, 0, 3, b'm', b'o', b'o', b'v']);
    assert_eq!(sniff(&broken), Err(Refusal::UnknownContainer));
}
