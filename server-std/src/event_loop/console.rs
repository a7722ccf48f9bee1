//! Ctrl+C and closing the console window on Windows: the same goodbye to
//! everyone as SIGINT and SIGTERM give on Unix.
//!
//! Windows calls the handler on a thread of its own. For Ctrl+C and
//! Ctrl+Break it only has to wake the loop. For the console window's close
//! button, logging off and shutting down, Windows ends the process as soon
//! as the handler returns (and in any case after 5 s), so the handler waits
//! until the loop has said goodbye, for at most `CLOSE_WAIT`.

use std::sync::{Condvar, Mutex, OnceLock};
use std::time::Duration;

use windows_sys::Win32::Foundation::TRUE;
use windows_sys::Win32::System::Console::{
    CTRL_CLOSE_EVENT, CTRL_LOGOFF_EVENT, CTRL_SHUTDOWN_EVENT, SetConsoleCtrlHandler,
};
use windows_sys::core::BOOL;

use super::ShutdownHandle;

/// How long a closing console waits for the goodbyes: the loop's grace
/// (3 s) and a little, within the 5 s Windows allows.
const CLOSE_WAIT: Duration = Duration::from_millis(4500);

static HANDLE: OnceLock<ShutdownHandle> = OnceLock::new();
static DONE: (Mutex<bool>, Condvar) = (Mutex::new(false), Condvar::new());

unsafe extern "system" fn on_ctrl(kind: u32) -> BOOL {
    if let Some(handle) = HANDLE.get() {
        handle.shutdown();
    }
    if matches!(
        kind,
        CTRL_CLOSE_EVENT | CTRL_LOGOFF_EVENT | CTRL_SHUTDOWN_EVENT
    ) {
        let (done, said) = &DONE;
        if let Ok(guard) = done.lock() {
            let _ = said.wait_timeout_while(guard, CLOSE_WAIT, |done| !*done);
        }
    }
    TRUE
}

/// Shut the server down through `handle` on Ctrl+C, Ctrl+Break or a
/// closing console (once per process: a second server keeps the first's).
pub(super) fn install(handle: ShutdownHandle) {
    if HANDLE.set(handle).is_ok() {
        // SAFETY: `on_ctrl` is a plain `extern "system"` function that
        // lives as long as the process, as the API requires.
        unsafe {
            SetConsoleCtrlHandler(Some(on_ctrl), TRUE);
        }
    }
}

/// The loop has said goodbye: a closing console may let the process end.
pub(super) fn finished() {
    let (done, said) = &DONE;
    if let Ok(mut d) = done.lock() {
        *d = true;
    }
    said.notify_all();
}
