//! Scores, ranks and excellence eligibility, computed from the ledger's entries and the year's
//! rules; the office's excellence decision checked against them; the digest a closed year's
//! snapshot is sealed with. Pure: no clock, no database.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use rust_decimal::Decimal;
use uuid::Uuid;

use crate::core::FieldErrors;

/// The year's scoring rules: what a unit starts from (the year's base, or its category's where
/// the office set one) and what it cannot fall below.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScoreRules {
    pub base: Decimal,
    pub floor: Decimal,
    /// base scores of categories that start elsewhere than `base`
    pub by_category: BTreeMap<String, Decimal>,
}

impl Default for ScoreRules {
    fn default() -> Self {
        Self {
            base: Decimal::from(100),
            floor: Decimal::ZERO,
            by_category: BTreeMap::new(),
        }
    }
}

impl ScoreRules {
    /// What a unit of `category` starts the year with.
    pub fn base_for(&self, category: &str) -> Decimal {
        self.by_category.get(category).copied().unwrap_or(self.base)
    }

    /// The score left after `deducted` points: the year's base minus them, never below the floor.
    pub fn score(&self, deducted: Decimal) -> Decimal {
        (self.base - deducted).max(self.floor)
    }

    /// The score of a unit of `category` after `deducted` points: its base minus them, never
    /// below the floor.
    pub fn score_in(&self, category: &str, deducted: Decimal) -> Decimal {
        (self.base_for(category) - deducted).max(self.floor)
    }
}

/// Whether a ledger entry takes points or gives a deduction back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryKind {
    Deduct,
    /// cancels the deduction it names
    Reverse(Uuid),
}

/// One row of the deductions ledger, as the score reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LedgerEntry {
    pub id: Uuid,
    pub kind: EntryKind,
    pub points: Decimal,
}

/// The points a unit's entries take in effect: every deduction once (whatever its source), a
/// reversed deduction counting zero (INS-12).
pub fn effective_points(entries: &[LedgerEntry]) -> Decimal {
    let reversed: HashSet<Uuid> = entries
        .iter()
        .filter_map(|e| match e.kind {
            EntryKind::Reverse(of) => Some(of),
            EntryKind::Deduct => None,
        })
        .collect();
    let mut counted = HashSet::new();
    entries
        .iter()
        .filter(|e| {
            e.kind == EntryKind::Deduct && !reversed.contains(&e.id) && counted.insert(e.id)
        })
        .map(|e| e.points)
        .sum()
}

/// The office's excellence rules (INS-08): the score a unit needs, and the share of a category
/// that may be proposed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExcellenceRules {
    pub min_score: Decimal,
    pub max_share_percent: u32,
}

impl Default for ExcellenceRules {
    fn default() -> Self {
        Self {
            min_score: Decimal::from(90),
            max_share_percent: 20,
        }
    }
}

impl ExcellenceRules {
    /// INS-08: how many of a category's `units` may be proposed: the share rounded down, at
    /// least one.
    pub fn places(&self, units: usize) -> usize {
        (units * self.max_share_percent as usize / 100).max(1)
    }
}

/// Where a unit stands for excellence this year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Excellence {
    /// a confirmed obstruction (X01) of the year stands (INS-08)
    Lost,
    No,
    Eligible,
    /// eligible and within the category's share
    Proposed,
    /// on the final list the office confirmed
    Confirmed,
}

impl Excellence {
    /// The word the CSV and JSON exports use.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Lost => "lost",
            Self::No => "no",
            Self::Eligible => "eligible",
            Self::Proposed => "proposed",
            Self::Confirmed => "confirmed",
        }
    }

    /// The mark a stored word stands for (a snapshot's lines); anything else is `No`.
    pub fn parse(value: &str) -> Self {
        match value {
            "lost" => Self::Lost,
            "eligible" => Self::Eligible,
            "proposed" => Self::Proposed,
            "confirmed" => Self::Confirmed,
            _ => Self::No,
        }
    }

    pub fn is_eligible(self) -> bool {
        matches!(self, Self::Eligible | Self::Proposed | Self::Confirmed)
    }
}

/// A unit as the ranking reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitTally {
    pub unit_id: Uuid,
    pub code: String,
    pub name: String,
    pub category: String,
    /// the year's effective deductions, summed
    pub deducted: Decimal,
    /// INS-08: a confirmed X01 of the year still stands
    pub excellence_lost: bool,
    /// SYS-8 (accountability rule, art. 3): designated a warning unit for the year
    pub warning: bool,
}

