//! Accept negotiation (RFC 9110 §12.5.1, PS3.18 §8.7): the media ranges a client sent, with
//! their quality values and parameters (quoted or not), and the choice among what a route can
//! send. An offer takes the quality of the most specific range that names it; the best quality
//! wins and the route's own order breaks ties, so `*/*` gets the route's default.
use axum::http::{HeaderMap, header};

/// Explicit VR Little Endian: what uncompressed pixel data is labelled on the web.
pub(super) const EXPLICIT_LE: &str = "1.2.840.10008.1.2.1";

/// One media range of an Accept header.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct MediaRange {
    /// `type/subtype`, lower-cased; `*/*` and `type/*` are wildcards.
    media_type: String,
    /// Parameters other than `q`: names lower-cased, values unquoted.
    params: Vec<(String, String)>,
    /// The quality in thousandths (`q=0.5` is 500).
    quality: u16,
}

impl MediaRange {
    fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// What a client accepts: its media ranges in the order sent, or anything (`None`) when it
/// sent no Accept header with a well-formed range.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Accept(Option<Vec<MediaRange>>);

impl Accept {
    /// Every Accept header of a request, read as one list. A header with no well-formed
    /// range is disregarded (RFC 9110 allows it) rather than refusing everything.
    pub fn from_headers(headers: &HeaderMap) -> Accept {
        let values: Vec<&str> = headers
            .get_all(header::ACCEPT)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect();
        Accept::of(&values)
    }

    fn of(values: &[&str]) -> Accept {
        let ranges: Vec<MediaRange> = values.iter().flat_map(|v| parse(v)).collect();
        Accept((!ranges.is_empty()).then_some(ranges))
    }

    /// The Accept header value `value`.
    #[cfg(test)]
    pub fn parse(value: &str) -> Accept {
        Accept::of(&[value])
    }

    /// The best of `offers` (listed in the route's order of preference), or `None` when the
    /// client accepts none of them. `fit` says how specifically a range names an offer
    /// (higher is more specific), `None` when it does not name it at all.
    pub fn choose<'a, T>(
        &self,
        offers: &'a [T],
        fit: impl Fn(&MediaRange, &T) -> Option<u8>,
    ) -> Option<&'a T> {
        let Some(ranges) = &self.0 else {
            return offers.first();
        };
        let mut best: Option<(&T, u16)> = None;
        for offer in offers {
            let quality = ranges
                .iter()
                .filter_map(|r| fit(r, offer).map(|specificity| (specificity, r.quality)))
                // The most specific range decides; among equally specific ones, the kindest.
                .max_by_key(|(specificity, quality)| (*specificity, *quality))
                .map_or(0, |(_, quality)| quality);
            if quality > 0 && best.is_none_or(|(_, q)| quality > q) {
                best = Some((offer, quality));
            }
        }
        best.map(|(offer, _)| offer)
    }
}

/// Splits `s` at `separator` where it is not inside a quoted string.
fn split_unquoted(s: &str, separator: char) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut start, mut quoted, mut escaped) = (0, false, false);
    for (i, c) in s.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            c if c == separator && !quoted => {
                out.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&s[start..]);
    out
}

/// A parameter value without its quotes and escapes.
fn unquote(value: &str) -> String {
    let value = value.trim();
    match value.strip_prefix('"').and_then(|v| v.strip_suffix('"')) {
        Some(inner) => {
            let mut out = String::with_capacity(inner.len());
            let mut chars = inner.chars();
            while let Some(c) = chars.next() {
                out.push(if c == '\\' {
                    chars.next().unwrap_or('\\')
                } else {
                    c
                });
            }
            out
        }
        None => value.to_string(),
    }
}

