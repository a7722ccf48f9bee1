//! The first window hosts a room from its button (Alt+H), a second window
//! joins it, and they chat. Screenshots land in target/gui-shots/.

mod gui;

use gui::{Display, free_port, scratch, transcript_with};

#[test]
fn a_window_hosts_a_room_and_another_joins() {
    let display = Display::get();
    let dir = scratch("gui_host");
    let port = free_port().to_string();
    // The teacher's window: the connect page, filled in but not connected.
    let _teacher = display.natter(
        &["--nick", "teacher", "--port", &port],
        &dir.join("teacher"),
    );
    let connect_page = display.window("natter");
    display.place(&connect_page, 0, 0, 630, 560);
    display.key(&connect_page, "alt+h");
    let teacher = display.window("natter — lobby — teacher");
    display.screenshot("hosting.png");

    let _ada = display.natter(
        &[
            "--host",
            "127.0.0.1",
            "--port",
            &port,
            "--nick",
            "ada",
            "--connect",
        ],
        &dir.join("ada"),
    );
    let ada = display.window("natter — lobby — ada");
    display.place(&ada, 640, 0, 630, 560);

    let from_teacher = "Welcome, everyone! Bienvenue à tous 🎉";
    let from_ada = "Hi! ¡Hola! 你好";
    display.type_line(&teacher, from_teacher);
    display.type_line(&ada, from_ada);
    transcript_with(&display, &teacher, &dir.join("teacher.txt"), &[from_ada]);
    transcript_with(&display, &ada, &dir.join("ada.txt"), &[from_teacher]);
    let shot = display.screenshot("two-windows-hosted.png");
    eprintln!("screenshot: {}", shot.display());

    // Closing the host's window says goodbye to everyone: ada's window
    // says the connection is lost (and starts reconnecting).
    display.key(&teacher, "ctrl+q");
    let ada_saw = transcript_with(
        &display,
        &ada,
        &dir.join("ada-after.txt"),
        &["shutting down"],
    );
    assert!(ada_saw.contains("shutting down"), "{ada_saw}");
}
