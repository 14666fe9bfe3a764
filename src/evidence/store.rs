//! The evidence store (INS-09): an upload is streamed to a temporary file while it is hashed
//! (SHA-256), sniffed and measured, never held whole in memory; the file is fsynced, then moved to
//! its content address (`{office}/{aa}/{sha256}`), and only then may the caller record it in the
//! database. A refused, failed or abandoned upload (the client went away and the request future
//! was dropped) leaves no temporary file: [`TempFile`] removes it when dropped.
//!
//! The bytes live behind `object_store`: the local filesystem by default (`var/evidence`, where
//! the move is a rename on the same disk), or an S3-compatible bucket (the temporary file is then
//! sent up in parts and removed).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::NaiveDateTime;
use object_store::aws::AmazonS3Builder;
use object_store::local::LocalFileSystem;
use object_store::path::Path as ObjectPath;
use object_store::{GetOptions, GetRange, GetResult, ObjectStore, ObjectStoreExt, WriteMultipart};
use sha2::{Digest, Sha256};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use uuid::Uuid;

use super::sniff::{self, MediaType, Refusal};
use crate::config::EvidenceConfig;

/// How much of the beginning of a file is kept for sniffing and for the EXIF time.
const HEAD_LEN: usize = 256 * 1024;

/// Where evidence bytes are kept.
pub struct Store {
    objects: Arc<dyn ObjectStore>,
    /// The store's own folder when it is the local filesystem: a finished upload is renamed in.
    local_root: Option<PathBuf>,
    tmp_dir: PathBuf,
    pub max_bytes: u64,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Store({})", self.objects)
    }
}

/// Why an upload was not kept.
#[derive(Debug)]
pub enum UploadError {
    /// The bytes are not an allowed kind of file (INS-09): the message key says which.
    Refused(Refusal),
    /// Larger than `evidence.max_bytes`.
    TooLarge,
    Io(std::io::Error),
    Store(object_store::Error),
}

impl From<std::io::Error> for UploadError {
    fn from(error: std::io::Error) -> Self {
        Self::Io(error)
    }
}

impl From<object_store::Error> for UploadError {
    fn from(error: object_store::Error) -> Self {
        Self::Store(error)
    }
}

