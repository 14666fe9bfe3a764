//! Interviews (INS-13): the office calls a unit with prominent problems to a formal talk
//! (效能约谈). Staff schedule it (time, place, attendees of both sides, the problems, prefilled from
//! the unit's confirmed findings of the open year), record the minutes once it is held, or cancel
//! it with a reason; the follow-up actions it sets each have a due date and a responsible party
//! and are marked done one by one. Leaders read every interview, a liaison its own unit's; neither
//! changes anything. The interview page prints as the A4 record.
//!
//! This module is the worked example of a domain: `model.rs` holds the state machine
//! ([`model::Status::apply`]) and the forms' validation, pure; `db.rs` every SQL statement;
//! `views.rs` the pages; `handlers.rs` extracts, asks the model, persists and ends each change
//! with `Acting::recorded`; who may read an interview is [`may_read`].

pub mod db;
pub mod handlers;
pub mod model;
pub mod views;

use uuid::Uuid;

use crate::core::{CurrentUser, Role};

/// Who may read an interview: the office and leaders, and the liaison of the interview's unit.
pub fn may_read(user: &CurrentUser, unit_id: Uuid) -> bool {
    user.role != Role::Supervisor && user.may_see_unit(unit_id)
}
