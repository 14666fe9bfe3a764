//! Pages of the audit log: the office's log and the timeline of one record.

use askama::Template;

use super::db::EventRow;
use crate::registry::views::local_time;
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
        let key = format!("audit.{}", e.action);
        let action = if crate::i18n::has_key(&key) {
            ctx.t(&key).to_string()
        } else {
            e.action.clone()
        };
        let detail = match &e.detail {
            serde_json::Value::Object(map) if !map.is_empty() => map
                .iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| match v {
                    serde_json::Value::String(s) => format!("{k}: {s}"),
                    other => format!("{k}: {other}"),
                })
                .collect::<Vec<_>>()
                .join(" · "),
            _ => String::new(),
        };
        Self {
            seq: e.seq,
            at: local_time(&e.occurred_at),
            actor: e.actor_name,
            action,
            subject: {
                let key = format!("subject.{}", e.subject_type);
                let kind = if crate::i18n::has_key(&key) {
                    ctx.t(&key)
                } else {
                    e.subject_type.as_str()
                };
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

#[derive(Template)]
#[template(path = "audit/list.html")]
pub struct AuditLogPage {
    pub ctx: PageCtx,
    pub events: Vec<TimelineEntry>,
    pub older_href: Option<String>,
}
