//! `natter-bench`: load natter-server (and a reference relay) with many
//! clients on loopback and report throughput, latency, correctness, and the
//! server's CPU time and memory.
//!
//! * `natter-bench run --addr HOST:PORT ...` loads a running server.
//! * `natter-bench compare --clients 10,50,100` starts natter-server and the
//!   reference relay itself, one after the other on free loopback ports,
//!   loads each the same way and prints a table (and JSON with `--json`).
//! * `natter-bench scale --members 10000` opens thousands of connections
//!   (starting natter-server itself unless given `--addr`), reports the
//!   ramp and the server's idle memory, and with `--senders` loads one big
//!   room (or several) at a fixed rate and checks every delivery.
//! * `natter-bench relay` runs the reference relay alone.

mod limits;
mod load;
mod relay;
mod scale;
mod tally;
mod ws;

use std::io::{self, BufRead, BufReader};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, Command, ExitCode, Stdio};
use std::time::Duration;

use clap::{Args, Parser, Subcommand};
use load::{Proto, Report, Spec};

#[derive(Parser)]
#[command(about = "Load generator for natter-server, with a reference relay to compare against")]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Load a server that is already running.
    Run {
        /// The server's address (loopback only).
        #[arg(long)]
        addr: SocketAddr,
        /// Speak natter, IRC (natter-server's IRC side, or any IRC server:
        /// NICK, USER, JOIN, PRIVMSG), or newline-separated lines (the
        /// reference relay).
        /// Or `websocket`: natter frames over natter-server's WebSocket, as
        /// the browser page speaks.
        #[arg(long, alias = "proto", default_value = "natter", value_parser = ["natter", "irc", "lines", "websocket"])]
        protocol: String,
        /// The server's name in the table (default: the protocol).
        #[arg(long)]
        label: Option<String>,
        /// The server's process id, to report its CPU time and peak memory.
        #[arg(long)]
        server_pid: Option<u32>,
        /// Number of clients.
        #[arg(long, default_value_t = 10)]
        clients: usize,
        #[command(flatten)]
        load: LoadArgs,
    },
    /// Start natter-server and the reference relay in turn, load both the
    /// same way at each client count, and print a table.
    Compare {
        /// Client counts, comma-separated.
        #[arg(long, value_delimiter = ',', default_value = "10,50,100")]
        clients: Vec<usize>,
        /// The natter-server binary (default: next to this one).
        #[arg(long)]
        server: Option<PathBuf>,
        /// Runs per configuration; the median run (by deliveries/s) is reported.
        #[arg(long, default_value_t = 3)]
        repeat: usize,
        /// What natter is compared with: the reference `relay`, or
        /// `websocket`: natter-server with browsers' transport (`ws`)
        /// against the same server with natter's TCP clients.
        #[arg(long, default_value = "relay", value_parser = ["relay", "websocket"])]
        against: String,
        #[command(flatten)]
        load: LoadArgs,
    },
    /// Thousands of members on one server: the ramp up, the server's
    /// memory once they idle, and (with --senders) a big room's traffic.
    Scale(ScaleArgs),
    /// Run the reference relay (prints `port: N` when listening).
    Relay {
        #[arg(long, default_value = "127.0.0.1:0")]
        bind: SocketAddr,
    },
}

