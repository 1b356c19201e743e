//! The quarantine: files without ultrasound regions are held (identified, in the inbox, never
//! in the blob store or the library), an expert marks the image area of one file or saves it
//! as the mask of the device, which releases every held file of that scanner model and size;
//! later files of the device are cleaned with it; admins edit and retire masks; every step is
//! audited and every door checked.

use crate::common::{Client, TestApp, wait_for_job};
use cine::synth::{SynthOptions, SynthSyntax, layout, synth_clip};
use dicom_core::{DataElement, PrimitiveValue, VR};
use dicom_dictionary_std::tags;
use serde_json::{Value, json};

/// A region-less clip of a device, as an old portable writes it.
fn portable_clip(seed: u64, manufacturer: &str, model: &str) -> Vec<u8> {
    let bytes = synth_clip(&SynthOptions {
        width: 320,
        height: 240,
        frames: 8,
        syntax: SynthSyntax::Rle,
        fps: 20.0,
        seed,
    })
    .unwrap();
    let mut obj = dicom_object::OpenFileOptions::new()
        .from_reader(&bytes[128..])
        .unwrap();
    obj.remove_element(tags::SEQUENCE_OF_ULTRASOUND_REGIONS);
    obj.put(DataElement::new(
        tags::MANUFACTURER,
        VR::LO,
        PrimitiveValue::from(manufacturer),
    ));
    obj.put(DataElement::new(
        tags::MANUFACTURER_MODEL_NAME,
        VR::LO,
        PrimitiveValue::from(model),
    ));
    let mut out = Vec::new();
    obj.write_all(&mut out).unwrap();
    out
}

/// The synthetic clip's true image area (below its banner).
fn true_area() -> Value {
    let (x0, y0, x1, y1) = layout(320, 240).region;
    json!({ "x0": x0, "y0": y0, "x1": x1, "y1": y1 })
}

fn iou(a: &Value, b: &Value) -> f64 {
    let v = |r: &Value, k: &str| r[k].as_f64().unwrap();
    let w = (v(a, "x1").min(v(b, "x1")) - v(a, "x0").max(v(b, "x0")) + 1.0).max(0.0);
    let h = (v(a, "y1").min(v(b, "y1")) - v(a, "y0").max(v(b, "y0")) + 1.0).max(0.0);
    let area = |r: &Value| (v(r, "x1") - v(r, "x0") + 1.0) * (v(r, "y1") - v(r, "y0") + 1.0);
    w * h / (area(a) + area(b) - w * h)
}

/// Uploads named files in one job and waits for it.
async fn upload(client: &Client, files: &[(&str, Vec<u8>)]) -> (Value, Vec<Value>) {
    let (status, job) = client.call("open_upload", &[]).await;
    assert_eq!(status, 200, "{job}");
    let job = job.as_str().unwrap().to_string();
    for (name, bytes) in files {
        let (status, body) = client
            .upload_named(&job, name, bytes.clone(), "application/dicom")
            .await;
        assert_eq!(status, 200, "{name}: {body}");
    }
    client.call("close_upload", &[("id", &job)]).await;
    wait_for_job(client, &job).await
}

fn statuses(items: &[Value]) -> Vec<&str> {
    items
        .iter()
        .map(|i| i["status"].as_str().unwrap())
        .collect()
}

async fn held(client: &Client) -> Vec<Value> {
    let (status, body) = client.call("held_files", &[]).await;
    assert_eq!(status, 200, "{body}");
    body.as_array().unwrap().clone()
}

fn files_in(dir: &std::path::Path) -> usize {
    std::fs::read_dir(dir).map_or(0, |d| {
        d.flatten()
            .map(|e| {
                if e.path().is_dir() {
                    files_in(&e.path())
                } else {
                    1
                }
            })
            .sum()
    })
}

