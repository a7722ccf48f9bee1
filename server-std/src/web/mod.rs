//! Browsers on the same port: the page built into the binary, served over
//! HTTP/1.1, and WebSockets that carry natter frames (the page) or IRC
//! lines (web IRC clients) into the same hub as every other client.
//!
//! # Layout
//! * [`http`]: a request (parsed by `httparse`) and its answer: a file, an
//!   upgrade or a refusal; the response heads.
//! * [`ws`]: RFC 6455 framing, sans I/O, with every check a server owes.
//! * [`stream`]: a WebSocket as a byte stream over a socket, so the loop
//!   reads and writes it as a TCP client.
//! * [`assets`]: the files of the page, from `server-std/web/`.
//! * [`origins`]: which pages may open a WebSocket: the server's own
//!   addresses.

pub mod assets;
pub mod http;
pub mod origins;
pub mod stream;
pub mod ws;
