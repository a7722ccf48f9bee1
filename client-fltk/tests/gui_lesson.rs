//! A lesson in two windows and irssi (issue 17): the teacher hosts (and so
//! is the teacher), a student joins in a window and another in irssi (in
//! tmux). The teacher makes the room moderated; the
//! student's window says why it cannot speak, the student raises a hand,
//! is given the word and speaks, has a line removed, is muted (a muted
//! line reaches nobody) and is put out with a reason. Screenshots land in target/gui-shots/.

mod gui;
#[path = "../../server-std/tests/common/tmux.rs"]
mod tmux;

use gui::{Display, free_port, scratch, transcript_with};
use tmux::Tmux;

#[test]
fn a_teacher_runs_a_lesson_with_a_student() {
    let display = Display::get();
    let dir = scratch("gui_lesson");
    let port = free_port().to_string();
    let _teacher = display.natter(&["--nick", "mslee", "--port", &port], &dir.join("teacher"));
    let connect_page = display.window("natter");
    display.place(&connect_page, 0, 0, 630, 600);
    display.key(&connect_page, "alt+h");
    let teacher = display.window("natter — lobby — mslee");
    transcript_with(
        &display,
        &teacher,
        &dir.join("t0.txt"),
        &["You are the teacher"],
    );

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
    display.place(&ada, 640, 0, 630, 600);
    transcript_with(
        &display,
        &ada,
        &dir.join("a0.txt"),
        &["mslee is the teacher"],
    );

    // zed, on irssi.
    tmux::require("tmux");
    tmux::require("irssi");
    let home = dir.join("irssi");
    std::fs::create_dir_all(&home).unwrap();
    let zed = Tmux::start(
        &format!("natter-lesson-{}", std::process::id()),
        &format!(
            "irssi --home={} -n zed -c 127.0.0.1 -p {port}",
            home.display()
        ),
    );
    zed.shows("Welcome to natter, zed");
    zed.type_line("/join #lobby");
    zed.shows("has joined #lobby");
    transcript_with(&display, &teacher, &dir.join("t0b.txt"), &["zed joined"]);

    // A moderated start: ada's window says why she cannot speak, and her
    // line goes nowhere.
    display.type_line(&teacher, "/mode +m");
    transcript_with(
        &display,
        &ada,
        &dir.join("a1.txt"),
        &["mslee made the room moderated"],
    );
    display.type_line(&ada, "can I speak?");
    // Refused, the line stays in the input, to send once given the word;
    // ada clears it to type a command.
    display.key(&ada, "ctrl+a");
    display.key(&ada, "BackSpace");
    let a2 = transcript_with(
        &display,
        &ada,
        &dir.join("a2.txt"),
        &["Only the teacher speaks in #lobby now"],
    );
    assert!(a2.contains("Raise your hand"), "{a2}");
    display.screenshot("lesson-moderated.png");
    // zed (IRC) sees the mode, and is refused with the reason too.
    zed.line_with(&["mode/#lobby", "+m", "by mslee"]);
    zed.type_line("me too?");
    zed.shows("only the teacher and those given the word speak");

    // A raised hand, the word given, a line said.
    display.key(&ada, "alt+r");
    transcript_with(
        &display,
        &teacher,
        &dir.join("t1.txt"),
        &["ada raises a hand"],
    );
    display.screenshot("lesson-hand.png");
    display.type_line(&teacher, "/voice ada");
    transcript_with(
        &display,
        &ada,
        &dir.join("a3.txt"),
        &["mslee gave ada the word"],
    );
    display.type_line(&ada, "is it three fifths?");
    transcript_with(
        &display,
        &teacher,
        &dir.join("t2.txt"),
        &["<ada> is it three fifths?"],
    );

    // A line the teacher removes: replaced in both windows.
    display.type_line(&ada, "something unkind");
    transcript_with(
        &display,
        &teacher,
        &dir.join("t2b.txt"),
        &["<ada> something unkind"],
    );
    display.type_line(&teacher, "/remove ada");
    let removed = "<ada> (removed by the teacher)";
    let t = transcript_with(
        &display,
        &teacher,
        &dir.join("t2c.txt"),
        &[removed, "mslee removed a message by ada"],
    );
    let a = transcript_with(&display, &ada, &dir.join("a3b.txt"), &[removed]);
    assert!(
        !t.contains("something unkind") && !a.contains("something unkind"),
        "{t}\n{a}"
    );
    display.screenshot("lesson-removed.png");
    zed.shows("mslee removed a message by ada");

    // A mute: the reason in ada's window, and her line reaches nobody.
    display.type_line(&teacher, "/mute ada");
    transcript_with(&display, &ada, &dir.join("a4.txt"), &["mslee muted ada"]);
    display.type_line(&ada, "this should not be heard");
    display.key(&ada, "ctrl+a");
    display.key(&ada, "BackSpace");
    transcript_with(
        &display,
        &ada,
        &dir.join("a5.txt"),
        &["The teacher muted you in #lobby"],
    );
    display.screenshot("lesson-muted.png");

    // Put out, with a reason.
    display.type_line(&teacher, "/kick ada time for a break");
    let a6 = transcript_with(
        &display,
        &ada,
        &dir.join("a6.txt"),
        &["mslee put you out of #lobby: time for a break"],
    );
    let t3 = transcript_with(
        &display,
        &teacher,
        &dir.join("t3.txt"),
        &["mslee put ada out of the room: time for a break"],
    );
    assert!(
        !t3.contains("this should not be heard"),
        "a muted line got through:\n{t3}"
    );
    assert!(
        !t3.contains("can I speak?"),
        "an unvoiced line got through:\n{t3}"
    );
    assert!(a6.contains("is it three fifths?"));
    assert!(
        !t3.contains("me too?"),
        "zed's unvoiced line got through:\n{t3}"
    );
    let irssi = zed.line_with(&["ada was kicked from #lobby by mslee", "time for a break"]);
    let screen = zed.screen();
    // irssi showed the removed line live (IRC cannot take a line back from
    // a client without draft/message-redaction) and then the notice.
    assert!(screen.contains("is it three fifths?"), "{screen}");
    std::fs::write(gui::shots().join("lesson-irssi.txt"), &screen).unwrap();
    eprintln!("irssi: {irssi}\n{screen}");
    let shot = display.screenshot("lesson-kicked.png");
    eprintln!("screenshot: {}", shot.display());
}
