#![no_main]
//! Fuzz target `upload_zip`: see `sonohub_fuzz::upload_zip`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| sonohub_fuzz::upload_zip(data));
