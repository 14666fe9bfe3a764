//! The pages and documents of the year's results.

use askama::Template;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use uuid::Uuid;

use super::YearResults;
use super::db::{DecisionRow, ScoreDeduction, SnapshotRow, WarningRow};
use super::model::{DecisionInput, Excellence, Ranked, RulesInput, ScoreRules, WarningInput};
use crate::core::time::document_date;
use crate::core::{CurrentUser, FieldErrors};
use crate::documents::{Block, Document};
use crate::web::PageCtx;

/// The catalog key of an excellence mark.
pub fn excellence_key(mark: Excellence) -> &'static str {
    match mark {
        Excellence::Confirmed => "ranking.confirmed",
        Excellence::Proposed => "ranking.proposed",
        Excellence::Eligible => "ranking.eligible",
        Excellence::Lost => "ranking.lost",
        Excellence::No => "ranking.not_eligible",
    }
}

/// An excellence mark's badge tone.
fn tone(mark: Excellence) -> &'static str {
    match mark {
        Excellence::Confirmed | Excellence::Proposed => "badge-on",
        Excellence::Lost => "badge-off",
        _ => "",
    }
}

/// Each fault of a decision in the reader's words.
pub fn decision_messages(ctx: &PageCtx, errors: &[super::model::DecisionError]) -> Vec<String> {
    errors
        .iter()
        .map(|e| {
            let (key, arg) = e.message();
            ctx.tf(key, &arg)
        })
        .collect()
}

/// How a closed year's snapshot is cited: when, by whom, and its digest's first characters.
pub struct SnapshotView {
    pub taken_at: String,
    pub taken_by: String,
    pub digest: String,
}

impl SnapshotView {
    fn new(ctx: &PageCtx, s: &SnapshotRow) -> Self {
        Self {
            taken_at: ctx.local_time(&s.taken_at),
            taken_by: s.taken_by.clone(),
            digest: s.digest.chars().take(12).collect(),
        }
    }
}

/// The office's decision as the pages mention it.
pub struct DecisionView {
    pub decided_at: String,
    pub decided_by: String,
    pub note: String,
}

impl DecisionView {
    fn new(ctx: &PageCtx, d: &DecisionRow) -> Self {
        Self {
            decided_at: ctx.local_time(&d.decided_at),
            decided_by: d.decided_by.clone(),
            note: d.note.clone(),
        }
    }
}

/// One category of the ranking (or the whole list): its name and its units, best first.
pub struct RankingGroup {
    pub title: String,
    pub lines: Vec<Ranked>,
    /// each line's rank in this group is its overall rank
    pub overall: bool,
}

/// The categories of `lines` (by name), each best first; or, `overall`, the whole list.
pub fn ranking_groups(ctx: &PageCtx, lines: &[Ranked], overall: bool) -> Vec<RankingGroup> {
    if overall {
        return vec![RankingGroup {
            title: ctx.t("ranking.overall").into(),
            lines: lines.to_vec(),
            overall: true,
        }];
    }
    let mut categories: Vec<&str> = lines.iter().map(|l| l.category.as_str()).collect();
    categories.sort();
    categories.dedup();
    categories
        .into_iter()
        .map(|category| {
            let mut in_category: Vec<Ranked> = lines
                .iter()
                .filter(|l| l.category == category)
                .cloned()
                .collect();
            in_category
                .sort_by(|a, b| (a.rank_in_category, &a.code).cmp(&(b.rank_in_category, &b.code)));
            RankingGroup {
                title: match category.is_empty() {
                    true => ctx.t("ranking.uncategorized").to_string(),
                    false => category.to_string(),
                },
                lines: in_category,
                overall: false,
            }
        })
        .collect()
}

#[derive(Template)]
#[template(path = "scoring/ranking.html")]
pub struct RankingPage {
    pub ctx: PageCtx,
    pub year: i32,
    /// a year still open ranks provisionally
    pub provisional: bool,
    /// the whole list overall-ranked, rather than each category
    pub overall: bool,
    pub groups: Vec<RankingGroup>,
    /// how many units the year lists
    pub units: usize,
    pub snapshot: Option<SnapshotView>,
    pub decision: Option<DecisionView>,
    /// how the decision no longer fits the scores, in words
    pub stale: Vec<String>,
    pub warnings: usize,
    pub rules: ScoreRules,
    /// the administrator may change the rules (the year is open)
    pub can_set_rules: bool,
    /// the office may decide excellence and designate warning units (the year is open)
    pub can_decide: bool,
    pub rules_input: RulesInput,
    pub rules_errors: FieldErrors,
}

