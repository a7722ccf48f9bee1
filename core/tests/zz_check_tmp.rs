use natter_core::room::{Config, Hub};
use natter_core::time::Instant;
use natter_core::wire::*;

fn drain(hub: &mut Hub<4, 2, 8>, c: natter_core::room::ConnId) -> Vec<String> {
    let out = hub.transmit(c).to_vec();
    hub.handle_sent(Instant(1), c, out.len());
    let mut rest = &out[..];
    let mut v = vec![];
    while let Ok(Status::Complete((f, n))) = decode(rest) {
        v.push(format!("{f:?}"));
        rest = &rest[n..];
    }
    while hub.poll_close().is_some() {}
    v
}

fn send(hub: &mut Hub<4, 2, 8>, c: natter_core::room::ConnId, f: &Frame) {
    let mut b = [0u8; 1024];
    let n = f.encode(&mut b).unwrap();
    hub.handle_bytes(Instant(1), c, &b[..n]);
}

#[test]
fn check() {
    println!("U+0308 alphabetic: {}", '\u{308}'.is_alphabetic());
    let mut hub = Hub::<4, 2, 8>::new(Config {
        flood_rate: 0,
        ..Config::default()
    });
    hub.add_room("lobby").unwrap();
    let a = hub.handle_connect(Instant(0)).unwrap();
    send(
        &mut hub,
        a,
        &Frame::Hello {
            version: 1,
            nick: "ann",
            password: "",
        },
    );
    send(
        &mut hub,
        a,
        &Frame::Join {
            room: "lobby",
            since: 0,
        },
    );
    send(
        &mut hub,
        a,
        &Frame::Say {
            tag: 5,
            room: "lobby",
            flags: 0,
            text: "from ann",
        },
    );
    println!("A {:?}", drain(&mut hub, a));
    hub.handle_disconnect(Instant(2), a);
    let b = hub.handle_connect(Instant(3)).unwrap();
    println!("ann {a:?} bob {b:?}");
    send(
        &mut hub,
        b,
        &Frame::Hello {
            version: 1,
            nick: "bob",
            password: "",
        },
    );
    send(
        &mut hub,
        b,
        &Frame::Join {
            room: "lobby",
            since: 0,
        },
    );
    println!("B {:?}", drain(&mut hub, b));
    println!("B {:?}", drain(&mut hub, b));
}
