//! DICOM C-STORE receiver (storage SCP): scanners and PACS push studies to SonoHub's inbox.
//!
//! Each association runs in its own task. Verification (C-ECHO) and every standard storage SOP
//! class are accepted in any transfer syntax the registry knows, compressed ones included; the
//! first syntax the sender proposes wins, so nothing is ever transcoded. A complete object is
//! handed to the [`Inbox`] as a Part 10 file: a file meta group naming the negotiated transfer
//! syntax, followed by exactly the data set bytes that arrived. Partial objects (aborts,
//! dropped connections, objects over the size limit) never reach the inbox.
//!
//! Limits that hold against a sender that misbehaves: at most `max_associations` at once
//! (further connections are closed unread); at most `max_buffered_bytes` of objects in memory
//! across all associations (an object that would pass it is refused, Out of Resources); the
//! called AE title must be ours, and with an allow-list the calling AE title and address must
//! be on it. The inbox adds its disk quotas ([`ImportInbox`]).
//!
//! Logs name AE titles, peers, SOP classes and sizes; never patient data or instance UIDs.

mod dimse;
mod storage_classes;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use dicom_dictionary_std::uids;
use dicom_object::FileMetaTableBuilder;
use dicom_ul::ServerAssociationOptions;
use dicom_ul::association::Association as _;
use dicom_ul::association::server::{AccessControl, AsyncServerAssociation};
use dicom_ul::pdu::{
    AssociationRJServiceUserReason, PDataValue, PDataValueType, Pdu,
    PresentationContextResultReason, UserIdentity,
};
use domain::audit::Actor;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, watch};
use tokio::task::JoinSet;
use tracing::Instrument as _;

use dimse::{C_ECHO_RQ, C_STORE_RQ, Request, parse_command, response_command, status, trim_uid};
pub use storage_classes::STORAGE_SOP_CLASSES;

/// Implementation Class UID written into received files' meta groups (a UUID-derived 2.25 UID).
pub const IMPLEMENTATION_CLASS_UID: &str = "2.25.158129884534851813817857872155535117044";
/// Implementation Version Name written next to it (at most 16 characters).
pub const IMPLEMENTATION_VERSION_NAME: &str = "SONOHUB_SCP";
/// Largest PDU we accept: few round trips per clip, bounded memory per association.
pub(crate) const MAX_PDU_LENGTH: u32 = 256 * 1024;
/// A command set is a few hundred bytes; anything this large is a confused or hostile peer.
pub(crate) const MAX_COMMAND_BYTES: usize = 64 * 1024;

/// Settings of the receiver.
#[derive(Debug, Clone)]
pub struct ScpSettings {
    /// Our AE title; associations calling another title are rejected.
    pub ae_title: String,
    /// An object larger than this (data set bytes) is refused with a failure status, nothing stored.
    pub max_object_bytes: u64,
    /// How long an association may stay silent before it is aborted; also the shutdown grace.
    pub idle_timeout: Duration,
    /// Associations served at once; connections beyond are closed at once.
    pub max_associations: usize,
    /// Bytes of objects being received that all associations together may hold in memory.
    pub max_buffered_bytes: u64,
    /// Who may send; empty: anyone who calls our AE title.
    pub senders: Vec<AllowedSender>,
}

impl ScpSettings {
    /// A receiver called `ae_title` with the default limits.
    pub fn new(ae_title: &str, max_object_bytes: u64) -> ScpSettings {
        ScpSettings {
            ae_title: ae_title.to_string(),
            max_object_bytes,
            idle_timeout: Duration::from_secs(60),
            max_associations: 8,
            max_buffered_bytes: 1 << 30,
            senders: Vec::new(),
        }
    }
}

/// One entry of the sender allow-list: `AE`, `AE@network`, or `@network` (any AE title from
/// there), the network an address or CIDR block.
#[derive(Debug, Clone, PartialEq)]
pub struct AllowedSender {
    pub ae_title: Option<String>,
    pub network: Option<ipnet::IpNet>,
}

