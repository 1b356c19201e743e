//! QIDO-RS (PS3.18 §10.6): study, series and instance searches answered as DICOM JSON with
//! the attributes PS3.18 Table 10.6.3-3 requires at each level.
use super::{PathUids, Problem, require_scope, uid};
use crate::http::ServerState;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use domain::dicomweb::{self as repo, InstanceRecord, Matching, SeriesRecord, StudyRecord};
use serde_json::{Map, Value as Json, json};

/// The most results one response carries; a client pages on with `offset`.
const MAX_RESULTS: i64 = 1000;

/// Which level a search returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Level {
    Study,
    Series,
    Instance,
}

/// A search as parsed from its query string: what to match and which keys were ignored.
#[derive(Debug, Default)]
pub(crate) struct Search {
    matching: Matching,
    /// Whether the client set `limit` (else a full page may mean more remain).
    limited: bool,
    ignored: Vec<String>,
}

/// A matching key: the attribute keyword or its tag in hex.
fn attribute(key: &str) -> Option<&'static str> {
    let known = [
        ("StudyInstanceUID", "0020000D"),
        ("SeriesInstanceUID", "0020000E"),
        ("SOPInstanceUID", "00080018"),
        ("PatientID", "00100020"),
        ("PatientName", "00100010"),
        ("StudyDate", "00080020"),
        ("StudyTime", "00080030"),
        ("AccessionNumber", "00080050"),
        ("ReferringPhysicianName", "00080090"),
        ("StudyID", "00200010"),
        ("ModalitiesInStudy", "00080061"),
        ("Modality", "00080060"),
        ("SeriesNumber", "00200011"),
        ("InstanceNumber", "00200013"),
        ("SOPClassUID", "00080016"),
    ];
    known
        .iter()
        .find(|(keyword, tag)| key == *keyword || key.eq_ignore_ascii_case(tag))
        .map(|(keyword, _)| *keyword)
}

/// A UID list: UIDs separated by backslashes or commas.
fn uid_list(value: &str) -> Result<Vec<String>, Problem> {
    value.split(['\\', ',']).map(uid).collect()
}

/// A DA value, `YYYYMMDD` with a real month and day.
fn date(value: &str) -> Result<String, Problem> {
    let ok = value.len() == 8
        && value.bytes().all(|b| b.is_ascii_digit())
        && (1..=12).contains(&value[4..6].parse::<u32>().unwrap_or(0))
        && (1..=31).contains(&value[6..].parse::<u32>().unwrap_or(0));
    if ok {
        Ok(value.to_string())
    } else {
        Err(Problem::BadRequest(format!(
            "StudyDate {value:?} is not YYYYMMDD"
        )))
    }
}

/// A StudyDate key: one date, or a `from-to` range with either end open.
fn date_range(value: &str) -> Result<(Option<String>, Option<String>), Problem> {
    match value.split_once('-') {
        None => {
            let d = date(value)?;
            Ok((Some(d.clone()), Some(d)))
        }
        Some((from, to)) => {
            let from = (!from.is_empty()).then(|| date(from)).transpose()?;
            let to = (!to.is_empty()).then(|| date(to)).transpose()?;
            if from.is_none() && to.is_none() {
                return Err(Problem::BadRequest("StudyDate range has no bound".into()));
            }
            if let (Some(f), Some(t)) = (&from, &to)
                && f > t
            {
                return Err(Problem::BadRequest(format!(
                    "StudyDate range {value:?} ends before it starts"
                )));
            }
            Ok((from, to))
        }
    }
}

/// A TM value: `HH`, `HHMM`, `HHMMSS` or `HHMMSS.F…` (up to six fraction digits).
fn time(value: &str) -> Result<String, Problem> {
    let (whole, fraction) = value.split_once('.').unwrap_or((value, ""));
    let field = |i: usize, max: u32| {
        whole
            .get(i..i + 2)
            .and_then(|f| f.parse::<u32>().ok())
            .is_some_and(|n| n <= max)
    };
    let ok = matches!(whole.len(), 2 | 4 | 6)
        && whole.bytes().all(|b| b.is_ascii_digit())
        && field(0, 23)
        && (whole.len() < 4 || field(2, 59))
        && (whole.len() < 6 || field(4, 60))
        && (fraction.is_empty() || whole.len() == 6)
        && fraction.len() <= 6
        && fraction.bytes().all(|b| b.is_ascii_digit());
    if ok {
        Ok(value.to_string())
    } else {
        Err(Problem::BadRequest(format!(
            "StudyTime {value:?} is not HHMMSS"
        )))
    }
}

