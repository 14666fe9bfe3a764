//! Evidence (INS-09, INS-14): photos, videos and documents streamed into a content-addressed store,
//! recorded write-once, shown only to those who may see them, every view and download logged, and
//! the bytes purged after the retention period with the purge itself recorded.

pub mod db;
pub mod handlers;
pub mod sniff;
pub mod store;
pub mod views;

use axum::extract::multipart::{Field, Multipart};
use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;
use uuid::Uuid;

use self::db::{EvidenceRow, NewEvidence, Owner};
pub use self::store::{Placed, Store, UploadError, Written};
use crate::core::{CurrentUser, Role};

/// INS-14: who may see a file. The office and the city's leaders see all; a supervisor, the files
/// of their own group's tasks; a liaison, the files of its unit's confirmed findings, its
/// self-reports, rectification reports and appeals, and of the complaints the office has passed
/// to its unit (CMP-08).
pub fn may_see(user: &CurrentUser, row: &EvidenceRow) -> bool {
    match user.role {
        Role::OfficeAdmin | Role::OfficeStaff | Role::Leader => true,
        Role::Supervisor => row.group_id.is_some() && row.viewer_in_group,
        Role::Liaison => {
            user.unit_id == Some(row.unit_id)
                && (matches!(row.purpose.as_str(), "self_report" | "report" | "appeal")
                    || row.finding_status.as_deref() == Some("confirmed")
                    || row
                        .complaint_status
                        .as_deref()
                        .is_some_and(|s| !matches!(s, "received" | "refused")))
        }
    }
}

/// A file that arrived and is at its content address, not yet recorded.
pub struct Received {
    pub written: WrittenInfo,
    /// Where the bytes are, and how this request left them there (so they go again if the
    /// record cannot be made and nobody placed them since).
    pub placed: Placed,
}

/// What is known of a received file.
pub struct WrittenInfo {
    pub sha256: String,
    pub size: u64,
    pub media: sniff::MediaType,
    pub original_name: String,
    pub client_type: String,
    pub taken_at: Option<DateTime<Utc>>,
    pub taken_at_source: Option<&'static str>,
}

/// A file that was refused, with the message key saying why.
pub struct Refused {
    pub name: String,
    pub reason: &'static str,
}

/// The files of a multipart form (fields named `file`), each streamed to the store as it comes,
/// and the text fields around them. A refused file leaves nothing behind and does not stop the
/// others; a broken stream (the client went away) ends the whole request.
pub struct Intake {
    pub received: Vec<Received>,
    pub refused: Vec<Refused>,
    pub fields: Vec<(String, String)>,
}

impl Intake {
    /// Each refused file or field named with its reason, in the user's language (the name cut to
    /// 80 characters, control characters dropped).
    pub fn refusal_messages(&self, ctx: &crate::web::PageCtx) -> Vec<String> {
        self.refused
            .iter()
            .map(|r| {
                let name: String = r
                    .name
                    .chars()
                    .filter(|c| !c.is_control())
                    .take(80)
                    .collect();
                format!("{name}: {}", ctx.t(r.reason))
            })
            .collect()
    }

    /// A text field as it was sent (empty when it was not).
    pub fn field(&self, name: &str) -> String {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }
}

/// Reads a multipart body into the store. `tz` is the office's time zone, for EXIF times. A
/// broken stream (the client went away, or a form that cannot be read) ends the reading: the
/// error comes back with what was read before it (the typed fields stay on the page; the files
/// already placed are the caller's to forget).
pub async fn intake(
    store: &Store,
    tenant_id: Uuid,
    tz: Tz,
    multipart: Multipart,
) -> (Intake, Option<UploadError>) {
    let mut intake = Intake {
        received: Vec::new(),
        refused: Vec::new(),
        fields: Vec::new(),
    };
    let error = read_fields(store, tenant_id, tz, multipart, &mut intake)
        .await
        .err();
    (intake, error)
}

