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
    let shot = display.screenshot("hosting.png");
    eprintln!("screenshot: {}", shot.display());
    scan_the_banner(&display, &port, true);
    // "Hide QR codes" (Alt+Q) gives the conversation its room back; the
    // button then shows them again.
    if !natter_client::host::addresses().is_empty() {
        display.key(&teacher, "alt+q");
        display.screenshot("hosting-codes-hidden.png");
        scan_the_banner(&display, &port, false);
        display.key(&teacher, "alt+q");
        scan_the_banner(&display, &port, true);
    }

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

/// The hosting banner's QR codes, read off the screen as a phone's camera
/// would (by `rqrr`, a decoder apart from the encoder), open the join page
/// at each of this computer's addresses (the IPv4 ones at least: a narrow
/// window may leave an IPv6 one out); none are read when `shown` is false.
fn scan_the_banner(display: &Display, port: &str, shown: bool) {
    let addresses = natter_client::host::addresses();
    let expect_codes = shown && !addresses.is_empty();
    // The window redraws a moment after the key: look again for 5 s.
    let mut found = codes_on_screen(display);
    for _ in 0..20 {
        if found.is_empty() != expect_codes {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(250));
        found = codes_on_screen(display);
    }
    eprintln!("codes on screen: {found:?}");
    if addresses.is_empty() {
        // No network: only this computer can connect, and no code is shown.
        eprintln!(
            "this computer has no LAN address (host::addresses() is empty): \
             checked that no code is drawn; nothing to decode"
        );
        assert!(found.is_empty(), "{found:?}");
        return;
    }
    if !shown {
        assert!(found.is_empty(), "hidden, yet {found:?}");
        return;
    }
    let urls: Vec<String> = addresses
        .iter()
        .map(|ip| natter_server::web::qr::join_url(*ip, port.parse().expect("a port")))
        .collect();
    for (ip, url) in addresses.iter().zip(&urls) {
        if ip.is_ipv4() {
            assert!(found.contains(url), "no code for {url} in {found:?}");
        }
    }
    assert!(!found.is_empty());
    assert!(
        found.iter().all(|u| urls.contains(u)),
        "{found:?} not in {urls:?}"
    );
}

/// Every QR code on the 1280x800 screen, decoded.
fn codes_on_screen(display: &Display) -> Vec<String> {
    let raw = scratch("gui_host_screen").join("screen.gray");
    // The whole screen as 8-bit grey.
    display.run(
        "import",
        &[
            "-window",
            "root",
            "-depth",
            "8",
            &format!("gray:{}", raw.display()),
        ],
    );
    let pixels = std::fs::read(&raw).expect("the screen's pixels");
    let (w, h) = (1280, 800);
    assert_eq!(pixels.len(), w * h, "a 1280x800 screen");
    let mut img = rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| pixels[y * w + x]);
    img.detect_grids()
        .iter()
        .filter_map(|g| g.decode().ok().map(|(_, text)| text))
        .collect()
}
