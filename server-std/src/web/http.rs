//! HTTP/1.1 requests, sans I/O: what a request asks (parsed with
//! `httparse`) and the answer, which is one of the files built into the
//! binary, a WebSocket upgrade, or a refusal with its status.
//!
//! Nothing here reads a file: the page and its assets are in the binary
//! (`build.rs` lists `server-std/web/`), so no path can reach anything else.

use super::assets::{self, Asset};
use super::stream::Carried;
use super::ws;

/// The longest request head (request line and headers) taken.
pub const MAX_HEAD: usize = 8 * 1024;
/// Most headers in a request.
const MAX_HEADERS: usize = 48;
/// Where the page's WebSocket connects.
pub const WS_PATH: &str = "/ws";
/// The WebSocket subprotocols, in the server's order of preference.
pub const SUBPROTOCOLS: [&str; 3] = ["natter", "text.ircv3.net", "binary.ircv3.net"];

/// The page's Content-Security-Policy: its own files only, and its own
/// WebSocket; no inline script, no frames, no forms sent elsewhere.
pub const CSP: &str = "default-src 'self'; connect-src 'self'; img-src 'self' data:; \
                       base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// A refusal's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    BadRequest,
    Forbidden,
    NotFound,
    MethodNotAllowed,
    UpgradeRequired,
    HeadersTooLarge,
    Unavailable,
}

impl Status {
    /// The number, for the log.
    pub fn code(self) -> u16 {
        match self {
            Status::BadRequest => 400,
            Status::Forbidden => 403,
            Status::NotFound => 404,
            Status::MethodNotAllowed => 405,
            Status::UpgradeRequired => 426,
            Status::HeadersTooLarge => 431,
            Status::Unavailable => 503,
        }
    }

    fn line(self) -> &'static str {
        match self {
            Status::BadRequest => "400 Bad Request",
            Status::Forbidden => "403 Forbidden",
            Status::NotFound => "404 Not Found",
            Status::MethodNotAllowed => "405 Method Not Allowed",
            Status::UpgradeRequired => "426 Upgrade Required",
            Status::HeadersTooLarge => "431 Request Header Fields Too Large",
            Status::Unavailable => "503 Service Unavailable",
        }
    }
}

/// What a request comes to.
#[derive(Debug, PartialEq, Eq)]
pub enum Answer {
    /// The head is not complete yet.
    Partial,
    /// A file (`head` says whether to leave out the body).
    File {
        asset: &'static Asset,
        head_only: bool,
        not_modified: bool,
        keep_alive: bool,
        /// Bytes of the buffer the request took.
        used: usize,
    },
    /// A WebSocket carrying `carried`, answered with this `accept` key and
    /// subprotocol.
    Upgrade {
        accept: String,
        protocol: Option<&'static str>,
        carried: Carried,
        used: usize,
    },
    /// Refused, with a reason for the log and the body; the connection
    /// closes after.
    Refuse(Status, &'static str),
}

/// Whether an `Origin` may open a WebSocket here: decided by the caller,
/// which knows the server's addresses.
pub trait Origins {
    fn allowed(&self, origin: &str) -> bool;
}

/// What the request at the start of `buf` comes to.
pub fn answer(buf: &[u8], origins: &impl Origins) -> Answer {
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut req = httparse::Request::new(&mut headers);
    let used = match req.parse(buf) {
        Ok(httparse::Status::Partial) if buf.len() >= MAX_HEAD => {
            return Answer::Refuse(Status::HeadersTooLarge, "request head too large");
        }
        Ok(httparse::Status::Partial) => return Answer::Partial,
        Ok(httparse::Status::Complete(used)) if used > MAX_HEAD => {
            return Answer::Refuse(Status::HeadersTooLarge, "request head too large");
        }
        Ok(httparse::Status::Complete(used)) => used,
        Err(httparse::Error::TooManyHeaders) => {
            return Answer::Refuse(Status::HeadersTooLarge, "too many headers");
        }
        Err(_) => return Answer::Refuse(Status::BadRequest, "malformed request"),
    };
    let head_only = match req.method {
        Some("GET") => false,
        Some("HEAD") => true,
        _ => return Answer::Refuse(Status::MethodNotAllowed, "only GET and HEAD"),
    };
    let header = |name: &str| {
        req.headers
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case(name))
            .and_then(|h| std::str::from_utf8(h.value).ok())
    };
    if header("content-length").is_some_and(|l| l.trim() != "0")
        || header("transfer-encoding").is_some()
    {
        return Answer::Refuse(Status::BadRequest, "a GET has no body");
    }
    let path = req.path.unwrap_or("/");
    let path = path.split(['?', '#']).next().unwrap_or(path);
    if path == WS_PATH {
        return upgrade(&header, used, origins);
    }
    let Some(asset) = assets::find(path) else {
        return Answer::Refuse(Status::NotFound, "no such page");
    };
    let not_modified = header("if-none-match").is_some_and(|tags| {
        tags.split(',')
            .any(|t| t.trim().trim_start_matches("W/") == asset.etag)
    });
    let keep_alive =
        req.version == Some(1) && !header("connection").is_some_and(|c| has_token(c, "close"));
    Answer::File {
        asset,
        head_only,
        not_modified,
        keep_alive,
        used,
    }
}

