//! Two real `natter` windows chat through a natter-server, typed into
//! with xdotool; each one's transcript must show the other's message.
//! Screenshots land in target/gui-shots/ (one window dark, one light).

mod gui;

use gui::{Display, scratch, transcript_with};
use natter_server::{Options, Server};

#[test]
fn two_windows_chat_through_a_server() {
    let server = Server::bind(Options {
        bind: "127.0.0.1:0".parse().unwrap(),
        ..Options::default()
    })
    .expect("bind");
    let port = server.local_addr().port().to_string();
    let stop = server.shutdown_handle();
    let serving = std::thread::spawn(move || server.run());

    let display = Display::get();
    let dir = scratch("gui_chat");
    let common = ["--host", "127.0.0.1", "--port", &port, "--connect"];
    let _ann = display.natter(
        &[&common[..], &["--nick", "ann", "--theme", "dark"]].concat(),
        &dir.join("ann"),
    );
    let ann = display.window("natter — lobby — ann");
    display.place(&ann, 0, 0, 630, 560);
    let _bob = display.natter(
        &[&common[..], &["--nick", "bob", "--theme", "light"]].concat(),
        &dir.join("bob"),
    );
    let bob = display.window("natter — lobby — bob");
    display.place(&bob, 640, 0, 630, 560);

    let from_ann = "Grüße, ça va? 👋";
    let from_bob = "très bien, merci — 日本語も";
    display.type_line(&ann, from_ann);
    display.type_line(&bob, from_bob);

    let ann_saw = transcript_with(&display, &ann, &dir.join("ann.txt"), &[from_bob, "bob"]);
    let bob_saw = transcript_with(&display, &bob, &dir.join("bob.txt"), &[from_ann, "ann"]);
    // Each also shows its own line once.
    assert_eq!(ann_saw.matches(from_ann).count(), 1, "{ann_saw}");
    assert_eq!(bob_saw.matches(from_bob).count(), 1, "{bob_saw}");
    let shot = display.screenshot("two-windows-server.png");
    eprintln!("screenshot: {}", shot.display());

    stop.shutdown();
    let _ = serving.join();
}
