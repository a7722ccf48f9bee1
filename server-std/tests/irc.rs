//! IRC clients on natter's port, spoken to with a raw TCP client on
//! 127.0.0.1: registration, chat across both worlds, and bad input.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use common::{TestServer, member, next_message, options, say};
use natter_core::wire::Frame;
use natter_server::Options;

/// A raw IRC client: lines out, lines in.
struct Irc {
    writer: TcpStream,
    reader: BufReader<TcpStream>,
}

impl Irc {
    fn connect(addr: SocketAddr) -> Irc {
        let s = TcpStream::connect(addr).expect("connect");
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        Irc {
            writer: s.try_clone().unwrap(),
            reader: BufReader::new(s),
        }
    }

    /// Send one line, in one write (as clients do).
    fn send(&mut self, line: &str) {
        self.writer
            .write_all(format!("{line}\r\n").as_bytes())
            .unwrap();
    }

    fn send_raw(&mut self, bytes: &[u8]) {
        self.writer.write_all(bytes).unwrap();
    }

    /// The next line, without CR LF.
    fn line(&mut self) -> String {
        let mut line = String::new();
        match self.reader.read_line(&mut line) {
            Ok(0) => panic!("the server closed the connection"),
            Ok(_) => {}
            Err(e) => panic!("no line: {e}"),
        }
        assert!(line.ends_with("\r\n"), "{line:?}");
        assert!(line.len() <= 512, "{} bytes", line.len());
        line.trim_end_matches("\r\n").to_owned()
    }

    /// Lines until one contains `needle`, which is returned.
    fn until(&mut self, needle: &str) -> String {
        for _ in 0..200 {
            let line = self.line();
            if line.contains(needle) {
                return line;
            }
        }
        panic!("no line with {needle:?}");
    }

    /// Register as `nick` and join `#lobby`.
    fn member(addr: SocketAddr, nick: &str) -> Irc {
        let mut c = Irc::connect(addr);
        c.send("CAP LS 302");
        c.send(&format!("NICK {nick}"));
        c.send(&format!("USER {nick} 0 * :{nick}"));
        c.send("CAP END");
        c.until(" 001 ");
        c.until(" 422 ");
        c.send("JOIN #lobby");
        c.until(" 366 ");
        c
    }
}

fn irc_server() -> TestServer {
    TestServer::start(Options {
        server_name: "irc.test".into(),
        ..options()
    })
}

#[test]
fn registration_burst_is_honest() {
    let server = irc_server();
    let mut c = Irc::connect(server.addr);
    c.send("CAP LS 302");
    assert_eq!(
        c.line(),
        ":irc.test CAP * LS :batch draft/message-redaction echo-message message-tags multi-prefix server-time userhost-in-names"
    );
    c.send("CAP REQ :server-time nonsense");
    assert_eq!(c.line(), ":irc.test CAP * NAK :server-time nonsense");
    c.send("CAP REQ :server-time batch");
    assert_eq!(c.line(), ":irc.test CAP * ACK :server-time batch");
    c.send("NICK ann");
    c.send("USER ann 0 * :Ann Lee");
    c.send("CAP END");
    assert_eq!(c.line(), ":irc.test 001 ann :Welcome to natter, ann");
    let (mut numerics, mut isupport) = (vec![], String::new());
    loop {
        let line = c.line();
        let numeric = line.split(' ').nth(1).unwrap_or("").to_owned();
        if numeric == "005" {
            isupport += &line;
        }
        numerics.push(numeric.clone());
        if numeric == "422" {
            break;
        }
    }
    assert_eq!(numerics, ["002", "003", "004", "005", "005", "422"]);
    for token in [
        "CHANTYPES=#",
        "NICKLEN=24",
        "CASEMAPPING=strict-rfc1459",
        "NETWORK=natter",
        "PREFIX=(ov)@+",
    ] {
        assert!(isupport.contains(token), "{isupport}");
    }
    assert_eq!(
        c.line(),
        ":irc.test NOTICE ann :The lobby is #lobby: /join #lobby"
    );
    c.send("JOIN #lobby");
    assert_eq!(c.line(), ":ann!ann@natter JOIN #lobby");
    // No topic: no 332 (and no 331, which only answers a query).
    assert_eq!(c.line(), ":irc.test 353 ann = #lobby ann");
    assert_eq!(c.line(), ":irc.test 366 ann #lobby :End of /NAMES list");
    c.send("PING :x1");
    assert_eq!(c.until("PONG"), ":irc.test PONG irc.test x1");
}

