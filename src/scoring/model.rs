//! Scores, ranks and excellence eligibility, computed from the ledger's entries and the year's
//! rules. Pure: no clock, no database.

use std::collections::{BTreeMap, HashSet};

use rust_decimal::Decimal;
use uuid::Uuid;

/// The year's scoring rules: what a unit starts from and what it cannot fall below.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScoreRules {
    pub base: Decimal,
    pub floor: Decimal,
}

impl Default for ScoreRules {
    fn default() -> Self {
        Self {
            base: Decimal::from(100),
            floor: Decimal::ZERO,
        }
    }
}

impl ScoreRules {
    /// The score left after `deducted` points: base minus them, never below the floor.
    pub fn score(&self, deducted: Decimal) -> Decimal {
        (self.base - deducted).max(self.floor)
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
}

impl Excellence {
    /// The word the CSV and JSON exports use.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Lost => "lost",
            Self::No => "no",
            Self::Eligible => "eligible",
            Self::Proposed => "proposed",
        }
    }

    pub fn is_eligible(self) -> bool {
        matches!(self, Self::Eligible | Self::Proposed)
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
}

/// A unit's line in the ranking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ranked {
    pub unit_id: Uuid,
    pub code: String,
    pub name: String,
    pub category: String,
    pub deducted: Decimal,
    pub score: Decimal,
    pub rank_in_category: usize,
    pub rank_overall: usize,
    pub excellence: Excellence,
}

/// Ranks every unit within its category and overall, score descending; equal scores share a rank
/// (1, 2, 2, 4) and are listed by unit code. Marks excellence eligibility and, per category, the
/// proposal: the best eligible units, at most the share (INS-08). Lines come overall-ranked.
pub fn rank(units: Vec<UnitTally>, rules: ScoreRules, excellence: ExcellenceRules) -> Vec<Ranked> {
    let mut lines: Vec<Ranked> = units
        .into_iter()
        .map(|u| {
            let score = rules.score(u.deducted);
            let excellence = if u.excellence_lost {
                Excellence::Lost
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
                deducted: u.deducted,
                score,
                rank_in_category: 0,
                rank_overall: 0,
                excellence,
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
            ScoreRules::default(),
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
            ScoreRules::default(),
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
            ScoreRules::default(),
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
        let lines = rank(units, ScoreRules::default(), ExcellenceRules::default());
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
            let rules = ScoreRules { base: d(base), floor: d(floor) };
            let score = rules.score(effective_points(&entries));
            prop_assert_eq!(score, (d(base) - expected).max(d(floor)));
            prop_assert!(score >= d(floor));
        }

        #[test]
        fn ranks_agree_with_scores(units in units()) {
            let lines = rank(units, ScoreRules::default(), ExcellenceRules::default());
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
            let lines = rank(units, ScoreRules::default(), rules);
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
    }
}
