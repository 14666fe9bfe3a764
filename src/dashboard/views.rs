//! The dashboard's page.

use askama::Template;

use super::model::BarChart;
use crate::inbox::views::Tile;
use crate::web::PageCtx;

#[derive(Template)]
#[template(path = "dashboard/dashboard.html")]
pub struct DashboardPage {
    pub ctx: PageCtx,
    /// the open year the charts are of, if any
    pub year: Option<i32>,
    /// the notices still open and what is overdue, each linking to its list
    pub tiles: Vec<Tile>,
    pub charts: Vec<BarChart>,
}

/// One category of the ranking (or the whole list): its name and its units, best first.
pub struct RankingGroup {
    pub title: String,
    pub lines: Vec<crate::scoring::model::Ranked>,
    /// each line's rank in this group
    pub overall: bool,
}

#[derive(Template)]
#[template(path = "dashboard/ranking.html")]
pub struct RankingPage {
    pub ctx: PageCtx,
    pub year: i32,
    /// a year still open ranks provisionally
    pub provisional: bool,
    pub groups: Vec<RankingGroup>,
}

impl RankingPage {
    pub fn unit_href(&self, line: &crate::scoring::model::Ranked) -> String {
        self.ctx.href(&format!("/units/{}", line.unit_id))
    }

    /// A line's excellence mark: its catalog key and badge tone.
    pub fn mark(&self, line: &crate::scoring::model::Ranked) -> (&'static str, &'static str) {
        use crate::scoring::model::Excellence::*;
        match line.excellence {
            Proposed => ("ranking.proposed", "badge-on"),
            Eligible => ("ranking.eligible", ""),
            Lost => ("ranking.lost", "badge-off"),
            _ => ("ranking.not_eligible", ""),
        }
    }
}
