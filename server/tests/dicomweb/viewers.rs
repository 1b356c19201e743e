//! What DICOMweb viewers fetch besides searches and whole instances, driven by hand over HTTP
//! against the archive of `dicomweb`: frames byte for byte against the stored files' own
//! fragments (JPEG and RLE) or decoded to RGB, rendered images and thumbnails at every level
//! with their format and viewport, the metadata's BulkDataURIs followed, Accept variants of
//! a whole-instance retrieve, and a frames request audited once.
use super::{
    Archive, FRAME_RGB, RLE, TOKEN, VIEWER_ORIGIN, archive, icc_profile, parts_with_headers,
};
use crate::common::TestApp;
use axum::http::StatusCode;
use dicom_core::value::Value as DicomValue;
use serde_json::{Value, json};

/// OHIF's Accept for frames.
const OHIF: &str = "multipart/related; type=application/octet-stream; transfer-syntax=*";

/// The stored frames of a file: its fragments (one a frame in these clips).
fn stored_frames(file: &[u8]) -> Vec<Vec<u8>> {
    let clip = cine::Clip::parse(file).unwrap();
    let pixels = clip
        .object()
        .element(dicom_dictionary_std::tags::PIXEL_DATA)
        .unwrap();
    match pixels.value() {
        DicomValue::PixelSequence(seq) => seq.fragments().to_vec(),
        _ => panic!("encapsulated pixel data expected"),
    }
}

/// Frame `n` (0-based) as the browser's decoder shows it, as RGB.
fn decoded_frame(file: &[u8], n: u32) -> Vec<u8> {
    let frame = cine::decode_frame(file, n).unwrap();
    frame
        .rgba
        .chunks_exact(4)
        .flat_map(|px| [px[0], px[1], px[2]])
        .collect()
}

/// An answer: status, Content-Type, headers and body.
struct Answer {
    status: StatusCode,
    content_type: String,
    headers: reqwest::header::HeaderMap,
    body: Vec<u8>,
}

async fn fetch(url: &str, accept: Option<&str>) -> Answer {
    fetch_with(url, accept, &[]).await
}

async fn fetch_with(url: &str, accept: Option<&str>, extra: &[(&str, &str)]) -> Answer {
    let mut req = reqwest::Client::new().get(url).bearer_auth(TOKEN);
    if let Some(accept) = accept {
        req = req.header("accept", accept);
    }
    for (name, value) in extra {
        req = req.header(*name, *value);
    }
    let res = req.send().await.unwrap();
    let status = StatusCode::from_u16(res.status().as_u16()).unwrap();
    let headers = res.headers().clone();
    let content_type = headers
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    let body = res.bytes().await.unwrap().to_vec();
    Answer {
        status,
        content_type,
        headers,
        body,
    }
}

/// Width and height from a JPEG's frame header.
fn jpeg_size(jpeg: &[u8]) -> (u32, u32) {
    assert!(jpeg.starts_with(&[0xFF, 0xD8]), "not a JPEG");
    let mut at = 2;
    while at + 9 < jpeg.len() {
        let (marker, len) = (
            jpeg[at + 1],
            usize::from(u16::from_be_bytes([jpeg[at + 2], jpeg[at + 3]])),
        );
        if matches!(marker, 0xC0..=0xC2) {
            let h = u16::from_be_bytes([jpeg[at + 5], jpeg[at + 6]]);
            let w = u16::from_be_bytes([jpeg[at + 7], jpeg[at + 8]]);
            return (u32::from(w), u32::from(h));
        }
        at += 2 + len;
    }
    panic!("no JPEG frame header")
}

/// Width and height from a PNG's IHDR.
fn png_size(png: &[u8]) -> (u32, u32) {
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "not a PNG");
    let word = |at: usize| u32::from_be_bytes(png[at..at + 4].try_into().unwrap());
    (word(16), word(20))
}

/// How many exports of `study` the audit log holds.
async fn exports(app: &TestApp, study: &str) -> usize {
    app.audit_of(study)
        .await
        .into_iter()
        .filter(|e| e.action == model::AuditAction::StudyExported.as_str())
        .count()
}

