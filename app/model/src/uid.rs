//! DICOM unique identifiers: the one rule every boundary (server functions, DICOMweb paths,
//! the C-STORE receiver, the command line) checks a UID against.
use serde::{Deserialize, Serialize};
use std::fmt;

/// A DICOM UID (PS3.5 §9.1): components of digits separated by dots, at most 64 characters.
/// Leading zeros inside a component, which PS3.5 forbids, are tolerated: real archives carry
/// such UIDs, and refusing them would lock those studies out of import. What matters here is
/// that nothing but digits and single dots gets into a query, a path or a file name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Uid(String);

impl Uid {
    /// The longest UID PS3.5 allows.
    pub const MAX_LEN: usize = 64;

    /// Checks `value` (without the padding a DICOM value may carry) against the UID rule.
    pub fn parse(value: &str) -> Result<Uid, crate::InvalidReason> {
        let ok = !value.is_empty()
            && value.len() <= Uid::MAX_LEN
            && value
                .split('.')
                .all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit()));
        if ok {
            Ok(Uid(value.to_string()))
        } else {
            Err(crate::InvalidReason::BadFormat)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

impl TryFrom<String> for Uid {
    type Error = String;

    fn try_from(value: String) -> Result<Uid, String> {
        Uid::parse(&value).map_err(|_| format!("{value:?} is not a DICOM UID"))
    }
}

impl From<Uid> for String {
    fn from(uid: Uid) -> String {
        uid.0
    }
}

impl AsRef<str> for Uid {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Uid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::Uid;

    #[test]
    fn uids_are_digit_components_separated_by_single_dots() {
        for good in [
            "2.25.123456789",
            "1.2.0.3",
            "1.2.840.10008.1.2.4.50",
            "1.02",
        ] {
            assert_eq!(Uid::parse(good).map(|u| u.into_string()), Ok(good.into()));
        }
        for bad in [
            "",
            "1..2",
            ".1.2",
            "1.2.",
            "1.2.a",
            "1.2 ",
            "../etc",
            "1.2/3",
            "-1.2",
            &"1".repeat(65),
        ] {
            assert!(Uid::parse(bad).is_err(), "{bad:?}");
        }
        assert!(
            Uid::parse(&"1".repeat(64)).is_ok(),
            "64 characters is the limit"
        );
    }

    #[test]
    fn a_uid_is_checked_when_it_arrives_as_json() {
        assert_eq!(
            serde_json::from_str::<Uid>("\"1.2.3\"").unwrap().as_str(),
            "1.2.3"
        );
        assert!(serde_json::from_str::<Uid>("\"1..2\"").is_err());
        assert_eq!(
            serde_json::to_string(&Uid::parse("1.2.3").unwrap()).unwrap(),
            "\"1.2.3\""
        );
    }
}
