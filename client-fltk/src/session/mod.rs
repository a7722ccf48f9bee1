//! The network side of the client, in three parts, the way quinn splits
//! quinn-proto from quinn and halloy its stream from its client:
//!
//! * [`state`]: the session as a sans-IO state machine ([`SessionState`]):
//!   rooms, resuming, own lines, lines not yet confirmed, reconnection
//!   back-off. Frames in (borrowed [`natter_core::wire::Frame`]s), updates
//!   and encoded frames out, time as a value. No sockets, no threads, no
//!   FLTK, so another window (or a browser) can drive the same state.
//! * `link`: the driver: a session thread and a reader thread per
//!   connection that pump the state ([`Session`]).
//! * [`words`]: what a person reads about it.
//!
//! The UI talks to it only through [`Command`]s and [`Update`]s (in
//! `types`); it never touches a byte, and the session never a widget.

mod link;
pub mod state;
mod types;
pub mod words;

pub use link::Session;
pub use state::SessionState;
pub use types::*;

#[cfg(test)]
mod tests;