#[tokio::test]
async fn frames_come_as_stored_byte_for_byte_or_decoded() {
    let Some(Archive {
        _orthanc,
        app,
        base,
        stored,
        files,
        ..
    }) = archive().await
    else {
        return;
    };
    for (study, series, sop, _, syntax) in &stored {
        let instance = format!("{base}/studies/{study}/series/{series}/instances/{sop}");
        let fragments = stored_frames(&files[sop]);
        assert_eq!(fragments.len(), 4);
        let own_type = if syntax == RLE {
            "image/dicom-rle"
        } else {
            "image/jpeg"
        };

        // OHIF's request: every frame as stored, labelled with the stored syntax.
        let a = fetch(&format!("{instance}/frames/1,2,3,4"), Some(OHIF)).await;
        assert_eq!(
            a.status,
            StatusCode::OK,
            "{}",
            String::from_utf8_lossy(&a.body)
        );
        assert!(
            a.content_type
                .starts_with("multipart/related; type=\"application/octet-stream\""),
            "{}",
            a.content_type
        );
        let parts = parts_with_headers(&a.content_type, &a.body);
        let bodies: Vec<&Vec<u8>> = parts.iter().map(|(_, b)| b).collect();
        assert!(
            bodies == fragments.iter().collect::<Vec<_>>(),
            "byte for byte"
        );
        for (head, _) in &parts {
            assert!(
                head.contains(&format!(
                    "Content-Type: application/octet-stream; transfer-syntax={syntax}"
                )),
                "{head}"
            );
        }

        // By the syntax's own media type, quoted, in the order asked.
        let a = fetch(
            &format!("{instance}/frames/3,1"),
            Some(&format!("multipart/related; type=\"{own_type}\"")),
        )
        .await;
        let parts = parts_with_headers(&a.content_type, &a.body);
        assert_eq!(parts.len(), 2);
        assert!(parts[0].1 == fragments[2] && parts[1].1 == fragments[0]);
        assert!(parts[0].0.contains(&format!(
            "Content-Type: {own_type}; transfer-syntax={syntax}"
        )));

        // Uncompressed: decoded by the browser's decoder, interleaved RGB.
        let a = fetch(
            &format!("{instance}/frames/2"),
            Some("multipart/related; type=\"application/octet-stream\""),
        )
        .await;
        let parts = parts_with_headers(&a.content_type, &a.body);
        assert_eq!(parts.len(), 1);
        assert_eq!(
            parts[0].1.len(),
            FRAME_RGB,
            "rows × columns × 3 samples × 1 byte"
        );
        assert!(parts[0].1 == decoded_frame(&files[sop], 1));
        assert!(
            parts[0]
                .0
                .contains("application/octet-stream; transfer-syntax=1.2.840.10008.1.2.1")
        );

        // Single-part, one frame at a time.
        let a = fetch(&format!("{instance}/frames/4"), Some(own_type)).await;
        assert_eq!(a.status, StatusCode::OK);
        assert_eq!(
            a.content_type,
            format!("{own_type}; transfer-syntax={syntax}")
        );
        assert!(a.body == fragments[3]);
        let a = fetch(
            &format!("{instance}/frames/4"),
            Some("application/octet-stream"),
        )
        .await;
        assert_eq!(a.body.len(), FRAME_RGB);
        assert!(a.body == decoded_frame(&files[sop], 3));

        // What cannot be: 400, 404, 406.
        for bad in ["0", "1,,2", "x", "1-3"] {
            let a = fetch(&format!("{instance}/frames/{bad}"), Some(OHIF)).await;
            assert_eq!(a.status, StatusCode::BAD_REQUEST, "frames/{bad}");
        }
        let a = fetch(&format!("{instance}/frames/5"), Some(OHIF)).await;
        assert_eq!(a.status, StatusCode::NOT_FOUND, "past the last frame");
        for refused in [
            "multipart/related; type=\"image/jp2\"",
            "multipart/related; type=application/octet-stream; transfer-syntax=1.2.840.10008.1.2.4.90",
        ] {
            let a = fetch(&format!("{instance}/frames/1"), Some(refused)).await;
            assert_eq!(a.status, StatusCode::NOT_ACCEPTABLE, "{refused}");
            let why = String::from_utf8_lossy(&a.body);
            assert!(why.contains("transfer-syntax=*"), "says what to ask: {why}");
        }
        let a = fetch(&format!("{instance}/frames/1,2"), Some(own_type)).await;
        assert_eq!(
            a.status,
            StatusCode::NOT_ACCEPTABLE,
            "single-part is one frame"
        );
    }

    // Audited once a request, not once a frame; refused without a token or session.
    let (study, series, sop, _, _) = &stored[0];
    let url = format!("{base}/studies/{study}/series/{series}/instances/{sop}/frames/1,2,3");
    let before = exports(&app, study).await;
    assert_eq!(fetch(&url, Some(OHIF)).await.status, StatusCode::OK);
    assert_eq!(exports(&app, study).await, before + 1);
    let anonymous = reqwest::get(&url).await.unwrap();
    assert_eq!(anonymous.status(), 401);
    app.started.stop().await.unwrap();
}

