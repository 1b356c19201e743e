//! Operations: Prometheus metrics, served on an address of their own (`--metrics-addr`, for
//! the monitoring network, never the users'), and one log line per answered request.
//!
//! Requests are counted and timed per route template (`/cases/{id}`, not each case), so the
//! series stay as many as the routes. The domain records its own series (import jobs, blob
//! store errors) through the `metrics` facade; what is read at scrape time (the import queue,
//! the database pool) is gathered by the scrape itself.
use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use domain::AppState;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use std::sync::{Arc, OnceLock};
use std::time::Instant;

/// Upper bounds of the latency histograms, in seconds: from a cached file to a slow import.
const SECONDS_BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0,
];

/// The process's recorder: one per process, however many servers a test starts in it.
static RECORDER: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

/// Installs the Prometheus recorder (once) and returns its handle; `None` when another recorder
/// was installed first, in which case SonoHub's series go there.
pub fn recorder() -> Option<&'static PrometheusHandle> {
    RECORDER
        .get_or_init(|| {
            let installed = PrometheusBuilder::new()
                .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), SECONDS_BUCKETS)
                .and_then(|b| b.install_recorder());
            match installed {
                Ok(handle) => {
                    describe();
                    Some(handle)
                }
                Err(error) => {
                    tracing::warn!(%error, "metrics recorder not installed");
                    None
                }
            }
        })
        .as_ref()
}

fn describe() {
    use metrics::{Unit, describe_counter, describe_gauge, describe_histogram};
    describe_counter!(
        "sonohub_http_requests_total",
        "HTTP requests answered, by method, route template and status"
    );
    describe_histogram!(
        "sonohub_http_request_duration_seconds",
        Unit::Seconds,
        "Time to the head of the answer, by method and route template"
    );
    describe_gauge!(
        "sonohub_import_jobs",
        "Import jobs by status (queued and running are the queue's depth)"
    );
    describe_gauge!(
        "sonohub_import_items_waiting",
        "Files of import jobs waiting: pending (not yet imported), held (for an image area)"
    );
    describe_gauge!(
        "sonohub_db_pool_connections",
        "Database connections of this node, open and idle"
    );
    describe_gauge!(
        "sonohub_db_pool_max_connections",
        "The most connections this node's pool opens"
    );
    domain::describe_metrics();
}

/// Route templates of the pages and server functions, which the Leptos fallback serves
/// without an axum `MatchedPath`.
#[derive(Debug, Default)]
pub struct RouteLabels {
    templates: Vec<Vec<String>>,
}

impl RouteLabels {
    pub fn new<'a>(paths: impl IntoIterator<Item = &'a str>) -> RouteLabels {
        let mut templates: Vec<Vec<String>> = paths
            .into_iter()
            .map(|p| p.trim_matches('/').split('/').map(str::to_owned).collect())
            .collect();
        // Literal segments win over parameters: `/cases/new` before `/cases/{id}`.
        templates.sort_by_key(|t| {
            t.iter()
                .map(|s| u8::from(s.starts_with('{')))
                .collect::<Vec<_>>()
        });
        RouteLabels { templates }
    }

    /// The template `path` matches, or `unmatched` (so a scan of made-up paths adds one series,
    /// not one per path).
    pub fn label(&self, path: &str) -> String {
        let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
        self.templates
            .iter()
            .find(|t| matches(t, &segments))
            .map(|t| format!("/{}", t.join("/")))
            .unwrap_or_else(|| "unmatched".to_owned())
    }
}

fn matches(template: &[String], segments: &[&str]) -> bool {
    let mut rest = segments;
    for (i, part) in template.iter().enumerate() {
        if part.starts_with("{*") {
            return true;
        }
        let Some((first, tail)) = rest.split_first() else {
            return false;
        };
        let is_param = part.starts_with('{') && part.ends_with('}');
        if !(is_param && !first.is_empty() || part == first) {
            return false;
        }
        rest = tail;
        if i + 1 == template.len() {
            return rest.is_empty();
        }
    }
    rest.is_empty()
}

/// Counts and times each request under its route template, and logs it in one line (inside
/// the request's span, which carries its id).
pub async fn track(State(labels): State<Arc<RouteLabels>>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = req.method().clone();
    let route = match req.extensions().get::<MatchedPath>() {
        Some(matched) => matched.as_str().to_owned(),
        None => labels.label(req.uri().path()),
    };
    let res = next.run(req).await;
    let seconds = started.elapsed().as_secs_f64();
    let status = res.status().as_u16();
    metrics::counter!(
        "sonohub_http_requests_total",
        "method" => method.to_string(),
        "route" => route.clone(),
        "status" => status.to_string(),
    )
    .increment(1);
    metrics::histogram!(
        "sonohub_http_request_duration_seconds",
        "method" => method.to_string(),
        "route" => route.clone(),
    )
    .record(seconds);
    tracing::info!(
        target: "sonohub::request",
        %method,
        route,
        status,
        ms = (seconds * 1e4).round() / 10.0,
        "answered"
    );
    res
}

/// The metrics listener's router: `GET /metrics`, nothing else.
pub fn router(state: AppState, handle: &'static PrometheusHandle) -> Router {
    Router::new().route(
        "/metrics",
        axum::routing::get(move || scrape(state.clone(), handle)),
    )
}

async fn scrape(state: AppState, handle: &'static PrometheusHandle) -> Response {
    match domain::imports::queue_depth(&state.db).await {
        Ok(depth) => {
            for (status, jobs) in depth.jobs {
                metrics::gauge!("sonohub_import_jobs", "status" => status).set(jobs as f64);
            }
            for (status, files) in depth.items {
                metrics::gauge!("sonohub_import_items_waiting", "status" => status)
                    .set(files as f64);
            }
        }
        Err(e) => tracing::warn!(error = format!("{e:#}"), "reading the import queue"),
    }
    let pool = &state.db.pool;
    let idle = pool.num_idle() as f64;
    let open = f64::from(pool.size());
    metrics::gauge!("sonohub_db_pool_connections", "state" => "idle").set(idle);
    metrics::gauge!("sonohub_db_pool_connections", "state" => "in_use").set(open - idle);
    metrics::gauge!("sonohub_db_pool_max_connections")
        .set(f64::from(pool.options().get_max_connections()));
    handle.run_upkeep();
    (
        StatusCode::OK,
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        handle.render(),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_labelled_by_their_template_and_strangers_share_one_label() {
        let labels = RouteLabels::new([
            "/",
            "/cases/{id}",
            "/cases/new",
            "/cases/{id}/edit",
            "/api/case_list",
            "/pkg/{*file}",
        ]);
        assert_eq!(labels.label("/"), "/");
        assert_eq!(labels.label("/cases/01abc"), "/cases/{id}");
        assert_eq!(labels.label("/cases/new"), "/cases/new");
        assert_eq!(labels.label("/cases/01abc/edit"), "/cases/{id}/edit");
        assert_eq!(labels.label("/api/case_list"), "/api/case_list");
        assert_eq!(labels.label("/pkg/sonohub.abc.wasm"), "/pkg/{*file}");
        assert_eq!(labels.label("/pkg/a/b.js"), "/pkg/{*file}");
        assert_eq!(labels.label("/cases"), "unmatched");
        assert_eq!(labels.label("/cases//edit"), "unmatched");
        assert_eq!(labels.label("/wp-login.php"), "unmatched");
        assert_eq!(labels.label("/cases/01abc/edit/more"), "unmatched");
    }
}