impl RankingPage {
    pub fn new(
        ctx: PageCtx,
        (year, open, overall): (i32, bool, bool),
        results: &YearResults,
        warnings: usize,
        (can_set_rules, can_decide): (bool, bool),
        (rules_input, rules_errors): (RulesInput, FieldErrors),
    ) -> Self {
        let stale = decision_messages(&ctx, &results.stale);
        Self {
            groups: ranking_groups(&ctx, &results.lines, overall),
            units: results.lines.len(),
            overall,
            snapshot: results
                .snapshot
                .as_ref()
                .map(|s| SnapshotView::new(&ctx, s)),
            decision: results
                .decision
                .as_ref()
                .map(|d| DecisionView::new(&ctx, &d.0)),
            stale,
            warnings,
            rules: results.rules.clone(),
            provisional: open || results.snapshot.is_none(),
            year,
            can_set_rules,
            can_decide,
            rules_input,
            rules_errors,
            ctx,
        }
    }

    pub fn unit_href(&self, line: &Ranked) -> String {
        self.ctx
            .href(&format!("/units/{}/score?year={}", line.unit_id, self.year))
    }

    /// A line's excellence mark: its catalog key and badge tone.
    pub fn mark(&self, line: &Ranked) -> (&'static str, &'static str) {
        (excellence_key(line.excellence), tone(line.excellence))
    }

    pub fn year_path(&self, rest: &str) -> String {
        self.ctx.href(&format!("/years/{}/{rest}", self.year))
    }

    /// The two views' tabs: (link, label key, shown now).
    pub fn tabs(&self) -> [(String, &'static str, bool); 2] {
        [
            (
                self.year_path("ranking"),
                "ranking.by_category",
                !self.overall,
            ),
            (
                self.year_path("ranking?view=overall"),
                "ranking.overall",
                self.overall,
            ),
        ]
    }

    /// The ranking's export, inside the office.
    pub fn export_path(&self) -> String {
        format!("/years/{}/ranking/export", self.year)
    }

    /// The categories' own base scores, as the page states them (`类别 110`).
    pub fn category_bases(&self) -> String {
        self.rules
            .by_category
            .iter()
            .map(|(c, b)| format!("{c} {}", b.normalize()))
            .collect::<Vec<_>>()
            .join("、")
    }

    pub fn error_for(&self, field: &str) -> Option<&'static str> {
        self.ctx.field_error(&self.rules_errors, field)
    }

    /// The category base typed or set for the form's `i`th category.
    pub fn category_base(&self, i: &usize) -> &str {
        self.rules_input
            .category_base
            .get(*i)
            .map(String::as_str)
            .unwrap_or("")
    }
}

/// One eligible unit in the excellence form.
pub struct Candidate {
    pub line: Ranked,
    pub proposed: bool,
    pub confirmed: bool,
    pub reason: String,
}

/// One category in the excellence form: its places and its eligible units, best first.
pub struct CandidateGroup {
    pub category: String,
    pub members: usize,
    pub places: usize,
    pub candidates: Vec<Candidate>,
}

#[derive(Template)]
#[template(path = "scoring/excellence.html")]
pub struct ExcellencePage {
    pub ctx: PageCtx,
    pub year: i32,
    pub open: bool,
    pub can_decide: bool,
    pub groups: Vec<CandidateGroup>,
    /// the units on the final list, when the office has decided (or the year closed)
    pub decided: Vec<Ranked>,
    pub decision: Option<DecisionView>,
    pub snapshot: Option<SnapshotView>,
    pub stale: Vec<String>,
    pub min_score: String,
    pub share: u32,
    pub note: String,
    pub errors: Vec<String>,
}

