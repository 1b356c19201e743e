//! What an author writes for a case: the application, patient bands, clips and findings.
use crate::scores::Finding;
use crate::{Annotation, SiteId};
use serde::{Deserialize, Serialize};

/// One entry of the application catalogue shared by cases and competency.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Application {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    /// Emergency point-of-care applications (eFAST, lung, cardiac, AAA, DVT …).
    pub emergency: bool,
}

impl Application {
    /// The name in the page's language.
    pub fn name(&self, lang: &str) -> &str {
        if lang == "zh" {
            &self.name_zh
        } else {
            &self.name_en
        }
    }
}

/// Patient sex as the case states it.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    Female,
    Male,
    Unknown,
}

impl Sex {
    pub const ALL: [Sex; 3] = [Sex::Female, Sex::Male, Sex::Unknown];

    /// The stored and wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Sex::Female => "female",
            Sex::Male => "male",
            Sex::Unknown => "unknown",
        }
    }

    /// Parses the stored name; anything else is `Unknown`.
    pub fn parse(s: &str) -> Sex {
        Sex::ALL
            .into_iter()
            .find(|v| v.as_str() == s)
            .unwrap_or(Sex::Unknown)
    }
}

/// An age band: exact ages are identifying, decades are not.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
pub enum AgeBand {
    #[serde(rename = "0-17")]
    Under18,
    #[serde(rename = "18-29")]
    A18,
    #[serde(rename = "30-39")]
    A30,
    #[serde(rename = "40-49")]
    A40,
    #[serde(rename = "50-59")]
    A50,
    #[serde(rename = "60-69")]
    A60,
    #[serde(rename = "70-79")]
    A70,
    #[serde(rename = "80+")]
    A80,
}

impl AgeBand {
    pub const ALL: [AgeBand; 8] = [
        AgeBand::Under18,
        AgeBand::A18,
        AgeBand::A30,
        AgeBand::A40,
        AgeBand::A50,
        AgeBand::A60,
        AgeBand::A70,
        AgeBand::A80,
    ];

    /// The band as shown and stored, e.g. `40-49`.
    pub fn label(self) -> &'static str {
        match self {
            AgeBand::Under18 => "0-17",
            AgeBand::A18 => "18-29",
            AgeBand::A30 => "30-39",
            AgeBand::A40 => "40-49",
            AgeBand::A50 => "50-59",
            AgeBand::A60 => "60-69",
            AgeBand::A70 => "70-79",
            AgeBand::A80 => "80+",
        }
    }

    pub fn parse(s: &str) -> Option<AgeBand> {
        AgeBand::ALL.into_iter().find(|b| b.label() == s)
    }
}

/// How hard the case is for a community doctor.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[serde(rename_all = "snake_case")]
pub enum Difficulty {
    Basic,
    Intermediate,
    Advanced,
}

impl Difficulty {
    pub const ALL: [Difficulty; 3] = [
        Difficulty::Basic,
        Difficulty::Intermediate,
        Difficulty::Advanced,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Difficulty::Basic => "basic",
            Difficulty::Intermediate => "intermediate",
            Difficulty::Advanced => "advanced",
        }
    }

    pub fn parse(s: &str) -> Option<Difficulty> {
        Difficulty::ALL.into_iter().find(|d| d.as_str() == s)
    }
}

/// The ultrasound impression reduced to what the outcome can confirm or refute.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Hash)]
#[serde(rename_all = "snake_case")]
pub enum Call {
    Benign,
    Malignant,
}

impl Call {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Call::Benign => "benign",
            Call::Malignant => "malignant",
        }
    }

    pub fn parse(s: &str) -> Option<Call> {
        [Call::Benign, Call::Malignant]
            .into_iter()
            .find(|c| c.as_str() == s)
    }
}

/// A clip of the study used by the case, with the frames and marks that teach.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct CaseClip {
    pub sop_uid: String,
    #[serde(default)]
    pub caption: String,
    /// Key frames (0-based), in order.
    #[serde(default)]
    pub key_frames: Vec<u32>,
    #[serde(default)]
    pub annotations: Vec<Annotation>,
}

/// Everything an author writes; each published version is a frozen copy of this.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct CaseContent {
    pub title: String,
    /// Application catalogue code.
    pub application: String,
    pub age_band: AgeBand,
    pub sex: Sex,
    /// The site the exam was done at.
    pub origin_site: SiteId,
    pub history: String,
    pub findings: String,
    pub impression: String,
    /// The impression as benign/malignant where an outcome can settle it.
    #[serde(default)]
    pub impression_call: Option<Call>,
    /// The final diagnosis as the author knows it.
    pub diagnosis: String,
    #[serde(default)]
    pub differential: String,
    /// Markdown; rendered and sanitised on the server.
    #[serde(default)]
    pub teaching_points: String,
    pub difficulty: Difficulty,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub scores: Vec<Finding>,
    #[serde(default)]
    pub clips: Vec<CaseClip>,
    /// Unknown-case choices for applications without a TI-RADS level or stenosis grade.
    #[serde(default)]
    pub choices: Vec<String>,
    /// Index into `choices` of the right one.
    #[serde(default)]
    pub answer: Option<u32>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sex_and_call_names_are_the_wire_names() {
        for s in Sex::ALL {
            assert_eq!(
                serde_json::to_string(&s).unwrap(),
                format!("\"{}\"", s.as_str())
            );
            assert_eq!(Sex::parse(s.as_str()), s);
        }
        for c in [Call::Benign, Call::Malignant] {
            assert_eq!(
                serde_json::to_string(&c).unwrap(),
                format!("\"{}\"", c.as_str())
            );
            assert_eq!(Call::parse(c.as_str()), Some(c));
        }
        assert_eq!(Call::parse(""), None);
    }
}