/// A StudyTime key: one time (all of its precision: `10` is 10:00:00 to 10:59:59), or a
/// `from-to` range with either end open.
fn time_range(value: &str) -> Result<(Option<String>, Option<String>), Problem> {
    match value.split_once('-') {
        None => {
            let t = time(value)?;
            Ok((Some(t.clone()), Some(t)))
        }
        Some((from, to)) => {
            let from = (!from.is_empty()).then(|| time(from)).transpose()?;
            let to = (!to.is_empty()).then(|| time(to)).transpose()?;
            if from.is_none() && to.is_none() {
                return Err(Problem::BadRequest("StudyTime range has no bound".into()));
            }
            Ok((from, to))
        }
    }
}

/// IS values (InstanceNumber, SeriesNumber), separated by backslashes or commas.
fn number_list(key: &str, value: &str) -> Result<Vec<i64>, Problem> {
    value
        .split(['\\', ','])
        .map(|n| {
            n.trim()
                .parse::<i64>()
                .map_err(|_| Problem::BadRequest(format!("{key} {n:?} is not a number")))
        })
        .collect()
}

/// Modality codes (CS: upper-case letters, digits, `_`), separated by backslashes or commas.
fn modality_list(value: &str) -> Result<Vec<String>, Problem> {
    value
        .split(['\\', ','])
        .map(|m| {
            let ok = !m.is_empty()
                && m.len() <= 16
                && m.bytes()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_');
            if ok {
                Ok(m.to_string())
            } else {
                Err(Problem::BadRequest(format!("{m:?} is not a modality")))
            }
        })
        .collect()
}

fn count(key: &str, value: &str) -> Result<i64, Problem> {
    value
        .parse::<u32>()
        .map(i64::from)
        .map_err(|_| Problem::BadRequest(format!("{key} {value:?} is not a count")))
}