/// A unit's line in the ranking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ranked {
    pub unit_id: Uuid,
    pub code: String,
    pub name: String,
    pub category: String,
    /// what the unit started the year with
    pub base: Decimal,
    pub deducted: Decimal,
    pub score: Decimal,
    pub rank_in_category: usize,
    pub rank_overall: usize,
    pub excellence: Excellence,
    /// SYS-8 (accountability rule, art. 3): a warning unit of the year
    pub warning: bool,
}

/// Ranks every unit within its category and overall, score descending; equal scores share a rank
/// (1, 2, 2, 4) and are listed by unit code. Marks excellence eligibility and, per category, the
/// proposal: the best eligible units, at most the share (INS-08). A warning unit is not eligible
/// (SYS-8, accountability rule art. 3). Lines come overall-ranked.
pub fn rank(units: Vec<UnitTally>, rules: &ScoreRules, excellence: ExcellenceRules) -> Vec<Ranked> {
    let mut lines: Vec<Ranked> = units
        .into_iter()
        .map(|u| {
            let base = rules.base_for(&u.category);
            let score = rules.score_in(&u.category, u.deducted);
            let excellence = if u.excellence_lost {
                Excellence::Lost
            } else if u.warning {
                Excellence::No
            } else if score >= excellence.min_score {
                Excellence::Eligible
            } else {
                Excellence::No
            };
            Ranked {
                unit_id: u.unit_id,
                code: u.code,
                name: u.name,
                category: u.category,
                base,
                deducted: u.deducted,
                score,
                rank_in_category: 0,
                rank_overall: 0,
                excellence,
                warning: u.warning,
            }
        })
        .collect();
    lines.sort_by(|a, b| b.score.cmp(&a.score).then_with(|| a.code.cmp(&b.code)));
    let mut previous: Option<Decimal> = None;
    let mut rank_now = 0;
    for (i, line) in lines.iter_mut().enumerate() {
        if previous != Some(line.score) {
            rank_now = i + 1;
            previous = Some(line.score);
        }
        line.rank_overall = rank_now;
    }
    // per category: (units seen, last score, its rank, eligible proposed)
    let mut sizes: BTreeMap<String, usize> = BTreeMap::new();
    for line in &lines {
        *sizes.entry(line.category.clone()).or_default() += 1;
    }
    let mut seen: BTreeMap<String, (usize, Option<Decimal>, usize, usize)> = BTreeMap::new();
    for line in &mut lines {
        let (count, last, rank_now, proposed) = seen.entry(line.category.clone()).or_default();
        *count += 1;
        if *last != Some(line.score) {
            *rank_now = *count;
            *last = Some(line.score);
        }
        line.rank_in_category = *rank_now;
        let places = excellence.places(sizes.get(&line.category).copied().unwrap_or(1));
        if line.excellence == Excellence::Eligible && *proposed < places {
            *proposed += 1;
            line.excellence = Excellence::Proposed;
        }
    }
    lines
}

/// INS-08: the office's decision on the year's excellence list: the units it confirms, and the
/// reason for each proposed unit it leaves out.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Decision {
    pub confirmed: BTreeSet<Uuid>,
    pub left_out: BTreeMap<Uuid, String>,
}

/// Why a decision does not fit the year's ranking (INS-08).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecisionError {
    /// a confirmed unit (its code) is not eligible
    NotEligible(String),
    /// a category (its name) would have more confirmed units than its places
    OverShare(String, usize),
    /// a proposed unit (its code) is left out without a reason
    ReasonMissing(String),
    /// the decision names a unit (its id) that is not on the year's list
    Unknown(Uuid),
}

impl DecisionError {
    /// The catalog key of the message and the value it names.
    pub fn message(&self) -> (&'static str, String) {
        match self {
            Self::NotEligible(code) => ("excellence.error_not_eligible", code.clone()),
            Self::OverShare(category, places) => (
                "excellence.error_over_share",
                format!("{category} ({places})"),
            ),
            Self::ReasonMissing(code) => ("excellence.error_reason", code.clone()),
            Self::Unknown(_) => ("excellence.error_unknown", String::new()),
        }
    }
}

