//! Pages of units and their staff.

use askama::Template;

use super::model::{EMPLOYMENT, StaffInput, UnitInput};
use crate::audit::views::TimelineEntry;
use crate::core::{FieldErrors, Pager};
use crate::scoring::db::UnitDeduction;
use crate::web::PageCtx;

/// A unit as the list shows it.
pub struct UnitItem {
    pub href: String,
    pub code: String,
    pub name: String,
    pub category: String,
    pub phone: String,
    pub staff: i64,
    pub listed: bool,
}

#[derive(Template)]
#[template(path = "registry/units.html")]
pub struct UnitsPage {
    pub ctx: PageCtx,
    pub units: Vec<UnitItem>,
    pub q: String,
    pub category: String,
    pub sort: String,
    pub categories: Vec<String>,
    pub total: i64,
    pub pager: Pager,
    /// The open year whose list the "listed" column shows.
    pub year: Option<i32>,
    pub can_edit: bool,
}

/// The link to page `page` of the units, sorted by `sort`, with the filters kept.
pub fn units_href(ctx: &PageCtx, (q, category): (&str, &str), sort: &str, page: i64) -> String {
    let query: String = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("q", q)
        .append_pair("category", category)
        .append_pair("sort", sort)
        .append_pair("page", &page.to_string())
        .finish();
    format!("{}?{}", ctx.href("/units"), query)
}

impl UnitsPage {
    pub fn sort_href(&self, sort: &str) -> String {
        units_href(&self.ctx, (&self.q, &self.category), sort, 1)
    }

    pub fn sorted_by(&self, sort: &str) -> bool {
        self.sort == sort
    }
}

#[derive(Template)]
#[template(path = "registry/unit_form.html")]
pub struct UnitFormPage {
    pub ctx: PageCtx,
    pub unit_id: Option<String>,
    pub input: UnitInput,
    pub errors: FieldErrors,
}

impl UnitFormPage {
    pub fn error_for(&self, field: &str) -> Option<&'static str> {
        self.ctx.field_error(&self.errors, field)
    }

    pub fn action(&self) -> String {
        match &self.unit_id {
            Some(id) => self.ctx.href(&format!("/units/{id}")),
            None => self.ctx.href("/units"),
        }
    }
}

pub struct StaffView {
    pub id: String,
    pub name: String,
    pub post: String,
    pub employment: &'static str,
    pub phone: String,
    pub left: bool,
}

#[derive(Template)]
#[template(path = "registry/unit.html")]
pub struct UnitPage {
    pub ctx: PageCtx,
    pub unit: super::db::UnitDetail,
    pub href: String,
    pub liaisons: Vec<String>,
    pub staff: Vec<StaffView>,
    /// The open year and whether the unit is on its list.
    pub year: Option<(i32, bool)>,
    pub can_edit_unit: bool,
    pub can_edit_staff: bool,
    /// the reader may open the unit's score sheet
    pub reads_score: bool,
    pub staff_input: StaffInput,
    pub staff_errors: FieldErrors,
    pub history: Vec<TimelineEntry>,
    /// INS-08: the years in which a confirmed obstruction cost the unit its excellence eligibility
    pub excellence_lost: Vec<i32>,
    /// The deductions ledger's entries for the unit (INS-04, INS-11), newest first.
    pub deductions: Vec<UnitDeduction>,
}

impl UnitPage {
    /// Where a deduction came from: the finding's page, when a finding caused it.
    pub fn deduction_href(&self, d: &UnitDeduction) -> Option<String> {
        (d.source_type == "finding").then(|| self.ctx.href(&format!("/findings/{}", d.source_key)))
    }
}

impl UnitPage {
    pub fn staff_error(&self, field: &str) -> Option<&'static str> {
        self.ctx.field_error(&self.staff_errors, field)
    }

    pub fn employment_options(&self) -> Vec<(&'static str, &'static str)> {
        EMPLOYMENT
            .iter()
            .map(|(code, _, key)| (*code, self.ctx.t(key)))
            .collect()
    }
}

/// A bad row of an import, as the page lists it.
pub struct RowErrorView {
    pub line: usize,
    pub column: String,
    pub reason: &'static str,
}

#[derive(Template)]
#[template(path = "registry/import.html")]
pub struct ImportPage {
    pub ctx: PageCtx,
    pub kind: String,
    pub errors: Vec<RowErrorView>,
    pub year: Option<i32>,
}