/// The longest text field of an evidence form (a self-report's text is 10,000 characters).
const MAX_FIELD_BYTES: usize = 64 * 1024;

fn refused_text(intake: &mut Intake, name: &str, kept: String) -> String {
    intake.refused.push(Refused {
        name: name.chars().take(40).collect(),
        reason: "evidence.field_bad_text",
    });
    kept
}

/// A text field, read in pieces and never more than the limit held, kept in `intake.fields`; its
/// value, or `None` when it was too long (refused by name).
async fn read_text(
    mut field: Field<'_>,
    name: &str,
    intake: &mut Intake,
) -> Result<Option<String>, UploadError> {
    let mut bytes = Vec::new();
    let mut too_long = false;
    while let Some(chunk) = field.chunk().await.map_err(multipart_error)? {
        if bytes.len() + chunk.len() > MAX_FIELD_BYTES {
            too_long = true;
        } else {
            bytes.extend_from_slice(&chunk);
        }
    }
    if too_long {
        intake.refused.push(Refused {
            name: name.chars().take(40).collect(),
            reason: "evidence.field_too_long",
        });
        return Ok(None);
    }
    // a NUL byte or bytes that are not UTF-8 cannot be stored: refused by name, and the rest of
    // the text is kept for the form shown again
    let value = match String::from_utf8(bytes) {
        Ok(value) if !value.contains('\0') => value,
        Ok(value) => refused_text(intake, name, value.replace('\0', "")),
        Err(error) => {
            let value = String::from_utf8_lossy(error.as_bytes()).replace('\0', "");
            refused_text(intake, name, value)
        }
    };
    intake.fields.push((name.to_string(), value.clone()));
    Ok(Some(value))
}

async fn read_fields(
    store: &Store,
    tenant_id: Uuid,
    tz: Tz,
    mut multipart: Multipart,
    intake: &mut Intake,
) -> Result<(), UploadError> {
    // the client's word for when the next file was taken (milliseconds since the epoch)
    let mut client_taken: Option<DateTime<Utc>> = None;
    while let Some(field) = multipart.next_field().await.map_err(multipart_error)? {
        let name = field.name().unwrap_or_default().to_string();
        if name != "file" {
            if let Some(value) = read_text(field, &name, intake).await?
                && name == "taken_at_ms"
            {
                client_taken = value
                    .trim()
                    .parse::<i64>()
                    .ok()
                    .and_then(DateTime::from_timestamp_millis);
            }
            continue;
        }
        let original_name = field.file_name().unwrap_or_default().to_string();
        let client_type = field
            .content_type()
            .unwrap_or_default()
            .chars()
            .take(100)
            .collect();
        let checked_name = sniff::check_file_name(&original_name);
        match receive(store, tenant_id, field, checked_name.is_ok()).await? {
            // a file input left empty sends no name and no bytes: nothing was chosen
            FieldOutcome::Skipped { bytes: 0 } if original_name.is_empty() => {}
            FieldOutcome::Refused(refusal) => intake.refused.push(Refused {
                name: original_name,
                reason: refusal.message_key(),
            }),
            FieldOutcome::TooLarge => intake.refused.push(Refused {
                name: original_name,
                reason: "evidence.refused_too_large",
            }),
            FieldOutcome::Skipped { .. } => intake.refused.push(Refused {
                reason: checked_name
                    .err()
                    .map_or("evidence.name_empty", |r| r.message_key()),
                name: original_name,
            }),
            FieldOutcome::Written(written) => {
                let (taken_at, source) = taken_at(written.exif_taken_at, client_taken.take(), tz);
                let info = WrittenInfo {
                    sha256: written.sha256.clone(),
                    size: written.size,
                    media: written.media,
                    original_name: checked_name.unwrap_or_default(),
                    client_type,
                    taken_at,
                    taken_at_source: source,
                };
                let placed = store.keep(tenant_id, written).await?;
                intake.received.push(Received {
                    written: info,
                    placed,
                });
            }
        }
    }
    Ok(())
}