/// A WebSocket handshake (RFC 6455 §4.2.1), checked.
fn upgrade<'h>(
    header: &impl Fn(&str) -> Option<&'h str>,
    used: usize,
    origins: &impl Origins,
) -> Answer {
    if !header("upgrade").is_some_and(|u| has_token(u, "websocket"))
        || !header("connection").is_some_and(|c| has_token(c, "upgrade"))
    {
        return Answer::Refuse(Status::UpgradeRequired, "this address is for WebSockets");
    }
    if header("sec-websocket-version").map(str::trim) != Some("13") {
        return Answer::Refuse(Status::UpgradeRequired, "WebSocket version 13 only");
    }
    let key = header("sec-websocket-key").unwrap_or("").trim();
    if !valid_key(key) {
        return Answer::Refuse(Status::BadRequest, "bad Sec-WebSocket-Key");
    }
    // Browsers always send Origin: a page from anywhere else may not speak
    // for the student who opened it (cross-site WebSocket hijacking).
    // Programs that are not browsers send none, and need no such guard.
    if let Some(origin) = header("origin") {
        if !origins.allowed(origin.trim()) {
            return Answer::Refuse(Status::Forbidden, "a page from another site");
        }
    }
    let offered: Vec<&str> = header("sec-websocket-protocol")
        .map(|p| p.split(',').map(str::trim).collect())
        .unwrap_or_default();
    let protocol = SUBPROTOCOLS
        .into_iter()
        .find(|p| offered.iter().any(|o| o.eq_ignore_ascii_case(p)));
    let carried = match protocol {
        Some("natter") => Carried::Natter,
        Some("binary.ircv3.net") => Carried::Irc { text: false },
        Some(_) => Carried::Irc { text: true },
        // No subprotocol: IRC lines in text messages, as IRCv3 says for
        // web IRC clients that name none.
        None if offered.is_empty() => Carried::Irc { text: true },
        None => return Answer::Refuse(Status::BadRequest, "unknown WebSocket subprotocol"),
    };
    Answer::Upgrade {
        accept: ws::accept_key(key),
        protocol,
        carried,
        used,
    }
}

/// A `Sec-WebSocket-Key`: base64 of 16 bytes.
fn valid_key(key: &str) -> bool {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD
        .decode(key)
        .is_ok_and(|k| k.len() == 16)
}

/// Whether a comma-separated header value has `token`.
fn has_token(value: &str, token: &str) -> bool {
    value
        .split(',')
        .any(|t| t.trim().eq_ignore_ascii_case(token))
}

/// The response head for an answer (the body, if any, is the asset's).
pub fn response_head(answer: &Answer) -> String {
    match answer {
        Answer::File {
            asset,
            not_modified,
            keep_alive,
            ..
        } => {
            let status = if *not_modified {
                "304 Not Modified"
            } else {
                "200 OK"
            };
            let mut head = format!(
                "HTTP/1.1 {status}\r\nContent-Type: {}\r\nETag: {}\r\n\
                 Cache-Control: no-cache\r\nX-Content-Type-Options: nosniff\r\n\
                 Content-Security-Policy: {CSP}\r\nReferrer-Policy: no-referrer\r\n\
                 Cross-Origin-Opener-Policy: same-origin\r\n",
                asset.content_type, asset.etag
            );
            if !*not_modified {
                head.push_str(&format!("Content-Length: {}\r\n", asset.body.len()));
            }
            head.push_str(if *keep_alive {
                "Connection: keep-alive\r\n\r\n"
            } else {
                "Connection: close\r\n\r\n"
            });
            head
        }
        Answer::Upgrade {
            accept, protocol, ..
        } => {
            let mut head = format!(
                "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\
                 Connection: Upgrade\r\nSec-WebSocket-Accept: {accept}\r\n"
            );
            if let Some(p) = protocol {
                head.push_str(&format!("Sec-WebSocket-Protocol: {p}\r\n"));
            }
            head.push_str("\r\n");
            head
        }
        Answer::Refuse(status, why) => refusal(*status, why),
        Answer::Partial => String::new(),
    }
}

