//! Reading findings from the editor's JSON and checking them, with the path of the field at
//! fault so the form can point at it.
use super::{CarotidFinding, Plaque, ThyroidNodule};
use super::{Finding, MAX_FINDINGS, MAX_LABEL_CHARS};
use crate::{AppError, InvalidReason};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The root of every field path in a [`ScoreError`].
const ROOT: &str = "scores";

/// Why a list of findings was refused, with the path of the offending field
/// (e.g. `scores.1.size_mm`, `scores.0.foci.2`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{field}: {reason:?}")]
pub struct ScoreError {
    pub field: String,
    pub reason: InvalidReason,
}

impl ScoreError {
    /// A refusal of the field at `field` (a dotted path under `scores`).
    pub(super) fn new(field: impl Into<String>, reason: InvalidReason) -> Self {
        ScoreError {
            field: field.into(),
            reason,
        }
    }
}

impl From<ScoreError> for AppError {
    fn from(e: ScoreError) -> Self {
        AppError::Invalid {
            field: e.field,
            reason: e.reason,
        }
    }
}

/// `0 < value ≤ max`; false for NaN.
fn positive_up_to(value: f64, max: f64) -> bool {
    value > 0.0 && value <= max
}

/// `0 ≤ value ≤ max`; false for NaN.
fn zero_up_to(value: f64, max: f64) -> bool {
    (0.0..=max).contains(&value)
}

/// Checks what serde cannot: plausible ranges, label length, no repeated foci, EDV not above
/// PSV, occluded and near-occluded not both, and at most [`MAX_FINDINGS`] findings.
pub fn validate(findings: &[Finding]) -> Result<(), ScoreError> {
    use InvalidReason::{BadFormat, TooLong};
    if findings.len() > MAX_FINDINGS {
        return Err(ScoreError::new(ROOT, TooLong));
    }
    for (i, finding) in findings.iter().enumerate() {
        let at = |field: &str| format!("{ROOT}.{i}.{field}");
        let check = |ok: bool, field: &str| {
            if ok {
                Ok(())
            } else {
                Err(ScoreError::new(at(field), BadFormat))
            }
        };
        match finding {
            Finding::ThyroidNodule(n) => {
                if n.label.chars().count() > MAX_LABEL_CHARS {
                    return Err(ScoreError::new(at("label"), TooLong));
                }
                check(positive_up_to(n.size_mm, 150.0), "size_mm")?;
                for (k, focus) in n.foci.iter().enumerate() {
                    check(!n.foci[..k].contains(focus), &format!("foci.{k}"))?;
                }
            }
            Finding::Carotid(c) => {
                if let Some(imt) = c.imt_mm {
                    check(positive_up_to(imt, 5.0), "imt_mm")?;
                }
                if let Some(p) = &c.plaque {
                    check(positive_up_to(p.thickness_mm, 10.0), "plaque.thickness_mm")?;
                    if let Some(length) = p.length_mm {
                        check(positive_up_to(length, 100.0), "plaque.length_mm")?;
                    }
                    if let Some(pct) = p.diameter_reduction_pct {
                        check(zero_up_to(pct, 100.0), "plaque.diameter_reduction_pct")?;
                    }
                }
                for (value, field) in [
                    (c.ica_psv, "ica_psv"),
                    (c.ica_edv, "ica_edv"),
                    (c.cca_psv, "cca_psv"),
                ] {
                    if let Some(v) = value {
                        check(zero_up_to(v, 700.0), field)?;
                    }
                }
                if let (Some(psv), Some(edv)) = (c.ica_psv, c.ica_edv) {
                    check(edv <= psv, "ica_edv")?;
                }
                check(!(c.occluded && c.near_occlusion), "near_occlusion")?;
            }
        }
    }
    Ok(())
}

/// Reads findings from JSON and validates them. A malformed value is reported at its field path
/// (`scores.0.foci.1`), which is why each field is read on its own rather than in one serde pass.
/// Unknown keys are ignored, as serde would.
pub fn parse(json: &str) -> Result<Vec<Finding>, ScoreError> {
    let root: Value =
        serde_json::from_str(json).map_err(|_| ScoreError::new(ROOT, InvalidReason::BadFormat))?;
    let Value::Array(items) = root else {
        return Err(ScoreError::new(ROOT, InvalidReason::BadFormat));
    };
    if items.len() > MAX_FINDINGS {
        return Err(ScoreError::new(ROOT, InvalidReason::TooLong));
    }
    let findings = items
        .iter()
        .enumerate()
        .map(|(i, item)| finding_from(item, &format!("{ROOT}.{i}")))
        .collect::<Result<Vec<_>, _>>()?;
    validate(&findings)?;
    Ok(findings)
}

