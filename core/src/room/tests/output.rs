//! How output goes out: runs from the history, slow readers and their gaps, partial writes, input waiting for output room.

use super::*;

/// Drain `id`'s output with `Transmit::pieces`, at most `pieces` pieces and
/// `budget` bytes per write, the "socket" taking at most `take` bytes each
/// time; returns the texts of the messages received, checking that every
/// frame arrived whole.
fn drain_in_pieces(
    s: &mut Sim,
    id: ConnId,
    pieces: usize,
    budget: usize,
    take: usize,
) -> StdVec<StdString> {
    let mut stream = StdVec::new();
    loop {
        let mut slots: [&[u8]; 8] = [&[]; 8];
        let mut tx = s.hub.transmit(s.now, id, budget);
        let count = tx.pieces(&mut slots[..pieces]);
        if count == 0 {
            break;
        }
        let mut written = StdVec::new();
        for piece in &slots[..count] {
            assert!(!piece.is_empty());
            written.extend_from_slice(piece);
        }
        assert!(written.len() <= budget);
        assert_eq!(written.len(), tx.len());
        let n = written.len().min(take);
        stream.extend_from_slice(&written[..n]);
        tx.commit(n);
    }
    let mut texts = StdVec::new();
    let mut rest = &stream[..];
    while !rest.is_empty() {
        let Ok(Status::Complete((f, n))) = decode(rest) else {
            panic!("a frame was cut: {rest:?}");
        };
        if let Frame::Message { text, .. } = f {
            texts.push(text.to_string());
        }
        rest = &rest[n..];
    }
    texts
}

#[test]
fn runs_of_events_go_out_in_pieces_and_skip_own_messages() {
    // Ann and bob talk in turns while nothing is written; bob's events are
    // then runs of ann's lines broken by his own, which he must not get.
    for (pieces, budget, take) in [
        (8, 65536, usize::MAX),
        (3, 65536, usize::MAX),
        (3, 1024, 100),
        (3, 1024, 7),
    ] {
        let mut s = sim();
        let ann = s.member("ann");
        let bob = s.member("bob");
        let mut from_ann = StdVec::new();
        for i in 0..12 {
            let text = std::format!("ann {i}");
            say_unpumped(&mut s, ann, &text);
            from_ann.push(text);
            if i % 3 != 2 {
                say_unpumped(&mut s, bob, &std::format!("bob {i}"));
            }
        }
        // No room for even one piece: nothing is lent, nothing moves.
        let mut tx = s.hub.transmit(s.now, bob, budget);
        assert_eq!(tx.pieces(&mut []), 0);
        tx.commit(0);
        let got = drain_in_pieces(&mut s, bob, pieces, budget, take);
        assert_eq!(
            got, from_ann,
            "pieces {pieces}, budget {budget}, take {take}"
        );
        let mut none: [&[u8]; 8] = [&[]; 8];
        assert_eq!(
            s.hub.transmit(s.now, bob, budget).pieces(&mut none),
            0,
            "caught up"
        );
    }
}

#[test]
fn slow_reader_gets_a_gap_and_does_not_hold_up_others() {
    let mut s = sim();
    let ann = s.member("ann");
    let bob = s.member("bob");
    let cat = s.member("cat");
    s.skip(ann);
    s.skip(bob);
    s.clients.get_mut(&cat).unwrap().paused = true;
    let mut text = StdString::new();
    for i in 0..100 {
        text.clear();
        text.push_str(&i.to_string());
        s.send(ann, &say("lobby", &text));
    }
    // Bob got every message, in order, while cat was not reading.
    for i in 0..100 {
        let want = i.to_string();
        recv!(s, bob, Frame::Message { text, .. } if text == want);
    }
    // Cat resumes: what its queue held, then a gap, then the history.
    s.clients.get_mut(&cat).unwrap().paused = false;
    s.pump();
    let mut ids = StdVec::new();
    let mut missed = 0;
    while let Some(raw) = s.next_raw(cat) {
        match frame(&raw) {
            Frame::Message { id, .. } => ids.push(id),
            Frame::Gap { missed: m, .. } => missed += m,
            other => panic!("{other:?}"),
        }
    }
    assert!(missed > 0);
    assert!(ids.windows(2).all(|w| w[0] < w[1]));
    assert_eq!(ids.len() as u64 + missed, 100);
    assert_eq!(ids.last(), Some(&103));
}

/// What a paused member finds once it reads again: its acks, the sum of
/// its gap notices (each checked to be non-zero), and the texts of the
/// messages it got, in order.
fn read_back(s: &mut Sim, id: ConnId) -> (usize, u64, StdVec<StdString>) {
    s.clients.get_mut(&id).unwrap().paused = false;
    s.pump();
    let (mut acks, mut missed, mut texts) = (0, 0, StdVec::new());
    let mut last_id = 0;
    while let Some(raw) = s.next_raw(id) {
        match frame(&raw) {
            Frame::Ack { .. } => acks += 1,
            Frame::Gap { missed: m, .. } => {
                assert!(m > 0, "a gap notice for nothing");
                missed += m;
            }
            Frame::Message { id, text, .. } => {
                assert!(id > last_id);
                last_id = id;
                texts.push(text.to_string());
            }
            other => panic!("unexpected {other:?}"),
        }
    }
    (acks, missed, texts)
}

