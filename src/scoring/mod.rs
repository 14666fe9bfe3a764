//! Scoring: the deductions ledger, the table every score reads (entries are never changed; a
//! reversal is a new row that points at the deduction it cancels), and the year's results
//! computed from it: scores, ranks, excellence (INS-04, INS-05, INS-07, INS-08, INS-10, INS-12,
//! INS-15), warning units (SYS-8, accountability rule art. 3), and the snapshot a closed year is
//! reported from.

pub mod db;
pub mod handlers;
pub mod model;
pub mod views;

use serde_json::json;
use sqlx::PgConnection;
use uuid::Uuid;

use crate::audit::{self, Actor, Event};
pub use db::{NewDeduction, deduct_once};
use model::{CloseRefusal, Ranked};

/// Every listed unit of the year `year_id` with its score, ranks and excellence mark, ranked
/// overall: for a closed year the lines of its snapshot; for an open one the year's rules and
/// the office's excellence settings over one grouped read of the ledger, under the office's
/// excellence decision if it took one. The pages and `xiaoneng scores` read this one function.
pub async fn year_ranking(
    conn: &mut PgConnection,
    year_id: Uuid,
) -> Result<Vec<Ranked>, sqlx::Error> {
    Ok(year_results(conn, year_id).await?.lines)
}

/// A year's results as the reports show them.
#[derive(Debug, Clone)]
pub struct YearResults {
    /// every listed unit, ranked overall
    pub lines: Vec<Ranked>,
    /// INS-08: the same units as ranked before the office's decision, with its proposal (an open
    /// year's; empty once the year is closed)
    pub proposal: Vec<Ranked>,
    /// the snapshot the lines come from, when the year is closed
    pub snapshot: Option<db::SnapshotRow>,
    /// the office's excellence decision in force, if any
    pub decision: Option<(db::DecisionRow, model::Decision)>,
    /// INS-08: how the decision no longer fits the scores (they changed since it was taken)
    pub stale: Vec<model::DecisionError>,
    pub rules: model::ScoreRules,
    /// INS-08: the excellence rules the lines were ranked under (a closed year's, its snapshot's)
    pub excellence: model::ExcellenceRules,
}

/// An open year's results as the ledger stands: the rules, every unit ranked with the proposal,
/// and the office's decision in force.
pub struct Live {
    pub rules: model::ScoreRules,
    pub excellence: model::ExcellenceRules,
    pub proposal: Vec<Ranked>,
    pub decision: Option<(db::DecisionRow, model::Decision)>,
}

/// Ranks the year's units from the ledger under the year's rules and the office's excellence
/// settings, and reads the decision in force: what the pages, the decision and the close share.
pub async fn live_results(conn: &mut PgConnection, year_id: Uuid) -> Result<Live, sqlx::Error> {
    let rules = db::score_rules(conn, year_id).await?;
    let excellence = db::excellence_rules(conn).await?;
    let proposal = model::rank(db::year_tallies(conn, year_id).await?, &rules, excellence);
    let decision = db::latest_decision(conn, year_id).await?;
    Ok(Live {
        rules,
        excellence,
        proposal,
        decision,
    })
}

/// The year's results: frozen if the year is closed, live (provisional) otherwise.
pub async fn year_results(
    conn: &mut PgConnection,
    year_id: Uuid,
) -> Result<YearResults, sqlx::Error> {
    if !db::year_open(conn, year_id).await?
        && let Some(snapshot) = db::latest_snapshot(conn, year_id).await?
    {
        return Ok(YearResults {
            lines: db::snapshot_lines(conn, snapshot.id).await?,
            proposal: Vec::new(),
            excellence: model::ExcellenceRules {
                min_score: snapshot.excellence_min_score,
                max_share_percent: snapshot.excellence_max_share_percent.clamp(0, 100) as u32,
            },
            snapshot: Some(snapshot),
            decision: db::latest_decision(conn, year_id).await?,
            stale: Vec::new(),
            rules: db::score_rules(conn, year_id).await?,
        });
    }
    let live = live_results(conn, year_id).await?;
    let mut lines = live.proposal.clone();
    let mut stale = Vec::new();
    if let Some((_, decision)) = &live.decision {
        if let Err(errors) = model::check_decision(&live.proposal, decision, live.excellence) {
            stale = errors;
        }
        model::apply_decision(&mut lines, decision);
    }
    Ok(YearResults {
        lines,
        proposal: live.proposal,
        snapshot: None,
        decision: live.decision,
        stale,
        rules: live.rules,
        excellence: live.excellence,
    })
}

