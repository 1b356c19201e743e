//! `sonohub anonymize IN... --out DIR`: batch de-identification of files and folders with the
//! same code the importer uses. One JSON line per input file on stdout; refused files are
//! reported with the reason and nothing is written for them.
use anyhow::{Context, Result, bail};
use clap::Args;
use domain::dicom::{AnonymizeConfig, DeviceMask, anonymize};
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

/// Options of `sonohub anonymize`.
#[derive(Debug, Args)]
pub struct AnonymizeArgs {
    /// Files and folders (searched recursively) to de-identify.
    #[arg(required = true)]
    pub inputs: Vec<PathBuf>,
    /// Where the de-identified files go, as <patient key>/<study UID>/<SOP instance UID>.dcm.
    #[arg(long)]
    pub out: PathBuf,
    /// File holding the pseudonymisation secret (else SONOHUB_SECRET).
    #[arg(long)]
    pub secret_file: Option<PathBuf>,
    /// JSON file of per-device rectangles to black out ([{manufacturer, model, columns, rows,
    /// rects: [{x0, y0, x1, y1}]}]).
    #[arg(long)]
    pub device_masks: Option<PathBuf>,
    /// Leave the pixels as they are (headers only): burned-in text stays, and the output does
    /// not claim Clean Pixel Data or set Burned In Annotation to NO.
    #[arg(long)]
    pub no_pixel_cleaning: bool,
}

fn secret(args: &AnonymizeArgs) -> Result<Vec<u8>> {
    let secret = match &args.secret_file {
        Some(path) => std::fs::read(path)
            .with_context(|| format!("reading the secret from {}", path.display()))?,
        None => std::env::var("SONOHUB_SECRET")
            .map(String::into_bytes)
            .unwrap_or_default(),
    };
    let secret: Vec<u8> = secret.trim_ascii().to_vec();
    if secret.len() < 16 {
        bail!("a secret of at least 16 bytes is needed: --secret-file FILE or SONOHUB_SECRET");
    }
    Ok(secret)
}

fn collect(path: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    if path.is_dir() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(path)
            .with_context(|| format!("listing {}", path.display()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        entries.sort();
        for entry in entries {
            collect(&entry, out)?;
        }
    } else {
        out.push(path.to_path_buf());
    }
    Ok(())
}

/// Writes `bytes` to `path` atomically: a temporary file in the same folder, then a rename.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path.parent().context("output path has a folder")?;
    std::fs::create_dir_all(dir)?;
    let tmp = dir.join(format!(
        ".{}.tmp",
        path.file_name().and_then(|n| n.to_str()).unwrap_or("out")
    ));
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path)?;
    Ok(())
}

/// How much of a file is read to find its header, tried in turn; longer headers take the
/// full path.
const HEAD_BYTES: [u64; 3] = [64 << 10, 1 << 20, 16 << 20];

/// Headers only, when Pixel Data is the file's last element: the header is de-identified and
/// the pixel data is copied from the input by the kernel, never read into memory. `Ok(None)`
/// when the file is laid out otherwise (the caller takes the full path); the inner `Err` is a
/// refusal to report.
fn headers_only(
    path: &Path,
    cfg: &AnonymizeConfig,
    out: &Path,
    head: &mut Vec<u8>,
    written: &mut Written,
) -> Result<Option<std::result::Result<serde_json::Value, String>>> {
    use domain::dicom::layout::{pixel_data_len, pixel_data_offset};
    use std::io::{Seek, SeekFrom, Write};
    use std::os::unix::fs::FileExt;
    let mut input = File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let size = input.metadata()?.len();
    let mut found = None;
    for limit in HEAD_BYTES {
        head.clear();
        input.seek(SeekFrom::Start(0))?;
        (&mut input).take(limit).read_to_end(head)?;
        let header = pixel_data_offset(head).and_then(|offset| {
            let h = <[u8; 12]>::try_from(head.get(offset..offset + 12)?).ok()?;
            Some((offset, h))
        });
        if header.is_some() || (head.len() as u64) < limit {
            found = header;
            break;
        }
    }
    let Some((offset, header)) = found else {
        return Ok(None);
    };
    let len = pixel_data_len(&header, |at| {
        let mut item = [0u8; 8];
        input.read_exact_at(&mut item, offset as u64 + at).ok()?;
        Some(item)
    });
    // Anything after Pixel Data (a signature, private tags) needs the full path and its check.
    if len != Some(size - offset as u64) {
        return Ok(None);
    }
    let (bytes, ids) = match domain::dicom::anonymize::anonymize_header(head, offset, cfg) {
        Ok(done) => done,
        Err(e) => return Ok(Some(Err(e.to_string()))),
    };
    let target = match output_path(out, &ids.patient_key, &ids.study_uid, &ids.sop_uid)
        .and_then(|t| written.claim(&t, path).map(|()| t))
    {
        Ok(t) => t,
        Err(reason) => return Ok(Some(Err(reason))),
    };
    let dir = target.parent().context("output path has a folder")?;
    std::fs::create_dir_all(dir)?;
    let tmp = dir.join(format!(".{}.tmp", ids.sop_uid));
    let written = (|| -> Result<()> {
        let mut file = File::create(&tmp)?;
        file.write_all(&bytes)?;
        input.seek(SeekFrom::Start(offset as u64))?;
        std::io::copy(&mut input, &mut file)?;
        file.flush()?;
        Ok(())
    })();
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    std::fs::rename(&tmp, &target)?;
    Ok(Some(Ok(serde_json::json!({
        "input": path, "output": target, "patient_key": ids.patient_key,
        "date_shift_days": ids.shift, "masked_pixels": 0, "reencode_psnr_db": null,
    }))))
}

