//! Throwaway: prints the hex examples for docs/PROTOCOL.md.
use natter_core::error::ErrorCode;
use natter_core::wire::*;

const T: u64 = 1_764_234_900_000; // 2025-11-27 09:15:00 UTC

#[test]
fn generate() {
    let names: &[&str] = &["ann", "bob", "[bot]"];
    let frames: Vec<(&str, Frame)> = vec![
        (
            "Hello",
            Frame::Hello {
                version: VERSION,
                nick: "ann",
                password: "",
            },
        ),
        (
            "HelloPw",
            Frame::Hello {
                version: VERSION,
                nick: "ann",
                password: "sesame",
            },
        ),
        (
            "Join",
            Frame::Join {
                room: "lobby",
                since: 0,
            },
        ),
        (
            "JoinResume",
            Frame::Join {
                room: "lobby",
                since: 41,
            },
        ),
        (
            "Part",
            Frame::Part {
                room: "maths",
                reason: "lunch",
            },
        ),
        (
            "Say",
            Frame::Say {
                tag: 1,
                room: "lobby",
                flags: 0,
                text: "hi all",
            },
        ),
        (
            "SayAction",
            Frame::Say {
                tag: 2,
                room: "lobby",
                flags: FLAG_ACTION,
                text: "waves",
            },
        ),
        (
            "Whisper",
            Frame::Whisper {
                tag: 3,
                to: "bob",
                flags: 0,
                text: "psst",
            },
        ),
        ("SetNick", Frame::SetNick { nick: "zoë" }),
        (
            "SetTopic",
            Frame::SetTopic {
                room: "lobby",
                topic: "fractions",
            },
        ),
        ("Quit", Frame::Quit { reason: "bye" }),
        ("Ping", Frame::Ping { token: 7 }),
        ("Pong", Frame::Pong { token: 7 }),
        (
            "Welcome",
            Frame::Welcome {
                version: VERSION,
                nick: "ann",
                lobby: "lobby",
                max_text: 512,
            },
        ),
        (
            "Entered",
            Frame::Entered {
                room: "lobby",
                topic: "fractions",
                next_id: 42,
                members: 3,
            },
        ),
        (
            "Names",
            Frame::Names {
                room: "lobby",
                flags: 0,
                nicks: NickList::Slice(names),
            },
        ),
        ("Left", Frame::Left { room: "maths" }),
        (
            "Message",
            Frame::Message {
                room: "lobby",
                id: 42,
                time: T,
                from: "bob",
                flags: 0,
                text: "hi ann",
            },
        ),
        (
            "MessageAction",
            Frame::Message {
                room: "lobby",
                id: 43,
                time: T + 1500,
                from: "bob",
                flags: FLAG_ACTION,
                text: "waves",
            },
        ),
        (
            "Joined",
            Frame::Joined {
                room: "lobby",
                id: 44,
                time: T + 2000,
                nick: "cat",
            },
        ),
        (
            "Parted",
            Frame::Parted {
                room: "lobby",
                id: 45,
                time: T + 3000,
                nick: "cat",
                reason: "lunch",
            },
        ),
        (
            "NickChanged",
            Frame::NickChanged {
                room: "lobby",
                id: 46,
                time: T + 4000,
                old: "ann",
                new: "zoë",
            },
        ),
        (
            "TopicChanged",
            Frame::TopicChanged {
                room: "lobby",
                id: 47,
                time: T + 5000,
                by: "bob",
                topic: "fractions",
            },
        ),
        (
            "Private",
            Frame::Private {
                time: T + 6000,
                from: "bob",
                flags: 0,
                text: "psst",
            },
        ),
        (
            "Ack",
            Frame::Ack {
                tag: 1,
                room: "lobby",
                id: 48,
                time: T + 7000,
            },
        ),
        (
            "AckWhisper",
            Frame::Ack {
                tag: 3,
                room: "",
                id: 0,
                time: T + 8000,
            },
        ),
        (
            "Gap",
            Frame::Gap {
                room: "lobby",
                missed: 11,
            },
        ),
        ("NickSet", Frame::NickSet { nick: "zoë" }),
        (
            "Error",
            Frame::Error {
                code: ErrorCode::NickTaken,
                tag: 0,
                subject: "ann",
            },
        ),
        (
            "ErrorFlood",
            Frame::Error {
                code: ErrorCode::Flooding,
                tag: 9,
                subject: "",
            },
        ),
        (
            "Bye",
            Frame::Bye {
                code: ErrorCode::IdleTimeout,
                reason: "no reply to ping",
            },
        ),
    ];
    let mut out = String::new();
    for (name, f) in frames {
        let mut buf = [0u8; MAX_FRAME_LEN];
        let n = f.encode(&mut buf).unwrap();
        let hex: Vec<String> = buf[..n].iter().map(|b| format!("{b:02x}")).collect();
        let lines: Vec<String> = hex.chunks(16).map(|c| c.join(" ")).collect();
        out.push_str(&format!("@@{name}\n{:?}\n{}\n", f, lines.join("\n")));
    }
    std::fs::write("/tmp/natter_hex.txt", out).unwrap();
}
