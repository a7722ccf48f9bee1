//! Browsers on the shared port, against a real server: the page and its
//! headers, WebSockets carrying natter frames and IRC lines into the same
//! rooms as TCP clients, and abuse of HTTP and WebSocket that must close
//! only the abuser (PROTOCOL.md §1, DESIGN.md "Browsers").
//!
//! The well-behaved WebSocket clients here are `tungstenite`'s, a separate
//! implementation; the abusive ones write bytes by hand.

mod common;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use common::{TestServer, member, next_message, options, say};
use natter_core::wire::{Frame, Status, VERSION, decode};
use tungstenite::client::IntoClientRequest;
use tungstenite::{Message, WebSocket};

const KEY: &str = "dGhlIHNhbXBsZSBub25jZQ==";

/// One HTTP exchange: send `request`, read the answer until the server
/// closes or `timeout` passes.
fn http(addr: SocketAddr, request: &str) -> String {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(15))).unwrap();
    s.write_all(request.as_bytes()).unwrap();
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    String::from_utf8_lossy(&out).into_owned()
}

fn get(addr: SocketAddr, path: &str, extra: &str) -> String {
    http(
        addr,
        &format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n{extra}\r\n"),
    )
}

/// A WebSocket handshake written by hand; the socket after the 101.
fn handshake(addr: SocketAddr, protocol: &str) -> TcpStream {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(
        s,
        "GET /ws HTTP/1.1\r\nHost: {addr}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: {KEY}\r\nSec-WebSocket-Version: 13\r\n\
         Sec-WebSocket-Protocol: {protocol}\r\nOrigin: http://{addr}\r\n\r\n"
    )
    .unwrap();
    let mut head = Vec::new();
    let mut byte = [0u8];
    while !head.ends_with(b"\r\n\r\n") {
        assert_eq!(
            s.read(&mut byte).unwrap(),
            1,
            "{}",
            String::from_utf8_lossy(&head)
        );
        head.push(byte[0]);
    }
    let head = String::from_utf8(head).unwrap();
    assert!(head.starts_with("HTTP/1.1 101 "), "{head}");
    s
}

/// A masked client frame, as a browser sends.
fn frame(fin: bool, opcode: u8, payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    natter_server::web::ws::client_frame(&mut out, fin, opcode, payload);
    out
}

/// The close code the server sends, reading past anything before it.
fn close_code(s: &mut TcpStream) -> u16 {
    let mut all = Vec::new();
    let _ = s.read_to_end(&mut all);
    let mut at = 0;
    while at + 2 <= all.len() {
        let opcode = all[at] & 0x0f;
        let (len, head) = match all[at + 1] & 0x7f {
            126 => (
                usize::from(u16::from_be_bytes([all[at + 2], all[at + 3]])),
                4,
            ),
            127 => panic!("a huge server frame"),
            n => (usize::from(n), 2),
        };
        if opcode == 0x8 {
            return u16::from_be_bytes([all[at + head], all[at + head + 1]]);
        }
        at += head + len;
    }
    panic!("no close frame in {all:?}")
}

fn encode(frame: &Frame<'_>) -> Vec<u8> {
    let mut buf = [0u8; 1100];
    let n = frame.encode(&mut buf).unwrap();
    buf[..n].to_vec()
}

/// A natter client in a browser's shoes: frames in binary messages.
struct WsMember {
    ws: WebSocket<TcpStream>,
    buf: Vec<u8>,
}

impl WsMember {
    fn connect(addr: SocketAddr, nick: &str) -> WsMember {
        let stream = TcpStream::connect(addr).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        let mut req = format!("ws://{addr}/ws").into_client_request().unwrap();
        let headers = req.headers_mut();
        headers.insert("Sec-WebSocket-Protocol", "natter".parse().unwrap());
        headers.insert("Origin", format!("http://{addr}").parse().unwrap());
        let (ws, resp) = tungstenite::client::client(req, stream).unwrap();
        assert_eq!(
            resp.headers().get("Sec-WebSocket-Protocol").unwrap(),
            "natter"
        );
        let mut m = WsMember {
            ws,
            buf: Vec::new(),
        };
        m.send(&Frame::Hello {
            version: VERSION,
            nick,
            password: "",
        });
        m.until(|f| matches!(f, Frame::Welcome { .. }));
        m.send(&Frame::Join {
            room: "lobby",
            epoch: 0,
            since: 0,
            key: "",
        });
        m.until(|f| matches!(f, Frame::Names { flags: 0, .. }));
        m
    }

    fn send(&mut self, frame: &Frame<'_>) {
        self.ws.send(Message::binary(encode(frame))).unwrap();
    }

