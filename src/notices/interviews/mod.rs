//! Interviews (INS-13): the office calls a unit with prominent problems to a formal talk
//! (效能约谈). Staff schedule it (time, place, attendees of both sides, the problems, prefilled from
//! the unit's confirmed findings of the open year), record the minutes once it is held, or cancel
//! it with a reason; the follow-up actions it sets each have a due date and a responsible party
//! and are marked done one by one. Leaders read every interview, a liaison its own unit's; neither
//! changes anything. The interview page prints as the A4 record.

pub mod db;
pub mod handlers;
pub mod model;
