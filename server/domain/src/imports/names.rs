//! The names uploaded files arrive under, cleaned for display, and who may see them: the job's
//! item list names each file so the expert can tell which one was refused and why.
use model::{CurrentUser, ImportJob, ItemLabel, Role};

/// Longest name shown, in characters; longer ones keep their start and their end.
const MAX_CHARS: usize = 160;

/// The name a received file came under: an uploaded file (or its path in a picked folder),
/// and for an entry of an uploaded zip its path inside the zip. Cleaned when built.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileName {
    file: String,
    entry: Option<String>,
}

impl FileName {
    /// An uploaded file's name as the browser sent it; `None` when nothing printable is left.
    pub fn parse(raw: &str) -> Option<FileName> {
        let file = clean(raw);
        (!file.is_empty()).then_some(FileName { file, entry: None })
    }

    /// An entry of this file (a zip), by its path inside it.
    pub fn entry(&self, path: &str) -> FileName {
        let entry = clean(path);
        FileName {
            file: self.file.clone(),
            entry: (!entry.is_empty()).then_some(entry),
        }
    }

    /// The item label of the `n`-th file of a job (from 1).
    pub(super) fn label(&self, n: u32) -> ItemLabel {
        ItemLabel::Named {
            n,
            file: self.file.clone(),
            entry: self.entry.clone(),
        }
    }
}

/// The label of the `n`-th received file (from 1), named when a name came with it.
pub(super) fn file_label(name: Option<&FileName>, n: u32) -> ItemLabel {
    name.map_or(ItemLabel::File(n), |name| name.label(n))
}

/// Whether `viewer` sees the names a job's files were sent under. A file name may name a
/// patient (`ZHANG_WEI_thyroid.dcm`) and every expert sees every job, so only the person who
/// sent the files and admins see them; everyone else sees "File n".
pub fn shows_file_names(job: &ImportJob, viewer: &CurrentUser) -> bool {
    shows_names_of(job.created_by.as_deref(), viewer)
}

/// [`shows_file_names`] for a job created by `created_by`.
pub(super) fn shows_names_of(created_by: Option<&str>, viewer: &CurrentUser) -> bool {
    viewer.role == Role::Admin || created_by == Some(viewer.id.as_str())
}

/// Characters that would hide or reorder what is shown (bidirectional overrides, zero-width
/// marks) and are never needed in a file name.
fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{061C}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{FEFF}')
}

/// Drops control and invisible characters, turns each run of spaces into one and Windows
/// separators into `/`, and shortens a long name in the middle. Any script is kept.
fn clean(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut space = false;
    for c in raw.chars() {
        if c.is_whitespace() {
            space = !out.is_empty();
            continue;
        }
        if c.is_control() || is_invisible(c) {
            continue;
        }
        if space {
            out.push(' ');
            space = false;
        }
        out.push(if c == '\\' { '/' } else { c });
    }
    let count = out.chars().count();
    if count <= MAX_CHARS {
        return out;
    }
    // The end says which file it is (its own name and extension): keep more of it.
    let head = MAX_CHARS / 3;
    let tail = MAX_CHARS - head - 1;
    let start: String = out.chars().take(head).collect();
    let end: String = out.chars().skip(count - tail).collect();
    format!("{start}…{end}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use model::{Site, SiteId, SiteKind, UserId};

    #[test]
    fn names_keep_any_script_and_lose_what_would_hide_or_break_the_line() {
        let name = |raw: &str| FileName::parse(raw).map(|n| n.label(1).file_name().unwrap());
        assert_eq!(name("颈动脉 左.dcm").as_deref(), Some("颈动脉 左.dcm"));
        assert_eq!(
            name("  a\u{0}b\r\n  c\t.dcm ").as_deref(),
            Some("ab c .dcm"),
            "controls dropped, spaces collapsed and trimmed"
        );
        // A right-to-left override would show `evil\u{202E}mcd.exe` as `evilexe.dcm`.
        assert_eq!(name("evil\u{202E}mcd.exe").as_deref(), Some("evilmcd.exe"));
        assert_eq!(
            name(r"study\series 1\img.dcm").as_deref(),
            Some("study/series 1/img.dcm")
        );
        assert_eq!(name(" \u{7}\u{200B} "), None);

        let long = format!("{}患者_影像.dcm", "目录/".repeat(100));
        let shown = name(&long).unwrap();
        assert_eq!(shown.chars().count(), MAX_CHARS);
        assert!(
            shown.starts_with("目录/") && shown.ends_with("患者_影像.dcm"),
            "{shown}"
        );
        assert!(shown.contains('…'));

        let zip = FileName::parse("archive.zip").unwrap();
        assert_eq!(
            zip.entry("series1/img1.dcm").label(4),
            ItemLabel::Named {
                n: 4,
                file: "archive.zip".into(),
                entry: Some("series1/img1.dcm".into())
            }
        );
        assert_eq!(file_label(None, 7), ItemLabel::File(7));
    }

    #[test]
    fn only_the_sender_and_admins_see_file_names() {
        let user = |id: &str, role| CurrentUser {
            id: UserId(id.into()),
            username: id.into(),
            display_name: id.into(),
            role,
            site: Site {
                id: SiteId("hub".into()),
                code: "HUB".into(),
                kind: SiteKind::Hub,
                name_zh: "中心".into(),
                name_en: "Hub".into(),
                active: true,
            },
        };
        let job = ImportJob {
            id: model::JobId("j".into()),
            kind: model::ImportKind::Upload,
            status: model::JobStatus::Done,
            label: model::JobLabel::Upload,
            created_by: Some("chen".into()),
            created_at: 0,
            finished_at: None,
            total: 0,
            pending: 0,
            imported: 0,
            duplicate: 0,
            failed: 0,
            held: 0,
            error: None,
            studies: Vec::new(),
        };
        assert!(shows_file_names(&job, &user("chen", Role::Expert)));
        assert!(!shows_file_names(&job, &user("wang", Role::Expert)));
        assert!(shows_file_names(&job, &user("root", Role::Admin)));
        let by_scanner = ImportJob {
            created_by: None,
            ..job
        };
        assert!(!shows_file_names(&by_scanner, &user("wang", Role::Expert)));
    }
}
