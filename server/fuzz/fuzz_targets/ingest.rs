#![no_main]
//! Fuzz target `ingest`: see `sonohub_fuzz::ingest`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| sonohub_fuzz::ingest(data));
