//! Pages are rendered on a few single-threaded runtimes, each request's whole render on one.
//!
//! Leptos 0.8's reactive graph takes its locks in different orders on different paths: a
//! resource re-running on one worker thread (it holds its own lock while it tells the Suspense
//! about the new task) and the Suspense's effect re-running on another (it holds the effect's
//! lock while it drops its old sources) wait for each other forever (leptos-rs/leptos#4673).
//! It happened here on `/competency/quality`; after it the whole server answered nothing, not
//! even `/healthz`. Upstream rewrites Suspense in 0.9; until then no two threads may touch one
//! request's reactive graph. So a page request goes to one of a few render threads, each a
//! current-thread runtime: the render, every task and effect it spawns, and the streaming of
//! its body all run there. Different requests still render in parallel on different threads.
//!
//! Server functions (`/api/…`) build no reactive graph and stay on the main runtime.
use axum::Router;
use axum::body::{Body, BodyDataStream};
use axum::http::{Request, StatusCode};
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use futures_util::future::BoxFuture;
use std::convert::Infallible;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};
use tower::{Service, ServiceExt};

/// Stack of each render thread: page rendering nests deeply (a replay page with its player, a
/// lesson with its quiz), and an overflow ends the whole process.
const STACK_BYTES: usize = 8 << 20;

/// Body chunks a render may run ahead of a slow client.
const CHUNKS_AHEAD: usize = 8;

/// A page request and where its response goes.
type Job = (Request<Body>, oneshot::Sender<Response>);

/// One render thread: where to send it requests, and how many it is rendering now.
struct Lane {
    jobs: mpsc::UnboundedSender<Job>,
    busy: Arc<AtomicUsize>,
}

/// The router's service for pages: each page request rendered whole on one render thread.
/// The threads end when the last clone of this is dropped.
#[derive(Clone)]
pub struct Renderers {
    lanes: Arc<[Lane]>,
    /// Server functions, answered on the caller's runtime.
    direct: Router,
}

impl Renderers {
    /// `threads` render threads (at least one), each serving `pages`.
    pub fn new(pages: Router, threads: usize) -> std::io::Result<Self> {
        let lanes = (0..threads.max(1))
            .map(|i| Self::lane(i, pages.clone()))
            .collect::<std::io::Result<Vec<_>>>()?;
        Ok(Self {
            lanes: lanes.into(),
            direct: pages,
        })
    }

    /// As many render threads as the machine has cores, up to four.
    pub fn for_machine(pages: Router) -> std::io::Result<Self> {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Self::new(pages, cores.min(4))
    }

    fn lane(index: usize, pages: Router) -> std::io::Result<Lane> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .thread_stack_size(STACK_BYTES)
            .build()?;
        let (jobs, mut queue) = mpsc::unbounded_channel::<Job>();
        let busy = Arc::new(AtomicUsize::new(0));
        std::thread::Builder::new()
            .name(format!("sonohub-render-{index}"))
            .stack_size(STACK_BYTES)
            .spawn(move || {
                // A LocalSet so that anything spawned as local (Leptos' local resources) has
                // a home; everything else is spawned onto this same thread's runtime.
                let local = tokio::task::LocalSet::new();
                local.block_on(&runtime, async move {
                    while let Some((request, reply)) = queue.recv().await {
                        tokio::spawn(render(pages.clone(), request, reply));
                    }
                });
            })?;
        Ok(Lane { jobs, busy })
    }

    /// The lane rendering the fewest requests now.
    fn idlest(&self) -> &Lane {
        self.lanes
            .iter()
            .min_by_key(|lane| lane.busy.load(Ordering::Relaxed))
            .expect("at least one lane")
    }
}

/// Renders one request on the current (render) thread and streams its body from here too,
/// since polling a streamed page body is what runs the rest of the render.
async fn render(pages: Router, request: Request<Body>, reply: oneshot::Sender<Response>) {
    let Ok(response) = pages.oneshot(request).await;
    let (parts, body) = response.into_parts();
    if axum::body::HttpBody::size_hint(&body).exact().is_some() {
        // Already whole (a redirect, a file, an error): nothing left to render.
        let _ = reply.send(Response::from_parts(parts, body));
        return;
    }
    let mut body = body.into_data_stream();
    let (chunks, mut received) = mpsc::channel(CHUNKS_AHEAD);
    // Polled again after its end (compression does), a closed channel keeps answering `None`.
    let streamed = futures_util::stream::poll_fn(move |cx| received.poll_recv(cx));
    if reply
        .send(Response::from_parts(parts, Body::from_stream(streamed)))
        .is_err()
    {
        return finish_unread(body).await;
    }
    while let Some(chunk) = body.next().await {
        if chunks.send(chunk).await.is_err() {
            // The client went away.
            return finish_unread(body).await;
        }
    }
}

