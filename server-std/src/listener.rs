//! Sockets: the listener and the options of accepted connections.

use std::io;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr, TcpListener};
use std::time::Duration;

use socket2::{Domain, Protocol, SockRef, Socket, TcpKeepalive, Type};

/// Connections the kernel queues before `accept`. The seed app's
/// `listen(5)` dropped connections when a class of 30 connected at once;
/// the kernel caps this at `net.core.somaxconn` (4096 on current Linux).
const BACKLOG: i32 = 1024;

/// Bind a non-blocking listener on `addr`.
///
/// For the unspecified IPv6 address (`[::]`) the socket is dual-stack, so
/// IPv4 clients connect too; where the OS has no IPv6, it falls back to
/// `0.0.0.0` on the same port.
///
/// # Errors
/// The OS error when the address is in use or not available.
pub fn bind(addr: SocketAddr) -> io::Result<TcpListener> {
    match bind_one(addr) {
        Err(e) if addr.ip() == Ipv6Addr::UNSPECIFIED && ipv6_missing(&e) => {
            bind_one(SocketAddr::from((Ipv4Addr::UNSPECIFIED, addr.port())))
        }
        other => other,
    }
}

fn ipv6_missing(e: &io::Error) -> bool {
    // EAFNOSUPPORT (97 on Linux, WSAEAFNOSUPPORT 10047 on Windows) or
    // EADDRNOTAVAIL when IPv6 is disabled.
    const NO_FAMILY: i32 = if cfg!(windows) { 10047 } else { 97 };
    e.raw_os_error() == Some(NO_FAMILY) || e.kind() == io::ErrorKind::AddrNotAvailable
}

fn bind_one(addr: SocketAddr) -> io::Result<TcpListener> {
    let socket = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))?;
    if addr.is_ipv6() {
        // Dual-stack where the OS allows; ignore failure (then IPv6 only).
        let _ = socket.set_only_v6(false);
    }
    // Restarting the server must not wait for old connections in TIME_WAIT.
    // Not on Windows: there SO_REUSEADDR lets another process take a port
    // that is in use, and a restart does not wait for TIME_WAIT anyway.
    #[cfg(not(windows))]
    socket.set_reuse_address(true)?;
    socket.bind(&addr.into())?;
    socket.listen(BACKLOG)?;
    socket.set_nonblocking(true)?;
    Ok(socket.into())
}

/// Kernel send buffer per client. The hub already bounds what it queues
/// per client; this bounds what the kernel holds for one that stopped
/// reading (Linux would otherwise let it grow to several MB), while staying
/// far above what a class chat sends in a round trip.
pub const SEND_BUFFER: usize = 256 * 1024;

/// Options for an accepted connection: no Nagle delay for chat lines, a
/// bounded send buffer, and TCP keepalive so a vanished laptop is noticed
/// even when the room is quiet.
pub fn tune_accepted(stream: &mio::net::TcpStream) -> io::Result<()> {
    let sock = SockRef::from(stream);
    sock.set_tcp_nodelay(true)?;
    sock.set_send_buffer_size(SEND_BUFFER)?;
    let keepalive = TcpKeepalive::new()
        .with_time(Duration::from_secs(60))
        .with_interval(Duration::from_secs(10));
    sock.set_tcp_keepalive(&keepalive)
}

/// The IPv4 addresses of this machine's network interfaces other than
/// loopback: what students should type.
pub fn lan_addresses() -> Vec<std::net::IpAddr> {
    let mut out: Vec<_> = if_addrs::get_if_addrs()
        .map(|ifs| {
            ifs.into_iter()
                .filter(|i| !i.is_loopback())
                .map(|i| i.ip())
                .collect()
        })
        .unwrap_or_default();
    out.sort_by_key(|ip| (ip.is_ipv6(), *ip));
    out.dedup();
    out
}
