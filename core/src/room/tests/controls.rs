//! Roles and room controls: each control tried by each role, allowed or
//! refused with its code, and what the others see.

use super::*;
use crate::room::controls::MODE_TEACHER;
use crate::wire::{FLAG_ADD, FLAG_REMOVE, ROLE_MUTED, ROLE_OPERATOR, ROLE_TEACHER, ROLE_VOICE};

/// A class: a teacher (`ms-lee`, proved the password), the creator of
/// #maths (`op`) and two students (`bob`, `cat`), all in #maths.
struct Class {
    s: Sim,
    teacher: ConnId,
    op: ConnId,
    bob: ConnId,
    cat: ConnId,
}

fn class() -> Class {
    let mut s = Sim::new(Config {
        teacher_password: heapless::String::try_from("chalk").unwrap(),
        ..base()
    });
    let op = s.login("op");
    s.join(op, "maths");
    let teacher = s.login("ms-lee");
    s.send(teacher, &Frame::Teach { password: "chalk" });
    recv!(
        s,
        teacher,
        Frame::YouAre {
            roles: ROLE_TEACHER
        }
    );
    s.join(teacher, "maths");
    let bob = s.login("bob");
    s.join(bob, "maths");
    let cat = s.login("cat");
    s.join(cat, "maths");
    for id in [op, teacher, bob, cat] {
        s.skip(id);
    }
    Class {
        s,
        teacher,
        op,
        bob,
        cat,
    }
}

fn mode<'a>(flags: u8, mode: u8, arg: &'a str) -> Frame<'a> {
    Frame::Mode {
        room: "maths",
        flags,
        mode,
        arg,
    }
}

fn say_maths(text: &str) -> Frame<'_> {
    Frame::Say {
        tag: 3,
        room: "maths",
        flags: 0,
        text,
    }
}

/// What `who` got for its request: `Ok` if it was done (the room saw a
/// `ModeChanged` or `Kicked`), else the refusal's code.
fn outcome(s: &mut Sim, who: ConnId) -> Result<(), ErrorCode> {
    let mut result = Ok(());
    while let Some(raw) = s.next_raw(who) {
        if let Frame::Error { code, .. } = frame(&raw) {
            result = Err(code);
        }
    }
    result
}

