//! Findings on site and in the office: a supervisor of the task's group files a finding as a
//! draft saved as they go, with photos and videos (INS-05, INS-07, INS-09); the unit signs the
//! results or its refusal becomes an X02 finding (INS-10); the group leader submits the task; the
//! office confirms each finding into the deductions ledger or dismisses it with a reason (INS-11);
//! a confirmed obstruction (X01, discretionary points) costs the unit its excellence eligibility
//! for the year (INS-08).

pub mod db;
pub mod handlers;
pub mod model;
pub mod views;

use super::model::FindingStatus;
use crate::core::{CurrentUser, Role};

/// Who may read a finding: the office and leaders; the task's group (`in_group`); the unit's
/// liaison once it is confirmed (INS-11).
pub fn may_read(user: &CurrentUser, f: &db::FindingRow, in_group: bool) -> bool {
    match user.role {
        Role::OfficeAdmin | Role::OfficeStaff | Role::Leader => true,
        Role::Supervisor => in_group,
        Role::Liaison => user.unit_id == Some(f.unit_id) && f.status == FindingStatus::Confirmed,
    }
}