/// INS-08: checks a decision against the year's ranking as computed now (before any decision):
/// only eligible units confirmed, no category over its share, and every proposed unit that is
/// left out has its reason. Every fault is named, not only the first.
pub fn check_decision(
    fresh: &[Ranked],
    decision: &Decision,
    rules: ExcellenceRules,
) -> Result<(), Vec<DecisionError>> {
    let listed: BTreeSet<Uuid> = fresh.iter().map(|l| l.unit_id).collect();
    let mut errors: Vec<DecisionError> = decision
        .confirmed
        .iter()
        .chain(decision.left_out.keys())
        .filter(|id| !listed.contains(id))
        .map(|id| DecisionError::Unknown(*id))
        .collect();
    let mut sizes: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for line in fresh {
        let (members, confirmed) = sizes.entry(line.category.as_str()).or_default();
        *members += 1;
        if decision.confirmed.contains(&line.unit_id) {
            *confirmed += 1;
            if !line.excellence.is_eligible() {
                errors.push(DecisionError::NotEligible(line.code.clone()));
            }
        } else if line.excellence == Excellence::Proposed
            && decision
                .left_out
                .get(&line.unit_id)
                .is_none_or(|reason| reason.trim().is_empty())
        {
            errors.push(DecisionError::ReasonMissing(line.code.clone()));
        }
    }
    for (category, (members, confirmed)) in sizes {
        let places = rules.places(members);
        if confirmed > places {
            errors.push(DecisionError::OverShare(category.to_string(), places));
        }
    }
    match errors.is_empty() {
        true => Ok(()),
        false => Err(errors),
    }
}

/// The ranking under the office's decision: eligible units it confirmed are `Confirmed`, the
/// other eligible ones `Eligible` (the proposal has been decided). A unit that has lost its
/// eligibility since keeps its present mark.
pub fn apply_decision(lines: &mut [Ranked], decision: &Decision) {
    for line in lines.iter_mut().filter(|l| l.excellence.is_eligible()) {
        line.excellence = match decision.confirmed.contains(&line.unit_id) {
            true => Excellence::Confirmed,
            false => Excellence::Eligible,
        };
    }
}

/// The year's work still waiting, which its results would miss if it closed now.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Pending {
    /// INS-11: findings submitted and not yet confirmed or dismissed
    pub findings: i64,
    /// INS-12: appeals undecided, or notices whose appeal window is still open
    pub appeals: i64,
    /// INS-04: listed units whose fourth-quarter self-report is neither filed nor deducted
    pub self_reports: i64,
}

impl Pending {
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// Why a year cannot be closed yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CloseRefusal {
    /// findings, appeals or self-reports of the year still wait (INS-04, INS-11, INS-12)
    WorkPending(Pending),
    /// INS-08: the office has not decided the excellence list
    NoDecision,
    /// INS-08: the decision no longer fits the scores (they changed since)
    DecisionStale(Vec<DecisionError>),
}

/// A year closes only when nothing that could still change its scores waits (INS-04, INS-11,
/// INS-12), and with an excellence decision that fits its scores as they are (INS-08).
pub fn ready_to_close(
    fresh: &[Ranked],
    decision: Option<&Decision>,
    rules: ExcellenceRules,
    pending: Pending,
) -> Result<(), CloseRefusal> {
    if !pending.is_empty() {
        return Err(CloseRefusal::WorkPending(pending));
    }
    let decision = decision.ok_or(CloseRefusal::NoDecision)?;
    check_decision(fresh, decision, rules).map_err(CloseRefusal::DecisionStale)
}

/// The SHA-256 of a closed year's results, in hex: first the rules they were computed under (base,
/// floor, excellence minimum and share), then one text line per unit in code order with every
/// figure the snapshot keeps, so that anyone holding the rows can recompute it and compare it
/// with the audit log.
pub fn digest(rules: &ScoreRules, excellence: ExcellenceRules, lines: &[Ranked]) -> String {
    use sha2::{Digest, Sha256};
    let mut sorted: Vec<&Ranked> = lines.iter().collect();
    sorted.sort_by(|a, b| a.code.cmp(&b.code));
    let mut hasher = Sha256::new();
    let header = format!(
        "{}\t{}\t{}\t{}\n",
        rules.base.normalize(),
        rules.floor.normalize(),
        excellence.min_score.normalize(),
        excellence.max_share_percent
    );
    hasher.update(header.as_bytes());
    for l in sorted {
        let line = format!(
            "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\n",
            l.unit_id,
            l.code,
            l.name,
            l.category,
            l.base.normalize(),
            l.deducted.normalize(),
            l.score.normalize(),
            l.rank_in_category,
            l.rank_overall,
            l.excellence.as_str(),
            l.warning
        );
        hasher.update(line.as_bytes());
    }
    hex::encode(hasher.finalize())
}

/// A score typed into a form: a number from 0 to 1000 with at most two decimals.
pub fn parse_score(value: &str) -> Option<Decimal> {
    let n: Decimal = value.trim().parse().ok()?;
    (n >= Decimal::ZERO && n <= Decimal::from(1000) && n.scale() <= 2).then(|| n.normalize())
}

/// The year's scoring rules as the form sends them: the base, the floor, and a base per category
/// (empty: the year's base).
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct RulesInput {
    pub base: String,
    pub floor: String,
    pub category: Vec<String>,
    pub category_base: Vec<String>,
}

