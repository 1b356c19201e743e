#![no_main]
//! Fuzz target `dimse_command`: see `sonohub_fuzz::dimse_command`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| sonohub_fuzz::dimse_command(data));