enum FieldOutcome {
    Written(Written),
    Refused(sniff::Refusal),
    TooLarge,
    /// The name was refused: the bytes (this many) were read past and dropped.
    Skipped {
        bytes: u64,
    },
}

async fn receive(
    store: &Store,
    _tenant_id: Uuid,
    mut field: Field<'_>,
    name_ok: bool,
) -> Result<FieldOutcome, UploadError> {
    if !name_ok {
        let mut bytes = 0;
        while let Some(chunk) = field.chunk().await.map_err(multipart_error)? {
            bytes += chunk.len() as u64;
        }
        return Ok(FieldOutcome::Skipped { bytes });
    }
    let mut upload = store.begin().await?;
    loop {
        match field.chunk().await {
            Ok(Some(chunk)) => match upload.write(&chunk).await {
                Ok(()) => {}
                Err(UploadError::Refused(refusal)) => {
                    drop(upload);
                    while field.chunk().await.map_err(multipart_error)?.is_some() {}
                    return Ok(FieldOutcome::Refused(refusal));
                }
                Err(UploadError::TooLarge) => {
                    drop(upload);
                    return Ok(FieldOutcome::TooLarge);
                }
                Err(other) => return Err(other),
            },
            Ok(None) => break,
            Err(error) => {
                if matches!(error.status(), axum::http::StatusCode::PAYLOAD_TOO_LARGE) {
                    return Ok(FieldOutcome::TooLarge);
                }
                return Err(multipart_error(error));
            }
        }
    }
    match upload.finish().await {
        Ok(written) => Ok(FieldOutcome::Written(written)),
        Err(UploadError::Refused(refusal)) => Ok(FieldOutcome::Refused(refusal)),
        Err(other) => Err(other),
    }
}

fn multipart_error(error: axum::extract::multipart::MultipartError) -> UploadError {
    UploadError::Io(std::io::Error::other(error.body_text()))
}

/// When a file was taken: its EXIF time (in the office's zone) first, else the client's word.
fn taken_at(
    exif: Option<NaiveDateTime>,
    client: Option<DateTime<Utc>>,
    tz: Tz,
) -> (Option<DateTime<Utc>>, Option<&'static str>) {
    if let Some(local) = exif
        && let Some(at) = tz.from_local_datetime(&local).earliest()
    {
        return (Some(at.with_timezone(&Utc)), Some("exif"));
    }
    match client {
        Some(at) => (Some(at), Some("client")),
        None => (None, None),
    }
}

/// INS-09: a file is late when it reaches the office after the day it was taken (office time).
pub fn is_late(taken_at: Option<DateTime<Utc>>, uploaded_at: DateTime<Utc>, tz: Tz) -> bool {
    taken_at.is_some_and(|taken| {
        uploaded_at.with_timezone(&tz).date_naive() > taken.with_timezone(&tz).date_naive()
    })
}

/// Who sent files, from where and when.
#[derive(Debug, Clone, Copy)]
pub struct Sender<'a> {
    pub tenant_id: Uuid,
    /// none for a complaint filed on the public form
    pub user_id: Option<Uuid>,
    pub addr: &'a str,
    pub now: DateTime<Utc>,
}

impl<'a> From<&'a crate::audit::Acting> for Sender<'a> {
    fn from(acting: &'a crate::audit::Acting) -> Self {
        Self {
            tenant_id: acting.user.tenant_id,
            user_id: Some(acting.user.id),
            addr: &acting.addr,
            now: acting.now,
        }
    }
}

/// Records the received files for their owner (in the request's transaction). Each file's key
/// is locked until the transaction ends, so that no sweep or forgetting request removes its bytes
/// meanwhile, and a record is made only of bytes that are there.
pub async fn record(
    conn: &mut sqlx::PgConnection,
    store: &Store,
    owner: Owner,
    received: &[Received],
    acting: &crate::audit::Acting,
    tz: Tz,
) -> Result<Vec<Uuid>, crate::core::error::AppError> {
    record_from(conn, store, owner, received, Sender::from(acting), tz).await
}