#[tokio::test]
async fn rendered_images_and_thumbnails_at_every_level() {
    let Some(Archive {
        _orthanc,
        app,
        base,
        stored,
        ..
    }) = archive().await
    else {
        return;
    };
    let (study, series, sop, _, _) = &stored[0];
    let levels = [
        format!("{base}/studies/{study}"),
        format!("{base}/studies/{study}/series/{series}"),
        format!("{base}/studies/{study}/series/{series}/instances/{sop}"),
    ];
    for level in &levels {
        let a = fetch(&format!("{level}/rendered"), None).await;
        assert_eq!(a.status, StatusCode::OK, "{level}");
        assert_eq!(a.content_type, "image/jpeg");
        assert_eq!(jpeg_size(&a.body), (320, 240), "full size by default");
        assert!(
            a.headers["cache-control"]
                .to_str()
                .unwrap()
                .starts_with("private, max-age=")
        );
        assert!(a.headers.contains_key("etag"));
        let a = fetch(&format!("{level}/thumbnail"), None).await;
        assert_eq!(jpeg_size(&a.body), (256, 192), "a thumbnail fits 256×256");
        let a = fetch(&format!("{level}/thumbnail"), Some("image/png")).await;
        assert_eq!(a.content_type, "image/png");
        assert_eq!(png_size(&a.body), (256, 192));
    }
    let instance = &levels[2];

    // Viewport and quality; unknown parameters ignored.
    let small = fetch(
        &format!("{instance}/rendered?viewport=100,100&quality=30&annotation=patient"),
        Some("image/jpeg"),
    )
    .await;
    assert_eq!(jpeg_size(&small.body), (100, 75));
    let fine = fetch(
        &format!("{instance}/rendered?viewport=100,100&quality=95"),
        None,
    )
    .await;
    assert!(
        small.body.len() < fine.body.len(),
        "quality shapes the JPEG"
    );
    let region = fetch(
        &format!("{instance}/rendered?viewport=80,80,0,0,160,120"),
        None,
    )
    .await;
    assert_eq!(jpeg_size(&region.body), (80, 60), "a source region, fitted");
    let a = fetch(
        &format!("{instance}/frames/2/rendered"),
        Some("image/*;q=0.5, image/png"),
    )
    .await;
    assert_eq!(png_size(&a.body), (320, 240));
    let a = fetch(
        &format!("{instance}/frames/3/thumbnail?viewport=64,64"),
        None,
    )
    .await;
    assert_eq!(jpeg_size(&a.body), (64, 48));
    let a = fetch(&format!("{instance}/rendered?accept=image/png"), None).await;
    assert_eq!(a.content_type, "image/png", "the accept parameter");

    // A thumbnail shows the middle frame: of 4, the second.
    let thumb = fetch(&format!("{instance}/thumbnail"), None).await;
    let second = fetch(&format!("{instance}/frames/2/thumbnail"), None).await;
    let first = fetch(&format!("{instance}/frames/1/thumbnail"), None).await;
    assert!(thumb.body == second.body && thumb.headers["etag"] == second.headers["etag"]);
    assert!(thumb.body != first.body);

    // Revalidation: the same ETag is 304 without a body.
    let etag = thumb.headers["etag"].to_str().unwrap().to_string();
    let again = fetch_with(
        &format!("{instance}/thumbnail"),
        None,
        &[("if-none-match", &etag)],
    )
    .await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);
    assert!(again.body.is_empty());

    for (path, status) in [
        ("rendered?viewport=0,10", StatusCode::BAD_REQUEST),
        ("rendered?viewport=10", StatusCode::BAD_REQUEST),
        ("rendered?quality=101", StatusCode::BAD_REQUEST),
        (
            "rendered?viewport=80,80,300,0,100,100",
            StatusCode::BAD_REQUEST,
        ),
        ("frames/1,2/rendered", StatusCode::BAD_REQUEST),
        ("frames/9/rendered", StatusCode::NOT_FOUND),
        ("frames/9/thumbnail", StatusCode::NOT_FOUND),
    ] {
        let a = fetch(&format!("{instance}/{path}"), None).await;
        assert_eq!(a.status, status, "{path}");
    }
    let a = fetch(&format!("{instance}/rendered"), Some("image/gif")).await;
    assert_eq!(a.status, StatusCode::NOT_ACCEPTABLE);
    let a = fetch(&format!("{base}/studies/2.25.1/thumbnail"), None).await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
    app.started.stop().await.unwrap();
}

