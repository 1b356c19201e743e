#![no_main]
//! Fuzz target `qido_query`: see `sonohub_fuzz::qido_query` (needs `--features server`).
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    sonohub_fuzz::qido_query(data, server::fuzzing::parse_qido_query)
});
