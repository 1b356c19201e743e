//! The viewer and the rest of the page: fullscreen, and the frame on screen saved as a PNG.
use crate::components::viewer::ViewerState;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

pub fn fullscreen(root: NodeRef<leptos::html::Div>) {
    if let Some(el) = root.get_untracked() {
        let document = web_sys::window().and_then(|w| w.document());
        if document
            .as_ref()
            .and_then(|d| d.fullscreen_element())
            .is_some()
        {
            if let Some(d) = document {
                d.exit_fullscreen();
            }
        } else {
            let _ = el.request_fullscreen();
        }
    }
}

/// Saves the frame on screen as a PNG file.
pub fn export_png(st: ViewerState) {
    let Some(canvas) = st.canvas.get_untracked() else {
        return;
    };
    let Ok(url) = canvas.to_data_url_with_type("image/png") else {
        return;
    };
    let document = web_sys::window().and_then(|w| w.document());
    if let Some(a) = document
        .and_then(|d| d.create_element("a").ok())
        .and_then(|a| a.dyn_into::<web_sys::HtmlAnchorElement>().ok())
    {
        a.set_href(&url);
        a.set_download(&format!("frame-{}.png", st.frame.get_untracked() + 1));
        a.click();
    }
}
