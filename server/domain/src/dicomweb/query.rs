//! A QIDO-RS query string (PS3.18 §10.6) read into what a search matches: keys by keyword or
//! tag, UID lists, date and time ranges, numbers and modalities checked, and the keys SonoHub
//! does not match on set aside to be named in a warning. Pure: the fuzzer reaches it without
//! the web server.
use super::Matching;
use model::Uid;

/// Why a query is refused, as the client is told (400).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadQuery(pub String);

/// A UID by the one rule (`model::Uid`).
fn uid(value: &str) -> Result<String, BadQuery> {
    Uid::parse(value)
        .map(Uid::into_string)
        .map_err(|_| BadQuery(format!("{value:?} is not a UID")))
}

/// The most results one response carries; a client pages on with `offset`.
pub const MAX_RESULTS: i64 = 1000;

/// Which level a search returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Study,
    Series,
    Instance,
}

/// A search as parsed from its query string: what to match and which keys were ignored.
#[derive(Debug, Default)]
pub struct Query {
    pub matching: Matching,
    /// Whether the client set `limit` (else a full page may mean more remain).
    pub limited: bool,
    /// Keys SonoHub does not match on, named back to the client in a warning.
    pub ignored: Vec<String>,
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
fn uid_list(value: &str) -> Result<Vec<String>, BadQuery> {
    value.split(['\\', ',']).map(uid).collect()
}

/// A DA value, `YYYYMMDD` with a real month and day.
fn date(value: &str) -> Result<String, BadQuery> {
    let ok = value.len() == 8
        && value.bytes().all(|b| b.is_ascii_digit())
        && (1..=12).contains(&value[4..6].parse::<u32>().unwrap_or(0))
        && (1..=31).contains(&value[6..].parse::<u32>().unwrap_or(0));
    if ok {
        Ok(value.to_string())
    } else {
        Err(BadQuery(format!("StudyDate {value:?} is not YYYYMMDD")))
    }
}

/// A StudyDate key: one date, or a `from-to` range with either end open.
fn date_range(value: &str) -> Result<(Option<String>, Option<String>), BadQuery> {
    match value.split_once('-') {
        None => {
            let d = date(value)?;
            Ok((Some(d.clone()), Some(d)))
        }
        Some((from, to)) => {
            let from = (!from.is_empty()).then(|| date(from)).transpose()?;
            let to = (!to.is_empty()).then(|| date(to)).transpose()?;
            if from.is_none() && to.is_none() {
                return Err(BadQuery("StudyDate range has no bound".into()));
            }
            if let (Some(f), Some(t)) = (&from, &to)
                && f > t
            {
                return Err(BadQuery(format!(
                    "StudyDate range {value:?} ends before it starts"
                )));
            }
            Ok((from, to))
        }
    }
}

/// A TM value: `HH`, `HHMM`, `HHMMSS` or `HHMMSS.F…` (up to six fraction digits).
fn time(value: &str) -> Result<String, BadQuery> {
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
        Err(BadQuery(format!("StudyTime {value:?} is not HHMMSS")))
    }
}

/// A StudyTime key: one time (all of its precision: `10` is 10:00:00 to 10:59:59), or a
/// `from-to` range with either end open.
fn time_range(value: &str) -> Result<(Option<String>, Option<String>), BadQuery> {
    match value.split_once('-') {
        None => {
            let t = time(value)?;
            Ok((Some(t.clone()), Some(t)))
        }
        Some((from, to)) => {
            let from = (!from.is_empty()).then(|| time(from)).transpose()?;
            let to = (!to.is_empty()).then(|| time(to)).transpose()?;
            if from.is_none() && to.is_none() {
                return Err(BadQuery("StudyTime range has no bound".into()));
            }
            Ok((from, to))
        }
    }
}

/// IS values (InstanceNumber, SeriesNumber), separated by backslashes or commas.
fn number_list(key: &str, value: &str) -> Result<Vec<i64>, BadQuery> {
    value
        .split(['\\', ','])
        .map(|n| {
            n.trim()
                .parse::<i64>()
                .map_err(|_| BadQuery(format!("{key} {n:?} is not a number")))
        })
        .collect()
}

/// Modality codes (CS: upper-case letters, digits, `_`), separated by backslashes or commas.
fn modality_list(value: &str) -> Result<Vec<String>, BadQuery> {
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
                Err(BadQuery(format!("{m:?} is not a modality")))
            }
        })
        .collect()
}

fn count(key: &str, value: &str) -> Result<i64, BadQuery> {
    value
        .parse::<u32>()
        .map(i64::from)
        .map_err(|_| BadQuery(format!("{key} {value:?} is not a count")))
}

/// Reads the query string of a search at `level`. Keys SonoHub cannot match on are ignored
/// (and named in a Warning header); malformed values of the keys it knows are a 400.
pub fn parse(level: Level, pairs: &[(String, String)]) -> Result<Query, BadQuery> {
    let mut search = Query {
        matching: Matching {
            limit: MAX_RESULTS,
            ..Matching::default()
        },
        ..Query::default()
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
                    return Err(BadQuery("PatientID is too long".into()));
                }
                m.patient_id = Some(value.clone());
            }
            "ModalitiesInStudy" | "Modality" => m.modalities = modality_list(value)?,
            "PatientName" => {
                if value.chars().count() > 64 * 5 {
                    return Err(BadQuery("PatientName is too long".into()));
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
                matches!(parse(Level::Instance, &pairs(&[(k, v)])), Err(BadQuery(_))),
                "{k}={v}"
            );
        }
    }
}