    /// Read frames until `want` says yes to one; returns its Debug text.
    fn until(&mut self, want: impl Fn(&Frame<'_>) -> bool) -> String {
        loop {
            if let Status::Complete((f, used)) = decode(&self.buf).unwrap() {
                let found = want(&f).then(|| format!("{f:?}"));
                self.buf.drain(..used);
                if let Some(found) = found {
                    return found;
                }
                continue;
            }
            match self.ws.read().unwrap() {
                Message::Binary(b) => self.buf.extend_from_slice(&b),
                Message::Ping(_) | Message::Pong(_) => {}
                other => panic!("unexpected {other:?}"),
            }
        }
    }
}

#[test]
fn browsers_and_tcp_clients_share_a_room() {
    let server = TestServer::start(options());
    let mut web = WsMember::connect(server.addr, "webby");
    let mut tcp = member(server.addr, "tcpy");
    web.until(|f| matches!(f, Frame::Joined { nick: "tcpy", .. }));
    say(&mut tcp, 1, "hello browser");
    let got = web.until(|f| matches!(f, Frame::Message { .. }));
    assert!(
        got.contains("hello browser") && got.contains("tcpy"),
        "{got}"
    );
    web.send(&Frame::Say {
        tag: 7,
        room: "lobby",
        flags: 0,
        text: "hello tcp ☕",
    });
    web.until(|f| matches!(f, Frame::Ack { tag: 7, .. }));
    assert_eq!(
        next_message(&mut tcp),
        ("webby".into(), "hello tcp ☕".into())
    );
    // A frame split over two messages is one stream, as over TCP.
    let bytes = encode(&Frame::Say {
        tag: 8,
        room: "lobby",
        flags: 0,
        text: "in two",
    });
    web.ws.send(Message::binary(bytes[..5].to_vec())).unwrap();
    web.ws.send(Message::binary(bytes[5..].to_vec())).unwrap();
    assert_eq!(next_message(&mut tcp).1, "in two");
    server.stop().unwrap();
}

#[test]
fn web_irc_clients_use_the_ircv3_subprotocols() {
    let server = TestServer::start(options());
    let mut tcp = member(server.addr, "tcpy");
    for (protocol, text) in [("text.ircv3.net", true), ("binary.ircv3.net", false)] {
        let stream = TcpStream::connect(server.addr).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        let mut req = format!("ws://{}/ws", server.addr)
            .into_client_request()
            .unwrap();
        req.headers_mut()
            .insert("Sec-WebSocket-Protocol", protocol.parse().unwrap());
        let (mut ws, _) = tungstenite::client::client(req, stream).unwrap();
        let nick = if text { "kiwi" } else { "gamja" };
        let lines = [
            format!("NICK {nick}"),
            format!("USER {nick} 0 * :Web"),
            "JOIN #lobby".into(),
        ];
        for line in lines {
            let msg = if text {
                Message::text(line)
            } else {
                Message::binary(line.into_bytes())
            };
            ws.send(msg).unwrap();
        }
        // Each line comes as one message, without CR LF.
        let mut saw_welcome = false;
        loop {
            let line = match ws.read().unwrap() {
                Message::Text(t) if text => t.as_str().to_owned(),
                Message::Binary(b) if !text => String::from_utf8(b.to_vec()).unwrap(),
                other => panic!("{protocol}: unexpected {other:?}"),
            };
            assert!(!line.contains('\n') && !line.contains('\r'), "{line:?}");
            saw_welcome |= line.split(' ').nth(1) == Some("001");
            if line.split(' ').nth(1) == Some("366") {
                break;
            }
        }
        assert!(saw_welcome);
        ws.send(Message::text("PRIVMSG #lobby :hi from the web"))
            .unwrap();
        assert_eq!(
            next_message(&mut tcp),
            (nick.into(), "hi from the web".into())
        );
    }
    server.stop().unwrap();
}

#[test]
fn http_refusals_say_why() {
    let server = TestServer::start(options());
    let a = server.addr;
    let status = |answer: &str| answer.lines().next().unwrap_or("").to_owned();
    assert!(status(&http(a, "POST / HTTP/1.1\r\n\r\n")).contains(" 405 "));
    assert!(status(&http(a, "DELETE /x HTTP/1.1\r\n\r\n")).contains(" 405 "));
    assert!(status(&get(a, "/no-such-file.js", "")).contains(" 404 "));
    assert!(status(&get(a, "/../../etc/passwd", "")).contains(" 404 "));
    assert!(status(&get(a, "/%2e%2e/Cargo.toml", "")).contains(" 404 "));
    assert!(status(&http(a, "GET / HTTP/1.1\r\nno colon here\r\n\r\n")).contains(" 400 "));
    let huge = format!("GET / HTTP/1.1\r\nCookie: {}\r\n\r\n", "c".repeat(20_000));
    assert!(status(&http(a, &huge)).contains(" 431 "));
    let many: String = (0..100).map(|i| format!("X-{i}: y\r\n")).collect();
    assert!(status(&http(a, &format!("GET / HTTP/1.1\r\n{many}\r\n"))).contains(" 431 "));
    // Upgrades: a wrong key, an old version, a page from another site,
    // an unknown subprotocol.
    let upgrade = |extra: &str, key: &str| {
        http(
            a,
            &format!(
                "GET /ws HTTP/1.1\r\nHost: {a}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
                 Sec-WebSocket-Key: {key}\r\n{extra}\r\n"
            ),
        )
    };
    assert!(
        status(&upgrade(
            "Sec-WebSocket-Version: 13\r\n",
            "bm90IDE2IGJ5dGVz"
        ))
        .contains(" 400 ")
    );
    assert!(status(&upgrade("Sec-WebSocket-Version: 8\r\n", KEY)).contains(" 426 "));
    let evil = upgrade(
        "Sec-WebSocket-Version: 13\r\nOrigin: http://evil.example\r\n",
        KEY,
    );
    assert!(status(&evil).contains(" 403 "), "{evil}");
    let rebound = upgrade(
        &format!(
            "Sec-WebSocket-Version: 13\r\nOrigin: http://evil.example:{}\r\n",
            a.port()
        ),
        KEY,
    );
    assert!(status(&rebound).contains(" 403 "), "{rebound}");
    let chat = upgrade(
        "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: chat\r\n",
        KEY,
    );
    assert!(status(&chat).contains(" 400 "), "{chat}");
    // The room noticed nothing.
    let mut c = member(a, "still");
    say(&mut c, 1, "fine");
    server.stop().unwrap();
}

#[test]
fn slow_headers_are_cut_off() {
    let server = TestServer::start(options());
    let mut slow = TcpStream::connect(server.addr).unwrap();
    slow.set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    slow.write_all(b"GET / HTTP/1.1\r\n").unwrap();
    // A header now and then, never the blank line that ends them.
    let mut answer = Vec::new();
    for i in 0..40 {
        std::thread::sleep(Duration::from_millis(500));
        if slow.write_all(format!("X-{i}: y\r\n").as_bytes()).is_err() {
            break;
        }
    }
    let _ = slow.read_to_end(&mut answer);
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 408 "), "{answer}");
    server.stop().unwrap();
}

#[test]
fn broken_websocket_frames_close_only_their_sender() {
    let server = TestServer::start(options());
    let mut bystander = member(server.addr, "calm");
    let mut talker = member(server.addr, "talker");
    let hello = encode(&Frame::Hello {
        version: VERSION,
        nick: "rude",
        password: "",
    });
    // Unmasked frame: 1002.
    let mut s = handshake(server.addr, "natter");
    let mut unmasked = vec![0x82, hello.len() as u8];
    unmasked.extend_from_slice(&hello);
    s.write_all(&unmasked).unwrap();
    assert_eq!(close_code(&mut s), 1002);
    // A message over 64 KiB: 1009, before its payload is even sent.
    let mut s = handshake(server.addr, "natter");
    s.write_all(&frame(true, 0x2, &vec![0; 70_000])[..14])
        .unwrap();
    assert_eq!(close_code(&mut s), 1009);
    // Fragments over the limit together (an IRC line of 10,000 bytes): 1009.
    let mut s = handshake(server.addr, "text.ircv3.net");
    s.write_all(&frame(false, 0x1, &[b'a'; 5000])).unwrap();
    let _ = s.write_all(&frame(true, 0x0, &[b'a'; 5000]));
    assert_eq!(close_code(&mut s), 1009);
    // Text where natter wants binary: 1003.
    let mut s = handshake(server.addr, "natter");
    s.write_all(&frame(true, 0x1, b"hello")).unwrap();
    assert_eq!(close_code(&mut s), 1003);
    // Garbage after the upgrade: 1002.
    let mut s = handshake(server.addr, "natter");
    s.write_all(&[0xff; 64]).unwrap();
    assert_eq!(close_code(&mut s), 1002);
    // Not UTF-8 in a text IRC line: 1007.
    let mut s = handshake(server.addr, "text.ircv3.net");
    s.write_all(&frame(true, 0x1, b"NICK \xff\xfe")).unwrap();
    assert_eq!(close_code(&mut s), 1007);
    // A good frame in fragments, with a ping between them, is fine.
    let mut s = handshake(server.addr, "natter");
    s.write_all(&frame(false, 0x2, &hello[..3])).unwrap();
    s.write_all(&frame(true, 0x9, b"are you there")).unwrap();
    s.write_all(&frame(true, 0x0, &hello[3..])).unwrap();
    let mut got = [0u8; 64];
    let mut seen = Vec::new();
    while !seen.windows(13).any(|w| w == b"are you there") || seen.len() < 20 {
        let n = s.read(&mut got).unwrap();
        assert!(n > 0);
        seen.extend_from_slice(&got[..n]);
    }
    assert!(seen.starts_with(&[0x8a, 13]), "the pong first: {seen:?}");
    // A natter frame the hub refuses gets natter's error inside the
    // WebSocket, as over TCP: a Bye (0x4f) in a binary message, then 1000.
    let mut s = handshake(server.addr, "natter");
    s.write_all(&frame(true, 0x2, &[0x00, 0x03, 0x7e, 0, 0]))
        .unwrap();
    let mut all = Vec::new();
    let _ = s.read_to_end(&mut all);
    assert_eq!(all[0], 0x82, "{all:?}");
    assert!(all.windows(2).any(|w| w == [0x88, 2]), "{all:?}");
    // The room noticed nothing.
    say(&mut talker, 1, "still here");
    assert_eq!(next_message(&mut bystander).1, "still here");
    server.stop().unwrap();
}
