//! A hub built without the `controls` feature: nobody has a role, no room
//! has a control, and the controls' own requests are refused. The same
//! names as `moderation.rs`, so the request code reads the same either way
//! and the optimiser removes the checks.

use super::storage::Storage;
use super::{ConnId, Hub};
use crate::error::ErrorCode;
use crate::time::Instant;

impl<S: Storage> Hub<S> {
    pub(super) fn roles_in(&self, _: ConnId, _: usize) -> u8 {
        0
    }

    pub(super) fn may_join(
        &mut self,
        _: Instant,
        _: ConnId,
        _: usize,
        _: &str,
    ) -> Option<ErrorCode> {
        None
    }

    pub(super) fn may_say(&self, _: Instant, _: ConnId, _: usize) -> Option<ErrorCode> {
        None
    }

    pub(super) fn spoke_in(&mut self, _: Instant, _: ConnId, _: usize) {}

    pub(super) fn may_whisper(&self, _: ConnId, _: ConnId) -> Option<ErrorCode> {
        None
    }

    pub(super) fn may_rename(&self, _: ConnId) -> Option<ErrorCode> {
        None
    }

    pub(super) fn may_set_topic(&self, _: ConnId, _: usize) -> Option<ErrorCode> {
        None
    }

    pub(super) fn teach(&mut self, now: Instant, conn: ConnId, _: &str) {
        self.reply_error(now, conn, ErrorCode::NoTeacher, 0, "");
    }

    pub(super) fn mode(&mut self, now: Instant, conn: ConnId, room: &str, _: u8, _: u8, _: &str) {
        self.reply_error(now, conn, ErrorCode::NotOperator, 0, room);
    }

    pub(super) fn kick(&mut self, now: Instant, conn: ConnId, room: &str, _: &str, _: &str) {
        self.reply_error(now, conn, ErrorCode::NotOperator, 0, room);
    }

    pub(super) fn invite(&mut self, now: Instant, conn: ConnId, room: &str, _: &str) {
        self.reply_error(now, conn, ErrorCode::NotOperator, 0, room);
    }

    pub(super) fn redact(&mut self, now: Instant, conn: ConnId, room: &str, _: u64, _: &str) {
        self.reply_error(now, conn, ErrorCode::NotOperator, 0, room);
    }

    pub(super) fn reply_room_state(&mut self, _: Instant, _: ConnId, _: usize) {}

    pub(super) fn announce_teacher(&mut self, _: Instant, _: ConnId, _: usize) {}
}
