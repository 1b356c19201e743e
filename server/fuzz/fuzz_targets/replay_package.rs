#![no_main]
//! Fuzz target `replay_package`: see `sonohub_fuzz::replay_package`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| sonohub_fuzz::replay_package(data));
