//! Record ids: UUID text (the server makes them with UUIDv7), one type per kind of record so
//! that a case id cannot be passed where a user id is meant. Ids that arrive from outside (a
//! server function's arguments, a JSON body, a URL) are checked when they are deserialised or
//! parsed, so nothing but a well-formed UUID reaches a query.
use crate::{AppError, InvalidReason};
use serde::{Deserialize, Serialize};
use std::fmt;

/// Whether `value` is UUID text: 32 hex digits in groups of 8-4-4-4-12, either case.
fn is_uuid_text(value: &str) -> bool {
    value.len() == 36
        && value.bytes().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => b == b'-',
            _ => b.is_ascii_hexdigit(),
        })
}

macro_rules! record_id {
    ($(#[$doc:meta])* $name:ident, $what:literal, $noun:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(pub String);

        impl $name {
            /// Checks that `value` is UUID text.
            pub fn parse(value: &str) -> Result<$name, InvalidReason> {
                if is_uuid_text(value) {
                    Ok($name(value.to_string()))
                } else {
                    Err(InvalidReason::BadFormat)
                }
            }

            /// The id a page's URL names; one that cannot be an id is a record not found.
            pub fn from_path(value: &str) -> Result<$name, AppError> {
                $name::parse(value).map_err(|_| AppError::NotFound($noun.into()))
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = String;

            fn try_from(value: String) -> Result<$name, String> {
                if is_uuid_text(&value) {
                    Ok($name(value))
                } else {
                    Err(format!("{value:?} is not the id of {}", $what))
                }
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

record_id!(
    /// A guidance replay.
    ReplayId,
    "a replay",
    "replay"
);
record_id!(
    /// A live guidance session.
    SessionId,
    "a guidance session",
    "guidance session"
);
record_id!(
    /// A person's account.
    UserId,
    "a user",
    "user"
);
record_id!(
    /// A site of the network.
    SiteId,
    "a site",
    "site"
);
record_id!(
    /// A teaching case.
    CaseId,
    "a case",
    "case"
);
record_id!(
    /// An import job (an archive import, an upload, a scanner's association).
    JobId,
    "an import job",
    "import job"
);

record_id!(
    /// A course (its working copy and published versions).
    CourseId,
    "a course",
    "course"
);
record_id!(
    /// A question of the bank.
    QuestionId,
    "a question",
    "question"
);
record_id!(
    /// A quiz.
    QuizId,
    "a quiz",
    "quiz"
);
record_id!(
    /// A learner's attempt at a quiz.
    AttemptId,
    "a quiz attempt",
    "attempt"
);
record_id!(
    /// A cohort of learners enrolled in a course together.
    CohortId,
    "a cohort",
    "cohort"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_uuid_text_is_an_id() {
        let v7 = "01936f0e-8a4b-7c3d-9e2f-0a1b2c3d4e5f";
        assert_eq!(CaseId::parse(v7).unwrap().as_str(), v7);
        assert!(UserId::parse(&v7.to_uppercase()).is_ok());
        for bad in [
            "",
            "missing",
            "01936f0e8a4b7c3d9e2f0a1b2c3d4e5f",
            "01936f0e-8a4b-7c3d-9e2f-0a1b2c3d4e5",
            "01936f0e-8a4b-7c3d-9e2f-0a1b2c3d4e5f0",
            "01936f0e-8a4b-7c3d-9e2f_0a1b2c3d4e5f",
            "01936f0e-8a4b-7c3d-9e2f-0a1b2c3d4e5g",
            "../../../../etc/passwd0000000000000",
        ] {
            assert_eq!(CaseId::parse(bad), Err(InvalidReason::BadFormat), "{bad:?}");
        }
    }

    #[test]
    fn ids_are_checked_when_they_arrive_and_travel_as_plain_strings() {
        let id: SiteId = serde_json::from_str("\"01936f0e-8a4b-7c3d-9e2f-0a1b2c3d4e5f\"").unwrap();
        assert_eq!(
            serde_json::to_string(&id).unwrap(),
            "\"01936f0e-8a4b-7c3d-9e2f-0a1b2c3d4e5f\""
        );
        let err = serde_json::from_str::<JobId>("\"1 OR 1=1\"").unwrap_err();
        assert!(
            err.to_string().contains("is not the id of an import job"),
            "{err}"
        );
    }
}
