//! QIDO-RS (PS3.18 §10.6): study, series and instance searches answered as DICOM JSON with
//! the attributes PS3.18 Table 10.6.3-3 requires at each level.
use super::{PathUids, Problem, require_scope};
use crate::http::ServerState;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use domain::dicomweb::query::{self, Level, MAX_RESULTS, Query as Search};
use domain::dicomweb::{self as repo, InstanceRecord, SeriesRecord, StudyRecord};
use serde_json::{Map, Value as Json, json};

/// A DICOM JSON attribute; an empty value has no `Value` member.
fn attr(vr: &str, values: Vec<Json>) -> Json {
    if values.is_empty() {
        json!({ "vr": vr })
    } else {
        json!({ "vr": vr, "Value": values })
    }
}

fn text(vr: &str, value: &str) -> Json {
    attr(
        vr,
        if value.is_empty() {
            vec![]
        } else {
            vec![json!(value)]
        },
    )
}

fn number(vr: &str, value: Option<i64>) -> Json {
    attr(vr, value.into_iter().map(Json::from).collect())
}

fn object<const N: usize>(pairs: [(&str, Json); N]) -> Json {
    Json::Object(
        pairs
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect::<Map<_, _>>(),
    )
}

/// Every study attribute PS3.18 Table 10.6.3-3 asks for (and the description), those the
/// anonymiser empties (accession number, referring physician, birth date, sex, study ID)
/// present without a value, so a client's `includefield` finds each one.
fn study_json(s: &StudyRecord) -> Json {
    object([
        ("00080020", text("DA", &s.date)),
        ("00080030", text("TM", &s.time)),
        ("00080050", text("SH", "")),
        ("00080056", text("CS", "ONLINE")),
        (
            "00080061",
            attr("CS", s.modalities.iter().map(|m| json!(m)).collect()),
        ),
        ("00080090", text("PN", "")),
        ("00081030", text("LO", &s.description)),
        // The pseudonymous key is both the name and the ID, as in the stored files.
        (
            "00100010",
            attr("PN", vec![json!({ "Alphabetic": s.patient_key })]),
        ),
        ("00100020", text("LO", &s.patient_key)),
        ("00100030", text("DA", "")),
        ("00100040", text("CS", "")),
        ("0020000D", text("UI", &s.uid)),
        ("00200010", text("SH", "")),
        ("00201206", number("IS", Some(s.series))),
        ("00201208", number("IS", Some(s.instances))),
    ])
}

fn series_json(s: &SeriesRecord) -> Json {
    object([
        ("00080021", text("DA", &s.date)),
        ("00080031", text("TM", &s.time)),
        ("00080056", text("CS", "ONLINE")),
        ("00080060", text("CS", &s.modality)),
        ("0008103E", text("LO", &s.description)),
        ("0020000D", text("UI", &s.study_uid)),
        ("0020000E", text("UI", &s.uid)),
        ("00200011", number("IS", s.number)),
        ("00201209", number("IS", Some(s.instances))),
    ])
}

fn instance_json(i: &InstanceRecord) -> Json {
    object([
        ("00080016", text("UI", &i.sop_class)),
        ("00080018", text("UI", &i.sop_uid)),
        ("00080056", text("CS", "ONLINE")),
        ("00080060", text("CS", &i.modality)),
        ("00083002", text("UI", &i.transfer_syntax)),
        ("0020000D", text("UI", &i.study_uid)),
        ("0020000E", text("UI", &i.series_uid)),
        ("00200013", number("IS", i.number)),
        ("00280008", number("IS", Some(i.frames))),
        ("00280010", number("US", Some(i.rows))),
        ("00280011", number("US", Some(i.columns))),
    ])
}

/// The results as `application/dicom+json`, with PS3.18 §8.3.4.4 warnings for ignored keys
/// and for a page cut at the server's maximum.
fn respond(search: &Search, results: Vec<Json>) -> Response {
    let mut warnings = Vec::new();
    if !search.ignored.is_empty() {
        warnings.push(format!(
            "299 SonoHub: \"The fields {} are not supported\"",
            search.ignored.join(", ")
        ));
    }
    if !search.limited && results.len() as i64 == MAX_RESULTS {
        warnings.push(
            "299 SonoHub: \"The number of results exceeded the maximum supported by the server. Additional results can be requested.\""
                .to_string(),
        );
    }
    let mut res = (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/dicom+json"),
        )],
        Json::Array(results).to_string(),
    )
        .into_response();
    for w in warnings {
        if let Ok(v) = HeaderValue::from_str(&w) {
            res.headers_mut().append(header::WARNING, v);
        }
    }
    res
}

/// `GET /dicom-web/studies`
pub(super) async fn studies(
    State(state): State<ServerState>,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Result<Response, Problem> {
    let search = parse(Level::Study, &pairs)?;
    let found = repo::studies(&state.app.db, &search.matching)
        .await
        .map_err(Problem::internal)?;
    Ok(respond(&search, found.iter().map(study_json).collect()))
}

/// `GET /dicom-web/series` and `/studies/{study}/series`
pub(super) async fn series(
    State(state): State<ServerState>,
    path: Option<Path<PathUids>>,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Result<Response, Problem> {
    let mut search = parse(Level::Series, &pairs)?;
    if let Some(Path(uids)) = path {
        let uids = uids.validated()?;
        require_scope(&state, uids.study.as_deref(), None).await?;
        search.matching.study_uids = uids.study.into_iter().collect();
    }
    let found = repo::series(&state.app.db, &search.matching)
        .await
        .map_err(Problem::internal)?;
    Ok(respond(&search, found.iter().map(series_json).collect()))
}

/// `GET /dicom-web/instances`, `/studies/{study}/instances` and
/// `/studies/{study}/series/{series}/instances`
pub(super) async fn instances(
    State(state): State<ServerState>,
    path: Option<Path<PathUids>>,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Result<Response, Problem> {
    let mut search = parse(Level::Instance, &pairs)?;
    if let Some(Path(uids)) = path {
        let uids = uids.validated()?;
        require_scope(&state, uids.study.as_deref(), uids.series.as_deref()).await?;
        search.matching.study_uids = uids.study.into_iter().collect();
        if uids.series.is_some() {
            search.matching.series_uids = uids.series.into_iter().collect();
        }
    }
    let found = repo::instances(&state.app.db, &search.matching)
        .await
        .map_err(Problem::internal)?;
    Ok(respond(&search, found.iter().map(instance_json).collect()))
}

/// The query string's search, or the client's 400.
pub(crate) fn parse(level: Level, pairs: &[(String, String)]) -> Result<Search, Problem> {
    query::parse(level, pairs).map_err(|query::BadQuery(why)| Problem::BadRequest(why))
}