/// A temporary file that is removed unless it was moved away.
struct TempFile {
    path: PathBuf,
    armed: bool,
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if self.armed {
            // Runs on every early return and when the request is cancelled mid-upload.
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// An upload in progress.
pub struct Upload {
    file: tokio::fs::File,
    temp: TempFile,
    hasher: Sha256,
    size: u64,
    head: Vec<u8>,
    media: Option<MediaType>,
    max_bytes: u64,
}

/// Bytes at their content address.
#[derive(Debug, Clone)]
pub struct Placed {
    pub key: String,
    /// The address was empty before.
    pub created: bool,
    /// Which placement of the object this request made: the store's entity tag (on the local
    /// filesystem it names the file's inode, so a later rename of the same bytes differs) and its
    /// time.
    pub tag: String,
}

/// Tells one placement of an object from another (see [`Placed::tag`]).
fn placement_tag(meta: &object_store::ObjectMeta) -> String {
    format!(
        "{}@{}",
        meta.e_tag.as_deref().unwrap_or(""),
        meta.last_modified.timestamp_nanos_opt().unwrap_or_default()
    )
}

/// A complete upload on disk, hashed and recognised, not yet at its content address.
pub struct Written {
    temp: TempFile,
    pub sha256: String,
    pub size: u64,
    pub media: MediaType,
    /// When the photo was taken, by its EXIF (local time of the camera).
    pub exif_taken_at: Option<NaiveDateTime>,
}

impl Store {
    pub fn from_config(config: &EvidenceConfig) -> anyhow::Result<Self> {
        let tmp_dir = config.dir.join("tmp");
        if config.s3_bucket.is_empty() {
            std::fs::create_dir_all(&tmp_dir)?;
            let root = std::fs::canonicalize(&config.dir)?;
            Ok(Self {
                objects: Arc::new(LocalFileSystem::new_with_prefix(&root)?),
                local_root: Some(root),
                tmp_dir,
                max_bytes: config.max_bytes,
            })
        } else {
            std::fs::create_dir_all(&tmp_dir)?;
            let mut builder = AmazonS3Builder::new()
                .with_bucket_name(&config.s3_bucket)
                .with_region(&config.s3_region)
                .with_allow_http(config.s3_allow_http);
            if !config.s3_endpoint.is_empty() {
                builder = builder.with_endpoint(&config.s3_endpoint);
            }
            if !config.s3_access_key_id.is_empty() {
                builder = builder
                    .with_access_key_id(&config.s3_access_key_id)
                    .with_secret_access_key(&config.s3_secret_access_key);
            }
            Ok(Self {
                objects: Arc::new(builder.build()?),
                local_root: None,
                tmp_dir,
                max_bytes: config.max_bytes,
            })
        }
    }

    /// The content address of a file of an office.
    pub fn key(tenant_id: Uuid, sha256: &str) -> String {
        format!("{}/{}/{}", tenant_id, &sha256[..2], sha256)
    }

    /// Starts an upload into a fresh temporary file.
    pub async fn begin(&self) -> std::io::Result<Upload> {
        let path = self.tmp_dir.join(format!("{}.part", Uuid::new_v4()));
        let file = tokio::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .await?;
        Ok(Upload {
            file,
            temp: TempFile { path, armed: true },
            hasher: Sha256::new(),
            size: 0,
            head: Vec::new(),
            media: None,
            max_bytes: self.max_bytes,
        })
    }

    /// Stores a whole small file at once (a drawn signature), through the same steps.
    pub async fn write_all(&self, bytes: &[u8]) -> Result<Written, UploadError> {
        let mut upload = self.begin().await?;
        upload.write(bytes).await?;
        upload.finish().await
    }

    /// Moves a finished upload to its content address. Returns the key, whether the address was
    /// empty before (this request created the object), and the object's modification time as
    /// placed by this call.
    ///
    /// The same bytes already stored are placed again all the same (a rename over them, or a new
    /// upload): the object's time then says it was just written, so the sweep of unrecorded bytes
    /// (which takes only objects a day old) and an earlier request's [`Store::forget`] (which
    /// removes only the object as that request placed it) leave it to this request.
    pub async fn keep(&self, tenant_id: Uuid, mut written: Written) -> Result<Placed, UploadError> {
        let key = Self::key(tenant_id, &written.sha256);
        let location = ObjectPath::from(key.as_str());
        let existed = self.objects.head(&location).await.is_ok();
        if let Some(root) = &self.local_root {
            let target = root.join(&key);
            let parent = target.parent().unwrap_or(root);
            tokio::fs::create_dir_all(parent).await?;
            tokio::fs::rename(&written.temp.path, &target).await?;
            written.temp.armed = false;
            // the rename is durable once its folder is synced, and a new folder once its own
            // parent is (`{office}/{aa}` may both be new)
            let mut folder = Some(parent);
            while let Some(dir) = folder {
                tokio::fs::File::open(dir).await?.sync_all().await?;
                folder = dir.parent().filter(|up| up.starts_with(root));
            }
        } else {
            let upload = self.objects.put_multipart(&location).await?;
            let mut writer = WriteMultipart::new_with_chunk_size(upload, 8 * 1024 * 1024);
            let mut file = tokio::fs::File::open(&written.temp.path).await?;
            let mut buffer = vec![0u8; 1024 * 1024];
            let sent: Result<(), UploadError> = async {
                loop {
                    let n = file.read(&mut buffer).await?;
                    if n == 0 {
                        return Ok(());
                    }
                    writer.wait_for_capacity(4).await?;
                    writer.write(&buffer[..n]);
                }
            }
            .await;
            // a part-sent object is abandoned, never left half-written in the bucket
            if let Err(error) = sent {
                writer.abort().await.ok();
                return Err(error);
            }
            writer.finish().await?;
        }
        let meta = self.objects.head(&location).await?;
        Ok(Placed {
            key,
            created: !existed,
            tag: placement_tag(&meta),
        })
    }

    /// Whether the object is there (a record is made only of bytes that are).
    pub async fn exists(&self, key: &str) -> bool {
        self.objects.head(&ObjectPath::from(key)).await.is_ok()
    }

    /// When the object was last written, if it is there.
    pub async fn modified(&self, key: &str) -> Option<chrono::DateTime<chrono::Utc>> {
        self.objects
            .head(&ObjectPath::from(key))
            .await
            .ok()
            .map(|m| m.last_modified)
    }

    /// Removes an object a request placed but could not record, unless it was placed again since
    /// (another request with the same bytes). The caller holds the key's lock and has checked
    /// that no row records it.
    pub async fn forget(&self, key: &str, placed: &str) {
        let now = self.objects.head(&ObjectPath::from(key)).await;
        if now.ok().map(|meta| placement_tag(&meta)).as_deref() != Some(placed) {
            return;
        }
        if let Err(error) = self.objects.delete(&ObjectPath::from(key)).await {
            tracing::warn!(%key, %error, "could not remove an unrecorded evidence file");
        }
    }

    /// Removes unrecorded bytes found by the sweep (the caller holds the key's lock).
    pub async fn remove(&self, key: &str) -> Result<(), object_store::Error> {
        self.purge(key).await
    }

    /// Removes the bytes of a purged file (INS-09 retention).
    pub async fn purge(&self, key: &str) -> Result<(), object_store::Error> {
        match self.objects.delete(&ObjectPath::from(key)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(error) => Err(error),
        }
    }

    /// Reads a file, or a range of it.
    pub async fn get(
        &self,
        key: &str,
        range: Option<GetRange>,
    ) -> Result<GetResult, object_store::Error> {
        let options = GetOptions {
            range,
            ..Default::default()
        };
        self.objects.get_opts(&ObjectPath::from(key), options).await
    }

    /// Reads a small file whole (a photo to make a thumbnail of).
    pub async fn get_bytes(&self, key: &str) -> Result<bytes::Bytes, object_store::Error> {
        self.objects
            .get(&ObjectPath::from(key))
            .await?
            .bytes()
            .await
    }

    /// Stores a derived file (a thumbnail) under its own key.
    pub async fn put_derived(&self, key: &str, bytes: Vec<u8>) -> Result<(), object_store::Error> {
        self.objects
            .put(&ObjectPath::from(key), bytes.into())
            .await
            .map(|_| ())
    }

    /// The office's stored files (not thumbnails) last written before `before`.
    pub async fn stored_before(
        &self,
        tenant_id: Uuid,
        before: chrono::DateTime<chrono::Utc>,
    ) -> Result<Vec<String>, object_store::Error> {
        use futures_util::StreamExt;
        let prefix = ObjectPath::from(tenant_id.to_string());
        let mut listing = self.objects.list(Some(&prefix));
        let mut keys = Vec::new();
        while let Some(meta) = listing.next().await {
            let meta = meta?;
            let key = meta.location.to_string();
            if meta.last_modified < before && !key.contains("/thumbs/") {
                keys.push(key);
            }
        }
        Ok(keys)
    }

    /// Removes temporary files older than `before` (an upload of a process that died); returns
    /// how many went.
    pub async fn sweep_temporary(&self, before: std::time::SystemTime) -> std::io::Result<u32> {
        let mut removed = 0;
        let mut entries = tokio::fs::read_dir(&self.tmp_dir).await?;
        while let Some(entry) = entries.next_entry().await? {
            let modified = entry.metadata().await?.modified()?;
            if modified < before && tokio::fs::remove_file(entry.path()).await.is_ok() {
                removed += 1;
            }
        }
        Ok(removed)
    }

    /// The largest file, for people ("1.0 GB"), as upload forms state it.
    pub fn max_upload_text(&self) -> String {
        super::views::human_size(i64::try_from(self.max_bytes).unwrap_or(i64::MAX))
    }

    /// The temporary folder (tests look into it to prove nothing is left behind).
    pub fn tmp_dir(&self) -> &Path {
        &self.tmp_dir
    }
}

impl Upload {
    /// Appends a chunk: counted against the limit, hashed, written; the type is decided as soon
    /// as enough of the head is in, so a refused file stops early.
    pub async fn write(&mut self, chunk: &[u8]) -> Result<(), UploadError> {
        self.size += chunk.len() as u64;
        if self.size > self.max_bytes {
            return Err(UploadError::TooLarge);
        }
        if self.head.len() < HEAD_LEN {
            let take = chunk.len().min(HEAD_LEN - self.head.len());
            self.head.extend_from_slice(&chunk[..take]);
        }
        if self.media.is_none() && self.head.len() >= sniff::SNIFF_LEN {
            self.media = Some(sniff::sniff(&self.head).map_err(UploadError::Refused)?);
        }
        self.hasher.update(chunk);
        self.file.write_all(chunk).await?;
        Ok(())
    }

    /// Bytes received so far.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// Ends the upload: recognised, hashed and on disk for good (fsync).
    pub async fn finish(mut self) -> Result<Written, UploadError> {
        let media = match self.media {
            Some(media) => media,
            None => sniff::sniff(&self.head).map_err(UploadError::Refused)?,
        };
        self.file.flush().await?;
        self.file.sync_all().await?;
        let exif_taken_at = if media == MediaType::Jpeg {
            sniff::exif_taken_at(&self.head)
        } else {
            None
        };
        Ok(Written {
            temp: self.temp,
            sha256: hex::encode(self.hasher.finalize()),
            size: self.size,
            media,
            exif_taken_at,
        })
    }
}
