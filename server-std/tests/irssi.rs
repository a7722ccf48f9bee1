//! A real IRC client, irssi, in tmux, chatting with a natter client and
//! another IRC user in one room: what a person would type, what the screen
//! shows and what the natter side receives. `scripts/test.sh` installs
//! irssi and tmux (Debian packages).

// Unix only: irssi, WeeChat and tmux are Unix programs (on Windows the
// IRC side is tested from Linux against natter-server.exe under Wine).
#![cfg(unix)]

mod common;
#[path = "common/raw_irc.rs"]
mod raw_irc;
#[path = "common/tmux.rs"]
mod tmux;

use std::path::PathBuf;

use common::{
    TestServer, frame_arrives, member, next_refusal, options, say, wait_closed, wait_for,
};
use natter_core::wire::{FLAG_ACTION, Frame};
use natter_server::Options;
use raw_irc::RawIrc;
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
    irssi.shows("You're now known as anne");

    // Another IRC user.
    let dave = RawIrc::join_lobby(server.addr, "dave");
    irssi.shows("dave [dave@natter] has joined #lobby");
    // /names lists the natter and IRC members (irssi shows its own list of
    // a channel it is in, kept from the server's NAMES on joining and the
    // joins, quits and nickname changes since) ...
    irssi.type_line("/names");
    irssi.line_with(&["[ anne]", "[ bob]", "[ dave]"]);
    irssi.shows("Total of 3 nicks");
    // ... and the server's own answer to NAMES, as irssi shows it.
    irssi.type_line("/quote NAMES #lobby");
    irssi.line_with(&["-!- ", "anne", "bob", "dave"]);

    // An IRC user quits: a quit, with its reason.
    dave.quit("off to lunch");
    irssi.shows("dave [dave@natter] has quit [off to lunch]");

    irssi.type_line("/part #lobby");
    frame_arrives!(bob, Frame::Parted { nick: "anne", .. });
    // Back in, and bob (natter) quits: one quit, not a part.
    irssi.type_line("/join #lobby");
    irssi.line_with(&["anne [anne@natter] has joined #lobby"]);
    bob.send(&Frame::Quit {
        reason: "see you tomorrow",
    })
    .unwrap();
    wait_closed(&mut bob);
    let chat = irssi.shows("bob [bob@natter] has quit [see you tomorrow]");
    assert!(
        !chat.contains("bob [bob@natter] has left")
            && !chat.contains("dave [dave@natter] has left"),
        "{chat}"
    );
    irssi.type_line("/quit");
    irssi.exits();
    eprintln!("irssi's #lobby window:\n{chat}");
    let _ = std::fs::remove_dir_all(&home);
}

/// irssi as the teacher: `/oper`, `/mode +m`, giving a natter student the
/// word, `/names` with `@` and `+`, a mute and `/kick`, as irssi shows them
/// and as the student's natter client gets them.
#[test]
fn irssi_as_the_teacher_runs_a_lesson() {
    use natter_core::error::ErrorCode;
    let server = TestServer::start(Options {
        server_name: "natter.test".into(),
        teacher_password: Some("chalk".into()),
        ..options()
    });
    tmux::require("tmux");
    tmux::require("irssi");
    let home: PathBuf =
        std::env::temp_dir().join(format!("natter-irssi-teacher-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&home);
    std::fs::create_dir_all(&home).unwrap();
    let irssi = Tmux::start(
        &format!("natter-irssi-teacher-{}", std::process::id()),
        &format!(
            "irssi --home={} -n mslee -c 127.0.0.1 -p {}",
            home.display(),
            server.addr.port()
        ),
    );
    irssi.shows("Welcome to natter, mslee");
    irssi.type_line("/join #lobby");
    irssi.shows("has joined #lobby");
    let mut bob = member(server.addr, "bob");
    irssi.shows("bob [bob@natter] has joined");

    // irssi shows the server's answers to /oper in its status window.
    irssi.type_line("/oper mslee wrong");
    irssi.type_line("/window 1");
    irssi.shows("Password incorrect");
    irssi.type_line("/oper mslee chalk");
    irssi.shows("You are now the teacher");
    irssi.type_line("/window 2");
    frame_arrives!(
        bob,
        Frame::ModeChanged {
            mode: b'T',
            arg: "mslee",
            ..
        }
    );

    irssi.type_line("/mode #lobby +m");
    irssi.line_with(&["mode/#lobby", "+m", "by mslee"]);
    frame_arrives!(bob, Frame::ModeChanged { mode: b'm', .. });
    say(&mut bob, 1, "can I say something?");
    let refused = next_refusal(&mut bob);
    assert_eq!(refused, ErrorCode::Moderated);

    irssi.type_line("/mode #lobby +v bob");
    irssi.line_with(&["mode/#lobby", "+v bob", "by mslee"]);
    frame_arrives!(
        bob,
        Frame::ModeChanged {
            mode: b'v',
            arg: "bob",
            ..
        }
    );
    say(&mut bob, 2, "the answer is 42");
    irssi.shows("the answer is 42");
    irssi.type_line("/names");
    irssi.line_with(&["[@mslee]", "[+bob"]);

    irssi.type_line("/mode #lobby +b m:bob");
    irssi.line_with(&["mode/#lobby", "+b m:bob!*@*", "by mslee"]);
    say(&mut bob, 3, "spam spam");
    let refused = next_refusal(&mut bob);
    assert_eq!(refused, ErrorCode::Muted);

    irssi.type_line("/kick bob take a break");
    frame_arrives!(
        bob,
        Frame::Kicked {
            by: "mslee",
            nick: "bob",
            reason: "take a break",
            ..
        }
    );
    let chat = irssi.line_with(&["bob was kicked from #lobby by mslee", "take a break"]);
    assert!(
        !chat.contains("spam spam"),
        "a muted line reached irssi: {chat}"
    );
    irssi.type_line("/quit");
    irssi.exits();
    eprintln!("irssi's #lobby window:\n{chat}");
    let _ = std::fs::remove_dir_all(&home);
}
