//! Pages of the audit log: the office's log and the timeline of one record.

use askama::Template;

use super::db::EventRow;
use crate::web::PageCtx;

/// One event as a line of a log or a timeline.
pub struct TimelineEntry {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub subject: String,
    pub detail: String,
    pub client_addr: String,
}

impl TimelineEntry {
    pub fn new(ctx: &PageCtx, e: EventRow) -> Self {
        let action = catalog_or(ctx, "audit", &e.action);
        let detail = match &e.detail {
            serde_json::Value::Object(map) => map
                .iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| {
                    format!(
                        "{}: {}",
                        catalog_or(ctx, "detail", k),
                        detail_value(ctx, k, v)
                    )
                })
                .collect::<Vec<_>>()
                .join(" · "),
            _ => String::new(),
        };
        Self {
            seq: e.seq,
            at: ctx.local_time(&e.occurred_at),
            actor: e.actor_name,
            action,
            subject: {
                let key = format!("subject.{}", e.subject_type);
                let kind = ctx.lang.get(&key).unwrap_or(e.subject_type.as_str());
                match e.subject_id {
                    // The tail of a UUIDv7 is its random part; the head is a timestamp.
                    Some(id) => format!("{kind} …{}", &id.simple().to_string()[26..]),
                    None => kind.to_string(),
                }
            },
            detail,
            client_addr: e.client_addr.unwrap_or_default(),
        }
    }
}

/// The catalog's `{area}.{key}`, or the key itself when the catalog has none.
fn catalog_or(ctx: &PageCtx, area: &str, key: &str) -> String {
    let full = format!("{area}.{key}");
    ctx.lang.get(&full).unwrap_or(key).to_string()
}

/// A detail value as a reader wants it: role and reason codes by name, ids shortened.
fn detail_value(ctx: &PageCtx, key: &str, value: &serde_json::Value) -> String {
    let text = match value {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    match key {
        "role" => crate::core::Role::parse(&text)
            .map(|r| ctx.t(r.label_key()).to_string())
            .unwrap_or(text),
        "reason" => catalog_or(ctx, "reason", &text),
        k if k.ends_with("_id") && text.len() == 36 => format!("…{}", &text[30..]),
        _ => text,
    }
}

/// One page of the log: its events, newest first, and the link to the older ones.
pub struct LogPage {
    pub events: Vec<TimelineEntry>,
    pub older_href: Option<String>,
}

#[derive(Template)]
#[template(path = "audit/list.html")]
pub struct AuditLogPage {
    pub ctx: PageCtx,
    pub page: std::sync::Arc<LogPage>,
    pub pager: crate::core::Pager,
}
