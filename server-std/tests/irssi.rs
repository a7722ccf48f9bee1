//! A real IRC client, irssi, in tmux, chatting with a natter client in one
//! room: what a person would type, and what the natter side receives.
//! `scripts/test.sh` installs irssi and tmux (Debian packages).

mod common;

use std::path::PathBuf;
use std::process::Command;
use std::thread;
use std::time::{Duration, Instant};

use common::{TestServer, member, options, say, wait_for};
use natter_core::wire::{FLAG_ACTION, Frame};
use natter_server::Options;

/// A tmux session running one program; killed on drop.
struct Tmux {
    name: String,
}

impl Tmux {
    fn start(name: &str, command: &str) -> Tmux {
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

    fn screen(&self) -> String {
        let out = Command::new("tmux")
            .args(["capture-pane", "-p", "-t", &self.name])
            .output()
            .expect("tmux capture-pane");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Wait until the screen shows `text`.
    fn shows(&self, text: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let screen = self.screen();
            if screen.contains(text) {
                return screen;
            }
            assert!(
                Instant::now() < deadline,
                "irssi never showed {text:?}:\n{screen}"
            );
            thread::sleep(Duration::from_millis(100));
        }
    }

    /// Type a line and press Enter.
    fn type_line(&self, line: &str) {
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
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["kill-session", "-t", &self.name])
            .status();
    }
}

#[test]
fn irssi_and_a_natter_client_chat() {
    let server = TestServer::start(Options {
        server_name: "natter.test".into(),
        ..options()
    });
    let home: PathBuf = std::env::temp_dir().join(format!("natter-irssi-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&home);
    std::fs::create_dir_all(&home).unwrap();
    let irssi = Tmux::start(
        &format!("natter-irssi-{}", std::process::id()),
        &format!(
            "irssi --home={} -n ann -c 127.0.0.1 -p {}",
            home.display(),
            server.addr.port()
        ),
    );
    irssi.shows("Welcome to natter, ann");
    irssi.type_line("/join #lobby");
    irssi.shows("has joined #lobby");

    let mut bob = member(server.addr, "bob");
    irssi.shows("bob");
    say(&mut bob, 1, "hello irssi, from natter");
    irssi.shows("hello irssi, from natter");

    irssi.type_line("hi bob, this is irssi");
    let text = wait_for(
        &mut bob,
        |f| match f {
            Frame::Message {
                from: "ann", text, ..
            } => Some(text.to_string()),
            _ => None,
        },
        |_| {},
    );
    assert_eq!(text, "hi bob, this is irssi");

    irssi.type_line("/me waves");
    wait_for(
        &mut bob,
        |f| {
            matches!(
                f,
                Frame::Message {
                    from: "ann",
                    flags: FLAG_ACTION,
                    text: "waves",
                    ..
                }
            )
            .then_some(())
        },
        |_| {},
    );
    bob.send(&Frame::Say {
        tag: 2,
        room: "lobby",
        flags: FLAG_ACTION,
        text: "nods",
    })
    .unwrap();
    irssi.shows("bob nods");

    irssi.type_line("/topic fractions today");
    wait_for(
        &mut bob,
        |f| {
            matches!(
                f,
                Frame::TopicChanged {
                    topic: "fractions today",
                    ..
                }
            )
            .then_some(())
        },
        |_| {},
    );

    irssi.type_line("/nick anne");
    wait_for(
        &mut bob,
        |f| {
            matches!(
                f,
                Frame::NickChanged {
                    old: "ann",
                    new: "anne",
                    ..
                }
            )
            .then_some(())
        },
        |_| {},
    );
    let chat = irssi.shows("You're now known as anne");

    irssi.type_line("/part #lobby");
    wait_for(
        &mut bob,
        |f| matches!(f, Frame::Parted { nick: "anne", .. }).then_some(()),
        |_| {},
    );
    irssi.type_line("/quit");
    eprintln!("irssi's #lobby window:\n{chat}");
    let _ = std::fs::remove_dir_all(&home);
}