/// Reads the query string of a search at `level`. Keys SonoHub cannot match on are ignored
/// (and named in a Warning header); malformed values of the keys it knows are a 400.
pub(crate) fn parse(level: Level, pairs: &[(String, String)]) -> Result<Search, Problem> {
    let mut search = Search {
        matching: Matching {
            limit: MAX_RESULTS,
            ..Matching::default()
        },
        ..Search::default()
    };
    let m = &mut search.matching;
    for (key, value) in pairs {
        match key.as_str() {
            "limit" => {
                m.limit = count(key, value)?.min(MAX_RESULTS);
                search.limited = true;
                continue;
            }
            "offset" => {
                m.offset = count(key, value)?;
                continue;
            }
            // Every result carries every attribute SonoHub keeps (`includefield=all`);
            // fuzzy matching does not apply to the keys it matches on.
            "includefield" | "fuzzymatching" => continue,
            _ => {}
        }
        let Some(keyword) = attribute(key) else {
            search.ignored.push(key.clone());
            continue;
        };
        // An empty value or a lone `*` matches everything.
        if value.is_empty() || value == "*" {
            continue;
        }
        let applies = match keyword {
            "SeriesInstanceUID" | "Modality" | "SeriesNumber" => level != Level::Study,
            "SOPInstanceUID" | "InstanceNumber" | "SOPClassUID" => level == Level::Instance,
            "ModalitiesInStudy" => level == Level::Study,
            _ => true,
        };
        if !applies {
            search.ignored.push(key.clone());
            continue;
        }
        match keyword {
            "StudyInstanceUID" => m.study_uids = uid_list(value)?,
            "SeriesInstanceUID" => m.series_uids = uid_list(value)?,
            "SOPInstanceUID" => m.sop_uids = uid_list(value)?,
            "PatientID" => {
                if value.len() > 64 {
                    return Err(Problem::BadRequest("PatientID is too long".into()));
                }
                m.patient_id = Some(value.clone());
            }
            "ModalitiesInStudy" | "Modality" => m.modalities = modality_list(value)?,
            "PatientName" => {
                if value.chars().count() > 64 * 5 {
                    return Err(Problem::BadRequest("PatientName is too long".into()));
                }
                m.patient_name = Some(value.clone());
            }
            "StudyDate" => (m.date_from, m.date_to) = date_range(value)?,
            "StudyTime" => (m.time_from, m.time_to) = time_range(value)?,
            // Emptied in every stored study: only a value that matches the empty one (a run
            // of `*`) finds anything.
            "AccessionNumber" | "ReferringPhysicianName" | "StudyID" => {
                if value.chars().any(|c| c != '*') {
                    m.nothing = true;
                }
            }
            "SeriesNumber" => m.series_numbers = number_list(key, value)?,
            "InstanceNumber" => m.instance_numbers = number_list(key, value)?,
            "SOPClassUID" => m.sop_classes = uid_list(value)?,
            _ => unreachable!("every known keyword is matched above"),
        }
    }
    Ok(search)
}

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

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn keys_are_read_by_keyword_or_tag_and_values_are_checked() {
        let s = parse(
            Level::Study,
            &pairs(&[
                ("00100020", "SH12*"),
                ("StudyDate", "20240101-20240131"),
                ("ModalitiesInStudy", "US\\CT"),
                ("StudyInstanceUID", "2.25.1,2.25.2"),
                ("limit", "5"),
                ("offset", "10"),
                ("includefield", "all"),
                ("Modality", "US"),
                ("PatientName", "zhang*"),
                ("00080030", "0930-1100"),
                ("OtherPatientIDs", "X"),
            ]),
        )
        .unwrap();
        let m = &s.matching;
        assert_eq!(m.patient_id.as_deref(), Some("SH12*"));
        assert_eq!(
            (m.date_from.as_deref(), m.date_to.as_deref()),
            (Some("20240101"), Some("20240131"))
        );
        assert_eq!(m.modalities, ["US", "CT"]);
        assert_eq!(m.study_uids, ["2.25.1", "2.25.2"]);
        assert_eq!((m.limit, m.offset), (5, 10));
        assert_eq!(m.patient_name.as_deref(), Some("zhang*"));
        assert_eq!(
            (m.time_from.as_deref(), m.time_to.as_deref()),
            (Some("0930"), Some("1100"))
        );
        assert!(!m.nothing);
        assert_eq!(
            s.ignored,
            ["Modality", "OtherPatientIDs"],
            "series keys at the study level, and unknown keys, are ignored"
        );
        let one_day = parse(Level::Study, &pairs(&[("StudyDate", "20240229")])).unwrap();
        assert_eq!(one_day.matching.date_from, one_day.matching.date_to);
        let open = parse(Level::Series, &pairs(&[("StudyDate", "-20240229")])).unwrap();
        assert_eq!(open.matching.date_from, None);
        let capped = parse(Level::Study, &pairs(&[("limit", "999999")])).unwrap();
        assert_eq!(capped.matching.limit, MAX_RESULTS);
        let numbered = parse(
            Level::Instance,
            &pairs(&[
                ("SeriesNumber", "1"),
                ("00200013", "2\\3"),
                ("SOPClassUID", "1.2.840.10008.5.1.4.1.1.3.1"),
            ]),
        )
        .unwrap();
        assert_eq!(numbered.matching.series_numbers, [1]);
        assert_eq!(numbered.matching.instance_numbers, [2, 3]);
        assert_eq!(
            numbered.matching.sop_classes,
            ["1.2.840.10008.5.1.4.1.1.3.1"]
        );
    }

    #[test]
    fn emptied_attributes_match_only_a_universal_value() {
        for key in ["AccessionNumber", "00080090", "StudyID"] {
            for (value, nothing) in [("*", false), ("**", false), ("", false), ("A*", true)] {
                let s = parse(Level::Study, &pairs(&[(key, value)])).unwrap();
                assert_eq!(s.matching.nothing, nothing, "{key}={value}");
            }
        }
    }

    #[test]
    fn every_known_key_parses_at_every_level() {
        let value = |keyword: &str| match keyword {
            "StudyDate" => "20240101",
            "StudyTime" => "10",
            "Modality" | "ModalitiesInStudy" => "US",
            "SeriesNumber" | "InstanceNumber" => "1",
            k if k.ends_with("UID") => "2.25.1",
            _ => "X",
        };
        for keyword in [
            "StudyInstanceUID",
            "SeriesInstanceUID",
            "SOPInstanceUID",
            "PatientID",
            "PatientName",
            "StudyDate",
            "StudyTime",
            "AccessionNumber",
            "ReferringPhysicianName",
            "StudyID",
            "ModalitiesInStudy",
            "Modality",
            "SeriesNumber",
            "InstanceNumber",
            "SOPClassUID",
        ] {
            assert_eq!(attribute(keyword), Some(keyword));
            for level in [Level::Study, Level::Series, Level::Instance] {
                assert!(parse(level, &pairs(&[(keyword, value(keyword))])).is_ok());
            }
        }
    }

    #[test]
    fn malformed_values_are_refused() {
        for (k, v) in [
            ("StudyDate", "2024-01-01"),
            ("StudyDate", "20241301"),
            ("StudyDate", "-"),
            ("StudyDate", "20240201-20240101"),
            ("StudyInstanceUID", "2.25.x"),
            ("SeriesInstanceUID", "1..2"),
            ("Modality", "us"),
            ("StudyTime", "2500"),
            ("StudyTime", "09:30"),
            ("StudyTime", "1"),
            ("StudyTime", "0930.5"),
            ("StudyTime", "-"),
            ("InstanceNumber", "two"),
            ("SOPClassUID", "x"),
            ("limit", "-1"),
            ("offset", "many"),
        ] {
            assert!(
                matches!(
                    parse(Level::Instance, &pairs(&[(k, v)])),
                    Err(Problem::BadRequest(_))
                ),
                "{k}={v}"
            );
        }
    }
}
