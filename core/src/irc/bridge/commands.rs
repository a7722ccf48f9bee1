//! Every IRC command the bridge knows, in one table (as ergo's
//! `irc/commands.go` has it): its name, the parameters it needs, when it
//! may be used, and its handler. [`Bridge::dispatch`] checks those once,
//! so `421`, `451`, `461` and `462` each come from one place and a handler
//! only does its command's own work.
//!
//! A new command is one row here and one handler in `inbound.rs` (plus its
//! numerics in `numeric.rs`, if it needs new ones).

use super::{Bridge, Directory, Frames, Lines};
use crate::irc::Message;
use crate::irc::numeric::Numeric;

/// What a handler may use besides the bridge: the hub's present state to
/// answer queries from, where frames for the hub go, and where the
/// client's lines go. Trait objects, so one table of plain function
/// pointers serves every driver.
pub(super) struct Io<'a> {
    pub dir: &'a dyn Directory,
    pub hub: &'a mut dyn Frames,
    pub out: &'a mut dyn Lines,
}

/// A command's handler; the dispatcher has checked its row.
type Handler = fn(&mut Bridge, &Message<'_>, &mut Io<'_>);

/// When a command may be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Usable {
    /// Before and after registration.
    Always,
    /// Only to register (`PASS`, `USER`): `462` after.
    Registering,
    /// Only once registered: `451` before.
    Registered,
}

/// One row of the table.
pub(super) struct Command {
    /// The command, in upper case (matched in any case).
    pub name: &'static str,
    /// Parameters it needs: with fewer, `461 ERR_NEEDMOREPARAMS`. A
    /// command whose missing parameter has a numeric of its own (`NICK`'s
    /// `431`, `PRIVMSG`'s `411`) says 0 and answers it itself.
    pub min_params: usize,
    pub usable: Usable,
    pub handler: Handler,
}

const fn command(
    name: &'static str,
    min_params: usize,
    usable: Usable,
    handler: Handler,
) -> Command {
    Command {
        name,
        min_params,
        usable,
        handler,
    }
}

use Usable::{Always, Registered, Registering};

/// The commands, registration first, then chat, then queries.
pub(super) const COMMANDS: &[Command] = &[
    //      name       params  usable       handler
    command("CAP", 0, Always, Bridge::cap),
    command("PASS", 1, Registering, Bridge::pass),
    command("NICK", 0, Always, Bridge::nick),
    command("USER", 4, Registering, Bridge::user),
    command("PING", 0, Always, Bridge::ping),
    command("PONG", 0, Always, Bridge::pong),
    command("QUIT", 0, Always, Bridge::quit),
    command("JOIN", 1, Registered, Bridge::join),
    command("PART", 1, Registered, Bridge::part),
    command("PRIVMSG", 0, Registered, Bridge::say),
    command("NOTICE", 0, Registered, Bridge::say),
    command("TAGMSG", 1, Registered, Bridge::tagmsg),
    command("TOPIC", 1, Registered, Bridge::topic),
    command("MODE", 1, Registered, Bridge::mode),
    command("OPER", 2, Registered, Bridge::oper),
    command("KICK", 2, Registered, Bridge::kick),
    command("INVITE", 2, Registered, Bridge::invite),
    command("REDACT", 2, Registered, Bridge::redact),
    command("NAMES", 0, Registered, Bridge::names),
    command("WHO", 0, Registered, Bridge::who),
    command("WHOIS", 0, Registered, Bridge::whois),
    command("LUSERS", 0, Registered, Bridge::lusers),
    command("AWAY", 0, Registered, Bridge::away),
    command("TIME", 0, Registered, Bridge::time),
    command("USERHOST", 1, Registered, Bridge::userhost),
];

/// The name of every command the bridge knows, in the table's order.
pub fn command_names() -> impl Iterator<Item = &'static str> {
    COMMANDS.iter().map(|c| c.name)
}

impl Bridge {
    /// Check `message` against its row and run its handler, or answer why
    /// not: `451` before registration (for an unknown command too, as IRC
    /// servers do), `462` for registering again, `421` for an unknown
    /// command, `461` for too few parameters.
    pub(super) fn dispatch(&mut self, message: &Message<'_>, io: &mut Io<'_>) {
        let row = COMMANDS.iter().find(|c| message.is(c.name));
        match (row.map_or(Registered, |r| r.usable), self.welcomed) {
            (Registered, false) => {
                return self.numeric(
                    io.out,
                    Numeric::ERR_NOTREGISTERED,
                    &["You have not registered"],
                );
            }
            (Registering, true) => {
                return self.numeric(
                    io.out,
                    Numeric::ERR_ALREADYREGISTRED,
                    &["You may not reregister"],
                );
            }
            _ => {}
        }
        let Some(row) = row else {
            return self.numeric(
                io.out,
                Numeric::ERR_UNKNOWNCOMMAND,
                &[message.command, "Unknown command"],
            );
        };
        if message.params().len() < row.min_params {
            return self.numeric(
                io.out,
                Numeric::ERR_NEEDMOREPARAMS,
                &[row.name, "Not enough parameters"],
            );
        }
        (row.handler)(self, message, io);
    }
}
