//! Measurement hooks for the client benchmark (`examples/ui_bench.rs`),
//! off unless `NATTER_PROBE` names a file. When on, the window appends to
//! it one line per moment worth timing, in microseconds since the Unix
//! epoch, so a driver in another process can compare them with its own
//! clock:
//!
//! * `ready <us>`: the window is on screen and drawn, its keyboard focus
//!   set: a person can type;
//! * `echo <us>`: a key pressed in the input line has been handled and the
//!   window redrawn with it.

use std::cell::Cell;
use std::fs::OpenOptions;
use std::io::Write;
use std::path::PathBuf;
use std::time::{SystemTime, UNIX_EPOCH};

thread_local! {
    static KEY_PENDING: Cell<bool> = const { Cell::new(false) };
    static READY_SENT: Cell<bool> = const { Cell::new(false) };
}

fn file() -> Option<PathBuf> {
    std::env::var_os("NATTER_PROBE").map(PathBuf::from)
}

fn note(what: &str) {
    let Some(path) = file() else {
        return;
    };
    let us = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_micros());
    if let Ok(mut f) = OpenOptions::new().create(true).append(true).open(path) {
        let _ = writeln!(f, "{what} {us}");
    }
}

/// Whether the probe is on (checked once per call site that needs it).
pub fn enabled() -> bool {
    file().is_some()
}

/// A key went to the input line; noted once the window has redrawn.
pub fn key_pressed() {
    KEY_PENDING.with(|k| k.set(true));
}

/// After a turn of the event loop: draw now what is pending, and note the
/// moments that drawing completes.
pub fn after_turn() {
    let first = READY_SENT.with(|r| !r.replace(true));
    let key = KEY_PENDING.with(|k| k.replace(false));
    if first || key {
        fltk::app::flush();
    }
    if first {
        note("ready");
    }
    if key {
        note("echo");
    }
}
