//! Pages of the covert-inspection draws.

use askama::Template;
use serde::Deserialize;

use crate::inspections::db::PoolUnit;
use crate::web::PageCtx;

pub struct DrawListItem {
    pub href: String,
    pub drawn_at: String,
    pub drawn_by: String,
    pub count: i32,
    pub pool_size: usize,
    pub drawn_units: String,
}

/// What was typed in the draw form, kept on error.
#[derive(Debug, Default, Deserialize)]
pub struct DrawFormView {
    #[serde(default)]
    pub count: String,
    /// the categories ticked (the form's repeated `category` field)
    #[serde(default, rename = "category")]
    pub categories: Vec<String>,
    #[serde(default)]
    pub exclusions: String,
    #[serde(default)]
    pub note: String,
}

#[derive(Template)]
#[template(path = "inspections/draws.html")]
pub struct DrawsPage {
    pub ctx: PageCtx,
    pub year: i32,
    pub draws: Vec<DrawListItem>,
    pub categories: Vec<String>,
    pub listed: usize,
    pub can_draw: bool,
    pub form: DrawFormView,
    pub errors: Vec<String>,
}

impl DrawsPage {
    pub fn chosen(&self, category: &str) -> bool {
        self.form.categories.iter().any(|c| c == category)
    }
}

#[derive(Template)]
#[template(path = "inspections/draw.html")]
pub struct DrawPage {
    pub ctx: PageCtx,
    pub year: i32,
    pub href: String,
    pub seed: String,
    pub drawn_by: String,
    pub drawn_at: String,
    pub count: i32,
    pub categories: String,
    pub note: String,
    /// The drawn units, in the order drawn.
    pub result: Vec<PoolUnit>,
    pub pool: Vec<PoolUnit>,
    pub exclusions: Vec<(String, String, String)>,
    /// After "verify": whether re-running the draw gave the stored result.
    pub verified: Option<bool>,
}
