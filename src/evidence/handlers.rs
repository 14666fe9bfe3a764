//! Evidence pages (INS-14): a file's page, its bytes (inline or as a download), each delivery
//! recorded with who, when and from where. Nothing here changes or deletes evidence (INS-09).

use askama::Template;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use object_store::GetRange;
use serde::Deserialize;
use uuid::Uuid;

use super::db::{self, EvidenceRow};
use super::may_see;
use super::sniff::MediaType;
use super::views::human_size;
use crate::AppState;
use crate::core::{AppError, AppResult, ClientAddr, CurrentUser, not_found};
use crate::db::{Tx, Wrote};
use crate::web::{PageCtx, Path, Query, render};

#[derive(Debug, Deserialize)]
pub struct EvidencePath {
    pub evidence_id: Uuid,
}

/// The file, if this user may see it (else 404).
async fn visible(tx: &mut Tx, user: &CurrentUser, evidence_id: Uuid) -> AppResult<EvidenceRow> {
    let row = db::get(tx, evidence_id, user.id).await?;
    if !may_see(user, &row) {
        return Err(not_found());
    }
    Ok(row)
}

#[derive(Template)]
#[template(path = "evidence/show.html")]
pub struct EvidencePage {
    pub ctx: PageCtx,
    pub row: EvidenceRow,
    pub kind: MediaType,
    pub content_href: String,
    pub back_href: String,
    pub size: String,
    pub taken_at: String,
    pub uploaded_at: String,
    pub purged_at: String,
    /// (when, who, what, from where); shown to the office only
    pub accesses: Vec<(String, String, &'static str, String)>,
}

/// A file's page: what it is, its hash, when it was taken and sent, the file itself.
pub async fn show_evidence(
    user: CurrentUser,
    Path(EvidencePath { evidence_id }): Path<EvidencePath>,
    ctx: PageCtx,
    mut tx: Tx,
) -> AppResult<Response> {
    let row = visible(&mut tx, &user, evidence_id).await?;
    let accesses = if user.of_office() {
        db::access_log(&mut tx, row.id)
            .await?
            .into_iter()
            .map(|(at, who, action, addr)| {
                let action = match action.as_str() {
                    "download" => "evidence.access_download",
                    "thumbnail" => "evidence.access_thumbnail",
                    _ => "evidence.access_view",
                };
                (ctx.local_time(&at), who, action, addr)
            })
            .collect()
    } else {
        Vec::new()
    };
    drop(tx);
    let kind = MediaType::from_code(&row.media_type).ok_or_else(|| {
        AppError::Internal(anyhow::anyhow!("unknown media type {}", row.media_type))
    })?;
    let back_href = match (row.finding_id, row.task_id) {
        (Some(finding), _) => ctx.href(&format!("/findings/{finding}")),
        (None, Some(task)) => ctx.href(&format!("/tasks/{task}")),
        _ => ctx.href("/"),
    };
    let page = EvidencePage {
        content_href: ctx.href(&format!("/evidence/{}/content", row.id)),
        back_href,
        size: human_size(row.size_bytes),
        taken_at: row.taken_at.map(|t| ctx.local_time(&t)).unwrap_or_default(),
        uploaded_at: ctx.local_time(&row.uploaded_at),
        purged_at: row
            .purged_at
            .map(|t| ctx.local_time(&t))
            .unwrap_or_default(),
        kind,
        accesses,
        row,
        ctx,
    };
    render(&page)
}

#[derive(Debug, Deserialize)]
pub struct ContentQuery {
    #[serde(default)]
    pub download: Option<String>,
}

/// The bytes of a file, inline for the page's viewer or as a download; one byte range when asked
/// (a phone's video player seeks). INS-14: every delivery is recorded before it starts.
pub async fn evidence_content(
    user: CurrentUser,
    Path(EvidencePath { evidence_id }): Path<EvidencePath>,
    Query(query): Query<ContentQuery>,
    ClientAddr(addr): ClientAddr,
    State(state): State<AppState>,
    headers: HeaderMap,
    mut tx: Tx,
) -> AppResult<Response> {
    let row = visible(&mut tx, &user, evidence_id).await?;
    if row.purged_at.is_some() {
        drop(tx);
        return Ok(StatusCode::GONE.into_response());
    }
    let download = query.download.is_some();
    let range = headers
        .get(header::RANGE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| parse_range(v, row.size_bytes));
    let action = if download { "download" } else { "view" };
    let later_range = range.as_ref().is_some_and(|r| r.start > 0);
    record_delivery(&mut tx, (&user, &addr), &row, action, later_range).await?;
    drop(tx);
    let got = state
        .evidence
        .get(&row.storage_key, range.clone().map(GetRange::Bounded))
        .await
        .map_err(|e| AppError::Internal(e.into()))?;
    let mut response = delivery(&row, got, range.is_some(), download);
    response.extensions_mut().insert(Wrote);
    Ok(response)
}

/// INS-14: every delivery is recorded; a video player's run of range requests counts as one
/// look (a later range within ten minutes of the user's last record of the same kind).
async fn record_delivery(
    tx: &mut Tx,
    (user, addr): (&CurrentUser, &str),
    row: &EvidenceRow,
    action: &str,
    later_range: bool,
) -> AppResult<()> {
    let window = chrono::Duration::minutes(10);
    if later_range && db::accessed_within(tx, row.id, user.id, action, window).await? {
        return Ok(());
    }
    db::record_access(tx, user.tenant_id, row.id, user.id, action, addr).await?;
    Ok(())
}

/// The file's bytes as the store gives them (all, or the range asked for), under the type the
/// bytes are, with the name the client gave and never as a page of its own.
fn delivery(
    row: &EvidenceRow,
    got: object_store::GetResult,
    partial: bool,
    download: bool,
) -> Response {
    let kind = MediaType::from_code(&row.media_type).unwrap_or(MediaType::Pdf);
    let served = got.range.clone();
    let stream = got
        .into_stream()
        .map(|chunk| chunk.map_err(std::io::Error::other));
    let mut response = Response::new(Body::from_stream(stream));
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(kind.mime()));
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    h.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    h.insert(
        header::CONTENT_LENGTH,
        HeaderValue::from(served.end - served.start),
    );
    let disposition = if download { "attachment" } else { "inline" };
    // the name the client gave, but always with the extension of what the bytes are
    let fallback = format!("{}.{}", &row.sha256[..16], kind.extension());
    let stem = row
        .original_name
        .rsplit_once('.')
        .map_or(row.original_name.as_str(), |(stem, _)| stem);
    let named = format!("{stem}.{}", kind.extension());
    if let Ok(value) = HeaderValue::from_str(&format!(
        "{disposition}; filename=\"{fallback}\"; filename*=UTF-8''{}",
        rfc5987(&named)
    )) {
        h.insert(header::CONTENT_DISPOSITION, value);
    }
    // a file is never a page: no script of its own, whatever it claims to be
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; sandbox"),
    );
    if partial {
        *response.status_mut() = StatusCode::PARTIAL_CONTENT;
        if let Ok(value) = HeaderValue::from_str(&format!(
            "bytes {}-{}/{}",
            served.start,
            served.end.saturating_sub(1),
            row.size_bytes
        )) {
            response.headers_mut().insert(header::CONTENT_RANGE, value);
        }
    }
    response
}

