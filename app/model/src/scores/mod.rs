//! Structured scores: thyroid nodules (ACR TI-RADS, C-TIRADS) and carotid findings (SRU).
//!
//! Pure rules shared by the case editor in the browser and the server that stores cases, so a
//! learner sees the same level while typing that the server later validates. The tables follow:
//!
//! * ACR TI-RADS — Tessler FN et al., "ACR Thyroid Imaging, Reporting and Data System
//!   (TI-RADS): White Paper of the ACR TI-RADS Committee", J Am Coll Radiol 2017;14:587–595.
//! * C-TIRADS — Zhou J et al., "2020 Chinese guidelines for ultrasound malignancy risk
//!   stratification of thyroid nodules: the C-TIRADS", Endocrine 2020;70:256–279 (Superficial
//!   Organ and Vascular Ultrasound Group, Society of Ultrasound in Medicine, CMA).
//! * Carotid stenosis — Grant EG et al., "Carotid Artery Stenosis: Gray-Scale and Doppler US
//!   Diagnosis — Society of Radiologists in Ultrasound Consensus Conference", Radiology
//!   2003;229:340–346.
//! * IMT classes — the Chinese carotid ultrasound practice (e.g. 中国健康体检人群颈动脉超声
//!   检查规范, 2015, with the CMA Society of Ultrasound in Medicine): IMT < 1.0 mm normal,
//!   1.0–1.5 mm thickened, ≥ 1.5 mm plaque.
mod carotid;
mod thyroid;
mod validate;

pub use carotid::*;
pub use thyroid::*;
pub use validate::*;

use serde::{Deserialize, Serialize};

/// The most findings one case may carry; more is a data-entry mistake, not a teaching case.
pub const MAX_FINDINGS: usize = 12;
/// The longest nodule label, in characters.
pub const MAX_LABEL_CHARS: usize = 80;

/// One scored finding of a case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Finding {
    ThyroidNodule(ThyroidNodule),
    Carotid(CarotidFinding),
}

/// The highest ACR level among the nodules, if there are any.
pub fn worst_tirads(findings: &[Finding]) -> Option<TiradsLevel> {
    findings
        .iter()
        .filter_map(|f| match f {
            Finding::ThyroidNodule(n) => Some(n.acr().level),
            Finding::Carotid(_) => None,
        })
        .max()
}

/// The most severe SRU grade among the carotid findings that can be graded.
pub fn worst_grade(findings: &[Finding]) -> Option<StenosisGrade> {
    findings
        .iter()
        .filter_map(|f| match f {
            Finding::Carotid(c) => c.sru().map(|r| r.grade),
            Finding::ThyroidNodule(_) => None,
        })
        .max()
}

#[cfg(test)]
mod tests;
