//! Sites of the regional network and the people who work at them.
pub use crate::ids::{SiteId, UserId};
use serde::{Deserialize, Serialize};

/// What a person may do; see the role table in DESIGN.md.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Hash)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Learner,
    Expert,
    Coordinator,
    Admin,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Learner, Role::Expert, Role::Coordinator, Role::Admin];

    /// The stored and wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Learner => "learner",
            Role::Expert => "expert",
            Role::Coordinator => "coordinator",
            Role::Admin => "admin",
        }
    }

    /// Parses the stored name; `None` for anything else.
    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// Sees every person in the network (coordinators and admins).
    pub fn sees_everyone(self) -> bool {
        self.may(Permission::ViewNetwork)
    }

    /// Whether this role may do `what`: the one table every server function, HTTP handler
    /// and page guard asks.
    pub fn may(self, what: Permission) -> bool {
        use Permission::*;
        match what {
            CurateStudies | AuthorCases => self == Role::Expert,
            ViewNetwork => matches!(self, Role::Coordinator | Role::Admin),
            ManageAccounts | ManageSites | ConfigureArchive | ReadAudit | ManageDeviceMasks
            | ManageDicomWebTokens => self == Role::Admin,
            AuthorCourses => matches!(self, Role::Expert | Role::Coordinator),
            WriteQuestions => self == Role::Expert,
            ManageEnrolment => self == Role::Coordinator,
            RecordReplays => self == Role::Expert,
            LogScans => self == Role::Learner,
            ReviewScans => self == Role::Expert,
            ManageCredentials => self == Role::Coordinator,
        }
    }

    /// Uses the teaching areas (cases, courses, replays, competency).
    pub fn uses_teaching(self) -> bool {
        !matches!(self, Role::Admin)
    }
}

/// Something only some roles may do (DESIGN.md's role table); `Role::may` decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    /// Import and anonymise studies, open any stored study and file, browse `/dicom-web`.
    CurateStudies,
    /// Write, review and publish cases, add follow-ups, read drafts and versions.
    AuthorCases,
    /// See every person of every site and the network's head counts.
    ViewNetwork,
    /// Create accounts, enable or disable them, reset passwords.
    ManageAccounts,
    /// Rename, open or close sites.
    ManageSites,
    /// Set the regional archive's connection.
    ConfigureArchive,
    /// Read the audit log.
    ReadAudit,
    /// List, edit and retire device masks (experts save them from the quarantine).
    ManageDeviceMasks,
    /// Issue, name and revoke the read-only tokens DICOMweb viewers and services use.
    ManageDicomWebTokens,
    /// Build courses and quizzes, see every attempt at them and their item analysis.
    AuthorCourses,
    /// Write questions for the bank.
    WriteQuestions,
    /// Make cohorts, enrol people and sites, set due dates.
    ManageEnrolment,
    /// Record, edit, review and publish guidance replays; guide live sessions.
    RecordReplays,
    /// Log one's own scans and submit them for review.
    LogScans,
    /// Review other people's logged scans.
    ReviewScans,
    /// Set applications' review forms and credential rules, award credentials, see every
    /// site's logbooks and the quality-control dashboards.
    ManageCredentials,
}

impl Permission {
    pub const ALL: [Permission; 16] = [
        Permission::CurateStudies,
        Permission::AuthorCases,
        Permission::ViewNetwork,
        Permission::ManageAccounts,
        Permission::ManageSites,
        Permission::ConfigureArchive,
        Permission::ReadAudit,
        Permission::ManageDeviceMasks,
        Permission::ManageDicomWebTokens,
        Permission::AuthorCourses,
        Permission::WriteQuestions,
        Permission::ManageEnrolment,
        Permission::RecordReplays,
        Permission::LogScans,
        Permission::ReviewScans,
        Permission::ManageCredentials,
    ];
}

/// Hub hospital or community health service centre.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum SiteKind {
    Hub,
    Community,
}

impl SiteKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SiteKind::Hub => "hub",
            SiteKind::Community => "community",
        }
    }

    pub fn parse(s: &str) -> Option<SiteKind> {
        match s {
            "hub" => Some(SiteKind::Hub),
            "community" => Some(SiteKind::Community),
            _ => None,
        }
    }
}

/// A site of the network, named in both languages.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Site {
    pub id: SiteId,
    pub code: String,
    pub kind: SiteKind,
    pub name_zh: String,
    pub name_en: String,
    pub active: bool,
}

impl Site {
    /// The name in the given language ("en" or anything else for Chinese).
    pub fn name(&self, lang: &str) -> &str {
        if lang == "en" {
            &self.name_en
        } else {
            &self.name_zh
        }
    }
}

