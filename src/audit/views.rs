//! Pages of the audit log: the office's log and the timeline of one record.

use std::collections::HashMap;

use askama::Template;
use uuid::Uuid;

use super::db::EventRow;
use crate::web::PageCtx;

/// One event as a line of a log or a timeline, in words: people by their names, records by
/// theirs, values by their labels; never a raw id, hash, enum value or rule ID.
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
                        detail_value(ctx, &e.names, k, v)
                    )
                })
                .collect::<Vec<_>>()
                .join(" · "),
            _ => String::new(),
        };
        let actor = match e.by_user {
            true => e.actor_name,
            // the system (`jobs`, `cli`) by what it is
            false => catalog_or(ctx, "actor", &e.actor_name),
        };
        let subject = {
            let key = format!("subject.{}", e.subject_type);
            let kind = ctx.lang.get(&key).unwrap_or(e.subject_type.as_str());
            match e.subject_id {
                Some(id) => format!("{kind} {}", name_or_reference(&e.names, id)),
                None => kind.to_string(),
            }
        };
        Self {
            seq: e.seq,
            at: ctx.local_time(&e.occurred_at),
            actor,
            action,
            subject,
            detail,
            client_addr: e.client_addr.unwrap_or_default(),
        }
    }

    /// The log's columns (catalog keys), in the order of [`Self::cells`]: its export's header.
    pub const COLUMNS: [&'static str; 7] = [
        "audit.seq",
        "audit.time",
        "audit.actor",
        "audit.action",
        "audit.subject",
        "audit.detail",
        "audit.address",
    ];

    /// The event as an export's row: what the log's row shows, one column each.
    pub fn cells(self) -> Vec<String> {
        vec![
            self.seq.to_string(),
            self.at,
            self.actor,
            self.action,
            self.subject,
            self.detail,
            self.client_addr,
        ]
    }
}

/// The catalog's `{area}.{key}`, or the key itself when the catalog has none.
fn catalog_or(ctx: &PageCtx, area: &str, key: &str) -> String {
    let full = format!("{area}.{key}");
    ctx.lang.get(&full).unwrap_or(key).to_string()
}

/// A record by its name, or, when it has none to be had, by a short reference: the tail of its
/// UUIDv7, the random part (the head is a timestamp).
fn name_or_reference(names: &HashMap<Uuid, String>, id: Uuid) -> String {
    match names.get(&id) {
        Some(name) => name.clone(),
        None => format!("…{}", &id.simple().to_string()[26..]),
    }
}

/// How many hex digits of a hash a reader is shown: enough to tell two apart and to find one.
const HASH_SHOWN: usize = 12;

/// A detail value as a reader wants it: yes or no, labels for roles, kinds, reasons and
/// decisions, names for ids, a short prefix of a hash, the article of a rule.
fn detail_value(
    ctx: &PageCtx,
    names: &HashMap<Uuid, String>,
    key: &str,
    value: &serde_json::Value,
) -> String {
    use serde_json::Value;
    let text = match value {
        Value::Bool(yes) => return ctx.t(if *yes { "value.yes" } else { "value.no" }).into(),
        Value::Array(items) => {
            let each: Vec<String> = items
                .iter()
                .map(|v| detail_value(ctx, names, key, v))
                .collect();
            return each.join("、");
        }
        Value::String(s) => s.clone(),
        other => return other.to_string(),
    };
    match key {
        "role" => crate::core::Role::parse(&text)
            .map(|r| ctx.t(r.label_key()).to_string())
            .unwrap_or(text),
        "reason" => catalog_or(ctx, "reason", &text),
        "employment" => catalog_or(ctx, "employment", &text),
        "rule_id" => crate::core::citation(&text, ctx.lang).unwrap_or(text),
        k if k.ends_with("_id") => match Uuid::parse_str(&text) {
            Ok(id) => name_or_reference(names, id),
            Err(_) => text,
        },
        _ if is_hash(&text) => format!("{}…", &text[..HASH_SHOWN]),
        // a stored enum value (`covert`, `upheld`) by its label; other text as it was written
        _ if is_token(&text) => catalog_or(ctx, "value", &text),
        _ => text,
    }
}

/// A hex digest or seed: long, and hex digits only.
fn is_hash(text: &str) -> bool {
    text.len() >= 32 && text.bytes().all(|b| b.is_ascii_hexdigit())
}

/// What a stored enum value looks like: lower-case letters and underscores.
fn is_token(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
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
    /// the export links' query: where the page starts
    pub export_query: String,
    /// the most events an export holds
    pub export_cap: i64,
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::i18n::Lang;

    fn shown(lang: Lang, key: &str, value: serde_json::Value) -> String {
        let names = HashMap::from([(Uuid::from_u128(7), "第一单位".to_string())]);
        detail_value(&PageCtx::bare(lang, "/"), &names, key, &value)
    }

    #[test]
    fn a_detail_reads_in_words_not_codes() {
        assert_eq!(shown(Lang::Zh, "copied", json!(false)), "否");
        assert_eq!(shown(Lang::En, "excellence_lost", json!(true)), "yes");
        assert_eq!(shown(Lang::Zh, "kind", json!("covert")), "暗访");
        assert_eq!(shown(Lang::Zh, "decision", json!("upheld")), "异议成立");
        assert_eq!(shown(Lang::Zh, "employment", json!("seconded")), "借调");
        assert_eq!(
            shown(Lang::Zh, "role", json!("leader")),
            Lang::Zh.t("role.leader")
        );
        let unit = Uuid::from_u128(7).to_string();
        assert_eq!(shown(Lang::Zh, "unit_id", json!(unit)), "第一单位");
        let nameless = Uuid::from_u128(0xabcdef).to_string();
        assert_eq!(shown(Lang::Zh, "task_id", json!(nameless)), "…abcdef");
        let sha = "a".repeat(64);
        assert_eq!(shown(Lang::Zh, "sha256", json!(sha)), "aaaaaaaaaaaa…");
        assert_eq!(
            shown(Lang::Zh, "rule_id", json!("INS-05")),
            "《宣城市直单位效能考评明查暗访暂行办法》第四条"
        );
        // words as they were written stay
        assert_eq!(shown(Lang::Zh, "name", json!("窗口 服务")), "窗口 服务");
        assert_eq!(shown(Lang::Zh, "username", json!("admin")), "admin");
        assert_eq!(shown(Lang::Zh, "count", json!(3)), "3");
    }
}
