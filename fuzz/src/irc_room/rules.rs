//! What a line may make, what a message said, and the rules every line the
//! server writes must follow.

use super::*;

/// May a line with this command (from a client registered or not) make
/// this frame? Only commands that ask the hub for something do.
pub(super) fn may_make(m: &Message<'_>, registered: bool, frame: &Frame<'_>) -> bool {
    let is = |c| m.is(c);
    match frame {
        Frame::Hello { .. } => !registered && (is("CAP") || is("PASS") || is("NICK") || is("USER")),
        Frame::Pong { .. } => is("PONG"),
        Frame::Quit { .. } => is("QUIT"),
        Frame::SetNick { .. } => registered && is("NICK"),
        Frame::Join { .. } => registered && is("JOIN"),
        Frame::Part { .. } => registered && is("PART"),
        Frame::Say { .. } | Frame::Whisper { .. } => registered && (is("PRIVMSG") || is("NOTICE")),
        Frame::SetTopic { .. } => registered && is("TOPIC"),
        Frame::Teach { .. } => registered && is("OPER"),
        Frame::Mode { .. } => registered && is("MODE"),
        Frame::Kick { .. } => registered && is("KICK"),
        Frame::Invite { .. } => registered && is("INVITE"),
        _ => false,
    }
}

/// The frames a registered client's `PRIVMSG` or `NOTICE` must make, by
/// the bridge's table: a `Say` to a channel, a `Whisper` to a nickname,
/// tag 1 (2 and `FLAG_NOTICE` for a notice), CTCP `ACTION` as an action, other CTCP and
/// empty texts nothing. (An IRC line's text always fits natter's 512
/// bytes, so it is one frame.)
pub(super) fn said<'m>(m: &Message<'m>) -> Vec<Frame<'m>> {
    let (Some(target), Some(text)) = (m.param(0), m.param(1)) else {
        return Vec::new();
    };
    let (text, flags) = match text.strip_prefix("\u{1}ACTION ") {
        Some(action) => (action.strip_suffix('\u{1}').unwrap_or(action), FLAG_ACTION),
        None if text.starts_with('\u{1}') => return Vec::new(),
        None => (text, 0),
    };
    // A notice is a notice to natter too (`FLAG_NOTICE`).
    let (tag, flags) = if m.is("NOTICE") {
        (2, flags | FLAG_NOTICE)
    } else {
        (1, flags)
    };
    if text.is_empty() {
        return Vec::new();
    }
    match target.strip_prefix('#') {
        Some(room) if is_valid_room(room) => vec![Frame::Say {
            tag,
            room,
            flags,
            text,
        }],
        Some(_) => Vec::new(),
        None if is_valid_nick(target) => vec![Frame::Whisper {
            tag,
            to: target,
            flags,
            text,
        }],
        None => Vec::new(),
    }
}

/// One line a bridge sent its client, without its tag section (see
/// [`split_tags`]): within IRC's limits, parseable, with a prefix that is
/// the server's or a member's (`PING` and `ERROR` have none), and
/// numerics addressed to `name`.
pub(super) fn check_line(line: &[u8], name: &str) -> Check {
    let shown = String::from_utf8_lossy(line);
    ensure!(
        line.len() <= MAX_LINE,
        "a line of {} bytes without its tags: {shown:?}",
        line.len()
    );
    ensure!(line.ends_with(b"\r\n"), "a line without CR LF: {shown:?}");
    let body = &line[..line.len() - 2];
    ensure!(
        !body.iter().any(|&b| b == 0 || b == b'\r' || b == b'\n'),
        "NUL, CR or LF inside a line: {shown:?}"
    );
    ensure!(
        std::str::from_utf8(body).is_ok(),
        "a line that is not UTF-8: {shown:?}"
    );
    ensure!(!body.starts_with(b"@"), "a second tag section: {shown:?}");
    let m = parse(body).map_err(|e| format!("a line that does not parse ({e}): {shown:?}"))?;
    match m.prefix {
        None => ensure!(
            m.is("PING") || m.is("ERROR"),
            "a line without a prefix: {shown:?}"
        ),
        Some(SERVER) => {}
        Some(p) => {
            let nick = p.strip_suffix("@natter").and_then(|p| p.split_once('!'));
            ensure!(
                nick.is_some_and(|(a, b)| a == b && is_valid_nick(a)),
                "a line from {p:?}: {shown:?}"
            );
        }
    }
    if m.command.bytes().all(|b| b.is_ascii_digit()) {
        ensure!(
            m.param(0) == Some(name),
            "a numeric for {:?}, the client is {name:?}: {shown:?}",
            m.param(0)
        );
    }
    Ok(())
}

/// A line's tags in their order, `(key, value)`.
pub(super) type Tags = Vec<(String, String)>;