#[derive(Args, Clone)]
struct LoadArgs {
    /// How many clients send (default: all).
    #[arg(long)]
    senders: Option<usize>,
    /// Messages per sender (default: enough for about 20 million deliveries).
    #[arg(long)]
    messages: Option<u32>,
    /// The room to load (natter only). Default: a fresh room named after
    /// this process, so earlier runs' history stays out; `compare` starts a
    /// fresh server for each run and uses its lobby, as a class would.
    #[arg(long)]
    room: Option<String>,
    /// Message size in bytes.
    #[arg(long, default_value_t = 64)]
    size: usize,
    /// Messages in flight per sender.
    #[arg(long, default_value_t = 16)]
    window: u32,
    /// Hold this many messages per second per sender instead of going flat out.
    #[arg(long)]
    rate: Option<f64>,
    /// Give up after this many seconds.
    #[arg(long, default_value_t = 60)]
    timeout: u64,
    /// Also print one JSON object per run.
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
struct ScaleArgs {
    /// A server already running (loopback only). Default: start
    /// natter-server on a free loopback port, with --max-members a little
    /// above --members and no flood limit.
    #[arg(long)]
    addr: Option<SocketAddr>,
    /// The running server's process id (with --addr), to read its CPU
    /// time and memory.
    #[arg(long, requires = "addr")]
    server_pid: Option<u32>,
    /// The natter-server binary to start (default: next to this one).
    #[arg(long, conflicts_with = "addr")]
    server: Option<PathBuf>,
    /// Extra argument for the server it starts (repeat; e.g.
    /// `--server-arg=--history --server-arg=100`).
    #[arg(
        long = "server-arg",
        allow_hyphen_values = true,
        conflicts_with = "addr"
    )]
    server_args: Vec<String>,
    /// Connections, each a member of one room.
    #[arg(long, default_value_t = 10_000)]
    members: usize,
    /// Rooms the members are spread over (member i joins room i mod R).
    #[arg(long, default_value_t = 1)]
    rooms: usize,
    /// The first room's name; the others get `-1`, `-2`... after it.
    /// Default: the started server's lobby, or a fresh room named after
    /// this process.
    #[arg(long)]
    room: Option<String>,
    /// Members that send (the first ones, so spread over the rooms like
    /// everyone); 0 ramps up and idles only.
    #[arg(long, default_value_t = 0)]
    senders: usize,
    /// Messages per second per sender.
    #[arg(long, default_value_t = 2.0)]
    rate: f64,
    /// Seconds the senders send for.
    #[arg(long, default_value_t = 30.0)]
    duration: f64,
    /// Message size in bytes.
    #[arg(long, default_value_t = 64)]
    size: usize,
    /// New connections per second at most.
    #[arg(long, default_value_t = 2000.0)]
    connect_rate: f64,
    /// Connections between connecting and being in their room at most.
    #[arg(long, default_value_t = 64)]
    handshakes: usize,
    /// Generator threads, each one mio loop over a share of the members.
    #[arg(long, default_value_t = 1)]
    threads: usize,
    /// Quiet time (ms) after the ramp before the idle memory is read.
    #[arg(long, default_value_t = 500)]
    settle_ms: u64,
    /// Give up when nothing progresses for this many seconds.
    #[arg(long, default_value_t = 20)]
    stall: u64,
    /// Also print the figures as one JSON object.
    #[arg(long)]
    json: bool,
}

impl LoadArgs {
    fn spec(&self, addr: SocketAddr, proto: Proto, clients: usize, room: &str) -> Spec {
        let senders = self.senders.unwrap_or(clients).min(clients);
        let per_sender = 20_000_000 / (senders * clients.saturating_sub(1)).max(1);
        let messages = self.messages.unwrap_or(per_sender.clamp(50, 50_000) as u32);
        let messages = match self.rate {
            // At a fixed rate, run about five seconds.
            Some(rate) if self.messages.is_none() => ((rate * 5.0) as u32).max(50),
            _ => messages,
        };
        Spec {
            addr,
            proto,
            clients,
            senders,
            messages,
            size: self.size,
            window: self.window,
            rate: self.rate,
            timeout: Duration::from_secs(self.timeout),
            room: self.room.clone().unwrap_or_else(|| room.to_owned()),
        }
    }
}

fn main() -> ExitCode {
    let result = match Cli::parse().command {
        Cmd::Relay { bind } => relay::run(bind),
        Cmd::Run {
            addr,
            protocol,
            label,
            server_pid,
            clients,
            load,
        } => run_one(
            addr,
            &protocol,
            label.as_deref().unwrap_or(&protocol),
            server_pid,
            clients,
            &load,
        ),
        Cmd::Compare {
            clients,
            server,
            repeat,
            against,
            load,
        } => compare(&clients, server, repeat.max(1), &against, &load),
        Cmd::Scale(args) => scale(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("natter-bench: {e}");
            ExitCode::FAILURE
        }
    }
}

fn loopback_only(addr: SocketAddr) -> io::Result<()> {
    if addr.ip().is_loopback() {
        Ok(())
    } else {
        Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "natter-bench only loads servers on loopback",
        ))
    }
}

fn run_one(
    addr: SocketAddr,
    protocol: &str,
    label: &str,
    pid: Option<u32>,
    clients: usize,
    load: &LoadArgs,
) -> io::Result<()> {
    loopback_only(addr)?;
    let proto = match protocol {
        "lines" => Proto::Lines,
        "irc" => Proto::Irc,
        "websocket" => Proto::WebSocket,
        _ => Proto::Natter,
    };
    let spec = load.spec(
        addr,
        proto,
        clients,
        &format!("bench-{}", std::process::id()),
    );
    let row = measure(&spec, pid, label)?;
    print_header();
    print_row(&row, None);
    if load.json {
        println!("{}", row.json());
    }
    Ok(())
}

