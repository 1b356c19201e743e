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
use super::{AppError, InvalidReason};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The most findings one case may carry; more is a data-entry mistake, not a teaching case.
pub const MAX_FINDINGS: usize = 12;
/// The longest nodule label, in characters.
pub const MAX_LABEL_CHARS: usize = 80;
/// The root of every field path in a [`ScoreError`].
const ROOT: &str = "scores";

// ---------------------------------------------------------------- thyroid nodule descriptors

/// ACR composition; `Cystic` covers "cystic or almost completely cystic", `Solid` "solid or
/// almost completely solid".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Composition {
    Cystic,
    Spongiform,
    Mixed,
    Solid,
}

impl Composition {
    /// Every composition, in chart order.
    pub fn all() -> [Self; 4] {
        [Self::Cystic, Self::Spongiform, Self::Mixed, Self::Solid]
    }

    /// ACR points for this composition alone.
    pub fn acr_points(self) -> u8 {
        match self {
            Self::Cystic | Self::Spongiform => 0,
            Self::Mixed => 1,
            Self::Solid => 2,
        }
    }
}

/// ACR echogenicity; `VeryHypo` is the C-TIRADS "markedly hypoechoic" (below the strap muscles).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Echogenicity {
    Anechoic,
    HyperIso,
    Hypo,
    VeryHypo,
}

impl Echogenicity {
    /// Every echogenicity, in chart order.
    pub fn all() -> [Self; 4] {
        [Self::Anechoic, Self::HyperIso, Self::Hypo, Self::VeryHypo]
    }

    /// ACR points for this echogenicity alone.
    pub fn acr_points(self) -> u8 {
        match self {
            Self::Anechoic => 0,
            Self::HyperIso => 1,
            Self::Hypo => 2,
            Self::VeryHypo => 3,
        }
    }
}

/// Shape on the transverse plane; `TallerThanWide` is the C-TIRADS "vertical orientation".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoduleShape {
    WiderThanTall,
    TallerThanWide,
}

impl NoduleShape {
    /// Both shapes.
    pub fn all() -> [Self; 2] {
        [Self::WiderThanTall, Self::TallerThanWide]
    }

    /// ACR points for this shape alone.
    pub fn acr_points(self) -> u8 {
        match self {
            Self::WiderThanTall => 0,
            Self::TallerThanWide => 3,
        }
    }
}

/// ACR margin; `Irregular` covers "lobulated or irregular".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Margin {
    Smooth,
    IllDefined,
    Irregular,
    Extrathyroidal,
}

impl Margin {
    /// Every margin, in chart order.
    pub fn all() -> [Self; 4] {
        [
            Self::Smooth,
            Self::IllDefined,
            Self::Irregular,
            Self::Extrathyroidal,
        ]
    }

    /// ACR points for this margin alone (ill-defined scores nothing in ACR, unlike C-TIRADS).
    pub fn acr_points(self) -> u8 {
        match self {
            Self::Smooth | Self::IllDefined => 0,
            Self::Irregular => 2,
            Self::Extrathyroidal => 3,
        }
    }
}

/// ACR echogenic foci; a nodule may show several (their points add up) or none (empty list).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EchogenicFoci {
    CometTail,
    Macro,
    Rim,
    Punctate,
}

impl EchogenicFoci {
    /// Every kind of focus, in chart order.
    pub fn all() -> [Self; 4] {
        [Self::CometTail, Self::Macro, Self::Rim, Self::Punctate]
    }

    /// ACR points for this kind of focus alone.
    pub fn acr_points(self) -> u8 {
        match self {
            Self::CometTail => 0,
            Self::Macro => 1,
            Self::Rim => 2,
            Self::Punctate => 3,
        }
    }
}

/// Where in the gland the nodule lies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Lobe {
    Right,
    Left,
    Isthmus,
}

impl Lobe {
    /// Every location.
    pub fn all() -> [Self; 3] {
        [Self::Right, Self::Left, Self::Isthmus]
    }
}

/// One thyroid nodule as the case author described it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ThyroidNodule {
    pub label: String,
    pub lobe: Lobe,
    /// Maximum diameter in millimetres; the ACR size thresholds apply to it.
    pub size_mm: f64,
    pub composition: Composition,
    pub echogenicity: Echogenicity,
    pub shape: NoduleShape,
    pub margin: Margin,
    #[serde(default)]
    pub foci: Vec<EchogenicFoci>,
}

impl Default for ThyroidNodule {
    /// A blank solid, isoechoic, 10 mm nodule: the commonest starting point when authoring.
    fn default() -> Self {
        ThyroidNodule {
            label: String::new(),
            lobe: Lobe::Right,
            size_mm: 10.0,
            composition: Composition::Solid,
            echogenicity: Echogenicity::HyperIso,
            shape: NoduleShape::WiderThanTall,
            margin: Margin::Smooth,
            foci: Vec::new(),
        }
    }
}

// ---------------------------------------------------------------- ACR TI-RADS

/// ACR TI-RADS level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TiradsLevel {
    Tr1,
    Tr2,
    Tr3,
    Tr4,
    Tr5,
}

impl TiradsLevel {
    /// The level's number, 1 to 5.
    pub fn number(self) -> u8 {
        match self {
            Self::Tr1 => 1,
            Self::Tr2 => 2,
            Self::Tr3 => 3,
            Self::Tr4 => 4,
            Self::Tr5 => 5,
        }
    }