/// A quality value (`0`, `0.5`, `1.000`) in thousandths; `None` when malformed.
fn quality(value: &str) -> Option<u16> {
    let (whole, fraction) = value.split_once('.').unwrap_or((value, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if fraction.len() > 3 || !digits(fraction) {
        return None;
    }
    let thousandths = format!("{fraction:0<3}").parse::<u16>().ok()?;
    match whole {
        "0" => Some(thousandths),
        "1" if thousandths == 0 => Some(1000),
        _ => None,
    }
}

/// The media ranges of one Accept header value. A range that is not `type/subtype` or has a
/// malformed quality is left out rather than guessed at.
fn parse(value: &str) -> Vec<MediaRange> {
    split_unquoted(value, ',')
        .into_iter()
        .filter_map(|range| {
            let mut parts = split_unquoted(range, ';').into_iter();
            let mut media_type = parts.next()?.trim().to_ascii_lowercase();
            if media_type == "*" {
                media_type = "*/*".into();
            }
            let (kind, subtype) = media_type.split_once('/')?;
            if kind.is_empty() || subtype.is_empty() || (kind == "*" && subtype != "*") {
                return None;
            }
            let mut range = MediaRange {
                media_type: media_type.clone(),
                params: Vec::new(),
                quality: 1000,
            };
            for param in parts {
                let Some((name, value)) = param.split_once('=') else {
                    continue;
                };
                let name = name.trim().to_ascii_lowercase();
                if name == "q" {
                    range.quality = quality(value.trim())?;
                } else {
                    let mut value = unquote(value);
                    if name == "type" {
                        value.make_ascii_lowercase();
                    }
                    range.params.push((name, value));
                }
            }
            Some(range)
        })
        .collect()
}

/// How specifically `pattern` (a media type or range) names `concrete`: 2 exactly, 1 as
/// `type/*`, 0 as `*/*`.
fn type_fit(pattern: &str, concrete: &str) -> Option<u8> {
    if pattern == "*/*" {
        return Some(0);
    }
    if pattern == concrete {
        return Some(2);
    }
    let kind = pattern.strip_suffix("/*")?;
    concrete
        .split_once('/')
        .is_some_and(|(k, _)| k == kind)
        .then_some(1)
}

/// Something a DICOMweb route can send: a part of a `multipart/related` answer, or a whole
/// single-part answer.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Offer {
    /// Inside `multipart/related` (else the body itself).
    pub multipart: bool,
    /// The part's (or body's) media type, e.g. `image/jpeg`.
    pub media_type: &'static str,
    /// The transfer syntax of what is sent.
    pub syntax: String,
    /// The stored bytes as they are (not decoded or converted): only these answer
    /// `transfer-syntax=*`.
    pub as_stored: bool,
    /// Whether a range naming no transfer syntax takes this offer.
    pub syntax_by_default: bool,
}

impl Offer {
    /// How specifically `range` names this offer (see [`Accept::choose`]).
    pub fn fit(range: &MediaRange, offer: &Offer) -> Option<u8> {
        let (part_type, envelope) = match (offer.multipart, range.media_type.as_str()) {
            (_, "*/*") => ("*/*", 0),
            (true, "multipart/*") => ("*/*", 1),
            (true, "multipart/related") => (range.param("type").unwrap_or("*/*"), 2),
            (true, _) => return None,
            (false, t) if t.starts_with("multipart/") => return None,
            (false, t) => (t, 2),
        };
        let type_fit = type_fit(part_type, offer.media_type)?;
        let syntax_fit = match range.param("transfer-syntax") {
            None if offer.syntax_by_default => 0,
            None => return None,
            Some("*") if offer.as_stored => 1,
            Some(uid) if uid == offer.syntax => 2,
            Some(_) => return None,
        };
        Some(envelope * 9 + type_fit * 3 + syntax_fit)
    }
}

/// How specifically `range` names a plain single-part media type (rendered images and the
/// like), ignoring parameters.
pub(super) fn fits_single(range: &MediaRange, media_type: &&'static str) -> Option<u8> {
    if range.media_type.starts_with("multipart/") {
        return None;
    }
    type_fit(&range.media_type, media_type)
}

#[cfg(test)]
mod tests {
    use super::*;

    const JPEG: &str = "1.2.840.10008.1.2.4.50";

    fn dicom(syntax: &str) -> Offer {
        Offer {
            multipart: true,
            media_type: "application/dicom",
            syntax: syntax.into(),
            as_stored: true,
            syntax_by_default: true,
        }
    }

    fn takes(accept: &str, offer: &Offer) -> bool {
        Accept::parse(accept)
            .choose(std::slice::from_ref(offer), Offer::fit)
            .is_some()
    }

    #[test]
    fn ranges_keep_their_parameters_quoted_or_not_and_their_quality() {
        let Accept(Some(ranges)) = Accept::parse(
            "multipart/related; type=\"application/dicom\"; transfer-syntax=*;q=0.9, \
             Multipart/Related;Type=Application/Dicom, image/*;q=0, text/x-odd; note=\"a,b;c\"",
        ) else {
            panic!("ranges expected")
        };
        assert_eq!(ranges.len(), 4);
        assert_eq!(ranges[0].param("type"), Some("application/dicom"));
        assert_eq!(ranges[0].param("transfer-syntax"), Some("*"));
        assert_eq!(ranges[0].quality, 900);
        assert_eq!(ranges[1].media_type, "multipart/related");
        assert_eq!(ranges[1].param("type"), Some("application/dicom"));
        assert_eq!(ranges[1].quality, 1000);
        assert_eq!(ranges[2].quality, 0);
        assert_eq!(ranges[3].param("note"), Some("a,b;c"), "quoted separators");
    }

    #[test]
    fn malformed_ranges_and_qualities_are_left_out() {
        for bad in [
            "image/jpeg;q=2",
            "image/jpeg;q=0.1234",
            "image/jpeg;q=high",
            "jpeg",
            "*/jpeg",
        ] {
            assert_eq!(parse(bad), vec![], "{bad}");
            assert_eq!(Accept::parse(bad), Accept(None), "{bad}: disregarded");
        }
        assert_eq!(quality("1.000"), Some(1000));
        assert_eq!(quality("0.05"), Some(50));
        assert_eq!(quality("1.001"), None);
    }

    #[test]
    fn no_accept_header_takes_the_first_offer() {
        let headers = HeaderMap::new();
        let offers = [dicom(JPEG), dicom(EXPLICIT_LE)];
        assert_eq!(
            Accept::from_headers(&headers).choose(&offers, Offer::fit),
            Some(&offers[0])
        );
    }

    #[test]
    fn stored_dicom_is_taken_by_wildcards_its_type_and_its_syntax() {
        let jpeg = dicom(JPEG);
        for ok in [
            "*/*",
            "multipart/*",
            "multipart/related",
            "multipart/related; type=\"application/dicom\"",
            "multipart/related; type=application/dicom",
            "multipart/related; type=application/dicom; q=0.5",
            "multipart/related; type=\"application/*\"",
            "multipart/related; type=\"application/dicom\"; transfer-syntax=*",
            &format!("multipart/related; type=application/dicom; transfer-syntax={JPEG}"),
            "application/json, multipart/related; type=\"application/dicom\";q=0.1",
        ] {
            assert!(takes(ok, &jpeg), "{ok}");
        }
        for refused in [
            "multipart/related; type=\"application/dicom\"; transfer-syntax=1.2.840.10008.1.2.1",
            "application/dicom+json",
            "application/dicom",
            "multipart/related; type=\"image/jpeg\"",
            "*/*; q=0",
            "multipart/related; type=application/dicom; q=0",
        ] {
            assert!(!takes(refused, &jpeg), "{refused}");
        }
    }

    #[test]
    fn the_most_specific_range_sets_the_quality() {
        let jpeg = dicom(JPEG);
        assert!(
            !takes("*/*, multipart/related; type=application/dicom; q=0", &jpeg),
            "a specific q=0 refuses what a wildcard accepts"
        );
        assert!(takes(
            "*/*;q=0, multipart/related; type=application/dicom",
            &jpeg
        ));
    }

    #[test]
    fn higher_quality_wins_and_the_route_breaks_ties() {
        let png: &'static str = "image/png";
        let offers = ["image/jpeg", png];
        let pick = |accept: &str| Accept::parse(accept).choose(&offers, fits_single).copied();
        assert_eq!(pick("*/*"), Some("image/jpeg"), "the route's default");
        assert_eq!(pick("image/*"), Some("image/jpeg"));
        assert_eq!(pick("image/png"), Some("image/png"));
        assert_eq!(pick("image/jpeg;q=0.5, image/png"), Some("image/png"));
        assert_eq!(
            pick("image/png;q=0.8, image/jpeg;q=0.9"),
            Some("image/jpeg")
        );
        assert_eq!(pick("image/png, image/jpeg"), Some("image/jpeg"), "a tie");
        assert_eq!(pick("image/*, image/jpeg;q=0"), Some("image/png"));
        assert_eq!(pick("image/gif"), None);
        assert_eq!(pick("multipart/related; type=image/png"), None);
    }

    #[test]
    fn transfer_syntax_star_takes_only_the_stored_bytes() {
        let stored = Offer {
            multipart: true,
            media_type: "application/octet-stream",
            syntax: JPEG.into(),
            as_stored: true,
            syntax_by_default: false,
        };
        let decoded = Offer {
            syntax: EXPLICIT_LE.into(),
            as_stored: false,
            syntax_by_default: true,
            ..stored.clone()
        };
        let offers = [decoded.clone(), stored.clone()];
        let pick = |accept: &str| Accept::parse(accept).choose(&offers, Offer::fit);
        assert_eq!(
            pick("multipart/related; type=application/octet-stream; transfer-syntax=*"),
            Some(&stored)
        );
        assert_eq!(
            pick("multipart/related; type=\"application/octet-stream\""),
            Some(&decoded),
            "no transfer syntax means Explicit VR Little Endian"
        );
        assert_eq!(
            pick(&format!(
                "multipart/related; type=\"application/octet-stream\"; transfer-syntax={JPEG}"
            )),
            Some(&stored)
        );
        assert_eq!(
            pick(
                "multipart/related; type=application/octet-stream; transfer-syntax=1.2.840.10008.1.2.4.90"
            ),
            None
        );
    }
}
