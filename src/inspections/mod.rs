//! Inspections (the inspection regulation's rules from INS-03 on). So far: the covert-inspection draw (INS-07), reproducible from
//! its stored seed and pool, and quarterly self-reports (INS-04). Plans, tasks, findings and
//! evidence come next (issue 4).

pub mod db;
pub mod draw;
pub mod handlers;
pub mod self_report;
pub mod tasks;
pub mod views;