    /// The level with this number, if it is 1 to 5.
    pub fn from_number(n: u8) -> Option<Self> {
        Self::all().into_iter().find(|l| l.number() == n)
    }

    /// Every level, lowest first.
    pub fn all() -> [Self; 5] {
        [Self::Tr1, Self::Tr2, Self::Tr3, Self::Tr4, Self::Tr5]
    }

    /// The level for a point total.
    ///
    /// The white paper's chart reads TR1 0 points, TR2 2, TR3 3, TR4 4–6, TR5 ≥ 7 and is silent
    /// on 1 point (reachable, e.g. a cystic nodule with a macrocalcification). We read the chart's
    /// numbers as lower bounds, so 1 point stays below TR2 and is TR1; TR1 and TR2 carry the
    /// same management (neither FNA nor follow-up), so the choice changes no advice.
    pub fn from_points(total: u8) -> Self {
        match total {
            0 | 1 => Self::Tr1,
            2 => Self::Tr2,
            3 => Self::Tr3,
            4..=6 => Self::Tr4,
            _ => Self::Tr5,
        }
    }

    /// The maximum diameters (mm) from which the white paper advises FNA and follow-up.
    pub fn size_thresholds_mm(self) -> (Option<f64>, Option<f64>) {
        match self {
            Self::Tr1 | Self::Tr2 => (None, None),
            Self::Tr3 => (Some(25.0), Some(15.0)),
            Self::Tr4 => (Some(15.0), Some(10.0)),
            Self::Tr5 => (Some(10.0), Some(5.0)),
        }
    }
}

/// ACR points per category and their sum.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AcrPoints {
    pub composition: u8,
    pub echogenicity: u8,
    pub shape: u8,
    pub margin: u8,
    pub foci: u8,
    pub total: u8,
}

/// What to do next for one nodule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Advice {
    Fna,
    FollowUp,
    NoFurther,
}

/// A nodule's ACR TI-RADS points, level and advice.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AcrResult {
    pub points: AcrPoints,
    pub level: TiradsLevel,
    /// The advice at this nodule's size: FNA at or above `fna_from_mm`, else follow-up at or
    /// above `follow_from_mm`, else nothing further.
    pub advice: Advice,
    pub fna_from_mm: Option<f64>,
    pub follow_from_mm: Option<f64>,
}

impl ThyroidNodule {
    /// ACR points per category. A spongiform nodule scores nothing in any category (the chart
    /// says not to add further points); a cystic nodule's echogenicity counts as anechoic.
    pub fn acr_points(&self) -> AcrPoints {
        if self.composition == Composition::Spongiform {
            return AcrPoints {
                composition: 0,
                echogenicity: 0,
                shape: 0,
                margin: 0,
                foci: 0,
                total: 0,
            };
        }
        let composition = self.composition.acr_points();
        let echogenicity = match self.composition {
            Composition::Cystic => Echogenicity::Anechoic.acr_points(),
            _ => self.echogenicity.acr_points(),
        };
        let shape = self.shape.acr_points();
        let margin = self.margin.acr_points();
        // Each kind counts once, even if a stored list repeats it.
        let foci = EchogenicFoci::all()
            .into_iter()
            .filter(|f| self.foci.contains(f))
            .map(EchogenicFoci::acr_points)
            .sum();
        AcrPoints {
            composition,
            echogenicity,
            shape,
            margin,
            foci,
            total: composition + echogenicity + shape + margin + foci,
        }
    }

    /// ACR TI-RADS level and size-based advice.
    pub fn acr(&self) -> AcrResult {
        let points = self.acr_points();
        let level = TiradsLevel::from_points(points.total);
        let (fna_from_mm, follow_from_mm) = level.size_thresholds_mm();
        let reaches = |from: Option<f64>| from.is_some_and(|mm| self.size_mm >= mm);
        let advice = if reaches(fna_from_mm) {
            Advice::Fna
        } else if reaches(follow_from_mm) {
            Advice::FollowUp
        } else {
            Advice::NoFurther
        };
        AcrResult {
            points,
            level,
            advice,
            fna_from_mm,
            follow_from_mm,
        }
    }

    /// C-TIRADS by the count method: +1 per suspicious feature, −1 for comet-tail artefacts.
    ///
    /// A margin is one choice here, so "ill-defined or irregular" and "extrathyroidal
    /// extension" never both count: the guideline scores them as one point either way, and
    /// the result names which one was seen.
    pub fn c_tirads(&self) -> CTiradsResult {
        let mut positive = Vec::new();
        if self.composition == Composition::Solid {
            positive.push(CTiradsFeature::Solid);
        }
        if self.echogenicity == Echogenicity::VeryHypo {
            positive.push(CTiradsFeature::MarkedlyHypoechoic);
        }
        if self.foci.contains(&EchogenicFoci::Punctate) {
            positive.push(CTiradsFeature::Microcalcification);
        }
        match self.margin {
            Margin::Smooth => {}
            Margin::IllDefined | Margin::Irregular => {
                positive.push(CTiradsFeature::IllDefinedOrIrregularMargin)
            }
            Margin::Extrathyroidal => positive.push(CTiradsFeature::Extrathyroidal),
        }
        if self.shape == NoduleShape::TallerThanWide {
            positive.push(CTiradsFeature::Vertical);
        }
        let mut negative = Vec::new();
        if self.foci.contains(&EchogenicFoci::CometTail) {
            negative.push(CTiradsFeature::CometTail);
        }
        // At most five positive and one negative feature, so this cannot overflow.
        let score = positive.len() as i8 - negative.len() as i8;
        let category = CTiradsCategory::from_score(score);
        CTiradsResult {
            positive,
            negative,
            score,
            category,
            advice: category.advice(),
            risk: category.risk().to_string(),
        }
    }
}