/// One JSON object being read field by field, remembering where it sits.
struct Fields<'a> {
    map: &'a Map<String, Value>,
    path: &'a str,
}

impl<'a> Fields<'a> {
    fn of(value: &'a Value, path: &'a str) -> Result<Self, ScoreError> {
        match value {
            Value::Object(map) => Ok(Fields { map, path }),
            _ => Err(ScoreError::new(path, InvalidReason::BadFormat)),
        }
    }

    fn at(&self, key: &str) -> String {
        format!("{}.{key}", self.path)
    }

    fn present(&self, key: &str) -> Option<&'a Value> {
        self.map.get(key).filter(|v| !v.is_null())
    }

    fn decode<T: DeserializeOwned>(value: &Value, path: String) -> Result<T, ScoreError> {
        T::deserialize(value).map_err(|_| ScoreError::new(path, InvalidReason::BadFormat))
    }

    fn required<T: DeserializeOwned>(&self, key: &str) -> Result<T, ScoreError> {
        let value = self
            .present(key)
            .ok_or_else(|| ScoreError::new(self.at(key), InvalidReason::Required))?;
        Self::decode(value, self.at(key))
    }

    fn optional<T: DeserializeOwned>(&self, key: &str) -> Result<Option<T>, ScoreError> {
        self.present(key)
            .map(|v| Self::decode(v, self.at(key)))
            .transpose()
    }

    fn flag(&self, key: &str) -> Result<bool, ScoreError> {
        Ok(self.optional(key)?.unwrap_or(false))
    }

    fn list<T: DeserializeOwned>(&self, key: &str) -> Result<Vec<T>, ScoreError> {
        match self.present(key) {
            None => Ok(Vec::new()),
            Some(Value::Array(items)) => items
                .iter()
                .enumerate()
                .map(|(k, item)| Self::decode(item, format!("{}.{k}", self.at(key))))
                .collect(),
            Some(_) => Err(ScoreError::new(self.at(key), InvalidReason::BadFormat)),
        }
    }
}

fn finding_from(value: &Value, path: &str) -> Result<Finding, ScoreError> {
    let fields = Fields::of(value, path)?;
    let kind: String = fields.required("kind").map_err(|e| match e.reason {
        InvalidReason::Required => e,
        _ => ScoreError::new(e.field, InvalidReason::Unknown),
    })?;
    match kind.as_str() {
        "thyroid_nodule" => Ok(Finding::ThyroidNodule(ThyroidNodule {
            label: fields.required("label")?,
            lobe: fields.required("lobe")?,
            size_mm: fields.required("size_mm")?,
            composition: fields.required("composition")?,
            echogenicity: fields.required("echogenicity")?,
            shape: fields.required("shape")?,
            margin: fields.required("margin")?,
            foci: fields.list("foci")?,
        })),
        "carotid" => {
            let plaque_path = fields.at("plaque");
            let plaque = match fields.present("plaque") {
                None => None,
                Some(v) => {
                    let p = Fields::of(v, &plaque_path)?;
                    Some(Plaque {
                        thickness_mm: p.required("thickness_mm")?,
                        length_mm: p.optional("length_mm")?,
                        echo: p.required("echo")?,
                        surface: p.required("surface")?,
                        calcified: p.flag("calcified")?,
                        diameter_reduction_pct: p.optional("diameter_reduction_pct")?,
                    })
                }
            };
            Ok(Finding::Carotid(CarotidFinding {
                side: fields.required("side")?,
                imt_mm: fields.optional("imt_mm")?,
                plaque,
                ica_psv: fields.optional("ica_psv")?,
                ica_edv: fields.optional("ica_edv")?,
                cca_psv: fields.optional("cca_psv")?,
                near_occlusion: fields.flag("near_occlusion")?,
                occluded: fields.flag("occluded")?,
            }))
        }
        _ => Err(ScoreError::new(fields.at("kind"), InvalidReason::Unknown)),
    }
}
