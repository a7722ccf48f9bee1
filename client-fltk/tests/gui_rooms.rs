//! A window in two rooms and a private conversation (issue 17): each
//! room's lines show only in that room's view, the keys switch views, a
//! whisper opens a view named after the other person, and a closed one
//! opens again on the next message. Two real `natter` windows through a
//! natter-server, typed into with xdotool; what a view shows is read
//! back through the X selection (Ctrl+A in the view). Screenshots land
//! in target/gui-shots/.

mod gui;

use gui::{Display, scratch, transcript_with, view_text_with};
use natter_server::{Options, Server};

/// Somewhere in the conversation of a window 630 × 560 (the room list
/// and the member list are 120 pixels wide each at that size).
const IN_VIEW: (u32, u32) = (300, 250);

#[test]
fn each_room_and_private_conversation_has_its_own_view() {
    let server = Server::bind(Options {
        bind: "127.0.0.1:0".parse().unwrap(),
        ..Options::default()
    })
    .expect("bind");
    let port = server.local_addr().port().to_string();
    let stop = server.shutdown_handle();
    let serving = std::thread::spawn(move || server.run());

    let display = Display::get();
    let dir = scratch("gui_rooms");
    let common = ["--host", "127.0.0.1", "--port", &port, "--connect"];
    let _ann = display.natter(
        &[&common[..], &["--nick", "ann"]].concat(),
        &dir.join("ann"),
    );
    let ann = display.window("natter — lobby — ann");
    display.place(&ann, 0, 0, 630, 560);
    let _bob = display.natter(
        &[&common[..], &["--nick", "bob", "--theme", "dark"]].concat(),
        &dir.join("bob"),
    );
    let bob = display.window("natter — lobby — bob");
    display.place(&bob, 640, 0, 630, 560);

    // Both join #maths: /join selects the room joined.
    display.type_line(&ann, "/join maths");
    display.window("natter — maths — ann");
    display.type_line(&bob, "/join maths");
    display.window("natter — maths — bob");
    let in_maths = "two and two make four";
    display.type_line(&bob, in_maths);
    // Alt+1 shows the first room: bob's line goes to the lobby.
    display.key(&bob, "alt+1");
    display.window("natter — lobby — bob");
    let in_lobby = "lunch is at noon";
    display.type_line(&bob, in_lobby);

    // Each of ann's rooms shows its own line and not the other's (read
    // once both lines have arrived, so that the absence means something).
    view_text_with(&display, &ann, IN_VIEW, &[in_maths, "bob joined"]);
    // Ctrl+PageUp goes up to the lobby.
    display.key(&ann, "ctrl+Prior");
    display.window("natter — lobby — ann");
    let lobby = view_text_with(&display, &ann, IN_VIEW, &[in_lobby]);
    assert!(
        !lobby.contains(in_maths),
        "the lobby shows #maths:\n{lobby}"
    );
    // Ctrl+PageDown comes back to #maths, even with the keyboard in a
    // conversation long enough to scroll, which would take the key (the
    // help is four lines at this width).
    for _ in 0..6 {
        display.type_line(&ann, "/help");
    }
    display.click(&ann, IN_VIEW);
    display.key(&ann, "ctrl+Next");
    display.window("natter — maths — ann");
    let maths = view_text_with(&display, &ann, IN_VIEW, &[in_maths]);
    assert!(
        !maths.contains(in_lobby),
        "#maths shows the lobby:\n{maths}"
    );

    // A whisper opens a view named after the sender (not on show), and
    // /msg one named after the recipient (on show).
    let psst = "psst, page seven";
    display.type_line(&bob, &format!("/msg ann {psst}"));
    display.window("natter — ann (private) — bob");
    display.key(&ann, "alt+3");
    display.window("natter — bob (private) — ann");
    let private = view_text_with(&display, &ann, IN_VIEW, &[psst]);
    assert!(!private.contains(in_maths), "{private}");
    // Typing in it whispers bob, whose private view shows it.
    let answer = "thanks, found it";
    display.type_line(&ann, answer);
    view_text_with(&display, &bob, IN_VIEW, &[psst, answer]);
    let shot = display.screenshot("rooms-private.png");
    eprintln!("screenshot: {}", shot.display());

    // Closed (Ctrl+W), ann is back on the room above; bob's next whisper
    // opens it again.
    display.key(&ann, "ctrl+w");
    display.window("natter — maths — ann");
    let again = "one more thing";
    display.type_line(&bob, again);
    display.key(&ann, "alt+3");
    display.window("natter — bob (private) — ann");
    view_text_with(&display, &ann, IN_VIEW, &[again]);

    // /part alone leaves the selected room: ann selects #maths and parts.
    display.key(&ann, "alt+2");
    display.window("natter — maths — ann");
    display.type_line(&ann, "/part");
    display.window("natter — lobby — ann");
    view_text_with(&display, &ann, IN_VIEW, &["You left #maths."]);

    // The transcript has every room's lines, each with its room.
    let saved = transcript_with(
        &display,
        &ann,
        &dir.join("ann.txt"),
        &[in_maths, in_lobby, psst, again],
    );
    assert!(
        saved.contains(&format!("#maths <bob> {in_maths}")),
        "{saved}"
    );
    assert!(
        saved.contains(&format!("#lobby <bob> {in_lobby}")),
        "{saved}"
    );
    assert!(
        saved.contains(&format!("(private) <bob> {psst}")),
        "{saved}"
    );
    assert!(
        saved.contains(&format!("(private to bob) {answer}")),
        "{saved}"
    );

    stop.shutdown();
    let _ = serving.join();
}
