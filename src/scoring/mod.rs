//! Scoring: the deductions ledger, the table every score reads (entries are never changed; a
//! reversal is a new row that points at the deduction it cancels), and the year's scores, ranks
//! and excellence eligibility computed from it (INS-04, INS-05, INS-07, INS-08, INS-10, INS-12,
//! INS-15).

pub mod db;
pub mod model;

pub use db::{NewDeduction, deduct_once};

/// Every listed unit of the year `year_id` with its score, ranks and excellence mark, ranked
/// overall: the year's rules and the office's excellence settings over one grouped read of the
/// ledger. The pages and `xiaoneng scores` read this one function.
pub async fn year_ranking(
    conn: &mut sqlx::PgConnection,
    year_id: uuid::Uuid,
) -> Result<Vec<model::Ranked>, sqlx::Error> {
    let rules = db::score_rules(conn, year_id).await?;
    let excellence = db::excellence_rules(conn).await?;
    let tallies = db::year_tallies(conn, year_id).await?;
    Ok(model::rank(tallies, rules, excellence))
}
