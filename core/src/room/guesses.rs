//! Wrong passwords cost the guesser (the server's, the teacher's, a room
//! key): the connection waits longer after each, and an address that has
//! guessed wrong too often is refused for a while (`controls::Guessers`).
//! Always built: a hub without room controls still has passwords.

use super::controls;
use super::storage::Storage;
use super::{ConnId, Event, Hub};
use crate::error::ErrorCode;
use crate::time::Instant;

impl<S: Storage> Hub<S> {
    /// May `conn` have a password checked now? `Some(TooManyGuesses)` when
    /// its address has used up its wrong guesses.
    pub(super) fn may_guess(&mut self, now: Instant, conn: ConnId) -> Option<ErrorCode> {
        let key = self.conns[conn.index()].address_key;
        (!self.guessers.may_guess(now, key)).then_some(ErrorCode::TooManyGuesses)
    }

    /// `conn` gave a wrong password: it waits longer before its next frame
    /// is read, and its address has one guess fewer.
    pub(super) fn guessed_wrong(&mut self, now: Instant, conn: ConnId) {
        let c = &mut self.conns[conn.index()];
        c.wrong_guesses = c.wrong_guesses.saturating_add(1);
        c.hold_until = now + controls::guess_delay(c.wrong_guesses);
        let key = c.address_key;
        self.log(Event::WrongPassword { conn });
        self.guessers.wrong(now, key);
    }
}
