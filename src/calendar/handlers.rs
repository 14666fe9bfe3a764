//! The calendar page: the office's working-day calendar by year, a due-date calculator for staff
//! (CAL-2), and for the administrator, correcting a day or adding a year (CAL-1).

use axum::response::Response;
use chrono::{Datelike, NaiveDate, Weekday};
use serde::Deserialize;
use serde_json::json;

use super::views::{CalendarPage, DayView, DueView, YearView};
use super::{CalendarError, YearCalendar, db};
use crate::audit::{Acting, Event};
use crate::core::{AppResult, CurrentUser, Role};
use crate::db::{RequestTx, Tx};
use crate::web::{Flash, Form, PageCtx, Query, render, render_invalid};

/// The longest note on a day and the longest source of a year's calendar.
const NOTE_MAX: usize = 100;
const SOURCE_MAX: usize = 200;

#[derive(Debug, Deserialize, Default)]
pub struct CalendarQuery {
    pub year: Option<i32>,
    pub from: Option<String>,
    pub working_days: Option<String>,
}

fn weekday_key(day: NaiveDate) -> &'static str {
    match day.weekday() {
        Weekday::Mon => "weekday.mon",
        Weekday::Tue => "weekday.tue",
        Weekday::Wed => "weekday.wed",
        Weekday::Thu => "weekday.thu",
        Weekday::Fri => "weekday.fri",
        Weekday::Sat => "weekday.sat",
        Weekday::Sun => "weekday.sun",
    }
}

/// A calendar error in the reader's language, naming the year or the date at fault (CAL-1).
fn explain(ctx: &PageCtx, error: &CalendarError) -> String {
    let (key, arg) = match error {
        CalendarError::MissingYear(year) => ("calendar.missing_year", year.to_string()),
        CalendarError::Syntax(_) => ("calendar.bad_syntax", String::new()),
        CalendarError::BadDate { value, .. } => ("calendar.bad_date", value.clone()),
        CalendarError::WrongYear { date, .. } => ("calendar.wrong_year", date.to_string()),
        CalendarError::DuplicateHoliday { date, .. }
        | CalendarError::DuplicateMakeUpWorkday { date, .. } => {
            ("calendar.duplicate_day", date.to_string())
        }
        CalendarError::HolidayAndMakeUpWorkday { date, .. } => {
            ("calendar.both_kinds", date.to_string())
        }
        CalendarError::MakeUpWorkdayNotOnWeekend { date, .. } => {
            ("calendar.make_up_not_weekend", date.to_string())
        }
    };
    ctx.tf(key, &arg)
}

async fn page(
    ctx: PageCtx,
    user: &CurrentUser,
    tx: &mut Tx,
    query: CalendarQuery,
    error: Option<String>,
) -> AppResult<CalendarPage> {
    let years = db::list_years(tx).await?;
    let days = db::list_days(tx).await?;
    let calendar = super::load(tx).await?;
    let shown_year = query.year.or_else(|| years.last().map(|y| y.year));
    let days = days
        .into_iter()
        .filter(|d| Some(d.year) == shown_year)
        .map(|d| DayView {
            day: d.day.to_string(),
            weekday: ctx.t(weekday_key(d.day)),
            holiday: d.kind == "holiday",
            note: d.note,
        })
        .collect();
    let due = match (query.from, query.working_days) {
        (Some(from), Some(n)) => {
            let result = match (
                NaiveDate::parse_from_str(from.trim(), "%Y-%m-%d"),
                n.trim().parse::<u32>(),
            ) {
                (Ok(start), Ok(n)) if n <= 365 => calendar
                    .add_working_days(start, n)
                    .map(|due| format!("{due} {}", ctx.t(weekday_key(due))))
                    .map_err(|e| explain(&ctx, &e)),
                _ => Err(ctx.t("calendar.due_invalid").to_string()),
            };
            Some(DueView {
                from,
                working_days: n,
                result,
            })
        }
        _ => None,
    };
    let years = years
        .into_iter()
        .map(|y| YearView {
            shown: Some(y.year) == shown_year,
            year: y.year,
            source: y.source,
            holidays: y.holidays,
            make_up_workdays: y.make_up_workdays,
        })
        .collect();
    let can_edit = user.role == Role::OfficeAdmin;
    Ok(CalendarPage {
        ctx,
        years,
        shown_year,
        days,
        due,
        can_edit,
        error,
    })
}

pub async fn show_calendar(
    user: CurrentUser,
    ctx: PageCtx,
    mut tx: Tx,
    Query(query): Query<CalendarQuery>,
) -> AppResult<Response> {
    let page = page(ctx, &user, &mut tx, query, None).await?;
    drop(tx);
    render(&page)
}

