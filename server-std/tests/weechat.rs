//! A second real IRC client, WeeChat, in tmux, chatting with a natter
//! client and another IRC user in one room: what a person would type, what
//! the screen shows and what the natter side receives. WeeChat negotiates
//! capabilities (`CAP LS 302`) and reads ISUPPORT more strictly than irssi;
//! it takes `server-time`, so history replayed on joining shows with the
//! time it was said. `scripts/test.sh` installs WeeChat and tmux (Debian
//! packages).

// Unix only: irssi, WeeChat and tmux are Unix programs (on Windows the
// IRC side is tested from Linux against natter-server.exe under Wine).
#![cfg(unix)]

mod common;
#[path = "common/raw_irc.rs"]
mod raw_irc;
#[path = "common/tmux.rs"]
mod tmux;

use std::path::PathBuf;
use std::thread;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use common::{TestServer, frame_arrives, member, options, say, wait_closed, wait_for};
use natter_core::wire::{FLAG_ACTION, Frame};
use natter_server::Options;
use raw_irc::RawIrc;
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
    // What a person would type once: add the server, pick a nickname; and
    // seconds in the time of each line, to tell replayed history's time
    // from the time it is shown. WeeChat runs in UTC, as `clock` reads a
    // server time; capabilities are WeeChat's default ("*": all it
    // supports that the server offers).
    let setup = format!(
        "/set weechat.look.buffer_time_format \"%H:%M:%S\"; \
         /server add natter 127.0.0.1/{} -notls; /set irc.server.natter.nicks carl; /connect natter",
        server.addr.port()
    );
    let weechat = Tmux::start(
        &format!("natter-weechat-{}", std::process::id()),
        &format!("env TZ=UTC weechat --dir {} -r '{setup}'", home.display()),
    );
    weechat.shows("Welcome to natter, carl");
    // WeeChat 3.8 supports server-time but not batch (nor echo-message),
    // so it does not ask for them; a WeeChat that does gets the history
    // in a chathistory batch, which must read the same.
    let caps = weechat.line_with(&["client capability, enabled:"]);
    assert!(caps.contains("server-time"), "{caps}");

    // bob says something in #lobby before carl comes: history.
    let mut bob = member(server.addr, "bob");
    say(&mut bob, 1, "said before you came");
    let said = wait_for(
        &mut bob,
        |f| match f {
            Frame::Ack { tag: 1, time, .. } => Some(*time),
            _ => None,
        },
        |_| {},
    );
    // Join at least two seconds later, so that the time WeeChat shows for
    // the replayed line is its own and not the time it arrived.
    while now_ms() / 1000 < said / 1000 + 2 {
        thread::sleep(Duration::from_millis(50));
    }
    weechat.type_line("/join #lobby");
    let joined = weechat.line_with(&["carl (carl@natter) has joined #lobby"]);
    let replayed = weechat.line_with(&["said before you came"]);
    // An ordinary line from bob, at the second bob said it, not the server's
    // "[hh:mm] <bob> ..." notice.
    assert_eq!(clock_in(&replayed), Some(clock(said)), "{replayed}");
    assert_ne!(
        clock_in(&replayed),
        clock_in(&joined),
        "{replayed}\n{joined}"
    );
    assert!(
        replayed.contains(" bob | said before you came"),
        "{replayed}"
    );
    assert!(
        !replayed.contains("Notice") && !replayed.contains("<bob>"),
        "{replayed}"
    );

    // Another IRC user.
    let dave = RawIrc::join_lobby(server.addr, "dave");
    weechat.shows("dave (dave@natter) has joined #lobby");

    say(&mut bob, 2, "hello weechat, from natter");
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
        tag: 3,
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
    weechat.shows("You are now known as carla");

    // /names asks the server (NAMES): the natter and IRC members.
    weechat.type_line("/names");
    weechat.line_with(&["Nicks #lobby: [", "bob", "carla", "dave"]);
    weechat.shows("Channel #lobby: 3 nicks");

    // An IRC user quits: a quit, with its reason.
    dave.quit("off to lunch");
    weechat.shows("dave (dave@natter) has quit (off to lunch)");

    weechat.type_line("/part");
    frame_arrives!(bob, Frame::Parted { nick: "carla", .. });
    weechat.shows("carla (carla@natter) has left #lobby");
    // Back in, and bob (natter) quits: one quit, not a part.
    weechat.type_line("/join #lobby");
    weechat.shows("carla (carla@natter) has joined #lobby");
    bob.send(&Frame::Quit {
        reason: "see you tomorrow",
    })
    .unwrap();
    wait_closed(&mut bob);
    let chat = weechat.shows("bob (bob@natter) has quit (see you tomorrow)");
    assert!(
        !chat.contains("bob (bob@natter) has left")
            && !chat.contains("dave (dave@natter) has left"),
        "{chat}"
    );

    weechat.type_line("/quit");
    weechat.exits();
    eprintln!("WeeChat's #lobby buffer:\n{chat}");
    let _ = std::fs::remove_dir_all(&home);
}

fn now_ms() -> u64 {
    let since = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
    since.as_millis() as u64
}

/// A server time (milliseconds since the Unix epoch) as WeeChat shows it
/// in UTC with `%H:%M:%S`.
fn clock(time_ms: u64) -> String {
    let s = time_ms / 1000 % 86_400;
    format!("{:02}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
}

/// The first `hh:mm:ss` in a screen line: the time WeeChat shows for it.
fn clock_in(line: &str) -> Option<String> {
    let b = line.as_bytes();
    (0..b.len().saturating_sub(7)).find_map(|i| {
        let t = &b[i..i + 8];
        let digits = [0, 1, 3, 4, 6, 7].iter().all(|&j| t[j].is_ascii_digit());
        (digits && t[2] == b':' && t[5] == b':').then(|| line[i..i + 8].to_owned())
    })
}
