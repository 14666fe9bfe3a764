//! Pages of bulletins: the list, the form for a new draft's period, the draft's texts, the
//! bulletin itself (a printable document, and its PDF) with who has read it, and their part of
//! the leaders' overview.

use askama::Template;

use super::db::BulletinRow;
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
