//! Inspections (the inspection regulation's rules from INS-02 on): tasks that put a group on a
//! unit, openly or covertly, and the workflow of their results as a state machine (`model`):
//! findings filed on site with evidence, the unit's sign-off or its refusal (INS-10), the group
//! leader's submission and the office's review (INS-11). Its sub-areas: the covert-inspection
//! draw (`draws`, INS-07), the rounds of open inspections and their coverage (`rounds`, INS-06),
//! findings (`findings`, INS-05, INS-08 to INS-11) and quarterly self-reports (`self_reports`,
//! INS-04).

pub mod db;
pub mod draws;
pub mod findings;
pub mod handlers;
pub mod model;
pub mod rounds;
pub mod self_reports;
pub mod views;

use uuid::Uuid;

use crate::core::{CurrentUser, Role};

/// Whether the user works on the task's results on site: a supervisor of the task's group
/// (`in_group`, read from the database by `db::user_in_group`).
pub fn on_site(user: &CurrentUser, in_group: bool) -> bool {
    user.role == Role::Supervisor && in_group
}

/// Who may see a task and its findings' group work: the office and leaders, and the supervisors
/// of its group (INS-02); never a unit (a covert task least of all).
pub fn may_see_task(user: &CurrentUser, in_group: bool) -> bool {
    match user.role {
        Role::OfficeAdmin | Role::OfficeStaff | Role::Leader => true,
        Role::Supervisor => in_group,
        Role::Liaison => false,
    }
}

/// The group a task puts on its unit, and the unit: what the rules of who may act read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TaskParties {
    pub unit_id: Uuid,
    pub group_id: Uuid,
}