impl ExcellencePage {
    pub fn new(
        ctx: PageCtx,
        (year, open, can_decide): (i32, bool, bool),
        results: &YearResults,
        (input, errors): (DecisionInput, Vec<String>),
    ) -> Self {
        let (fresh, rules) = (&results.proposal, results.excellence);
        let mut categories: Vec<&str> = fresh.iter().map(|l| l.category.as_str()).collect();
        categories.sort();
        categories.dedup();
        let reason_of = |id: Uuid| -> String {
            input
                .unit
                .iter()
                .position(|u| u == &id.to_string())
                .and_then(|i| input.reason.get(i).cloned())
                .unwrap_or_default()
        };
        let groups = categories
            .into_iter()
            .map(|category| {
                let members: Vec<&Ranked> =
                    fresh.iter().filter(|l| l.category == category).collect();
                let mut eligible: Vec<&&Ranked> = members
                    .iter()
                    .filter(|l| l.excellence.is_eligible())
                    .collect();
                eligible.sort_by(|a, b| {
                    (a.rank_in_category, &a.code).cmp(&(b.rank_in_category, &b.code))
                });
                CandidateGroup {
                    category: match category.is_empty() {
                        true => ctx.t("ranking.uncategorized").to_string(),
                        false => category.to_string(),
                    },
                    members: members.len(),
                    places: rules.places(members.len()),
                    candidates: eligible
                        .into_iter()
                        .map(|l| Candidate {
                            proposed: l.excellence == Excellence::Proposed,
                            confirmed: input.confirm.contains(&l.unit_id.to_string()),
                            reason: reason_of(l.unit_id),
                            line: (*l).clone(),
                        })
                        .collect(),
                }
            })
            .filter(|g| !g.candidates.is_empty())
            .collect();
        let decided = match results.decision.is_some() || results.snapshot.is_some() {
            true => results
                .lines
                .iter()
                .filter(|l| l.excellence == Excellence::Confirmed)
                .cloned()
                .collect(),
            false => Vec::new(),
        };
        Self {
            year,
            open,
            can_decide,
            groups,
            decided,
            decision: results
                .decision
                .as_ref()
                .map(|d| DecisionView::new(&ctx, &d.0)),
            snapshot: results
                .snapshot
                .as_ref()
                .map(|s| SnapshotView::new(&ctx, s)),
            stale: decision_messages(&ctx, &results.stale),
            min_score: rules.min_score.normalize().to_string(),
            share: rules.max_share_percent,
            note: input.note,
            errors,
            ctx,
        }
    }

    /// The rule the page applies, in the reader's words, citing the regulation.
    pub fn rule_text(&self) -> String {
        let share = self.share.to_string();
        let cited = self.ctx.cite("INS-08");
        self.ctx
            .tfn("excellence.rule", &[&self.min_score, &share, &cited])
    }
}

#[derive(Template)]
#[template(path = "scoring/warnings.html")]
pub struct WarningsPage {
    pub ctx: PageCtx,
    pub year: i32,
    pub can_manage: bool,
    pub rows: Vec<WarningRow>,
    /// the year's listed units: (id, "code name")
    pub units: Vec<(String, String)>,
    pub input: WarningInput,
    pub errors: FieldErrors,
}

impl WarningsPage {
    pub fn when(&self, row: &WarningRow) -> String {
        self.ctx.local_time(&row.designated_at)
    }

    pub fn withdraw_href(&self, row: &WarningRow) -> String {
        self.ctx.href(&format!(
            "/years/{}/warnings/{}/withdraw",
            self.year, row.unit_id
        ))
    }

    pub fn rule_text(&self) -> String {
        self.ctx.tf("warnings.rule", &self.ctx.cite("SYS-8"))
    }

    pub fn error_for(&self, field: &str) -> Option<&'static str> {
        self.ctx.field_error(&self.errors, field)
    }

    /// Whether the unit `id` is the one chosen in the form.
    pub fn chosen(&self, id: &str) -> bool {
        id == self.input.unit_id
    }
}

/// The score sheet's deduction columns (catalog keys), as the export and the PDF print them.
pub const DEDUCTION_COLUMNS: [&str; 6] = [
    "score.date",
    "score.item",
    "score.points",
    "score.reason",
    "score.source",
    "score.reversal",
];

/// A deduction as the score sheet lists it.
pub struct DeductionLine {
    pub date: String,
    pub item: String,
    pub points: String,
    pub reason: String,
    /// the catalog key naming where it came from
    pub source_key: &'static str,
    /// the record it came from, if the reader may open it
    pub source_href: Option<String>,
    /// when and why it was reversed
    pub reversed: Option<(String, String)>,
}

impl DeductionLine {
    pub fn new(ctx: &PageCtx, user: &CurrentUser, year: Option<i32>, d: ScoreDeduction) -> Self {
        let (source_key, source_href) = match d.source_type.as_str() {
            "finding" => (
                "score.source_finding",
                Some(ctx.href(&format!("/findings/{}", d.source_key))),
            ),
            "self_report" => (
                "score.source_self_report",
                Some(match (user.liaison_unit(), year) {
                    (Some(_), _) | (None, None) => ctx.href("/self-reports"),
                    (None, Some(y)) => ctx.href(&format!("/years/{y}/self-reports")),
                }),
            ),
            _ => ("score.source_other", None),
        };
        Self {
            date: ctx.local_date(d.created_at).to_string(),
            item: format!("{} {}", d.code, d.title),
            points: d.points.normalize().to_string(),
            reason: d.reason,
            source_key,
            source_href,
            reversed: d.reversed_at.map(|at| {
                (
                    ctx.local_date(at).to_string(),
                    d.reversal_reason.unwrap_or_default(),
                )
            }),
        }
    }

