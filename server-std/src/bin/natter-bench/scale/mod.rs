//! `natter-bench scale`: thousands of members on one server.
//!
//! Three phases, one after the other:
//!
//! 1. **Ramp.** Open `members` connections at most `connect_rate` a second
//!    with at most `handshakes` between connecting and being in their room
//!    (the end of its `Names`). Each sends `Hello` and `Join` at once.
//! 2. **Idle.** Wait until nothing has arrived for `settle` (the `Joined`
//!    notices of the ramp are drained), then read the server's memory.
//! 3. **Traffic** (with senders). The first `senders` members each send
//!    `messages` at `rate` a second, spread evenly over each interval;
//!    every member reads everything, and every delivery is checked (exact
//!    text, loss, duplication, order) and timed from send to receive.
//!
//! Connections are shared out among `threads` workers, each one mio loop
//! owning every `threads`-th member; a worker reads into one buffer and
//! looks at frames where they lie (a `Message` by its offsets, everything
//! else through `wire::decode`, which borrows), so reading costs no
//! allocation. The main thread only watches shared counters and moves the
//! workers from phase to phase.
//!
//! The files: this one (the phases and what they share), `worker.rs` (a
//! worker's mio loop over its connections) and `report.rs` (the figures
//! as text).

use std::io::{self};
use std::net::SocketAddr;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU8, AtomicU64, AtomicUsize, Ordering::Relaxed};
use std::time::{Duration, Instant};

use crate::tally::{Counts, Layout, percentile};

mod report;
mod worker;

use worker::Worker;

/// What to run.
#[derive(Debug, Clone)]
pub struct Spec {
    pub addr: SocketAddr,
    pub layout: Layout,
    /// Room names, one per room of the layout.
    pub rooms: Vec<String>,
    /// Messages per second per sender.
    pub rate: f64,
    /// Message size in bytes.
    pub size: usize,
    /// New connections per second at most.
    pub connect_rate: f64,
    /// Connections between connecting and joined at most.
    pub handshakes: usize,
    pub threads: usize,
    /// Quiet time that ends the idle phase's wait.
    pub settle: Duration,
    /// Give up when nothing progresses for this long.
    pub stall: Duration,
}

/// The server's counters at one moment, where they could be read.
#[derive(Debug, Clone, Copy, Default)]
pub struct Probe {
    /// CPU time, all threads, µs.
    pub cpu_us: Option<u64>,
    /// Resident memory now (`VmRSS`), kB.
    pub rss_kb: Option<u64>,
    /// Peak resident memory (`VmHWM`), kB.
    pub hwm_kb: Option<u64>,
}

/// What a scale run measured.
#[derive(Debug, Clone)]
pub struct Report {
    /// The server before the first connection.
    pub before: Probe,
    /// From the first connection to the last member in its room.
    pub ramp_s: f64,
    /// From the first connection to the last byte of the ramp's notices.
    pub settled_s: f64,
    /// Events the server said joiners missed during the ramp.
    pub ramp_gaps: u64,
    /// The server once the ramp had settled.
    pub idle: Probe,
    pub traffic: Option<Traffic>,
}

/// The traffic phase.
#[derive(Debug, Clone)]
pub struct Traffic {
    /// From the first message sent to the last delivery received.
    pub seconds: f64,
    pub counts: Counts,
    pub p50_us: Option<u32>,
    pub p99_us: Option<u32>,
    pub max_us: Option<u32>,
    /// Server CPU time over the phase, µs.
    pub server_cpu_us: Option<u64>,
    /// This generator's own CPU time over the phase, µs: near the phase's
    /// length per thread, and the latencies are partly the generator's.
    pub generator_cpu_us: Option<u64>,
    /// The server at the end.
    pub after: Probe,
}

const RAMP: u8 = 0;
const IDLE: u8 = 1;
const TRAFFIC: u8 = 2;
const STOP: u8 = 3;

/// What the workers and the main thread share. Times are ns since the
/// run's start.
struct Shared {
    phase: AtomicU8,
    joined: AtomicUsize,
    last_join_ns: AtomicU64,
    last_rx_ns: AtomicU64,
    traffic_start_ns: AtomicU64,
    /// Workers expecting nothing more.
    done: AtomicUsize,
    error: Mutex<Option<String>>,
}

impl Shared {
    /// Record the first error and stop everyone.
    fn fail(&self, e: String) {
        if let Ok(mut slot) = self.error.lock() {
            slot.get_or_insert(e);
        }
        self.phase.store(STOP, Relaxed);
    }

    fn error(&self) -> Option<String> {
        self.error.lock().ok().and_then(|e| e.clone())
    }
}

