//! Pages of assessment years and their catalogs.

use askama::Template;

use crate::web::PageCtx;

/// A year as the years page lists it.
pub struct YearView {
    pub year: i32,
    pub open: bool,
    pub opened: String,
    pub closed: String,
    pub units: i64,
    pub items: i64,
}

#[derive(Template)]
#[template(path = "registry/years.html")]
pub struct YearsPage {
    pub ctx: PageCtx,
    pub years: Vec<YearView>,
    pub can_manage: bool,
    /// The year the "open a year" form suggests, or what was typed.
    pub new_year: String,
    pub error: Option<&'static str>,
    /// why the year could not close (INS-08), shown at the top
    pub close_error: Option<String>,
}

/// A catalog item as its list shows it.
pub struct ItemView {
    pub id: String,
    pub code: String,
    pub title: String,
    pub kinds: String,
    pub points: String,
    /// the article the item rests on, as its reader cites it
    pub basis: String,
    pub costs_excellence: bool,
    pub retired: bool,
}

impl ItemView {
    pub fn new(ctx: &PageCtx, item: super::db::ItemRow) -> Self {
        let kinds: Vec<&str> = [
            (item.for_open, "catalog.kind_open"),
            (item.for_covert, "catalog.kind_covert"),
            (item.for_system, "catalog.kind_system"),
        ]
        .into_iter()
        .filter(|(on, _)| *on)
        .map(|(_, key)| ctx.t(key))
        .collect();
        let points = if item.points_min == item.points_max {
            format!("−{}", item.points_min.normalize())
        } else {
            format!(
                "−{} ~ −{}",
                item.points_min.normalize(),
                item.points_max.normalize()
            )
        };
        Self {
            id: item.id.to_string(),
            code: item.code,
            title: item.title,
            kinds: kinds.join(" / "),
            points,
            basis: ctx.cite(&item.rule_id),
            costs_excellence: item.costs_excellence,
            retired: item.retired_at.is_some(),
        }
    }
}

#[derive(Template)]
#[template(path = "registry/catalog.html")]
pub struct CatalogPage {
    pub ctx: PageCtx,
    pub year: i32,
    pub open: bool,
    pub can_edit: bool,
    pub items: Vec<ItemView>,
}

#[derive(Template)]
#[template(path = "registry/item_form.html")]
pub struct ItemFormPage {
    pub ctx: PageCtx,
    pub year: i32,
    /// The item being edited, or `None` for a new one.
    pub item_id: Option<String>,
    pub input: super::model::ItemInput,
    pub errors: Vec<(&'static str, &'static str)>,
}

impl ItemFormPage {
    pub fn error_for(&self, field: &str) -> Option<&'static str> {
        self.ctx.field_error(&self.errors, field)
    }

    /// The rules an item may rest on, each labelled by its citation and what it is about (several
    /// rules share an article): (rule ID, label, chosen).
    pub fn rule_options(&self) -> Vec<(&'static str, String, bool)> {
        let ctx = &self.ctx;
        crate::core::citation::deduction_rules()
            .map(|id| {
                let cited = ctx.cite(id);
                let label = match crate::core::citation::gist(id, ctx.lang) {
                    Some(gist) => ctx
                        .tf("catalog.rule_option", &cited)
                        .replacen("{}", gist, 1),
                    None => cited,
                };
                (
                    id,
                    label,
                    id.eq_ignore_ascii_case(self.input.rule_id.trim()),
                )
            })
            .collect()
    }

    pub fn action(&self) -> String {
        match &self.item_id {
            Some(id) => self.ctx.href(&format!("/years/{}/catalog/{id}", self.year)),
            None => self.ctx.href(&format!("/years/{}/catalog", self.year)),
        }
    }
}
