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
    /// each category's best units (the whole ranking is one link away)
    pub rankings: Vec<crate::scoring::views::RankingGroup>,
}
