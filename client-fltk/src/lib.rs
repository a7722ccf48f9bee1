//! natter-client: the desktop client of natter.
//!
//! # Layout
//! * [`session`]: the network side. `session::state` is a sans-IO state
//!   machine (joins, resume, own lines, back-off; frames in, updates and
//!   frames out, time as a value), `session::link` the threads and sockets
//!   that pump it, `session::words` what a person reads. No widgets.
//! * [`ui`]: the FLTK window: connect page, chat page (a room list, one
//!   conversation per room), emoji grid, themes. No bytes, no sockets.
//! * Plain logic the window uses, tested without a display:
//!   [`views`] (a view per room and private conversation: where each line
//!   lands, unread counts, which is on show), [`commands`] (what a typed
//!   line means), [`settings`] (what is remembered), [`host`] (hosting a
//!   room in this process), [`names`] (which name rule is broken),
//!   [`nickcolor`] and [`transcript`].

pub mod commands;
pub mod host;
pub mod names;
pub mod nickcolor;
pub mod roles;
pub mod session;
pub mod settings;
pub mod transcript;
pub mod ui;
pub mod views;
