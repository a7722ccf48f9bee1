//! The numeric replies natter's IRC face sends, by name, in one place (as
//! the `irc` crate's `Response` does): a handler says
//! [`Numeric::ERR_NEEDMOREPARAMS`], never `"461"`. Each name is the one
//! RFC 1459/2812 (or the Modern IRC documents, for newer ones) gives it;
//! each doc line says when natter sends it.
//!
//! To send a new numeric, add it here with its code, then use the name.

/// Declare the numerics once: each variant's discriminant and its wire
/// text come from the same literal, so they cannot disagree.
macro_rules! numerics {
    ($( $(#[$doc:meta])* $name:ident = $code:literal, )*) => {
        /// A numeric reply, by its RFC name.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        #[cfg_attr(feature = "defmt", derive(defmt::Format))]
        // The RFC names, as the `irc` crate spells them.
        #[allow(non_camel_case_types)]
        // `001` is decimal 1 written as IRC writes it: the literal is also
        // the wire text (`as_str`), so it keeps its three digits.
        #[allow(clippy::zero_prefixed_literal)]
        #[non_exhaustive]
        #[repr(u16)]
        pub enum Numeric {
            $( $(#[$doc])* $name = $code, )*
        }

        impl Numeric {
            /// Every numeric natter sends.
            pub const ALL: &'static [Numeric] = &[$( Numeric::$name, )*];

            /// The three digits that go on the wire (`"001"`).
            pub const fn as_str(self) -> &'static str {
                match self {
                    $( Numeric::$name => stringify!($code), )*
                }
            }

            /// The RFC name (`"RPL_WELCOME"`).
            pub const fn name(self) -> &'static str {
                match self {
                    $( Numeric::$name => stringify!($name), )*
                }
            }
        }
    };
}

numerics! {
    /// `001 RPL_WELCOME`: the first line of the welcome.
    RPL_WELCOME = 001,
    /// `002 RPL_YOURHOST`: the server's name and software.
    RPL_YOURHOST = 002,
    /// `003 RPL_CREATED`: here, what the server speaks.
    RPL_CREATED = 003,
    /// `004 RPL_MYINFO`: server name, version, user and channel modes.
    RPL_MYINFO = 004,
    /// `005 RPL_ISUPPORT`: the server's limits and rules (`CHANTYPES=#`...).
    RPL_ISUPPORT = 005,
    /// `221 RPL_UMODEIS`: the client's own user modes.
    RPL_UMODEIS = 221,
    /// `251 RPL_LUSERCLIENT`: the user count of `LUSERS`.
    RPL_LUSERCLIENT = 251,
    /// `252 RPL_LUSEROP`: how many operators are online (`LUSERS`).
    RPL_LUSEROP = 252,
    /// `253 RPL_LUSERUNKNOWN`: connections not yet registered (`LUSERS`).
    RPL_LUSERUNKNOWN = 253,
    /// `254 RPL_LUSERCHANNELS`: how many rooms there are (`LUSERS`).
    RPL_LUSERCHANNELS = 254,
    /// `255 RPL_LUSERME`: this server's share of `LUSERS`.
    RPL_LUSERME = 255,
    /// `265 RPL_LOCALUSERS`: users on this server now, and at most.
    RPL_LOCALUSERS = 265,
    /// `266 RPL_GLOBALUSERS`: users on the network (this one server).
    RPL_GLOBALUSERS = 266,
    /// `301 RPL_AWAY`: the target of a message or `WHOIS` is away.
    RPL_AWAY = 301,
    /// `302 RPL_USERHOST`: `USERHOST`'s answer.
    RPL_USERHOST = 302,
    /// `305 RPL_UNAWAY`: the client is no longer away.
    RPL_UNAWAY = 305,
    /// `306 RPL_NOWAWAY`: the client is now away.
    RPL_NOWAWAY = 306,
    /// `311 RPL_WHOISUSER`: a `WHOIS` target who is online.
    RPL_WHOISUSER = 311,
    /// `312 RPL_WHOISSERVER`: the server a `WHOIS` target is on.
    RPL_WHOISSERVER = 312,
    /// `313 RPL_WHOISOPERATOR`: in `WHOIS`, they are the teacher.
    RPL_WHOISOPERATOR = 313,
    /// `315 RPL_ENDOFWHO`: the end of a `WHO` list.
    RPL_ENDOFWHO = 315,
    /// `317 RPL_WHOISIDLE`: seconds since a `WHOIS` target last spoke, and
    /// when it connected.
    RPL_WHOISIDLE = 317,
    /// `318 RPL_ENDOFWHOIS`: the end of a `WHOIS` answer.
    RPL_ENDOFWHOIS = 318,
    /// `319 RPL_WHOISCHANNELS`: the rooms a `WHOIS` target is in.
    RPL_WHOISCHANNELS = 319,
    /// `324 RPL_CHANNELMODEIS`: a channel's modes (always `+` here).
    RPL_CHANNELMODEIS = 324,
    /// `329 RPL_CREATIONTIME`: when the room was created (after `324`).
    RPL_CREATIONTIME = 329,
    /// `331 RPL_NOTOPIC`: a topic query for a room without one.
    RPL_NOTOPIC = 331,
    /// `332 RPL_TOPIC`: a room's topic.
    RPL_TOPIC = 332,
    /// `341 RPL_INVITING`: an `INVITE` was delivered.
    RPL_INVITING = 341,
    /// `352 RPL_WHOREPLY`: one member in a `WHO` list.
    RPL_WHOREPLY = 352,
    /// `353 RPL_NAMREPLY`: members of a channel, on joining.
    RPL_NAMREPLY = 353,
    /// `366 RPL_ENDOFNAMES`: the end of the names.
    RPL_ENDOFNAMES = 366,
    /// `367 RPL_BANLIST`: one ban or `m:` mute of a room (`MODE #r b`).
    RPL_BANLIST = 367,
    /// `368 RPL_ENDOFBANLIST`: the end of a (here always empty) ban list.
    RPL_ENDOFBANLIST = 368,
    /// `381 RPL_YOUREOPER`: `OPER` proved the teacher password: you are the teacher.
    RPL_YOUREOPER = 381,
    /// `391 RPL_TIME`: the server's time.
    RPL_TIME = 391,
    /// `401 ERR_NOSUCHNICK`: nobody goes by that nickname.
    ERR_NOSUCHNICK = 401,
    /// `403 ERR_NOSUCHCHANNEL`: not a room name, or no such room.
    ERR_NOSUCHCHANNEL = 403,
    /// `404 ERR_CANNOTSENDTOCHAN`: a `PRIVMSG` to a room the client is not in.
    ERR_CANNOTSENDTOCHAN = 404,
    /// `405 ERR_TOOMANYCHANNELS`: the client is in as many rooms as it may be.
    ERR_TOOMANYCHANNELS = 405,
    /// `409 ERR_NOORIGIN`: a `PING` without a token.
    ERR_NOORIGIN = 409,
    /// `410 ERR_INVALIDCAPCMD`: a `CAP` subcommand natter does not know.
    ERR_INVALIDCAPCMD = 410,
    /// `411 ERR_NORECIPIENT`: a `PRIVMSG` without a target.
    ERR_NORECIPIENT = 411,
    /// `412 ERR_NOTEXTTOSEND`: a `PRIVMSG` without text, or text the hub refused.
    ERR_NOTEXTTOSEND = 412,
    /// `417 ERR_INPUTTOOLONG`: a line longer than IRC allows (dropped).
    ERR_INPUTTOOLONG = 417,
    /// `421 ERR_UNKNOWNCOMMAND`: a command natter does not know, or an
    /// unreadable line.
    ERR_UNKNOWNCOMMAND = 421,
    /// `422 ERR_NOMOTD`: the welcome's end: natter has no message of the day.
    ERR_NOMOTD = 422,
    /// `431 ERR_NONICKNAMEGIVEN`: `NICK` or `WHOIS` without a nickname.
    ERR_NONICKNAMEGIVEN = 431,
    /// `432 ERR_ERRONEUSNICKNAME`: a nickname natter's rules refuse.
    ERR_ERRONEUSNICKNAME = 432,
    /// `433 ERR_NICKNAMEINUSE`: someone else goes by that nickname.
    ERR_NICKNAMEINUSE = 433,
    /// `441 ERR_USERNOTINCHANNEL`: the member a `KICK` or `MODE` names is not in the room.
    ERR_USERNOTINCHANNEL = 441,
    /// `442 ERR_NOTONCHANNEL`: the client is not in that room.
    ERR_NOTONCHANNEL = 442,
    /// `443 ERR_USERONCHANNEL`: the member an `INVITE` names is already in the room.
    ERR_USERONCHANNEL = 443,
    /// `447 ERR_NONICKCHANGE`: a room you are in has nicknames locked (`+N`).
    ERR_NONICKCHANGE = 447,
    /// `451 ERR_NOTREGISTERED`: a command that needs registration, before it.
    ERR_NOTREGISTERED = 451,
    /// `461 ERR_NEEDMOREPARAMS`: fewer parameters than the command needs.
    ERR_NEEDMOREPARAMS = 461,
    /// `462 ERR_ALREADYREGISTRED` (sic, RFC 1459): `PASS` or `USER` again.
    ERR_ALREADYREGISTRED = 462,
    /// `464 ERR_PASSWDMISMATCH`: the wrong room password.
    ERR_PASSWDMISMATCH = 464,
    /// `471 ERR_CHANNELISFULL`: the room has no place left.
    ERR_CHANNELISFULL = 471,
    /// `472 ERR_UNKNOWNMODE`: a mode letter natter does not know.
    ERR_UNKNOWNMODE = 472,
    /// `473 ERR_INVITEONLYCHAN`: the room is invite-only (`+i`) and you were not invited.
    ERR_INVITEONLYCHAN = 473,
    /// `474 ERR_BANNEDFROMCHAN`: you are banned from the room (`+b`).
    ERR_BANNEDFROMCHAN = 474,
    /// `475 ERR_BADCHANNELKEY`: the room's key (`+k`) is missing or wrong.
    ERR_BADCHANNELKEY = 475,
    /// `478 ERR_BANLISTFULL`: the room's list of bans and mutes is full.
    ERR_BANLISTFULL = 478,
    /// `481 ERR_NOPRIVILEGES`: only the teacher may do that.
    ERR_NOPRIVILEGES = 481,
    /// `482 ERR_CHANOPRIVSNEEDED`: only the room's operators (and the teacher) may do that.
    ERR_CHANOPRIVSNEEDED = 482,
    /// `491 ERR_NOOPERHOST`: `OPER` on a server with no teacher password.
    ERR_NOOPERHOST = 491,
    /// `502 ERR_USERSDONTMATCH`: `MODE` for someone else.
    ERR_USERSDONTMATCH = 502,
    /// `696 ERR_INVALIDMODEPARAM`: a mode's parameter is missing or wrong.
    ERR_INVALIDMODEPARAM = 696,
}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::Numeric;
    use std::format;

    #[test]
    fn each_numeric_is_its_three_digits_on_the_wire() {
        for &n in Numeric::ALL {
            assert_eq!(n.as_str(), format!("{:03}", n as u16), "{}", n.name());
            assert!(n.name().starts_with("RPL_") || n.name().starts_with("ERR_"));
        }
    }
}
