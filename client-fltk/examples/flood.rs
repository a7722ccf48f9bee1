//! Send many messages to a room, to try the window with a long, fast
//! conversation: `cargo run -p natter-client --example flood -- 127.0.0.1:5601 10000 ada`
//! (every 50th line mentions the third argument). Start the server with
//! `--flood-rate 0` so it takes them all.

use natter_core::wire::Frame;
use natter_server::client::Client;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let addr = args.next().unwrap_or_else(|| "127.0.0.1:5555".into());
    let count: u32 = args.next().map_or(Ok(1000), |n| n.parse())?;
    let mention = args.next().unwrap_or_default();
    let mut client = Client::connect(addr.as_str(), "flooder", "")
        .map_err(|e| format!("cannot connect to {addr}: {e:?}"))?;
    let room = client.lobby.clone();
    let send =
        |client: &mut Client, frame: &Frame<'_>| client.send(frame).map_err(|e| format!("{e:?}"));
    send(
        &mut client,
        &Frame::Join {
            room: &room,
            epoch: 0,
            since: 0,
            key: "",
        },
    )?;
    for i in 1..=count {
        let text = match i % 50 {
            0 => format!("line {i}: {mention}, this one is for you"),
            _ => format!("line {i} of {count}: the quick brown fox jumps over the lazy dog"),
        };
        send(
            &mut client,
            &Frame::Say {
                tag: i,
                room: &room,
                flags: 0,
                text: &text,
            },
        )?;
        // Read the acks now and then so the server never sees a stalled reader.
        if i % 100 == 0 {
            while let Ok(frame) = client.recv() {
                if matches!(frame, Frame::Ack { tag, .. } if tag == i) {
                    break;
                }
            }
        }
    }
    send(&mut client, &Frame::Quit { reason: "done" })?;
    Ok(())
}
