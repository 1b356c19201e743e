#![no_main]
//! Fuzz target `jpeg_mask`: see `sonohub_fuzz::jpeg_mask`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| sonohub_fuzz::jpeg_mask(data));
