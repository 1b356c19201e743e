//! Teaching cases: their authored content (versioned), workflow, follow-up outcomes,
//! consultation, unknown-case attempts and the network's outcome tables.
use super::scores::{Finding, StenosisGrade, TiradsLevel};
use super::{Annotation, InvalidReason, SiteId, UserId};
use serde::{Deserialize, Serialize};

/// A case's id (UUIDv7 text).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, Hash)]
pub struct CaseId(pub String);

/// Where a case is in curation. Learners only ever see a case's last published version.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Hash)]
#[serde(rename_all = "snake_case")]
pub enum CaseStatus {
    Draft,
    InReview,
    Published,
    Retired,
}

impl CaseStatus {
    pub const ALL: [CaseStatus; 4] = [
        CaseStatus::Draft,
        CaseStatus::InReview,
        CaseStatus::Published,
        CaseStatus::Retired,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            CaseStatus::Draft => "draft",
            CaseStatus::InReview => "in_review",
            CaseStatus::Published => "published",
            CaseStatus::Retired => "retired",
        }
    }

    pub fn parse(s: &str) -> Option<CaseStatus> {
        CaseStatus::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

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

/// Limits on authored text (characters).
pub mod limits {
    pub const TITLE: usize = 120;
    pub const SHORT: usize = 300;
    pub const TEXT: usize = 8000;
    pub const TAG: usize = 30;
    pub const TAGS: usize = 12;
    pub const CLIPS: usize = 12;
    pub const CHOICES: usize = 6;
    pub const COMMENT: usize = 4000;
}

impl CaseContent {
    /// Checks lengths and references, trimming text; the first problem names its field.
    pub fn normalise(mut self) -> Result<CaseContent, (String, InvalidReason)> {
        fn text(
            v: &mut String,
            field: &str,
            max: usize,
            required: bool,
        ) -> Result<(), (String, InvalidReason)> {
            *v = v.trim().to_string();
            if required && v.is_empty() {
                return Err((field.to_string(), InvalidReason::Required));
            }
            if v.chars().count() > max {
                return Err((field.to_string(), InvalidReason::TooLong));
            }
            Ok(())
        }
        text(&mut self.title, "title", limits::TITLE, true)?;
        text(&mut self.history, "history", limits::TEXT, false)?;
        text(&mut self.findings, "findings", limits::TEXT, false)?;
        text(&mut self.impression, "impression", limits::TEXT, false)?;
        text(&mut self.diagnosis, "diagnosis", limits::SHORT, false)?;
        text(&mut self.differential, "differential", limits::TEXT, false)?;
        text(
            &mut self.teaching_points,
            "teaching_points",
            limits::TEXT,
            false,
        )?;
        let mut tags: Vec<String> = Vec::new();
        for tag in &self.tags {
            let tag = tag.trim().trim_start_matches('#').to_string();
            if tag.is_empty() || tags.iter().any(|t| t.to_lowercase() == tag.to_lowercase()) {
                continue;
            }
            if tag.chars().count() > limits::TAG || tag.contains('|') {
                return Err(("tags".into(), InvalidReason::BadFormat));
            }
            tags.push(tag);
        }
        if tags.len() > limits::TAGS {
            return Err(("tags".into(), InvalidReason::TooLong));
        }
        self.tags = tags;
        if self.clips.len() > limits::CLIPS {
            return Err(("clips".into(), InvalidReason::TooLong));
        }
        for clip in &mut self.clips {
            clip.key_frames.sort_unstable();
            clip.key_frames.dedup();
            text(&mut clip.caption, "clips", limits::SHORT, false)?;
        }
        self.choices = self
            .choices
            .iter()
            .map(|c| c.trim().to_string())
            .filter(|c| !c.is_empty())
            .collect();
        if self.choices.len() > limits::CHOICES
            || self
                .choices
                .iter()
                .any(|c| c.chars().count() > limits::SHORT)
        {
            return Err(("choices".into(), InvalidReason::TooLong));
        }
        if self.choices.len() == 1 {
            return Err(("choices".into(), InvalidReason::TooShort));
        }
        match self.answer {
            Some(i) if i as usize >= self.choices.len() => {
                return Err(("answer".into(), InvalidReason::BadFormat));
            }
            None if !self.choices.is_empty() => {
                return Err(("answer".into(), InvalidReason::Required));
            }
            _ => {}
        }
        super::scores::validate(&self.scores).map_err(|e| (e.field, e.reason))?;
        Ok(self)
    }

    /// What a learner must commit in unknown-case mode, from the content's scores and choices.
    pub fn puzzle_kind(&self) -> PuzzleKind {
        if let Some(level) = super::scores::worst_tirads(&self.scores) {
            PuzzleKind::Tirads(level)
        } else if let Some(grade) = super::scores::worst_grade(&self.scores) {
            PuzzleKind::Stenosis(grade)
        } else if let Some(answer) = self.answer {
            PuzzleKind::Choice(answer)
        } else {
            PuzzleKind::FreeText
        }
    }
}

/// The structured part of an unknown-case answer, with the expert's value.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq)]
pub enum PuzzleKind {
    Tirads(TiradsLevel),
    Stenosis(StenosisGrade),
    Choice(u32),
    FreeText,
}

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

/// A kind of follow-up outcome.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Hash)]
#[serde(rename_all = "snake_case")]
pub enum FollowUpKind {
    Fna,
    Histopathology,
    Surgery,
    Imaging,
    Clinical,
}

impl FollowUpKind {
    pub const ALL: [FollowUpKind; 5] = [
        FollowUpKind::Fna,
        FollowUpKind::Histopathology,
        FollowUpKind::Surgery,
        FollowUpKind::Imaging,
        FollowUpKind::Clinical,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            FollowUpKind::Fna => "fna",
            FollowUpKind::Histopathology => "histopathology",
            FollowUpKind::Surgery => "surgery",
            FollowUpKind::Imaging => "imaging",
            FollowUpKind::Clinical => "clinical",
        }
    }

    pub fn parse(s: &str) -> Option<FollowUpKind> {
        FollowUpKind::ALL.into_iter().find(|v| v.as_str() == s)
    }

    /// Tissue diagnoses settle benign versus malignant.
    pub fn is_pathology(self) -> bool {
        matches!(self, FollowUpKind::Histopathology | FollowUpKind::Surgery)
    }
}