/// A small JPEG of a photo for lists, made on first request and kept beside the original.
/// INS-14: recorded like any other view.
pub async fn evidence_thumbnail(
    user: CurrentUser,
    Path(EvidencePath { evidence_id }): Path<EvidencePath>,
    ClientAddr(addr): ClientAddr,
    State(state): State<AppState>,
    mut tx: Tx,
) -> AppResult<Response> {
    let row = visible(&mut tx, &user, evidence_id).await?;
    let kind = MediaType::from_code(&row.media_type);
    if row.purged_at.is_some()
        || !matches!(
            kind,
            Some(MediaType::Jpeg | MediaType::Png | MediaType::Webp)
        )
        || row.size_bytes > 40 * 1024 * 1024
    {
        return Err(not_found());
    }
    db::record_access(&mut tx, user.tenant_id, row.id, user.id, "thumbnail", &addr).await?;
    drop(tx);
    let key = format!("{}/thumbs/{}.jpg", user.tenant_id, row.sha256);
    let bytes = match state.evidence.get_bytes(&key).await {
        Ok(bytes) => bytes.to_vec(),
        Err(_) => {
            let original = state
                .evidence
                .get_bytes(&row.storage_key)
                .await
                .map_err(|e| AppError::Internal(e.into()))?;
            // decoding a photo takes memory and a core: two at a time per instance
            let _permit = THUMBNAILS
                .acquire()
                .await
                .map_err(|e| AppError::Internal(e.into()))?;
            let made = tokio::task::spawn_blocking(move || thumbnail(&original))
                .await
                .map_err(|e| AppError::Internal(e.into()))?;
            let Some(made) = made else {
                return Err(not_found());
            };
            if let Err(error) = state.evidence.put_derived(&key, made.clone()).await {
                tracing::warn!(%error, "could not keep a thumbnail");
            }
            made
        }
    };
    let mut response = (
        [
            (header::CONTENT_TYPE, "image/jpeg"),
            (header::CACHE_CONTROL, "private, no-store"),
        ],
        bytes,
    )
        .into_response();
    response.extensions_mut().insert(Wrote);
    Ok(response)
}