/// Where a de-identified file goes: `OUT/<patient key>/<study UID>/<SOP UID>.dcm`. Every part
/// must be a UID (or the key) as the standard spells them, so a crafted UID such as
/// `1.2.840.10008.1/../../x` (kept verbatim, being a standard one) cannot leave `OUT`, and a
/// missing one cannot make two files share a name.
fn output_path(
    out: &Path,
    patient_key: &str,
    study_uid: &str,
    sop_uid: &str,
) -> std::result::Result<PathBuf, String> {
    let uid = |what: &str, v: &str| {
        let ok = !v.is_empty()
            && v.len() <= 64
            && v.bytes().all(|b| b.is_ascii_digit() || b == b'.')
            && !v.starts_with('.')
            && !v.ends_with('.')
            && !v.contains("..");
        if ok {
            Ok(())
        } else {
            Err(format!("its {what} {v:?} is not a DICOM UID"))
        }
    };
    uid("Study Instance UID", study_uid)?;
    uid("SOP Instance UID", sop_uid)?;
    if patient_key.is_empty() || !patient_key.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(format!(
            "its patient key {patient_key:?} is not one SonoHub makes"
        ));
    }
    Ok(out
        .join(patient_key)
        .join(study_uid)
        .join(format!("{sop_uid}.dcm")))
}

/// The outputs of one run, so two inputs that come out as the same instance (one image in two
/// encodings, a copied file) are caught instead of one silently replacing the other.
#[derive(Default)]
struct Written(std::collections::HashMap<PathBuf, PathBuf>);

impl Written {
    /// Claims `target` for `input`; the refusal names the input that has it.
    fn claim(&mut self, target: &Path, input: &Path) -> std::result::Result<(), String> {
        match self.0.get(target) {
            Some(first) => Err(format!(
                "it is the same instance (SOP Instance UID) as {}",
                first.display()
            )),
            None => {
                self.0.insert(target.to_path_buf(), input.to_path_buf());
                Ok(())
            }
        }
    }
}

/// Runs `sonohub anonymize`; fails when any input was refused.
pub fn run(args: AnonymizeArgs) -> Result<()> {
    let device_masks: Vec<DeviceMask> = match &args.device_masks {
        Some(path) => serde_json::from_slice(&std::fs::read(path)?)
            .with_context(|| format!("reading device masks from {}", path.display()))?,
        None => Vec::new(),
    };
    let cfg = AnonymizeConfig {
        secret: secret(&args)?,
        device_masks,
        extra_masks: Vec::new(),
        image_area: None,
        clean_pixels: !args.no_pixel_cleaning,
        ..AnonymizeConfig::default()
    };
    let mut files = Vec::new();
    for input in &args.inputs {
        collect(input, &mut files)?;
    }
    let mut refused = 0usize;
    let mut written = Written::default();
    // One read buffer for the whole batch: a fresh one per file costs a page fault per 4 KB.
    let mut input = Vec::new();
    for file in &files {
        if !cfg.clean_pixels {
            match headers_only(file, &cfg, &args.out, &mut input, &mut written)? {
                Some(Ok(line)) => {
                    println!("{line}");
                    continue;
                }
                Some(Err(reason)) => {
                    refused += 1;
                    println!(
                        "{}",
                        serde_json::json!({ "input": file, "refused": reason })
                    );
                    continue;
                }
                None => {}
            }
        }
        input.clear();
        let result = File::open(file)
            .and_then(|mut f| f.read_to_end(&mut input))
            .map_err(|e| e.to_string())
            .and_then(|_| anonymize(&input, &cfg).map_err(|e| e.to_string()))
            .and_then(|done| {
                let target =
                    output_path(&args.out, &done.patient_key, &done.study_uid, &done.sop_uid)?;
                written.claim(&target, file)?;
                Ok((done, target))
            });
        let line = match result {
            Ok((done, target)) => {
                write_atomically(&target, &done.bytes)?;
                serde_json::json!({
                    "input": file, "output": target, "patient_key": done.patient_key,
                    "date_shift_days": done.date_shift_days, "masked_pixels": done.masked_pixels,
                    "reencode_psnr_db": done.reencode_psnr_db,
                })
            }
            Err(reason) => {
                refused += 1;
                serde_json::json!({ "input": file, "refused": reason })
            }
        };
        println!("{line}");
    }
    if refused > 0 {
        bail!(
            "{refused} of {} files refused; nothing was written for them",
            files.len()
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outputs_stay_in_their_folder_and_never_share_a_name() {
        let out = Path::new("/out");
        let ok = output_path(out, "SH12AB", "2.25.1", "2.25.2").unwrap();
        assert_eq!(ok, Path::new("/out/SH12AB/2.25.1/2.25.2.dcm"));
        for (study, sop) in [
            ("2.25.1", "1.2.840.10008.1/../../x"),
            ("2.25.1", ""),
            ("..", "2.25.2"),
            ("2.25.1", "2.25..2"),
            ("2.25.1", "/etc/passwd"),
            ("2.25.1", &"1".repeat(65)),
        ] {
            assert!(
                output_path(out, "SH12AB", study, sop).is_err(),
                "{study} {sop}"
            );
        }
        assert!(output_path(out, "../x", "2.25.1", "2.25.2").is_err());
        let mut written = Written::default();
        written.claim(&ok, Path::new("a.dcm")).unwrap();
        let again = written.claim(&ok, Path::new("b.dcm")).unwrap_err();
        assert!(again.contains("a.dcm"), "{again}");
    }
}
