//! Roles and room controls, modelled from what the hub must do
//! (`docs/PROTOCOL.md` §5.8), not from how it does it.
//!
//! A room's event ids order everything that happened in it: a message was
//! said, a mode changed or a member kicked with the roles and modes the
//! events before it had made. So the checker keeps, per incarnation of a
//! room (its key and epoch), every event anyone learnt of: each event a
//! client received (all copies must agree), and a client's own, which it
//! is not sent: its join (just before `Entered`'s `next_id`, with its `T`
//! after it when it is the teacher), its messages (their `Ack`s), its part
//! (the hub's log). It replays them in id order as far as none is
//! missing, and judges each against the state the earlier ones made:
//! * a `Message` is from a member who may speak: the teacher, an operator,
//!   or a member who is not muted (no `m:` mask matches it) and, in a
//!   moderated room, is voiced;
//! * a `ModeChanged` (the teacher's own `T` aside) or a `Kicked` is by the
//!   teacher or an operator; a mode change changes something ("a change
//!   that changes nothing says nothing"), with a letter and argument the
//!   protocol has; `T` names someone a connection that sent the right
//!   password asked to be called;
//! * the teacher is never kicked, never loses `o`, and no mask naming
//!   them outright is added;
//! * a `TopicChanged` under `t` and a `NickChanged` under `N` come from
//!   operators; a banned nickname or one past the limit joins only as the
//!   teacher (whose `T` comes at once);
//! * the `RoomState` a joiner gets after `Entered` (or its absence: no
//!   control on) is the state just before `next_id`.
//!
//! An event nobody learnt of (a member alone in a room whose connection
//! dropped before it read its `Ack`, a lone member's nickname change) stops
//! the replay of that room there: what comes after is judged only once the
//! hole is filled (by the history a latecomer is sent, say). Stats count
//! what was judged.

use super::*;

/// The mode letter of the teacher's announcement.
const TEACHER: u8 = b'T';
/// Most masks in a room's list (bans and mutes together), as §5.8 says.
const MAX_MASKS: usize = 8;
/// The longest slow mode, in seconds.
const MAX_SLOW: u16 = 3600;

/// A room event, as far as roles and controls care.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Ev {
    Message {
        from: String,
    },
    Joined {
        nick: String,
    },
    Parted {
        nick: String,
    },
    NickChanged {
        old: String,
        new: String,
    },
    Topic {
        by: String,
    },
    Mode {
        by: String,
        flags: u8,
        mode: u8,
        arg: String,
    },
    Kicked {
        by: String,
        nick: String,
    },
}

impl Ev {
    /// The room event `frame` is, if it is one.
    pub(super) fn of(frame: &Frame<'_>) -> Option<Ev> {
        Some(match *frame {
            Frame::Message { from, .. } => Ev::Message { from: from.into() },
            Frame::Joined { nick, .. } => Ev::Joined { nick: nick.into() },
            Frame::Parted { nick, .. } => Ev::Parted { nick: nick.into() },
            Frame::NickChanged { old, new, .. } => Ev::NickChanged {
                old: old.into(),
                new: new.into(),
            },
            Frame::TopicChanged { by, .. } => Ev::Topic { by: by.into() },
            Frame::ModeChanged {
                by,
                flags,
                mode,
                arg,
                ..
            } => Ev::Mode {
                by: by.into(),
                flags,
                mode,
                arg: arg.into(),
            },
            Frame::Kicked { by, nick, .. } => Ev::Kicked {
                by: by.into(),
                nick: nick.into(),
            },
            _ => return None,
        })
    }

    /// The teacher's announcement for `nick`.
    pub(super) fn teacher(nick: &str) -> Ev {
        Ev::Mode {
            by: nick.into(),
            flags: FLAG_ADD,
            mode: TEACHER,
            arg: nick.into(),
        }
    }
}

/// A member's roles in one stay.
#[derive(Debug, Clone, Default)]
struct Member {
    nick: String,
    op: bool,
    voice: bool,
    teacher: bool,
}

impl Member {
    fn operates(&self) -> bool {
        self.op || self.teacher
    }
}

/// A room's controls.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Controls {
    /// On/off modes set (`i`, `m`, `t`, `N`, `P`).
    modes: BTreeSet<u8>,
    limit: u16,
    slow: u16,
    key: String,
    /// Bans and (`m:`) mutes, as the events spelt them.
    masks: Vec<String>,
}