#[test]
fn each_role_tries_each_control() {
    use ErrorCode::*;
    // (who, request, what should happen): who 0 = teacher, 1 = the
    // room's creator, 2 = a student.
    let cases: &[(usize, Frame<'_>, Result<(), ErrorCode>)] = &[
        (0, mode(FLAG_ADD, b'm', ""), Ok(())),
        (1, mode(FLAG_ADD, b'm', ""), Ok(())),
        (2, mode(FLAG_ADD, b'm', ""), Err(NotOperator)),
        (0, mode(FLAG_ADD, b'v', "bob"), Ok(())),
        (2, mode(FLAG_ADD, b'v', "bob"), Err(NotOperator)),
        (2, mode(FLAG_ADD, b'o', "bob"), Err(NotOperator)),
        (1, mode(FLAG_REMOVE, b'o', "ms-lee"), Err(TeacherProtected)),
        (0, mode(FLAG_ADD, b'o', "nobody"), Err(NoSuchNick)),
        (0, mode(FLAG_ADD, b'b', "m:bob"), Ok(())),
        (0, mode(FLAG_ADD, b'b', "ms-lee"), Err(TeacherProtected)),
        (2, mode(FLAG_ADD, b'b', "cat"), Err(NotOperator)),
        (0, mode(FLAG_ADD, b'l', "0"), Err(BadModeArg)),
        (0, mode(FLAG_ADD, b'l', "x"), Err(BadModeArg)),
        (0, mode(FLAG_ADD, b'S', "3601"), Err(BadModeArg)),
        (0, mode(FLAG_ADD, b'S', "5"), Ok(())),
        (0, mode(FLAG_ADD, b'k', "a b"), Err(BadModeArg)),
        (0, mode(FLAG_ADD, b'Z', ""), Err(UnknownMode)),
        (0, mode(FLAG_ADD | FLAG_REMOVE, b'm', ""), Err(BadModeArg)),
        (
            2,
            Frame::Kick {
                room: "maths",
                nick: "cat",
                reason: "",
            },
            Err(NotOperator),
        ),
        (
            1,
            Frame::Kick {
                room: "maths",
                nick: "ms-lee",
                reason: "",
            },
            Err(TeacherProtected),
        ),
        (
            0,
            Frame::Kick {
                room: "maths",
                nick: "cat",
                reason: "",
            },
            Ok(()),
        ),
        (
            0,
            Frame::Kick {
                room: "lobby",
                nick: "cat",
                reason: "",
            },
            Err(NotInRoom),
        ),
        (2, Frame::Teach { password: "guess" }, Err(BadPassword)),
    ];
    for (i, (who, request, want)) in cases.iter().enumerate() {
        let mut c = class();
        let id = [c.teacher, c.op, c.bob][*who];
        c.s.send(id, request);
        assert_eq!(outcome(&mut c.s, id), *want, "case {i}: {request:?}");
        // Done or not, the others see exactly that.
        let seen = std::iter::from_fn(|| c.s.next_raw(c.cat))
            .filter(|raw| matches!(frame(raw), Frame::ModeChanged { .. } | Frame::Kicked { .. }))
            .count();
        assert_eq!(seen, usize::from(want.is_ok()), "case {i}: {request:?}");
    }
}

#[test]
fn a_moderated_room_hears_only_operators_and_the_voiced() {
    let mut c = class();
    let s = &mut c.s;
    s.send(c.teacher, &mode(FLAG_ADD, b'm', ""));
    s.skip(c.teacher);
    s.skip(c.bob);
    s.send(c.bob, &say_maths("can I?"));
    recv!(
        s,
        c.bob,
        Frame::Error {
            code: ErrorCode::Moderated,
            tag: 3,
            subject: "maths",
        }
    );
    s.send(c.teacher, &mode(FLAG_ADD, b'v', "bob"));
    s.send(c.bob, &say_maths("the answer is 4"));
    recv!(
        s,
        c.bob,
        Frame::ModeChanged {
            mode: b'v',
            arg: "bob",
            ..
        }
    );
    recv!(s, c.bob, Frame::Ack { tag: 3, .. });
    s.send(c.cat, &say_maths("me too"));
    recv!(
        s,
        c.cat,
        Frame::ModeChanged {
            by: "ms-lee",
            mode: b'm',
            ..
        }
    );
    recv!(s, c.cat, Frame::ModeChanged { mode: b'v', .. });
    recv!(s, c.cat, Frame::Message { from: "bob", .. });
    recv!(
        s,
        c.cat,
        Frame::Error {
            code: ErrorCode::Moderated,
            ..
        }
    );
    // Nothing cat said reached anyone.
    s.skip(c.teacher);
    s.assert_quiet(c.teacher);
}

#[test]
fn a_muted_member_reaches_nobody_and_others_see_the_mark() {
    let mut c = class();
    let s = &mut c.s;
    s.send(c.teacher, &mode(FLAG_ADD, b'b', "m:bob"));
    s.skip(c.teacher);
    s.send(c.bob, &say_maths("spam"));
    recv!(
        s,
        c.bob,
        Frame::ModeChanged {
            mode: b'b',
            arg: "m:bob!*@*",
            ..
        }
    );
    recv!(
        s,
        c.bob,
        Frame::Error {
            code: ErrorCode::Muted,
            ..
        }
    );
    s.skip(c.teacher);
    s.assert_quiet(c.teacher);
    assert_eq!(s.hub.roles(c.bob, "maths"), Some(ROLE_MUTED));
    // Voice does not lift a mute; taking the mask away does.
    s.send(c.teacher, &mode(FLAG_ADD, b'v', "bob"));
    assert_eq!(s.hub.roles(c.bob, "maths"), Some(ROLE_VOICE | ROLE_MUTED));
    s.send(c.teacher, &mode(FLAG_REMOVE, b'b', "m:bob!*@*"));
    s.skip(c.bob);
    s.send(c.bob, &say_maths("sorry"));
    recv!(s, c.bob, Frame::Ack { .. });
    // The list, asked for, is empty again.
    s.send(c.bob, &mode(0, b'b', ""));
    recv!(s, c.bob, Frame::Listed { mask: "", .. });
}

#[test]
fn a_change_that_changes_nothing_says_nothing() {
    // Found by the `room` fuzz target (regression
    // `same_key_set_again_is_announced`): `+k` with the key already set
    // was announced again.
    let mut c = class();
    let s = &mut c.s;
    for (flags, letter, arg) in [
        (FLAG_ADD, b'k', "k3y"),
        (FLAG_ADD, b'm', ""),
        (FLAG_ADD, b'l', "5"),
        (FLAG_ADD, b'b', "m:bob"),
        (FLAG_ADD, b'v', "bob"),
    ] {
        s.send(c.teacher, &mode(flags, letter, arg));
        recv!(s, c.cat, Frame::ModeChanged { mode, .. } if mode == letter);
        s.send(c.teacher, &mode(flags, letter, arg));
        s.skip(c.teacher);
        s.assert_quiet(c.cat);
    }
}

#[test]
fn the_teacher_role_is_proved_not_named() {
    let mut c = class();
    let s = &mut c.s;
    // A student calling themself "teacher" is a student.
    s.send(c.bob, &Frame::SetNick { nick: "teacher" });
    s.skip(c.bob);
    assert_eq!(s.hub.roles(c.bob, "maths"), Some(0));
    assert!(!s.hub.is_teacher(c.bob));
    assert_eq!(
        s.hub.roles(c.teacher, "maths"),
        Some(ROLE_TEACHER | ROLE_OPERATOR)
    );
    // Proving it while in a room shows the others.
    let mut s2 = Sim::new(Config {
        teacher_password: heapless::String::try_from("chalk").unwrap(),
        ..base()
    });
    let t = s2.member("t");
    let ann = s2.member("ann");
    s2.send(t, &Frame::Teach { password: "chalk" });
    recv!(
        s2,
        ann,
        Frame::ModeChanged {
            mode: MODE_TEACHER,
            arg: "t",
            ..
        }
    );
    // A server without a teacher password says so.
    let mut s3 = sim();
    let x = s3.member("x");
    s3.send(x, &Frame::Teach { password: "" });
    recv!(
        s3,
        x,
        Frame::Error {
            code: ErrorCode::NoTeacher,
            ..
        }
    );
}

#[test]
fn wrong_passwords_cost_a_growing_wait() {
    let mut c = class();
    let s = &mut c.s;
    s.send(c.bob, &Frame::Teach { password: "a" });
    recv!(
        s,
        c.bob,
        Frame::Error {
            code: ErrorCode::BadPassword,
            ..
        }
    );
    s.send(c.bob, &Frame::Teach { password: "b" });
    s.assert_quiet(c.bob);
    s.advance(249);
    s.assert_quiet(c.bob);
    s.advance(1);
    recv!(
        s,
        c.bob,
        Frame::Error {
            code: ErrorCode::BadPassword,
            ..
        }
    );
    s.send(c.bob, &Frame::Teach { password: "chalk" });
    s.advance(499);
    s.assert_quiet(c.bob);
    s.advance(1);
    recv!(s, c.bob, Frame::YouAre { .. });
}

#[test]
fn joining_checks_bans_invitations_keys_and_limits() {
    let mut c = class();
    let s = &mut c.s;
    let dan = s.login("dan");
    let join = |key| Frame::Join {
        room: "maths",
        epoch: 0,
        since: 0,
        key,
    };
    for (change, arg, key, refusal) in [
        (b'b', "dan", "", ErrorCode::Banned),
        (b'i', "", "", ErrorCode::InviteOnly),
        (b'k', "pi", "e", ErrorCode::BadKey),
        (b'l', "4", "", ErrorCode::RoomFull),
    ] {
        s.send(c.teacher, &mode(FLAG_ADD, change, arg));
        s.send(dan, &join(key));
        recv!(s, dan, Frame::Error { code, .. } if code == refusal);
        s.advance(1000);
        s.send(c.teacher, &mode(FLAG_REMOVE, change, arg));
    }
    // Invited past `i`, with the key: in, and told the room's modes.
    s.send(c.teacher, &mode(FLAG_ADD, b'i', ""));
    s.send(c.teacher, &mode(FLAG_ADD, b'k', "pi"));
    s.send(
        c.teacher,
        &Frame::Invite {
            room: "maths",
            nick: "dan",
        },
    );
    recv!(
        s,
        dan,
        Frame::Invited {
            by: "ms-lee",
            nick: "dan",
            ..
        }
    );
    s.send(dan, &join("pi"));
    recv!(s, dan, Frame::Entered { .. });
    recv!(
        s,
        dan,
        Frame::RoomState {
            modes: "i",
            key: "pi",
            ..
        }
    );
}

#[test]
fn kicked_members_are_told_and_out() {
    let mut c = class();
    let s = &mut c.s;
    s.send(
        c.teacher,
        &Frame::Kick {
            room: "maths",
            nick: "bob",
            reason: "calm down",
        },
    );
    recv!(
        s,
        c.bob,
        Frame::Kicked {
            by: "ms-lee",
            nick: "bob",
            reason: "calm down",
            ..
        }
    );
    assert_eq!(s.hub.roles(c.bob, "maths"), None);
    s.send(c.bob, &say_maths("hey"));
    recv!(
        s,
        c.bob,
        Frame::Error {
            code: ErrorCode::NotInRoom,
            ..
        }
    );
    recv!(s, c.cat, Frame::Kicked { nick: "bob", .. });
}

#[test]
fn locks_on_topic_nicknames_private_messages_and_pace() {
    let mut c = class();
    let s = &mut c.s;
    for m in [b't', b'N', b'P'] {
        s.send(c.teacher, &mode(FLAG_ADD, m, ""));
    }
    s.send(c.teacher, &mode(FLAG_ADD, b'S', "10"));
    s.skip(c.bob);
    let refused = |s: &mut Sim, id, code| {
        recv!(s, id, Frame::Error { code: got, .. } if got == code);
    };
    s.send(
        c.bob,
        &Frame::SetTopic {
            room: "maths",
            topic: "mine",
        },
    );
    refused(s, c.bob, ErrorCode::NotOperator);
    s.send(c.bob, &Frame::SetNick { nick: "ms_lee" });
    refused(s, c.bob, ErrorCode::NickLocked);
    let whisper = |to| Frame::Whisper {
        tag: 4,
        to,
        flags: 0,
        text: "psst",
    };
    s.send(c.bob, &whisper("cat"));
    refused(s, c.bob, ErrorCode::PrivateOff);
    s.send(c.bob, &whisper("ms-lee"));
    recv!(s, c.bob, Frame::Ack { tag: 4, .. });
    s.send(c.bob, &say_maths("one"));
    recv!(s, c.bob, Frame::Ack { .. });
    s.send(c.bob, &say_maths("two"));
    refused(s, c.bob, ErrorCode::SlowMode);
    s.advance(10_000);
    s.send(c.bob, &say_maths("three"));
    recv!(s, c.bob, Frame::Ack { .. });
    // Operators pass every lock.
    s.send(c.op, &Frame::SetNick { nick: "op2" });
    s.skip(c.op);
    s.send(c.op, &say_maths("a"));
    s.send(c.op, &say_maths("b"));
    recv!(s, c.op, Frame::Ack { .. });
    recv!(s, c.op, Frame::Ack { .. });
}

#[test]
fn a_removed_message_is_gone_for_everyone_and_for_latecomers() {
    use crate::wire::FLAG_REMOVED;
    let mut c = class();
    let s = &mut c.s;
    s.send(c.bob, &say_maths("something rude"));
    let mut said = 0;
    while let Some(raw) = s.next_raw(c.bob) {
        if let Frame::Ack { id, .. } = frame(&raw) {
            said = id;
        }
    }
    assert!(said > 0);
    let redact = |id| Frame::Redact {
        room: "maths",
        id,
        reason: "not kind",
    };
    // A student may not; a message that is not one cannot be.
    s.send(c.cat, &redact(said));
    s.skip(c.cat);
    s.send(c.teacher, &redact(1));
    s.skip(c.teacher);
    s.send(c.teacher, &redact(said));
    recv!(
        s,
        c.teacher,
        Frame::Redacted { target, from: "bob", reason: "not kind", by: "ms-lee", .. } if target == said
    );
    // Everyone in the room is told, once.
    s.send(c.teacher, &redact(said));
    s.assert_quiet(c.teacher);
    let told = std::iter::from_fn(|| s.next_raw(c.op))
        .filter(|raw| matches!(frame(raw), Frame::Redacted { .. }))
        .count();
    assert_eq!(told, 1);
    // A latecomer replays the message flagged removed, its words gone.
    let dan = s.login("dan");
    s.join(dan, "maths");
    let mut replayed = None;
    while let Some(raw) = s.next_raw(dan) {
        if let Frame::Message {
            id, flags, text, ..
        } = frame(&raw)
        {
            if id == said {
                replayed = Some((flags, text.to_string()));
            }
        }
    }
    let (flags, text) = replayed.expect("the message is replayed");
    assert_ne!(flags & FLAG_REMOVED, 0);
    assert!(!text.contains("rude"), "{text}");
}

#[test]
fn students_cannot_remove_messages() {
    let mut c = class();
    let s = &mut c.s;
    s.send(
        c.bob,
        &Frame::Redact {
            room: "maths",
            id: 1,
            reason: "",
        },
    );
    recv!(
        s,
        c.bob,
        Frame::Error {
            code: ErrorCode::NotOperator,
            ..
        }
    );
    s.send(
        c.teacher,
        &Frame::Redact {
            room: "maths",
            id: 1,
            reason: "",
        },
    );
    recv!(
        s,
        c.teacher,
        Frame::Error {
            code: ErrorCode::NoSuchMessage,
            ..
        }
    );
}
