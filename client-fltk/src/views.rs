//! The window's views as plain data (issue 17): one view per room you are
//! in and one per private conversation, as HexChat and irssi have, each
//! with its own conversation, topic, member list and unread counts, and
//! which of them is on show. Where a line lands is decided here, without
//! widgets, so it is tested without a display; the window (`ui`) gives
//! each view a conversation widget and draws the rest.
//!
//! The rules:
//! * a room's lines go to its view; a line about no view (help, a saved
//!   transcript, an error about no room) goes to the selected one;
//! * connection news goes to every view ([`Views::show_everywhere`]);
//! * a private message, received or sent, goes to the view named after
//!   the other person, which the window opens if it is not open; closing
//!   it only takes it off the list, and the next message opens it again;
//! * a message in a view that is not on show counts as unread there, and
//!   as a mention if it names you or is private; selecting a view clears
//!   its counts;
//! * while there is no view at all (before the first room is entered,
//!   after the last is left), lines go to a *home* conversation, which
//!   becomes the next view's, so "Connected to …" is not lost;
//! * the transcript keeps every line once, with its room.
//!
//! The conversation type is a parameter ([`Conversation`]): the window's
//! is an FLTK text display, the tests' a list of strings.

use std::collections::{HashMap, VecDeque};

use natter_core::wire::same_name;

use crate::transcript::{Line, TRANSCRIPT_LINES};

/// How one of your lines ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    Delivered,
    NotDelivered,
}

/// What a view shows its lines on.
pub trait Conversation {
    /// Add `line`. `mention` highlights it; `pending` is the tag of an
    /// own line waiting for the server's answer.
    fn push(&mut self, line: &Line, mention: bool, pending: Option<u32>);
    /// Mark the own line `tag` as delivered or not (unknown tags are
    /// ignored).
    fn settle(&mut self, tag: u32, how: Delivery);
    /// The own line `tag` is message `id` of its room.
    fn identify(&mut self, tag: u32, id: u64);
    /// Message `id` was removed: show `text` instead of its words.
    fn redact(&mut self, id: u64, text: &str);
}

/// What a view is about, and so where its input line sends to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A room you are in, by its name (without `#`).
    Room(String),
    /// A private conversation, by the other person's nickname.
    Private(String),
}

impl Target {
    /// The room's name or the other person's nickname.
    pub fn name(&self) -> &str {
        match self {
            Target::Room(name) | Target::Private(name) => name,
        }
    }

    /// The same room or person, as natter compares names (IRC's case
    /// folding): `#Maths` is `#maths`.
    pub fn is(&self, other: &Target) -> bool {
        match (self, other) {
            (Target::Room(a), Target::Room(b)) | (Target::Private(a), Target::Private(b)) => {
                same_name(a, b)
            }
            _ => false,
        }
    }

    /// How the view is named on screen: `#maths`, or `bob`.
    pub fn title(&self) -> String {
        match self {
            Target::Room(name) => format!("#{name}"),
            Target::Private(nick) => nick.clone(),
        }
    }
}

/// What a line counts for in a view that is not on show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Count {
    /// Nothing: joins, parts, history, your own lines.
    Quiet,
    /// An unread message.
    Unread,
    /// An unread message for you: it names you, or it is private.
    Mention,
}

pub use crate::roles::Member;
use crate::roles::{self, RoomControls};

/// One room or private conversation, and everything the window shows of it.
#[derive(Debug)]
pub struct RoomView<C> {
    pub target: Target,
    /// The room's topic (empty for none, and for private views).
    pub topic: String,
    /// The room's members in joining order (empty for private views).
    pub members: Vec<Member>,
    /// Messages that came while the view was not on show.
    pub unread: u32,
    /// Of those, the ones for you.
    pub mentions: u32,
    /// The room's controls, as its members were told.
    pub controls: RoomControls,
    /// Why you are no longer in the room while its view stays open (you
    /// were put out of it).
    pub out: Option<String>,
    pub conversation: C,
}

impl<C> RoomView<C> {
    fn new(target: Target, conversation: C) -> RoomView<C> {
        RoomView {
            target,
            topic: String::new(),
            members: Vec::new(),
            unread: 0,
            mentions: 0,
            controls: RoomControls::default(),
            out: None,
            conversation,
        }
    }

