//! natter-core: the protocol and the rooms of natter, a classroom group chat.
//!
//! `#![no_std]`, no allocation, no unsafe code, no I/O of its own: the same
//! code runs in the desktop server and on a microcontroller.
//!
//! # Layout
//! * [`wire`]: the framed binary protocol. [`wire::Frame`] is every message
//!   of the protocol; [`wire::decode`] is an incremental, borrowing,
//!   never-panicking decoder; [`wire::Frame::encode`] writes into a caller's
//!   buffer. Nickname and room-name rules live here too.
//! * [`room`]: [`room::Hub`], a fixed-capacity, sans-IO state machine of
//!   connections and rooms (history, resume, flood limits, timeouts, slow
//!   readers). Its driver passes the time in and polls out what to send.
//! * [`irc`]: IRC's line protocol, sans-IO: lines out of a byte stream
//!   ([`irc::reader`]), named numerics, a table of commands,
//!   messages parsed in place and written into fixed buffers, long texts
//!   split for IRC's line limit.
//! * [`io`]: blocking helpers to read and write one frame over any
//!   `embedded_io` stream, for clients, tests and firmware.
//! * [`error`]: the small typed errors, and the error codes of the wire.
//! * [`time`]: [`time::Instant`] and [`time::Duration`] as plain numbers.
//!
//! The protocol is specified in `docs/PROTOCOL.md`.
#![no_std]
#![forbid(unsafe_code)]
#![warn(missing_docs)]
// A host build does not prove no_std: these catch `std::` paths that only
// compile because tests link std (the thumbv* builds in CI prove the rest).
#![cfg_attr(
    not(test),
    warn(
        clippy::std_instead_of_core,
        clippy::std_instead_of_alloc,
        clippy::alloc_instead_of_core
    )
)]

// `derive(arbitrary::Arbitrary)` expands to `::std::thread_local!`, so the
// fuzzing feature (host only, never on firmware) links std; without it the
// crate stays `no_std`.
#[cfg(feature = "arbitrary")]
extern crate std;

pub mod error;
pub mod io;
pub mod irc;
pub mod room;
pub mod time;
pub mod wire;