/// One measured run.
struct Row {
    server: String,
    clients: usize,
    report: Report,
    cpu_us_per_delivery: Option<f64>,
    rss_peak_kb: Option<u64>,
}

impl Row {
    fn json(&self) -> String {
        let r = &self.report;
        let opt = |v: Option<String>| v.unwrap_or_else(|| "null".into());
        format!(
            "{{\"server\":\"{}\",\"clients\":{},\"deliveries\":{},\"seconds\":{:.3},\"deliveries_per_s\":{:.0},\"lost\":{},\"duplicated\":{},\"out_of_order\":{},\"gaps\":{},\"p50_us\":{:.1},\"p99_us\":{:.1},\"max_us\":{:.1},\"server_cpu_us_per_delivery\":{},\"server_rss_peak_kb\":{}}}",
            self.server,
            self.clients,
            r.deliveries,
            r.seconds,
            r.deliveries_per_s(),
            r.lost,
            r.duplicated,
            r.out_of_order,
            r.gaps,
            r.p50_us,
            r.p99_us,
            r.max_us,
            opt(self.cpu_us_per_delivery.map(|v| format!("{v:.4}"))),
            opt(self.rss_peak_kb.map(|v| v.to_string())),
        )
    }
}

fn measure(spec: &Spec, pid: Option<u32>, server: &str) -> io::Result<Row> {
    let report = load::run(spec, || pid.and_then(cpu_us))?;
    let cpu_us_per_delivery = match report.server_cpu_us {
        Some(us) if report.deliveries > 0 => Some(us as f64 / report.deliveries as f64),
        _ => None,
    };
    Ok(Row {
        server: server.to_owned(),
        clients: spec.clients,
        report,
        cpu_us_per_delivery,
        rss_peak_kb: pid.and_then(rss_peak_kb),
    })
}

/// CPU time of a process, all threads, in µs: from the scheduler's own
/// nanosecond accounting (`/proc/PID/task/*/schedstat`), or from
/// `/proc/PID/stat`'s 10 ms ticks where that is missing.
fn cpu_us(pid: u32) -> Option<u64> {
    let tasks = std::fs::read_dir(format!("/proc/{pid}/task")).ok()?;
    let mut ns = 0u64;
    let mut found = false;
    for task in tasks.flatten() {
        let Ok(stat) = std::fs::read_to_string(task.path().join("schedstat")) else {
            continue;
        };
        if let Some(v) = stat
            .split_whitespace()
            .next()
            .and_then(|v| v.parse::<u64>().ok())
        {
            ns += v;
            found = true;
        }
    }
    if found {
        return Some(ns / 1000);
    }
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name, which is in parentheses.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) * 10_000)
}

/// Peak resident memory of a process (`VmHWM`), in kB.
fn rss_peak_kb(pid: u32) -> Option<u64> {
    status_kb(pid, "VmHWM:")
}

/// Resident memory of a process now (`VmRSS`), in kB.
fn rss_kb(pid: u32) -> Option<u64> {
    status_kb(pid, "VmRSS:")
}

/// A kB figure of `/proc/PID/status`.
fn status_kb(pid: u32, field: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// A server started for a comparison; killed when dropped.
struct Spawned {
    child: Child,
    addr: SocketAddr,
}

impl Drop for Spawned {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Start a server that prints `port: N` on a line of its standard output.
/// If it does not, the error carries what it wrote to standard error.
fn spawn(mut cmd: Command) -> io::Result<Spawned> {
    let mut child = cmd.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn()?;
    let stdout = child
        .stdout
        .take()
        .ok_or_else(|| io::Error::other("no stdout"))?;
    let mut stderr = child
        .stderr
        .take()
        .ok_or_else(|| io::Error::other("no stderr"))?;
    // Keep reading what it says on standard error too, so it never blocks
    // on a full pipe; it is kept for the error message if it fails.
    let said = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = io::Read::read_to_string(&mut stderr, &mut text);
        text
    });
    let mut port = None;
    let mut lines = BufReader::new(stdout).lines();
    for line in lines.by_ref() {
        let line = line?;
        if let Some(p) = line.split("port: ").nth(1) {
            port = p
                .split_whitespace()
                .next()
                .and_then(|p| p.parse::<u16>().ok());
            break;
        }
    }
    // Keep reading what it prints, so it never writes to a closed pipe.
    std::thread::spawn(move || lines.for_each(drop));
    let Some(port) = port else {
        let _ = child.kill();
        let _ = child.wait();
        let said = said.join().unwrap_or_default();
        return Err(io::Error::other(format!(
            "the server did not say its port; it said: {}",
            said.trim()
        )));
    };
    Ok(Spawned {
        child,
        addr: SocketAddr::from(([127, 0, 0, 1], port)),
    })
}

