//! The fuzz targets' saved inputs (`server/fuzz/regressions/<target>/`), replayed through the
//! same harness on every `cargo test`, on stable: each crash the fuzzer found stays fixed, and
//! inputs that reach deep into a reader keep running. The harness is the fuzz crate's own
//! source, compiled here as a module, so the targets are written once.
#[path = "../fuzz/src/lib.rs"]
mod harness;

use std::path::{Path, PathBuf};

/// Every target by name.
fn targets() -> Vec<(&'static str, harness::Target)> {
    harness::TARGETS.to_vec()
}

fn regressions() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/regressions")
}

/// The files directly in `dir`, by name (none when it does not exist).
fn inputs(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .map(|entry| entry.expect("a regression folder entry").path())
        .filter(|path| path.is_file())
        .collect();
    files.sort();
    files
}

/// Runs every saved finding of every target, naming the
/// input when one panics; returns how many ran.
fn replay() -> usize {
    let mut ran = 0;
    for (target, run) in targets() {
        for input in inputs(&regressions().join(target)) {
            let bytes = std::fs::read(&input).expect("a regression input");
            let outcome = std::panic::catch_unwind(|| run(&bytes));
            assert!(outcome.is_ok(), "{target} panicked on {}", input.display());
            ran += 1;
        }
    }
    ran
}

#[test]
fn saved_fuzz_inputs_run_cleanly() {
    let ran = replay();
    assert!(ran >= 2, "only {ran} saved findings ran");
}

#[test]
fn every_targets_seeds_run_cleanly() {
    let seeds = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/seeds");
    for (target, run) in targets() {
        let files = inputs(&seeds.join(target));
        let saved = inputs(&regressions().join(target));
        assert!(
            !files.is_empty() || !saved.is_empty(),
            "server/fuzz has neither seeds nor regressions for {target}"
        );
        for input in files {
            let bytes = std::fs::read(&input).expect("a seed");
            let outcome = std::panic::catch_unwind(|| run(&bytes));
            assert!(outcome.is_ok(), "{target} panicked on {}", input.display());
        }
    }
}

#[test]
fn the_harness_reads_pdus_under_the_receivers_limits() {
    use server::fuzzing::{STORE_SCP_MAX_COMMAND_BYTES, STORE_SCP_MAX_PDU_LENGTH};
    assert_eq!(harness::STORE_SCP_MAX_PDU_LENGTH, STORE_SCP_MAX_PDU_LENGTH);
    assert_eq!(
        harness::STORE_SCP_MAX_COMMAND_BYTES,
        STORE_SCP_MAX_COMMAND_BYTES
    );
}

/// The files of a few kilobytes the fuzzer found declaring a 2 GB element (in a big endian
/// and in a deflated data set) are refused before anything is reserved, naming the element
/// whose length does not fit, rather than only surviving where memory allows it.
#[test]
fn files_declaring_more_than_they_hold_are_refused_unread() {
    let mut refused = 0;
    for target in ["ingest", "frames"] {
        for input in inputs(&regressions().join(target)) {
            let name = input.file_name().unwrap().to_string_lossy().to_string();
            if !name.starts_with("oom-") {
                continue;
            }
            let bytes = std::fs::read(&input).expect("a regression input");
            match cine::Clip::parse(&bytes) {
                Err(cine::CineError::Truncated { what }) => {
                    assert!(what.contains("claims"), "{name}: {what}")
                }
                other => panic!("{name}: {other:?}"),
            }
            refused += 1;
        }
    }
    assert!(refused >= 2, "only {refused} oversized-length inputs");
}
