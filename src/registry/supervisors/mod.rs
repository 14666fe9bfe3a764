//! Supervisors (INS-02, INS-08): recommended by departments and approved by the office, with
//! numbered certificates anyone can verify; groups with exactly one leader, and recusal from the
//! units a member works at or was recommended by. A liaison sees the supervisors its unit
//! recommended.

pub mod db;
pub mod handlers;
pub mod model;
pub mod views;

use crate::core::{CurrentUser, Role};

/// Who may see a supervisor's record: the office and leaders; a liaison those its unit
/// recommended.
pub fn may_see(user: &CurrentUser, supervisor: &db::SupervisorRow) -> bool {
    user.role != Role::Liaison || supervisor.recommended_by_unit_id == user.unit_id
}