#[tokio::test]
async fn metadata_links_bulk_data_and_retrieves_negotiate() {
    let Some(Archive {
        _orthanc,
        app,
        base,
        stored,
        files,
        ..
    }) = archive().await
    else {
        return;
    };
    for (study, series, sop, _, syntax) in &stored {
        let fragments = stored_frames(&files[sop]);
        for request in [
            format!("{base}/studies/{study}/series/{series}/metadata"),
            format!("{base}/studies/{study}/series/{series}/instances/{sop}/metadata"),
        ] {
            let a = fetch(&request, None).await;
            let all: Value = serde_json::from_slice(&a.body).unwrap();
            let m = all
                .as_array()
                .unwrap()
                .iter()
                .find(|m| m["00080018"]["Value"][0] == sop.as_str())
                .unwrap();
            assert_eq!(m["00020010"], json!({"vr": "UI", "Value": [syntax]}));
            assert_eq!(m["7FE00010"]["vr"], "OB");
            let link = m["7FE00010"]["BulkDataURI"].as_str().unwrap();
            assert!(link.ends_with("frames/1,2,3,4"), "{link}");
            let url = reqwest::Url::parse(&request).unwrap().join(link).unwrap();
            let a = fetch(url.as_str(), Some(OHIF)).await;
            assert!(
                parts_with_headers(&a.content_type, &a.body)
                    .into_iter()
                    .map(|(_, b)| b)
                    .collect::<Vec<_>>()
                    == fragments,
                "{url} serves the pixel data"
            );

            // The RLE clip's ICC profile is bulk data too; the JPEG clips have none.
            match m.get("00282000") {
                Some(icc) => {
                    assert_eq!(syntax, RLE);
                    let link = icc["BulkDataURI"].as_str().unwrap();
                    let url = reqwest::Url::parse(&request).unwrap().join(link).unwrap();
                    let single = fetch(url.as_str(), Some("application/octet-stream")).await;
                    assert_eq!(single.status, StatusCode::OK, "{url}");
                    assert!(single.body == icc_profile());
                    let multi = fetch(url.as_str(), None).await;
                    let parts = parts_with_headers(&multi.content_type, &multi.body);
                    assert!(parts.len() == 1 && parts[0].1 == icc_profile());
                }
                None => assert_ne!(syntax, RLE, "{m}"),
            }
        }
        let instance = format!("{base}/studies/{study}/series/{series}/instances/{sop}");
        for (path, status) in [
            ("bulkdata/00282001", StatusCode::NOT_FOUND),
            ("bulkdata/7FE00010", StatusCode::NOT_FOUND),
            ("bulkdata/0028200", StatusCode::BAD_REQUEST),
        ] {
            assert_eq!(
                fetch(&format!("{instance}/{path}"), None).await.status,
                status,
                "{path}"
            );
        }

        // A whole instance, asked for in the ways clients write it.
        for accept in [
            "multipart/related; type=application/dicom",
            "multipart/related; type=application/dicom; q=0.9",
            "multipart/related; type=\"application/dicom\"; transfer-syntax=*, */*;q=0.1",
            "application/dicom+json;q=0.5, Multipart/Related; Type=\"Application/DICOM\"",
            "multipart/*",
            "*/*",
        ] {
            let a = fetch(&instance, Some(accept)).await;
            assert_eq!(a.status, StatusCode::OK, "{accept}");
            let parts = parts_with_headers(&a.content_type, &a.body);
            assert!(parts.len() == 1 && parts[0].1 == files[sop], "{accept}");
        }
        for refused in [
            "multipart/related; type=application/dicom; q=0",
            "multipart/related; type=application/dicom; transfer-syntax=1.2.840.10008.1.2.1",
            "application/dicom",
            "*/*, multipart/related; type=\"application/dicom\";q=0",
        ] {
            let a = fetch(&instance, Some(refused)).await;
            assert_eq!(a.status, StatusCode::NOT_ACCEPTABLE, "{refused}");
        }
    }
    app.started.stop().await.unwrap();
}

