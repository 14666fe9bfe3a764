//! Scoring. So far: the deductions ledger, the table every later score reads. Entries are never
//! changed; a reversal is a new row that points at the deduction it cancels.

pub mod db;

pub use db::{NewDeduction, deduct_once};
