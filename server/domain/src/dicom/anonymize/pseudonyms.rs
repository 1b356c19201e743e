//! Keyed pseudonyms: UID remapping, the patient's key and the patient's date offset.
use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

fn keyed(secret: &[u8], purpose: &str, value: &str) -> [u8; 32] {
    let mut mac = HmacSha256::new_from_slice(secret).expect("HMAC takes keys of any length");
    mac.update(purpose.as_bytes());
    mac.update(&[0]);
    mac.update(value.as_bytes());
    mac.finalize().into_bytes().into()
}

/// The pseudonym of a UID: `2.25.` and a 128-bit decimal (PS3.5 B.2).
pub fn uid_pseudonym(secret: &[u8], uid: &str) -> String {
    let hash = keyed(secret, "uid", uid.trim_end_matches(['\0', ' ']));
    let n = u128::from_be_bytes(hash[..16].try_into().expect("16 bytes"));
    format!("2.25.{n}")
}

/// The patient's pseudonymous key and date offset (−3650…−365 days).
pub fn patient_pseudonym(secret: &[u8], issuer: &str, id: &str) -> (String, i64) {
    let source = format!("{}\\{}", issuer.trim(), id.trim());
    let key = keyed(secret, "patient", &source);
    let hex: String = key[..8].iter().map(|b| format!("{b:02X}")).collect();
    let shift = keyed(secret, "date-shift", &source);
    let days = u32::from_be_bytes(shift[..4].try_into().expect("4 bytes")) % 3286;
    (format!("SH{hex}"), -365 - i64::from(days))
}

/// A check value of the secret (an HMAC of a fixed label, which does not reveal the secret):
/// equal for two secrets only when they are the same.
pub fn secret_check(secret: &[u8]) -> String {
    keyed(secret, "secret-check", "sonohub")
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// DICOM-defined UIDs (SOP classes, transfer syntaxes, coding schemes) identify nothing.
pub(super) fn is_standard_uid(uid: &str) -> bool {
    uid.starts_with("1.2.840.10008.")
}