/// Bethesda System for Reporting Thyroid Cytopathology, category I–VI.
pub fn bethesda_malignant(category: u8) -> Option<bool> {
    match category {
        2 => Some(false),
        6 => Some(true),
        _ => None,
    }
}

/// An outcome that arrived after the index exam.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct FollowUp {
    pub id: String,
    pub kind: FollowUpKind,
    /// Days after the index exam (dates stay shifted, so only intervals are kept).
    pub day_offset: i32,
    /// Bethesda category I–VI (FNA only).
    pub bethesda: Option<u8>,
    /// Whether tissue or cytology showed malignancy, when it settled it.
    pub malignant: Option<bool>,
    /// Whether the outcome confirms the ultrasound impression (imaging, clinical).
    pub confirms: Option<bool>,
    pub summary: String,
    pub added_by: String,
    pub created_at: i64,
}

/// What an expert enters for a new follow-up.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct FollowUpInput {
    pub kind: FollowUpKind,
    pub day_offset: i32,
    #[serde(default)]
    pub bethesda: Option<u8>,
    #[serde(default)]
    pub malignant: Option<bool>,
    #[serde(default)]
    pub confirms: Option<bool>,
    pub summary: String,
}

impl FollowUpInput {
    /// Checks ranges; FNA carries a Bethesda category and malignancy follows from it.
    pub fn normalise(mut self) -> Result<FollowUpInput, (String, InvalidReason)> {
        if !(0..=3650).contains(&self.day_offset) {
            return Err(("day_offset".into(), InvalidReason::BadFormat));
        }
        self.summary = self.summary.trim().to_string();
        if self.summary.is_empty() {
            return Err(("summary".into(), InvalidReason::Required));
        }
        if self.summary.chars().count() > limits::TEXT {
            return Err(("summary".into(), InvalidReason::TooLong));
        }
        match self.kind {
            FollowUpKind::Fna => {
                let category = self
                    .bethesda
                    .ok_or(("bethesda".to_string(), InvalidReason::Required))?;
                if !(1..=6).contains(&category) {
                    return Err(("bethesda".into(), InvalidReason::BadFormat));
                }
                self.malignant = bethesda_malignant(category);
            }
            _ if self.bethesda.is_some() => {
                return Err(("bethesda".into(), InvalidReason::BadFormat));
            }
            _ => {}
        }
        Ok(self)
    }
}

