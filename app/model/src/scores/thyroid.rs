//! Thyroid nodules: the ACR TI-RADS descriptors, points, levels and size advice, and the
//! C-TIRADS count method over the same descriptors.
use serde::{Deserialize, Serialize};

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
