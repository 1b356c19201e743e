//! The DICOM receiver driven as a scanner would drive it: dcmtk's `echoscu` and `storescu`,
//! plus a dicom-ul client that drops its connection in the middle of an object.
//!
//! dcmtk comes from Debian (`apt-get install dcmtk`). With `SONOHUB_REQUIRE_TOOLS=1` a missing
//! tool fails the test instead of skipping it.

use cine::synth::{SynthOptions, SynthSyntax, synth_clip};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use dicom_core::{DataElement, PrimitiveValue, VR};
use dicom_dictionary_std::{tags, uids};
use dicom_object::InMemDicomObject;
use dicom_transfer_syntax_registry::entries::IMPLICIT_VR_LITTLE_ENDIAN;
use dicom_ul::pdu::{PDataValue, PDataValueType, Pdu};
use server::store_scp::{self, Inbox, ScpSettings};
use tokio::sync::watch;

const AE_TITLE: &str = "SONOHUB";
const EXPLICIT_VR_LE: &str = "1.2.840.10008.1.2.1";
const RLE_LOSSLESS: &str = "1.2.840.10008.1.2.5";
const JPEG_BASELINE: &str = "1.2.840.10008.1.2.4.50";

/// True when dcmtk's network tools run; otherwise fails (required) or says why the test skips.
fn have_dcmtk() -> bool {
    crate::common::tool(
        "dcmtk (storescu, echoscu)",
        ["storescu", "echoscu"]
            .iter()
            .all(|t| crate::common::runs(t)),
    )
}

/// What the receiver told the inbox, in order.
#[derive(Default)]
struct Record {
    begun: Vec<(String, String)>,
    stored: Vec<(String, Vec<u8>)>,
    ended: Vec<(String, bool, usize)>,
}

#[derive(Default)]
struct MemoryInbox {
    record: Mutex<Record>,
}

#[async_trait::async_trait]
impl Inbox for MemoryInbox {
    async fn begin(&self, calling_ae: &str, _peer: SocketAddr) -> anyhow::Result<String> {
        let mut record = self.record.lock().expect("lock");
        let id = format!("job-{}", record.begun.len() + 1);
        record.begun.push((id.clone(), calling_ae.to_owned()));
        Ok(id)
    }

    async fn store(&self, association: &str, file: Vec<u8>) -> anyhow::Result<()> {
        let mut record = self.record.lock().expect("lock");
        record.stored.push((association.to_owned(), file));
        Ok(())
    }

    async fn end(&self, association: &str, complete: bool, received: usize) {
        let mut record = self.record.lock().expect("lock");
        record
            .ended
            .push((association.to_owned(), complete, received));
    }
}

