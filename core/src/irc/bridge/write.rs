//! Writing a bridge's lines: numerics, commands from a member, texts
//! split over as many lines as they need, and a topic cut to one line.

use core::fmt::Write as _;

use heapless::{String, Vec};

use super::caps::Caps;
use super::{Bridge, Lines, MAX_SERVER_NAME, truncated};
use crate::irc::numeric::Numeric;
use crate::irc::{MAX_LINE, MAX_PARAMS, WriteError, split_text, write};

/// Longest tag section the bridge writes in front of a line (`@time=…;
/// msgid=…;batch=… `): a time of 24 bytes, an id of a room name and two
/// numbers, a batch reference.
const MAX_OUT_TAGS: usize = 128;

/// What IRCv3 tags a line may carry; each is written only when the
/// client turned on its capability.
#[derive(Clone, Copy, Default)]
pub(super) struct Tags<'a> {
    /// `server-time`: when it happened, in milliseconds since the Unix
    /// epoch.
    pub time: Option<u64>,
    /// `message-tags`: the natter event it is.
    pub msgid: Option<MsgId<'a>>,
    /// `batch`: the reference of the batch it belongs to.
    pub batch: Option<u32>,
}

/// A room event's identity: `room-epoch-id`, unique on the server (ids
/// count per room and start again when a room is made anew, with a new
/// epoch). A room name never holds a space, `;` or `\\`, so it needs no
/// escaping in a tag.
#[derive(Clone, Copy)]
pub(super) struct MsgId<'a> {
    pub room: &'a str,
    pub epoch: u32,
    pub id: u64,
}