impl RulesInput {
    /// The rules as they stand, to fill the form.
    pub fn of(rules: &ScoreRules, categories: &[String]) -> Self {
        Self {
            base: rules.base.normalize().to_string(),
            floor: rules.floor.normalize().to_string(),
            category: categories.to_vec(),
            category_base: categories
                .iter()
                .map(|c| {
                    rules
                        .by_category
                        .get(c)
                        .map(|b| b.normalize().to_string())
                        .unwrap_or_default()
                })
                .collect(),
        }
    }

    /// The rules, or each field's fault: a base above zero, a floor below every base.
    pub fn validate(&self) -> Result<ScoreRules, FieldErrors> {
        let mut errors = FieldErrors::new();
        let base = parse_score(&self.base).filter(|b| *b > Decimal::ZERO);
        if base.is_none() {
            errors.push(("base", "scoring.error_base"));
        }
        let floor = parse_score(&self.floor);
        match (floor, base) {
            (None, _) => errors.push(("floor", "scoring.error_floor")),
            (Some(f), Some(b)) if f >= b => errors.push(("floor", "scoring.error_floor_base")),
            _ => {}
        }
        let mut by_category = BTreeMap::new();
        for (category, typed) in self.category.iter().zip(&self.category_base) {
            if typed.trim().is_empty() {
                continue;
            }
            if category.chars().count() > 50 {
                errors.push(("category_base", "scoring.error_category"));
                break;
            }
            match parse_score(typed) {
                Some(b) if floor.is_none_or(|f| b > f) && b > Decimal::ZERO => {
                    by_category.insert(category.clone(), b);
                }
                _ => {
                    errors.push(("category_base", "scoring.error_category_base"));
                    break;
                }
            }
        }
        match (base, floor, errors.is_empty()) {
            (Some(base), Some(floor), true) => Ok(ScoreRules {
                base,
                floor,
                by_category,
            }),
            _ => Err(errors),
        }
    }
}

/// A designation of a warning unit as the form sends it (SYS-8, accountability rule art. 3).
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct WarningInput {
    pub unit_id: String,
    pub reason: String,
    pub basis: String,
}

impl WarningInput {
    /// The unit, the reason and the records it rests on, or each field's fault.
    pub fn validate(&self) -> Result<(Uuid, String, String), FieldErrors> {
        let mut errors = FieldErrors::new();
        let unit = Uuid::parse_str(self.unit_id.trim()).ok();
        if unit.is_none() {
            errors.push(("unit_id", "warnings.error_unit"));
        }
        let reason = self.reason.trim();
        if reason.is_empty() || reason.chars().count() > 500 {
            errors.push(("reason", "warnings.error_reason"));
        }
        let basis = self.basis.trim();
        if basis.is_empty() || basis.chars().count() > 2000 {
            errors.push(("basis", "warnings.error_basis"));
        }
        match (unit, errors.is_empty()) {
            (Some(unit), true) => Ok((unit, reason.to_string(), basis.to_string())),
            _ => Err(errors),
        }
    }
}

/// The excellence decision as the form sends it: every eligible unit with the reason typed
/// beside it, the ones ticked as confirmed, and a note.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct DecisionInput {
    pub unit: Vec<String>,
    pub reason: Vec<String>,
    pub confirm: Vec<String>,
    pub note: String,
}

impl DecisionInput {
    /// The decision it holds (a reason kept only for a unit left out), or the fields' faults.
    pub fn decision(&self) -> Result<Decision, FieldErrors> {
        let mut errors = FieldErrors::new();
        if self.note.chars().count() > 2000 {
            errors.push(("note", "excellence.error_note"));
        }
        if self.reason.iter().any(|r| r.chars().count() > 500) {
            errors.push(("reason", "excellence.error_reason_long"));
        }
        let parse = |ids: &[String]| -> Option<Vec<Uuid>> {
            ids.iter()
                .map(|id| Uuid::parse_str(id.trim()).ok())
                .collect()
        };
        let (Some(units), Some(confirmed)) = (parse(&self.unit), parse(&self.confirm)) else {
            errors.push(("unit", "excellence.error_units"));
            return Err(errors);
        };
        if !errors.is_empty() {
            return Err(errors);
        }
        let confirmed: BTreeSet<Uuid> = confirmed.into_iter().collect();
        let left_out = units
            .iter()
            .zip(self.reason.iter())
            .filter(|(unit, reason)| !confirmed.contains(unit) && !reason.trim().is_empty())
            .map(|(unit, reason)| (*unit, reason.trim().to_string()))
            .collect();
        Ok(Decision {
            confirmed,
            left_out,
        })
    }