/// How long a page whose reader went away may go on rendering before it is dropped as it is.
const UNREAD_RENDER_LIMIT: Duration = Duration::from_secs(60);

/// Renders the rest of a page nobody will read, sending nothing. Leptos frees a page's reactive
/// graph (its owners, resources and signals, which refer to each other) only when the page's
/// stream reaches its end: `leptos_integration_utils` makes `owner.unset_with_forced_cleanup()`
/// the stream's last step. A stream dropped halfway kept all of it: about 70 KB for each
/// library page whose client left early (a closed tab, a click elsewhere, a dropped 4G link),
/// measured as the server's memory growing by 141 MB over 2,000 such requests.
async fn finish_unread(mut body: BodyDataStream) {
    let rest = async { while body.next().await.is_some() {} };
    if tokio::time::timeout(UNREAD_RENDER_LIMIT, rest)
        .await
        .is_err()
    {
        tracing::warn!(
            limit = ?UNREAD_RENDER_LIMIT,
            "a page its client left was still rendering at the limit; dropped unfinished"
        );
    }
}

/// Counts a request on its lane until its response body is done or dropped.
struct Busy(Arc<AtomicUsize>);

impl Busy {
    fn new(count: &Arc<AtomicUsize>) -> Self {
        count.fetch_add(1, Ordering::Relaxed);
        Self(count.clone())
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

impl Service<Request<Body>> for Renderers {
    type Response = Response;
    type Error = Infallible;
    type Future = BoxFuture<'static, Result<Response, Infallible>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request<Body>) -> Self::Future {
        if request.uri().path().starts_with("/api/") {
            let direct = self.direct.clone();
            return Box::pin(async move { direct.oneshot(request).await });
        }
        let lane = self.idlest();
        let busy = Busy::new(&lane.busy);
        let (reply, response) = oneshot::channel();
        let sent = lane.jobs.send((request, reply));
        Box::pin(async move {
            if sent.is_err() {
                return Ok(unavailable());
            }
            let Ok(response) = response.await else {
                // The render panicked (the panic is logged where it happened).
                return Ok(unavailable());
            };
            let (parts, body) = response.into_parts();
            // Hold the lane's count until the body has been sent or dropped.
            let counted = body.into_data_stream().map(move |chunk| {
                let _ = &busy;
                chunk
            });
            Ok(Response::from_parts(parts, Body::from_stream(counted)))
        })
    }
}

fn unavailable() -> Response {
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        "the page could not be rendered",
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::routing::get;
    use std::sync::Mutex;
    use std::sync::atomic::AtomicBool;

    type Seen = Arc<Mutex<Vec<String>>>;

    fn here() -> String {
        std::thread::current().name().unwrap_or("?").to_string()
    }

    /// A page that records where it runs: its handler, a task it spawns, and each body chunk
    /// as the chunk is produced.
    fn recording_pages(seen: Seen) -> Router {
        let page = {
            let seen = seen.clone();
            move || {
                let seen = seen.clone();
                async move {
                    seen.lock().unwrap().push(format!("handler {}", here()));
                    let spawned = seen.clone();
                    tokio::spawn(async move {
                        spawned.lock().unwrap().push(format!("task {}", here()))
                    })
                    .await
                    .unwrap();
                    let chunks = futures_util::stream::iter(0..3).then(move |i| {
                        let seen = seen.clone();
                        async move {
                            tokio::task::yield_now().await;
                            seen.lock().unwrap().push(format!("chunk {}", here()));
                            Ok::<_, Infallible>(format!("part {i};"))
                        }
                    });
                    Body::from_stream(chunks)
                }
            }
        };
        let api = || async { here() };
        Router::new()
            .route("/page", get(page))
            .route("/api/whoami", get(api))
    }

    /// The status and whole body; the body is polled once more after its end, as the
    /// compression layer does, and must stay ended.
    async fn text(service: &mut Renderers, path: &str) -> (StatusCode, String) {
        let response = service
            .ready()
            .await
            .unwrap()
            .call(Request::get(path).body(Body::empty()).unwrap())
            .await
            .unwrap();
        let status = response.status();
        let mut chunks = response.into_body().into_data_stream();
        let mut body = Vec::new();
        while let Some(chunk) = chunks.next().await {
            body.extend_from_slice(&chunk.unwrap());
        }
        assert!(chunks.next().await.is_none(), "polled after its end");
        (status, String::from_utf8(body).unwrap())
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_page_is_rendered_and_streamed_wholly_on_one_render_thread() {
        let seen = Seen::default();
        let mut service = Renderers::new(recording_pages(seen.clone()), 2).unwrap();
        let (status, body) = text(&mut service, "/page").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body, "part 0;part 1;part 2;");
        let seen = seen.lock().unwrap().clone();
        assert_eq!(seen.len(), 5, "{seen:?}");
        let thread = seen[0].strip_prefix("handler ").unwrap().to_string();
        assert!(thread.starts_with("sonohub-render-"), "{seen:?}");
        assert!(
            seen.iter().all(|s| s.ends_with(&format!(" {thread}"))),
            "everything on {thread}: {seen:?}"
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn server_functions_stay_on_the_main_runtime() {
        let mut service = Renderers::new(recording_pages(Seen::default()), 2).unwrap();
        let (_, thread) = text(&mut service, "/api/whoami").await;
        assert!(!thread.starts_with("sonohub-render-"), "{thread}");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn requests_in_flight_go_to_the_idlest_thread() {
        let (release, wait) = tokio::sync::watch::channel(false);
        let slow = move || {
            let mut wait = wait.clone();
            async move {
                let name = here();
                wait.wait_for(|go| *go).await.unwrap();
                name
            }
        };
        let pages = Router::new().route("/slow", get(slow));
        let service = Renderers::new(pages, 2).unwrap();
        let first = tokio::spawn({
            let mut s = service.clone();
            async move { text(&mut s, "/slow").await.1 }
        });
        // The first is now counted on its lane; the second must go to the other one.
        while service
            .lanes
            .iter()
            .all(|l| l.busy.load(Ordering::Relaxed) == 0)
        {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        let second = tokio::spawn({
            let mut s = service.clone();
            async move { text(&mut s, "/slow").await.1 }
        });
        while service
            .lanes
            .iter()
            .any(|l| l.busy.load(Ordering::Relaxed) == 0)
        {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        release.send(true).unwrap();
        let (a, b) = (first.await.unwrap(), second.await.unwrap());
        assert_ne!(a, b, "both on one thread");
        // Both finished: the lanes count nothing.
        assert!(
            service
                .lanes
                .iter()
                .all(|l| l.busy.load(Ordering::Relaxed) == 0)
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_render_that_panics_answers_500_and_the_thread_goes_on() {
        let pages = Router::new()
            .route(
                "/boom",
                get(|| async {
                    panic!("render failed");
                    #[allow(unreachable_code)]
                    ""
                }),
            )
            .route("/fine", get(|| async { "fine" }));
        let mut service = Renderers::new(pages, 1).unwrap();
        assert_eq!(
            text(&mut service, "/boom").await.0,
            StatusCode::INTERNAL_SERVER_ERROR
        );
        assert_eq!(
            text(&mut service, "/fine").await,
            (StatusCode::OK, "fine".to_string())
        );
    }

    /// A page of many chunks whose last step sets `ended`, as Leptos' last step frees the
    /// page's reactive graph.
    fn long_page(ended: Arc<AtomicBool>) -> Router {
        let page = move || {
            let ended = ended.clone();
            async move {
                let parts =
                    futures_util::stream::iter(0..(4 * CHUNKS_AHEAD)).then(|i| async move {
                        tokio::task::yield_now().await;
                        Ok::<_, Infallible>(format!("part {i};"))
                    });
                let end = futures_util::stream::once(async move {
                    ended.store(true, Ordering::SeqCst);
                    Ok::<_, Infallible>(String::new())
                });
                Body::from_stream(parts.chain(end))
            }
        };
        Router::new().route("/page", get(page))
    }

    async fn wait_until(flag: &AtomicBool) -> bool {
        for _ in 0..500 {
            if flag.load(Ordering::SeqCst) {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        false
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_page_its_client_left_is_still_rendered_to_its_end() {
        // The client reads the first chunk, then goes away.
        let ended = Arc::new(AtomicBool::new(false));
        let mut service = Renderers::new(long_page(ended.clone()), 1).unwrap();
        let response = service
            .call(Request::get("/page").body(Body::empty()).unwrap())
            .await
            .unwrap();
        let mut body = response.into_body().into_data_stream();
        assert_eq!(body.next().await.unwrap().unwrap(), "part 0;");
        drop(body);
        assert!(
            wait_until(&ended).await,
            "the render stopped where the client left"
        );

        // The client leaves before the response has started.
        let ended = Arc::new(AtomicBool::new(false));
        let mut service = Renderers::new(long_page(ended.clone()), 1).unwrap();
        drop(service.call(Request::get("/page").body(Body::empty()).unwrap()));
        assert!(
            wait_until(&ended).await,
            "the render stopped before its first chunk"
        );
    }
}
