//! A second real IRC client, WeeChat, in tmux, chatting with a natter
//! client in one room: what a person would type, and what the natter side
//! receives. WeeChat negotiates capabilities (`CAP LS 302`) and reads
//! ISUPPORT more strictly than irssi. `scripts/test.sh` installs WeeChat
//! and tmux (Debian packages).

mod common;
#[path = "common/tmux.rs"]
mod tmux;

use std::path::PathBuf;

use common::{TestServer, frame_arrives, member, options, say, wait_for};
use natter_core::wire::{FLAG_ACTION, Frame};
use natter_server::Options;
use tmux::Tmux;

#[test]
fn weechat_and_a_natter_client_chat() {
    tmux::require("tmux");
    tmux::require("weechat");
    let server = TestServer::start(Options {
        server_name: "natter.test".into(),
        ..options()
    });
    let home: PathBuf = std::env::temp_dir().join(format!("natter-weechat-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&home);
    std::fs::create_dir_all(&home).unwrap();
    // What a person would type once: add the server, pick a nickname.
    let setup = format!(
        "/server add natter 127.0.0.1/{} -notls; /set irc.server.natter.nicks carl; /connect natter",
        server.addr.port()
    );
    let weechat = Tmux::start(
        &format!("natter-weechat-{}", std::process::id()),
        &format!("weechat --dir {} -r '{setup}'", home.display()),
    );
    weechat.shows("Welcome to natter, carl");
    weechat.type_line("/join #lobby");
    weechat.shows("carl (carl@natter) has joined #lobby");

    let mut bob = member(server.addr, "bob");
    weechat.shows("bob (bob@natter) has joined #lobby");
    say(&mut bob, 1, "hello weechat, from natter");
    weechat.shows("hello weechat, from natter");

    weechat.type_line("hi bob, this is weechat");
    let text = wait_for(
        &mut bob,
        |f| match f {
            Frame::Message {
                from: "carl", text, ..
            } => Some(text.to_string()),
            _ => None,
        },
        |_| {},
    );
    assert_eq!(text, "hi bob, this is weechat");

    weechat.type_line("/me waves");
    frame_arrives!(
        bob,
        Frame::Message {
            from: "carl",
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
    weechat.shows("bob nods");

    weechat.type_line("/topic fractions today");
    frame_arrives!(
        bob,
        Frame::TopicChanged {
            by: "carl",
            topic: "fractions today",
            ..
        }
    );
    weechat.type_line("/nick carla");
    frame_arrives!(
        bob,
        Frame::NickChanged {
            old: "carl",
            new: "carla",
            ..
        }
    );
    let chat = weechat.shows("You are now known as carla");

    weechat.type_line("/part");
    frame_arrives!(bob, Frame::Parted { nick: "carla", .. });
    weechat.type_line("/quit");
    eprintln!("WeeChat's #lobby buffer:\n{chat}");
    let _ = std::fs::remove_dir_all(&home);
}
