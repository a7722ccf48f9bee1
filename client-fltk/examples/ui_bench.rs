//! The client's benchmark: start-up time, input echo while a flood of
//! messages arrives, and memory. Needs an X display (`xvfb-run -a`) and
//! xdotool, and a release build of the window:
//!
//! ```sh
//! cargo build --release -p natter-client
//! xvfb-run -a -s "-screen 0 1280x800x24" \
//!     cargo run --release -p natter-client --example ui_bench -- target/release/natter
//! ```
//!
//! Arguments (all optional, in order): the `natter` binary, the flood's
//! messages per second (1000), its seconds (30), the total lines for the
//! memory figure (50000). The window reports when it is ready and when a
//! key it got is drawn through its probe (`NATTER_PROBE`, see
//! `src/ui/probe.rs`); this program compares those moments with its own
//! clock.

use std::io::Read;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use natter_core::wire::Frame;
use natter_server::client::Client;
use natter_server::{Options, Server};

type Error = Box<dyn std::error::Error>;

fn main() -> Result<(), Error> {
    let mut args = std::env::args().skip(1);
    let natter = PathBuf::from(
        args.next()
            .unwrap_or_else(|| "target/release/natter".into()),
    );
    let rate: u64 = args.next().map_or(Ok(1000), |a| a.parse())?;
    let seconds: u64 = args.next().map_or(Ok(30), |a| a.parse())?;
    let total: u64 = args.next().map_or(Ok(50_000), |a| a.parse())?;
    if std::env::var_os("DISPLAY").is_none() {
        return Err("no X display: run under xvfb-run -a".into());
    }
    let work = std::env::temp_dir().join(format!("natter-ui-bench-{}", std::process::id()));
    std::fs::create_dir_all(&work)?;

    startup(&natter, &work)?;

    let server = Server::bind(Options {
        bind: "127.0.0.1:0".parse()?,
        flood_rate: 0,
        ..Options::default()
    })?;
    let addr = server.local_addr();
    let stop = server.shutdown_handle();
    let serving = thread::spawn(move || server.run());
    let result = flood(&natter, &work, addr, rate, seconds, total);
    stop.shutdown();
    let _ = serving.join();
    let _ = std::fs::remove_dir_all(&work);
    result
}

/// Exec to a window ready for typing, six times: the first run warms the
/// caches, the median of the other five is reported.
fn startup(natter: &Path, work: &Path) -> Result<(), Error> {
    let mut times = Vec::new();
    for run in 0..6 {
        let probe = work.join(format!("startup-{run}"));
        let start = now_us();
        let mut child = Window::spawn(natter, &probe, &["--nick", "bench"], work)?;
        let ready = wait_for_line(&probe, "ready", 1, Duration::from_secs(20))?;
        child.stop();
        times.push((ready[0] - start) as f64 / 1000.0);
    }
    let cold = times.remove(0);
    times.sort_by(f64::total_cmp);
    println!(
        "start-up (exec to window ready for typing): median {:.1} ms warm (min {:.1}, max {:.1}; first run {:.1} ms)",
        times[times.len() / 2],
        times[0],
        times[times.len() - 1],
        cold
    );
    Ok(())
}

