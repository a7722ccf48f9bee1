//! What the bridge asks about rooms and people when a client queries them
//! (`NAMES`, `WHO`, `WHOIS`, `TOPIC`, `LUSERS`): the hub's present state,
//! which the driver lends with each line, and what IRC clients told about
//! themselves (`USER`, `AWAY`), which the driver keeps beside it. The
//! bridge keeps no copy of member lists or topics, so an IRC connection
//! costs under 2 KB of bridge state however big its rooms are, and
//! answers are never stale.

use crate::room::{Census, ConnId, Hub, Storage};

/// Someone online, as `WHO` and `WHOIS` show them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Person<'a> {
    /// Their nickname, as registered.
    pub nick: &'a str,
    /// What IRC calls their username: the one an IRC client gave in
    /// `USER`, or the nickname of a natter client (which has none).
    pub user: &'a str,
    /// Their real name (`USER`'s last parameter); empty for a natter client.
    pub realname: &'a str,
    /// Their away message, when they are away (`AWAY`).
    pub away: Option<&'a str>,
    /// When they connected, in seconds since the Unix epoch.
    pub signon: u64,
    /// Seconds since they last said something.
    pub idle: u64,
    /// They proved the teacher password (IRC: an operator, `*` in `WHO`).
    pub teacher: bool,
}

/// What an IRC client said about itself: its `USER` fields and `AWAY`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Profile<'a> {
    /// The username from `USER`.
    pub user: &'a str,
    /// The real name from `USER`.
    pub realname: &'a str,
    /// The away message, while away.
    pub away: Option<&'a str>,
}

/// The hub's state, and people's profiles, as queries need them. A hub on
/// its own is one (no one has a profile); a driver with IRC clients lends
/// [`WithProfiles`].
pub trait Directory {
    /// Call `each` with the nickname and roles (`wire::ROLE_*`) of every
    /// member of `room`, in joining order (nobody if there is no such room).
    fn each_member(&self, room: &str, each: &mut dyn FnMut(&str, u8));
    /// The name of `room` as created (`#Maths` for `#maths`), or `None`
    /// if there is no such room.
    fn room_name(&self, room: &str) -> Option<&str>;
    /// The topic of `room` (empty when none is set), or `None` if there is
    /// no such room.
    fn topic(&self, room: &str) -> Option<&str>;
    /// Whoever is online as `nick` (case-insensitively).
    fn person(&self, nick: &str) -> Option<Person<'_>>;
    /// Call `each` with every nickname online.
    fn each_person(&self, each: &mut dyn FnMut(&str));
    /// Call `each` with the name of every room `nick` is in, and their
    /// roles there (`wire::ROLE_*`).
    fn each_room_of(&self, nick: &str, each: &mut dyn FnMut(&str, u8));
    /// How many are connected, and how many rooms there are.
    fn census(&self) -> Census;
    /// The time now, in milliseconds since the Unix epoch.
    fn now_ms(&self) -> u64;
}

/// A hub with the profiles of its IRC clients: `profile` gives a
/// connection's, if it has one (a natter client has none).
pub struct WithProfiles<'a, S: Storage, F> {
    /// The hub.
    pub hub: &'a Hub<S>,
    /// A connection's profile.
    pub profile: F,
}

impl<S: Storage> Directory for Hub<S> {
    fn each_member(&self, room: &str, each: &mut dyn FnMut(&str, u8)) {
        self.members_with_roles(room)
            .for_each(|(nick, roles)| each(nick, roles));
    }

    fn room_name(&self, room: &str) -> Option<&str> {
        self.room_name(room)
    }

    fn topic(&self, room: &str) -> Option<&str> {
        self.topic(room)
    }

    fn person(&self, nick: &str) -> Option<Person<'_>> {
        person(self, nick, None)
    }

    fn each_person(&self, each: &mut dyn FnMut(&str)) {
        self.everyone().for_each(each);
    }

    fn each_room_of(&self, nick: &str, each: &mut dyn FnMut(&str, u8)) {
        if let Some(online) = self.online(nick) {
            for room in self.rooms_of(online.conn) {
                each(room, self.roles(online.conn, room).unwrap_or(0));
            }
        }
    }

    fn census(&self) -> Census {
        self.census()
    }

    fn now_ms(&self) -> u64 {
        self.wall_now()
    }
}

impl<'a, S, F> Directory for WithProfiles<'a, S, F>
where
    S: Storage,
    F: Fn(ConnId) -> Option<Profile<'a>>,
{
    fn each_member(&self, room: &str, each: &mut dyn FnMut(&str, u8)) {
        Directory::each_member(self.hub, room, each);
    }

    fn room_name(&self, room: &str) -> Option<&str> {
        self.hub.room_name(room)
    }

    fn topic(&self, room: &str) -> Option<&str> {
        self.hub.topic(room)
    }

    fn person(&self, nick: &str) -> Option<Person<'_>> {
        let conn = self.hub.online(nick)?.conn;
        person(self.hub, nick, (self.profile)(conn))
    }

    fn each_person(&self, each: &mut dyn FnMut(&str)) {
        Directory::each_person(self.hub, each);
    }

    fn each_room_of(&self, nick: &str, each: &mut dyn FnMut(&str, u8)) {
        Directory::each_room_of(self.hub, nick, each);
    }

    fn census(&self) -> Census {
        self.hub.census()
    }

    fn now_ms(&self) -> u64 {
        self.hub.wall_now()
    }
}

fn person<'h, S: Storage>(
    hub: &'h Hub<S>,
    nick: &str,
    profile: Option<Profile<'h>>,
) -> Option<Person<'h>> {
    let online = hub.online(nick)?;
    // A natter client has no username or real name: IRC shows its
    // nickname and the program's name.
    let profile = profile.unwrap_or(Profile {
        user: online.nick,
        realname: "natter",
        away: None,
    });
    Some(Person {
        nick: online.nick,
        user: profile.user,
        realname: profile.realname,
        away: profile.away,
        signon: online.since_ms / 1000,
        idle: online.idle_ms / 1000,
        teacher: hub.is_teacher(online.conn),
    })
}
