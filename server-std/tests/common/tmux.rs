//! A terminal program (an IRC client) in a tmux session: what a person
//! types, and what the screen shows. `scripts/test.sh` installs tmux.
#![allow(dead_code)] // each test file uses part of this

use std::process::Command;
use std::thread;
use std::time::{Duration, Instant};

/// A tmux session running one program; killed on drop.
pub struct Tmux {
    name: String,
}

impl Tmux {
    pub fn start(name: &str, command: &str) -> Tmux {
        let status = Command::new("tmux")
            .args([
                "new-session",
                "-d",
                "-s",
                name,
                "-x",
                "200",
                "-y",
                "50",
                command,
            ])
            .status()
            .expect("tmux is not installed: scripts/test.sh installs it");
        assert!(status.success(), "tmux new-session failed");
        Tmux { name: name.into() }
    }

    pub fn screen(&self) -> String {
        let out = Command::new("tmux")
            .args(["capture-pane", "-p", "-t", &self.name])
            .output()
            .expect("tmux capture-pane");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Wait until the screen shows `text`.
    pub fn shows(&self, text: &str) -> String {
        self.until(&format!("{text:?}"), |screen| screen.contains(text))
    }

    /// Wait until the screen is as `done` wants it (`what` says how, for
    /// the failure); returns that screen.
    pub fn until(&self, what: &str, done: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let screen = self.screen();
            if done(&screen) {
                return screen;
            }
            assert!(
                Instant::now() < deadline,
                "the terminal never showed {what}:\n{screen}"
            );
            thread::sleep(Duration::from_millis(100));
        }
    }

    /// Wait until the screen has a line containing every one of `parts`;
    /// returns the last such line.
    pub fn line_with(&self, parts: &[&str]) -> String {
        let found = |screen: &str| {
            screen
                .lines()
                .rfind(|line| parts.iter().all(|p| line.contains(p)))
                .map(str::to_owned)
        };
        let screen = self.until(&format!("a line with {parts:?}"), |s| found(s).is_some());
        found(&screen).unwrap()
    }

    /// Type a line and press Enter.
    pub fn type_line(&self, line: &str) {
        let ok = Command::new("tmux")
            .args(["send-keys", "-t", &self.name, "-l", line])
            .status()
            .is_ok_and(|s| s.success())
            && Command::new("tmux")
                .args(["send-keys", "-t", &self.name, "Enter"])
                .status()
                .is_ok_and(|s| s.success());
        assert!(ok, "tmux send-keys failed");
    }

    /// Wait until the program has exited (its tmux session is gone), e.g.
    /// after `/quit`, so that it has written whatever it writes on the way
    /// out before the test removes its files.
    pub fn exits(&self) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while Command::new("tmux")
            .args(["has-session", "-t", &self.name])
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
        {
            assert!(
                Instant::now() < deadline,
                "the program in tmux never exited:\n{}",
                self.screen()
            );
            thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["kill-session", "-t", &self.name])
            .status();
    }
}

/// Fail with what to do when `program` is not installed.
pub fn require(program: &str) {
    let found = Command::new("sh")
        .args(["-c", &format!("command -v {program}")])
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        found,
        "{program} is not installed: scripts/test.sh installs it (apt-get install {program})"
    );
}
