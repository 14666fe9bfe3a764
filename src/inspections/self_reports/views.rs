//! Pages of the quarterly self-reports: the liaison's and the office's matrix.

use askama::Template;

use crate::web::PageCtx;

/// One quarter as a liaison sees it.
pub struct QuarterView {
    pub quarter: i32,
    pub due: String,
    pub submitted: String,
    /// Past its due date without a report.
    pub missed: bool,
    /// The quarter has ended, so a report can be filed.
    pub open: bool,
    /// The report's attachments: (evidence page, file name).
    pub attachments: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "inspections/self_reports.html")]
pub struct SelfReportsPage {
    pub ctx: PageCtx,
    pub year: Option<i32>,
    pub quarters: Vec<QuarterView>,
    pub content: String,
    pub quarter: String,
    pub error: Option<&'static str>,
    /// Attachments that were refused, each with its reason (the report was not filed).
    pub file_errors: Vec<String>,
    pub max_upload: String,
}

/// One unit's row of the office's matrix.
pub struct MatrixRow {
    pub code: String,
    pub name: String,
    /// Per quarter: "" (not due), a date (submitted), or the catalog key of a state.
    pub cells: Vec<(String, &'static str)>,
}

impl MatrixRow {
    /// The export's header: the unit, then a column a quarter, named as the page names them.
    pub fn header(ctx: &PageCtx) -> [&'static str; 6] {
        [
            ctx.t("units.code"),
            ctx.t("units.name"),
            "Q1",
            "Q2",
            "Q3",
            "Q4",
        ]
    }

    /// The unit's row of the export: each quarter's state in the page's words, with the time a
    /// report was filed.
    pub fn cells(self, ctx: &PageCtx) -> Vec<String> {
        let quarters = self.cells.into_iter().map(|(filed, key)| {
            let state = ctx.t(key);
            if filed.is_empty() {
                state.to_string()
            } else {
                format!("{state} {filed}")
            }
        });
        [self.code, self.name].into_iter().chain(quarters).collect()
    }
}

#[derive(Template)]
#[template(path = "inspections/self_report_matrix.html")]
pub struct SelfReportMatrixPage {
    pub ctx: PageCtx,
    pub year: i32,
    pub dues: Vec<String>,
    pub rows: Vec<MatrixRow>,
}

impl SelfReportMatrixPage {
    /// The matrix's export files (path without extension).
    pub fn export_path(&self) -> String {
        format!("/years/{}/self-reports/export", self.year)
    }
}