impl Controls {
    fn any(&self) -> bool {
        !self.modes.is_empty()
            || self.limit != 0
            || self.slow != 0
            || !self.key.is_empty()
            || !self.masks.is_empty()
    }

    fn listed(&self, mute: bool, nick: &str) -> bool {
        self.masks.iter().any(|m| match m.strip_prefix("m:") {
            Some(mask) => mute && identity_matches(mask, nick),
            None => !mute && identity_matches(m, nick),
        })
    }
}

/// What a `RoomState` shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Shown {
    pub modes: BTreeSet<u8>,
    pub limit: u16,
    pub slow: u16,
    pub key: String,
}

/// One incarnation of a room: the events learnt of, and the state replayed
/// up to the first one missing.
#[derive(Debug, Default)]
pub(super) struct RoomModel {
    fixed: bool,
    events: BTreeMap<u64, Ev>,
    /// The next id to replay.
    next: u64,
    /// By nickname key.
    members: BTreeMap<String, Member>,
    controls: Controls,
    /// The controls after each id that changed them (0: at the start).
    controls_at: BTreeMap<u64, Controls>,
    /// `RoomState`s seen after `Entered` (or `None`: none came), by the id
    /// of the event they follow, to compare once replayed that far.
    shown_at: BTreeMap<u64, Option<Shown>>,
    /// A join that only the teacher could make: (nickname key, why). The
    /// next event must be its `T`.
    teacher_only_join: Option<(String, &'static str)>,
}

/// Who may be announced as the teacher.
struct Teachers<'a> {
    nicks: &'a BTreeSet<String>,
    any: bool,
}

impl RoomModel {
    fn new(fixed: bool) -> Self {
        RoomModel {
            fixed,
            next: 1,
            controls_at: BTreeMap::from([(0, Controls::default())]),
            ..RoomModel::default()
        }
    }

    fn member(&mut self, nick: &str, what: &str) -> Result<&mut Member, String> {
        self.members
            .get_mut(&key(nick))
            .ok_or_else(|| format!("{what} by or of {nick}, who is not in the room"))
    }

    /// Replay event `id`, judging it by the state before it.
    fn apply(&mut self, id: u64, ev: &Ev, teachers: &Teachers<'_>, stats: &mut Stats) -> Check {
        if let Some((nick, why)) = self.teacher_only_join.take() {
            let announced = matches!(ev, Ev::Mode { mode: TEACHER, by, .. } if key(by) == nick);
            ensure!(announced, "{nick} joined {why}, and is not the teacher");
        }
        ensure!(
            self.fixed || id != 1 || matches!(ev, Ev::Joined { .. }),
            "the first event of a room created by joining is not its creator's join"
        );
        let before = self.controls.clone();
        match ev {
            Ev::Message { from } => {
                let muted = self.controls.listed(true, from);
                let moderated = self.controls.modes.contains(&b'm');
                let m = self.member(from, "a message")?;
                ensure!(
                    m.operates() || !muted,
                    "{from} was muted, and their message went out"
                );
                ensure!(
                    m.operates() || m.voice || !moderated,
                    "{from} was neither operator nor voiced in a moderated room, \
                     and their message went out"
                );
                stats.messages_judged += 1;
            }
            Ev::Joined { nick } => {
                let k = key(nick);
                ensure!(!self.members.contains_key(&k), "{nick} joined twice");
                let c = &self.controls;
                let full = c.limit > 0 && self.members.len() >= usize::from(c.limit);
                if c.listed(false, nick) {
                    self.teacher_only_join = Some((k.clone(), "banned"));
                } else if full {
                    self.teacher_only_join = Some((k.clone(), "past the room's limit"));
                }
                let member = Member {
                    nick: nick.clone(),
                    // Whoever creates a room operates it.
                    op: !self.fixed && id == 1,
                    ..Member::default()
                };
                self.members.insert(k, member);
            }
            Ev::Parted { nick } => {
                self.member(nick, "a part")?;
                self.members.remove(&key(nick));
            }
            Ev::NickChanged { old, new } => {
                let locked = self.controls.modes.contains(&b'N');
                let mut m = self.member(old, "a nickname change")?.clone();
                ensure!(
                    m.operates() || !locked,
                    "{old} renamed to {new} in a room with nicknames locked"
                );
                self.members.remove(&key(old));
                ensure!(
                    !self.members.contains_key(&key(new)),
                    "{old} renamed to {new}, who is in the room"
                );
                m.nick = new.clone();
                self.members.insert(key(new), m);
            }
            Ev::Topic { by } => {
                let locked = self.controls.modes.contains(&b't');
                let m = self.member(by, "a topic")?;
                ensure!(
                    m.operates() || !locked,
                    "{by} set the topic in a room where only operators do"
                );
            }
            Ev::Kicked { by, nick } => {
                stats.controls_judged += 1;
                ensure!(
                    self.member(by, "a kick")?.operates(),
                    "{by} kicked {nick} without being an operator"
                );
                ensure!(
                    !self.member(nick, "a kick")?.teacher,
                    "{by} kicked the teacher {nick}"
                );
                self.members.remove(&key(nick));
            }
            Ev::Mode {
                by,
                flags,
                mode: TEACHER,
                arg,
            } => {
                ensure!(
                    *flags == FLAG_ADD && key(by) == key(arg),
                    "a teacher's announcement for someone else"
                );
                ensure!(
                    teachers.any || teachers.nicks.contains(&key(by)),
                    "{by} announced as the teacher, but no connection that sent the \
                     right password asked for that name"
                );
                let m = self.member(by, "a teacher's announcement")?;
                ensure!(!m.teacher, "{by} announced as the teacher twice");
                m.teacher = true;
            }
            Ev::Mode {
                by,
                flags,
                mode,
                arg,
            } => {
                stats.controls_judged += 1;
                let letter = char::from(*mode);
                ensure!(
                    self.member(by, "a mode change")?.operates(),
                    "{by} changed {letter} without being an operator"
                );
                ensure!(
                    *flags == FLAG_ADD || *flags == FLAG_REMOVE,
                    "mode change with flags {flags:#x}"
                );
                self.change(*flags == FLAG_ADD, *mode, arg)
                    .map_err(|e| format!("{by}'s {letter} {arg:?}: {e}"))?;
            }
        }
        if self.controls != before {
            self.controls_at.insert(id, self.controls.clone());
        }
        if let Some(shown) = self.shown_at.remove(&id) {
            compare_state(&self.controls, &shown).map_err(|e| format!("after event {id}: {e}"))?;
            stats.states_compared += 1;
        }
        Ok(())
    }