/// Each year's results, kept a short while per (office, year): the ranking and the dashboard are
/// read far more often than a deduction is made, and any change the office commits in this
/// process retires the copy at once (see [`crate::db::Memo`]).
pub type ResultsCache = crate::db::Memo<(Uuid, Uuid), std::sync::Arc<YearResults>>;

/// The year's results through `cache`: the copy kept if it still serves, else
/// [`year_results`].
pub async fn cached_results(
    conn: &mut PgConnection,
    cache: &ResultsCache,
    (tenant_id, year_id): (Uuid, Uuid),
    (office_changes, now): (u64, chrono::DateTime<chrono::Utc>),
) -> Result<std::sync::Arc<YearResults>, sqlx::Error> {
    let read = async { Ok(std::sync::Arc::new(year_results(conn, year_id).await?)) };
    cache
        .read_through((tenant_id, year_id), office_changes, now, read)
        .await
}

#[derive(Debug, thiserror::Error)]
pub enum CloseYearError {
    #[error("the year is closed already")]
    Closed,
    #[error("the year cannot close yet: {0:?}")]
    Refused(CloseRefusal),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// Closes the year `year` (`year_id`): with its row locked, checks that the office's excellence
/// decision fits the scores (INS-08), freezes every unit's score, ranks, excellence and warning
/// into a snapshot, writes the snapshot's digest to the audit log, and marks the year closed. From
/// then on its reports read the snapshot and the ledger refuses its deductions.
pub async fn close_year(
    conn: &mut PgConnection,
    (tenant_id, year_id, year): (Uuid, Uuid, i32),
    (actor, user_id): (&Actor, Uuid),
) -> Result<db::SnapshotRow, CloseYearError> {
    if db::lock_year(conn, year_id).await?.as_deref() != Some("open") {
        return Err(CloseYearError::Closed);
    }
    let Live {
        rules,
        excellence,
        proposal: mut lines,
        decision,
    } = live_results(conn, year_id).await?;
    let decision = decision.map(|d| d.1);
    let pending = db::pending_at_close(conn, (year_id, year), actor.at).await?;
    model::ready_to_close(&lines, decision.as_ref(), excellence, pending)
        .map_err(CloseYearError::Refused)?;
    if let Some(decision) = &decision {
        model::apply_decision(&mut lines, decision);
    }
    let digest = model::digest(&rules, excellence, &lines);
    let at = actor.at;
    let id = db::insert_snapshot(
        conn,
        (tenant_id, year_id),
        (&rules, excellence),
        (&lines, &digest),
        (user_id, at),
    )
    .await?;
    db::mark_closed(conn, year_id, at).await?;
    let confirmed = lines
        .iter()
        .filter(|l| l.excellence == model::Excellence::Confirmed)
        .map(|l| l.code.clone())
        .collect::<Vec<_>>();
    let detail = json!({
        "year": year,
        "snapshot": id,
        "digest": digest,
        "units": lines.len(),
        "confirmed": confirmed,
    });
    let event = Event::new("year.close", ("assessment_year", year_id), detail);
    audit::record(conn, tenant_id, actor, event).await?;
    Ok(db::SnapshotRow {
        id,
        digest,
        excellence_min_score: excellence.min_score,
        excellence_max_share_percent: excellence.max_share_percent as i32,
        taken_at: at,
        taken_by: String::new(),
    })
}
