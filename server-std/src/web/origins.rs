//! Which web pages may open a WebSocket to this server: those it served
//! itself, reached at one of its own addresses. A page from anywhere else
//! (another site, or one whose name a rebinding DNS points here) is refused.

use std::net::IpAddr;

use super::http::Origins;
use crate::listener;

/// The server's own origins: its port on a loopback or interface address,
/// `localhost` or the machine's name; plus any the teacher allowed.
#[derive(Debug, Clone)]
pub struct OwnOrigins {
    /// The port the page was served from.
    pub port: u16,
    /// The machine's name (`name` and `name.local` are its own).
    pub host_name: String,
    /// Origins allowed besides, exactly as a browser sends them
    /// (`--allow-origin https://chat.school.example`).
    pub extra: Vec<String>,
}

impl Origins for OwnOrigins {
    fn allowed(&self, origin: &str) -> bool {
        if self
            .extra
            .iter()
            .any(|o| o.trim_end_matches('/').eq_ignore_ascii_case(origin))
        {
            return true;
        }
        let Some((host, port)) = split_origin(origin) else {
            return false;
        };
        if port != self.port {
            return false;
        }
        let host = host.to_ascii_lowercase();
        let name = self.host_name.to_ascii_lowercase();
        if host == "localhost" || host == name || host == format!("{name}.local") {
            return true;
        }
        let Ok(ip) = host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<IpAddr>()
        else {
            return false;
        };
        let ip = ip.to_canonical();
        ip.is_loopback() || listener::lan_addresses().contains(&ip)
    }
}

/// The host and port of an `http://` or `https://` origin.
fn split_origin(origin: &str) -> Option<(&str, u16)> {
    let (rest, default_port) = if let Some(rest) = origin.strip_prefix("http://") {
        (rest, 80)
    } else {
        (origin.strip_prefix("https://")?, 443)
    };
    if rest.contains('/') {
        return None;
    }
    // An IPv6 host is bracketed: its colons are not the port's.
    let colon = match rest.rfind(']') {
        Some(end) => rest[end..].find(':').map(|i| end + i),
        None => rest.rfind(':'),
    };
    match colon {
        Some(i) => Some((&rest[..i], rest[i + 1..].parse().ok()?)),
        None => Some((rest, default_port)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn own_addresses_only() {
        let own = OwnOrigins {
            port: 5555,
            host_name: "Teacher-Laptop".into(),
            extra: vec!["https://chat.school.example".into()],
        };
        for ok in [
            "http://127.0.0.1:5555",
            "http://localhost:5555",
            "http://[::1]:5555",
            "http://teacher-laptop:5555",
            "http://teacher-laptop.local:5555",
            "https://chat.school.example",
        ] {
            assert!(own.allowed(ok), "{ok}");
        }
        for bad in [
            "http://127.0.0.1:8080",
            "http://evil.example:5555",
            "http://evil.example",
            "null",
            "file://",
            "http://127.0.0.1:5555/x",
            "http://8.8.8.8:5555",
        ] {
            assert!(!own.allowed(bad), "{bad}");
        }
    }
}
