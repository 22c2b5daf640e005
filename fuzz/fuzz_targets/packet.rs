//! cargo-fuzz target `packet`: see checks/mod.rs (shared with the stable
//! replay test tcpopt-parse/tests/robust_replay.rs) and FUZZING.md.
#![no_main]

#[path = "../checks/mod.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::packet(data));