static THUMBNAILS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(2);

/// A JPEG at most 192 px on its longer side, or `None` when the image cannot be read.
fn thumbnail(original: &[u8]) -> Option<Vec<u8>> {
    let mut reader = image::ImageReader::new(std::io::Cursor::new(original))
        .with_guessed_format()
        .ok()?;
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(20_000);
    limits.max_image_height = Some(20_000);
    limits.max_alloc = Some(256 * 1024 * 1024);
    reader.limits(limits);
    let small = reader.decode().ok()?.thumbnail(192, 192).into_rgb8();
    let mut out = std::io::Cursor::new(Vec::new());
    small.write_to(&mut out, image::ImageFormat::Jpeg).ok()?;
    Some(out.into_inner())
}

/// A header parameter value percent-encoded as RFC 5987 says (only attr-chars stay as they are).
fn rfc5987(value: &str) -> String {
    let mut out = String::with_capacity(value.len() * 3);
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// One `bytes=a-b` range inside the file (a list of ranges is answered whole).
fn parse_range(value: &str, size: i64) -> Option<std::ops::Range<u64>> {
    let size = u64::try_from(size).ok()?;
    let spec = value.strip_prefix("bytes=")?;
    if spec.contains(',') {
        return None;
    }
    let (start, end) = spec.split_once('-')?;
    let (start, end) = match (start.trim(), end.trim()) {
        ("", suffix) => {
            let n: u64 = suffix.parse().ok()?;
            (size.checked_sub(n.min(size))?, size.checked_sub(1)?)
        }
        (start, "") => (start.parse().ok()?, size.checked_sub(1)?),
        (start, end) => (
            start.parse().ok()?,
            end.parse::<u64>().ok()?.min(size.checked_sub(1)?),
        ),
    };
    (start <= end && end < size).then_some(start..end + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ins_14_a_download_keeps_the_clients_name_but_the_sniffed_extension_fully_encoded() {
        assert_eq!(rfc5987("大厅 1.jpg"), "%E5%A4%A7%E5%8E%85%201.jpg");
        assert_eq!(rfc5987("a\"b;c\r\n.pdf"), "a%22b%3Bc%0D%0A.pdf");
    }

    #[test]
    fn ranges_inside_the_file_are_served_and_others_are_not() {
        assert_eq!(parse_range("bytes=0-99", 1000), Some(0..100));
        assert_eq!(parse_range("bytes=900-", 1000), Some(900..1000));
        assert_eq!(parse_range("bytes=-100", 1000), Some(900..1000));
        assert_eq!(parse_range("bytes=0-5000", 1000), Some(0..1000));
        assert_eq!(parse_range("bytes=1000-", 1000), None);
        assert_eq!(parse_range("bytes=0-1,5-6", 1000), None);
        assert_eq!(parse_range("items=0-1", 1000), None);
    }
}
