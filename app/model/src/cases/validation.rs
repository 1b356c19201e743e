//! Checks on authored case content: the text limits and `CaseContent::normalise`.
use super::CaseContent;
use crate::InvalidReason;

/// Limits on authored text (characters).
pub mod limits {
    pub const TITLE: usize = 120;
    pub const SHORT: usize = 300;
    pub const TEXT: usize = 8000;
    pub const TAG: usize = 30;
    pub const TAGS: usize = 12;
    pub const CLIPS: usize = 12;
    pub const CHOICES: usize = 6;
    pub const COMMENT: usize = 4000;
}

impl CaseContent {
    /// Reads the case editor's JSON; a malformed score is named down to its field
    /// (`scores.0.foci.0`), anything else malformed is the `content` as a whole.
    pub fn from_editor_json(json: &str) -> Result<CaseContent, (String, InvalidReason)> {
        let bad = || ("content".to_string(), InvalidReason::BadFormat);
        let mut value: serde_json::Value = serde_json::from_str(json).map_err(|_| bad())?;
        let scores = value
            .as_object_mut()
            .and_then(|o| o.remove("scores"))
            .unwrap_or(serde_json::Value::Array(Vec::new()));
        let scores = crate::scores::parse(&scores.to_string()).map_err(|e| (e.field, e.reason))?;
        let mut content: CaseContent = serde_json::from_value(value).map_err(|_| bad())?;
        content.scores = scores;
        Ok(content)
    }

    /// Checks lengths and references, trimming text; the first problem names its field.
    pub fn normalise(mut self) -> Result<CaseContent, (String, InvalidReason)> {
        fn text(
            v: &mut String,
            field: &str,
            max: usize,
            required: bool,
        ) -> Result<(), (String, InvalidReason)> {
            *v = v.trim().to_string();
            if required && v.is_empty() {
                return Err((field.to_string(), InvalidReason::Required));
            }
            if v.chars().count() > max {
                return Err((field.to_string(), InvalidReason::TooLong));
            }
            Ok(())
        }
        text(&mut self.title, "title", limits::TITLE, true)?;
        text(&mut self.history, "history", limits::TEXT, false)?;
        text(&mut self.findings, "findings", limits::TEXT, false)?;
        text(&mut self.impression, "impression", limits::TEXT, false)?;
        text(&mut self.diagnosis, "diagnosis", limits::SHORT, false)?;
        text(&mut self.differential, "differential", limits::TEXT, false)?;
        text(
            &mut self.teaching_points,
            "teaching_points",
            limits::TEXT,
            false,
        )?;
        let mut tags: Vec<String> = Vec::new();
        for tag in &self.tags {
            let tag = tag.trim().trim_start_matches('#').to_string();
            if tag.is_empty() || tags.iter().any(|t| t.to_lowercase() == tag.to_lowercase()) {
                continue;
            }
            if tag.chars().count() > limits::TAG || tag.contains('|') {
                return Err(("tags".into(), InvalidReason::BadFormat));
            }
            tags.push(tag);
        }
        if tags.len() > limits::TAGS {
            return Err(("tags".into(), InvalidReason::TooLong));
        }
        self.tags = tags;
        if self.clips.len() > limits::CLIPS {
            return Err(("clips".into(), InvalidReason::TooLong));
        }
        for clip in &mut self.clips {
            clip.key_frames.sort_unstable();
            clip.key_frames.dedup();
            text(&mut clip.caption, "clips", limits::SHORT, false)?;
        }
        self.choices = self
            .choices
            .iter()
            .map(|c| c.trim().to_string())
            .filter(|c| !c.is_empty())
            .collect();
        if self.choices.len() > limits::CHOICES
            || self
                .choices
                .iter()
                .any(|c| c.chars().count() > limits::SHORT)
        {
            return Err(("choices".into(), InvalidReason::TooLong));
        }
        if self.choices.len() == 1 {
            return Err(("choices".into(), InvalidReason::TooShort));
        }
        match self.answer {
            Some(i) if i as usize >= self.choices.len() => {
                return Err(("answer".into(), InvalidReason::BadFormat));
            }
            None if !self.choices.is_empty() => {
                return Err(("answer".into(), InvalidReason::Required));
            }
            _ => {}
        }
        crate::scores::validate(&self.scores).map_err(|e| (e.field, e.reason))?;
        Ok(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_malformed_score_is_named_down_to_its_field() {
        let json = r#"{"title":"t","application":"thyroid","age_band":"40-49","sex":"female",
            "origin_site":"01936f0e-8a4b-7c3d-9e2f-0a1b2c3d4e5f","history":"","findings":"",
            "impression":"","diagnosis":"","difficulty":"basic","scores":[{"kind":"thyroid_nodule",
            "label":"A","lobe":"right","size_mm":12,"composition":"solid","echogenicity":"hypo",
            "shape":"wider_than_tall","margin":"smooth","foci":[9]}]}"#;
        assert_eq!(
            CaseContent::from_editor_json(json)
                .map_err(|(field, _)| field)
                .map(|_| ()),
            Err("scores.0.foci.0".to_string())
        );
        let ok = json.replace("[9]", r#"["punctate"]"#);
        assert_eq!(CaseContent::from_editor_json(&ok).unwrap().scores.len(), 1);
        for bad in ["{", "[]", &ok.replace("01936f0e-", "site-")] {
            assert_eq!(
                CaseContent::from_editor_json(bad).map(|_| ()),
                Err(("content".to_string(), InvalidReason::BadFormat)),
                "{bad}"
            );
        }
    }
}
