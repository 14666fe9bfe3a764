//! Pages of bulletins: the list, the form for a new draft's period, the draft's texts, the
//! bulletin itself (a printable document, and its PDF) with who has read it, and their part of
//! the leaders' overview.

use askama::Template;

use super::db::{BulletinRow, ReceiptRow};
use super::model::{BulletinText, PeriodForm};
use crate::audit::views::TimelineEntry;
use crate::web::PageCtx;

/// A bulletin as the lists show it.
#[derive(Clone)]
pub struct BulletinItem {
    pub href: String,
    pub title: String,
    pub period: String,
    pub state_key: &'static str,
    pub published: String,
    pub recipients: i64,
    pub units_read: i64,
    /// for a liaison: whether it has read it
    pub read: bool,
}

impl BulletinItem {
    pub fn new(ctx: &PageCtx, b: &BulletinRow) -> Self {
        Self {
            href: ctx.href(&format!("/bulletins/{}", b.id)),
            title: b.title.clone(),
            period: format!("{} – {}", b.period_from, b.period_to),
            state_key: b.status.label_key(),
            published: b
                .published_at
                .map(|t| ctx.local_time(&t))
                .unwrap_or_default(),
            recipients: b.recipients,
            units_read: b.units_read,
            read: b.read_at.is_some(),
        }
    }

    /// The list's columns (catalog keys) as its reader sees them, in the order of
    /// [`Self::cells`]: a liaison's says whether it has read each bulletin; the office's and the
    /// leaders' each one's state and how many units have read it.
    pub fn columns(is_liaison: bool) -> &'static [&'static str] {
        if is_liaison {
            &[
                "bulletins.title_field",
                "bulletins.period",
                "bulletins.published_at",
                "bulletins.read_state",
            ]
        } else {
            &[
                "bulletins.title_field",
                "bulletins.period",
                "bulletins.published_at",
                "bulletins.state",
                "bulletins.units_read",
            ]
        }
    }

    /// The bulletin as an export's row: what its card shows, one column each.
    pub fn cells(self, ctx: &PageCtx, is_liaison: bool) -> Vec<String> {
        let mut cells = vec![self.title, self.period, self.published];
        if is_liaison {
            let read = if self.read {
                "bulletins.read"
            } else {
                "bulletins.unread"
            };
            cells.push(ctx.t(read).to_string());
        } else {
            cells.push(ctx.t(self.state_key).to_string());
            cells.push(match self.recipients {
                0 => String::new(),
                all => format!("{}/{all}", self.units_read),
            });
        }
        cells
    }
}

#[derive(Template)]
#[template(path = "bulletins/list.html")]
pub struct BulletinsPage {
    pub ctx: PageCtx,
    pub bulletins: Vec<BulletinItem>,
    pub of_office: bool,
    pub is_liaison: bool,
}

#[derive(Template)]
#[template(path = "bulletins/new.html")]
pub struct NewBulletinPage {
    pub ctx: PageCtx,
    pub form: PeriodForm,
    pub error: Option<&'static str>,
}

#[derive(Template)]
#[template(path = "bulletins/edit.html")]
pub struct EditBulletinPage {
    pub ctx: PageCtx,
    pub b: BulletinRow,
    pub text: BulletinText,
    pub errors: Vec<&'static str>,
}

/// The receipts' export columns (catalog keys), in the order of [`receipt_cells`].
pub const RECEIPT_COLUMNS: [&str; 4] = [
    "bulletins.unit",
    "bulletins.liaison",
    "bulletins.read_state",
    "bulletins.read_at",
];

/// One liaison's receipt (or a unit without a liaison) as an export's row: what the page's
/// table says of it.
pub fn receipt_cells(ctx: &PageCtx, row: ReceiptRow) -> Vec<String> {
    let (liaison, state, at) = match (row.liaison, row.read_at) {
        (Some(name), Some(at)) => (name, ctx.t("bulletins.read"), ctx.local_time(&at)),
        (Some(name), None) => (name, ctx.t("bulletins.unread"), String::new()),
        (None, _) => (ctx.t("bulletins.no_liaison").to_string(), "", String::new()),
    };
    vec![row.unit_name, liaison, state.to_string(), at]
}

/// Who has read a bulletin in one unit, and who has not.
pub struct UnitReceipt {
    pub unit: String,
    /// (liaison, first read)
    pub readers: Vec<(String, String)>,
    pub unread: Vec<String>,
}

#[derive(Template)]
#[template(path = "bulletins/bulletin.html")]
pub struct BulletinPage {
    pub ctx: PageCtx,
    pub b: BulletinRow,
    pub office_name: String,
    pub state_key: &'static str,
    pub draft: bool,
    pub can_change: bool,
    pub published_on: String,
    /// per unit who has read it (the office and leaders see it)
    pub receipts: Option<Vec<UnitReceipt>>,
    pub errors: Vec<String>,
    pub history: Vec<TimelineEntry>,
}

impl BulletinPage {
    /// The receipts' export files (path without extension).
    pub fn receipts_export_path(&self) -> String {
        format!("/bulletins/{}/receipts/export", self.b.id)
    }

    /// INS-13: the bulletin as an official document, for the PDF.
    pub fn document(&self) -> crate::documents::Document {
        use crate::documents::{Block, Document};
        let ctx = &self.ctx;
        let blocks = [&self.b.lead, &self.b.body, &self.b.closing]
            .into_iter()
            .filter(|text| !text.trim().is_empty())
            .map(|text| Block::Paragraph { text: text.clone() })
            .collect();
        Document {
            office: self.office_name.clone(),
            title: self.b.title.clone(),
            number: String::new(),
            addressee: ctx
                .t("bulletins.addressee")
                .trim_end_matches(['：', ':'])
                .to_string(),
            blocks,
            date: self.published_on.clone(),
            note: if self.draft {
                ctx.t(self.state_key).to_string()
            } else {
                String::new()
            },
            landscape: false,
        }
    }
}

/// INS-13: the bulletins part of the leaders' overview: the latest, with how many units have
/// read each (how many are published is in the notices' glance).
#[derive(Clone)]
pub struct BulletinOverview {
    pub recent: Vec<BulletinItem>,
}