/// [`record`] for any sender, the public's included.
pub async fn record_from(
    conn: &mut sqlx::PgConnection,
    store: &Store,
    owner: Owner,
    received: &[Received],
    sender: Sender<'_>,
    tz: Tz,
) -> Result<Vec<Uuid>, crate::core::error::AppError> {
    let mut ids = Vec::with_capacity(received.len());
    for r in received {
        db::lock_key(conn, &r.placed.key).await?;
        if !store.exists(&r.placed.key).await {
            return Err(crate::core::error::AppError::Internal(anyhow::anyhow!(
                "evidence bytes {} vanished before they were recorded",
                r.placed.key
            )));
        }
        let w = &r.written;
        let id = db::insert(
            conn,
            sender.tenant_id,
            &NewEvidence {
                owner,
                sha256: &w.sha256,
                size: i64::try_from(w.size).unwrap_or(i64::MAX),
                media_type: w.media.as_str(),
                original_name: &w.original_name,
                client_type: &w.client_type,
                taken_at: w.taken_at,
                taken_at_source: w.taken_at_source,
                late: is_late(w.taken_at, sender.now, tz),
                storage_key: &r.placed.key,
                uploaded_by: sender.user_id,
                client_addr: sender.addr,
            },
        )
        .await?;
        ids.push(id);
    }
    Ok(ids)
}

/// Removes the bytes this request stored when their records could not be made (nothing partial
/// remains), in a transaction of its own after the request's was rolled back: each key is locked,
/// and its bytes stay when a record names them or another request placed them again since.
pub async fn forget(pool: &sqlx::PgPool, store: &Store, tenant_id: Uuid, received: &[Received]) {
    for r in received.iter().filter(|r| r.placed.created) {
        let outcome: Result<(), sqlx::Error> = async {
            let mut tx = crate::db::begin_tenant(pool, tenant_id).await?;
            db::lock_key(&mut tx, &r.placed.key).await?;
            if !db::key_recorded(&mut tx, &r.placed.key).await? {
                store.forget(&r.placed.key, &r.placed.tag).await;
            }
            tx.commit().await
        }
        .await;
        if let Err(error) = outcome {
            tracing::warn!(key = %r.placed.key, %error, "could not check unrecorded evidence bytes");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ins_09_a_photo_sent_the_next_day_is_late_and_the_same_day_is_not() {
        let tz: Tz = "Asia/Shanghai".parse().unwrap_or(chrono_tz::Asia::Shanghai);
        let taken = Utc.with_ymd_and_hms(2026, 3, 2, 15, 30, 0).single();
        // 23:30 the same day in Shanghai
        let same_day = Utc.with_ymd_and_hms(2026, 3, 2, 15, 59, 0).single();
        let next_day = Utc.with_ymd_and_hms(2026, 3, 2, 16, 1, 0).single();
        assert!(taken.is_some() && same_day.is_some() && next_day.is_some());
        let (Some(taken), Some(same_day), Some(next_day)) = (taken, same_day, next_day) else {
            return;
        };
        assert!(!is_late(Some(taken), same_day, tz));
        assert!(is_late(Some(taken), next_day, tz));
        assert!(!is_late(None, next_day, tz));
    }

    #[test]
    fn ins_09_exif_time_wins_over_the_clients_word() {
        let tz = chrono_tz::Asia::Shanghai;
        let exif = chrono::NaiveDate::from_ymd_opt(2026, 3, 2).and_then(|d| d.and_hms_opt(9, 0, 0));
        let client = Utc.with_ymd_and_hms(2026, 3, 5, 0, 0, 0).single();
        let (at, source) = taken_at(exif, client, tz);
        assert_eq!(source, Some("exif"));
        assert_eq!(at, Utc.with_ymd_and_hms(2026, 3, 2, 1, 0, 0).single());
        assert_eq!(taken_at(None, client, tz), (client, Some("client")));
    }
}