    /// The form filled from a decision (or, with none, from the proposal) over the eligible
    /// `lines`.
    pub fn of(lines: &[&Ranked], decision: Option<&Decision>) -> Self {
        let confirmed = |l: &Ranked| match decision {
            Some(d) => d.confirmed.contains(&l.unit_id),
            None => l.excellence == Excellence::Proposed,
        };
        Self {
            unit: lines.iter().map(|l| l.unit_id.to_string()).collect(),
            reason: lines
                .iter()
                .map(|l| {
                    decision
                        .and_then(|d| d.left_out.get(&l.unit_id).cloned())
                        .unwrap_or_default()
                })
                .collect(),
            confirm: lines
                .iter()
                .filter(|l| confirmed(l))
                .map(|l| l.unit_id.to_string())
                .collect(),
            note: String::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(n: i64) -> Decimal {
        Decimal::from(n)
    }

    fn deduct(points: i64) -> LedgerEntry {
        LedgerEntry {
            id: Uuid::new_v4(),
            kind: EntryKind::Deduct,
            points: d(points),
        }
    }

    fn reversal(of: &LedgerEntry) -> LedgerEntry {
        LedgerEntry {
            id: Uuid::new_v4(),
            kind: EntryKind::Reverse(of.id),
            points: of.points,
        }
    }

    fn tally(code: &str, category: &str, deducted: i64) -> UnitTally {
        UnitTally {
            unit_id: Uuid::new_v4(),
            code: code.into(),
            name: format!("单位{code}"),
            category: category.into(),
            deducted: d(deducted),
            excellence_lost: false,
            warning: false,
        }
    }

    #[test]
    fn the_score_is_the_base_less_the_deductions_never_below_the_floor() {
        let rules = ScoreRules::default();
        assert_eq!(rules.score(d(0)), d(100));
        assert_eq!(rules.score(d(7)), d(93));
        assert_eq!(rules.score(d(130)), d(0));
        let strict = ScoreRules {
            base: d(120),
            floor: d(60),
            ..ScoreRules::default()
        };
        assert_eq!(strict.score(d(10)), d(110));
        assert_eq!(strict.score(d(70)), d(60));
    }

    #[test]
    fn ins_12_a_reversed_deduction_counts_zero() {
        let kept = deduct(3);
        let withdrawn = deduct(2);
        let entries = [kept, withdrawn, reversal(&withdrawn)];
        assert_eq!(effective_points(&entries), d(3));
    }

    #[test]
    fn each_deduction_counts_once() {
        let once = deduct(3);
        assert_eq!(effective_points(&[once, once]), d(3));
    }

    #[test]
    fn ties_share_a_rank_and_are_listed_by_code() {
        let lines = rank(
            vec![
                tally("C", "a", 2),
                tally("B", "a", 2),
                tally("A", "a", 0),
                tally("D", "a", 5),
            ],
            &ScoreRules::default(),
            ExcellenceRules::default(),
        );
        let got: Vec<(&str, usize)> = lines
            .iter()
            .map(|l| (l.code.as_str(), l.rank_overall))
            .collect();
        assert_eq!(got, [("A", 1), ("B", 2), ("C", 2), ("D", 4)]);
        assert!(lines.iter().all(|l| l.rank_in_category == l.rank_overall));
    }

    #[test]
    fn categories_rank_apart_and_overall_together() {
        let lines = rank(
            vec![
                tally("A1", "a", 4),
                tally("B1", "b", 1),
                tally("A2", "a", 0),
            ],
            &ScoreRules::default(),
            ExcellenceRules::default(),
        );
        let by_code = |c: &str| {
            lines
                .iter()
                .find(|l| l.code == c)
                .map(|l| (l.rank_in_category, l.rank_overall))
        };
        assert_eq!(by_code("A2"), Some((1, 1)));
        assert_eq!(by_code("B1"), Some((1, 2)));
        assert_eq!(by_code("A1"), Some((2, 3)));
    }

    #[test]
    fn ins_08_a_standing_obstruction_loses_excellence_whatever_the_score() {
        let mut lost = tally("A", "a", 1);
        lost.excellence_lost = true;
        let lines = rank(
            vec![lost, tally("B", "a", 5)],
            &ScoreRules::default(),
            ExcellenceRules::default(),
        );
        assert_eq!(lines[0].excellence, Excellence::Lost);
        assert_eq!(lines[1].excellence, Excellence::Proposed);
    }

    #[test]
    fn ins_08_the_proposal_holds_the_best_eligible_within_the_share() {
        // ten units, 20 %: two places; scores 100..91 all eligible, 89 not
        let mut units: Vec<UnitTally> = (0..9).map(|i| tally(&format!("U{i}"), "a", i)).collect();
        units.push(tally("U9", "a", 11));
        let lines = rank(units, &ScoreRules::default(), ExcellenceRules::default());
        let proposed: Vec<&str> = lines
            .iter()
            .filter(|l| l.excellence == Excellence::Proposed)
            .map(|l| l.code.as_str())
            .collect();
        assert_eq!(proposed, ["U0", "U1"]);
        assert_eq!(lines[2].excellence, Excellence::Eligible);
        assert_eq!(lines[9].excellence, Excellence::No);
    }

    #[test]
    fn ins_08_a_small_category_may_still_propose_one() {
        assert_eq!(ExcellenceRules::default().places(3), 1);
        assert_eq!(ExcellenceRules::default().places(10), 2);
        assert_eq!(ExcellenceRules::default().places(14), 2);
    }

    fn line_of<'a>(lines: &'a [Ranked], code: &str) -> &'a Ranked {
        lines
            .iter()
            .find(|l| l.code == code)
            .expect("a line of that code")
    }

