//! Writing a bridge's lines: numerics, commands from a member, texts
//! split over as many lines as they need, and a topic cut to one line.

use heapless::{String, Vec};

use super::{Bridge, Lines, MAX_SERVER_NAME, truncated};
use crate::irc::numeric::Numeric;
use crate::irc::{MAX_LINE, MAX_PARAMS, WriteError, split_text, write};

impl Bridge {
    /// A numeric for this client: `:server NNN nick params...`.
    pub(super) fn numeric(&self, out: &mut (impl Lines + ?Sized), code: Numeric, params: &[&str]) {
        // Before registration the client has no nickname yet, as IRC sees it.
        let me = self.client_name();
        let mut all: Vec<&str, 17> = Vec::new();
        let _ = all.push(me);
        for p in params {
            let _ = all.push(p);
        }
        self.send(out, Some(&self.server), code.as_str(), &all);
    }

    /// A command from user `nick`: `:nick!nick@natter CMD params...`.
    pub(super) fn from(
        &self,
        out: &mut (impl Lines + ?Sized),
        nick: &str,
        command: &str,
        params: &[&str],
    ) {
        let prefix = user_prefix(nick);
        self.send(out, Some(&prefix), command, params);
    }

    /// `text` to `target` as `command` (`PRIVMSG` or `NOTICE`) from
    /// `source`, split over as many lines as it needs, never cut.
    pub(super) fn text(
        &self,
        out: &mut (impl Lines + ?Sized),
        source: Source<'_>,
        command: &str,
        target: &str,
        text: &str,
        action: bool,
    ) {
        let prefix: Prefix = match source {
            Source::Server => truncated(&self.server),
            Source::User(nick) => user_prefix(nick),
        };
        // What the rest of the line takes: ":prefix CMD target :" CR LF,
        // and the CTCP wrapping of an action.
        let overhead = 1
            + prefix.len()
            + 1
            + command.len()
            + 1
            + target.len()
            + 2
            + 2
            + if action { 9 } else { 0 };
        let budget = MAX_LINE.saturating_sub(overhead).max(1);
        let mut rest = text;
        loop {
            let (piece, tail) = split_text(rest, budget);
            rest = tail;
            if action {
                let mut wrapped: String<{ MAX_LINE }> = String::new();
                let _ = wrapped.push_str("\u{1}ACTION ");
                let _ = wrapped.push_str(piece);
                let _ = wrapped.push('\u{1}');
                self.send_trailing(out, Some(&prefix), command, &[target, &wrapped]);
            } else {
                self.send_trailing(out, Some(&prefix), command, &[target, piece]);
            }
            if rest.is_empty() {
                break;
            }
        }
    }

    pub(super) fn send(
        &self,
        out: &mut (impl Lines + ?Sized),
        prefix: Option<&str>,
        command: &str,
        params: &[&str],
    ) {
        self.write_line(out, prefix, command, params, false);
    }

    pub(super) fn send_trailing(
        &self,
        out: &mut (impl Lines + ?Sized),
        prefix: Option<&str>,
        command: &str,
        params: &[&str],
    ) {
        self.write_line(out, prefix, command, params, true);
    }

    pub(super) fn write_line(
        &self,
        out: &mut (impl Lines + ?Sized),
        prefix: Option<&str>,
        command: &str,
        params: &[&str],
        trailing: bool,
    ) {
        let mut buf = [0u8; MAX_LINE];
        // Everything the bridge sends was checked on its way in (names by
        // the hub, texts split to fit); a line that still cannot be
        // written is not sent rather than sent broken.
        match write(&mut buf, prefix, command, params, trailing) {
            Ok(n) => out.line(&buf[..n]),
            Err(WriteError::TooLong { .. }) => {
                // Only a topic can be longer than an IRC line (natter's
                // are up to 512 bytes, like its texts, and IRC shows a
                // topic on one line): shown cut, with an ellipsis, rather
                // than not at all.
                if let Some(n) = write_cut(&mut buf, prefix, command, params) {
                    out.line(&buf[..n]);
                }
            }
            Err(WriteError::BadParam) => {}
        }
    }
}

/// Write a line whose last parameter is too long for it, cut at a
/// character boundary to fit, with `…` at the end; its length.
pub(super) fn write_cut(
    buf: &mut [u8; MAX_LINE],
    prefix: Option<&str>,
    command: &str,
    params: &[&str],
) -> Option<usize> {
    const ELLIPSIS: &str = "\u{2026}";
    let mut cut: String<MAX_LINE> = String::new();
    let (last, middle) = params.split_last()?;
    let mut head: Vec<&str, { MAX_PARAMS }> = middle.iter().copied().collect();
    head.push("").ok()?;
    let fixed = write(buf, prefix, command, &head, true).ok()?;
    let mut end = MAX_LINE
        .checked_sub(fixed + ELLIPSIS.len())?
        .min(last.len());
    while !last.is_char_boundary(end) {
        end -= 1;
    }
    cut.push_str(&last[..end]).ok()?;
    cut.push_str(ELLIPSIS).ok()?;
    if let Some(slot) = head.last_mut() {
        *slot = &cut;
    }
    write(buf, prefix, command, &head, true).ok()
}

/// Who an IRC line is from.
#[derive(Clone, Copy)]
pub(super) enum Source<'a> {
    /// This server.
    Server,
    /// A member, by nickname.
    User(&'a str),
}

/// A line's source: a server name, or `nick!nick@natter`.
pub(super) type Prefix = String<{ MAX_SERVER_NAME + 16 }>;

pub(super) fn user_prefix(nick: &str) -> Prefix {
    let mut p = String::new();
    let _ = p.push_str(nick);
    let _ = p.push('!');
    let _ = p.push_str(nick);
    let _ = p.push_str("@natter");
    p
}