/// The tags of a line a bridge sent and the line without them. A tag
/// section is `@`, then `key` or `key=value` separated by `;` (keys of
/// letters, digits, `-`, `/`, `.`, `+`; values without spaces, NUL, CR or
/// LF), then one space; at most [`MAX_TAGS`] bytes with the `@` and the
/// space, and UTF-8. Values are kept as written: the bridge's need no
/// escaping.
pub(super) fn split_tags(line: &[u8]) -> Result<(Tags, &[u8]), String> {
    if line.first() != Some(&b'@') {
        return Ok((Vec::new(), line));
    }
    let shown = String::from_utf8_lossy(line);
    let Some(space) = line.iter().position(|&b| b == b' ') else {
        return Err(format!("tags and no line: {shown:?}"));
    };
    ensure!(
        space < MAX_TAGS,
        "a tag section of {} bytes: {shown:?}",
        space + 1
    );
    let section = std::str::from_utf8(&line[1..space])
        .map_err(|_| format!("tags that are not UTF-8: {shown:?}"))?;
    ensure!(
        !section.bytes().any(|b| b == 0 || b == b'\r' || b == b'\n'),
        "NUL, CR or LF in tags: {shown:?}"
    );
    let mut tags = Vec::new();
    for tag in section.split(';') {
        let (k, v) = tag.split_once('=').unwrap_or((tag, ""));
        ensure!(
            !k.is_empty()
                && k.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-/.+".contains(&b)),
            "a tag named {k:?}: {shown:?}"
        );
        tags.push((k.to_string(), v.to_string()));
    }
    let body = &line[space + 1..];
    ensure!(
        !body.starts_with(b" "),
        "more than one space after the tags: {shown:?}"
    );
    Ok((tags, body))
}

/// A time in milliseconds since the Unix epoch as IRCv3's `server-time`
/// writes it: `YYYY-MM-DDThh:mm:ss.sssZ`, UTC (counted out day by day,
/// not the bridge's way).
// `%` rather than `is_multiple_of`: natter-core's replay test compiles this
// file too, under the core's MSRV (1.85), which lacks it.
#[allow(clippy::manual_is_multiple_of)]
pub(super) fn rfc3339(ms: u64) -> String {
    let (mut days, rest) = (ms / 86_400_000, ms % 86_400_000);
    let leap = |y: u64| y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
    let mut year = 1970;
    while days >= if leap(year) { 366 } else { 365 } {
        days -= if leap(year) { 366 } else { 365 };
        year += 1;
    }
    let feb = if leap(year) { 29 } else { 28 };
    let months = [31, feb, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    let mut month = 0;
    while days >= months[month] {
        days -= months[month];
        month += 1;
    }
    format!(
        "{year:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        month + 1,
        days + 1,
        rest / 3_600_000,
        rest / 60_000 % 60,
        rest / 1000 % 60,
        rest % 1000
    )
}

/// The `msgid` of the `piece`th line of event `id` of `room` (as the
/// hub names it) in `epoch`: `room-epoch-id`, then `/2`, `/3`... for a
/// split text's later lines.
pub(super) fn msgid(room: &str, epoch: u32, id: u64, piece: usize) -> String {
    if piece > 1 {
        format!("{room}-{epoch}-{id}/{piece}")
    } else {
        format!("{room}-{epoch}-{id}")
    }
}

/// `lines` are `text` sent as `command`s from `prefix` to `target` (CTCP
/// `ACTION`s if `action`), cut as the bridge documents: each line's piece is
/// what [`split_text`] gives for the rest of the text and that line's room
/// (512 bytes less the prefix, command, target and wrapping), and together
/// they are the whole text.
pub(super) fn text_lines(
    lines: &[Shown],
    prefix: &str,
    command: &str,
    target: &str,
    action: bool,
    text: &str,
) -> Check {
    ensure!(!lines.is_empty(), "no line for {text:?}");
    let mut rest = text;
    for line in lines.iter().map(|l| &l.body) {
        let shown = String::from_utf8_lossy(line);
        let m = parse(&line[..line.len() - 2]).map_err(|e| format!("{e}: {shown:?}"))?;
        ensure!(
            m.prefix == Some(prefix)
                && m.is(command)
                && m.params().len() == 2
                && m.param(0) == Some(target),
            "expected {command} lines from {prefix} to {target}, got {shown:?}"
        );
        let trailing = m.param(1).unwrap_or_default();
        ensure!(
            line.ends_with(format!(" :{trailing}\r\n").as_bytes()),
            "the text is not a trailing parameter: {shown:?}"
        );
        let piece = if action {
            trailing
                .strip_prefix("\u{1}ACTION ")
                .and_then(|t| t.strip_suffix('\u{1}'))
                .ok_or_else(|| format!("not a CTCP ACTION: {shown:?}"))?
        } else {
            trailing
        };
        let room = MAX_LINE.saturating_sub(line.len() - piece.len()).max(1);
        let (want, tail) = split_text(rest, room);
        ensure!(
            piece == want,
            "a piece {piece:?} where the split gives {want:?} (room {room}) of {text:?}"
        );
        rest = tail;
    }
    ensure!(
        rest.is_empty(),
        "{text:?} arrived cut: {rest:?} never came ({} lines)",
        lines.len()
    );
    Ok(())
}

/// The IRC command a message with `flags` is shown as.
pub(super) fn command_of(flags: u8) -> &'static str {
    if flags & FLAG_NOTICE != 0 {
        "NOTICE"
    } else {
        "PRIVMSG"
    }
}