    #[test]
    fn a_category_may_start_from_its_own_base() {
        let mut rules = ScoreRules::default();
        rules.by_category.insert("b".into(), d(110));
        let lines = rank(
            vec![tally("A", "a", 5), tally("B", "b", 5)],
            &rules,
            ExcellenceRules::default(),
        );
        assert_eq!(line_of(&lines, "A").score, d(95));
        assert_eq!(line_of(&lines, "B").score, d(105));
        assert_eq!(line_of(&lines, "B").base, d(110));
    }

    #[test]
    fn sys_8_a_warning_unit_is_not_eligible_for_excellence() {
        let mut warned = tally("A", "a", 0);
        warned.warning = true;
        let lines = rank(
            vec![warned, tally("B", "a", 3)],
            &ScoreRules::default(),
            ExcellenceRules::default(),
        );
        assert_eq!(line_of(&lines, "A").excellence, Excellence::No);
        assert!(line_of(&lines, "A").warning);
        assert_eq!(line_of(&lines, "B").excellence, Excellence::Proposed);
    }

    /// Ten units of category a scoring 100 down to 91: two places.
    fn ten_eligible() -> Vec<Ranked> {
        let units = (0..10).map(|i| tally(&format!("U{i}"), "a", i)).collect();
        rank(units, &ScoreRules::default(), ExcellenceRules::default())
    }

    #[test]
    fn ins_08_a_decision_confirms_eligible_units_within_the_share() {
        let lines = ten_eligible();
        let mut decision = Decision::default();
        decision.confirmed.insert(line_of(&lines, "U0").unit_id);
        decision.confirmed.insert(line_of(&lines, "U1").unit_id);
        assert_eq!(
            check_decision(&lines, &decision, ExcellenceRules::default()),
            Ok(())
        );
        let mut decided = lines.clone();
        apply_decision(&mut decided, &decision);
        assert_eq!(line_of(&decided, "U0").excellence, Excellence::Confirmed);
        assert_eq!(line_of(&decided, "U2").excellence, Excellence::Eligible);
    }

    #[test]
    fn ins_08_leaving_out_a_proposed_unit_needs_a_reason() {
        let lines = ten_eligible();
        let mut decision = Decision::default();
        decision.confirmed.insert(line_of(&lines, "U0").unit_id);
        decision.confirmed.insert(line_of(&lines, "U2").unit_id);
        let u1 = line_of(&lines, "U1").unit_id;
        assert_eq!(
            check_decision(&lines, &decision, ExcellenceRules::default()),
            Err(vec![DecisionError::ReasonMissing("U1".into())])
        );
        decision.left_out.insert(u1, "  ".into());
        assert!(check_decision(&lines, &decision, ExcellenceRules::default()).is_err());
        decision.left_out.insert(u1, "年内发生重大舆情".into());
        assert_eq!(
            check_decision(&lines, &decision, ExcellenceRules::default()),
            Ok(())
        );
    }

    #[test]
    fn ins_08_a_decision_never_exceeds_the_share_nor_confirms_an_ineligible_unit() {
        let mut units: Vec<UnitTally> = (0..10).map(|i| tally(&format!("U{i}"), "a", i)).collect();
        units[9].deducted = d(30);
        let lines = rank(units, &ScoreRules::default(), ExcellenceRules::default());
        let mut decision = Decision::default();
        for code in ["U0", "U1", "U9"] {
            decision.confirmed.insert(line_of(&lines, code).unit_id);
        }
        let errors = check_decision(&lines, &decision, ExcellenceRules::default()).unwrap_err();
        assert!(errors.contains(&DecisionError::NotEligible("U9".into())));
        assert!(errors.contains(&DecisionError::OverShare("a".into(), 2)));
        let stranger = Uuid::new_v4();
        let forged = Decision {
            confirmed: [stranger].into(),
            left_out: BTreeMap::new(),
        };
        assert!(
            check_decision(&lines, &forged, ExcellenceRules::default())
                .unwrap_err()
                .contains(&DecisionError::Unknown(stranger))
        );
    }

