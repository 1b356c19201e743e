#![no_main]
//! Fuzz target `qido_query`: see `sonohub_fuzz::qido_query`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| sonohub_fuzz::qido_query(data));