    /// Apply a mode change an operator made (`add` or take away).
    fn change(&mut self, add: bool, mode: u8, arg: &str) -> Check {
        if mode == b'o' || mode == b'v' {
            let m = self.member(arg, "a role change")?;
            ensure!(
                !(mode == b'o' && !add && m.teacher),
                "the teacher lost operator"
            );
            let bit = if mode == b'o' {
                &mut m.op
            } else {
                &mut m.voice
            };
            ensure!(*bit != add, "changes nothing");
            *bit = add;
            return Ok(());
        }
        let teacher_masks: Vec<String> = self
            .members
            .values()
            .filter(|m| m.teacher)
            .map(|m| key(&format!("{}!*@*", m.nick)))
            .collect();
        let c = &mut self.controls;
        match mode {
            b'b' => {
                let present = c.masks.iter().position(|m| key(m) == key(arg));
                if add {
                    let plain = arg.strip_prefix("m:").unwrap_or(arg);
                    let names_teacher = teacher_masks.contains(&key(plain));
                    ensure!(!names_teacher, "a mask naming the teacher");
                    ensure!(present.is_none(), "the mask was listed already");
                    ensure!(c.masks.len() < MAX_MASKS, "the list was full");
                    c.masks.push(arg.to_string());
                } else {
                    let i = present.ok_or("the mask was not listed")?;
                    c.masks.remove(i);
                }
            }
            b'k' if add => {
                ensure!(c.key != arg, "the same key again changes nothing");
                c.key = arg.to_string();
            }
            b'k' => {
                ensure!(!c.key.is_empty(), "there was no key");
                ensure!(arg == "*", "a key taken away is shown as *");
                c.key.clear();
            }
            b'l' | b'S' => {
                let value = if add {
                    let n: u16 = arg.parse().map_err(|_| "not a number")?;
                    let max = if mode == b'S' { MAX_SLOW } else { u16::MAX };
                    ensure!(n >= 1 && n <= max, "out of range");
                    n
                } else {
                    ensure!(arg.is_empty(), "an argument to a removal");
                    0
                };
                let slot = if mode == b'l' {
                    &mut c.limit
                } else {
                    &mut c.slow
                };
                ensure!(*slot != value, "changes nothing");
                *slot = value;
            }
            b'i' | b'm' | b't' | b'N' | b'P' => {
                ensure!(arg.is_empty(), "an argument to an on/off mode");
                ensure!(c.modes.contains(&mode) != add, "changes nothing");
                if add {
                    c.modes.insert(mode);
                } else {
                    c.modes.remove(&mode);
                }
            }
            _ => return Err("a mode the protocol does not have".to_string()),
        }
        Ok(())
    }
}