/// Run the three phases against the server at `spec.addr`; `probe` reads
/// the server's counters (all `None` when there is no pid to read).
pub fn run(spec: &Spec, probe: impl Fn() -> Probe) -> io::Result<Report> {
    let threads = spec.threads.clamp(1, spec.layout.members.max(1));
    let shared = Shared {
        phase: AtomicU8::new(RAMP),
        joined: AtomicUsize::new(0),
        last_join_ns: AtomicU64::new(0),
        last_rx_ns: AtomicU64::new(0),
        traffic_start_ns: AtomicU64::new(u64::MAX),
        done: AtomicUsize::new(0),
        error: Mutex::new(None),
    };
    let before = probe();
    let start = Instant::now();
    let (watched, results) = std::thread::scope(|s| {
        let workers: Vec<_> = (0..threads)
            .map(|id| {
                let shared = &shared;
                s.spawn(move || {
                    let result =
                        Worker::new(spec, shared, start, id, threads).and_then(|w| w.run());
                    if let Err(e) = &result {
                        shared.fail(e.clone());
                    }
                    result
                })
            })
            .collect();
        let watched = watch(spec, &shared, start, threads, &probe);
        shared.phase.store(STOP, Relaxed);
        let results: Vec<_> = workers
            .into_iter()
            .map(|w| {
                w.join()
                    .unwrap_or_else(|_| Err("a worker thread panicked".to_owned()))
            })
            .collect();
        (watched, results)
    });
    // A worker's own error says more than the watcher's "stopped".
    let mut done = Vec::with_capacity(results.len());
    for r in results {
        done.push(r.map_err(io::Error::other)?);
    }
    let (mut report, traffic_probe) = watched.map_err(io::Error::other)?;
    let mut ramp_gaps = 0;
    let mut counts = Counts::default();
    let mut latencies = Vec::new();
    for (tally, gaps) in &mut done {
        ramp_gaps += *gaps;
        counts.add(&tally.counts);
        latencies.append(&mut tally.latencies_us);
    }
    report.ramp_gaps = ramp_gaps;
    report.before = before;
    if let Some((seconds, server_cpu_us, generator_cpu_us, after)) = traffic_probe {
        latencies.sort_unstable();
        report.traffic = Some(Traffic {
            seconds,
            counts,
            p50_us: percentile(&latencies, 0.50),
            p99_us: percentile(&latencies, 0.99),
            max_us: percentile(&latencies, 1.0),
            server_cpu_us,
            generator_cpu_us,
            after,
        });
    }
    Ok(report)
}

/// The report so far and, after traffic, its seconds, the server's and
/// the generator's CPU time and the server at the end.
type Watched = (Report, Option<(f64, Option<u64>, Option<u64>, Probe)>);

/// The main thread's part: wait for each phase to finish, read the server
/// between them, and move the workers on.
fn watch(
    spec: &Spec,
    shared: &Shared,
    start: Instant,
    threads: usize,
    probe: &impl Fn() -> Probe,
) -> Result<Watched, String> {
    let members = spec.layout.members;
    let now_ns = || start.elapsed().as_nanos() as u64;
    let tick = Duration::from_millis(10);
    let stopped = || shared.error().unwrap_or_else(|| "stopped".to_owned());
    // Ramp: until every member is in its room.
    let (mut seen, mut progress) = (0, Instant::now());
    loop {
        std::thread::sleep(tick);
        if shared.phase.load(Relaxed) == STOP {
            return Err(stopped());
        }
        let joined = shared.joined.load(Relaxed);
        if joined == members {
            break;
        }
        if joined != seen {
            (seen, progress) = (joined, Instant::now());
        } else if progress.elapsed() > spec.stall {
            return Err(format!(
                "only {joined} of {members} members got into their rooms, and none \
                 for {} s: is the server overloaded, or its --max-members too low?",
                spec.stall.as_secs()
            ));
        }
    }
    let ramp_s = shared.last_join_ns.load(Relaxed) as f64 / 1e9;
    // Idle: until the ramp's notices are read.
    shared.phase.store(IDLE, Relaxed);
    let idle_from = Instant::now();
    loop {
        std::thread::sleep(tick);
        if shared.phase.load(Relaxed) == STOP {
            return Err(stopped());
        }
        let quiet = now_ns().saturating_sub(shared.last_rx_ns.load(Relaxed));
        if quiet >= spec.settle.as_nanos() as u64 || idle_from.elapsed() > spec.stall * 4 {
            break;
        }
    }
    let settled_s = shared.last_rx_ns.load(Relaxed) as f64 / 1e9;
    let idle = probe();
    let report = Report {
        before: Probe::default(),
        ramp_s,
        settled_s,
        ramp_gaps: 0,
        idle,
        traffic: None,
    };
    let l = spec.layout;
    if l.senders == 0 || l.messages == 0 || l.expected() == 0 {
        return Ok((report, None));
    }
    // Traffic: until every worker has all it expects, or nothing arrives
    // for `stall` after the last message was due.
    let begin = now_ns() + 20_000_000;
    shared.traffic_start_ns.store(begin, Relaxed);
    let cpu_before = probe().cpu_us;
    let me = std::process::id();
    let my_cpu_before = crate::cpu_us(me);
    shared.phase.store(TRAFFIC, Relaxed);
    let sending_ns = (f64::from(l.messages) / spec.rate * 1e9) as u64;
    loop {
        std::thread::sleep(tick);
        if shared.phase.load(Relaxed) == STOP {
            return Err(stopped());
        }
        if shared.done.load(Relaxed) == threads {
            break;
        }
        let now = now_ns();
        if now > begin + sending_ns
            && now.saturating_sub(shared.last_rx_ns.load(Relaxed)) > spec.stall.as_nanos() as u64
        {
            break;
        }
    }
    let after = probe();
    let my_cpu = my_cpu_before
        .zip(crate::cpu_us(me))
        .map(|(a, b)| b.saturating_sub(a));
    let seconds = shared.last_rx_ns.load(Relaxed).saturating_sub(begin) as f64 / 1e9;
    let cpu = cpu_before
        .zip(after.cpu_us)
        .map(|(a, b)| b.saturating_sub(a));
    Ok((report, Some((seconds, cpu, my_cpu, after))))
}
