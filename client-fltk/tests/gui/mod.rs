//! Driving real `natter` windows as a person would: an X server (the one
//! `xvfb-run` gives, or an Xvfb of our own), `xdotool` to find windows,
//! focus them and type, `/save` to read back what a window shows, and
//! `import` for screenshots. No window manager, as on CI.
#![allow(dead_code)] // each test file uses part of this

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

/// Longest wait for a window or for text to appear.
pub const WAIT: Duration = Duration::from_secs(30);

/// An X display for the test: `$DISPLAY` if there is one, else an Xvfb
/// started here (stopped on drop).
pub struct Display {
    pub name: String,
    xvfb: Option<Child>,
}

impl Display {
    pub fn get() -> Display {
        if let Ok(name) = std::env::var("DISPLAY") {
            if !name.is_empty() {
                return Display { name, xvfb: None };
            }
        }
        // A display number no one uses: the X socket does not exist yet.
        let n = (100..200)
            .find(|n| !Path::new(&format!("/tmp/.X11-unix/X{n}")).exists())
            .expect("no free X display number");
        let name = format!(":{n}");
        let xvfb = Command::new("Xvfb")
            .args([&name, "-screen", "0", "1280x800x24", "-nolisten", "tcp"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("Xvfb is not installed: scripts/test.sh installs it (package xvfb)");
        let socket = format!("/tmp/.X11-unix/X{n}");
        let start = Instant::now();
        while !Path::new(&socket).exists() {
            assert!(start.elapsed() < WAIT, "Xvfb did not start");
            thread::sleep(Duration::from_millis(50));
        }
        Display {
            name,
            xvfb: Some(xvfb),
        }
    }

    /// Run a command on this display and return its output; panics with
    /// its stderr if it fails.
    pub fn run(&self, program: &str, args: &[&str]) -> String {
        let out = Command::new("timeout")
            .arg(WAIT.as_secs().to_string())
            .arg(program)
            .args(args)
            .env("DISPLAY", &self.name)
            .output()
            .unwrap_or_else(|e| panic!("{program}: {e} (scripts/test.sh installs it)"));
        assert!(
            out.status.success(),
            "{program} {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// The id of the window whose title is exactly `title`, waiting for it.
    /// FLTK also sets the old `WM_NAME` title, as UTF-8 bytes labelled
    /// Latin-1, which is what xdotool matches: its non-ASCII characters
    /// (the title's dashes) match anything.
    pub fn window(&self, title: &str) -> String {
        let ascii: String = title
            .chars()
            .map(|c| if c.is_ascii() { c } else { '\u{1}' })
            .collect();
        let pattern = format!("^{}$", regex_escape(&ascii).replace('\u{1}', ".*"));
        let out = self.run("xdotool", &["search", "--sync", "--name", &pattern]);
        out.lines().next().unwrap_or_default().trim().to_owned()
    }

    /// Put a window at `(x, y)`, `w` × `h` (there is no window manager to
    /// place it).
    pub fn place(&self, window: &str, x: u32, y: u32, w: u32, h: u32) {
        self.run(
            "xdotool",
            &[
                "windowmove",
                "--sync",
                window,
                &x.to_string(),
                &y.to_string(),
            ],
        );
        self.run(
            "xdotool",
            &[
                "windowsize",
                "--sync",
                window,
                &w.to_string(),
                &h.to_string(),
            ],
        );
    }

    /// Give `window` the keyboard focus and type `text`, as a person would
    /// (40 ms between keys), then press Return.
    pub fn type_line(&self, window: &str, text: &str) {
        self.focus(window);
        self.run("xdotool", &["type", "--delay", "40", "--", text]);
        self.run("xdotool", &["key", "--delay", "40", "Return"]);
    }

    pub fn key(&self, window: &str, keys: &str) {
        self.focus(window);
        self.run("xdotool", &["key", "--delay", "40", keys]);
    }

    /// Focus `window` and click in it at `(x, y)` (window coordinates).
    pub fn click(&self, window: &str, (x, y): (u32, u32)) {
        self.focus(window);
        let (x, y) = (x.to_string(), y.to_string());
        // Not `--sync`: it waits many seconds when the pointer is there
        // already (the second read of the same window).
        self.run("xdotool", &["mousemove", "--window", window, &x, &y]);
        thread::sleep(Duration::from_millis(100));
        self.run("xdotool", &["click", "1"]);
    }

    pub fn focus(&self, window: &str) {
        self.run("xdotool", &["windowfocus", "--sync", window]);
        thread::sleep(Duration::from_millis(150));
    }

    /// A screenshot of the whole screen.
    pub fn screenshot(&self, name: &str) -> PathBuf {
        let path = shots().join(name);
        self.run(
            "import",
            &["-window", "root", path.to_str().unwrap_or("shot.png")],
        );
        path
    }

    /// Start `natter` on this display with its own settings directory.
    pub fn natter(&self, args: &[&str], config: &Path) -> Natter {
        let child = Command::new(env!("CARGO_BIN_EXE_natter"))
            .args(args)
            .env("DISPLAY", &self.name)
            .env("NATTER_CONFIG_DIR", config)
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start natter");
        Natter(child)
    }
}

impl Drop for Display {
    fn drop(&mut self) {
        if let Some(mut x) = self.xvfb.take() {
            let _ = x.kill();
            let _ = x.wait();
        }
    }
}

/// A running client window, killed on drop if still running.
pub struct Natter(pub Child);

impl Drop for Natter {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Where screenshots go: `target/gui-shots/`.
pub fn shots() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
        .join("gui-shots");
    let _ = std::fs::create_dir_all(&dir);
    dir
}

/// A fresh scratch directory under the target directory.
pub fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch directory");
    dir
}

/// A loopback port that was free a moment ago.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// Ask `window` to save its transcript to `path` (the `/save` command)
/// until the file holds every one of `wanted`, and return it.
pub fn transcript_with(display: &Display, window: &str, path: &Path, wanted: &[&str]) -> String {
    let start = Instant::now();
    loop {
        let _ = std::fs::remove_file(path);
        display.type_line(window, &format!("/save {}", path.display()));
        thread::sleep(Duration::from_millis(500));
        let text = std::fs::read_to_string(path).unwrap_or_default();
        if wanted.iter().all(|w| text.contains(w)) {
            return text;
        }
        assert!(
            start.elapsed() < WAIT,
            "the window's transcript never showed {wanted:?}:\n{text}"
        );
        thread::sleep(Duration::from_secs(1));
    }
}

/// What `window`'s conversation on show holds, read as a person could:
/// a click into it at `(x, y)` (window coordinates), Ctrl+A (which
/// selects all and puts it in the X primary selection) and `xclip`;
/// Escape then gives the input line the keyboard back. Asked again until
/// it holds every one of `wanted`.
pub fn view_text_with(display: &Display, window: &str, at: (u32, u32), wanted: &[&str]) -> String {
    let start = Instant::now();
    loop {
        display.click(window, at);
        display.run("xdotool", &["key", "--delay", "40", "ctrl+a"]);
        thread::sleep(Duration::from_millis(150));
        let text = display.run("xclip", &["-o", "-selection", "primary"]);
        display.run("xdotool", &["key", "--delay", "40", "Escape"]);
        if wanted.iter().all(|w| text.contains(w)) {
            return text;
        }
        assert!(
            start.elapsed() < WAIT,
            "the window's view never showed {wanted:?}:\n{text}"
        );
        thread::sleep(Duration::from_millis(500));
    }
}

fn regex_escape(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if "\\.+*?()|[]{}^$".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}