// ---------------------------------------------------------------- C-TIRADS

/// A feature the C-TIRADS count method scores.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CTiradsFeature {
    Solid,
    MarkedlyHypoechoic,
    /// Punctate echogenic foci.
    Microcalcification,
    IllDefinedOrIrregularMargin,
    /// Shares its point with an ill-defined or irregular margin (see [`ThyroidNodule::c_tirads`]).
    Extrathyroidal,
    /// Taller than wide.
    Vertical,
    /// The one benign sign, worth −1.
    CometTail,
}

/// C-TIRADS category (C-TR2 to C-TR5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CTiradsCategory {
    C2,
    C3,
    C4a,
    C4b,
    C4c,
    C5,
}

impl CTiradsCategory {
    /// Every category, lowest first.
    pub fn all() -> [Self; 6] {
        [
            Self::C2,
            Self::C3,
            Self::C4a,
            Self::C4b,
            Self::C4c,
            Self::C5,
        ]
    }

    /// The category's name as reports write it after "C-TR": "2", "3", "4A", "4B", "4C", "5".
    pub fn label(self) -> &'static str {
        match self {
            Self::C2 => "2",
            Self::C3 => "3",
            Self::C4a => "4A",
            Self::C4b => "4B",
            Self::C4c => "4C",
            Self::C5 => "5",
        }
    }

    /// The category for a count-method score (−1 to 5).
    pub fn from_score(score: i8) -> Self {
        match score {
            ..=-1 => Self::C2,
            0 => Self::C3,
            1 => Self::C4a,
            2 => Self::C4b,
            3 | 4 => Self::C4c,
            _ => Self::C5,
        }
    }

    /// The guideline's malignancy risk range for this category.
    pub fn risk(self) -> &'static str {
        match self {
            Self::C2 => "0%",
            Self::C3 => "<2%",
            Self::C4a => "2–10%",
            Self::C4b => "10–50%",
            Self::C4c => "50–90%",
            Self::C5 => ">90%",
        }
    }

    /// Advice from the category alone: no further work-up for C-TR2, follow-up for C-TR3 and
    /// an FNA candidate from C-TR4A up.
    ///
    /// The guideline also gives size thresholds for FNA, but we could not check them against
    /// the published text, so they are deliberately not applied; this mapping is ours.
    pub fn advice(self) -> Advice {
        match self {
            Self::C2 => Advice::NoFurther,
            Self::C3 => Advice::FollowUp,
            Self::C4a | Self::C4b | Self::C4c | Self::C5 => Advice::Fna,
        }
    }
}

/// A nodule's C-TIRADS features, score, category and risk.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CTiradsResult {
    pub positive: Vec<CTiradsFeature>,
    pub negative: Vec<CTiradsFeature>,
    pub score: i8,
    pub category: CTiradsCategory,
    /// From the category only (see [`CTiradsCategory::advice`]).
    pub advice: Advice,
    /// Malignancy risk range as the guideline prints it, e.g. "2–10%".
    pub risk: String,
}

// ---------------------------------------------------------------- carotid

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

// ---------------------------------------------------------------- findings

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

// ---------------------------------------------------------------- validation and parsing

/// Why a list of findings was refused, with the path of the offending field
/// (e.g. `scores.1.size_mm`, `scores.0.foci.2`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{field}: {reason:?}")]
pub struct ScoreError {
    pub field: String,
    pub reason: InvalidReason,
}

