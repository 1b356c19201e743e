#![no_main]
//! Fuzz target `store_pdu`: see `sonohub_fuzz::store_pdu`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| sonohub_fuzz::store_pdu(data));
