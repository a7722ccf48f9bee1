//! What an IRC line did: the frames its bridge made, checked against its command.

use super::*;

impl<const HIST: usize, const TEXT: usize, const OUT: usize> World<HIST, TEXT, OUT> {
    /// Check what one line of an IRC client made, and remember its tagged
    /// requests.
    pub(super) fn handled(&mut self, ci: usize, h: Handled) -> Check {
        let replies = self
            .show(ci, &h.replies, &h.name, Origin::Reply)
            .map_err(|e| format!("client {ci}: {e}"))?;
        // `echo-message`: the bridge holds one message until the hub
        // answers it (`awaiting_hub`), and the driver reads nothing
        // meanwhile.
        let c = &self.clients[ci];
        if let Some(waiting) = c.asked.iter().find(|a| a.echo) {
            return Err(format!(
                "client {ci}: {:?} was read while the echo of {waiting:?} was due",
                h.line
                    .as_ref()
                    .map(|l| String::from_utf8_lossy(l).into_owned())
            ));
        }
        let Some(line) = h.line else {
            self.stats.too_long += 1;
            return Ok(());
        };
        self.stats.lines_in += 1;
        let shown = String::from_utf8_lossy(&line);
        if let Some(why) = h.unencodable {
            return Err(format!(
                "client {ci}: {shown:?} made a frame that does not encode: {why}"
            ));
        }
        let mut frames = Vec::new();
        for bytes in &h.frames {
            match decode(bytes) {
                Ok(Status::Complete((frame, n))) if n == bytes.len() => frames.push(frame),
                other => return Err(format!("a bridge frame does not decode back: {other:?}")),
            }
        }
        let message = match parse(&line) {
            Ok(m) => m,
            Err(_) => {
                self.stats.unparsed += 1;
                ensure!(
                    frames.is_empty(),
                    "client {ci}: the unreadable line {shown:?} made frames: {frames:?}"
                );
                return Ok(());
            }
        };
        self.read_line(ci, &message, &replies)
            .map_err(|e| format!("client {ci}: {e}"))?;
        for frame in &frames {
            ensure!(
                may_make(&message, h.registered, frame),
                "client {ci}: {shown:?} (registered: {}) made {frame:?}",
                h.registered
            );
        }
        let targets = match message.param(0) {
            Some(p) if message.is("JOIN") || message.is("PART") => p.split(',').count(),
            _ => 1,
        };
        ensure!(
            frames.len() <= targets,
            "client {ci}: {shown:?} made {} frames: {frames:?}",
            frames.len()
        );
        if h.registered && (message.is("PRIVMSG") || message.is("NOTICE")) {
            let want = said(&message);
            ensure!(
                frames == want,
                "client {ci}: {shown:?} made {frames:?}, not {want:?}"
            );
        }
        let c = &mut self.clients[ci];
        let echo = c.caps.echo;
        for frame in frames {
            match frame {
                Frame::Say {
                    tag,
                    room,
                    flags,
                    text,
                } => c.asked.push_back(Asked {
                    tag,
                    room: Some(room.to_string()),
                    target: format!("#{room}"),
                    echo,
                    text: text.to_string(),
                    flags,
                }),
                Frame::Whisper {
                    tag,
                    to,
                    flags,
                    text,
                } => c.asked.push_back(Asked {
                    tag,
                    room: None,
                    target: to.to_string(),
                    echo,
                    text: text.to_string(),
                    flags,
                }),
                _ => {}
            }
        }
        Ok(())
    }
}
