//! The load generator's WebSocket side, as a browser's page speaks it:
//! the handshake at `/ws` with the subprotocol `natter`, natter frames in
//! masked binary messages out, the server's messages unwrapped back into
//! natter's byte stream.

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use natter_core::wire::{FLAG_MORE, Frame, MAX_FRAME_LEN, Status, VERSION, decode};

/// Connect as a browser does, say hello as `nick` and join `room`, up to
/// the end of its member list. Returns the natter bytes that followed and
/// the WebSocket bytes not yet unwrapped.
pub fn join(
    std: &TcpStream,
    addr: SocketAddr,
    nick: &str,
    room: &str,
) -> io::Result<(Vec<u8>, Vec<u8>)> {
    let mut s = std.try_clone()?;
    s.set_read_timeout(Some(Duration::from_secs(20)))?;
    write!(
        s,
        "GET /ws HTTP/1.1\r\nHost: {addr}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: bmF0dGVyLWJlbmNoLWtleQ==\r\nSec-WebSocket-Version: 13\r\n\
         Sec-WebSocket-Protocol: natter\r\nOrigin: http://{addr}\r\n\r\n"
    )?;
    let mut raw = Vec::new();
    let mut buf = [0u8; 4096];
    let head_end = loop {
        if let Some(at) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
            break at + 4;
        }
        let n = s.read(&mut buf)?;
        if n == 0 {
            return Err(io::Error::other("closed during the handshake"));
        }
        raw.extend_from_slice(&buf[..n]);
    };
    if !raw.starts_with(b"HTTP/1.1 101 ") {
        let head = String::from_utf8_lossy(&raw[..head_end]).into_owned();
        return Err(io::Error::other(format!("refused: {head}")));
    }
    raw.drain(..head_end);
    let mut out = Vec::new();
    for frame in [
        Frame::Hello {
            version: VERSION,
            nick,
            password: "",
        },
        Frame::Join {
            room,
            epoch: 0,
            since: 0,
            key: "",
        },
    ] {
        let mut f = [0u8; MAX_FRAME_LEN];
        let n = frame
            .encode(&mut f)
            .map_err(|e| io::Error::other(e.to_string()))?;
        mask_into(&mut out, &f[..n]);
    }
    s.write_all(&out)?;
    let mut natter = Vec::new();
    loop {
        unwrap_messages(&mut raw, &mut natter)?;
        loop {
            let (used, done) = match decode(&natter) {
                Ok(Status::Complete((frame, used))) => match frame {
                    Frame::Names { flags, .. } => (used, flags & FLAG_MORE == 0),
                    Frame::Error { code, .. } | Frame::Bye { code, .. } => {
                        return Err(io::Error::other(format!("refused: {}", code.describe())));
                    }
                    _ => (used, false),
                },
                Ok(Status::Partial { .. }) => break,
                Err(e) => return Err(io::Error::other(e.to_string())),
            };
            natter.drain(..used);
            if done {
                return Ok((natter, raw));
            }
        }
        let n = s.read(&mut buf)?;
        if n == 0 {
            return Err(io::Error::other("the server closed the connection"));
        }
        raw.extend_from_slice(&buf[..n]);
    }
}

/// Append `payload` as one masked binary message.
pub fn mask_into(out: &mut Vec<u8>, payload: &[u8]) {
    natter_server::web::ws::client_frame(out, true, natter_server::web::ws::BINARY, payload);
}

/// Move the payloads of the whole server messages at the start of `raw`
/// into `out`; a close is an error.
pub fn unwrap_messages(raw: &mut Vec<u8>, out: &mut Vec<u8>) -> io::Result<()> {
    let mut at = 0;
    while raw.len() - at >= 2 {
        let (b0, b1) = (raw[at], raw[at + 1]);
        let (len, head) = match b1 & 0x7f {
            126 if raw.len() - at >= 4 => (
                usize::from(u16::from_be_bytes([raw[at + 2], raw[at + 3]])),
                4,
            ),
            127 if raw.len() - at >= 10 => {
                let mut be = [0u8; 8];
                be.copy_from_slice(&raw[at + 2..at + 10]);
                (
                    usize::try_from(u64::from_be_bytes(be)).unwrap_or(usize::MAX),
                    10,
                )
            }
            126 | 127 => break,
            n => (usize::from(n), 2),
        };
        if raw.len() - at - head < len {
            break;
        }
        let payload = &raw[at + head..at + head + len];
        match b0 & 0x0f {
            0x0 | 0x2 => out.extend_from_slice(payload),
            0x8 => return Err(io::Error::other("the server closed the WebSocket")),
            _ => {}
        }
        at += head + len;
    }
    raw.drain(..at);
    Ok(())
}
