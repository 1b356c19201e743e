//! CSV exports of the dashboards' tables, made in the browser from the data on the page and
//! downloaded as a file: UTF-8 with a byte-order mark so that Excel reads Chinese correctly.
use crate::i18n::*;
use leptos::prelude::*;

/// One field, quoted when it holds a comma, a quote or a line break (quotes doubled). Text a
/// spreadsheet would run as a formula (`=`, `+`, `@`, a tab or carriage return first) gets a
/// leading apostrophe, so a name typed as `=HYPERLINK(…)` stays text.
pub fn field(text: &str) -> String {
    let text = if text.starts_with(['=', '+', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_string()
    };
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

/// A whole file: the byte-order mark, then one line per row, ended by CRLF as RFC 4180 asks.
pub fn document(rows: &[Vec<String>]) -> String {
    let mut out = String::from('\u{FEFF}');
    for row in rows {
        let line: Vec<String> = row.iter().map(|f| field(f)).collect();
        out.push_str(&line.join(","));
        out.push_str("\r\n");
    }
    out
}

/// Saves `rows` as `name` through a Blob and a temporary link.
pub fn download(name: &str, rows: &[Vec<String>]) {
    use wasm_bindgen::JsCast;
    let text = document(rows);
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(&text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("text/csv;charset=utf-8");
    let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options) else {
        return;
    };
    let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else {
        return;
    };
    if let Some(a) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.create_element("a").ok())
        .and_then(|a| a.dyn_into::<web_sys::HtmlAnchorElement>().ok())
    {
        a.set_href(&url);
        a.set_download(name);
        a.click();
    }
    let _ = web_sys::Url::revoke_object_url(&url);
}

/// A button that downloads the rows `rows` gives when pressed, as `name`.
#[component]
pub fn CsvButton(
    name: String,
    rows: impl Fn() -> Vec<Vec<String>> + Send + Sync + 'static,
    /// What the table is, read after the visible label ("Export CSV: sites × applications"),
    /// so the accessible name starts with what is on screen (WCAG 2.5.3).
    what: Signal<String>,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <button
            type="button"
            class="btn btn-small csv-button"
            on:click=move |_| download(&name, &rows())
        >
            {t!(i18n, credentials.export_csv)}
            <span class="sr-only">
                {move || t_string!(i18n, credentials.export_what, what = what.get())}
            </span>
        </button>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_fields_stay_as_they_are() {
        assert_eq!(field("eFAST"), "eFAST");
        assert_eq!(field("85%"), "85%");
        assert_eq!(field("-3"), "-3");
    }

    #[test]
    fn commas_quotes_and_line_breaks_are_quoted() {
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(field("two\nlines"), "\"two\nlines\"");
        assert_eq!(field("cr\rhere"), "\"cr\rhere\"");
    }

    #[test]
    fn chinese_passes_through_and_the_file_starts_with_a_byte_order_mark() {
        let rows = vec![
            vec!["站点".to_string(), "甲状腺，颈部".to_string()],
            vec!["中心医院".to_string(), "12".to_string()],
        ];
        let text = document(&rows);
        assert!(text.starts_with('\u{FEFF}'));
        assert_eq!(
            text.trim_start_matches('\u{FEFF}'),
            "站点,甲状腺，颈部\r\n中心医院,12\r\n"
        );
        assert_eq!(&text.as_bytes()[..3], &[0xEF, 0xBB, 0xBF]);
    }

    #[test]
    fn formulas_are_kept_as_text() {
        assert_eq!(field("=1+1"), "'=1+1");
        assert_eq!(field("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(field("=A1,B1"), "\"'=A1,B1\"");
    }
}
