//! Hosting a room on this computer: the real natter server, run in this
//! process on a thread of its own, for a teacher who has nothing but the
//! client. Stopping it (or dropping [`Hosted`]) says goodbye to everyone
//! connected, like Ctrl+C does to `natter-server`.

use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::thread::JoinHandle;

use natter_server::{Options, Server, ShutdownHandle, listener};

/// Why the server could not start, in plain words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HostError {
    /// Something already listens on the port.
    InUse(u16),
    /// The room name the user typed cannot be a room.
    BadRoom(String),
    /// Any other failure, with the system's words.
    Other(String),
}

impl fmt::Display for HostError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HostError::InUse(port) => write!(
                f,
                "Port {port} is already in use on this computer (is natter already hosting?). \
                 Close the other program, or type another port."
            ),
            HostError::BadRoom(why) => write!(f, "That room name cannot be used: {why}."),
            HostError::Other(why) => write!(f, "Could not start hosting: {why}."),
        }
    }
}

impl std::error::Error for HostError {}

/// A server running in this process.
pub struct Hosted {
    /// The port it listens on (the chosen one, or the one the system gave
    /// for port 0).
    pub port: u16,
    /// The teacher password this server was started with: the window
    /// that hosts proves it at once (whoever hosts is the teacher), and
    /// may give it to a colleague to be co-teacher.
    pub teacher_password: String,
    shutdown: ShutdownHandle,
    thread: Option<JoinHandle<()>>,
}

/// Start a server on `port` on every interface (IPv6 and IPv4, or IPv4
/// alone where IPv6 is off). `password` (if not empty) is required of
/// everyone; `room` (if given) is the lobby, else "lobby".
///
/// # Errors
/// The port is taken, the room name is invalid, or the system refuses.
pub fn start(port: u16, password: &str, room: Option<&str>) -> Result<Hosted, HostError> {
    if let Some(problem) = room.and_then(crate::names::room_problem) {
        return Err(HostError::BadRoom(problem.to_owned()));
    }
    let teacher_password = new_teacher_password();
    let options = Options {
        bind: SocketAddr::from(([0u16; 8], port)),
        rooms: vec![room.unwrap_or("lobby").to_owned()],
        password: (!password.is_empty()).then(|| password.to_owned()),
        teacher_password: Some(teacher_password.clone()),
        // The window owns the process: no Ctrl+C handler of the server's.
        handle_signals: false,
        ..Default::default()
    };
    let server = Server::bind(options).map_err(|e| match e.kind() {
        std::io::ErrorKind::AddrInUse => HostError::InUse(port),
        _ => HostError::Other(e.to_string()),
    })?;
    let port = server.local_addr().port();
    let shutdown = server.shutdown_handle();
    let thread = std::thread::Builder::new()
        .name("natter-host".into())
        .spawn(move || {
            if let Err(e) = server.run() {
                log::error!("the hosted server stopped: {e}");
            }
        })
        .map_err(|e| HostError::Other(e.to_string()))?;
    log::info!("hosting on port {port}");
    Ok(Hosted {
        port,
        teacher_password,
        shutdown,
        thread: Some(thread),
    })
}

impl Hosted {
    /// Say goodbye to everyone and wait for the server to finish (it
    /// gives slow clients up to 2 s to read the goodbye).
    pub fn stop(mut self) {
        self.stop_and_join();
    }

    fn stop_and_join(&mut self) {
        if let Some(thread) = self.thread.take() {
            self.shutdown.shutdown();
            if thread.join().is_err() {
                log::error!("the hosted server's thread panicked");
            }
        }
    }
}

impl Drop for Hosted {
    fn drop(&mut self) {
        self.stop_and_join();
    }
}

/// A fresh teacher password: 10 letters and digits (no 0/o, 1/l/i to
/// misread), from the standard library's per-process random hash keys and
/// the clock; about 50 bits, and guessing costs (PROTOCOL.md §5.8).
fn new_teacher_password() -> String {
    use std::hash::{BuildHasher, Hasher};
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    hasher.write_u128(nanos);
    let mut bits = hasher.finish();
    (0..10)
        .map(|_| {
            let c = ALPHABET[(bits % ALPHABET.len() as u64) as usize];
            bits /= ALPHABET.len() as u64;
            char::from(c)
        })
        .collect()
}

/// The addresses others should type to reach this computer, IPv4 first
/// (what people are used to), then at most two IPv6 ones. Empty when the
/// computer has no network address other than loopback.
pub fn addresses() -> Vec<IpAddr> {
    let all = listener::lan_addresses();
    let v4 = all.iter().filter(|ip| ip.is_ipv4());
    let v6 = all.iter().filter(|ip| ip.is_ipv6()).take(2);
    v4.chain(v6).copied().collect()
}

/// One sentence telling others how to connect, for the banner.
pub fn banner_text(addresses: &[IpAddr], port: u16) -> String {
    match addresses {
        [] => format!(
            "You are the teacher, hosting on port {port}. This computer has no network \
             address: only programs on it can connect (address 127.0.0.1)."
        ),
        [one] => format!("You are the teacher. Others connect to address {one}  port {port}"),
        [first, rest @ ..] => {
            // Two more at most: a laptop with many virtual interfaces
            // must not push the banner off the window.
            let others: Vec<String> = rest.iter().take(2).map(IpAddr::to_string).collect();
            format!(
                "You are the teacher. Others connect to address {first}  port {port}   (or {})",
                others.join(", ")
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_on_a_free_port_and_stops() {
        let hosted = start(0, "", None).expect("a free port");
        assert_ne!(hosted.port, 0);
        // The port is really taken now: a second server is told so.
        match start(hosted.port, "", None) {
            Err(HostError::InUse(p)) => assert_eq!(p, hosted.port),
            Err(other) => panic!("{other}"),
            Ok(_) => panic!("two servers on one port"),
        }
        std::net::TcpStream::connect(("127.0.0.1", hosted.port)).expect("listening");
        hosted.stop();
    }

    #[test]
    fn bad_room_is_explained() {
        let err = start(0, "", Some("#x")).err().expect("refused");
        assert!(err.to_string().contains("'#'"), "{err}");
    }

    #[test]
    fn banner_names_address_and_port() {
        let a: IpAddr = "192.168.1.20".parse().unwrap();
        let b: IpAddr = "10.0.0.5".parse().unwrap();
        assert_eq!(
            banner_text(&[a], 5555),
            "You are the teacher. Others connect to address 192.168.1.20  port 5555"
        );
        let (one, two) = (new_teacher_password(), new_teacher_password());
        assert_eq!(one.len(), 10);
        assert_ne!(one, two, "each server gets its own");
        assert!(banner_text(&[a, b], 5555).contains("(or 10.0.0.5)"));
        assert!(banner_text(&[], 5555).contains("127.0.0.1"));
    }
}
