//! The checks behind natter's fuzz targets, one module per target.
//!
//! Each module has a `check(data: &[u8])` that panics when natter-core
//! breaks a promise for that input; the target in `fuzz_targets/` is
//! nothing but a call to it. The same source is compiled into the main
//! workspace's `cargo test` by `core/tests/fuzz_replay.rs`
//! (`#[path = "../../fuzz/src/lib.rs"] mod fuzz;`), which runs every
//! committed seed (`fuzz/seeds/<target>/`) and every crash ever found
//! (`fuzz/regressions/<target>/`) through it. Sharing the file rather than
//! putting the checks in natter-core behind a feature keeps test-only code
//! that needs `std` collections out of a `no_std`, no-alloc crate, and
//! gives a seed file exactly one meaning in both places.
//!
//! * [`decode`]: any bytes, decoded frame after frame like a receiver does.
//! * [`roundtrip`]: arbitrary frames, encoded, decoded and encoded again.
//! * [`chunked`]: any bytes cut into any chunks, read incrementally, give
//!   what decoding the whole buffer gives.
//! * [`room`]: a small hub driven by a script of connections, requests,
//!   garbage, slow readers, partial writes and clock ticks, with its
//!   invariants checked after every step.
//! * [`irc_line`]: any bytes read as IRC lines, parsed, written back and
//!   parsed again.
//! * [`irc_room`]: one hub shared by natter clients and IRC clients behind
//!   bridges, driven by a script; every line within IRC's rules, and every
//!   message delivered across the two worlds with its exact text.
#![forbid(unsafe_code)]

pub mod chunked;
pub mod decode;
pub mod irc_line;
pub mod irc_room;
pub mod room;
pub mod roundtrip;