/// A GET without any credential of its own, with extra headers.
async fn anonymous(url: &str, extra: &[(&str, &str)]) -> reqwest::Response {
    let mut req = reqwest::Client::new().get(url);
    for (name, value) in extra {
        req = req.header(*name, *value);
    }
    req.send().await.unwrap()
}

#[tokio::test]
async fn wado_uri_serves_the_stored_file_and_rendered_frames() {
    let Some(Archive {
        _orthanc,
        app,
        base,
        stored,
        files,
        ..
    }) = archive().await
    else {
        return;
    };
    let (study, series, sop, _, syntax) = &stored[0];
    let uri =
        format!("{base}?requestType=WADO&studyUID={study}&seriesUID={series}&objectUID={sop}");
    let before = exports(&app, study).await;

    // Cornerstone's wadouri loader: the file as stored, byte for byte.
    let a = fetch(&format!("{uri}&contentType=application%2Fdicom"), None).await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(a.content_type, "application/dicom");
    assert_eq!(a.body, files[sop]);
    // The stored syntax may be named; any other is refused, since nothing is transcoded.
    let a = fetch(
        &format!("{uri}&contentType=application/dicom&transferSyntax={syntax}"),
        None,
    )
    .await;
    assert_eq!(a.status, StatusCode::OK);
    let a = fetch(
        &format!("{uri}&contentType=application/dicom&transferSyntax=1.2.840.10008.1.2.1"),
        None,
    )
    .await;
    assert_eq!(a.status, StatusCode::NOT_ACCEPTABLE);
    assert!(String::from_utf8_lossy(&a.body).contains(syntax.as_str()));

    // The default is a JPEG of the first frame; rows, columns, frame and format are honoured.
    let a = fetch(&uri, None).await;
    assert_eq!(
        (a.status, a.content_type.as_str()),
        (StatusCode::OK, "image/jpeg")
    );
    assert_eq!(jpeg_size(&a.body), (320, 240));
    let a = fetch(
        &format!("{uri}&contentType=image/png&frameNumber=4&columns=160"),
        None,
    )
    .await;
    assert_eq!(
        (a.status, a.content_type.as_str()),
        (StatusCode::OK, "image/png")
    );
    assert_eq!(png_size(&a.body), (160, 120));
    let a = fetch(&format!("{uri}&region=0,0,0.5,0.5&imageQuality=60"), None).await;
    assert_eq!(
        jpeg_size(&a.body),
        (160, 120),
        "a quarter of the image, at its own size"
    );
    // Each fetch above that carried pixels out is in the audit log: two files (the third
    // was refused) and three images.
    assert_eq!(exports(&app, study).await - before, 5);

    // What cannot be served says why.
    let a = fetch(&format!("{uri}&frameNumber=5"), None).await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
    assert!(String::from_utf8_lossy(&a.body).contains("4 frames"));
    let a = fetch(&format!("{uri}&contentType=image/gif"), None).await;
    assert_eq!(a.status, StatusCode::NOT_ACCEPTABLE);
    let a = fetch(
        &format!("{base}?requestType=WADO&studyUID={study}&seriesUID={series}"),
        None,
    )
    .await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    let a = fetch(
        &format!("{base}?requestType=WADO&studyUID={study}&seriesUID={series}&objectUID=2.25.9"),
        None,
    )
    .await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);

    // Without a credential: 401 with the challenge, not the sign-in page.
    let res = anonymous(&uri, &[]).await;
    assert_eq!(res.status(), 401);
    assert!(res.headers().contains_key("www-authenticate"));
    // The token may come in the query, for clients that load images by URL; a wrong one is
    // refused.
    let res = anonymous(&format!("{uri}&access_token={TOKEN}"), &[]).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "image/jpeg");
    let res = anonymous(&format!("{uri}&access_token=not-the-token-at-all"), &[]).await;
    assert_eq!(res.status(), 401);

    // A token an admin issued works the same, and the export is audited under its name.
    let admin = app.signed_in("admin").await;
    let (_, issued) = admin
        .call(
            "issue_dicomweb_token",
            &[("name", "Ward 3 viewer"), ("holder", "Ward 3 workstation")],
        )
        .await;
    let secret = issued["secret"].as_str().expect("a secret");
    let res = anonymous(&format!("{uri}&frameNumber=2&access_token={secret}"), &[]).await;
    assert_eq!(res.status(), 200);
    let events = app.audit_of(study).await;
    let last = events.last().unwrap();
    let detail: Value = serde_json::from_str(&last.detail).unwrap();
    assert_eq!(detail["token"], "Ward 3 viewer", "{detail}");
    assert_eq!(
        (last.actor.as_deref(), detail["frame"].as_i64()),
        (None, Some(2))
    );
}