/// A refusal, with its reason as a plain-text body.
pub fn refusal(status: Status, why: &str) -> String {
    let body = format!("{}: {why}\n", status.line());
    let mut head = format!(
        "HTTP/1.1 {}\r\nContent-Type: text/plain; charset=utf-8\r\n\
         Content-Length: {}\r\nX-Content-Type-Options: nosniff\r\n\
         Content-Security-Policy: {CSP}\r\nConnection: close\r\n",
        status.line(),
        body.len()
    );
    match status {
        Status::MethodNotAllowed => head.push_str("Allow: GET, HEAD\r\n"),
        Status::UpgradeRequired => {
            head.push_str("Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\n")
        }
        _ => {}
    }
    head.push_str("\r\n");
    head.push_str(&body);
    head
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Only(&'static str);

    impl Origins for Only {
        fn allowed(&self, origin: &str) -> bool {
            origin == self.0
        }
    }

    const HERE: Only = Only("http://10.0.0.5:5555");

    fn ask(req: &str) -> Answer {
        answer(req.as_bytes(), &HERE)
    }

    fn upgrade_request(extra: &str) -> String {
        format!(
            "GET /ws HTTP/1.1\r\nHost: 10.0.0.5:5555\r\nUpgrade: websocket\r\n\
             Connection: keep-alive, Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
             Sec-WebSocket-Version: 13\r\n{extra}\r\n"
        )
    }

    #[test]
    fn upgrades_pick_the_subprotocol() {
        let req = upgrade_request(
            "Origin: http://10.0.0.5:5555\r\nSec-WebSocket-Protocol: chat, natter\r\n",
        );
        let a = ask(&req);
        let Answer::Upgrade {
            accept,
            protocol,
            carried,
            used,
        } = &a
        else {
            panic!("{a:?}")
        };
        assert_eq!(accept, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
        assert_eq!(*protocol, Some("natter"));
        assert_eq!(*carried, Carried::Natter);
        assert_eq!(*used, req.len());
        let head = response_head(&a);
        assert!(head.starts_with("HTTP/1.1 101 "));
        assert!(head.contains("Sec-WebSocket-Protocol: natter\r\n"));
        let irc = ask(&upgrade_request(
            "Sec-WebSocket-Protocol: binary.ircv3.net\r\n",
        ));
        assert!(matches!(
            irc,
            Answer::Upgrade {
                carried: Carried::Irc { text: false },
                ..
            }
        ));
        let none = ask(&upgrade_request(""));
        assert!(matches!(
            none,
            Answer::Upgrade {
                carried: Carried::Irc { text: true },
                protocol: None,
                ..
            }
        ));
    }

    #[test]
    fn bad_upgrades_are_refused() {
        let refused = |req: String| match ask(&req) {
            Answer::Refuse(status, _) => status,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            refused(upgrade_request("Origin: http://evil.example\r\n")),
            Status::Forbidden
        );
        assert_eq!(
            refused(upgrade_request("Sec-WebSocket-Protocol: chat\r\n")),
            Status::BadRequest
        );
        let bad_key = upgrade_request("").replace("dGhlIHNhbXBsZSBub25jZQ==", "short");
        assert_eq!(refused(bad_key), Status::BadRequest);
        let v8 = upgrade_request("").replace("Version: 13", "Version: 8");
        assert_eq!(refused(v8), Status::UpgradeRequired);
        assert_eq!(
            refused("GET /ws HTTP/1.1\r\nHost: x\r\n\r\n".into()),
            Status::UpgradeRequired
        );
    }

    #[test]
    fn refusals() {
        let status = |req: &str| match ask(req) {
            Answer::Refuse(status, _) => Some(status),
            Answer::Partial => None,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            status("POST / HTTP/1.1\r\n\r\n"),
            Some(Status::MethodNotAllowed)
        );
        assert_eq!(
            status("GET /../../etc/passwd HTTP/1.1\r\n\r\n"),
            Some(Status::NotFound)
        );
        assert_eq!(
            status("GET / HTTP/1.1\r\nbad header\r\n\r\n"),
            Some(Status::BadRequest)
        );
        assert_eq!(
            status("GET / HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello"),
            Some(Status::BadRequest)
        );
        assert_eq!(status("GET / HTTP/1.1\r\nHost: x\r\n"), None);
        let huge = format!("GET / HTTP/1.1\r\nX: {}\r\n", "a".repeat(MAX_HEAD));
        assert_eq!(status(&huge), Some(Status::HeadersTooLarge));
        let many: String = (0..60).map(|i| format!("X{i}: y\r\n")).collect();
        assert_eq!(
            status(&format!("GET / HTTP/1.1\r\n{many}\r\n")),
            Some(Status::HeadersTooLarge)
        );
        let head = refusal(Status::MethodNotAllowed, "only GET and HEAD");
        assert!(head.contains("Allow: GET, HEAD\r\n"));
    }
}
