#![no_main]
//! Fuzz target `frames`: see `sonohub_fuzz::frames`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| sonohub_fuzz::frames(data));
