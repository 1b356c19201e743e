//! Clips offered in the viewer page.
use serde::{Deserialize, Serialize};

/// A synthetic demo clip served by this server.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct DemoClip {
    /// File name under `/demo-clips/`.
    pub file: String,
    /// Where the browser fetches it.
    pub url: String,
    pub title_zh: String,
    pub title_en: String,
    /// Transfer syntax, short ("JPEG", "RLE", "RGB").
    pub syntax: String,
    pub width: u32,
    pub height: u32,
    pub frames: u32,
    pub fps: f64,
    /// Teaching annotations drawn over the clip.
    #[serde(default)]
    pub annotations: Vec<super::Annotation>,
}

impl DemoClip {
    /// The title in the given language ("en" or Chinese).
    pub fn title(&self, lang: &str) -> &str {
        if lang == "en" {
            &self.title_en
        } else {
            &self.title_zh
        }
    }
}
