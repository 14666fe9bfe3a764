//! The leaders' dashboard (INS-13: results go to the city's leaders at any time): where the
//! year's deductions fall — by catalog item, by month, by unit — and the notices still open or
//! overdue, as charts drawn on the server (SVG, no script) with the same numbers in a table for
//! screen readers and print.

pub mod db;
pub mod handlers;
pub mod model;
pub mod views;

/// Where each office's open year's deductions fall, kept a short while per (office, year): read
/// again once the office commits a change in this process (see [`crate::db::Memo`]).
pub type SpreadCache = crate::db::Memo<(uuid::Uuid, uuid::Uuid), std::sync::Arc<db::Spread>>;
