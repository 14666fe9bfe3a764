//! Rounds of open inspections (INS-06): each assessed unit is inspected openly within the year,
//! and a unit whose last inspection found problems must be inspected in the next round. A round
//! lists those units; planning leaves none of them out without a recorded reason, and a round's
//! plan is fixed once complete.

pub mod db;
pub mod handlers;
pub mod model;
pub mod views;