fn compare(
    counts: &[usize],
    server: Option<PathBuf>,
    repeat: usize,
    against: &str,
    load: &LoadArgs,
) -> io::Result<()> {
    let me = std::env::current_exe()?;
    let server = server.unwrap_or_else(|| {
        me.with_file_name(format!("natter-server{}", std::env::consts::EXE_SUFFIX))
    });
    if !server.exists() {
        return Err(io::Error::other(format!(
            "{} not found: build it, or pass --server",
            server.display()
        )));
    }
    let mut rows = Vec::new();
    for &n in counts {
        // The two take turns, run by run, so a change in the machine's
        // load between runs falls on both. The first is measured against
        // the second (the ratios in its line).
        let contenders = match against {
            "websocket" => [("ws", Proto::WebSocket), ("natter", Proto::Natter)],
            _ => [("natter", Proto::Natter), ("relay", Proto::Lines)],
        };
        let mut runs: [Vec<Row>; 2] = [Vec::new(), Vec::new()];
        for _ in 0..repeat {
            for ((name, proto), runs) in contenders.into_iter().zip(runs.iter_mut()) {
                let spawned = if proto == Proto::Lines {
                    let mut cmd = Command::new(&me);
                    cmd.args(["relay", "--bind", "127.0.0.1:0"]);
                    spawn(cmd)?
                } else {
                    let max_members = (n + 8).min(natter_server::event_loop::MAX_CONNS);
                    spawn(natter_server_command(&server, max_members))?
                };
                let spec = load.spec(spawned.addr, proto, n, "lobby");
                runs.push(measure(&spec, Some(spawned.child.id()), name)?);
            }
        }
        for mut runs in runs {
            runs.sort_by(|a, b| {
                a.report
                    .deliveries_per_s()
                    .total_cmp(&b.report.deliveries_per_s())
            });
            let median = runs.swap_remove(runs.len() / 2);
            if load.json {
                println!("{}", median.json());
            }
            rows.push(median);
        }
    }
    println!();
    print_header();
    for pair in rows.chunks(2) {
        let relay = pair.get(1);
        print_row(&pair[0], relay);
        if let Some(r) = relay {
            print_row(r, None);
        }
    }
    Ok(())
}