    /// The view in the room list: `#maths`, with unread messages
    /// `#maths (3)`, and `★` when some are for you: `#maths (3) ★`.
    pub fn label(&self) -> String {
        let mut label = self.target.title();
        if self.unread > 0 {
            label.push_str(&format!(" ({})", self.unread));
        }
        if self.mentions > 0 {
            label.push_str(" ★");
        }
        label
    }

    /// The whole member list, as the server sent it, with each one's
    /// roles (a member past the end of `roles` has none).
    pub fn set_members(&mut self, nicks: Vec<String>, roles: &[u8]) {
        self.members = nicks
            .iter()
            .enumerate()
            .map(|(i, nick)| Member::new(nick, roles.get(i).copied().unwrap_or(0)))
            .collect();
    }

    /// Someone joined (once, however often it is said), muted if a mute
    /// of the room names them.
    pub fn add_member(&mut self, nick: &str) {
        if !self.members.iter().any(|m| same_name(&m.nick, nick)) {
            let muted = if self.controls.mutes(nick) {
                natter_core::wire::ROLE_MUTED
            } else {
                0
            };
            self.members.push(Member::new(nick, muted));
        }
    }

    /// `nick`'s roles here (0 for someone not in the list).
    pub fn roles_of(&self, nick: &str) -> u8 {
        self.members
            .iter()
            .find(|m| same_name(&m.nick, nick))
            .map_or(0, |m| m.roles)
    }

    /// A `Mode` event: the members' roles and the room's controls change;
    /// returns the system line that says so.
    pub fn apply_mode(&mut self, by: &str, add: bool, mode: char, arg: &str) -> String {
        roles::apply_mode(&mut self.members, &mut self.controls, by, add, mode, arg)
    }

    /// `nick` raised a hand (or, `false`, put it down).
    pub fn raise_hand(&mut self, nick: &str, up: bool) -> bool {
        let mut found = false;
        for m in self.members.iter_mut().filter(|m| same_name(&m.nick, nick)) {
            m.hand = up;
            found = true;
        }
        found
    }

    pub fn remove_member(&mut self, nick: &str) {
        self.members.retain(|m| !same_name(&m.nick, nick));
    }

    pub fn rename_member(&mut self, old: &str, new: &str) {
        for m in self.members.iter_mut().filter(|m| same_name(&m.nick, old)) {
            new.clone_into(&mut m.nick);
        }
    }
}

/// Every view, in the room list's order (rooms in the order they were
/// entered, then private conversations in the order they were opened),
/// which one is on show, and the transcript.
#[derive(Debug)]
pub struct Views<C> {
    views: Vec<RoomView<C>>,
    /// The index of the view on show; meaningless while there is none.
    selected: usize,
    /// Where lines go while there is no view.
    home: C,
    /// Own lines waiting for the server's answer: tag → their view.
    tags: HashMap<u32, Target>,
    /// Every line shown, oldest first, at most [`TRANSCRIPT_LINES`].
    transcript: VecDeque<Line>,
}

impl<C: Conversation> Views<C> {
    /// No views yet; lines go to `home`.
    pub fn new(home: C) -> Views<C> {
        Views {
            views: Vec::new(),
            selected: 0,
            home,
            tags: HashMap::new(),
            transcript: VecDeque::new(),
        }
    }

    /// Close every view (a new connection starts afresh) and start over
    /// with `home`; returns the conversations that are no longer shown.
    /// The transcript stays.
    pub fn reset(&mut self, home: C) -> Vec<C> {
        self.tags.clear();
        self.selected = 0;
        let mut gone: Vec<C> = self.views.drain(..).map(|v| v.conversation).collect();
        gone.push(std::mem::replace(&mut self.home, home));
        gone
    }

    pub fn iter(&self) -> impl Iterator<Item = &RoomView<C>> {
        self.views.iter()
    }

    pub fn len(&self) -> usize {
        self.views.len()
    }

    pub fn is_empty(&self) -> bool {
        self.views.is_empty()
    }

    /// The view on show, if there is one.
    pub fn selected(&self) -> Option<&RoomView<C>> {
        self.views.get(self.selected)
    }

    pub fn selected_index(&self) -> Option<usize> {
        (self.selected < self.views.len()).then_some(self.selected)
    }

    /// Where the input line sends to.
    pub fn selected_target(&self) -> Option<&Target> {
        self.selected().map(|v| &v.target)
    }