impl MemoryInbox {
    /// Waits (bounded) until `n` associations have ended: the tools exit as soon as they have
    /// sent the release, which can be a moment before the receiver reports the end.
    async fn ended(&self, n: usize) -> Vec<(String, bool, usize)> {
        for _ in 0..500 {
            let ended = self.record.lock().expect("lock").ended.clone();
            if ended.len() >= n {
                return ended;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!("fewer than {n} associations ended");
    }

    fn stored(&self) -> Vec<(String, Vec<u8>)> {
        self.record.lock().expect("lock").stored.clone()
    }

    fn begun(&self) -> Vec<(String, String)> {
        self.record.lock().expect("lock").begun.clone()
    }
}

/// A receiver on a free loopback port.
struct Scp {
    addr: SocketAddr,
    inbox: Arc<MemoryInbox>,
    shutdown: watch::Sender<bool>,
    task: tokio::task::JoinHandle<anyhow::Result<()>>,
}

impl Scp {
    async fn start(max_object_bytes: u64) -> Scp {
        Scp::start_with(max_object_bytes, Duration::from_secs(10)).await
    }

    async fn start_with(max_object_bytes: u64, idle_timeout: Duration) -> Scp {
        Scp::start_limited(ScpSettings {
            idle_timeout,
            ..ScpSettings::new(AE_TITLE, max_object_bytes)
        })
        .await
    }

    async fn start_limited(settings: ScpSettings) -> Scp {
        let _ = tracing_subscriber::fmt().with_test_writer().try_init();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("address");
        let inbox = Arc::new(MemoryInbox::default());
        let (shutdown, watcher) = watch::channel(false);
        let task = tokio::spawn(store_scp::serve(listener, settings, inbox.clone(), watcher));
        Scp {
            addr,
            inbox,
            shutdown,
            task,
        }
    }

    async fn stop(self) {
        self.shutdown.send(true).expect("receiver running");
        self.task.await.expect("join").expect("serve");
    }

    /// Runs a dcmtk tool against this receiver (blocking, so off the async workers).
    async fn run(&self, tool: &str, args: &[&str], files: &[PathBuf]) -> Output {
        let mut command = Command::new(tool);
        command
            .args(args)
            .arg("127.0.0.1")
            .arg(self.addr.port().to_string())
            .args(files);
        tokio::task::spawn_blocking(move || command.output().expect("run dcmtk"))
            .await
            .expect("join")
    }
}

fn log(output: &Output) -> String {
    format!(
        "status {:?}\nstdout:\n{}\nstderr:\n{}",
        output.status.code(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// A synthetic clip written to `dir`.
fn clip(
    dir: &Path,
    name: &str,
    syntax: SynthSyntax,
    seed: u64,
    size: (u32, u32),
    frames: u32,
) -> PathBuf {
    let bytes = synth_clip(&SynthOptions {
        width: size.0,
        height: size.1,
        frames,
        syntax,
        seed,
        ..SynthOptions::default()
    })
    .expect("synthesise clip");
    let path = dir.join(name);
    std::fs::write(&path, bytes).expect("write clip");
    path
}

/// Three small clips in the syntaxes scanners send: JPEG baseline, RLE and uncompressed RGB.
fn clips(dir: &Path) -> Vec<(PathBuf, &'static str)> {
    vec![
        (
            clip(dir, "jpeg.dcm", SynthSyntax::Jpeg, 1, (96, 64), 3),
            JPEG_BASELINE,
        ),
        (
            clip(dir, "rle.dcm", SynthSyntax::Rle, 2, (96, 64), 3),
            RLE_LOSSLESS,
        ),
        (
            clip(dir, "rgb.dcm", SynthSyntax::Rgb, 3, (96, 64), 3),
            EXPLICIT_VR_LE,
        ),
    ]
}

/// A storescu association profile proposing each clip's own transfer syntax in a context of
/// its own, so storescu sends every file as it is (its `-x…` options pick only one syntax).
fn proposal_config(dir: &Path) -> String {
    let path = dir.join("storescu.cfg");
    std::fs::write(
        &path,
        "[[TransferSyntaxes]]\n\
         [JPEGBaseline]\nTransferSyntax1 = JPEGBaseline\n\
         [RLE]\nTransferSyntax1 = RLELossless\n\
         [Uncompressed]\nTransferSyntax1 = LittleEndianExplicit\n\
         [[PresentationContexts]]\n\
         [Clips]\n\
         PresentationContext1 = UltrasoundMultiframeImageStorage\\JPEGBaseline\n\
         PresentationContext2 = UltrasoundMultiframeImageStorage\\RLE\n\
         PresentationContext3 = UltrasoundMultiframeImageStorage\\Uncompressed\n\
         [[Profiles]]\n\
         [Clips]\nPresentationContexts = Clips\n",
    )
    .expect("write storescu.cfg");
    path.to_str().expect("utf-8 path").to_owned()
}

/// The data set bytes of a Part 10 file: everything after preamble, magic and meta group.
fn data_set_bytes(file: &[u8]) -> &[u8] {
    assert_eq!(&file[128..132], b"DICM", "Part 10 magic");
    // (0002,0000) UL, explicit VR: tag 4, VR 2, length 2, value 4.
    let group_length = u32::from_le_bytes(file[140..144].try_into().expect("4 bytes"));
    &file[144 + group_length as usize..]
}

fn parse(file: &[u8]) -> dicom_object::DefaultDicomObject {
    dicom_object::from_reader(&file[128..]).expect("a Part 10 file")
}

fn text(object: &InMemDicomObject, tag: dicom_core::Tag) -> String {
    object
        .element(tag)
        .expect("element")
        .to_str()
        .expect("text")
        .trim_end_matches(['\0', ' '])
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn echo_succeeds() {
    if !have_dcmtk() {
        return;
    }
    let scp = Scp::start(1 << 30).await;
    let out = scp
        .run("echoscu", &["-aet", "SCANNER", "-aec", AE_TITLE], &[])
        .await;
    assert!(out.status.success(), "{}", log(&out));
    let ended = scp.inbox.ended(1).await;
    assert_eq!(ended, vec![("job-1".to_owned(), true, 0)]);
    assert_eq!(
        scp.inbox.begun(),
        vec![("job-1".to_owned(), "SCANNER".to_owned())]
    );
    scp.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_clips_arrive_unchanged_in_their_own_transfer_syntax() {
    if !have_dcmtk() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let clips = clips(dir.path());
    let config = proposal_config(dir.path());
    let scp = Scp::start(1 << 30).await;
    let paths: Vec<PathBuf> = clips.iter().map(|(path, _)| path.clone()).collect();
    let out = scp
        .run(
            "storescu",
            &["-aet", "SCANNER", "-aec", AE_TITLE, "-xf", &config, "Clips"],
            &paths,
        )
        .await;
    assert!(out.status.success(), "{}", log(&out));
    assert_eq!(
        scp.inbox.ended(1).await,
        vec![("job-1".to_owned(), true, 3)]
    );
    let stored = scp.inbox.stored();
    assert_eq!(stored.len(), 3);
    for ((path, syntax), (association, received)) in clips.iter().zip(&stored) {
        assert_eq!(association, "job-1");
        let original = std::fs::read(path).expect("read clip");
        // storescu re-encodes sequences (undefined → explicit lengths), so the bytes on the
        // wire differ from the file's; byte-exact storage of what was sent is checked by the
        // raw client below. Here: same object, same syntax, the same compressed frames.
        let (original, received) = (parse(&original), parse(received));
        assert_eq!(received.meta().transfer_syntax(), *syntax);
        assert_eq!(
            received.meta().media_storage_sop_class_uid(),
            uids::ULTRASOUND_MULTI_FRAME_IMAGE_STORAGE
        );
        let instance = text(&original, tags::SOP_INSTANCE_UID);
        assert_eq!(text(&received, tags::SOP_INSTANCE_UID), instance);
        assert_eq!(received.meta().media_storage_sop_instance_uid(), instance);
        assert_eq!(
            text(&received, tags::NUMBER_OF_FRAMES),
            text(&original, tags::NUMBER_OF_FRAMES)
        );
        assert!(
            received.element(tags::PIXEL_DATA).expect("pixels").value()
                == original.element(tags::PIXEL_DATA).expect("pixels").value(),
            "{} pixel data changed",
            path.display()
        );
    }
    scp.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_called_ae_title_is_rejected() {
    if !have_dcmtk() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let clip = clip(dir.path(), "rgb.dcm", SynthSyntax::Rgb, 1, (32, 24), 2);
    let scp = Scp::start(1 << 30).await;
    let out = scp
        .run("storescu", &["-aet", "SCANNER", "-aec", "PACS"], &[clip])
        .await;
    assert!(!out.status.success(), "{}", log(&out));
    let out = scp
        .run("echoscu", &["-aet", "SCANNER", "-aec", "PACS"], &[])
        .await;
    assert!(!out.status.success(), "{}", log(&out));
    // The rejection is sent before the tools exit, so nothing can still be on its way.
    assert!(scp.inbox.begun().is_empty());
    assert!(scp.inbox.stored().is_empty());
    scp.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_object_over_the_limit_is_refused_and_the_next_one_still_arrives() {
    if !have_dcmtk() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let big = clip(dir.path(), "big.dcm", SynthSyntax::Rgb, 1, (256, 192), 8);
    let small = clip(dir.path(), "small.dcm", SynthSyntax::Rgb, 2, (32, 24), 2);
    let limit = 100_000;
    assert!(std::fs::metadata(&big).expect("size").len() > 2 * limit);
    let scp = Scp::start(limit).await;
    let out = scp
        .run(
            "storescu",
            &["-v", "-aet", "SCANNER", "-aec", AE_TITLE, "--no-halt"],
            &[big, small.clone()],
        )
        .await;
    let report = log(&out);
    // dcmtk 3.6 exits 0 after a refused object; its log tells each answer.
    let refused = report
        .find("Received Store Response (Refused: OutOfResources)")
        .unwrap_or_else(|| panic!("big clip not refused: {report}"));
    let success = report
        .find("Received Store Response (Success)")
        .unwrap_or_else(|| panic!("small clip not stored: {report}"));
    assert!(refused < success, "{report}");
    assert_eq!(
        scp.inbox.ended(1).await,
        vec![("job-1".to_owned(), true, 1)]
    );
    let stored = scp.inbox.stored();
    assert_eq!(stored.len(), 1);
    let small = parse(&std::fs::read(&small).expect("read"));
    assert_eq!(
        text(&parse(&stored[0].1), tags::SOP_INSTANCE_UID),
        text(&small, tags::SOP_INSTANCE_UID)
    );
    scp.stop().await;
}

/// A C-STORE-RQ command set, as a scanner would send it.
fn store_command(message_id: u16, instance: &str) -> Vec<u8> {
    let command = InMemDicomObject::from_element_iter([
        DataElement::new(
            tags::AFFECTED_SOP_CLASS_UID,
            VR::UI,
            PrimitiveValue::from(uids::ULTRASOUND_MULTI_FRAME_IMAGE_STORAGE),
        ),
        DataElement::new(tags::COMMAND_FIELD, VR::US, PrimitiveValue::from(0x0001u16)),
        DataElement::new(tags::MESSAGE_ID, VR::US, PrimitiveValue::from(message_id)),
        DataElement::new(tags::PRIORITY, VR::US, PrimitiveValue::from(0u16)),
        DataElement::new(
            tags::COMMAND_DATA_SET_TYPE,
            VR::US,
            PrimitiveValue::from(0u16),
        ),
        DataElement::new(
            tags::AFFECTED_SOP_INSTANCE_UID,
            VR::UI,
            PrimitiveValue::from(instance),
        ),
    ]);
    let mut bytes = Vec::new();
    command
        .write_dataset_with_ts(&mut bytes, &IMPLICIT_VR_LITTLE_ENDIAN.erased())
        .expect("encode command");
    // The group length element: tag, length 4, value (counting the bytes above).
    let mut out = vec![0, 0, 0, 0, 4, 0, 0, 0];
    out.extend_from_slice(&(bytes.len() as u32).to_le_bytes());
    out.extend_from_slice(&bytes);
    out
}

fn pdata(context: u8, value_type: PDataValueType, is_last: bool, data: &[u8]) -> Pdu {
    Pdu::PData {
        data: vec![PDataValue {
            presentation_context_id: context,
            value_type,
            is_last,
            data: data.to_vec(),
        }],
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connection_dropped_mid_object_keeps_only_the_complete_ones() {
    if !have_dcmtk() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let clip = std::fs::read(clip(
        dir.path(),
        "rgb.dcm",
        SynthSyntax::Rgb,
        1,
        (64, 48),
        3,
    ))
    .expect("read");
    let data_set = data_set_bytes(&clip);
    let scp = Scp::start(1 << 30).await;
    let mut association = dicom_ul::ClientAssociationOptions::new()
        .calling_ae_title("DROPPER")
        .called_ae_title(AE_TITLE)
        .with_presentation_context(
            uids::ULTRASOUND_MULTI_FRAME_IMAGE_STORAGE,
            vec![EXPLICIT_VR_LE],
        )
        .establish_async(scp.addr)
        .await
        .expect("association");
    let context = association.presentation_contexts()[0].id;

    // One whole object, answered with success.
    association
        .send(&pdata(
            context,
            PDataValueType::Command,
            true,
            &store_command(1, "2.25.1"),
        ))
        .await
        .expect("send command");
    let (first, rest) = data_set.split_at(data_set.len() / 2);
    association
        .send(&pdata(context, PDataValueType::Data, false, first))
        .await
        .expect("send data");
    association
        .send(&pdata(context, PDataValueType::Data, true, rest))
        .await
        .expect("send data");
    let response = association.receive().await.expect("response");
    let Pdu::PData { data } = response else {
        panic!("expected a response, got {response:?}");
    };
    let response = InMemDicomObject::read_dataset_with_ts(
        &data[0].data[..],
        &IMPLICIT_VR_LITTLE_ENDIAN.erased(),
    )
    .expect("response command");
    assert_eq!(
        response
            .element(tags::STATUS)
            .expect("status")
            .to_int::<u16>()
            .expect("int"),
        0
    );

    // Half of the next one, then the connection goes away.
    association
        .send(&pdata(
            context,
            PDataValueType::Command,
            true,
            &store_command(2, "2.25.2"),
        ))
        .await
        .expect("send command");
    association
        .send(&pdata(context, PDataValueType::Data, false, first))
        .await
        .expect("send data");

    // Meanwhile another sender is served: associations run side by side.
    let out = scp
        .run("echoscu", &["-aet", "OTHER", "-aec", AE_TITLE], &[])
        .await;
    assert!(out.status.success(), "{}", log(&out));
    drop(association);

    let ended = scp.inbox.ended(2).await;
    assert!(ended.contains(&("job-2".to_owned(), true, 0)), "{ended:?}");
    assert!(ended.contains(&("job-1".to_owned(), false, 1)), "{ended:?}");
    // Only the complete object, its data set byte for byte what was sent.
    let stored = scp.inbox.stored();
    assert_eq!(stored.len(), 1);
    assert!(data_set_bytes(&stored[0].1) == data_set);
    let meta = parse(&stored[0].1);
    assert_eq!(meta.meta().transfer_syntax(), EXPLICIT_VR_LE);
    assert_eq!(meta.meta().media_storage_sop_instance_uid(), "2.25.1");
    scp.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_silent_sender_is_aborted_after_the_idle_timeout() {
    let scp = Scp::start_with(1 << 30, Duration::from_millis(300)).await;
    let mut association = dicom_ul::ClientAssociationOptions::new()
        .calling_ae_title("SILENT")
        .called_ae_title(AE_TITLE)
        .with_presentation_context(uids::VERIFICATION, vec![EXPLICIT_VR_LE])
        .establish_async(scp.addr)
        .await
        .expect("association");
    // Say nothing: the receiver gives up and tells us so with an A-ABORT.
    let pdu = tokio::time::timeout(Duration::from_secs(10), association.receive())
        .await
        .expect("the receiver should not wait forever")
        .expect("a PDU");
    assert!(matches!(pdu, Pdu::AbortRQ { .. }), "{pdu:?}");
    assert_eq!(
        scp.inbox.ended(1).await,
        vec![("job-1".to_owned(), false, 0)]
    );
    scp.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_senders_on_the_allow_list_may_store() {
    if !have_dcmtk() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let clip = clip(dir.path(), "rgb.dcm", SynthSyntax::Rgb, 1, (32, 24), 2);
    let allow = |list: &[&str]| ScpSettings {
        senders: list.iter().map(|s| s.parse().unwrap()).collect(),
        ..ScpSettings::new(AE_TITLE, 1 << 30)
    };
    let scp = Scp::start_limited(allow(&["SCANNER@127.0.0.0/8", "@10.9.9.9"])).await;
    let out = scp
        .run(
            "storescu",
            &["-aet", "INTRUDER", "-aec", AE_TITLE],
            std::slice::from_ref(&clip),
        )
        .await;
    assert!(!out.status.success(), "{}", log(&out));
    assert!(
        scp.inbox.begun().is_empty(),
        "an unlisted AE title is rejected"
    );
    let out = scp
        .run(
            "storescu",
            &["-aet", "SCANNER", "-aec", AE_TITLE],
            std::slice::from_ref(&clip),
        )
        .await;
    assert!(out.status.success(), "{}", log(&out));
    assert_eq!(scp.inbox.stored().len(), 1);
    scp.stop().await;
    // The right AE title from an address not on the list is rejected too.
    let scp = Scp::start_limited(allow(&["SCANNER@10.0.0.0/8"])).await;
    let out = scp
        .run("storescu", &["-aet", "SCANNER", "-aec", AE_TITLE], &[clip])
        .await;
    assert!(!out.status.success(), "{}", log(&out));
    assert!(scp.inbox.begun().is_empty());
    scp.stop().await;
    for bad in [
        "",
        "@",
        "A@not-a-network",
        "MUCH-TOO-LONG-AE-TITLE@10.0.0.1",
    ] {
        assert!(bad.parse::<store_scp::AllowedSender>().is_err(), "{bad:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn associations_past_the_limit_are_turned_away_until_one_ends() {
    if !have_dcmtk() {
        return;
    }
    let scp = Scp::start_limited(ScpSettings {
        max_associations: 1,
        ..ScpSettings::new(AE_TITLE, 1 << 30)
    })
    .await;
    let held = dicom_ul::ClientAssociationOptions::new()
        .calling_ae_title("HOLDER")
        .called_ae_title(AE_TITLE)
        .with_presentation_context(uids::VERIFICATION, vec![EXPLICIT_VR_LE])
        .establish_async(scp.addr)
        .await
        .expect("association");
    let echo = || scp.run("echoscu", &["-aet", "SCANNER", "-aec", AE_TITLE], &[]);
    let out = echo().await;
    assert!(
        !out.status.success(),
        "a second sender at once: {}",
        log(&out)
    );
    held.release().await.expect("release");
    scp.inbox.ended(1).await;
    // Its slot is free once its task has ended, a moment after the inbox heard of it.
    let mut out = echo().await;
    for _ in 0..50 {
        if out.status.success() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
        out = echo().await;
    }
    assert!(out.status.success(), "{}", log(&out));
    scp.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn objects_past_the_memory_budget_are_refused_and_later_ones_arrive() {
    if !have_dcmtk() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let big = clip(dir.path(), "big.dcm", SynthSyntax::Rgb, 1, (256, 192), 4);
    let small = clip(dir.path(), "small.dcm", SynthSyntax::Rgb, 2, (32, 24), 2);
    let budget = 128 * 1024;
    assert!(std::fs::metadata(&big).expect("size").len() > 2 * budget);
    let scp = Scp::start_limited(ScpSettings {
        max_buffered_bytes: budget,
        ..ScpSettings::new(AE_TITLE, 1 << 30)
    })
    .await;
    let out = scp
        .run(
            "storescu",
            &["-v", "-aet", "SCANNER", "-aec", AE_TITLE, "--no-halt"],
            &[big, small.clone(), small],
        )
        .await;
    let report = log(&out);
    assert!(
        report.contains("Received Store Response (Refused: OutOfResources)"),
        "{report}"
    );
    assert_eq!(
        report.matches("Received Store Response (Success)").count(),
        2,
        "the budget is given back after each object: {report}"
    );
    assert_eq!(scp.inbox.stored().len(), 2);
    scp.stop().await;
}