/// `RoomState` after `Entered` shows the room's controls when any is on,
/// and does not come when none is.
fn compare_state(c: &Controls, shown: &Option<Shown>) -> Check {
    match shown {
        None => ensure!(!c.any(), "no RoomState after Entered, but {c:?} is on"),
        Some(s) => {
            ensure!(
                c.any(),
                "a RoomState ({s:?}) after Entered with no control on"
            );
            let model = (&c.modes, c.limit, c.slow, &c.key);
            ensure!(
                model == (&s.modes, s.limit, s.slow, &s.key),
                "the RoomState after Entered is {s:?}, the room's events made {c:?}"
            );
        }
    }
    Ok(())
}

/// Does `mask` (`nick!user@host`, `*` and `?`, case folded as names are)
/// match a member called `nick`? natter has no user names and the driver
/// gives no addresses, so a member is `nick!nick@natter`.
fn identity_matches(mask: &str, nick: &str) -> bool {
    let who = key(&format!("{nick}!{nick}@natter"));
    glob(key(mask).as_bytes(), who.as_bytes())
}

/// Wildcard match by dynamic programming over (pattern, text) prefixes:
/// `*` any run of bytes, `?` any one byte.
fn glob(p: &[u8], t: &[u8]) -> bool {
    // can[j]: the pattern so far matches t[..j].
    let mut can = vec![false; t.len() + 1];
    can[0] = true;
    for &c in p {
        let mut next = vec![false; t.len() + 1];
        for j in 0..=t.len() {
            next[j] = match c {
                b'*' => can[j] || (j > 0 && next[j - 1]),
                b'?' => j > 0 && can[j - 1],
                c => j > 0 && can[j - 1] && t[j - 1] == c,
            };
        }
        can = next;
    }
    can[t.len()]
}

impl<S: Storage + Default> World<S> {
    /// Event `id` of `room` (a key) in its incarnation `epoch` is `ev`:
    /// keep it (every account of it must agree) and replay what can be.
    pub(super) fn note(&mut self, room: &str, epoch: u32, id: u64, ev: Ev) -> Check {
        let fixed = self.fixed.contains(room);
        // A room that exists from the start lives as long as the hub: one
        // incarnation, whose events the hub's log may name without it.
        let epoch = if fixed { 0 } else { epoch };
        let model = self
            .models
            .entry((room.to_string(), epoch))
            .or_insert_with(|| RoomModel::new(fixed));
        if let Some(known) = model.events.get(&id) {
            ensure!(
                *known == ev,
                "event {id} of {room} is {ev:?} here and {known:?} elsewhere"
            );
            return Ok(());
        }
        model.events.insert(id, ev);
        let teachers = Teachers {
            nicks: &self.teacher_nicks,
            any: self.any_teacher_nick,
        };
        while let Some(ev) = model.events.get(&model.next) {
            let id = model.next;
            let ev = ev.clone();
            model
                .apply(id, &ev, &teachers, &mut self.stats)
                .map_err(|e| format!("{room} event {id} ({ev:?}): {e}"))?;
            model.next += 1;
        }
        Ok(())
    }

    /// A joiner of `room` (a key) was shown `shown` right after `Entered`:
    /// the controls as the events up to `at` made them.
    pub(super) fn shown(&mut self, room: &str, epoch: u32, at: u64, shown: Option<Shown>) -> Check {
        let fixed = self.fixed.contains(room);
        let epoch = if fixed { 0 } else { epoch };
        let model = self
            .models
            .entry((room.to_string(), epoch))
            .or_insert_with(|| RoomModel::new(fixed));
        if at >= model.next {
            model.shown_at.insert(at, shown);
            return Ok(());
        }
        let controls = model
            .controls_at
            .range(..=at)
            .next_back()
            .map(|(_, c)| c)
            .ok_or("no controls at the start")?;
        compare_state(controls, &shown).map_err(|e| format!("{room} after event {at}: {e}"))?;
        self.stats.states_compared += 1;
        Ok(())
    }
}