    /// The deduction as the export and the PDF print it ([`DEDUCTION_COLUMNS`]).
    pub fn cells(&self, ctx: &PageCtx) -> Vec<String> {
        vec![
            self.date.clone(),
            self.item.clone(),
            self.points.clone(),
            self.reason.clone(),
            ctx.t(self.source_key).to_string(),
            self.reversal_text(ctx),
        ]
    }

    /// The reversal in words, empty for a deduction that stands.
    pub fn reversal_text(&self, ctx: &PageCtx) -> String {
        match &self.reversed {
            Some((date, reason)) => format!("{} {date}：{reason}", ctx.t("score.reversed")),
            None => String::new(),
        }
    }
}

#[derive(Template)]
#[template(path = "scoring/score.html")]
pub struct ScorePage {
    pub ctx: PageCtx,
    pub unit_id: Uuid,
    pub code: String,
    pub name: String,
    pub category: String,
    /// the years whose list holds the unit, and the one shown
    pub years: Vec<i32>,
    pub year: Option<i32>,
    pub rules: Option<ScoreRules>,
    pub snapshot: Option<SnapshotView>,
    /// the unit's line of the year's results (absent if it left the list)
    pub line: Option<Ranked>,
    pub deductions: Vec<DeductionLine>,
    /// the points of the deductions that stand
    pub standing: Decimal,
    pub warning: Option<WarningRow>,
}

impl ScorePage {
    pub fn new(
        ctx: PageCtx,
        (unit_id, code, name, category): (Uuid, String, String, String),
        (years, year): (Vec<i32>, Option<i32>),
        results: Option<(ScoreRules, Option<SnapshotRow>, Option<Ranked>)>,
        deductions: Vec<DeductionLine>,
        warning: Option<WarningRow>,
    ) -> Self {
        let standing = deductions
            .iter()
            .filter(|d| d.reversed.is_none())
            .filter_map(|d| d.points.parse::<Decimal>().ok())
            .sum();
        let (rules, snapshot, line) = match results {
            Some((rules, snapshot, line)) => (Some(rules), snapshot, line),
            None => (None, None, None),
        };
        Self {
            snapshot: snapshot.as_ref().map(|s| SnapshotView::new(&ctx, s)),
            unit_id,
            code,
            name,
            category,
            years,
            year,
            rules,
            line,
            deductions,
            standing,
            warning,
            ctx,
        }
    }

    /// This page for the year shown.
    pub fn self_href(&self) -> String {
        self.href_for("score")
    }

    /// `/units/{id}/{rest}?year=` for the year shown.
    pub fn href_for(&self, rest: &str) -> String {
        let query = self.export_query();
        self.ctx
            .href(&format!("/units/{}/{rest}{query}", self.unit_id))
    }

    pub fn is_year(&self, year: &i32) -> bool {
        self.year == Some(*year)
    }

    /// The deductions' export, inside the office, and its query (the year shown).
    pub fn export_path(&self) -> String {
        format!("/units/{}/score/export", self.unit_id)
    }

    pub fn export_query(&self) -> String {
        self.year.map(|y| format!("?year={y}")).unwrap_or_default()
    }

    pub fn year_href(&self, year: &i32) -> String {
        self.ctx
            .href(&format!("/units/{}/score?year={year}", self.unit_id))
    }

    /// The line's excellence mark: its catalog key and badge tone.
    pub fn mark(&self, line: &Ranked) -> (&'static str, &'static str) {
        (excellence_key(line.excellence), tone(line.excellence))
    }

    pub fn floor(&self) -> String {
        self.rules
            .as_ref()
            .map(|r| r.floor.normalize().to_string())
            .unwrap_or_default()
    }

    /// Whether the floor held the score up (the deductions exceed the base less the floor).
    pub fn floored(&self, line: &Ranked) -> bool {
        line.base - line.deducted < line.score
    }

    pub fn provisional(&self) -> bool {
        self.snapshot.is_none()
    }
}

