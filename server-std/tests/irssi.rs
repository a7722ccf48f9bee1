//! A real IRC client, irssi, in tmux, chatting with a natter client in one
//! room: what a person would type, and what the natter side receives.
//! `scripts/test.sh` installs irssi and tmux (Debian packages).

mod common;
#[path = "common/tmux.rs"]
mod tmux;

use std::path::PathBuf;

use common::{TestServer, frame_arrives, member, options, say, wait_for};
use natter_core::wire::{FLAG_ACTION, Frame};
use natter_server::Options;
use tmux::Tmux;

#[test]
fn irssi_and_a_natter_client_chat() {
    let server = TestServer::start(Options {
        server_name: "natter.test".into(),
        ..options()
    });
    tmux::require("tmux");
    tmux::require("irssi");
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
    frame_arrives!(
        bob,
        Frame::Message {
            from: "ann",
            flags: FLAG_ACTION,
            text: "waves",
            ..
        }
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
    frame_arrives!(
        bob,
        Frame::TopicChanged {
            topic: "fractions today",
            ..
        }
    );

    irssi.type_line("/nick anne");
    frame_arrives!(
        bob,
        Frame::NickChanged {
            old: "ann",
            new: "anne",
            ..
        }
    );
    let chat = irssi.shows("You're now known as anne");

    irssi.type_line("/part #lobby");
    frame_arrives!(bob, Frame::Parted { nick: "anne", .. });
    irssi.type_line("/quit");
    eprintln!("irssi's #lobby window:\n{chat}");
    let _ = std::fs::remove_dir_all(&home);
}