impl std::str::FromStr for AllowedSender {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (ae, net) = match s.trim().split_once('@') {
            Some((ae, net)) => (ae.trim(), Some(net.trim())),
            None => (s.trim(), None),
        };
        let network = net
            .map(|n| {
                n.parse::<ipnet::IpNet>()
                    .or_else(|_| n.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                    .map_err(|_| format!("{n:?} is not an address or network"))
            })
            .transpose()?;
        if ae.len() > 16 || ae.contains('\\') {
            return Err(format!("{ae:?} is not an AE title"));
        }
        let ae_title = (!ae.is_empty()).then(|| ae.to_string());
        if ae_title.is_none() && network.is_none() {
            return Err("an allowed sender needs an AE title or a network".into());
        }
        Ok(AllowedSender { ae_title, network })
    }
}

impl AllowedSender {
    fn admits(&self, calling_ae: &str, peer: std::net::IpAddr) -> bool {
        self.ae_title
            .as_deref()
            .is_none_or(|ae| ae == calling_ae.trim())
            && self.network.is_none_or(|net| net.contains(&peer))
    }
}

/// Where received objects go. Implemented by the import pipeline; tests use an in-memory one.
#[async_trait::async_trait]
pub trait Inbox: Send + Sync + 'static {
    /// An association was accepted; returns an id for it (the import job id).
    async fn begin(&self, calling_ae: &str, peer: SocketAddr) -> anyhow::Result<String>;
    /// One complete object arrived, as a DICOM Part 10 file (file meta group written with the
    /// transfer syntax that was negotiated, SOP class/instance UIDs from the command set).
    /// An Err makes the C-STORE answer a failure status: 0xC000 "cannot understand" when the
    /// error is a [`CannotUnderstand`], 0xA700 "out of resources" otherwise.
    async fn store(&self, association: &str, file: Vec<u8>) -> anyhow::Result<()>;
    /// The association ended: `complete` is false when it was aborted or the connection dropped.
    async fn end(&self, association: &str, complete: bool, received: usize);
}

/// An [`Inbox::store`] error meaning the object itself is unusable (answered 0xC000), as
/// opposed to the inbox being unable to keep it (0xA700).
#[derive(Debug)]
pub struct CannotUnderstand(pub String);

impl std::fmt::Display for CannotUnderstand {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "cannot understand the object: {}", self.0)
    }
}

impl std::error::Error for CannotUnderstand {}