/// `natter-bench scale`: check the arguments, raise the open-file limit,
/// start the server unless one is given, run, print.
fn scale(a: &ScaleArgs) -> io::Result<()> {
    let invalid = |msg: String| io::Error::new(io::ErrorKind::InvalidInput, msg);
    if a.members == 0 || a.rooms == 0 || a.rooms > a.members {
        return Err(invalid(format!(
            "--rooms must be between 1 and --members ({})",
            a.members
        )));
    }
    if a.senders > 99_999 {
        return Err(invalid("--senders is at most 99,999".into()));
    }
    if !(load::HEAD..=natter_core::wire::MAX_TEXT).contains(&a.size) {
        return Err(invalid(format!(
            "--size must be between {} and {}",
            load::HEAD,
            natter_core::wire::MAX_TEXT
        )));
    }
    let positive = |v: f64| v.is_finite() && v > 0.0;
    if !positive(a.rate) || !positive(a.duration) || !positive(a.connect_rate) {
        return Err(invalid(
            "--rate, --duration and --connect-rate must be above 0".into(),
        ));
    }
    let messages = (a.rate * a.duration).ceil();
    if messages > f64::from(u32::MAX / 2) {
        return Err(invalid("--rate x --duration is too many messages".into()));
    }
    let layout = tally::Layout {
        members: a.members,
        rooms: a.rooms,
        senders: a.senders,
        messages: messages as u32,
    };
    if layout.bitmap_bytes() > 1 << 30 {
        return Err(invalid(format!(
            "checking every delivery would take {} MB of bitmaps: fewer senders, members or messages",
            layout.bitmap_bytes() >> 20
        )));
    }
    // The server started here inherits the raised limit too.
    let margin = 64;
    let limit = limits::raise_open_files((a.members + margin) as u64)?;
    let max_members = a.members + 16;
    let (spawned, addr, pid, server) = match a.addr {
        Some(addr) => {
            loopback_only(addr)?;
            let who = match a.server_pid {
                Some(pid) => format!("server at {addr}, pid {pid}"),
                None => format!("server at {addr} (no --server-pid: no CPU or memory figures)"),
            };
            (None, addr, a.server_pid, who)
        }
        None => {
            let me = std::env::current_exe()?;
            let path = a.server.clone().unwrap_or_else(|| {
                me.with_file_name(format!("natter-server{}", std::env::consts::EXE_SUFFIX))
            });
            if !path.exists() {
                return Err(io::Error::other(format!(
                    "{} not found: build it, or pass --server or --addr",
                    path.display()
                )));
            }
            let mut cmd = natter_server_command(&path, max_members);
            cmd.args(&a.server_args);
            let s = spawn(cmd)?;
            let (addr, pid) = (s.addr, s.child.id());
            let who = format!(
                "natter-server pid {pid} on {addr}, started with --max-members {max_members} --flood-rate 0{}{}",
                if a.server_args.is_empty() { "" } else { " " },
                a.server_args.join(" ")
            );
            (Some(s), addr, Some(pid), who)
        }
    };
    let base = a.room.clone().unwrap_or_else(|| match spawned {
        Some(_) => "lobby".to_owned(),
        None => format!("scale{}", std::process::id()),
    });
    let rooms: Vec<String> = (0..a.rooms)
        .map(|k| match k {
            0 => base.clone(),
            k => format!("{base}-{k}"),
        })
        .collect();
    if let Some(bad) = rooms.iter().find(|r| !natter_core::wire::is_valid_room(r)) {
        return Err(invalid(format!(
            "'{bad}' is not a room name: {}",
            natter_core::wire::ROOM_RULES
        )));
    }
    let spec = scale::Spec {
        addr,
        layout,
        rooms,
        rate: a.rate,
        size: a.size,
        connect_rate: a.connect_rate,
        handshakes: a.handshakes.max(1),
        threads: a.threads.max(1),
        settle: Duration::from_millis(a.settle_ms),
        stall: Duration::from_secs(a.stall.max(1)),
    };
    eprintln!(
        "natter-bench: open-file limit {limit}; {} members, {} room(s), {} sender(s)",
        a.members,
        a.rooms,
        a.senders.min(a.members)
    );
    let report = scale::run(&spec, || scale::Probe {
        cpu_us: pid.and_then(cpu_us),
        rss_kb: pid.and_then(rss_kb),
        hwm_kb: pid.and_then(rss_peak_kb),
    })?;
    report.print(&spec, &server);
    if a.json {
        println!("{}", report.json(&spec));
    }
    drop(spawned);
    Ok(())
}

fn print_header() {
    println!(
        "{:>7} {:>7} {:>12} {:>6} {:>5} {:>4} {:>4} {:>8} {:>8} {:>9} {:>11} {:>6} {:>8}",
        "clients",
        "server",
        "deliv/s",
        "ratio",
        "lost",
        "dup",
        "ooo",
        "p50_us",
        "p99_us",
        "max_us",
        "cpu_us/del",
        "ratio",
        "rss_kb"
    );
}

/// One table line; `relay` (the same load on the relay) adds the ratios.
fn print_row(row: &Row, relay: Option<&Row>) {
    let r = &row.report;
    let ratio = relay.map(|x| r.deliveries_per_s() / x.report.deliveries_per_s().max(1.0));
    let cpu_ratio = match (
        row.cpu_us_per_delivery,
        relay.and_then(|x| x.cpu_us_per_delivery),
    ) {
        (Some(a), Some(b)) if b > 0.0 => Some(a / b),
        _ => None,
    };
    let f = |v: Option<f64>, p: usize| v.map_or("-".to_owned(), |v| format!("{v:.p$}"));
    println!(
        "{:>7} {:>7} {:>12.0} {:>6} {:>5} {:>4} {:>4} {:>8.1} {:>8.1} {:>9.1} {:>11} {:>6} {:>8}",
        row.clients,
        row.server,
        r.deliveries_per_s(),
        f(ratio, 2),
        r.lost,
        r.duplicated,
        r.out_of_order,
        r.p50_us,
        r.p99_us,
        r.max_us,
        f(row.cpu_us_per_delivery, 4),
        f(cpu_ratio, 2),
        row.rss_peak_kb.map_or("-".to_owned(), |v| v.to_string()),
    );
}

/// natter-server as the benchmarks start it: on a free loopback port, no
/// flood limit (the load is the point), errors only in its log, room for
/// `max_members`.
fn natter_server_command(path: &std::path::Path, max_members: usize) -> Command {
    let mut cmd = Command::new(path);
    cmd.args([
        "--bind",
        "127.0.0.1:0",
        "--flood-rate",
        "0",
        "--log-level",
        "error",
    ]);
    cmd.args(["--max-members", &max_members.to_string()]);
    cmd
}
