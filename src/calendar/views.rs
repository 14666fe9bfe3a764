//! The calendar page.

use askama::Template;

use crate::web::PageCtx;

pub struct YearView {
    pub year: i32,
    /// The year whose days the page shows.
    pub shown: bool,
    pub source: String,
    pub holidays: i64,
    pub make_up_workdays: i64,
}

pub struct DayView {
    pub day: String,
    pub weekday: &'static str,
    pub holiday: bool,
    pub note: String,
}

/// A due date worked out on the page (CAL-2), or why it could not be.
pub struct DueView {
    pub from: String,
    pub working_days: String,
    pub result: Result<String, String>,
}

#[derive(Template)]
#[template(path = "calendar/calendar.html")]
pub struct CalendarPage {
    pub ctx: PageCtx,
    pub years: Vec<YearView>,
    pub shown_year: Option<i32>,
    pub days: Vec<DayView>,
    pub due: Option<DueView>,
    pub can_edit: bool,
    /// A refused change: the catalog key and what it concerns.
    pub error: Option<String>,
}
