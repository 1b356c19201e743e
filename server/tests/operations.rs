//! What operators watch: `/metrics` on its own address, per route template, with the import
//! queue, the database pool and blob store errors.
use crate::common::TestApp;
use std::net::SocketAddr;

/// The value of one series (`name{labels}` exactly as exported), 0 when it is not there yet.
fn value(metrics: &str, series: &str) -> f64 {
    metrics
        .lines()
        .find_map(|line| line.strip_prefix(series)?.strip_prefix(' '))
        .map_or(0.0, |v| v.trim().parse().expect("a number"))
}

async fn scrape(at: SocketAddr) -> String {
    let res = reqwest::get(format!("http://{at}/metrics")).await.unwrap();
    assert_eq!(res.status(), 200);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain; version=0.0.4"),
        "Prometheus's text format"
    );
    res.text().await.unwrap()
}

#[tokio::test]
async fn metrics_count_requests_per_route_template_on_their_own_address() {
    let data = tempfile::tempdir().unwrap();
    let dir = data.path().to_path_buf();
    let app = TestApp::with(|c| {
        c.demo = true;
        c.data_dir = dir.clone();
        c.metrics_addr = Some(SocketAddr::from(([127, 0, 0, 1], 0)));
    })
    .await;
    let at = app.started.metrics_addr.expect("metrics are on");
    // The recorder is the process's: other tests' servers count in it too, so only growth
    // is asserted, never totals.
    let library = r#"sonohub_http_requests_total{method="GET",route="/cases",status="200"}"#;
    let me = r#"sonohub_http_requests_total{method="POST",route="/api/me",status="200"}"#;
    let stranger = r#"sonohub_http_requests_total{method="GET",route="unmatched",status="404"}"#;
    let before = scrape(at).await;

    let li = app.signed_in("li.na").await;
    assert_eq!(li.page("/cases").await.status(), 200);
    let (status, _) = li.call("me", &[]).await;
    assert_eq!(status, 200);
    // Two cases that do not exist: whatever the answer, one series for the template.
    let ids = [
        "0191a1b2-0000-7000-8000-00000000c0de",
        "0191a1b2-0000-7000-8000-00000000beef",
    ];
    for id in ids {
        li.page(&format!("/cases/{id}")).await;
    }
    assert_eq!(li.page("/wp-login.php").await.status(), 404);
    assert_eq!(li.page("/no/such/thing/at/all").await.status(), 404);

    let after = scrape(at).await;
    assert!(value(&after, library) >= value(&before, library) + 1.0);
    assert!(value(&after, me) >= value(&before, me) + 1.0);
    assert!(value(&after, stranger) >= value(&before, stranger) + 2.0);
    let case_series = after
        .lines()
        .filter(|l| {
            l.starts_with("sonohub_http_requests_total") && l.contains(r#"route="/cases/{id}""#)
        })
        .count();
    assert!(
        case_series >= 1,
        "the case pages are counted under their template"
    );
    assert!(
        !after.contains("/wp-login.php") && !ids.iter().any(|id| after.contains(id)),
        "series are per template, never per path"
    );
    let latency = r#"sonohub_http_request_duration_seconds_count{method="GET",route="/cases"}"#;
    assert!(value(&after, latency) >= 1.0);
    assert!(after.contains(
        r#"sonohub_http_request_duration_seconds_bucket{method="GET",route="/cases",le="0.05"}"#
    ));
    for series in [
        r#"sonohub_import_jobs{status="queued"}"#,
        r#"sonohub_import_jobs{status="running"}"#,
        r#"sonohub_import_items_waiting{status="pending"}"#,
        r#"sonohub_db_pool_connections{state="idle"}"#,
        r#"sonohub_db_pool_connections{state="in_use"}"#,
    ] {
        assert!(after.contains(series), "{series} is exported");
    }
    assert!(value(&after, "sonohub_db_pool_max_connections") >= 1.0);
    assert!(after.contains("# HELP sonohub_http_requests_total"));

    // Not on the users' address: a browser there gets the app's answer, not the series.
    let res = li.page("/metrics").await;
    assert_eq!(res.status(), 404);
    assert!(
        !res.text()
            .await
            .unwrap()
            .contains("sonohub_http_requests_total")
    );

    // A blob store that fails is counted by operation.
    let errors = r#"sonohub_blob_store_errors_total{op="head"}"#;
    let before = value(&scrape(at).await, errors);
    let blobs = data.path().join("blobs");
    std::fs::remove_dir_all(&blobs).unwrap();
    std::fs::write(&blobs, b"not a folder").unwrap();
    assert_eq!(li.page("/healthz/ready").await.status(), 503);
    assert!(value(&scrape(at).await, errors) >= before + 1.0);
    app.started.stop().await.unwrap();
}