impl Tags<'_> {
    /// No tags.
    pub const NONE: Tags<'static> = Tags {
        time: None,
        msgid: None,
        batch: None,
    };
}

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
        self.text_tagged(out, &Tags::NONE, source, command, target, text, action);
    }

    /// [`text`](Bridge::text) with `tags` on every line (a split text's
    /// pieces after the first get `msgid`s of their own: `…/2`, `…/3`).
    #[allow(clippy::too_many_arguments)]
    pub(super) fn text_tagged(
        &self,
        out: &mut (impl Lines + ?Sized),
        tags: &Tags<'_>,
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
        let mut piece_no = 1;
        loop {
            let (piece, tail) = split_text(rest, budget);
            rest = tail;
            let mut wrapped: String<{ MAX_LINE }> = String::new();
            let piece = if action {
                let _ = wrapped.push_str("\u{1}ACTION ");
                let _ = wrapped.push_str(piece);
                let _ = wrapped.push('\u{1}');
                &wrapped
            } else {
                piece
            };
            let tagged = self.tag_section(tags, piece_no);
            self.write_line(out, &tagged, Some(&prefix), command, &[target, piece], true);
            if rest.is_empty() {
                break;
            }
            piece_no += 1;
        }
    }

    pub(super) fn send(
        &self,
        out: &mut (impl Lines + ?Sized),
        prefix: Option<&str>,
        command: &str,
        params: &[&str],
    ) {
        self.write_line(out, "", prefix, command, params, false);
    }

    /// A command from user `nick` about something that happened at
    /// `tags`' time (`JOIN`, `PART`, `QUIT`, `NICK`, `TOPIC`).
    pub(super) fn event_line(
        &self,
        out: &mut (impl Lines + ?Sized),
        tags: &Tags<'_>,
        nick: &str,
        command: &str,
        params: &[&str],
    ) {
        let prefix = user_prefix(nick);
        let tagged = self.tag_section(tags, 1);
        self.write_line(out, &tagged, Some(&prefix), command, params, false);
    }

    /// The tag section (`@a=b;c=d `, or nothing) for the `piece`th line
    /// of something with `tags`, as far as this client's capabilities
    /// want them.
    pub(super) fn tag_section(&self, tags: &Tags<'_>, piece: usize) -> String<MAX_OUT_TAGS> {
        let mut section = String::new();
        let mut sep = '@';
        let mut tag = |section: &mut String<MAX_OUT_TAGS>, args: core::fmt::Arguments<'_>| {
            let _ = section.push(sep);
            let _ = section.write_fmt(args);
            sep = ';';
        };
        if let Some(batch) = tags.batch.filter(|_| self.caps.has(Caps::BATCH)) {
            tag(&mut section, format_args!("batch={batch}"));
        }
        if let Some(m) = tags.msgid.filter(|_| self.caps.has(Caps::MESSAGE_TAGS)) {
            let (room, epoch, id) = (m.room, m.epoch, m.id);
            if piece > 1 {
                tag(
                    &mut section,
                    format_args!("msgid={room}-{epoch}-{id}/{piece}"),
                );
            } else {
                tag(&mut section, format_args!("msgid={room}-{epoch}-{id}"));
            }
        }
        if let Some(time) = tags.time.filter(|_| self.caps.has(Caps::SERVER_TIME)) {
            tag(&mut section, format_args!("time={}", Rfc3339(time)));
        }
        if !section.is_empty() {
            let _ = section.push(' ');
        }
        section
    }

    /// Write one line, `tags` (a tag section, or empty) in front.
    pub(super) fn write_line(
        &self,
        out: &mut (impl Lines + ?Sized),
        tags: &str,
        prefix: Option<&str>,
        command: &str,
        params: &[&str],
        trailing: bool,
    ) {
        let mut buf = [0u8; MAX_OUT_TAGS + MAX_LINE];
        let Some((head, line)) = buf.split_at_mut_checked(tags.len()) else {
            return;
        };
        head.copy_from_slice(tags.as_bytes());
        let Some(line) = line.first_chunk_mut::<MAX_LINE>() else {
            return;
        };
        // Everything the bridge sends was checked on its way in (names by
        // the hub, texts split to fit); a line that still cannot be
        // written is not sent rather than sent broken.
        let n = match write(line, prefix, command, params, trailing) {
            Ok(n) => n,
            // Only a topic can be longer than an IRC line (natter's are up
            // to 512 bytes, like its texts, and IRC shows a topic on one
            // line): shown cut, with an ellipsis, rather than not at all.
            Err(WriteError::TooLong { .. }) => match write_cut(line, prefix, command, params) {
                Some(n) => n,
                None => return,
            },
            Err(WriteError::BadParam) => return,
        };
        out.line(&buf[..tags.len() + n]);
    }

    /// Lines another member's bridge wrote for a live room message (the
    /// same for every member), with this client's tags for it.
    pub(crate) fn copy_live(
        &self,
        out: &mut (impl Lines + ?Sized),
        lines: &[u8],
        room: &str,
        id: u64,
        time: u64,
    ) {
        let tags = self.event_tags(room, id, time);
        if self.tag_section(&tags, 1).is_empty() {
            return out.lines(lines);
        }
        let mut buf = [0u8; MAX_OUT_TAGS + MAX_LINE];
        for (i, line) in lines.split_inclusive(|&b| b == b'\n').enumerate() {
            let section = self.tag_section(&tags, i + 1);
            let end = section.len() + line.len();
            if let Some(dst) = buf.get_mut(..end) {
                dst[..section.len()].copy_from_slice(section.as_bytes());
                dst[section.len()..].copy_from_slice(line);
                out.line(dst);
            }
        }
    }

    /// The tags of event `id` of `room`, said at `time`.
    pub(super) fn event_tags<'r>(&self, room: &'r str, id: u64, time: u64) -> Tags<'r> {
        let epoch = self.room(room).map_or(0, |r| r.epoch);
        Tags {
            time: Some(time),
            msgid: Some(MsgId { room, epoch, id }),
            batch: None,
        }
    }
}

/// A server time (milliseconds since the Unix epoch) as IRCv3's
/// `server-time` writes it: `2026-12-06T09:14:03.250Z`, always UTC.
pub(super) struct Rfc3339(pub u64);

impl core::fmt::Display for Rfc3339 {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let ms = self.0 % 1000;
        let secs = self.0 / 1000;
        let (days, day_secs) = (secs / 86_400, secs % 86_400);
        let (year, month, day) = civil_from_days(days);
        let (h, m, s) = (day_secs / 3600, day_secs / 60 % 60, day_secs % 60);
        write!(
            f,
            "{year:04}-{month:02}-{day:02}T{h:02}:{m:02}:{s:02}.{ms:03}Z"
        )
    }
}

/// The date `days` after 1970-01-01, in the proleptic Gregorian calendar
/// (Howard Hinnant's `civil_from_days`, for days on or after the epoch).
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z % 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    (year, month, day)
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
