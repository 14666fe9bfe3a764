//! How evidence is listed on the pages of the records it belongs to.

use super::db::EvidenceItem;
use super::sniff::MediaType;
use crate::web::PageCtx;

/// One file as a record's page lists it.
pub struct EvidenceView {
    pub href: String,
    pub thumb: Option<String>,
    pub name: String,
    pub kind: &'static str,
    pub size: String,
    pub late: bool,
    pub purged: bool,
}

/// The files of a record (a finding, a complaint) as its page lists them, photos with a thumbnail.
pub fn evidence_views(ctx: &PageCtx, items: Vec<EvidenceItem>) -> Vec<EvidenceView> {
    items
        .into_iter()
        .map(|e| {
            let media = MediaType::from_code(&e.media_type);
            let thumbable = media
                .is_some_and(|m| matches!(m, MediaType::Jpeg | MediaType::Png | MediaType::Webp));
            EvidenceView {
                href: ctx.href(&format!("/evidence/{}", e.id)),
                thumb: (thumbable && !e.purged)
                    .then(|| ctx.href(&format!("/evidence/{}/thumbnail", e.id))),
                name: e.original_name,
                kind: match media {
                    Some(m) if m.is_video() => "evidence.video",
                    Some(m) if m.is_image() => "evidence.photo",
                    _ => "evidence.document",
                },
                size: human_size(e.size_bytes),
                late: e.late,
                purged: e.purged,
            }
        })
        .collect()
}

/// A size for people: 3.2 MB.
pub fn human_size(bytes: i64) -> String {
    let bytes = bytes as f64;
    if bytes >= 1024.0 * 1024.0 * 1024.0 {
        format!("{:.1} GB", bytes / (1024.0 * 1024.0 * 1024.0))
    } else if bytes >= 1024.0 * 1024.0 {
        format!("{:.1} MB", bytes / (1024.0 * 1024.0))
    } else if bytes >= 1024.0 {
        format!("{:.0} KB", bytes / 1024.0)
    } else {
        format!("{bytes} B")
    }
}