#[test]
fn own_messages_that_leave_the_history_are_not_missed() {
    // Issue 8: a member sends fast without reading; the history (32 events
    // here) moves past its cursor, but only over its own messages, which
    // it is never sent. It missed nothing, so it gets no gap notice.
    let mut s = sim();
    let ann = s.member("ann");
    let bob = s.member("bob");
    s.skip(ann);
    s.clients.get_mut(&ann).unwrap().paused = true;
    for i in 0..50 {
        s.send(ann, &say("lobby", &i.to_string()));
    }
    for i in 0..50 {
        let want = i.to_string();
        recv!(s, bob, Frame::Message { text, .. } if text == want);
    }
    let (acks, missed, texts) = read_back(&mut s, ann);
    assert_eq!((acks, missed), (50, 0));
    assert!(texts.is_empty(), "its own messages came back: {texts:?}");
}

#[test]
fn a_gap_counts_only_others_events() {
    // Ann does not read while she and bob take turns (10 each), then bob
    // says 30 more: 50 events after ann's cursor, of which the history
    // keeps the last 32 (b9, a9, c0..c29). Gone are a0..a8, which are
    // ann's own, and b0..b8: she missed exactly 9.
    let mut s = sim();
    let ann = s.member("ann");
    let bob = s.member("bob");
    s.skip(ann);
    s.clients.get_mut(&ann).unwrap().paused = true;
    for i in 0..10 {
        s.send(bob, &say("lobby", &std::format!("b{i}")));
        s.send(ann, &say("lobby", &std::format!("a{i}")));
    }
    for i in 0..30 {
        s.send(bob, &say("lobby", &std::format!("c{i}")));
    }
    let (acks, missed, texts) = read_back(&mut s, ann);
    assert_eq!((acks, missed), (10, 9));
    let want: StdVec<StdString> = core::iter::once("b9".to_string())
        .chain((0..30).map(|i| std::format!("c{i}")))
        .collect();
    assert_eq!(texts, want);
}

#[test]
fn partial_writes_keep_frames_whole() {
    let mut s = sim();
    let ann = s.member("ann");
    let bob = s.member("bob");
    s.skip(ann);
    s.skip(bob);
    // Bob's socket takes 7 bytes at a time, cutting every frame.
    s.clients.get_mut(&bob).unwrap().window = Some(7);
    for i in 0..30 {
        s.send(ann, &say("lobby", &i.to_string()));
    }
    for i in 0..30 {
        let want = i.to_string();
        recv!(s, bob, Frame::Message { text, .. } if text == want);
    }
    s.assert_quiet(bob);
}

/// Count the `Pong`s in what `conn` is lent now, writing all of it.
fn pongs_written(hub: &mut TestHub, conn: ConnId) -> usize {
    let mut pongs = 0;
    loop {
        let mut buf = [0u8; 4096];
        let mut tx = hub.transmit(Instant(0), conn, buf.len());
        let n = tx.copy_to(&mut buf);
        tx.commit(n);
        if n == 0 {
            return pongs;
        }
        let mut rest = &buf[..n];
        while let Ok(Status::Complete((f, used))) = decode(rest) {
            pongs += usize::from(matches!(f, Frame::Pong { .. }));
            rest = &rest[used..];
        }
    }
}

#[test]
fn writing_output_never_handles_input_until_the_driver_resumes_it() {
    // Ann sends pings without reading: her queue fills with pongs until
    // her requests wait in her input buffer, which then fills too.
    let mut hub = TestHub::new(base());
    hub.add_room("lobby").unwrap();
    let ann = hub.handle_connect(Instant(0)).unwrap();
    let mut hello = [0u8; 64];
    let n = Frame::Hello {
        version: VERSION,
        nick: "ann",
        password: "",
    }
    .encode(&mut hello)
    .unwrap();
    assert_eq!(hub.handle_bytes(Instant(0), ann, &hello[..n]), n);
    let mut ping = [0u8; 16];
    let n = Frame::Ping { token: 1 }.encode(&mut ping).unwrap();
    let mut sent = 0;
    while hub.handle_bytes(Instant(0), ann, &ping[..n]) == n {
        sent += 1;
        assert!(sent < 10_000, "the hub never stops taking pings");
    }
    assert!(hub.recv_buf(ann).is_empty(), "reading pauses");
    // Writing her output frees the queue but answers no waiting ping.
    let first = pongs_written(&mut hub, ann);
    assert!(first > 0 && first < sent, "{first} of {sent} answered");
    assert_eq!(pongs_written(&mut hub, ann), 0, "output handled input");
    // Resumed, the waiting pings are answered; none is lost.
    let mut answered = first;
    while answered < sent {
        hub.resume_input(Instant(0), ann);
        let more = pongs_written(&mut hub, ann);
        assert!(more > 0, "resume_input answered nothing");
        answered += more;
    }
    assert_eq!(answered, sent);
    // Only the start of the ping that did not fit is left in her buffer.
    assert!(
        hub.recv_buf(ann).len() > MAX_FRAME_LEN - n,
        "reading can go on"
    );
}