/// The ranking's columns (catalog keys), as the export and the PDF print them.
pub const RANKING_COLUMNS: [&str; 10] = [
    "ranking.rank",
    "ranking.code",
    "ranking.unit",
    "ranking.category",
    "ranking.rank_in_category",
    "ranking.base",
    "ranking.deducted",
    "ranking.score",
    "ranking.excellence",
    "ranking.warning",
];

/// A unit's line of the ranking as the export and the PDF print it ([`RANKING_COLUMNS`]).
pub fn ranking_row(ctx: &PageCtx, l: &Ranked) -> Vec<String> {
    vec![
        l.rank_overall.to_string(),
        l.code.clone(),
        l.name.clone(),
        l.category.clone(),
        l.rank_in_category.to_string(),
        l.base.normalize().to_string(),
        l.deducted.normalize().to_string(),
        l.score.normalize().to_string(),
        ctx.t(excellence_key(l.excellence)).to_string(),
        match l.warning {
            true => ctx.t("ranking.warning").to_string(),
            false => String::new(),
        },
    ]
}

/// The ranking table of the year as a document: A4 landscape, every unit overall-ranked.
pub fn ranking_document(
    ctx: &PageCtx,
    (office, year, today): (&str, i32, NaiveDate),
    results: &YearResults,
) -> Document {
    let columns = RANKING_COLUMNS
        .iter()
        .map(|k| ctx.t(k).to_string())
        .collect();
    let rows = results.lines.iter().map(|l| ranking_row(ctx, l)).collect();
    Document {
        office: office.to_string(),
        title: ctx.tf("ranking.title", &year.to_string()),
        landscape: true,
        blocks: vec![
            Block::Paragraph {
                text: status_text(
                    ctx,
                    results
                        .snapshot
                        .as_ref()
                        .map(|s| SnapshotView::new(ctx, s))
                        .as_ref(),
                ),
            },
            Block::Table { columns, rows },
        ],
        date: document_date(today),
        ..Document::default()
    }
}

/// Whether figures are provisional or final, and for final ones the snapshot they come from.
fn status_text(ctx: &PageCtx, snapshot: Option<&SnapshotView>) -> String {
    match snapshot {
        Some(s) => ctx.tfn("ranking.frozen", &[&s.taken_at, &s.digest]),
        None => ctx.t("ranking.provisional").to_string(),
    }
}

/// A unit's score sheet as a document: A4, the figures then every deduction.
pub fn score_document(page: &ScorePage, office: &str, today: NaiveDate) -> Document {
    let ctx = &page.ctx;
    let year = page.year.map(|y| y.to_string()).unwrap_or_default();
    let mut facts = vec![
        (
            ctx.t("score.unit").to_string(),
            format!("{} {}", page.code, page.name),
        ),
        (ctx.t("ranking.category").to_string(), page.category.clone()),
    ];
    if let Some(l) = &page.line {
        facts.extend([
            (
                ctx.t("ranking.base").to_string(),
                l.base.normalize().to_string(),
            ),
            (
                ctx.t("ranking.deducted").to_string(),
                l.deducted.normalize().to_string(),
            ),
            (
                ctx.t("ranking.score").to_string(),
                l.score.normalize().to_string(),
            ),
            (
                ctx.t("ranking.rank_in_category").to_string(),
                l.rank_in_category.to_string(),
            ),
            (
                ctx.t("ranking.rank").to_string(),
                l.rank_overall.to_string(),
            ),
            (
                ctx.t("ranking.excellence").to_string(),
                ctx.t(excellence_key(l.excellence)).to_string(),
            ),
        ]);
    }
    if let Some(w) = &page.warning {
        facts.push((ctx.t("ranking.warning").to_string(), w.reason.clone()));
    }
    let columns = DEDUCTION_COLUMNS
        .iter()
        .map(|k| ctx.t(k).to_string())
        .collect();
    let rows = page.deductions.iter().map(|d| d.cells(ctx)).collect();
    let status = status_text(ctx, page.snapshot.as_ref());
    let mut blocks = vec![
        Block::Facts { rows: facts },
        Block::Heading {
            text: ctx.t("score.deductions").into(),
        },
    ];
    match page.deductions.is_empty() {
        true => blocks.push(Block::Paragraph {
            text: ctx.t("score.none").into(),
        }),
        false => blocks.push(Block::Table { columns, rows }),
    }
    blocks.push(Block::Paragraph { text: status });
    Document {
        office: office.to_string(),
        title: ctx.tf("score.title", &year),
        addressee: String::new(),
        blocks,
        date: document_date(today),
        ..Document::default()
    }
}
