//! natter-server: the std server of natter, a classroom group chat.
//!
//! # Layout
//! * `main.rs`: the command line (clap) and logging set-up, nothing else.
//! * [`listener`]: the listening socket, made with `socket2` (dual-stack
//!   IPv6, `SO_REUSEADDR`, a class-sized backlog) and the options set on
//!   every accepted socket.
//! * [`event_loop`]: one `mio` loop that owns the [`natter_core::room::Hub`],
//!   moves bytes between sockets and hub, runs its timers and says goodbye
//!   on SIGINT/SIGTERM.
//! * [`irc`]: IRC clients on the same port: the buffers around the core's
//!   IRC bridge (`natter_core::irc::bridge`).
//! * [`web`]: browsers on the same port: the page built into the binary,
//!   HTTP requests and WebSockets carrying natter frames or IRC lines.
//! * [`client`]: a small blocking client over `embedded-io` streams, used by
//!   the tests, `natter-bench` and anyone scripting the protocol.
//!
//! All chat logic (rooms, history, flood limits...) is in `natter-core`; this
//! crate only does I/O.

pub mod client;
pub mod event_loop;
pub mod irc;
pub mod listener;
pub mod storage;
pub mod web;

pub use event_loop::{Options, Server, ShutdownHandle, Timeouts};
