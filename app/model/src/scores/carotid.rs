//! Carotid findings: IMT class, plaque, and the SRU 2003 consensus stenosis grade from the
//! Doppler velocities.
use serde::{Deserialize, Serialize};

/// Which carotid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    Right,
    Left,
}

impl Side {
    /// Both sides.
    pub fn all() -> [Self; 2] {
        [Self::Right, Self::Left]
    }
}

/// Plaque echogenicity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlaqueEcho {
    Hypo,
    Iso,
    Hyper,
    Mixed,
}

impl PlaqueEcho {
    /// Every plaque echogenicity.
    pub fn all() -> [Self; 4] {
        [Self::Hypo, Self::Iso, Self::Hyper, Self::Mixed]
    }
}

/// Plaque surface.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlaqueSurface {
    Smooth,
    Irregular,
    Ulcerated,
}

impl PlaqueSurface {
    /// Every plaque surface.
    pub fn all() -> [Self; 3] {
        [Self::Smooth, Self::Irregular, Self::Ulcerated]
    }
}

/// The largest plaque on one side.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plaque {
    pub thickness_mm: f64,
    pub length_mm: Option<f64>,
    pub echo: PlaqueEcho,
    pub surface: PlaqueSurface,
    pub calcified: bool,
    /// The gray-scale estimate of diameter narrowing, in percent.
    pub diameter_reduction_pct: Option<f64>,
}

impl Default for Plaque {
    /// A small smooth isoechoic plaque, the usual starting point when one is ticked.
    fn default() -> Self {
        Plaque {
            thickness_mm: 2.0,
            length_mm: None,
            echo: PlaqueEcho::Iso,
            surface: PlaqueSurface::Smooth,
            calcified: false,
            diameter_reduction_pct: None,
        }
    }
}

/// One carotid examined: wall, plaque and Doppler velocities (cm/s).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CarotidFinding {
    pub side: Side,
    pub imt_mm: Option<f64>,
    pub plaque: Option<Plaque>,
    /// Internal carotid peak systolic velocity.
    pub ica_psv: Option<f64>,
    /// Internal carotid end-diastolic velocity.
    pub ica_edv: Option<f64>,
    /// Common carotid peak systolic velocity.
    pub cca_psv: Option<f64>,
    #[serde(default)]
    pub near_occlusion: bool,
    #[serde(default)]
    pub occluded: bool,
}

impl Default for CarotidFinding {
    /// A right carotid with nothing measured yet.
    fn default() -> Self {
        CarotidFinding {
            side: Side::Right,
            imt_mm: None,
            plaque: None,
            ica_psv: None,
            ica_edv: None,
            cca_psv: None,
            near_occlusion: false,
            occluded: false,
        }
    }
}

/// Intima–media thickness class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ImtClass {
    Normal,
    Thickened,
    Plaque,
}

impl ImtClass {
    /// The class of an IMT in mm: < 1.0 normal, 1.0 to < 1.5 thickened, ≥ 1.5 plaque.
    pub fn from_mm(mm: f64) -> Self {
        if mm < 1.0 {
            Self::Normal
        } else if mm < 1.5 {
            Self::Thickened
        } else {
            Self::Plaque
        }
    }
}

/// Internal carotid stenosis grade of the SRU 2003 consensus.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StenosisGrade {
    Normal,
    Under50,
    From50To69,
    Over70,
    NearOcclusion,
    Occlusion,
}

impl StenosisGrade {
    /// Every grade, mildest first.
    pub fn all() -> [Self; 6] {
        [
            Self::Normal,
            Self::Under50,
            Self::From50To69,
            Self::Over70,
            Self::NearOcclusion,
            Self::Occlusion,
        ]
    }

    /// The stored and wire name (as serde writes it).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Normal => "normal",
            Self::Under50 => "under50",
            Self::From50To69 => "from50_to69",
            Self::Over70 => "over70",
            Self::NearOcclusion => "near_occlusion",
            Self::Occlusion => "occlusion",
        }
    }

    /// Parses the stored name; `None` for anything else.
    pub fn parse(s: &str) -> Option<Self> {
        Self::all().into_iter().find(|g| g.as_str() == s)
    }
}

/// A carotid's SRU grade, with what each velocity parameter says on its own.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SruResult {
    pub grade: StenosisGrade,
    /// ICA PSV / CCA PSV.
    pub ratio: Option<f64>,
    pub by_psv: Option<StenosisGrade>,
    pub by_ratio: Option<StenosisGrade>,
    pub by_edv: Option<StenosisGrade>,
    /// Every additional parameter that was measured agrees with the grade.
    pub concordant: bool,
}

impl CarotidFinding {
    /// The IMT class, when the IMT was measured.
    pub fn imt_class(&self) -> Option<ImtClass> {
        self.imt_mm.map(ImtClass::from_mm)
    }

    /// ICA PSV / CCA PSV, when both were measured.
    pub fn ratio(&self) -> Option<f64> {
        match (self.ica_psv, self.cca_psv) {
            (Some(ica), Some(cca)) if cca > 0.0 => Some(ica / cca),
            _ => None,
        }
    }

    /// Visible plaque or intimal thickening: SRU's line between "normal" and "< 50%" when the
    /// velocities are low. A thickened IMT counts, as the consensus names intimal thickening.
    fn wall_disease(&self) -> bool {
        self.plaque.is_some()
            || matches!(
                self.imt_class(),
                Some(ImtClass::Thickened | ImtClass::Plaque)
            )
    }

    /// The SRU grade. Occlusion and near occlusion are diagnosed on imaging and override the
    /// velocities. Otherwise ICA PSV is the primary parameter; without it the grade comes from
    /// the ratio, then EDV (the ratio needs ICA PSV too, so in practice from EDV). `None` when
    /// there is nothing to grade from.
    pub fn sru(&self) -> Option<SruResult> {
        let low = if self.wall_disease() {
            StenosisGrade::Under50
        } else {
            StenosisGrade::Normal
        };
        // Each band's upper bound is inclusive, as the consensus writes 125–230, 2.0–4.0, 40–100.
        let band = |value: f64, from: f64, to: f64| {
            if value < from {
                low
            } else if value <= to {
                StenosisGrade::From50To69
            } else {
                StenosisGrade::Over70
            }
        };
        let ratio = self.ratio();
        let by_psv = self.ica_psv.map(|v| band(v, 125.0, 230.0));
        let by_ratio = ratio.map(|r| band(r, 2.0, 4.0));
        let by_edv = self.ica_edv.map(|v| band(v, 40.0, 100.0));
        let imaging = if self.occluded {
            Some(StenosisGrade::Occlusion)
        } else if self.near_occlusion {
            Some(StenosisGrade::NearOcclusion)
        } else {
            None
        };
        let (grade, concordant) = match imaging {
            // Velocities may be high, low or absent here, so they cannot disagree.
            Some(grade) => (grade, true),
            None => {
                let chain = [by_psv, by_ratio, by_edv];
                let primary = chain.iter().position(Option::is_some)?;
                let grade = chain[primary]?;
                let agree = chain[primary + 1..]
                    .iter()
                    .flatten()
                    .all(|other| *other == grade);
                (grade, agree)
            }
        };
        Some(SruResult {
            grade,
            ratio,
            by_psv,
            by_ratio,
            by_edv,
            concordant,
        })
    }
}