/// Whether the outcome bears the impression out.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Hash)]
#[serde(rename_all = "snake_case")]
pub enum Concordance {
    Concordant,
    Discordant,
    /// No outcome settles it yet.
    Pending,
}

/// The truth as the follow-ups tell it: tissue first, then cytology (Bethesda II or VI),
/// latest first within each.
pub fn settled_malignancy(follow_ups: &[FollowUp]) -> Option<bool> {
    let latest = |pathology: bool| {
        follow_ups
            .iter()
            .filter(|f| {
                f.kind.is_pathology() == pathology && (pathology || f.kind == FollowUpKind::Fna)
            })
            .filter_map(|f| f.malignant.map(|m| (f.day_offset, m)))
            .max_by_key(|(day, _)| *day)
            .map(|(_, m)| m)
    };
    latest(true).or_else(|| latest(false))
}

/// Concordance of the impression with the outcome: benign/malignant when both are known,
/// else the latest imaging or clinical follow-up that says whether it confirms.
pub fn concordance(call: Option<Call>, follow_ups: &[FollowUp]) -> Concordance {
    if let (Some(call), Some(malignant)) = (call, settled_malignancy(follow_ups)) {
        return if (call == Call::Malignant) == malignant {
            Concordance::Concordant
        } else {
            Concordance::Discordant
        };
    }
    let confirmed = follow_ups
        .iter()
        .filter_map(|f| f.confirms.map(|c| (f.day_offset, c)))
        .max_by_key(|(day, _)| *day);
    match confirmed {
        Some((_, true)) => Concordance::Concordant,
        Some((_, false)) => Concordance::Discordant,
        None => Concordance::Pending,
    }
}

/// A comment's pointer into a clip.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct FrameRef {
    pub sop_uid: String,
    pub frame: u32,
}

/// A consultation comment on a published case.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct CaseComment {
    pub id: String,
    pub author_id: UserId,
    pub author_name: String,
    pub author_role: super::Role,
    pub body: String,
    pub frame: Option<FrameRef>,
    pub is_answer: bool,
    pub created_at: i64,
}

/// What happened to a case in curation, shown to experts only.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ReviewAction {
    Created,
    Submitted,
    Withdrawn,
    Commented,
    ChangesRequested,
    Published,
    Revised,
    Retired,
    Reopened,
}

impl ReviewAction {
    pub const ALL: [ReviewAction; 9] = [
        ReviewAction::Created,
        ReviewAction::Submitted,
        ReviewAction::Withdrawn,
        ReviewAction::Commented,
        ReviewAction::ChangesRequested,
        ReviewAction::Published,
        ReviewAction::Revised,
        ReviewAction::Retired,
        ReviewAction::Reopened,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ReviewAction::Created => "created",
            ReviewAction::Submitted => "submitted",
            ReviewAction::Withdrawn => "withdrawn",
            ReviewAction::Commented => "commented",
            ReviewAction::ChangesRequested => "changes_requested",
            ReviewAction::Published => "published",
            ReviewAction::Revised => "revised",
            ReviewAction::Retired => "retired",
            ReviewAction::Reopened => "reopened",
        }
    }

    pub fn parse(s: &str) -> Option<ReviewAction> {
        ReviewAction::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

/// One entry of a case's curation history.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ReviewEvent {
    pub action: ReviewAction,
    pub actor_name: String,
    pub body: String,
    pub version: Option<u32>,
    pub at: i64,
}

/// A workflow step an expert asks for.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Transition {
    Submit,
    Withdraw,
    RequestChanges,
    Publish,
    Revise,
    Retire,
    Reopen,
}

impl Transition {
    /// The status a case must be in and the one it moves to.
    pub fn from_to(self) -> (&'static [CaseStatus], CaseStatus) {
        use CaseStatus::*;
        match self {
            Transition::Submit => (&[Draft], InReview),
            Transition::Withdraw => (&[InReview], Draft),
            Transition::RequestChanges => (&[InReview], Draft),
            Transition::Publish => (&[InReview], Published),
            Transition::Revise => (&[Published], Draft),
            Transition::Retire => (&[Published, Draft, InReview], Retired),
            Transition::Reopen => (&[Retired], Draft),
        }
    }

