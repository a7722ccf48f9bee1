//! A second IRC user beside the real client under test: a plain TCP
//! connection that registers, joins `#lobby` and later quits, reading only
//! what it waits for.
#![allow(dead_code)] // each test file uses part of this

use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

pub struct RawIrc {
    writer: TcpStream,
    reader: BufReader<TcpStream>,
}

impl RawIrc {
    /// Register as `nick` and join `#lobby`.
    pub fn join_lobby(addr: SocketAddr, nick: &str) -> RawIrc {
        let s = TcpStream::connect(addr).expect("connect");
        s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
        let mut c = RawIrc {
            writer: s.try_clone().unwrap(),
            reader: BufReader::new(s),
        };
        c.send(&format!("NICK {nick}"));
        c.send(&format!("USER {nick} 0 * :{nick}"));
        c.until(" 001 ");
        c.send("JOIN #lobby");
        c.until(" 366 ");
        c
    }

    pub fn send(&mut self, line: &str) {
        self.writer
            .write_all(format!("{line}\r\n").as_bytes())
            .unwrap();
    }

    /// Lines until one contains `needle`, which is returned.
    pub fn until(&mut self, needle: &str) -> String {
        loop {
            let mut line = String::new();
            match self.reader.read_line(&mut line) {
                Ok(0) => panic!("the server closed the connection before {needle:?}"),
                Ok(_) if line.contains(needle) => return line.trim_end().to_owned(),
                Ok(_) => {}
                Err(e) => panic!("no line with {needle:?}: {e}"),
            }
        }
    }

    /// `QUIT :reason`, then wait for the server's `ERROR` (the quit has
    /// been taken).
    pub fn quit(mut self, reason: &str) {
        self.send(&format!("QUIT :{reason}"));
        self.until("ERROR");
    }
}