    #[test]
    fn ins_08_a_year_closes_only_with_a_decision_that_fits_its_scores() {
        let lines = ten_eligible();
        let rules = ExcellenceRules::default();
        let none = Pending::default();
        assert_eq!(
            ready_to_close(&lines, None, rules, none),
            Err(CloseRefusal::NoDecision)
        );
        let mut decision = Decision::default();
        decision.confirmed.insert(line_of(&lines, "U0").unit_id);
        decision.confirmed.insert(line_of(&lines, "U1").unit_id);
        assert_eq!(ready_to_close(&lines, Some(&decision), rules, none), Ok(()));
        // INS-11, INS-12: not while a finding or an appeal could still change a score
        let waiting = Pending { appeals: 1, ..none };
        assert_eq!(
            ready_to_close(&lines, Some(&decision), rules, waiting),
            Err(CloseRefusal::WorkPending(waiting))
        );
        // U0 loses its eligibility after the decision: the decision must be taken again
        let mut units: Vec<UnitTally> = (0..10).map(|i| tally(&format!("U{i}"), "a", i)).collect();
        for (u, l) in units.iter_mut().zip(&lines) {
            u.unit_id = l.unit_id;
        }
        units[0].excellence_lost = true;
        let changed = rank(units, &ScoreRules::default(), rules);
        assert!(matches!(
            ready_to_close(&changed, Some(&decision), rules, none),
            Err(CloseRefusal::DecisionStale(_))
        ));
    }

    #[test]
    fn the_digest_changes_with_any_figure_and_not_with_the_order() {
        let lines = ten_eligible();
        let (rules, excellence) = (ScoreRules::default(), ExcellenceRules::default());
        let seal = |lines: &[Ranked]| digest(&rules, excellence, lines);
        let mut reversed = lines.clone();
        reversed.reverse();
        assert_eq!(seal(&lines), seal(&reversed));
        assert_eq!(seal(&lines).len(), 64);
        let mut changed = lines.clone();
        changed[3].score += d(1);
        assert_ne!(seal(&lines), seal(&changed));
        let mut renamed = lines.clone();
        renamed[0].name.push('局');
        assert_ne!(seal(&lines), seal(&renamed));
        let stricter = ExcellenceRules {
            min_score: d(95),
            ..excellence
        };
        assert_ne!(seal(&lines), digest(&rules, stricter, &lines));
    }

    #[test]
    fn the_rules_form_wants_a_floor_below_every_base() {
        let input = RulesInput {
            base: "100".into(),
            floor: "60".into(),
            category: vec!["a".into(), "b".into()],
            category_base: vec!["".into(), "110.5".into()],
        };
        let rules = input.validate().unwrap();
        assert_eq!(rules.base_for("a"), d(100));
        assert_eq!(rules.base_for("b"), "110.5".parse().unwrap());
        let upside_down = RulesInput {
            floor: "100".into(),
            ..input.clone()
        };
        assert_eq!(
            upside_down.validate(),
            Err(vec![("floor", "scoring.error_floor_base")])
        );
        let low_category = RulesInput {
            category_base: vec!["50".into(), "".into()],
            ..input.clone()
        };
        assert!(low_category.validate().is_err());
        assert_eq!(parse_score("99.125"), None);
        assert_eq!(parse_score("abc"), None);
        assert_eq!(parse_score("-1"), None);
    }

    #[test]
    fn sys_8_a_warning_needs_a_unit_a_reason_and_its_records() {
        let blank = WarningInput::default().validate().unwrap_err();
        assert_eq!(blank.len(), 3);
        let unit = Uuid::new_v4();
        let input = WarningInput {
            unit_id: unit.to_string(),
            reason: " 推诿扯皮造成严重后果 ".into(),
            basis: "效整〔2026〕3号".into(),
        };
        assert_eq!(
            input.validate(),
            Ok((
                unit,
                "推诿扯皮造成严重后果".into(),
                "效整〔2026〕3号".into()
            ))
        );
    }

