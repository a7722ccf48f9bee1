//! `natter-bench`: load natter-server (and a reference relay) with many
//! clients on loopback and report throughput, latency, correctness, and the
//! server's CPU time and memory.
//!
//! * `natter-bench run --addr HOST:PORT ...` loads a running server.
//! * `natter-bench compare --clients 10,50,100` starts natter-server and the
//!   reference relay itself, one after the other on free loopback ports,
//!   loads each the same way and prints a table (and JSON with `--json`).
//! * `natter-bench relay` runs the reference relay alone.

mod load;
mod relay;

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
        #[arg(long, alias = "proto", default_value = "natter", value_parser = ["natter", "irc", "lines"])]
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
        #[command(flatten)]
        load: LoadArgs,
    },
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
            load,
        } => compare(&clients, server, repeat.max(1), &load),
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
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
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
fn spawn(mut cmd: Command) -> io::Result<Spawned> {
    let mut child = cmd.stdout(Stdio::piped()).stderr(Stdio::null()).spawn()?;
    let stdout = child
        .stdout
        .take()
        .ok_or_else(|| io::Error::other("no stdout"))?;
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
    let port = port.ok_or_else(|| io::Error::other("the server did not say its port"))?;
    Ok(Spawned {
        child,
        addr: SocketAddr::from(([127, 0, 0, 1], port)),
    })
}

fn compare(
    counts: &[usize],
    server: Option<PathBuf>,
    repeat: usize,
    load: &LoadArgs,
) -> io::Result<()> {
    let me = std::env::current_exe()?;
    let server = server.unwrap_or_else(|| me.with_file_name("natter-server"));
    if !server.exists() {
        return Err(io::Error::other(format!(
            "{} not found: build it, or pass --server",
            server.display()
        )));
    }
    let mut rows = Vec::new();
    for &n in counts {
        // natter and the relay take turns, run by run, so a change in the
        // machine's load between runs falls on both.
        let mut runs: [Vec<Row>; 2] = [Vec::new(), Vec::new()];
        for _ in 0..repeat {
            for (name, runs) in ["natter", "relay"].into_iter().zip(runs.iter_mut()) {
                let (spawned, proto) = if name == "natter" {
                    let mut cmd = Command::new(&server);
                    cmd.args([
                        "--bind",
                        "127.0.0.1:0",
                        "--flood-rate",
                        "0",
                        "--log-level",
                        "error",
                    ]);
                    cmd.args(["--max-members", &(n + 8).min(512).to_string()]);
                    (spawn(cmd)?, Proto::Natter)
                } else {
                    let mut cmd = Command::new(&me);
                    cmd.args(["relay", "--bind", "127.0.0.1:0"]);
                    (spawn(cmd)?, Proto::Lines)
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