    /// The conversation on show: the selected view's, or home's.
    pub fn current(&mut self) -> &mut C {
        match self.views.get_mut(self.selected) {
            Some(view) => &mut view.conversation,
            None => &mut self.home,
        }
    }

    /// Every conversation (home's included), each with whether it is the
    /// one on show.
    pub fn conversations_mut(&mut self) -> impl Iterator<Item = (&mut C, bool)> {
        let on_show = self.selected_index();
        let home_on_show = on_show.is_none();
        self.views
            .iter_mut()
            .enumerate()
            .map(move |(i, v)| (&mut v.conversation, Some(i) == on_show))
            .chain(std::iter::once((&mut self.home, home_on_show)))
    }

    pub fn get(&self, target: &Target) -> Option<&RoomView<C>> {
        self.views.iter().find(|v| v.target.is(target))
    }

    pub fn get_mut(&mut self, target: &Target) -> Option<&mut RoomView<C>> {
        self.views.iter_mut().find(|v| v.target.is(target))
    }

    /// The view of the room `name`.
    pub fn room_mut(&mut self, name: &str) -> Option<&mut RoomView<C>> {
        self.get_mut(&Target::Room(name.to_owned()))
    }

    /// The room views, for changes that concern every room you are in.
    pub fn rooms_mut(&mut self) -> impl Iterator<Item = &mut RoomView<C>> {
        self.views
            .iter_mut()
            .filter(|v| matches!(v.target, Target::Room(_)))
    }

    fn position(&self, target: &Target) -> Option<usize> {
        self.views.iter().position(|v| v.target.is(target))
    }

    /// The view of `target`, opened (with a conversation from `make`) if
    /// it is not open: a room after the other rooms, a private view at the
    /// end. The first view takes over home's conversation and is selected;
    /// otherwise the selection stays. Returns the view's index.
    pub fn open(&mut self, target: Target, make: impl FnOnce() -> C) -> usize {
        if let Some(i) = self.position(&target) {
            return i;
        }
        let first = self.views.is_empty();
        let conversation = match first {
            true => std::mem::replace(&mut self.home, make()),
            false => make(),
        };
        let at = match target {
            Target::Room(_) => self
                .views
                .iter()
                .take_while(|v| matches!(v.target, Target::Room(_)))
                .count(),
            Target::Private(_) => self.views.len(),
        };
        self.views.insert(at, RoomView::new(target, conversation));
        if first {
            self.selected = 0;
        } else if at <= self.selected {
            self.selected += 1;
        }
        at
    }

    /// Put view `index` on show and clear its counts. `false` if there is
    /// no such view.
    pub fn select(&mut self, index: usize) -> bool {
        let Some(view) = self.views.get_mut(index) else {
            return false;
        };
        view.unread = 0;
        view.mentions = 0;
        self.selected = index;
        true
    }

    pub fn select_target(&mut self, target: &Target) -> bool {
        self.position(target).is_some_and(|i| self.select(i))
    }

    /// Select the view `by` places down the list (up when negative),
    /// going round at the ends.
    pub fn step(&mut self, by: isize) {
        let n = self.views.len() as isize;
        if n == 0 {
            return;
        }
        let i = (self.selected as isize + by).rem_euclid(n);
        self.select(i as usize);
    }

    /// Close `target`'s view and return its conversation. If it was on
    /// show, the view above it is selected (the new first one if it was
    /// first): leaving a room shows the room before it, not a private
    /// conversation below.
    pub fn close(&mut self, target: &Target) -> Option<C> {
        let i = self.position(target)?;
        let view = self.views.remove(i);
        self.tags.retain(|_, t| !t.is(target));
        if i < self.selected {
            self.selected -= 1;
        } else if i == self.selected && !self.views.is_empty() {
            self.select(i.saturating_sub(1));
        }
        Some(view.conversation)
    }

    /// Show `line` in `to`'s view, or in the selected view (or home) when
    /// `to` is `None` or not open. `mention` highlights it; `count` says
    /// what it counts for if that view is not on show.
    pub fn show(&mut self, to: Option<&Target>, line: Line, mention: bool, count: Count) {
        self.show_line(to, line, mention, count, None);
    }

    /// Show a line you sent to `to`, waiting for the server's answer
    /// (`tag`; see [`Views::settle`]).
    pub fn show_own(&mut self, to: &Target, mut line: Line, tag: u32) {
        self.tags.insert(tag, to.clone());
        line.tag = Some(tag);
        self.show_line(Some(to), line, false, Count::Quiet, Some(tag));
    }