/// The signed-in person, as every page sees them.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct CurrentUser {
    pub id: UserId,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub site: Site,
}

impl CurrentUser {
    /// Whether this person's role may do `what`.
    pub fn may(&self, what: Permission) -> bool {
        self.role.may(what)
    }
}

/// One row of the people list.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct UserSummary {
    pub id: UserId,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub site_id: SiteId,
    pub active: bool,
    /// Unix seconds.
    pub created_at: i64,
}

/// An account to create, before validation.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub site_id: SiteId,
    pub password: String,
}

/// Head count of one site, per role.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SitePeople {
    pub site: Site,
    pub learners: i64,
    pub experts: i64,
    pub coordinators: i64,
    pub admins: i64,
}

/// Rules for usernames and passwords, shared so the browser can check before sending.
pub mod rules {
    use super::super::InvalidReason;

    pub const PASSWORD_MIN: usize = 10;
    pub const PASSWORD_MAX: usize = 256;

    /// 3–32 of `a-z 0-9 . _ -`.
    pub fn username(s: &str) -> Result<String, InvalidReason> {
        let s = s.trim().to_lowercase();
        if s.is_empty() {
            return Err(InvalidReason::Required);
        }
        if s.chars().count() < 3 {
            return Err(InvalidReason::TooShort);
        }
        if s.chars().count() > 32 {
            return Err(InvalidReason::TooLong);
        }
        if !s
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'))
        {
            return Err(InvalidReason::BadFormat);
        }
        Ok(s)
    }

    /// At least `PASSWORD_MIN` characters, at most `PASSWORD_MAX`.
    pub fn password(s: &str) -> Result<(), InvalidReason> {
        let n = s.chars().count();
        if n == 0 {
            Err(InvalidReason::Required)
        } else if n < PASSWORD_MIN {
            Err(InvalidReason::TooShort)
        } else if n > PASSWORD_MAX {
            Err(InvalidReason::TooLong)
        } else {
            Ok(())
        }
    }

    /// A non-empty name of at most 64 characters, trimmed.
    pub fn display_name(s: &str) -> Result<String, InvalidReason> {
        let s = s.trim();
        if s.is_empty() {
            Err(InvalidReason::Required)
        } else if s.chars().count() > 64 {
            Err(InvalidReason::TooLong)
        } else {
            Ok(s.to_string())
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn usernames_are_normalised_and_checked() {
            assert_eq!(username("  Li.Wei "), Ok("li.wei".into()));
            assert_eq!(username(""), Err(InvalidReason::Required));
            assert_eq!(username("ab"), Err(InvalidReason::TooShort));
            assert_eq!(username("李伟"), Err(InvalidReason::TooShort));
            assert_eq!(username("li wei"), Err(InvalidReason::BadFormat));
            assert_eq!(username(&"a".repeat(33)), Err(InvalidReason::TooLong));
        }

        #[test]
        fn passwords_need_ten_characters() {
            assert_eq!(password(""), Err(InvalidReason::Required));
            assert_eq!(password("123456789"), Err(InvalidReason::TooShort));
            assert_eq!(password("超声教学平台密码很安全"), Ok(()));
            assert_eq!(password(&"x".repeat(257)), Err(InvalidReason::TooLong));
        }
    }
}

#[cfg(test)]
mod permission_tests {
    use super::{Permission, Role};

    /// In `Permission::ALL`'s order: curate studies, author cases, view the network, manage
    /// accounts, manage sites, configure the archive, read the audit log, manage device masks,
    /// manage DICOMweb tokens, author courses, write questions, manage enrolment, record replays, log scans, review
    /// scans, manage credentials.
    #[test]
    fn each_role_may_do_what_the_design_table_says() {
        let may = |role: Role| Permission::ALL.map(|p| role.may(p));
        assert_eq!(
            may(Role::Learner),
            [
                false, false, false, false, false, false, false, false, false, false, false, false,
                false, true, false, false
            ],
            "learners read, learn and log their own scans"
        );
        assert_eq!(
            may(Role::Expert),
            [
                true, true, false, false, false, false, false, false, false, true, true, false,
                true, false, true, false
            ]
        );
        assert_eq!(
            may(Role::Coordinator),
            [
                false, false, true, false, false, false, false, false, false, true, false, true,
                false, false, false, true
            ]
        );
        assert_eq!(
            may(Role::Admin),
            [
                false, false, true, true, true, true, true, true, true, false, false, false, false,
                false, false, false
            ],
            "IT runs the system but does not curate clinical content"
        );
    }
}