    /// Only the author may do it (the others are for reviewers or any expert).
    pub fn author_only(self) -> bool {
        matches!(
            self,
            Transition::Submit | Transition::Withdraw | Transition::Revise | Transition::Reopen
        )
    }

    /// What the step is recorded as in the case's history.
    pub fn action(self) -> ReviewAction {
        match self {
            Transition::Submit => ReviewAction::Submitted,
            Transition::Withdraw => ReviewAction::Withdrawn,
            Transition::RequestChanges => ReviewAction::ChangesRequested,
            Transition::Publish => ReviewAction::Published,
            Transition::Revise => ReviewAction::Revised,
            Transition::Retire => ReviewAction::Retired,
            Transition::Reopen => ReviewAction::Reopened,
        }
    }

    /// The author may not do it: review is by another expert.
    pub fn reviewer_only(self) -> bool {
        matches!(self, Transition::RequestChanges | Transition::Publish)
    }
}

/// The whole case as an expert works on it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct CaseWork {
    pub id: CaseId,
    pub study_uid: String,
    pub status: CaseStatus,
    pub author_id: UserId,
    pub author_name: String,
    pub content: CaseContent,
    /// The version number the next publication gets.
    pub next_version: u32,
    pub published_version: Option<u32>,
    pub history: Vec<ReviewEvent>,
    pub updated_at: i64,
}

/// A published case as anyone signed in reads it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct CaseView {
    pub id: CaseId,
    pub version: u32,
    pub status: CaseStatus,
    pub content: CaseContent,
    /// Teaching points rendered from Markdown and sanitised.
    pub teaching_html: String,
    /// The differential diagnosis, rendered the same way.
    pub differential_html: String,
    pub application: Application,
    pub site_code: String,
    pub site_name_zh: String,
    pub site_name_en: String,
    pub author_name: String,
    pub published_at: i64,
    pub follow_ups: Vec<FollowUp>,
    pub concordance: Concordance,
    /// Clip URLs by SOP instance UID.
    pub clip_urls: Vec<(String, String)>,
    /// The reader's own earlier unknown-case attempts.
    pub my_attempts: u32,
}

/// The unknown-case view: history and clips only.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct CasePuzzle {
    pub id: CaseId,
    pub version: u32,
    pub application: Application,
    pub age_band: AgeBand,
    pub sex: Sex,
    pub history: String,
    /// Clip URLs with their captions, without annotations.
    pub clips: Vec<(String, String)>,
    /// What the structured answer is: "tirads", "stenosis", "choice" or "free".
    pub kind: String,
    pub choices: Vec<String>,
}

/// A learner's committed unknown-case answer.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct AttemptInput {
    pub impression: String,
    #[serde(default)]
    pub tirads: Option<u8>,
    #[serde(default)]
    pub grade: Option<StenosisGrade>,
    #[serde(default)]
    pub choice: Option<u32>,
}

/// The reveal: the learner's answer beside the case and how it compares.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Reveal {
    pub attempt: AttemptInput,
    /// True/false when the structured part could be marked.
    pub correct: Option<bool>,
    pub expected: PuzzleKind,
    pub case: CaseView,
}

/// One of a user's in-app notifications.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Notification {
    pub id: String,
    pub case_id: CaseId,
    pub case_title: String,
    pub actor_name: String,
    /// "reply", "answer", "review", "published", "changes_requested".
    pub kind: String,
    pub excerpt: String,
    pub read: bool,
    pub created_at: i64,
}

/// A row of the TI-RADS-versus-malignancy table.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct TiradsOutcomeRow {
    pub level: TiradsLevel,
    pub cases: u32,
    pub malignant: u32,
}

/// A row of the carotid-grade-versus-outcome table.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct GradeOutcomeRow {
    pub grade: StenosisGrade,
    pub cases: u32,
    pub confirmed: u32,
    pub not_confirmed: u32,
    pub intervention: u32,
    pub pending: u32,
}