    /// Show `line` in every view (home when there is none), and once in
    /// the transcript: news about the connection, which every room shares.
    pub fn show_everywhere(&mut self, line: Line) {
        for (conversation, _) in self.conversations_mut() {
            conversation.push(&line, false, None);
        }
        self.record(line);
    }

    /// The server answered the own line `tag`: mark it in its view, and
    /// return that view's target (to say more there). `None` for a tag
    /// not waiting.
    pub fn settle(&mut self, tag: u32, how: Delivery) -> Option<Target> {
        let target = self.tags.remove(&tag)?;
        if let Some(view) = self.get_mut(&target) {
            view.conversation.settle(tag, how);
        }
        Some(target)
    }

    /// The server took the own line `tag` as message `id` of its room:
    /// remembered, so a removal finds it (call before [`Views::settle`]).
    pub fn identify(&mut self, tag: u32, id: u64) {
        let Some(target) = self.tags.get(&tag).cloned() else {
            return;
        };
        if let Some(view) = self.get_mut(&target) {
            view.conversation.identify(tag, id);
        }
        if let Some(line) = self
            .transcript
            .iter_mut()
            .rev()
            .find(|l| l.tag == Some(tag))
        {
            line.id = Some(id);
            line.tag = None;
        }
    }

    /// The id of the last message in `room` by `nick` (by anyone, for
    /// `None`) that the window has, if any.
    pub fn last_message(&self, room: &str, nick: Option<&str>) -> Option<u64> {
        self.transcript
            .iter()
            .rev()
            .filter(|l| l.room.as_deref().is_some_and(|r| same_name(r, room)))
            .filter(|l| nick.is_none_or(|n| same_name(&l.nick, n)))
            .find(|l| l.text != crate::session::REMOVED)
            .and_then(|l| l.id)
    }

    /// An operator removed message `id` of `room`: its line says `text`
    /// instead, in the room's view and in the transcript.
    pub fn redact(&mut self, room: &str, id: u64, text: &str) {
        let target = Target::Room(room.to_owned());
        if let Some(view) = self.get_mut(&target) {
            view.conversation.redact(id, text);
        }
        for line in self
            .transcript
            .iter_mut()
            .filter(|l| l.id == Some(id) && l.room.as_deref().is_some_and(|r| same_name(r, room)))
        {
            text.clone_into(&mut line.text);
        }
    }

    /// `old` is now called `new`: their private view follows, unless one
    /// with the new name is open already. `true` if it was renamed.
    pub fn rename_private(&mut self, old: &str, new: &str) -> bool {
        let (old, new) = (
            Target::Private(old.to_owned()),
            Target::Private(new.to_owned()),
        );
        let Some(i) = self.position(&old) else {
            return false;
        };
        if self.position(&new).is_some_and(|j| j != i) {
            return false;
        }
        let view = &mut self.views[i];
        view.target = new.clone();
        for t in self.tags.values_mut().filter(|t| t.is(&old)) {
            *t = new.clone();
        }
        true
    }

    /// Every line shown, oldest first, each with its room.
    pub fn transcript(&self) -> impl Iterator<Item = &Line> {
        self.transcript.iter()
    }

    fn show_line(
        &mut self,
        to: Option<&Target>,
        mut line: Line,
        mention: bool,
        count: Count,
        tag: Option<u32>,
    ) {
        let found = to.and_then(|t| self.position(t));
        let index = found.or_else(|| self.selected_index());
        match index.and_then(|i| self.views.get_mut(i).map(|v| (i, v))) {
            Some((i, view)) => {
                if i != self.selected && count != Count::Quiet {
                    view.unread += 1;
                    view.mentions += u32::from(count == Count::Mention);
                }
                if let Target::Room(room) = &view.target {
                    line.room = Some(room.clone());
                }
                view.conversation.push(&line, mention, tag);
            }
            None => self.home.push(&line, mention, tag),
        }
        self.record(line);
    }

