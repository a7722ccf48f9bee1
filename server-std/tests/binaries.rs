//! The real binaries, as a teacher and a benchmarker run them.

use std::process::Command;

/// Signals and the open-file limit: Unix's only (the Windows build is run
/// under Wine by scripts/windows.sh, which checks its Ctrl+C goodbye).
#[cfg(unix)]
mod unix {
    use std::io::{BufRead, BufReader};
    use std::net::SocketAddr;
    use std::process::{Command, Stdio};

    use natter_core::error::ErrorCode;
    use natter_core::wire::Frame;
    use natter_server::client::{Client, ClientError};

    /// Start natter-server on a free loopback port; returns it and its address
    /// (read from what it prints for the teacher).
    fn start_server(args: &[&str]) -> (std::process::Child, SocketAddr) {
        let mut command = Command::new(env!("CARGO_BIN_EXE_natter-server"));
        command.args(["--bind", "127.0.0.1:0"]).args(args);
        start(command)
    }

    /// Start a command that runs natter-server, as `start_server` does.
    fn start(mut command: Command) -> (std::process::Child, SocketAddr) {
        let mut child = command
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start natter-server");
        let stdout = child.stdout.take().unwrap();
        let mut lines = BufReader::new(stdout).lines();
        let port = lines
            .by_ref()
            .map_while(Result::ok)
            .find_map(|l| {
                l.split("port: ")
                    .nth(1)
                    .and_then(|p| p.split_whitespace().next()?.parse::<u16>().ok())
            })
            .expect("the server prints its port");
        std::thread::spawn(move || lines.for_each(drop));
        (child, SocketAddr::from(([127, 0, 0, 1], port)))
    }

    // SIGTERM and `kill` are Unix's. On Windows, Ctrl+C is the same goodbye
    // (scripts/windows/e2e.py checks it under Wine).
    #[test]
    fn sigterm_says_goodbye_and_exits_zero() {
        let (mut server, addr) = start_server(&[]);
        let mut ann = Client::connect(addr, "ann", "").unwrap();
        let status = Command::new("kill")
            .args(["-TERM", &server.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        let code = loop {
            match ann.recv() {
                Ok(Frame::Bye { code, .. }) => break Some(code),
                Ok(_) => {}
                Err(ClientError::Io(_)) => break None,
                Err(e) => panic!("{e}"),
            }
        };
        assert_eq!(code, Some(ErrorCode::ShuttingDown));
        let exit = server.wait().unwrap();
        assert!(exit.success(), "{exit:?}");
    }

    // The open-file limit (`ulimit -n` in `sh`) is Unix's; Windows has none
    // on sockets.
    #[test]
    fn a_system_file_limit_below_max_members_refuses_the_rest_as_full() {
        // The hard limit of 100 descriptors holds 20 members beside the
        // server's spare 80; --max-members asks for 1,000. The members past
        // what fits are told the server is full, none is left waiting.
        let mut command = Command::new("sh");
        command.args([
            "-c",
            "ulimit -n 100 && exec \"$0\" --bind 127.0.0.1:0 --max-members 1000",
            env!("CARGO_BIN_EXE_natter-server"),
        ]);
        let (mut server, addr) = start(command);
        let mut welcomed = Vec::new();
        let mut full = 0;
        for i in 0..30 {
            match Client::connect(addr, &format!("m{i}"), "") {
                Ok(client) => welcomed.push(client),
                Err(ClientError::Refused(ErrorCode::ServerFull)) => full += 1,
                Err(e) => panic!("member {i}: {e}"),
            }
        }
        assert_eq!((welcomed.len(), full), (20, 10));
        server.kill().unwrap();
        let _ = server.wait();
    }
}

#[test]
fn bad_options_are_explained() {
    let out = Command::new(env!("CARGO_BIN_EXE_natter-server"))
        .args(["--room", "#maths"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("room names are"), "{err}");
}

#[test]
fn bench_compare_reports_clean_runs_as_json() {
    let out = Command::new(env!("CARGO_BIN_EXE_natter-bench"))
        .args([
            "compare",
            "--clients",
            "3",
            "--messages",
            "50",
            "--repeat",
            "1",
            "--json",
        ])
        .output()
        .expect("run natter-bench");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let runs: Vec<&str> = stdout.lines().filter(|l| l.starts_with('{')).collect();
    assert_eq!(runs.len(), 2, "{stdout}");
    for (run, server) in runs
        .iter()
        .zip(["\"server\":\"natter\"", "\"server\":\"relay\""])
    {
        assert!(run.contains(server), "{run}");
        for clean in [
            "\"lost\":0,",
            "\"duplicated\":0,",
            "\"out_of_order\":0,",
            "\"deliveries\":300,",
        ] {
            assert!(run.contains(clean), "{run} lacks {clean}");
        }
        for field in [
            "deliveries_per_s",
            "p50_us",
            "p99_us",
            "server_cpu_us_per_delivery",
            "server_rss_peak_kb",
        ] {
            assert!(
                run.contains(&format!("\"{field}\":")),
                "{run} lacks {field}"
            );
        }
    }
}