/// Network-level outcome tables and concordance counts over published cases.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct OutcomeTables {
    pub tirads: Vec<TiradsOutcomeRow>,
    pub carotid: Vec<GradeOutcomeRow>,
    pub concordant: u32,
    pub discordant: u32,
    pub pending: u32,
}

/// A changed field between two versions, with both values as shown text.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct FieldChange {
    pub field: String,
    pub before: String,
    pub after: String,
}

/// A published version's header.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct VersionInfo {
    pub version: u32,
    pub published_by: String,
    pub published_at: i64,
    pub title: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn follow(
        kind: FollowUpKind,
        day: i32,
        malignant: Option<bool>,
        confirms: Option<bool>,
    ) -> FollowUp {
        FollowUp {
            id: String::new(),
            kind,
            day_offset: day,
            bethesda: None,
            malignant,
            confirms,
            summary: String::new(),
            added_by: String::new(),
            created_at: 0,
        }
    }

    #[test]
    fn tissue_outranks_cytology_and_later_outranks_earlier() {
        let fna_benign = follow(FollowUpKind::Fna, 10, Some(false), None);
        let histo_malignant = follow(FollowUpKind::Histopathology, 40, Some(true), None);
        assert_eq!(
            settled_malignancy(std::slice::from_ref(&fna_benign)),
            Some(false)
        );
        assert_eq!(
            settled_malignancy(&[histo_malignant.clone(), fna_benign.clone()]),
            Some(true)
        );
        // An FNA that came after surgery still does not overrule the tissue diagnosis.
        let late_fna = follow(FollowUpKind::Fna, 90, Some(false), None);
        assert_eq!(settled_malignancy(&[histo_malignant, late_fna]), Some(true));
        assert_eq!(
            settled_malignancy(&[follow(FollowUpKind::Imaging, 5, None, Some(true))]),
            None
        );
    }

    #[test]
    fn concordance_compares_the_call_with_the_settled_outcome() {
        let malignant = [follow(FollowUpKind::Surgery, 30, Some(true), None)];
        assert_eq!(
            concordance(Some(Call::Malignant), &malignant),
            Concordance::Concordant
        );
        assert_eq!(
            concordance(Some(Call::Benign), &malignant),
            Concordance::Discordant
        );
        assert_eq!(concordance(Some(Call::Benign), &[]), Concordance::Pending);
        // Indeterminate cytology settles nothing.
        let atypia = [follow(FollowUpKind::Fna, 14, None, None)];
        assert_eq!(
            concordance(Some(Call::Benign), &atypia),
            Concordance::Pending
        );
        // Without a call, the latest confirming follow-up decides.
        let imaging = [
            follow(FollowUpKind::Imaging, 3, None, Some(false)),
            follow(FollowUpKind::Clinical, 30, None, Some(true)),
        ];
        assert_eq!(concordance(None, &imaging), Concordance::Concordant);
    }

    #[test]
    fn fna_needs_a_bethesda_category_and_derives_malignancy() {
        let input = |bethesda| FollowUpInput {
            kind: FollowUpKind::Fna,
            day_offset: 12,
            bethesda,
            malignant: Some(true),
            confirms: None,
            summary: " Bethesda II ".into(),
        };
        assert_eq!(input(None).normalise().unwrap_err().0, "bethesda");
        assert_eq!(input(Some(7)).normalise().unwrap_err().0, "bethesda");
        let ok = input(Some(2)).normalise().unwrap();
        assert_eq!(
            (ok.malignant, ok.summary.as_str()),
            (Some(false), "Bethesda II")
        );
        assert_eq!(input(Some(4)).normalise().unwrap().malignant, None);
        let mut late = input(Some(6));
        late.day_offset = -1;
        assert_eq!(late.normalise().unwrap_err().0, "day_offset");
    }

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

    #[test]
    fn workflow_keeps_review_away_from_the_author() {
        assert!(Transition::Publish.reviewer_only() && Transition::RequestChanges.reviewer_only());
        assert!(Transition::Submit.author_only() && !Transition::Submit.reviewer_only());
        assert_eq!(
            Transition::Publish.from_to(),
            (&[CaseStatus::InReview][..], CaseStatus::Published)
        );
        assert!(!Transition::Publish.from_to().0.contains(&CaseStatus::Draft));
    }
}