    fn record(&mut self, line: Line) {
        if self.transcript.len() >= TRANSCRIPT_LINES {
            self.transcript.pop_front();
        }
        self.transcript.push_back(line);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transcript::Kind;

    /// A conversation that remembers what it was shown, as text, with
    /// `!` in front of mentions and the pending mark after own lines.
    #[derive(Debug, Default)]
    struct Seen(Vec<String>);

    impl Conversation for Seen {
        fn push(&mut self, line: &Line, mention: bool, pending: Option<u32>) {
            let mark = if mention { "!" } else { "" };
            let wait = if pending.is_some() { " …" } else { "" };
            self.0
                .push(format!("{mark}{}{}{wait}", line.nick, line.text));
        }

        fn settle(&mut self, tag: u32, how: Delivery) {
            self.0.push(format!("settled {tag} {how:?}"));
        }

        fn identify(&mut self, tag: u32, id: u64) {
            self.0.push(format!("{tag} is {id}"));
        }

        fn redact(&mut self, id: u64, text: &str) {
            self.0.push(format!("{id} now: {text}"));
        }
    }

    fn room(name: &str) -> Target {
        Target::Room(name.into())
    }

    fn private(nick: &str) -> Target {
        Target::Private(nick.into())
    }

    fn text(text: &str) -> Line {
        Line::new("09:41".into(), Kind::System, "", text)
    }

    fn message(from: &str, text: &str) -> Line {
        Line::new("09:41".into(), Kind::Message, from, text)
    }

    fn views() -> Views<Seen> {
        Views::new(Seen::default())
    }

    /// What `target`'s view was shown.
    fn seen<'a>(views: &'a Views<Seen>, target: &Target) -> &'a [String] {
        match views.get(target) {
            Some(view) => &view.conversation.0,
            None => panic!("no view {target:?}"),
        }
    }

    fn labels(views: &Views<Seen>) -> Vec<String> {
        views.iter().map(RoomView::label).collect()
    }

    #[test]
    fn each_room_gets_only_its_own_lines() {
        let mut v = views();
        v.open(room("lobby"), Seen::default);
        v.open(room("maths"), Seen::default);
        v.show(
            Some(&room("lobby")),
            message("ann", "hi lobby"),
            false,
            Count::Unread,
        );
        v.show(
            Some(&room("maths")),
            message("bob", "hi maths"),
            false,
            Count::Unread,
        );
        v.show(
            Some(&room("MATHS")),
            text("cat joined"),
            false,
            Count::Quiet,
        );
        assert_eq!(seen(&v, &room("lobby")), ["annhi lobby"]);
        assert_eq!(seen(&v, &room("maths")), ["bobhi maths", "cat joined"]);
    }

    #[test]
    fn lines_about_no_view_go_to_the_selected_one_or_home() {
        let mut v = views();
        // Before any room: home keeps it, and the first room takes it over.
        v.show(None, text("Connected"), false, Count::Quiet);
        v.open(room("lobby"), Seen::default);
        assert_eq!(v.selected_target(), Some(&room("lobby")));
        v.open(room("maths"), Seen::default);
        // Opening a second room does not move the selection.
        assert_eq!(v.selected_target(), Some(&room("lobby")));
        v.show(None, text("help"), false, Count::Quiet);
        v.show(
            Some(&room("art")),
            text("you missed 2"),
            false,
            Count::Unread,
        );
        assert_eq!(
            seen(&v, &room("lobby")),
            ["Connected", "help", "you missed 2"]
        );
        assert!(seen(&v, &room("maths")).is_empty());
        // Connection news reaches every view, and the transcript once.
        v.show_everywhere(text("Connection lost"));
        assert_eq!(seen(&v, &room("maths")), ["Connection lost"]);
        assert_eq!(seen(&v, &room("lobby")).last().unwrap(), "Connection lost");
        assert_eq!(v.transcript().count(), 4);
    }

    #[test]
    fn views_not_on_show_count_unread_messages_and_mentions() {
        let mut v = views();
        v.open(room("lobby"), Seen::default);
        v.open(room("maths"), Seen::default);
        for _ in 0..3 {
            v.show(
                Some(&room("maths")),
                message("bob", "x"),
                false,
                Count::Unread,
            );
        }
        v.show(
            Some(&room("maths")),
            text("cat joined"),
            false,
            Count::Quiet,
        );
        v.show(
            Some(&room("lobby")),
            message("bob", "y"),
            false,
            Count::Unread,
        );
        assert_eq!(labels(&v), ["#lobby", "#maths (3)"]);
        v.show(
            Some(&room("maths")),
            message("bob", "ada!"),
            true,
            Count::Mention,
        );
        assert_eq!(labels(&v), ["#lobby", "#maths (4) ★"]);
        assert_eq!(seen(&v, &room("maths")).last().unwrap(), "!bobada!");
        // Selecting a view reads it.
        v.step(1);
        assert_eq!(labels(&v), ["#lobby", "#maths"]);
        v.show(
            Some(&room("lobby")),
            message("bob", "z"),
            false,
            Count::Unread,
        );
        assert_eq!(labels(&v), ["#lobby (1)", "#maths"]);
        assert!(v.select(0));
        assert_eq!(labels(&v), ["#lobby", "#maths"]);
        assert!(!v.select(5));
        // History that names you is highlighted but was not missed.
        v.show(
            Some(&room("maths")),
            message("bob", "ada?"),
            true,
            Count::Quiet,
        );
        assert_eq!(labels(&v), ["#lobby", "#maths"]);
        assert_eq!(seen(&v, &room("maths")).last().unwrap(), "!bobada?");
    }

    #[test]
    fn switching_goes_round_the_list() {
        let mut v = views();
        v.step(1); // nothing to select: no panic
        for name in ["a", "b", "c"] {
            v.open(room(name), Seen::default);
        }
        assert_eq!(v.selected_index(), Some(0));
        v.step(-1);
        assert_eq!(v.selected_target(), Some(&room("c")));
        v.step(1);
        assert_eq!(v.selected_target(), Some(&room("a")));
        v.step(2);
        assert_eq!(v.selected_target(), Some(&room("c")));
        assert!(v.select_target(&room("B")));
        assert_eq!(v.selected_index(), Some(1));
    }

    #[test]
    fn rooms_come_before_private_views_and_selection_follows_its_view() {
        let mut v = views();
        v.open(room("lobby"), Seen::default);
        v.open(private("bob"), Seen::default);
        v.select_target(&private("bob"));
        v.open(room("maths"), Seen::default);
        assert_eq!(labels(&v), ["#lobby", "#maths", "bob"]);
        assert_eq!(v.selected_target(), Some(&private("bob")));
        // Opening an open view finds it.
        assert_eq!(v.open(room("Maths"), || panic!("made twice")), 1);
    }

    #[test]
    fn closing_selects_the_view_above_and_the_last_close_goes_home() {
        let mut v = views();
        for name in ["a", "b", "c"] {
            v.open(room(name), Seen::default);
        }
        v.open(private("bob"), Seen::default);
        v.select(2);
        v.show(
            Some(&room("b")),
            message("x", "unread"),
            false,
            Count::Unread,
        );
        assert_eq!(labels(&v), ["#a", "#b (1)", "#c", "bob"]);
        assert!(v.close(&room("c")).is_some());
        // The room above is on show, and read.
        assert_eq!(labels(&v), ["#a", "#b", "bob"]);
        assert_eq!(v.selected_target(), Some(&room("b")));
        v.select(0);
        assert!(v.close(&room("a")).is_some());
        assert_eq!(v.selected_target(), Some(&room("b")), "the new first");
        assert!(v.close(&room("nope")).is_none());
        assert!(v.close(&private("bob")).is_some());
        assert!(v.close(&room("b")).is_some());
        assert!(v.is_empty() && v.selected().is_none());
        v.show(None, text("You left #b."), false, Count::Quiet);
        assert_eq!(v.current().0, ["You left #b."]);
        // The next room starts with what home showed.
        v.open(room("d"), Seen::default);
        assert_eq!(seen(&v, &room("d")), ["You left #b."]);
    }

    #[test]
    fn closing_a_view_above_keeps_the_one_on_show() {
        let mut v = views();
        for name in ["a", "b", "c"] {
            v.open(room(name), Seen::default);
        }
        v.select(2);
        v.close(&room("a"));
        assert_eq!(v.selected_target(), Some(&room("c")));
    }

    #[test]
    fn private_views_open_count_and_reopen() {
        let mut v = views();
        v.open(room("lobby"), Seen::default);
        // A whisper from bob opens his view, not on show, as a mention.
        v.open(private("bob"), Seen::default);
        let psst = Line::new("09:41".into(), Kind::PrivateFrom, "bob", "psst");
        v.show(Some(&private("bob")), psst.clone(), true, Count::Mention);
        assert_eq!(labels(&v), ["#lobby", "bob (1) ★"]);
        assert_eq!(v.selected_target(), Some(&room("lobby")));
        assert_eq!(seen(&v, &private("bob")), ["!bobpsst"]);
        // Answering in it: the line waits there for the server.
        v.select_target(&private("bob"));
        let ok = Line::new("09:42".into(), Kind::PrivateTo, "bob", "ok");
        v.show_own(&private("bob"), ok, 7);
        assert_eq!(seen(&v, &private("bob")), ["!bobpsst", "bobok …"]);
        assert_eq!(v.settle(7, Delivery::Delivered), Some(private("bob")));
        assert_eq!(seen(&v, &private("bob"))[2], "settled 7 Delivered");
        assert_eq!(v.settle(7, Delivery::Delivered), None);
        // Closed, it is gone; the next whisper opens it again, fresh.
        assert!(v.close(&private("bob")).is_some());
        assert_eq!(labels(&v), ["#lobby"]);
        v.open(private("Bob"), Seen::default);
        v.show(Some(&private("bob")), psst, true, Count::Mention);
        assert_eq!(labels(&v), ["#lobby", "Bob (1) ★"]);
        assert_eq!(seen(&v, &private("bob")), ["!bobpsst"]);
    }

    #[test]
    fn an_answer_for_a_closed_view_is_not_lost() {
        let mut v = views();
        v.open(room("lobby"), Seen::default);
        v.open(private("bob"), Seen::default);
        let hi = Line::new("09:42".into(), Kind::PrivateTo, "bob", "hi");
        v.show_own(&private("bob"), hi, 3);
        v.close(&private("bob"));
        // The tag is forgotten with its view: the refusal that follows
        // is shown in the selected view instead.
        assert_eq!(v.settle(3, Delivery::NotDelivered), None);
    }

    #[test]
    fn a_renamed_person_keeps_their_private_view() {
        let mut v = views();
        v.open(room("lobby"), Seen::default);
        v.open(private("bob"), Seen::default);
        let hi = Line::new("09:42".into(), Kind::PrivateTo, "bob", "hi");
        v.show_own(&private("bob"), hi, 3);
        assert!(v.rename_private("bob", "rob"));
        assert!(!v.rename_private("bob", "rob"), "only once");
        assert_eq!(labels(&v), ["#lobby", "rob"]);
        assert_eq!(v.settle(3, Delivery::Delivered), Some(private("rob")));
        // Not over another open view.
        v.open(private("cat"), Seen::default);
        assert!(!v.rename_private("rob", "cat"));
        assert!(v.rename_private("rob", "Rob"));
        assert_eq!(labels(&v), ["#lobby", "Rob", "cat"]);
    }

    #[test]
    fn the_transcript_keeps_each_line_once_with_its_room() {
        let mut v = views();
        v.show(None, text("Connected"), false, Count::Quiet);
        v.open(room("lobby"), Seen::default);
        v.open(room("maths"), Seen::default);
        v.show(
            Some(&room("maths")),
            message("bob", "2+2"),
            false,
            Count::Unread,
        );
        v.show(
            Some(&room("lobby")),
            message("ann", "hi"),
            false,
            Count::Unread,
        );
        v.open(private("bob"), Seen::default);
        let psst = Line::new("09:41".into(), Kind::PrivateFrom, "bob", "psst");
        v.show(Some(&private("bob")), psst, true, Count::Mention);
        let saved: Vec<String> = v.transcript().map(Line::plain).collect();
        assert_eq!(
            saved,
            [
                "[09:41] — Connected",
                "[09:41] #maths <bob> 2+2",
                "[09:41] #lobby <ann> hi",
                "[09:41] (private) <bob> psst",
            ]
        );
        // A new connection closes every view but keeps the transcript.
        let gone = v.reset(Seen::default());
        assert_eq!(gone.len(), 4, "three views and home");
        assert!(v.is_empty());
        assert_eq!(v.transcript().count(), 4);
    }

    #[test]
    fn members_change_by_folded_name() {
        let mut v = views();
        v.open(room("lobby"), Seen::default);
        let Some(lobby) = v.room_mut("LOBBY") else {
            panic!("no lobby");
        };
        lobby.set_members(vec!["ann".into(), "bob".into()], &[]);
        lobby.add_member("Bob");
        lobby.add_member("cat");
        lobby.rename_member("BOB", "rob");
        lobby.remove_member("Ann");
        let nicks: Vec<String> = lobby.members.iter().map(Member::label).collect();
        assert_eq!(nicks, ["rob", "cat"]);
    }
}