/// Accepts associations on `listener` until `shutdown` turns true (or its sender is dropped).
/// Open associations then get `idle_timeout` to finish before they are aborted.
pub async fn serve(
    listener: TcpListener,
    settings: ScpSettings,
    inbox: Arc<dyn Inbox>,
    mut shutdown: watch::Receiver<bool>,
) -> anyhow::Result<()> {
    let local = listener
        .local_addr()
        .context("reading the listener's address")?;
    let settings = Arc::new(settings);
    let slots = Arc::new(Semaphore::new(settings.max_associations.max(1)));
    let budget = Arc::new(Semaphore::new(kib(settings.max_buffered_bytes)));
    let (stop_tx, stop_rx) = watch::channel(false);
    let mut associations = JoinSet::new();
    tracing::info!(ae_title = %settings.ae_title, %local, "DICOM receiver listening");
    while !*shutdown.borrow_and_update() {
        tokio::select! {
            changed = shutdown.changed() => if changed.is_err() { break },
            accepted = listener.accept() => match accepted {
                Ok((socket, peer)) => {
                    let Ok(slot) = slots.clone().try_acquire_owned() else {
                        tracing::warn!(
                            %peer,
                            limit = settings.max_associations,
                            "DICOM connection closed: too many associations at once"
                        );
                        drop(socket);
                        continue;
                    };
                    let span = tracing::info_span!(
                        "dicom_association", %peer, association = tracing::field::Empty
                    );
                    let task = handle_connection(
                        socket, peer, settings.clone(), inbox.clone(), stop_rx.clone(),
                        budget.clone(),
                    );
                    associations.spawn(async move {
                        task.await;
                        drop(slot);
                    }.instrument(span));
                }
                Err(error) => {
                    // Typically out of file descriptors: back off instead of spinning.
                    tracing::warn!(%error, "accepting a DICOM connection failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            },
            Some(joined) = associations.join_next(), if !associations.is_empty() => {
                log_join(joined);
            }
        }
    }
    drop(listener);
    tracing::info!(open = associations.len(), "DICOM receiver stopping");
    let drain = async {
        while let Some(joined) = associations.join_next().await {
            log_join(joined);
        }
    };
    if tokio::time::timeout(settings.idle_timeout, drain)
        .await
        .is_err()
    {
        // The receiver of `stop_tx` lives in every task, so this cannot fail while any runs.
        let _ = stop_tx.send(true);
        while let Some(joined) = associations.join_next().await {
            log_join(joined);
        }
    }
    tracing::info!("DICOM receiver stopped");
    Ok(())
}

fn log_join(joined: Result<(), tokio::task::JoinError>) {
    if let Err(error) = joined {
        tracing::error!(%error, "a DICOM association task failed");
    }
}

/// Whole KiB in `bytes` (rounded up), as semaphore permits.
fn kib(bytes: u64) -> usize {
    usize::try_from(bytes.div_ceil(1024))
        .unwrap_or(usize::MAX)
        .min(Semaphore::MAX_PERMITS)
}

/// Rejects associations that call another AE title, or, with an allow-list, come from a
/// sender not on it; logs who tried (the span has the peer).
struct Admission {
    peer: std::net::IpAddr,
    senders: Vec<AllowedSender>,
}

impl AccessControl for Admission {
    fn check_access(
        &self,
        this_ae_title: &str,
        calling_ae_title: &str,
        called_ae_title: &str,
        _user_identity: Option<&UserIdentity>,
    ) -> Result<(), AssociationRJServiceUserReason> {
        if called_ae_title.trim() != this_ae_title.trim() {
            tracing::warn!(
                calling_ae = calling_ae_title,
                called_ae = called_ae_title,
                "DICOM association rejected: called AE title is not ours"
            );
            return Err(AssociationRJServiceUserReason::CalledAETitleNotRecognized);
        }
        let listed = self.senders.is_empty()
            || self
                .senders
                .iter()
                .any(|s| s.admits(calling_ae_title, self.peer));
        if !listed {
            tracing::warn!(
                calling_ae = calling_ae_title,
                "DICOM association rejected: sender not on the allow-list"
            );
            return Err(AssociationRJServiceUserReason::CallingAETitleNotRecognized);
        }
        Ok(())
    }
}

type Assoc = AsyncServerAssociation<TcpStream>;

async fn handle_connection(
    socket: TcpStream,
    peer: SocketAddr,
    settings: Arc<ScpSettings>,
    inbox: Arc<dyn Inbox>,
    mut stop: watch::Receiver<bool>,
    budget: Arc<Semaphore>,
) {
    let options = STORAGE_SOP_CLASSES
        .iter()
        .fold(
            ServerAssociationOptions::new().with_abstract_syntax(uids::VERIFICATION),
            |options, uid| options.with_abstract_syntax(*uid),
        )
        .ae_access_control(Admission {
            peer: peer.ip(),
            senders: settings.senders.clone(),
        })
        .ae_title(settings.ae_title.clone())
        .max_pdu_length(MAX_PDU_LENGTH)
        .read_timeout(settings.idle_timeout)
        .write_timeout(settings.idle_timeout);
    // Responses are small writes the sender waits for: don't let Nagle hold them back.
    if let Err(error) = socket.set_nodelay(true) {
        tracing::debug!(%error, "cannot disable Nagle's algorithm");
    }
    let mut association = match options.establish_async(socket).await {
        Ok(association) => association,
        // A wrong called AE title or an unlisted sender was logged by `Admission`.
        Err(error @ dicom_ul::association::Error::Rejected { .. }) => {
            tracing::debug!(%error, "DICOM association rejected");
            return;
        }
        Err(error) => {
            tracing::warn!(error = %anyhow::Error::new(error), "DICOM association not established");
            return;
        }
    };
    let calling_ae = association.peer_ae_title().to_owned();
    let id = match inbox.begin(&calling_ae, peer).await {
        Ok(id) => id,
        Err(error) => {
            tracing::error!(
                calling_ae,
                error = format!("{error:#}"),
                "inbox refused a DICOM association; aborting it"
            );
            let _ = association.abort().await;
            return;
        }
    };
    tracing::Span::current().record("association", id.as_str());
    let contexts = association
        .presentation_contexts()
        .iter()
        .filter(|pc| pc.reason == PresentationContextResultReason::Acceptance)
        .count();
    tracing::info!(calling_ae, contexts, "DICOM association accepted");

    let mut session = Session {
        id,
        calling_ae,
        settings,
        inbox,
        budget,
        pending: Pending::Idle,
        received: 0,
    };
    let outcome = session.run(&mut association, &mut stop).await;
    let complete = matches!(outcome, Outcome::Released);
    match outcome {
        Outcome::Released => {
            tracing::info!(received = session.received, "DICOM association released")
        }
        Outcome::PeerAborted => {
            tracing::warn!(
                received = session.received,
                "DICOM association aborted by the sender"
            )
        }
        Outcome::Failed(error) => {
            tracing::warn!(
                received = session.received,
                error = format!("{error:#}"),
                "DICOM association failed; aborting it"
            );
            let _ = association.abort().await;
        }
        Outcome::Stopped => {
            tracing::info!(
                received = session.received,
                "DICOM receiver stopping; aborting association"
            );
            let _ = association.abort().await;
        }
    }
    session
        .inbox
        .end(&session.id, complete, session.received)
        .await;
}

/// How an association ended.
enum Outcome {
    /// The sender released it normally.
    Released,
    /// The sender sent A-ABORT.
    PeerAborted,
    /// Connection lost, idle timeout or protocol error; we abort.
    Failed(anyhow::Error),
    /// The receiver is shutting down; we abort.
    Stopped,
}

/// Why an object is answered with a failure once its data set has arrived.
struct Refusal {
    status: u16,
    comment: &'static str,
}

/// A request whose data set is arriving.
struct Incoming {
    context: u8,
    request: Request,
    transfer_syntax: String,
    /// The Part 10 file being assembled: preamble and meta group, then data set fragments.
    file: Vec<u8>,
    header_len: usize,
    /// Set when the object will be refused; its fragments are then discarded as they come.
    refusal: Option<Refusal>,
    /// Its share of the memory budget, held until it is stored or refused.
    held: Option<OwnedSemaphorePermit>,
}

/// Where the association is in the message it is receiving.
enum Pending {
    Idle,
    Command { context: u8, bytes: Vec<u8> },
    DataSet(Incoming),
}

struct Session {
    id: String,
    calling_ae: String,
    settings: Arc<ScpSettings>,
    inbox: Arc<dyn Inbox>,
    /// The memory budget all associations share, in KiB.
    budget: Arc<Semaphore>,
    pending: Pending,
    received: usize,
}

impl Session {
    async fn run(&mut self, association: &mut Assoc, stop: &mut watch::Receiver<bool>) -> Outcome {
        loop {
            let received = tokio::select! {
                pdu = association.receive() => pdu,
                Ok(_) = stop.wait_for(|stop| *stop) => return Outcome::Stopped,
            };
            let pdu = match received {
                Ok(pdu) => pdu,
                Err(error @ dicom_ul::association::Error::Timeout { .. }) => {
                    return Outcome::Failed(anyhow::Error::new(error).context("idle timeout"));
                }
                Err(error) => {
                    return Outcome::Failed(anyhow::Error::new(error).context("receiving a PDU"));
                }
            };
            match pdu {
                Pdu::PData { data } => {
                    for value in data {
                        if let Err(error) = self.on_pdata_value(association, value).await {
                            return Outcome::Failed(error);
                        }
                    }
                }
                Pdu::ReleaseRQ => {
                    if !matches!(self.pending, Pending::Idle) {
                        return Outcome::Failed(anyhow::anyhow!(
                            "release requested in the middle of a message"
                        ));
                    }
                    return match association.send(&Pdu::ReleaseRP).await {
                        Ok(()) => Outcome::Released,
                        Err(error) => Outcome::Failed(
                            anyhow::Error::new(error).context("answering the release request"),
                        ),
                    };
                }
                Pdu::AbortRQ { .. } => return Outcome::PeerAborted,
                other => {
                    return Outcome::Failed(anyhow::anyhow!(
                        "unexpected PDU {}",
                        other.short_description()
                    ));
                }
            }
        }
    }

    async fn on_pdata_value(
        &mut self,
        association: &mut Assoc,
        value: PDataValue,
    ) -> anyhow::Result<()> {
        match value.value_type {
            PDataValueType::Command => self.on_command_fragment(association, value).await,
            PDataValueType::Data => self.on_data_fragment(association, value).await,
        }
    }

    async fn on_command_fragment(
        &mut self,
        association: &mut Assoc,
        value: PDataValue,
    ) -> anyhow::Result<()> {
        let context = value.presentation_context_id;
        let bytes = match std::mem::replace(&mut self.pending, Pending::Idle) {
            Pending::Idle => value.data,
            Pending::Command {
                context: started,
                mut bytes,
            } if started == context => {
                bytes.extend_from_slice(&value.data);
                bytes
            }
            _ => anyhow::bail!("command fragment out of sequence"),
        };
        anyhow::ensure!(
            bytes.len() <= MAX_COMMAND_BYTES,
            "command set over {MAX_COMMAND_BYTES} bytes"
        );
        if !value.is_last {
            self.pending = Pending::Command { context, bytes };
            return Ok(());
        }
        let (abstract_syntax, transfer_syntax) = accepted_context(association, context)?;
        let (request, has_data_set) = parse_command(&bytes)?;
        if !has_data_set {
            let status = if request.field == C_ECHO_RQ {
                status::SUCCESS
            } else {
                status::UNRECOGNIZED_OPERATION
            };
            return respond(association, context, &request, status, None).await;
        }
        let mut refusal = None;
        let mut file = Vec::new();
        if request.field != C_STORE_RQ {
            refusal = Some(Refusal {
                status: status::UNRECOGNIZED_OPERATION,
                comment: "only C-STORE and C-ECHO are served",
            });
        } else if request.sop_class != abstract_syntax {
            refusal = Some(Refusal {
                status: status::SOP_CLASS_NOT_SUPPORTED,
                comment: "SOP class differs from the presentation context's",
            });
        } else {
            match self.part10_header(&request, &transfer_syntax) {
                Ok(header) => file = header,
                Err(error) => {
                    tracing::warn!(
                        error = format!("{error:#}"),
                        "cannot write a file meta group"
                    );
                    refusal = Some(Refusal {
                        status: status::CANNOT_UNDERSTAND,
                        comment: "command set lacks valid SOP class/instance UIDs",
                    });
                }
            }
        }
        self.pending = Pending::DataSet(Incoming {
            context,
            request,
            transfer_syntax,
            header_len: file.len(),
            file,
            refusal,
            held: None,
        });
        Ok(())
    }

    async fn on_data_fragment(
        &mut self,
        association: &mut Assoc,
        value: PDataValue,
    ) -> anyhow::Result<()> {
        let Pending::DataSet(incoming) = &mut self.pending else {
            anyhow::bail!("data set fragment without a command");
        };
        anyhow::ensure!(
            incoming.context == value.presentation_context_id,
            "data set fragment on another presentation context than its command"
        );
        if incoming.refusal.is_none() {
            let size = (incoming.file.len() - incoming.header_len + value.data.len()) as u64;
            // Memory for the whole object so far (the first fragment also pays for the
            // header), rounded to KiB.
            let owed = kib(incoming.file.len() as u64 + value.data.len() as u64)
                - incoming.held.as_ref().map_or(0, |h| h.num_permits());
            let share = (owed > 0).then(|| self.budget.clone().try_acquire_many_owned(owed as u32));
            if size > self.settings.max_object_bytes {
                tracing::warn!(
                    limit = self.settings.max_object_bytes,
                    sop_class = %incoming.request.sop_class,
                    "object over the size limit; discarding it"
                );
                incoming.file = Vec::new();
                incoming.held = None;
                incoming.refusal = Some(Refusal {
                    status: status::OUT_OF_RESOURCES,
                    comment: "object exceeds the receiver's size limit",
                });
            } else if let Some(Err(_)) = share {
                tracing::warn!(
                    limit = self.settings.max_buffered_bytes,
                    sop_class = %incoming.request.sop_class,
                    "objects being received fill the memory budget; refusing this one"
                );
                incoming.file = Vec::new();
                incoming.held = None;
                incoming.refusal = Some(Refusal {
                    status: status::OUT_OF_RESOURCES,
                    comment: "the receiver is busy; send it again later",
                });
            } else {
                if let Some(Ok(share)) = share {
                    match &mut incoming.held {
                        Some(held) => held.merge(share),
                        None => incoming.held = Some(share),
                    }
                }
                incoming.file.extend_from_slice(&value.data);
            }
        }
        if !value.is_last {
            return Ok(());
        }
        let Pending::DataSet(incoming) = std::mem::replace(&mut self.pending, Pending::Idle) else {
            unreachable!("checked above");
        };
        self.finish(association, incoming).await
    }

    /// The last fragment arrived: store the object (unless refused) and answer.
    async fn finish(&mut self, association: &mut Assoc, incoming: Incoming) -> anyhow::Result<()> {
        let Incoming {
            context,
            request,
            transfer_syntax,
            file,
            header_len,
            refusal,
            held: _held,
        } = incoming;
        let (status, comment) = match refusal {
            Some(refusal) => (refusal.status, Some(refusal.comment)),
            None => {
                let bytes = file.len() - header_len;
                match self.inbox.store(&self.id, file).await {
                    Ok(()) => {
                        self.received += 1;
                        tracing::info!(
                            sop_class = %request.sop_class,
                            transfer_syntax,
                            bytes,
                            "DICOM object received"
                        );
                        (status::SUCCESS, None)
                    }
                    Err(error) => {
                        tracing::error!(
                            sop_class = %request.sop_class,
                            error = format!("{error:#}"),
                            "inbox did not store a DICOM object"
                        );
                        if error.downcast_ref::<CannotUnderstand>().is_some() {
                            (
                                status::CANNOT_UNDERSTAND,
                                Some("the receiver cannot use this object"),
                            )
                        } else {
                            (
                                status::OUT_OF_RESOURCES,
                                Some("the receiver could not store the object"),
                            )
                        }
                    }
                }
            }
        };
        respond(association, context, &request, status, comment).await
    }

    /// Preamble, magic and file meta group for the object `request` announces.
    fn part10_header(&self, request: &Request, transfer_syntax: &str) -> anyhow::Result<Vec<u8>> {
        anyhow::ensure!(
            !request.sop_class.is_empty() && !request.sop_instance.is_empty(),
            "missing SOP class or instance UID"
        );
        let meta = FileMetaTableBuilder::new()
            .media_storage_sop_class_uid(request.sop_class.as_str())
            .media_storage_sop_instance_uid(request.sop_instance.as_str())
            .transfer_syntax(transfer_syntax)
            .implementation_class_uid(IMPLEMENTATION_CLASS_UID)
            .implementation_version_name(IMPLEMENTATION_VERSION_NAME)
            .sending_application_entity_title(self.calling_ae.as_str())
            .receiving_application_entity_title(self.settings.ae_title.as_str())
            .build()
            .context("building the file meta group")?;
        let mut header = vec![0u8; 128];
        header.extend_from_slice(b"DICM");
        meta.write(&mut header)
            .context("writing the file meta group")?;
        Ok(header)
    }
}

/// The abstract and transfer syntax of an accepted presentation context.
fn accepted_context(association: &Assoc, id: u8) -> anyhow::Result<(String, String)> {
    let context = association
        .presentation_contexts()
        .iter()
        .find(|pc| pc.id == id && pc.reason == PresentationContextResultReason::Acceptance)
        .with_context(|| format!("presentation context {id} was not accepted"))?;
    Ok((
        trim_uid(&context.abstract_syntax).to_owned(),
        trim_uid(&context.transfer_syntax).to_owned(),
    ))
}

/// Sends the response to `request` as one command PDV.
async fn respond(
    association: &mut Assoc,
    context: u8,
    request: &Request,
    status: u16,
    comment: Option<&str>,
) -> anyhow::Result<()> {
    let data = response_command(request, status, comment)?;
    association
        .send(&Pdu::PData {
            data: vec![PDataValue {
                presentation_context_id: context,
                value_type: PDataValueType::Command,
                is_last: true,
                data,
            }],
        })
        .await
        .context("sending a DIMSE response")
}

/// The receiver's inbox: each association becomes an import job of its own; its objects wait
/// in the job's inbox folder and are anonymised once the association ends.
pub struct ImportInbox {
    importer: domain::imports::Importer,
    /// Bytes the whole inbox may hold.
    quota: u64,
    /// Bytes one sender's jobs may hold.
    sender_quota: u64,
    /// Each open association's job and who sent it (`AE@address`).
    senders: std::sync::Mutex<std::collections::HashMap<String, String>>,
}

impl ImportInbox {
    pub fn new(importer: domain::imports::Importer, quota: u64, sender_quota: u64) -> ImportInbox {
        ImportInbox {
            importer,
            quota,
            sender_quota,
            senders: Default::default(),
        }
    }

    /// Whether `bytes` more for `job` stay inside the quotas; the refusal says which one.
    async fn room_for(&self, job: &str, bytes: u64) -> anyhow::Result<Result<(), &'static str>> {
        let usage = self.importer.inbox_usage().await?;
        let total: u64 = usage.values().sum();
        if total + bytes > self.quota {
            return Ok(Err("the inbox is full"));
        }
        let mut senders = self.senders.lock().expect("senders lock");
        // Jobs whose files were all imported hold nothing any more.
        senders.retain(|j, _| j == job || usage.contains_key(j));
        let sender = senders.get(job);
        let theirs: u64 = usage
            .iter()
            .filter(|(j, _)| *j == job || (sender.is_some() && senders.get(*j) == sender))
            .map(|(_, b)| b)
            .sum();
        if theirs + bytes > self.sender_quota {
            return Ok(Err("this sender's quota of the inbox is full"));
        }
        Ok(Ok(()))
    }
}

#[async_trait::async_trait]
impl Inbox for ImportInbox {
    async fn begin(&self, calling_ae: &str, peer: SocketAddr) -> anyhow::Result<String> {
        let label = model::JobLabel::Cstore {
            calling_ae: calling_ae.trim().to_string(),
        };
        let job = self
            .importer
            .open_inbox(
                &Actor::system(model::AuditVia::CStore),
                model::ImportKind::Cstore,
                &label,
            )
            .await?;
        tracing::info!(job, %peer, calling_ae, "C-STORE association opened an import job");
        self.senders
            .lock()
            .expect("senders lock")
            .insert(job.clone(), format!("{}@{}", calling_ae.trim(), peer.ip()));
        Ok(job)
    }

    async fn store(&self, association: &str, file: Vec<u8>) -> anyhow::Result<()> {
        if let Err(full) = self.room_for(association, file.len() as u64).await? {
            tracing::warn!(
                job = association,
                bytes = file.len(),
                "{full}; object refused"
            );
            anyhow::bail!("{full}");
        }
        let limits = self.importer.limits();
        // Screening may inflate a deflated data set: on the blocking pool.
        let (screened, file) =
            tokio::task::spawn_blocking(move || (domain::imports::screen(&file, limits), file))
                .await?;
        if let Err(failure) = screened {
            // C-STORE sends no file name: the item is "File n", n its place in the association.
            self.importer
                .add_refused(association, &failure, None)
                .await?;
            return Err(CannotUnderstand(format!("{failure:?}")).into());
        }
        Ok(self.importer.add_file(association, &file, None).await?)
    }

    async fn end(&self, association: &str, complete: bool, received: usize) {
        let error = (!complete).then_some(model::ImportFailure::Incomplete);
        // The files stay in the inbox until imported, and still count against the sender.
        if let Err(e) = self.importer.close_inbox(association, error.as_ref()).await {
            tracing::error!(
                job = association,
                error = format!("{e:#}"),
                "closing a C-STORE job"
            );
        }
        tracing::info!(
            job = association,
            complete,
            received,
            "C-STORE association ended"
        );
    }
}