/// `rate` messages per second for `seconds` into the viewer's room, with
/// keys typed into its input line every 200 ms; then more messages up to
/// `total`, and the window's memory.
fn flood(
    natter: &Path,
    work: &Path,
    addr: SocketAddr,
    rate: u64,
    seconds: u64,
    total: u64,
) -> Result<(), Error> {
    let probe = work.join("flood");
    let port = addr.port().to_string();
    let mut viewer = Window::spawn(
        natter,
        &probe,
        &[
            "--host",
            "127.0.0.1",
            "--port",
            &port,
            "--nick",
            "viewer",
            "--connect",
        ],
        work,
    )?;
    let window = xdotool(&["search", "--sync", "--name", "^natter .* lobby .* viewer$"])?;
    let window = window.lines().next().unwrap_or_default().to_owned();
    xdotool(&["windowfocus", "--sync", &window])?;
    thread::sleep(Duration::from_millis(300));

    let mut flooder = Flooder::connect(addr)?;
    let flood_start = Instant::now();
    let per_tick = (rate / 100).max(1);
    let mut sent = 0u64;
    let mut key_times = Vec::new();
    let mut next_key = Instant::now();
    let keys = ["a", "BackSpace"];
    while flood_start.elapsed() < Duration::from_secs(seconds) {
        // 10 ms ticks, each with its share of the second's messages.
        let due = flood_start.elapsed().as_millis() as u64 / 10 * per_tick;
        while sent < due {
            flooder.say(sent)?;
            sent += 1;
        }
        if Instant::now() >= next_key {
            key_times.push(now_us());
            xdotool(&["key", keys[key_times.len() % 2]])?;
            next_key += Duration::from_millis(200);
        }
        thread::sleep(Duration::from_millis(2));
    }
    let flood_secs = flood_start.elapsed().as_secs_f64();
    let echoes = wait_for_line(&probe, "echo", key_times.len(), Duration::from_secs(30))?;
    let mut echo_ms: Vec<f64> = echoes
        .iter()
        .zip(&key_times)
        .map(|(e, k)| e.saturating_sub(*k) as f64 / 1000.0)
        .collect();
    echo_ms.sort_by(f64::total_cmp);
    let at = |q: f64| echo_ms[((echo_ms.len() - 1) as f64 * q).round() as usize];
    println!(
        "flood: {sent} messages in {flood_secs:.1} s ({:.0}/s) into the viewer's room",
        sent as f64 / flood_secs
    );
    println!(
        "input echo while flooded ({} keys, xdotool to redrawn): median {:.1} ms, p90 {:.1} ms, max {:.1} ms",
        echo_ms.len(),
        at(0.5),
        at(0.9),
        at(1.0)
    );
    println!(
        "memory after the flood ({sent} lines): {}",
        memory(viewer.id())?
    );
    while sent < total {
        flooder.say(sent)?;
        sent += 1;
    }
    // The last line is in the window once its transcript holds it.
    let last = format!("flood line {}", total - 1);
    let saved = work.join("transcript.txt");
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        xdotool(&[
            "type",
            "--delay",
            "20",
            &format!("/save {}", saved.display()),
        ])?;
        xdotool(&["key", "Return"])?;
        thread::sleep(Duration::from_millis(500));
        let text = std::fs::read_to_string(&saved).unwrap_or_default();
        if text.contains(&last) {
            let kept = text.lines().count();
            println!(
                "memory with {total} lines received: {} (the transcript holds {kept} lines; the view 2,000-4,000)",
                memory(viewer.id())?
            );
            break;
        }
        if Instant::now() > deadline {
            return Err("the window never showed the last line".into());
        }
    }
    viewer.stop();
    Ok(())
}

/// A `natter` window with its probe file.
struct Window(Child);

impl Window {
    fn spawn(natter: &Path, probe: &Path, args: &[&str], work: &Path) -> Result<Window, Error> {
        let child = Command::new(natter)
            .args(args)
            .env("NATTER_PROBE", probe)
            .env("NATTER_CONFIG_DIR", work.join("config"))
            .stdout(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", natter.display()))?;
        Ok(Window(child))
    }

    fn id(&self) -> u32 {
        self.0.id()
    }

    fn stop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Drop for Window {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A client that says numbered lines and throws its acks away.
struct Flooder {
    client: Client,
}

impl Flooder {
    fn connect(addr: SocketAddr) -> Result<Flooder, Error> {
        let mut client = Client::connect(addr, "flooder", "").map_err(|e| e.to_string())?;
        client
            .send(&Frame::Join {
                room: "lobby",
                epoch: 0,
                since: 0,
                key: "",
            })
            .map_err(|e| e.to_string())?;
        let mut acks = client.socket().try_clone()?;
        thread::spawn(move || {
            let mut buf = [0u8; 65536];
            while matches!(acks.read(&mut buf), Ok(n) if n > 0) {}
        });
        Ok(Flooder { client })
    }

    fn say(&mut self, i: u64) -> Result<(), Error> {
        let text = format!("flood line {i}: the quick brown fox jumps over the lazy dog");
        self.client
            .send(&Frame::Say {
                tag: (i % u64::from(u32::MAX)) as u32 + 1,
                room: "lobby",
                flags: 0,
                text: &text,
            })
            .map_err(|e| e.to_string().into())
    }
}

fn now_us() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_micros() as u64)
}

/// The times of the first `count` lines `<what> <us>` in the probe file.
fn wait_for_line(
    probe: &Path,
    what: &str,
    count: usize,
    limit: Duration,
) -> Result<Vec<u64>, Error> {
    let deadline = Instant::now() + limit;
    loop {
        let text = std::fs::read_to_string(probe).unwrap_or_default();
        let times: Vec<u64> = text
            .lines()
            .filter_map(|l| l.strip_prefix(what)?.trim().parse().ok())
            .collect();
        if times.len() >= count {
            return Ok(times[..count].to_vec());
        }
        if Instant::now() > deadline {
            return Err(format!(
                "only {} of {count} '{what}' lines in the probe",
                times.len()
            )
            .into());
        }
        thread::sleep(Duration::from_millis(20));
    }
}

fn xdotool(args: &[&str]) -> Result<String, Error> {
    let out = Command::new("timeout")
        .arg("30")
        .arg("xdotool")
        .args(args)
        .output()
        .map_err(|e| format!("xdotool: {e}"))?;
    if !out.status.success() {
        return Err(format!("xdotool {args:?}: {}", String::from_utf8_lossy(&out.stderr)).into());
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Resident and peak memory of a process, from /proc.
fn memory(pid: u32) -> Result<String, Error> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .map_or("?".to_owned(), |v| v.trim().to_owned())
    };
    Ok(format!(
        "RSS {} (peak {})",
        field("VmRSS:"),
        field("VmHWM:")
    ))
}