#[test]
fn irc_and_natter_clients_talk_in_one_room() {
    let server = irc_server();
    let mut ann = Irc::member(server.addr, "ann");
    let mut bob = member(server.addr, "bob");
    assert_eq!(ann.until("JOIN"), ":bob!bob@natter JOIN #lobby");
    // natter to IRC, with an action.
    say(&mut bob, 1, "hello from natter, zoë 👋");
    assert_eq!(
        ann.line(),
        ":bob!bob@natter PRIVMSG #lobby :hello from natter, zoë 👋"
    );
    bob.send(&Frame::Say {
        tag: 2,
        room: "lobby",
        flags: natter_core::wire::FLAG_ACTION,
        text: "waves",
    })
    .unwrap();
    assert_eq!(
        ann.line(),
        ":bob!bob@natter PRIVMSG #lobby :\u{1}ACTION waves\u{1}"
    );
    // IRC to natter.
    ann.send("PRIVMSG #lobby :hi bob, from irssi");
    assert_eq!(
        next_message(&mut bob),
        ("ann".into(), "hi bob, from irssi".into())
    );
    ann.send("PRIVMSG #lobby :\u{1}ACTION nods\u{1}");
    let action = common::wait_for(
        &mut bob,
        |f| match f {
            Frame::Message { flags, text, .. } => Some((*flags, text.to_string())),
            _ => None,
        },
        |_| {},
    );
    assert_eq!(action, (natter_core::wire::FLAG_ACTION, "nods".into()));
    // Topic and nick changes cross over.
    ann.send("TOPIC #lobby :fractions");
    common::wait_for(
        &mut bob,
        |f| {
            matches!(
                f,
                Frame::TopicChanged {
                    topic: "fractions",
                    by: "ann",
                    ..
                }
            )
            .then_some(())
        },
        |_| {},
    );
    ann.send("NICK anne");
    assert_eq!(ann.until("NICK"), ":ann!ann@natter NICK anne");
    common::wait_for(
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
    // Queries are answered from the hub: the topic bob set from natter,
    // the members as they are now.
    bob.send(&Frame::SetTopic {
        room: "lobby",
        topic: "decimals",
    })
    .unwrap();
    assert_eq!(ann.until("TOPIC"), ":bob!bob@natter TOPIC #lobby decimals");
    ann.send("TOPIC #lobby");
    assert_eq!(ann.line(), ":irc.test 332 anne #lobby decimals");
    ann.send("WHO #lobby");
    assert_eq!(
        [ann.line(), ann.line(), ann.line()],
        [
            // Its username and real name are what its USER said.
            ":irc.test 352 anne #lobby ann natter irc.test anne H :0 ann",
            ":irc.test 352 anne #lobby bob natter irc.test bob H :0 natter",
            ":irc.test 315 anne #lobby :End of WHO list",
        ]
    );
    ann.send("WHOIS bob");
    assert_eq!(ann.line(), ":irc.test 311 anne bob bob natter * natter");
    assert_eq!(ann.line(), ":irc.test 319 anne bob #lobby");
    assert_eq!(ann.line(), ":irc.test 312 anne bob irc.test natter");
    assert!(ann.line().starts_with(":irc.test 317 anne bob "));
    assert_eq!(ann.line(), ":irc.test 318 anne bob :End of WHOIS list");
    // A private message each way.
    ann.send("PRIVMSG bob :psst");
    common::wait_for(
        &mut bob,
        |f| {
            matches!(
                f,
                Frame::Private {
                    from: "anne",
                    text: "psst",
                    ..
                }
            )
            .then_some(())
        },
        |_| {},
    );
    bob.send(&Frame::Whisper {
        tag: 3,
        to: "anne",
        flags: 0,
        text: "hush",
    })
    .unwrap();
    assert_eq!(
        ann.until("PRIVMSG anne"),
        ":bob!bob@natter PRIVMSG anne :hush"
    );
    // Leaving.
    ann.send("QUIT :bye");
    assert!(ann.until("ERROR").starts_with("ERROR :Closing link"));
    common::wait_for(
        &mut bob,
        |f| matches!(f, Frame::Parted { nick: "anne", .. }).then_some(()),
        |_| {},
    );
}

#[test]
fn history_and_long_messages_reach_irc_readers() {
    let server = irc_server();
    let mut bob = member(server.addr, "bob");
    say(&mut bob, 1, "said before ann came");
    let long: String = "zoë 日本語 ".repeat(33).trim_end().to_owned();
    say(&mut bob, 2, &long);
    // Wait for the acks, so both are in the history.
    for _ in 0..2 {
        common::wait_for(
            &mut bob,
            |f| matches!(f, Frame::Ack { .. }).then_some(()),
            |_| {},
        );
    }
    let mut ann = Irc::member(server.addr, "ann");
    let replay = ann.until("said before");
    assert!(replay.starts_with(":irc.test NOTICE #lobby :["), "{replay}");
    assert!(replay.ends_with("] <bob> said before ann came"), "{replay}");
    // The long one is replayed too, split over notices; then live, split
    // over PRIVMSGs that join back to the text.
    say(&mut bob, 3, &long);
    let mut joined = String::new();
    while joined.len() < long.len() {
        let line = ann.until(":bob!bob@natter PRIVMSG #lobby :");
        joined.push_str(line.split_once(" :").unwrap().1);
    }
    assert_eq!(joined, long);
}

#[test]
fn bad_input_gets_numerics_and_harms_no_one() {
    let server = irc_server();
    let mut bob = member(server.addr, "bob");
    let mut c = Irc::connect(server.addr);
    c.send("JOIN #lobby");
    assert_eq!(c.line(), ":irc.test 451 * :You have not registered");
    c.send("NICK 2pac");
    assert!(c.line().starts_with(":irc.test 432 * 2pac :nicknames are"));
    c.send("NICK bob");
    c.send("USER x 0 * :x");
    assert_eq!(c.line(), ":irc.test 433 * bob :Nickname is already in use");
    c.send("NICK cat");
    c.until("/join #lobby");
    // An overlong line, then a good one: the first is refused, the second
    // is read.
    c.send(&format!("PRIVMSG #lobby :{}", "x".repeat(700)));
    c.send("PING :still-here");
    assert_eq!(
        c.line(),
        ":irc.test 417 cat :Input line was too long (512 bytes at most)"
    );
    assert_eq!(c.line(), ":irc.test PONG irc.test still-here");
    // Invalid UTF-8, a NUL, an unknown command.
    c.send_raw(b"PRIVMSG #lobby :\xff\xfe\r\n");
    assert!(c.line().contains("not valid UTF-8"));
    c.send_raw(b"PRIV\0MSG #lobby :x\r\n");
    assert!(c.line().contains(" 421 "));
    c.send("FROBNICATE now");
    assert_eq!(c.line(), ":irc.test 421 cat FROBNICATE :Unknown command");
    c.send("PRIVMSG #lobby :hi");
    assert_eq!(
        c.line(),
        ":irc.test 404 cat #lobby :Cannot send to channel (join it first)"
    );
    c.send("MODE #lobby b");
    assert_eq!(
        c.line(),
        ":irc.test 368 cat #lobby :End of channel ban list"
    );
    // Bob noticed nothing but cat's arrival... and can still chat.
    say(&mut bob, 9, "still fine");
    common::wait_for(
        &mut bob,
        |f| matches!(f, Frame::Ack { tag: 9, .. }).then_some(()),
        |_| {},
    );
}

#[test]
fn an_irc_only_port_takes_irc_clients() {
    let server = TestServer::start(Options {
        server_name: "irc.test".into(),
        irc_bind: Some("127.0.0.1:0".parse().unwrap()),
        ..options()
    });
    let irc = server.irc_addr.expect("an IRC port");
    let mut ann = Irc::member(irc, "ann");
    let mut bob = member(server.addr, "bob");
    assert_eq!(ann.until("JOIN"), ":bob!bob@natter JOIN #lobby");
    say(&mut bob, 1, "over the IRC port");
    assert_eq!(
        ann.line(),
        ":bob!bob@natter PRIVMSG #lobby :over the IRC port"
    );
    // A natter hello on the IRC port is not natter there: an IRC error.
    let mut raw = Irc::connect(irc);
    raw.send_raw(&[0x00, 0x06, 0x01, 0x01, 0x01, b'x', 0x00, b'\n']);
    assert!(raw.line().contains(" 421 "));
}

#[test]
fn a_full_server_refuses_each_client_in_its_own_protocol() {
    let server = TestServer::start(Options {
        server_name: "irc.test".into(),
        max_members: 1,
        room_size: 1,
        ..options()
    });
    let _ann = member(server.addr, "ann");
    // An IRC client on the shared port: the refusal waits for its first
    // line, then comes as IRC's ERROR, not as natter's binary Bye.
    let mut irc = Irc::connect(server.addr);
    irc.send("NICK cat");
    let line = irc.line();
    assert!(
        line.starts_with("ERROR :") && line.contains("full"),
        "{line}"
    );
    // A natter client is refused with a Bye, as before.
    match natter_server::client::Client::connect(server.addr, "dan", "") {
        Err(natter_server::client::ClientError::Refused(
            natter_core::error::ErrorCode::ServerFull,
        )) => {}
        other => panic!("expected ServerFull, got {:?}", other.err()),
    }
}

/// A script (`printf ... | nc`) or a bot sends registration, a join and
/// a message in one write: the join waits for the hub's welcome instead of
/// getting 451, and the message goes out.
#[test]
fn registration_join_and_message_in_one_write() {
    let server = irc_server();
    let mut bob = member(server.addr, "bob");
    let mut kim = Irc::connect(server.addr);
    kim.send_raw(b"NICK kim\r\nUSER kim 0 * :Kim\r\nJOIN #lobby\r\nPRIVMSG #lobby :hi all\r\n");
    assert_eq!(kim.until("JOIN"), ":kim!kim@natter JOIN #lobby");
    assert_eq!(next_message(&mut bob), ("kim".into(), "hi all".into()));
}

#[test]
fn irc_clients_see_each_others_user_fields_away_and_capabilities() {
    let server = irc_server();
    let mut bob = member(server.addr, "bob");
    say(&mut bob, 1, "before anyone");
    common::wait_for(
        &mut bob,
        |f| matches!(f, Frame::Ack { .. }).then_some(()),
        |_| {},
    );
    // cat registers with a username and real name of her own.
    let mut cat = Irc::connect(server.addr);
    cat.send("NICK cat");
    cat.send("USER ~cjones 0 * :Cat Jones");
    cat.until("The lobby is");
    cat.send("AWAY :at the library");
    assert_eq!(
        cat.line(),
        ":irc.test 306 cat :You have been marked as being away"
    );
    // ann takes server-time, batch, message-tags and echo-message.
    let mut ann = Irc::connect(server.addr);
    ann.send("CAP LS 302");
    ann.line();
    ann.send("CAP REQ :server-time batch message-tags echo-message");
    assert_eq!(
        ann.line(),
        ":irc.test CAP * ACK :server-time batch message-tags echo-message"
    );
    ann.send("NICK ann");
    ann.send("USER ann 0 * :Ann");
    ann.send("CAP END");
    ann.until("The lobby is");
    ann.send("JOIN #lobby");
    // The history comes as bob said it, at its own time, in a batch.
    let start = ann.until("BATCH +");
    assert!(start.ends_with(" chathistory #lobby"), "{start}");
    let reference = start.split(' ').nth(2).unwrap()[1..].to_owned();
    let replayed = ann.line();
    assert!(
        replayed.starts_with(&format!("@batch={reference};msgid=lobby-")),
        "{replayed}"
    );
    assert!(replayed.contains(";time=20"), "{replayed}");
    assert!(
        replayed.ends_with(" :bob!bob@natter PRIVMSG #lobby :before anyone"),
        "{replayed}"
    );
    assert_eq!(ann.line(), format!(":irc.test BATCH -{reference}"));
    // WHOIS cat: her USER fields and away message, kept by the server.
    ann.send("WHOIS cat");
    assert_eq!(
        ann.line(),
        ":irc.test 311 ann cat cjones natter * :Cat Jones"
    );
    assert_eq!(ann.line(), ":irc.test 312 ann cat irc.test natter");
    assert_eq!(ann.line(), ":irc.test 301 ann cat :at the library");
    // Messaging her says she is away; the message still reaches her, and
    // comes back to ann once the hub took it (echo-message), with its time.
    ann.send("PRIVMSG cat :are you there?");
    assert_eq!(ann.until(" 301 "), ":irc.test 301 ann cat :at the library");
    let echo = ann.line();
    assert!(echo.starts_with("@time=20"), "{echo}");
    assert!(
        echo.ends_with(" :ann!ann@natter PRIVMSG cat :are you there?"),
        "{echo}"
    );
    assert_eq!(
        cat.until("PRIVMSG"),
        ":ann!ann@natter PRIVMSG cat :are you there?"
    );
    // A room message comes back once, with the id the others' copies have.
    ann.send("PRIVMSG #lobby :hello all");
    let echo = ann.until("hello all");
    assert!(echo.starts_with("@msgid=lobby-"), "{echo}");
    assert_eq!(
        next_message(&mut bob),
        ("ann".to_owned(), "hello all".to_owned())
    );
    // bob quits: ann sees a QUIT, once.
    bob.send(&Frame::Quit { reason: "bye" }).unwrap();
    let quit = ann.until("QUIT");
    assert!(quit.ends_with(":bob!bob@natter QUIT bye"), "{quit}");
}

#[test]
fn answers_come_in_the_order_of_the_lines_asked() {
    // A client that sends several lines at once gets the hub's answer to a
    // JOIN before the bridge's own answer to the WHOIS that followed it.
    let server = irc_server();
    let mut c = Irc::connect(server.addr);
    c.send_raw(b"NICK ann\r\nUSER ann 0 * :Ann\r\n");
    c.until("The lobby is");
    c.send_raw(b"JOIN #lobby\r\nWHOIS ann\r\nPING :last\r\n");
    let mut seen = Vec::new();
    loop {
        let line = c.line();
        let done = line.contains("PONG");
        seen.push(line);
        if done {
            break;
        }
    }
    let at = |needle: &str| {
        seen.iter()
            .position(|l| l.contains(needle))
            .unwrap_or_else(|| panic!("no {needle:?} in {seen:?}"))
    };
    assert!(at(" JOIN #lobby") < at(" 366 "), "{seen:?}");
    assert!(at(" 366 ") < at(" 311 "), "{seen:?}");
    assert!(at(" 318 ") < at("PONG"), "{seen:?}");
}

/// A lesson through the real server, on IRC: the teacher proves the
/// password with `OPER`, makes the lobby moderated, gives the word, mutes
/// and kicks; a student's refusals come as numerics, and a student who
/// guesses the password gets `464` and waits.
#[test]
fn a_teacher_runs_the_room_over_irc() {
    let server = TestServer::start(Options {
        server_name: "irc.test".into(),
        teacher_password: Some("chalk".into()),
        ..options()
    });
    let mut teacher = Irc::member(server.addr, "ms-lee");
    let mut bob = Irc::member(server.addr, "bob");
    let mut cat = Irc::member(server.addr, "cat");
    // A student cannot take the room over.
    bob.send("MODE #lobby +m");
    assert_eq!(
        bob.until(" 482 "),
        ":irc.test 482 bob #lobby :You're not channel operator"
    );
    bob.send("OPER teacher guess");
    assert_eq!(bob.until(" 464 "), ":irc.test 464 bob :Password incorrect");
    // The teacher proves it; the room sees an operator.
    teacher.send("OPER teacher chalk");
    assert_eq!(
        teacher.until(" 381 "),
        ":irc.test 381 ms-lee :You are now the teacher (an IRC operator)"
    );
    assert_eq!(
        cat.until(" MODE "),
        ":ms-lee!ms-lee@natter MODE #lobby +o ms-lee"
    );
    teacher.send("MODE #lobby +mv cat");
    assert_eq!(cat.until(" MODE "), ":ms-lee!ms-lee@natter MODE #lobby +m");
    assert_eq!(
        cat.until(" MODE "),
        ":ms-lee!ms-lee@natter MODE #lobby +v cat"
    );
    bob.send("PRIVMSG #lobby :me!");
    assert!(
        bob.until(" 404 ")
            .starts_with(":irc.test 404 bob #lobby :only the teacher"),
        "bob is told why"
    );
    cat.send("PRIVMSG #lobby :4");
    assert_eq!(
        teacher.until("PRIVMSG"),
        ":cat!cat@natter PRIVMSG #lobby :4"
    );
    teacher.send("MODE #lobby");
    assert_eq!(teacher.until(" 324 "), ":irc.test 324 ms-lee #lobby +m");
    teacher.send("NAMES #lobby");
    assert_eq!(
        teacher.until(" 353 "),
        ":irc.test 353 ms-lee = #lobby :@ms-lee bob +cat"
    );
    teacher.send("MODE #lobby +b m:cat");
    teacher.until("+b m:cat!*@*");
    cat.send("PRIVMSG #lobby :hey");
    assert!(cat.until(" 404 ").contains("muted"));
    teacher.send("KICK #lobby bob :take a break");
    assert_eq!(
        bob.until(" KICK "),
        ":ms-lee!ms-lee@natter KICK #lobby bob :take a break"
    );
    bob.send("KICK #lobby ms-lee");
    assert_eq!(
        bob.until(" 442 "),
        ":irc.test 442 bob #lobby :You're not on that channel"
    );
}

/// A wrong password holds the connection's next lines a while; the
/// answers still come in the order the lines were sent (found by irctest's
/// `testKeyNormal`: a PONG used to overtake the 475 before it).
#[test]
fn answers_keep_their_order_across_a_wrong_password() {
    let server = TestServer::start(Options {
        server_name: "irc.test".into(),
        teacher_password: Some("chalk".into()),
        ..options()
    });
    let mut ann = Irc::member(server.addr, "ann");
    ann.send_raw(b"OPER ann wrong1\r\nOPER ann wrong2\r\nPING :after\r\n");
    assert_eq!(ann.until(" 464 "), ":irc.test 464 ann :Password incorrect");
    assert_eq!(ann.line(), ":irc.test 464 ann :Password incorrect");
    assert_eq!(ann.line(), ":irc.test PONG irc.test after");
    // A room with a key: joining without it is refused, but is no guess.
    ann.send("JOIN #vault");
    ann.until(" 366 ");
    ann.send("MODE #vault +k pi");
    ann.until("+k pi");
    let mut bob = Irc::member(server.addr, "bob");
    bob.send_raw(b"JOIN #vault\r\nJOIN #vault e\r\nPING :x\r\n");
    assert_eq!(
        bob.until(" 475 "),
        ":irc.test 475 bob #vault :Cannot join channel (+k)"
    );
    assert_eq!(
        bob.line(),
        ":irc.test 475 bob #vault :Cannot join channel (+k)"
    );
    assert_eq!(bob.line(), ":irc.test PONG irc.test x");
    // 403 for a room that does not exist; 441 and 443 name the room.
    bob.send("MODE #nowhere +m");
    assert_eq!(bob.line(), ":irc.test 403 bob #nowhere :No such channel");
    ann.send("KICK #vault bob");
    assert_eq!(
        ann.until(" 441 "),
        ":irc.test 441 ann bob #vault :They aren't on that channel"
    );
    ann.send("INVITE ann #vault");
    assert_eq!(
        ann.until(" 443 "),
        ":irc.test 443 ann ann #vault :is already on that channel"
    );
    ann.send("MODE #vault +l nope");
    assert_eq!(
        ann.until(" 696 "),
        ":irc.test 696 ann #vault l * :that setting needs a nickname, a number or a key; see /help"
    );
}

/// The rest of the modes over raw TCP, each with its numeric: `+t` (482 on
/// TOPIC), `+N` (447 on NICK), `+P` (404 between students, not to the
/// teacher), `+i` (473, then INVITE's 341 and the join), `+l` (471), `+S`
/// (404 for the second line), `MODE #r b` (367/368), an unknown mode (472),
/// and OPER on a server with no teacher password (491).
#[test]
fn each_mode_has_its_numeric() {
    let server = TestServer::start(Options {
        server_name: "irc.test".into(),
        teacher_password: Some("chalk".into()),
        ..options()
    });
    let mut t = Irc::member(server.addr, "teach");
    t.send("OPER t chalk");
    t.until(" 381 ");
    let mut bob = Irc::member(server.addr, "bob");
    let mut cat = Irc::member(server.addr, "cat");
    t.send("MODE #lobby +tNP");
    for letter in ["+t", "+N", "+P"] {
        bob.until(&format!("MODE #lobby {letter}"));
    }
    bob.send("TOPIC #lobby :mine");
    assert_eq!(
        bob.until(" 482 "),
        ":irc.test 482 bob #lobby :You're not channel operator"
    );
    bob.send("NICK teacher");
    assert!(
        bob.until(" 447 ")
            .starts_with(":irc.test 447 bob :nicknames are locked")
    );
    bob.send("PRIVMSG cat :psst");
    assert!(
        bob.until(" 404 ")
            .starts_with(":irc.test 404 bob cat :private messages between students are off")
    );
    bob.send("PRIVMSG teach :a question");
    assert_eq!(
        t.until("PRIVMSG"),
        ":bob!bob@natter PRIVMSG teach :a question"
    );
    t.send("MODE #lobby +S 30");
    cat.until("MODE #lobby +S 30");
    cat.send("PRIVMSG #lobby :one");
    cat.send("PRIVMSG #lobby :two");
    assert!(
        cat.until(" 404 ")
            .starts_with(":irc.test 404 cat #lobby :slow mode is on")
    );
    assert_eq!(
        t.until("PRIVMSG #lobby"),
        ":cat!cat@natter PRIVMSG #lobby :one"
    );
    t.send("MODE #lobby +b dan");
    t.until("+b dan!*@*");
    t.send("MODE #lobby b");
    assert_eq!(t.until(" 367 "), ":irc.test 367 teach #lobby dan!*@*");
    assert_eq!(
        t.line(),
        ":irc.test 368 teach #lobby :End of channel ban list"
    );
    t.send("MODE #lobby +X");
    assert_eq!(
        t.line(),
        ":irc.test 472 teach X :is not a mode natter knows"
    );
    // A room closed to newcomers, then full.
    t.send("JOIN #club");
    t.until(" 366 ");
    t.send("MODE #club +il 2");
    t.until("MODE #club +l 2");
    let mut dan = Irc::member(server.addr, "dan2");
    dan.send("JOIN #club");
    assert_eq!(
        dan.until(" 473 "),
        ":irc.test 473 dan2 #club :Cannot join channel (+i)"
    );
    t.send("INVITE dan2 #club");
    assert_eq!(t.until(" 341 "), ":irc.test 341 teach dan2 #club");
    assert_eq!(
        dan.until(" INVITE "),
        ":teach!teach@natter INVITE dan2 #club"
    );
    dan.send("JOIN #club");
    dan.until(" 366 ");
    t.send("INVITE bob #club");
    t.until(" 341 ");
    bob.send("JOIN #club");
    assert_eq!(
        bob.until(" 471 "),
        ":irc.test 471 bob #club :Cannot join channel (+l)"
    );
    // No teacher password on this server: 491.
    let plain = irc_server();
    let mut ann = Irc::member(plain.addr, "ann");
    ann.send("OPER ann anything");
    assert!(ann.until(" 491 ").starts_with(":irc.test 491 ann :"));
}