#[tokio::test]
async fn held_files_wait_for_an_area_and_one_device_mask_releases_them() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_path_buf();
    let app = TestApp::with(|c| {
        c.demo = true;
        c.data_dir = data.clone();
    })
    .await;
    let chen = app.signed_in("chen.jing").await;
    let acme_1 = portable_clip(11, "Acme Medical", "Portable-7");
    let with_regions = synth_clip(&SynthOptions {
        seed: 14,
        syntax: SynthSyntax::Rle,
        ..SynthOptions::default()
    })
    .unwrap();
    let (job, items) = upload(
        &chen,
        &[
            ("ZHANG_SAN_neck.dcm", acme_1.clone()),
            (
                "second.dcm",
                portable_clip(12, "Acme Medical", "Portable-7"),
            ),
            ("other.dcm", portable_clip(13, "Other Co", "X1")),
            ("hub.dcm", with_regions),
        ],
    )
    .await;
    assert_eq!(job["status"], "done", "{job}");
    assert_eq!(statuses(&items), ["held", "held", "held", "imported"]);
    assert_eq!(
        (job["held"].as_u64(), job["imported"].as_u64()),
        (Some(3), Some(1))
    );
    assert_eq!(items[0]["error"]["kind"], "no_image_area");
    // Identified files stay in the inbox only: one blob, for the file with regions.
    assert_eq!(files_in(&data.join("blobs")), 1);
    assert_eq!(files_in(&data.join("inbox")), 3);
    let (_, studies) = chen.call("list_studies", &[]).await;
    assert_eq!(studies.as_array().unwrap().len(), 1, "{studies}");

    // The quarantine groups them by device, the bigger group first, with a proposed area
    // from what moves between frames, close to the true image area.
    let devices = held(&chen).await;
    assert_eq!(devices.len(), 2, "{devices:?}");
    assert_eq!(devices[0]["device"]["model"], "Portable-7");
    assert_eq!(devices[0]["device"]["columns"], 320);
    let acme = devices[0]["files"].as_array().unwrap().clone();
    assert_eq!(acme.len(), 2);
    assert_eq!(acme[0]["label"]["named"]["file"], "ZHANG_SAN_neck.dcm");
    // The synthetic sector moves inside its calibrated region, which is black at the sides:
    // the proposal is the sector's box, never reaching into the banner above the region.
    let proposal = &acme[0]["proposal"]["Ok"]["rect"];
    let region = true_area();
    assert!(
        proposal["y0"].as_u64() >= region["y0"].as_u64()
            && proposal["x0"].as_u64() >= region["x0"].as_u64()
            && proposal["x1"].as_u64() <= region["x1"].as_u64(),
        "{proposal} vs {region}"
    );
    assert!(iou(proposal, &region) >= 0.7, "{proposal} vs {region}");
    // Another expert sees the files numbered, not named.
    let wang = app.signed_in("wang.lei").await;
    let theirs = held(&wang).await;
    assert_eq!(theirs[0]["files"][0]["label"]["file"], 1, "{theirs:?}");

    // The identified file: to experts, never cached; not to learners or strangers.
    let first = acme[0]["id"].as_str().unwrap().to_string();
    let res = chen
        .http
        .get(chen.url(&format!("/held/{first}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["cache-control"], "no-store");
    assert_eq!(res.bytes().await.unwrap().as_ref(), acme_1.as_slice());
    let learner = app.signed_in("li.na").await;
    let res = learner
        .http
        .get(chen.url(&format!("/held/{first}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    let res = app
        .client()
        .http
        .get(chen.url(&format!("/held/{first}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    let (_, body) = learner.call("held_files", &[]).await;
    assert_eq!(body, "Forbidden");
    let (_, body) = learner
        .json(
            "save_device_mask",
            json!({ "held": first, "area": true_area() }),
        )
        .await;
    assert_eq!(body, "Forbidden");

    // An area outside the image, or too small to be one, is refused and changes nothing.
    for area in [
        json!({ "x0": 0, "y0": 0, "x1": 320, "y1": 239 }),
        json!({ "x0": 10, "y0": 10, "x1": 12, "y1": 200 }),
        json!({ "x0": 100, "y0": 10, "x1": 50, "y1": 200 }),
    ] {
        let (status, body) = chen
            .json("save_device_mask", json!({ "held": first, "area": area }))
            .await;
        assert_ne!(status, 200, "{area}: {body}");
        assert_eq!(body["Invalid"]["field"], "area", "{body}");
    }

    // Saved as the device's mask: both Acme files are released and imported, cleaned with it.
    let (status, released) = chen
        .json(
            "save_device_mask",
            json!({ "held": first, "area": true_area() }),
        )
        .await;
    assert_eq!((status, released.as_u64()), (200, Some(2)), "{released}");
    let (job, items) = wait_for_job(&chen, job["id"].as_str().unwrap()).await;
    assert_eq!(
        statuses(&items),
        ["imported", "imported", "held", "imported"]
    );
    assert_eq!(job["held"], 1);
    let (x0, y0, x1, y1) = layout(320, 240).region;
    let kept = u64::from((x1 - x0 + 1) * (y1 - y0 + 1));
    let (_, studies) = chen.call("list_studies", &[]).await;
    let mut masked = Vec::new();
    for study in studies.as_array().unwrap() {
        let (_, detail) = chen
            .call("study", &[("uid", study["uid"].as_str().unwrap())])
            .await;
        for inst in detail["instances"].as_array().unwrap() {
            masked.push(inst["masked_pixels"].as_u64().unwrap());
        }
    }
    // Everything outside the mask's area is black, as the regions of the hub's file make it.
    assert_eq!(
        masked,
        [320 * 240 - kept; 3],
        "everything outside the mask's area is black: {masked:?}"
    );
    assert_eq!(
        files_in(&data.join("inbox")),
        1,
        "only the other device's file waits"
    );
    let devices = held(&chen).await;
    assert_eq!(devices.len(), 1);
    assert_eq!(devices[0]["device"]["model"], "X1");

    // A later file of that device goes straight in.
    let (_, items) = upload(
        &chen,
        &[("later.dcm", portable_clip(15, "ACME MEDICAL", "portable-7"))],
    )
    .await;
    assert_eq!(statuses(&items), ["imported"]);

    // Every use is audited, with the mask as subject.
    let (_, masks) = app.signed_in("admin").await.call("device_masks", &[]).await;
    let mask = masks[0]["id"].as_str().unwrap().to_string();
    assert_eq!(masks[0]["uses"], 3, "{masks}");
    let actions: Vec<String> = app
        .audit_of(&mask)
        .await
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert_eq!(
        actions,
        [
            "device_mask_saved",
            "device_mask_used",
            "device_mask_used",
            "device_mask_used"
        ]
    );

    // One file released with an area marked on it alone.
    let other = devices[0]["files"][0]["id"].as_str().unwrap().to_string();
    let area = json!({ "x0": 0, "y0": 40, "x1": 319, "y1": 239 });
    let (status, body) = chen
        .json("release_held", json!({ "id": other, "area": area }))
        .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = chen
        .json("release_held", json!({ "id": other, "area": area }))
        .await;
    assert_eq!(status, 404, "released already: {body}");
    let (job, _) = wait_for_job(&chen, job["id"].as_str().unwrap()).await;
    assert_eq!(
        (job["held"].as_u64(), job["imported"].as_u64()),
        (Some(0), Some(4))
    );
    assert!(held(&chen).await.is_empty());
    assert_eq!(files_in(&data.join("inbox")), 0, "the job's inbox is gone");
    let events = app.audit_of(&other).await;
    assert_eq!(events[0].action, "held_released");

    // A held file can be discarded: deleted, the item keeps its reason.
    let (job, _) = upload(&chen, &[("stray.dcm", portable_clip(16, "Other Co", "X1"))]).await;
    let stray = held(&chen).await[0]["files"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let (status, body) = chen.call("discard_held", &[("id", &stray)]).await;
    assert_eq!(status, 200, "{body}");
    let (_, detail) = chen
        .call("import_job_detail", &[("id", job["id"].as_str().unwrap())])
        .await;
    assert_eq!(detail[1][0]["status"], "failed");
    assert_eq!(detail[1][0]["error"]["kind"], "no_image_area");
    assert_eq!(files_in(&data.join("inbox")), 0);

    // Admins edit and retire masks; experts may not. Retired, the device's files are held again.
    let admin = app.signed_in("admin").await;
    let (_, body) = chen.call("device_masks", &[]).await;
    assert_eq!(body, "Forbidden");
    let (status, body) = admin
        .json(
            "edit_device_mask",
            json!({ "id": mask, "keep": { "x0": 0, "y0": 0, "x1": 400, "y1": 239 }, "remove": [] }),
        )
        .await;
    assert_ne!(status, 200, "{body}");
    let (status, body) = admin
        .json(
            "edit_device_mask",
            json!({ "id": mask, "keep": { "x0": 0, "y0": 30, "x1": 319, "y1": 239 }, "remove": [] }),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = admin.call("retire_device_mask", &[("id", &mask)]).await;
    assert_eq!(status, 200, "{body}");
    let (_, masks) = admin.call("device_masks", &[]).await;
    assert!(masks[0]["retired_at"].is_i64(), "{masks}");
    let (status, body) = admin
        .json(
            "edit_device_mask",
            json!({ "id": mask, "keep": { "x0": 0, "y0": 30, "x1": 319, "y1": 239 }, "remove": [] }),
        )
        .await;
    assert_eq!(status, 404, "a retired mask is not edited: {body}");
    assert_eq!(masks[0]["keep"]["y0"], 30);
    let (_, items) = upload(
        &chen,
        &[("after.dcm", portable_clip(17, "Acme Medical", "Portable-7"))],
    )
    .await;
    assert_eq!(statuses(&items), ["held"]);
    let actions: Vec<String> = app
        .audit_of(&mask)
        .await
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert_eq!(&actions[4..], ["device_mask_edited", "device_mask_retired"]);
    app.started.stop().await.unwrap();
}
