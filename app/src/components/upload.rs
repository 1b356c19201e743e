//! Sending files to an upload job (`POST /upload/{job}`): the experts' studies page and the
//! learners' logbook editor share it.
use crate::model::ImportFailure;

/// What the server said of one file.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
pub enum Sent {
    /// Taken into the job; the import pipeline decides the rest.
    Accepted,
    /// Refused at once, with the reason when the server gave one (none: the network failed).
    Refused(Option<ImportFailure>),
}

/// Reads the server's answer to one file: a 200 may still refuse it (`refused` lists why).
pub fn read_answer(status: u16, body: &str) -> Sent {
    let json = serde_json::from_str::<serde_json::Value>(body).ok();
    let refused = |v: &serde_json::Value| serde_json::from_value::<ImportFailure>(v.clone()).ok();
    match (status, json) {
        (200, Some(v)) => match v.get("refused").and_then(|r| r.get(0)) {
            Some(why) => Sent::Refused(refused(why)),
            None => Sent::Accepted,
        },
        (200, None) => Sent::Accepted,
        (_, Some(v)) => Sent::Refused(v.get("refused").and_then(refused)),
        (_, None) => Sent::Refused(None),
    }
}

/// Sends one file with XMLHttpRequest (fetch cannot report upload progress), its `file_name`
/// in a header (not the URL, which servers log: a file name may name a patient).
#[cfg(feature = "hydrate")]
pub async fn send_file(
    url: &str,
    file: &web_sys::File,
    file_name: &str,
    progress: impl Fn(f64) + 'static,
) -> Sent {
    send(url, file, file_name, progress)
        .await
        .map(|(status, body)| read_answer(status, &body))
        .unwrap_or(Sent::Refused(None))
}

#[cfg(feature = "hydrate")]
async fn send(
    url: &str,
    file: &web_sys::File,
    file_name: &str,
    progress: impl Fn(f64) + 'static,
) -> Result<(u16, String), ()> {
    use wasm_bindgen::JsCast;
    use wasm_bindgen::prelude::*;
    let xhr = web_sys::XmlHttpRequest::new().map_err(|_| ())?;
    xhr.open("POST", url).map_err(|_| ())?;
    let name = file.name().to_ascii_lowercase();
    let zip = name.ends_with(".zip") || file.type_().contains("zip");
    xhr.set_request_header(
        "content-type",
        if zip {
            "application/zip"
        } else {
            "application/dicom"
        },
    )
    .map_err(|_| ())?;
    let encoded = String::from(js_sys::encode_uri_component(file_name));
    xhr.set_request_header("x-file-name", &encoded)
        .map_err(|_| ())?;
    let on_progress =
        Closure::<dyn Fn(web_sys::ProgressEvent)>::new(move |e: web_sys::ProgressEvent| {
            if e.length_computable() && e.total() > 0.0 {
                progress(e.loaded() / e.total());
            }
        });
    if let Ok(upload) = xhr.upload() {
        upload.set_onprogress(Some(on_progress.as_ref().unchecked_ref()));
    }
    let done = js_sys::Promise::new(&mut |resolve, _reject| {
        let end = Closure::once_into_js(move || {
            let _ = resolve.call0(&JsValue::NULL);
        });
        xhr.set_onloadend(Some(end.unchecked_ref()));
    });
    xhr.send_with_opt_blob(Some(file)).map_err(|_| ())?;
    let _ = wasm_bindgen_futures::JsFuture::from(done).await;
    drop(on_progress);
    let status = xhr.status().map_err(|_| ())?;
    let text = xhr.response_text().ok().flatten().unwrap_or_default();
    Ok((status, text))
}

/// Waits `ms` milliseconds.
#[cfg(feature = "hydrate")]
pub async fn sleep_ms(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// The path of a file inside a picked folder (`webkitRelativePath`), when it has one.
pub fn relative_path(file: &web_sys::File) -> Option<String> {
    js_sys::Reflect::get(file, &wasm_bindgen::JsValue::from_str("webkitRelativePath"))
        .ok()
        .and_then(|v| v.as_string())
        .filter(|p| !p.is_empty())
}

#[cfg(test)]
mod tests {
    use super::{Sent, read_answer};

    #[test]
    fn a_file_taken_into_the_job_is_accepted() {
        assert_eq!(read_answer(200, r#"{"received":1}"#), Sent::Accepted);
        assert_eq!(read_answer(200, ""), Sent::Accepted);
    }

    #[test]
    fn a_refusal_is_read_from_a_200_or_an_error_answer() {
        assert!(matches!(
            read_answer(200, r#"{"refused":[{"kind":"nonsense"}]}"#),
            Sent::Refused(_)
        ));
        assert_eq!(read_answer(413, "too large"), Sent::Refused(None));
        assert_eq!(read_answer(0, ""), Sent::Refused(None));
    }
}