#[derive(Debug, Deserialize)]
pub struct DayForm {
    pub day: String,
    /// `holiday`, `make_up_workday` or `normal`.
    pub kind: String,
    #[serde(default)]
    pub note: String,
}

/// Corrects one day of the office's calendar (CAL-1).
pub async fn set_calendar_day(
    acting: Acting,
    ctx: PageCtx,
    request_tx: RequestTx,
    Form(form): Form<DayForm>,
) -> AppResult<Response> {
    let mut tx = request_tx.acquire().await?;
    let day = NaiveDate::parse_from_str(form.day.trim(), "%Y-%m-%d").ok();
    let kind = match form.kind.as_str() {
        "holiday" => Some(Some("holiday")),
        "make_up_workday" => Some(Some("make_up_workday")),
        "normal" => Some(None),
        _ => None,
    };
    let user = &acting.user;
    let note = form.note.trim();
    let refusal = match (day, kind) {
        (None, _) | (_, None) => Some(ctx.t("calendar.day_invalid").to_string()),
        _ if note.chars().count() > NOTE_MAX => {
            Some(ctx.tf("error.text_too_long", &NOTE_MAX.to_string()))
        }
        (Some(day), Some(_)) if !db::has_year(&mut tx, day.year()).await? => {
            Some(ctx.tf("calendar.missing_year", &day.year().to_string()))
        }
        (Some(day), Some(Some("make_up_workday")))
            if !matches!(day.weekday(), Weekday::Sat | Weekday::Sun) =>
        {
            Some(ctx.t("calendar.make_up_weekend").to_string())
        }
        (Some(day), Some(kind)) => {
            db::set_day(&mut tx, user.tenant_id, day, kind, note).await?;
            let detail = json!({ "day": day.to_string(), "kind": form.kind, "note": note });
            let event = Event::general("calendar.day_set", "calendar", detail);
            let done = Flash::success("calendar.day_saved").with(day.to_string());
            let back = format!("/calendar?year={}", day.year());
            return acting.recorded(&mut tx, event, done, &back).await;
        }
    };
    let query = CalendarQuery {
        year: day.map(|d| d.year()),
        ..Default::default()
    };
    let page = page(ctx, user, &mut tx, query, refusal).await?;
    drop(tx);
    render_invalid(&page)
}

#[derive(Debug, Deserialize)]
pub struct YearForm {
    pub year: String,
    #[serde(default)]
    pub source: String,
    #[serde(default)]
    pub holidays: String,
    #[serde(default)]
    pub make_up_workdays: String,
}

fn date_list(text: &str) -> Vec<String> {
    text.split(|c: char| c.is_whitespace() || c == ',' || c == '，' || c == '、')
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// Adds a year to the office's calendar (CAL-1), validated like a shipped calendar file.
pub async fn add_calendar_year(
    acting: Acting,
    ctx: PageCtx,
    request_tx: RequestTx,
    Form(form): Form<YearForm>,
) -> AppResult<Response> {
    let user = &acting.user;
    let mut tx = request_tx.acquire().await?;
    let source = form.source.trim();
    let refusal = match form.year.trim().parse::<i32>() {
        _ if source.chars().count() > SOURCE_MAX => {
            Some(ctx.tf("error.text_too_long", &SOURCE_MAX.to_string()))
        }
        Ok(year) if (2000..=2100).contains(&year) => {
            let source = source.to_string();
            let parsed = YearCalendar::from_lists(
                year,
                source,
                &date_list(&form.holidays),
                &date_list(&form.make_up_workdays),
            );
            match parsed {
                Err(error) => Some(explain(&ctx, &error)),
                Ok(calendar) => {
                    if db::insert_year(&mut tx, user.tenant_id, &calendar).await? {
                        let detail = json!({
                            "year": year,
                            "holidays": calendar.holidays.len(),
                            "make_up_workdays": calendar.make_up_workdays.len(),
                        });
                        let event = Event::general("calendar.year_add", "calendar", detail);
                        let done = Flash::success("calendar.year_saved").with(year.to_string());
                        let back = format!("/calendar?year={year}");
                        return acting.recorded(&mut tx, event, done, &back).await;
                    }
                    Some(ctx.tf("calendar.year_exists", &year.to_string()))
                }
            }
        }
        _ => Some(ctx.t("error.year_invalid").to_string()),
    };
    let page = page(ctx, user, &mut tx, CalendarQuery::default(), refusal).await?;
    drop(tx);
    render_invalid(&page)
}
