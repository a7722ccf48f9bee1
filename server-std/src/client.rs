//! A blocking natter client over `embedded-io` streams.
//!
//! [`Stream`] adapts a `std::net::TcpStream` (made with `socket2`: connect
//! timeout, `TCP_NODELAY`) to `embedded_io::{Read, Write}`, so the same
//! `natter_core::io` helpers serve the desktop and a microcontroller.

use std::io;
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::time::Duration;

use natter_core::error::ErrorCode;
use natter_core::io::{FrameReader, IoError, write_frame};
use natter_core::wire::{Frame, VERSION};
use socket2::{Domain, Protocol, Socket, Type};

/// A `TcpStream` as an `embedded-io` stream.
#[derive(Debug)]
pub struct Stream(pub TcpStream);

impl embedded_io::ErrorType for Stream {
    type Error = io::Error;
}

impl embedded_io::Read for Stream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        io::Read::read(&mut self.0, buf)
    }
}

impl embedded_io::Write for Stream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        io::Write::write(&mut self.0, buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        io::Write::flush(&mut self.0)
    }
}

/// Connect to `addr` (a `host:port`), trying each address it resolves to,
/// each within `timeout`, with `TCP_NODELAY` set.
///
/// # Errors
/// The last connection error, or `NotFound` if the name resolves to nothing.
pub fn connect(addr: impl ToSocketAddrs, timeout: Duration) -> io::Result<Stream> {
    let mut last = io::Error::new(io::ErrorKind::NotFound, "the address resolves to nothing");
    for addr in addr.to_socket_addrs()? {
        match connect_one(addr, timeout) {
            Ok(s) => return Ok(Stream(s)),
            Err(e) => last = e,
        }
    }
    Err(last)
}

fn connect_one(addr: SocketAddr, timeout: Duration) -> io::Result<TcpStream> {
    let socket = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))?;
    socket.set_tcp_nodelay(true)?;
    socket.connect_timeout(&addr.into(), timeout)?;
    Ok(socket.into())
}

/// Why a client session failed.
#[derive(Debug)]
pub enum ClientError {
    /// Reading or writing the stream failed, or the server sent a bad frame.
    Io(IoError<io::Error>),
    /// The server refused, with this code.
    Refused(ErrorCode),
    /// The server answered with something unexpected.
    Unexpected(String),
}

impl std::fmt::Display for ClientError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ClientError::Io(e) => write!(f, "{e}"),
            ClientError::Refused(code) => write!(f, "{}", code.describe()),
            ClientError::Unexpected(s) => write!(f, "unexpected reply: {s}"),
        }
    }
}

impl std::error::Error for ClientError {}

impl From<IoError<io::Error>> for ClientError {
    fn from(e: IoError<io::Error>) -> Self {
        ClientError::Io(e)
    }
}

/// A connected, welcomed client.
pub struct Client {
    stream: Stream,
    reader: Box<FrameReader<8192>>,
    /// The nickname as the server registered it.
    pub nick: String,
    /// The lobby the server named in its welcome.
    pub lobby: String,
    /// The longest text the server accepts, in bytes.
    pub max_text: usize,
}

impl Client {
    /// Connect and say hello as `nick`, allowing 5 s to connect.
    ///
    /// # Errors
    /// [`ClientError::Refused`] with the server's code if the hello is
    /// refused, or the connection's error.
    pub fn connect(
        addr: impl ToSocketAddrs,
        nick: &str,
        password: &str,
    ) -> Result<Self, ClientError> {
        Self::connect_timeout(addr, nick, password, Duration::from_secs(5))
    }

    /// Connect within `timeout` per address and say hello as `nick`; the
    /// welcome must come within 10 s. The read timeout stays at 10 s:
    /// set another one on [`socket`](Self::socket) for a long session.
    ///
    /// # Errors
    /// As [`connect`](Self::connect).
    pub fn connect_timeout(
        addr: impl ToSocketAddrs,
        nick: &str,
        password: &str,
        timeout: Duration,
    ) -> Result<Self, ClientError> {
        let stream = connect(addr, timeout).map_err(|e| ClientError::Io(IoError::Io(e)))?;
        stream
            .0
            .set_read_timeout(Some(Duration::from_secs(10)))
            .map_err(|e| ClientError::Io(IoError::Io(e)))?;
        let mut client = Client {
            stream,
            reader: Box::new(FrameReader::new()),
            nick: String::new(),
            lobby: String::new(),
            max_text: 0,
        };
        client.send(&Frame::Hello {
            version: VERSION,
            nick,
            password,
        })?;
        let (nick, lobby, max_text) = match client.recv()? {
            Frame::Welcome {
                nick,
                lobby,
                max_text,
                ..
            } => (nick.to_owned(), lobby.to_owned(), usize::from(max_text)),
            Frame::Error { code, .. } | Frame::Bye { code, .. } => {
                return Err(ClientError::Refused(code));
            }
            other => return Err(ClientError::Unexpected(format!("{other:?}"))),
        };
        client.nick = nick;
        client.lobby = lobby;
        client.max_text = max_text;
        Ok(client)
    }

    /// Send one frame.
    ///
    /// # Errors
    /// The stream's error, or an encoding error for an invalid frame.
    pub fn send(&mut self, frame: &Frame<'_>) -> Result<(), ClientError> {
        Ok(write_frame(&mut self.stream, frame)?)
    }

    /// Wait for the next frame.
    ///
    /// # Errors
    /// The stream's error (including the read timeout), a bad frame, or the
    /// end of the stream.
    pub fn recv(&mut self) -> Result<Frame<'_>, ClientError> {
        Ok(self.reader.read_frame(&mut self.stream)?)
    }

    /// The underlying socket, to set timeouts or shut it down.
    pub fn socket(&self) -> &TcpStream {
        &self.stream.0
    }
}
