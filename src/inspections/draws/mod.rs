//! The covert-inspection draw (INS-07): office staff choose the pool and the count; the seed
//! comes from the operating system; pool, seed, count and result are stored and audited; anyone
//! of the office who may see covert work re-runs a draw with "verify".

pub mod db;
pub mod handlers;
pub mod model;
pub mod views;
