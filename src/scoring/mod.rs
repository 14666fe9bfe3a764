//! Scoring: the deductions ledger, the table every score reads (entries are never changed; a
//! reversal is a new row that points at the deduction it cancels), and the year's scores, ranks
//! and excellence eligibility computed from it (INS-04, INS-05, INS-07, INS-08, INS-10, INS-12,
//! INS-15).

pub mod db;
pub mod model;

pub use db::{NewDeduction, deduct_once};