impl ScoreError {
    fn new(field: impl Into<String>, reason: InvalidReason) -> Self {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn nodule() -> ThyroidNodule {
        ThyroidNodule {
            label: "N1".into(),
            lobe: Lobe::Right,
            size_mm: 12.0,
            composition: Composition::Cystic,
            echogenicity: Echogenicity::Anechoic,
            shape: NoduleShape::WiderThanTall,
            margin: Margin::Smooth,
            foci: vec![],
        }
    }

    fn carotid(psv: Option<f64>, edv: Option<f64>, cca: Option<f64>) -> CarotidFinding {
        CarotidFinding {
            ica_psv: psv,
            ica_edv: edv,
            cca_psv: cca,
            ..CarotidFinding::default()
        }
    }

    fn grade(c: &CarotidFinding) -> StenosisGrade {
        c.sru().expect("gradable").grade
    }

    // ---- ACR points per category

    #[test]
    fn composition_points() {
        let points: Vec<u8> = Composition::all()
            .into_iter()
            .map(|composition| {
                ThyroidNodule {
                    composition,
                    ..nodule()
                }
                .acr_points()
                .composition
            })
            .collect();
        assert_eq!(points, [0, 0, 1, 2]);
    }

    #[test]
    fn echogenicity_points_on_a_solid_nodule() {
        let points: Vec<u8> = Echogenicity::all()
            .into_iter()
            .map(|echogenicity| {
                ThyroidNodule {
                    composition: Composition::Solid,
                    echogenicity,
                    ..nodule()
                }
                .acr_points()
                .echogenicity
            })
            .collect();
        assert_eq!(points, [0, 1, 2, 3]);
    }

    #[test]
    fn cystic_nodule_echogenicity_counts_as_anechoic() {
        let n = ThyroidNodule {
            echogenicity: Echogenicity::VeryHypo,
            ..nodule()
        };
        assert_eq!(n.acr_points().echogenicity, 0);
        assert_eq!(n.acr_points().total, 0);
    }

    #[test]
    fn shape_margin_and_foci_points() {
        let shape: Vec<u8> = NoduleShape::all()
            .into_iter()
            .map(|shape| ThyroidNodule { shape, ..nodule() }.acr_points().shape)
            .collect();
        assert_eq!(shape, [0, 3]);
        let margin: Vec<u8> = Margin::all()
            .into_iter()
            .map(|margin| ThyroidNodule { margin, ..nodule() }.acr_points().margin)
            .collect();
        assert_eq!(margin, [0, 0, 2, 3]);
        let foci: Vec<u8> = EchogenicFoci::all()
            .into_iter()
            .map(|f| {
                ThyroidNodule {
                    foci: vec![f],
                    ..nodule()
                }
                .acr_points()
                .foci
            })
            .collect();
        assert_eq!(foci, [0, 1, 2, 3]);
    }

    #[test]
    fn several_foci_add_up_and_repeats_count_once() {
        let n = ThyroidNodule {
            foci: vec![
                EchogenicFoci::Macro,
                EchogenicFoci::Rim,
                EchogenicFoci::Punctate,
            ],
            ..nodule()
        };
        assert_eq!(n.acr_points().foci, 6);
        let repeated = ThyroidNodule {
            foci: vec![EchogenicFoci::Punctate, EchogenicFoci::Punctate],
            ..nodule()
        };
        assert_eq!(repeated.acr_points().foci, 3);
    }

    #[test]
    fn spongiform_adds_no_further_points() {
        let n = ThyroidNodule {
            composition: Composition::Spongiform,
            echogenicity: Echogenicity::VeryHypo,
            shape: NoduleShape::TallerThanWide,
            margin: Margin::Extrathyroidal,
            foci: vec![EchogenicFoci::Punctate],
            size_mm: 40.0,
            ..nodule()
        };
        let acr = n.acr();
        assert_eq!(acr.points.total, 0);
        assert_eq!(acr.points.margin, 0);
        assert_eq!(acr.level, TiradsLevel::Tr1);
        assert_eq!(acr.advice, Advice::NoFurther);
    }

    #[test]
    fn total_is_the_sum_of_categories() {
        let n = ThyroidNodule {
            composition: Composition::Mixed,
            echogenicity: Echogenicity::Hypo,
            margin: Margin::Irregular,
            foci: vec![EchogenicFoci::Macro],
            ..nodule()
        };
        let p = n.acr_points();
        assert_eq!(
            (p.composition, p.echogenicity, p.margin, p.foci),
            (1, 2, 2, 1)
        );
        assert_eq!(p.total, 6);
    }

    // ---- ACR levels

    #[test]
    fn level_boundaries() {
        let cases = [
            (0, TiradsLevel::Tr1),
            (1, TiradsLevel::Tr1),
            (2, TiradsLevel::Tr2),
            (3, TiradsLevel::Tr3),
            (4, TiradsLevel::Tr4),
            (6, TiradsLevel::Tr4),
            (7, TiradsLevel::Tr5),
            (14, TiradsLevel::Tr5),
        ];
        for (points, level) in cases {
            assert_eq!(TiradsLevel::from_points(points), level, "{points} points");
        }
    }

    #[test]
    fn one_point_nodule_is_tr1() {
        // Cystic with a macrocalcification: the one realistic way to 1 point.
        let n = ThyroidNodule {
            foci: vec![EchogenicFoci::Macro],
            size_mm: 30.0,
            ..nodule()
        };
        let acr = n.acr();
        assert_eq!(acr.points.total, 1);
        assert_eq!(acr.level, TiradsLevel::Tr1);
        assert_eq!(acr.advice, Advice::NoFurther);
    }

    #[test]
    fn highest_possible_nodule_scores_14() {
        let n = ThyroidNodule {
            composition: Composition::Solid,
            echogenicity: Echogenicity::VeryHypo,
            shape: NoduleShape::TallerThanWide,
            margin: Margin::Extrathyroidal,
            foci: EchogenicFoci::all().to_vec(),
            ..nodule()
        };
        let acr = n.acr();
        assert_eq!(acr.points.total, 2 + 3 + 3 + 3 + 6);
        assert_eq!(acr.level, TiradsLevel::Tr5);
    }

    #[test]
    fn level_numbers_round_trip() {
        for level in TiradsLevel::all() {
            assert_eq!(TiradsLevel::from_number(level.number()), Some(level));
        }
        assert_eq!(TiradsLevel::from_number(0), None);
        assert_eq!(TiradsLevel::from_number(6), None);
    }

    // ---- ACR advice by size

    /// A solid nodule whose other features bring it to `level`.
    fn at_level(level: TiradsLevel, size_mm: f64) -> ThyroidNodule {
        let (echogenicity, margin) = match level {
            TiradsLevel::Tr2 => (Echogenicity::Anechoic, Margin::Smooth), // 2
            TiradsLevel::Tr3 => (Echogenicity::HyperIso, Margin::Smooth), // 3
            TiradsLevel::Tr4 => (Echogenicity::Hypo, Margin::Smooth),     // 4
            _ => (Echogenicity::VeryHypo, Margin::Irregular),             // 7
        };
        let n = ThyroidNodule {
            composition: Composition::Solid,
            echogenicity,
            margin,
            size_mm,
            ..nodule()
        };
        assert_eq!(n.acr().level, level);
        n
    }

    #[test]
    fn advice_at_each_threshold() {
        use Advice::*;
        let cases = [
            (TiradsLevel::Tr3, 14.9, NoFurther),
            (TiradsLevel::Tr3, 15.0, FollowUp),
            (TiradsLevel::Tr3, 24.9, FollowUp),
            (TiradsLevel::Tr3, 25.0, Fna),
            (TiradsLevel::Tr4, 9.9, NoFurther),
            (TiradsLevel::Tr4, 10.0, FollowUp),
            (TiradsLevel::Tr4, 14.9, FollowUp),
            (TiradsLevel::Tr4, 15.0, Fna),
            (TiradsLevel::Tr5, 4.9, NoFurther),
            (TiradsLevel::Tr5, 5.0, FollowUp),
            (TiradsLevel::Tr5, 9.9, FollowUp),
            (TiradsLevel::Tr5, 10.0, Fna),
            (TiradsLevel::Tr2, 60.0, NoFurther),
        ];
        for (level, size, advice) in cases {
            assert_eq!(
                at_level(level, size).acr().advice,
                advice,
                "{level:?} {size} mm"
            );
        }
    }

    #[test]
    fn thresholds_are_reported() {
        let acr = at_level(TiradsLevel::Tr4, 3.0).acr();
        assert_eq!(
            (acr.fna_from_mm, acr.follow_from_mm),
            (Some(15.0), Some(10.0))
        );
        let acr = at_level(TiradsLevel::Tr2, 3.0).acr();
        assert_eq!((acr.fna_from_mm, acr.follow_from_mm), (None, None));
    }

    // ---- C-TIRADS

    #[test]
    fn c_tirads_comet_tail_alone_is_category_2() {
        let n = ThyroidNodule {
            foci: vec![EchogenicFoci::CometTail],
            ..nodule()
        };
        let c = n.c_tirads();
        assert_eq!(c.score, -1);
        assert_eq!(c.negative, [CTiradsFeature::CometTail]);
        assert_eq!(c.category, CTiradsCategory::C2);
        assert_eq!(c.risk, "0%");
        assert_eq!(c.advice, Advice::NoFurther);
    }

    #[test]
    fn c_tirads_no_feature_is_category_3() {
        let c = nodule().c_tirads();
        assert_eq!((c.score, c.category), (0, CTiradsCategory::C3));
        assert_eq!(c.risk, "<2%");
    }

    #[test]
    fn c_tirads_each_feature_counts_one() {
        let one = |n: ThyroidNodule, feature| {
            let c = n.c_tirads();
            assert_eq!(c.positive, [feature]);
            assert_eq!((c.score, c.category), (1, CTiradsCategory::C4a));
        };
        let solid = ThyroidNodule {
            composition: Composition::Solid,
            echogenicity: Echogenicity::Hypo,
            ..nodule()
        };
        one(solid, CTiradsFeature::Solid);
        let very_hypo = ThyroidNodule {
            composition: Composition::Mixed,
            echogenicity: Echogenicity::VeryHypo,
            ..nodule()
        };
        one(very_hypo, CTiradsFeature::MarkedlyHypoechoic);
        let punctate = ThyroidNodule {
            foci: vec![EchogenicFoci::Punctate, EchogenicFoci::Macro],
            ..nodule()
        };
        one(punctate, CTiradsFeature::Microcalcification);
        let ill_defined = ThyroidNodule {
            margin: Margin::IllDefined,
            ..nodule()
        };
        one(ill_defined, CTiradsFeature::IllDefinedOrIrregularMargin);
        let irregular = ThyroidNodule {
            margin: Margin::Irregular,
            ..nodule()
        };
        one(irregular, CTiradsFeature::IllDefinedOrIrregularMargin);
        let ete = ThyroidNodule {
            margin: Margin::Extrathyroidal,
            ..nodule()
        };
        one(ete, CTiradsFeature::Extrathyroidal);
        let vertical = ThyroidNodule {
            shape: NoduleShape::TallerThanWide,
            ..nodule()
        };
        one(vertical, CTiradsFeature::Vertical);
    }

    #[test]
    fn c_tirads_categories_by_score() {
        let cases = [
            (-1, CTiradsCategory::C2, "2"),
            (0, CTiradsCategory::C3, "3"),
            (1, CTiradsCategory::C4a, "4A"),
            (2, CTiradsCategory::C4b, "4B"),
            (3, CTiradsCategory::C4c, "4C"),
            (4, CTiradsCategory::C4c, "4C"),
            (5, CTiradsCategory::C5, "5"),
        ];
        for (score, category, label) in cases {
            assert_eq!(
                CTiradsCategory::from_score(score),
                category,
                "score {score}"
            );
            assert_eq!(category.label(), label);
        }
        let risks: Vec<&str> = CTiradsCategory::all()
            .into_iter()
            .map(|c| c.risk())
            .collect();
        assert_eq!(risks, ["0%", "<2%", "2–10%", "10–50%", "50–90%", ">90%"]);
    }

    #[test]
    fn c_tirads_all_five_features_is_category_5() {
        let n = ThyroidNodule {
            composition: Composition::Solid,
            echogenicity: Echogenicity::VeryHypo,
            shape: NoduleShape::TallerThanWide,
            margin: Margin::Extrathyroidal,
            foci: vec![EchogenicFoci::Punctate],
            ..nodule()
        };
        let c = n.c_tirads();
        assert_eq!(c.score, 5);
        assert_eq!(c.category, CTiradsCategory::C5);
        assert_eq!(c.risk, ">90%");
        assert_eq!(c.advice, Advice::Fna);
    }

    #[test]
    fn c_tirads_comet_tail_subtracts_from_suspicious_features() {
        let n = ThyroidNodule {
            composition: Composition::Solid,
            echogenicity: Echogenicity::VeryHypo,
            margin: Margin::Irregular,
            foci: vec![EchogenicFoci::CometTail],
            ..nodule()
        };
        let c = n.c_tirads();
        assert_eq!(c.positive.len(), 3);
        assert_eq!((c.score, c.category), (2, CTiradsCategory::C4b));
    }

    // ---- carotid

    #[test]
    fn imt_classes() {
        assert_eq!(ImtClass::from_mm(0.99), ImtClass::Normal);
        assert_eq!(ImtClass::from_mm(1.0), ImtClass::Thickened);
        assert_eq!(ImtClass::from_mm(1.49), ImtClass::Thickened);
        assert_eq!(ImtClass::from_mm(1.5), ImtClass::Plaque);
        assert_eq!(carotid(None, None, None).imt_class(), None);
    }

    #[test]
    fn psv_thresholds() {
        let with_plaque = |psv| CarotidFinding {
            plaque: Some(Plaque::default()),
            ..carotid(Some(psv), None, None)
        };
        assert_eq!(
            grade(&carotid(Some(124.0), None, None)),
            StenosisGrade::Normal
        );
        assert_eq!(grade(&with_plaque(124.0)), StenosisGrade::Under50);
        assert_eq!(grade(&with_plaque(125.0)), StenosisGrade::From50To69);
        assert_eq!(grade(&with_plaque(230.0)), StenosisGrade::From50To69);
        assert_eq!(grade(&with_plaque(231.0)), StenosisGrade::Over70);
    }

    #[test]
    fn low_velocity_wall_disease_from_imt() {
        let with_imt = |imt| CarotidFinding {
            imt_mm: Some(imt),
            ..carotid(Some(80.0), None, None)
        };
        assert_eq!(grade(&with_imt(0.8)), StenosisGrade::Normal);
        // SRU: "plaque or intimal thickening" makes a low-velocity ICA "< 50%".
        assert_eq!(grade(&with_imt(1.2)), StenosisGrade::Under50);
        assert_eq!(grade(&with_imt(1.6)), StenosisGrade::Under50);
    }

    #[test]
    fn ratio_thresholds() {
        let by_ratio = |ica, cca| carotid(Some(ica), None, Some(cca)).sru().unwrap().by_ratio;
        assert_eq!(by_ratio(199.0, 100.0), Some(StenosisGrade::Normal));
        assert_eq!(by_ratio(200.0, 100.0), Some(StenosisGrade::From50To69));
        assert_eq!(by_ratio(400.0, 100.0), Some(StenosisGrade::From50To69));
        assert_eq!(by_ratio(401.0, 100.0), Some(StenosisGrade::Over70));
        let r = carotid(Some(250.0), None, Some(125.0)).sru().unwrap();
        assert_eq!(r.ratio, Some(2.0));
        assert_eq!(carotid(Some(100.0), None, Some(0.0)).ratio(), None);
    }

    #[test]
    fn edv_thresholds() {
        let by_edv = |edv| carotid(Some(300.0), Some(edv), None).sru().unwrap().by_edv;
        assert_eq!(by_edv(39.0), Some(StenosisGrade::Normal));
        assert_eq!(by_edv(40.0), Some(StenosisGrade::From50To69));
        assert_eq!(by_edv(100.0), Some(StenosisGrade::From50To69));
        assert_eq!(by_edv(101.0), Some(StenosisGrade::Over70));
    }

    #[test]
    fn occlusion_and_near_occlusion_override_velocities() {
        let occluded = CarotidFinding {
            occluded: true,
            ..carotid(None, None, None)
        };
        let r = occluded.sru().unwrap();
        assert_eq!(r.grade, StenosisGrade::Occlusion);
        assert!(r.concordant);
        let near = CarotidFinding {
            near_occlusion: true,
            ..carotid(Some(40.0), Some(5.0), Some(80.0))
        };
        let r = near.sru().unwrap();
        assert_eq!(r.grade, StenosisGrade::NearOcclusion);
        assert_eq!(r.by_psv, Some(StenosisGrade::Normal));
        assert!(r.concordant);
    }

    #[test]
    fn missing_psv_grades_from_edv_and_nothing_gives_none() {
        let r = carotid(None, Some(120.0), Some(90.0)).sru().unwrap();
        assert_eq!(r.grade, StenosisGrade::Over70);
        assert_eq!((r.by_psv, r.ratio), (None, None));
        assert!(r.concordant);
        assert_eq!(carotid(None, None, Some(90.0)).sru(), None);
    }

    #[test]
    fn concordance() {
        let agree = carotid(Some(180.0), Some(60.0), Some(60.0)).sru().unwrap();
        assert_eq!(agree.grade, StenosisGrade::From50To69);
        assert!(agree.concordant);
        // PSV says 50–69%, but the ratio (4.5) says ≥ 70%.
        let disagree = carotid(Some(180.0), Some(60.0), Some(40.0)).sru().unwrap();
        assert_eq!(disagree.grade, StenosisGrade::From50To69);
        assert_eq!(disagree.by_ratio, Some(StenosisGrade::Over70));
        assert!(!disagree.concordant);
        let psv_only = carotid(Some(260.0), None, None).sru().unwrap();
        assert!(psv_only.concordant);
    }

    #[test]
    fn worst_of_a_case() {
        let findings = vec![
            Finding::ThyroidNodule(at_level(TiradsLevel::Tr3, 12.0)),
            Finding::Carotid(carotid(Some(150.0), None, None)),
            Finding::ThyroidNodule(at_level(TiradsLevel::Tr5, 12.0)),
            Finding::Carotid(CarotidFinding {
                occluded: true,
                ..carotid(None, None, None)
            }),
            Finding::Carotid(carotid(None, None, None)),
        ];
        assert_eq!(worst_tirads(&findings), Some(TiradsLevel::Tr5));
        assert_eq!(worst_grade(&findings), Some(StenosisGrade::Occlusion));
        assert_eq!(worst_tirads(&findings[1..2]), None);
        assert_eq!(worst_grade(&[]), None);
    }

    // ---- validation and parsing

    fn sample() -> Vec<Finding> {
        vec![
            Finding::ThyroidNodule(ThyroidNodule {
                label: "右叶中部结节".into(),
                composition: Composition::Solid,
                echogenicity: Echogenicity::VeryHypo,
                foci: vec![EchogenicFoci::Punctate, EchogenicFoci::CometTail],
                ..nodule()
            }),
            Finding::Carotid(CarotidFinding {
                side: Side::Left,
                imt_mm: Some(1.1),
                plaque: Some(Plaque {
                    thickness_mm: 3.2,
                    length_mm: Some(12.5),
                    echo: PlaqueEcho::Mixed,
                    surface: PlaqueSurface::Ulcerated,
                    calcified: true,
                    diameter_reduction_pct: Some(60.0),
                }),
                ..carotid(Some(210.0), Some(70.0), Some(80.0))
            }),
        ]
    }

    fn parse_err(json: &str) -> (String, InvalidReason) {
        let e = parse(json).expect_err("should be refused");
        (e.field, e.reason)
    }

    #[test]
    fn json_round_trip() {
        let findings = sample();
        let json = serde_json::to_string(&findings).unwrap();
        assert!(json.contains(r#""kind":"thyroid_nodule""#));
        assert!(json.contains(r#""kind":"carotid""#));
        assert_eq!(parse(&json).unwrap(), findings);
        let via_serde: Vec<Finding> = serde_json::from_str(&json).unwrap();
        assert_eq!(via_serde, findings);
    }

    #[test]
    fn parse_fills_defaults() {
        let json = r#"[{"kind":"thyroid_nodule","label":"","lobe":"isthmus","size_mm":8,
            "composition":"mixed","echogenicity":"hypo","shape":"wider_than_tall","margin":"smooth"},
            {"kind":"carotid","side":"right","imt_mm":null}]"#;
        let findings = parse(json).unwrap();
        let Finding::ThyroidNodule(n) = &findings[0] else {
            panic!("a nodule")
        };
        assert!(n.foci.is_empty());
        assert_eq!(findings[1], Finding::Carotid(CarotidFinding::default()));
    }

    #[test]
    fn parse_names_the_bad_focus() {
        let json = r#"[{"kind":"thyroid_nodule","label":"a","lobe":"left","size_mm":8,
            "composition":"solid","echogenicity":"hypo","shape":"wider_than_tall",
            "margin":"smooth","foci":["huge"]}]"#;
        assert_eq!(
            parse_err(json),
            ("scores.0.foci.0".into(), InvalidReason::BadFormat)
        );
        let json = json.replace(r#"["huge"]"#, r#"["macro","huge"]"#);
        assert_eq!(parse_err(&json).0, "scores.0.foci.1");
    }

    #[test]
    fn parse_names_semantic_errors() {
        let json = r#"[{"kind":"thyroid_nodule","label":"a","lobe":"left","size_mm":-3,
            "composition":"solid","echogenicity":"hypo","shape":"wider_than_tall","margin":"smooth"}]"#;
        assert_eq!(
            parse_err(json),
            ("scores.0.size_mm".into(), InvalidReason::BadFormat)
        );
        let json = r#"[{"kind":"carotid","side":"left"},
            {"kind":"carotid","side":"left","plaque":{"thickness_mm":2,"echo":"hypo","surface":"rough"}}]"#;
        assert_eq!(
            parse_err(json),
            ("scores.1.plaque.surface".into(), InvalidReason::BadFormat)
        );
    }

    #[test]
    fn parse_kind_and_shape_errors() {
        assert_eq!(
            parse_err(r#"[{"kind":"liver"}]"#),
            ("scores.0.kind".into(), InvalidReason::Unknown)
        );
        assert_eq!(
            parse_err(r#"[{"kind":7}]"#),
            ("scores.0.kind".into(), InvalidReason::Unknown)
        );
        assert_eq!(
            parse_err(r#"[{"side":"left"}]"#),
            ("scores.0.kind".into(), InvalidReason::Required)
        );
        assert_eq!(
            parse_err(r#"[{"kind":"carotid"}]"#),
            ("scores.0.side".into(), InvalidReason::Required)
        );
        assert_eq!(
            parse_err(r#"[{"kind":"carotid","side":"left","ica_psv":"fast"}]"#),
            ("scores.0.ica_psv".into(), InvalidReason::BadFormat)
        );
        assert_eq!(
            parse_err(r#"[3]"#),
            ("scores.0".into(), InvalidReason::BadFormat)
        );
        assert_eq!(
            parse_err(r#"{"kind":"carotid"}"#),
            ("scores".into(), InvalidReason::BadFormat)
        );
        assert_eq!(
            parse_err("not json"),
            ("scores".into(), InvalidReason::BadFormat)
        );
    }

    #[test]
    fn validate_ranges() {
        let bad_nodule = |edit: fn(&mut ThyroidNodule)| {
            let mut n = nodule();
            edit(&mut n);
            validate(&[Finding::ThyroidNodule(n)]).unwrap_err()
        };
        assert_eq!(bad_nodule(|n| n.size_mm = 0.0).field, "scores.0.size_mm");
        assert_eq!(bad_nodule(|n| n.size_mm = 150.1).field, "scores.0.size_mm");
        assert_eq!(
            bad_nodule(|n| n.size_mm = f64::NAN).field,
            "scores.0.size_mm"
        );
        let long = bad_nodule(|n| n.label = "结".repeat(81));
        assert_eq!(
            (long.field.as_str(), long.reason),
            ("scores.0.label", InvalidReason::TooLong)
        );
        assert_eq!(
            bad_nodule(|n| n.foci = vec![EchogenicFoci::Rim, EchogenicFoci::Rim]).field,
            "scores.0.foci.1"
        );
        let mut fine = nodule();
        fine.label = "结".repeat(80);
        fine.size_mm = 150.0;
        assert_eq!(validate(&[Finding::ThyroidNodule(fine)]), Ok(()));

        let bad_carotid = |edit: fn(&mut CarotidFinding)| {
            let mut c = carotid(Some(100.0), Some(30.0), Some(80.0));
            edit(&mut c);
            validate(&[Finding::Carotid(c)]).unwrap_err().field
        };
        assert_eq!(bad_carotid(|c| c.imt_mm = Some(5.1)), "scores.0.imt_mm");
        assert_eq!(bad_carotid(|c| c.ica_psv = Some(701.0)), "scores.0.ica_psv");
        assert_eq!(bad_carotid(|c| c.cca_psv = Some(-1.0)), "scores.0.cca_psv");
        assert_eq!(bad_carotid(|c| c.ica_edv = Some(120.0)), "scores.0.ica_edv");
        assert_eq!(
            bad_carotid(|c| {
                c.occluded = true;
                c.near_occlusion = true;
            }),
            "scores.0.near_occlusion"
        );
        assert_eq!(
            bad_carotid(|c| c.plaque = Some(Plaque {
                thickness_mm: 10.5,
                ..Plaque::default()
            })),
            "scores.0.plaque.thickness_mm"
        );
        assert_eq!(
            bad_carotid(|c| c.plaque = Some(Plaque {
                diameter_reduction_pct: Some(101.0),
                ..Plaque::default()
            })),
            "scores.0.plaque.diameter_reduction_pct"
        );
        assert_eq!(validate(&sample()), Ok(()));
    }

    #[test]
    fn at_most_twelve_findings() {
        let twelve = vec![Finding::ThyroidNodule(nodule()); MAX_FINDINGS];
        assert_eq!(validate(&twelve), Ok(()));
        let thirteen = vec![Finding::ThyroidNodule(nodule()); MAX_FINDINGS + 1];
        let e = validate(&thirteen).unwrap_err();
        assert_eq!(
            (e.field.as_str(), e.reason),
            ("scores", InvalidReason::TooLong)
        );
        let json = serde_json::to_string(&thirteen).unwrap();
        assert_eq!(parse_err(&json), ("scores".into(), InvalidReason::TooLong));
    }

    #[test]
    fn score_error_becomes_an_invalid_app_error() {
        let e = ScoreError::new("scores.0.size_mm", InvalidReason::BadFormat);
        assert_eq!(
            AppError::from(e),
            AppError::invalid("scores.0.size_mm", InvalidReason::BadFormat)
        );
    }
}
