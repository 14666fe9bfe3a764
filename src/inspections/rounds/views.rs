//! Pages of the rounds of open inspections.

use askama::Template;

use super::db::{MandatoryRow, RoundRow};
use super::model::RoundForm;
use crate::audit::views::TimelineEntry;
use crate::inspections::views::TaskItem;
use crate::web::PageCtx;

#[derive(Template)]
#[template(path = "inspections/rounds.html")]
pub struct RoundsPage {
    pub ctx: PageCtx,
    pub year: i32,
    pub rounds: Vec<RoundRow>,
    pub can_plan: bool,
    pub form: RoundForm,
    pub errors: Vec<String>,
}

#[derive(Template)]
#[template(path = "inspections/round.html")]
pub struct RoundPage {
    pub ctx: PageCtx,
    pub round: RoundRow,
    pub tasks: Vec<TaskItem>,
    pub mandatory: Vec<MandatoryRow>,
    pub can_plan: bool,
    pub errors: Vec<String>,
    pub history: Vec<TimelineEntry>,
}

impl RoundPage {
    pub fn mandatory_intro(&self) -> String {
        crate::inspections::views::mandatory_intro(&self.ctx)
    }

    /// Mandatory units that the round neither plans nor leaves out with a reason.
    pub fn unresolved(&self) -> usize {
        self.mandatory
            .iter()
            .filter(|m| !m.planned && m.reason.is_none())
            .count()
    }
}
