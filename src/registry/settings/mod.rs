//! The office's settings (office_admin): its names and time zone, the formats of its document
//! numbers, default deadlines, the excellence rules, and the complaint channels shown to the
//! public (CMP-03).

pub mod db;
pub mod handlers;
pub mod model;
pub mod views;
