//! The case library: its rows, search filters, sort orders and result pages.
use super::{AgeBand, CaseId, CaseStatus, Difficulty, Sex};
use crate::scores::{StenosisGrade, TiradsLevel};
use serde::{Deserialize, Serialize};

/// A row of the library or the workbench.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct CaseSummary {
    pub id: CaseId,
    pub title: String,
    pub application: String,
    pub difficulty: Difficulty,
    pub status: CaseStatus,
    pub tags: Vec<String>,
    pub diagnosis: String,
    pub age_band: AgeBand,
    pub sex: Sex,
    pub tirads: Option<TiradsLevel>,
    pub grade: Option<StenosisGrade>,
    pub has_pathology: bool,
    pub follow_ups: u32,
    pub comments: u32,
    pub author_name: String,
    pub site_code: String,
    pub published_version: Option<u32>,
    pub updated_at: i64,
    pub published_at: Option<i64>,
    /// The first clip's URL, for a thumbnail.
    pub cover_url: Option<String>,
}

/// How the library is sorted.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Default)]
#[serde(rename_all = "snake_case")]
pub enum CaseSort {
    #[default]
    Newest,
    Title,
    Difficulty,
    Discussed,
}

impl CaseSort {
    pub const ALL: [CaseSort; 4] = [
        CaseSort::Newest,
        CaseSort::Title,
        CaseSort::Difficulty,
        CaseSort::Discussed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CaseSort::Newest => "newest",
            CaseSort::Title => "title",
            CaseSort::Difficulty => "difficulty",
            CaseSort::Discussed => "discussed",
        }
    }

    pub fn parse(s: &str) -> CaseSort {
        CaseSort::ALL
            .into_iter()
            .find(|v| v.as_str() == s)
            .unwrap_or_default()
    }
}

/// The library's search and filters; empty fields do not filter.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
pub struct CaseQuery {
    #[serde(default)]
    pub text: String,
    #[serde(default)]
    pub application: String,
    #[serde(default)]
    pub diagnosis: String,
    #[serde(default)]
    pub tirads: Option<u8>,
    #[serde(default)]
    pub has_pathology: Option<bool>,
    #[serde(default)]
    pub difficulty: Option<Difficulty>,
    #[serde(default)]
    pub tag: String,
    #[serde(default)]
    pub site: String,
    #[serde(default)]
    pub sort: CaseSort,
    #[serde(default)]
    pub page: u32,
}

/// One page of library results.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct CasePage {
    pub cases: Vec<CaseSummary>,
    pub total: u32,
    pub page: u32,
    pub per_page: u32,
}
