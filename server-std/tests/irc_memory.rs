//! What an IRC client that never reads costs the server: measured as this
//! process's memory, so this test has a test binary (a process) of its own.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::time::Duration;

use common::{TestServer, member, next_message, options, say};
use natter_server::Options;

/// The resident memory of this process (the test and its server), in
/// bytes.
fn rss() -> usize {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<usize>().ok())
        .map_or(0, |kb| kb * 1024)
}

/// An IRC client that sends queries and never reads their answers stops
/// being read once a few kilobytes of answers wait, as a natter client
/// does: the answers it does not read fill the kernel's buffers, not the
/// server's memory, and the others chat on.
#[test]
fn an_irc_client_that_never_reads_its_answers_is_not_read_either() {
    let server = TestServer::start(Options {
        server_name: "irc.test".into(),
        ..options()
    });
    let mut ann = TcpStream::connect(server.addr).unwrap();
    ann.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    ann.write_all(b"NICK ann\r\nUSER ann 0 * :Ann\r\n").unwrap();
    let mut reader = BufReader::new(ann.try_clone().unwrap());
    let mut until = |needle: &str| {
        let mut line = String::new();
        while !line.contains(needle) {
            line.clear();
            assert!(reader.read_line(&mut line).unwrap() > 0, "closed");
        }
    };
    until(" 001 ann ");
    ann.write_all(b"JOIN #lobby\r\n").unwrap();
    until(" 366 ann #lobby ");
    let mut bob = member(server.addr, "bob");
    until(":bob!bob@natter JOIN #lobby");
    ann.set_nonblocking(true).unwrap();
    let before = rss();
    // Each line asks for 3 lines of answers (about 15 times its size).
    // Write until the kernel's buffers are full, for a second and a half.
    let who = b"WHO #lobby\r\n".repeat(4096);
    let mut sent = 0;
    let deadline = std::time::Instant::now() + Duration::from_millis(1500);
    while std::time::Instant::now() < deadline && sent < 64 << 20 {
        match ann.write(&who) {
            Ok(n) => sent += n,
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                std::thread::sleep(Duration::from_millis(10));
            }
            Err(e) => panic!("write: {e}"),
        }
    }
    let grew = rss().saturating_sub(before);
    eprintln!("{sent} bytes of WHO taken; memory grew by {grew} bytes");
    // The answers to what was taken are ~15x its size; held by the server
    // they would be tens of megabytes (42 MB before the bound).
    assert!(
        grew < 16 << 20,
        "memory grew by {grew} bytes for {sent} bytes of unread queries"
    );
    // The others are not held up.
    let mut cat = member(server.addr, "cat");
    say(&mut cat, 1, "still here");
    assert_eq!(next_message(&mut bob), ("cat".into(), "still here".into()));
}
