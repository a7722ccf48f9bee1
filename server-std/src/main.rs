//! `natter-server`: run a natter chat server for a classroom.

use std::net::{IpAddr, SocketAddr};
use std::process::ExitCode;

use clap::Parser;
use natter_server::event_loop::{MAX_CONNS, MAX_HISTORY};
use natter_server::{Options, Server, listener};

/// Run a natter chat server. Students connect to this computer's address
/// (printed at start) and the port.
#[derive(Parser, Debug)]
#[command(version, about)]
struct Cli {
    /// Where to listen: a port (`5555`) or an address and port
    /// (`0.0.0.0:5555`, `[::1]:6000`). The default is every interface.
    #[arg(long, default_value = "5555", value_parser = parse_bind)]
    bind: SocketAddr,

    /// Most people connected at once (up to 65,535). Each costs the server
    /// about 6 KiB of memory while connected (plus the system's socket
    /// buffers), so 10,000 take about 60 MiB; the server raises its
    /// open-file limit to fit them and says so if the system will not.
    #[arg(long, default_value_t = 256, value_parser = clap::value_parser!(u16).range(1..=MAX_CONNS as i64))]
    max_members: u16,

    /// Events of history replayed to whoever joins a room. (Each room keeps
    /// up to 256 KiB of events for people who reconnect.)
    #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u16).range(0..=MAX_HISTORY as i64))]
    history: u16,

    /// Most people in one room (default: --max-members).
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..=MAX_CONNS as i64))]
    room_size: Option<u16>,

    /// Password people must type to join (or set NATTER_PASSWORD).
    #[arg(long, env = "NATTER_PASSWORD", hide_env_values = true)]
    password: Option<String>,

    /// Password that makes whoever gives it the teacher, in charge of
    /// every room (or set NATTER_TEACHER_PASSWORD). IRC users type
    /// /oper teacher <password>.
    #[arg(long, env = "NATTER_TEACHER_PASSWORD", hide_env_values = true)]
    teacher_password: Option<String>,

    /// A room that exists from the start (repeat for several). The first is
    /// the one everybody enters.
    #[arg(long = "room", default_value = "lobby")]
    rooms: Vec<String>,

    /// Only the rooms given with --room: nobody may create others.
    #[arg(long)]
    fixed_rooms: bool,

    /// Messages per second each person may send on average (0: no limit).
    #[arg(long, default_value_t = 5)]
    flood_rate: u32,

    /// Messages each person may send in a quick burst.
    #[arg(long, default_value_t = 10)]
    flood_burst: u32,

    /// Also listen here for IRC clients only: a port or address:port (IRC
    /// clients can use the main port too).
    #[arg(long, value_parser = parse_bind)]
    irc_port: Option<SocketAddr>,

    /// A web page from elsewhere that may connect here too, such as a web
    /// IRC client: its origin as the browser sends it
    /// (https://irc.school.example). The page this server serves itself is
    /// always allowed. May be given more than once.
    #[arg(long = "allow-origin", value_name = "ORIGIN")]
    allow_origins: Vec<String>,

    /// The server's name for IRC clients (default: this computer's name).
    #[arg(long)]
    server_name: Option<String>,

    /// How much to log: error, warn, info, debug or trace (RUST_LOG
    /// overrides).
    #[arg(long, default_value = "info")]
    log_level: log::LevelFilter,
}

fn parse_bind(s: &str) -> Result<SocketAddr, String> {
    if let Ok(port) = s.parse::<u16>() {
        return Ok(SocketAddr::from(([0u16; 8], port)));
    }
    s.parse()
        .map_err(|_| format!("'{s}' is not a port or address:port (try 5555 or 0.0.0.0:5555)"))
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    env_logger::Builder::new()
        .filter_level(cli.log_level)
        .parse_env("RUST_LOG")
        .format_timestamp_secs()
        .init();
    let options = Options {
        bind: cli.bind,
        rooms: cli.rooms,
        fixed_rooms: cli.fixed_rooms,
        max_members: usize::from(cli.max_members),
        history: usize::from(cli.history),
        password: cli.password.filter(|p| !p.is_empty()),
        teacher_password: cli.teacher_password.filter(|p| !p.is_empty()),
        flood_rate: cli.flood_rate,
        flood_burst: cli.flood_burst,
        room_size: usize::from(cli.room_size.unwrap_or(cli.max_members)),
        timeouts: Default::default(),
        handle_signals: true,
        server_name: cli
            .server_name
            .unwrap_or_else(natter_server::event_loop::host_name),
        irc_bind: cli.irc_port,
        allow_origins: cli.allow_origins,
    };
    let server = match Server::bind(options.clone()) {
        Ok(s) => s,
        Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => {
            eprintln!(
                "Port {} is already in use: is natter-server already running? Stop it, or pick another port with --bind.",
                options.bind.port()
            );
            return ExitCode::FAILURE;
        }
        Err(e) => {
            eprintln!("Cannot start the server: {e}");
            return ExitCode::FAILURE;
        }
    };
    print_welcome(&server, &options);
    match server.run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("The server stopped because of an error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Tell the teacher, in plain words, what students should type.
fn print_welcome(server: &Server, options: &Options) {
    let addr = server.local_addr();
    let port = addr.port();
    println!("natter is running. Students connect with:");
    let ips: Vec<IpAddr> = if addr.ip().is_unspecified() {
        listener::lan_addresses()
    } else {
        vec![addr.ip()]
    };
    let v4: Vec<_> = ips.iter().filter(|ip| ip.is_ipv4()).collect();
    if v4.is_empty() && addr.ip().is_unspecified() {
        println!("    address: (this computer's network address)   port: {port}");
    }
    for ip in v4
        .iter()
        .copied()
        .chain(ips.iter().filter(|ip| ip.is_ipv6()))
    {
        println!("    address: {ip}   port: {port}");
    }
    println!("    (on this computer itself: address 127.0.0.1, port {port})");
    if options.password.is_some() {
        println!("They will need the password you set.");
    }
    if options.teacher_password.is_some() {
        println!(
            "You are the teacher once you give the teacher password: the window asks for it, IRC users type /oper teacher <password>."
        );
    }
    let rooms = options.rooms.join(", ");
    let fixed = if options.fixed_rooms {
        " (only these)"
    } else {
        ""
    };
    println!(
        "IRC clients (irssi, WeeChat, HexChat) use the same address and port{}, and /join #{}.",
        server
            .irc_addr()
            .map_or(String::new(), |a| format!(", or port {}", a.port())),
        options.rooms.first().map_or("lobby", String::as_str)
    );
    println!(
        "Rooms: {rooms}{fixed}. Up to {} people. Press Ctrl+C to stop.",
        options.max_members
    );
}
