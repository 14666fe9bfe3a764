//! Units and their staff (INS-01): the office's registry of the units it assesses, each year's
//! assessment list, staff of every employment kind, import from CSV or Excel (a file with any bad
//! row imports nothing) and export. A liaison sees and keeps its own unit's staff only.

pub mod db;
pub mod handlers;
pub mod model;
pub mod views;

use uuid::Uuid;

use crate::core::CurrentUser;

/// The units list's frame for each office: its categories (the filter's choices), its open year
/// and the units assessed in it, kept a short while ([`crate::db::Memo`]); all change only with
/// the registry, and each page view shares the one copy.
pub type FrameCache = crate::db::Memo<Uuid, std::sync::Arc<db::ListFrame>>;

/// Who may keep a unit's staff list: the office, and the unit's own liaison.
pub fn may_keep_staff(user: &CurrentUser, unit_id: Uuid) -> bool {
    user.of_office() || user.liaison_unit() == Some(unit_id)
}