#[tokio::test]
async fn a_viewer_on_an_allowed_origin_may_call_with_its_token() {
    // `app` is held to the end: dropping it stops the server.
    let Some(Archive {
        _orthanc,
        app: _app,
        base,
        stored,
        ..
    }) = archive().await
    else {
        return;
    };
    let (study, series, sop, _, _) = &stored[0];
    let frames = format!("{base}/studies/{study}/series/{series}/instances/{sop}/frames/1");

    // The preflight carries no credential and is answered as such, not with 401.
    let preflight = reqwest::Client::new()
        .request(reqwest::Method::OPTIONS, &frames)
        .header("origin", VIEWER_ORIGIN)
        .header("access-control-request-method", "GET")
        .header("access-control-request-headers", "authorization,accept")
        .send()
        .await
        .unwrap();
    assert!(preflight.status().is_success(), "{}", preflight.status());
    let h = preflight.headers();
    assert_eq!(h["access-control-allow-origin"], VIEWER_ORIGIN);
    let allowed = h["access-control-allow-headers"]
        .to_str()
        .unwrap()
        .to_ascii_lowercase();
    assert!(
        allowed.contains("authorization") && allowed.contains("accept"),
        "{allowed}"
    );
    assert!(
        h["access-control-allow-methods"]
            .to_str()
            .unwrap()
            .contains("GET")
    );

    // The request itself: answered, readable by the viewer's page.
    let a = fetch_with(&frames, Some(OHIF), &[("origin", VIEWER_ORIGIN)]).await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(a.headers["access-control-allow-origin"], VIEWER_ORIGIN);
    assert!(
        a.headers["access-control-expose-headers"]
            .to_str()
            .unwrap()
            .to_ascii_lowercase()
            .contains("content-type")
    );
    // A refusal is readable too, so the viewer can tell the user to sign in.
    let res = anonymous(&format!("{base}/studies"), &[("origin", VIEWER_ORIGIN)]).await;
    assert_eq!(res.status(), 401);
    assert_eq!(res.headers()["access-control-allow-origin"], VIEWER_ORIGIN);

    // Any other origin gets no permission to read.
    let other = "http://elsewhere.test";
    let a = fetch_with(&frames, Some(OHIF), &[("origin", other)]).await;
    assert!(!a.headers.contains_key("access-control-allow-origin"));
    let preflight = reqwest::Client::new()
        .request(reqwest::Method::OPTIONS, &frames)
        .header("origin", other)
        .header("access-control-request-method", "GET")
        .send()
        .await
        .unwrap();
    assert!(
        !preflight
            .headers()
            .contains_key("access-control-allow-origin")
    );
}