    #[test]
    fn ins_08_the_decision_form_keeps_reasons_only_for_units_left_out() {
        let (a, b) = (Uuid::new_v4(), Uuid::new_v4());
        let input = DecisionInput {
            unit: vec![a.to_string(), b.to_string()],
            reason: vec!["typed before ticking".into(), "年内有重大投诉".into()],
            confirm: vec![a.to_string()],
            note: String::new(),
        };
        let decision = input.decision().unwrap();
        assert!(decision.confirmed.contains(&a));
        assert_eq!(
            decision.left_out.get(&b).map(String::as_str),
            Some("年内有重大投诉")
        );
        assert!(!decision.left_out.contains_key(&a));
        let forged = DecisionInput {
            confirm: vec!["x".into()],
            ..input
        };
        assert!(forged.decision().is_err());
    }

    fn ledger() -> impl Strategy<Value = (Vec<LedgerEntry>, Decimal)> {
        prop::collection::vec((1i64..=10, any::<bool>()), 0..40).prop_map(|items| {
            let mut entries = Vec::new();
            let mut expected = Decimal::ZERO;
            for (points, reversed) in items {
                let e = deduct(points);
                entries.push(e);
                if reversed {
                    entries.push(reversal(&e));
                } else {
                    expected += e.points;
                }
            }
            (entries, expected)
        })
    }

    fn units() -> impl Strategy<Value = Vec<UnitTally>> {
        prop::collection::vec((0i64..30, 0usize..3, any::<bool>()), 1..40).prop_map(|rows| {
            rows.into_iter()
                .enumerate()
                .map(|(i, (deducted, category, lost))| {
                    let mut u = tally(&format!("U{i:03}"), ["a", "b", "c"][category], deducted);
                    u.excellence_lost = lost && i % 3 == 0;
                    u
                })
                .collect()
        })
    }

    proptest! {
        #[test]
        fn the_score_is_the_base_less_the_effective_deductions_floored(
            (entries, expected) in ledger(), base in 50i64..150, floor in 0i64..50,
        ) {
            let rules = ScoreRules { base: d(base), floor: d(floor), ..ScoreRules::default() };
            let score = rules.score(effective_points(&entries));
            prop_assert_eq!(score, (d(base) - expected).max(d(floor)));
            prop_assert!(score >= d(floor));
        }

        #[test]
        fn ranks_agree_with_scores(units in units()) {
            let lines = rank(units, &ScoreRules::default(), ExcellenceRules::default());
            for a in &lines {
                let higher = lines.iter().filter(|b| b.score > a.score).count();
                prop_assert_eq!(a.rank_overall, higher + 1);
                let higher_in_category =
                    lines.iter().filter(|b| b.category == a.category && b.score > a.score).count();
                prop_assert_eq!(a.rank_in_category, higher_in_category + 1);
            }
        }

        #[test]
        fn ins_08_the_proposal_never_exceeds_the_share_nor_holds_an_ineligible_unit(
            units in units(), min in 70i64..100, share in 1u32..=100,
        ) {
            let rules = ExcellenceRules { min_score: d(min), max_share_percent: share };
            let lines = rank(units, &ScoreRules::default(), rules);
            for category in ["a", "b", "c"] {
                let members: Vec<&Ranked> = lines.iter().filter(|l| l.category == category).collect();
                let proposed: Vec<&&Ranked> =
                    members.iter().filter(|l| l.excellence == Excellence::Proposed).collect();
                prop_assert!(proposed.len() <= rules.places(members.len()));
                for p in &proposed {
                    prop_assert!(p.score >= d(min));
                }
                // best first: nobody left eligible scores above someone proposed
                for e in members.iter().filter(|l| l.excellence == Excellence::Eligible) {
                    prop_assert!(proposed.iter().all(|p| p.score >= e.score));
                }
            }
            prop_assert!(lines.iter().all(|l| l.excellence != Excellence::Proposed || l.score >= d(min)));
        }

        #[test]
        fn ins_08_the_proposal_itself_is_a_decision_that_fits(
            units in units(), min in 70i64..100, share in 1u32..=100,
        ) {
            let rules = ExcellenceRules { min_score: d(min), max_share_percent: share };
            let lines = rank(units, &ScoreRules::default(), rules);
            let decision = Decision {
                confirmed: lines
                    .iter()
                    .filter(|l| l.excellence == Excellence::Proposed)
                    .map(|l| l.unit_id)
                    .collect(),
                left_out: BTreeMap::new(),
            };
            prop_assert_eq!(check_decision(&lines, &decision, rules), Ok(()));
            let mut decided = lines.clone();
            apply_decision(&mut decided, &decision);
            prop_assert!(decided
                .iter()
                .all(|l| l.excellence != Excellence::Confirmed || l.score >= d(min)));
        }
    }
}
