//! Settings: the embedded `config/default.toml`, then `config/default.toml` and `config/local.toml`
//! from the working directory, then a file named on the command line, then `XIAONENG__SECTION__KEY`
//! environment variables. `DATABASE_URL` is honoured when `database.url` is empty.

use std::path::{Path, PathBuf};

use config::{Environment, File, FileFormat};
use serde::Deserialize;

const DEFAULTS: &str = include_str!("../config/default.toml");

#[derive(Debug, Clone, Deserialize)]
pub struct Config {
    pub server: ServerConfig,
    pub database: DatabaseConfig,
    pub session: SessionConfig,
    pub auth: AuthConfig,
    pub log: LogConfig,
    pub demo: DemoConfig,
    pub evidence: EvidenceConfig,
    pub documents: DocumentsConfig,
    pub mail: MailConfig,
    pub complaints: ComplaintsConfig,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ServerConfig {
    pub listen: String,
    pub public_url: String,
    pub tls: bool,
    pub trusted_origins: Vec<String>,
    pub trust_forwarded_for: bool,
    pub request_timeout_secs: u64,
    pub body_limit_bytes: usize,
    pub static_dir: PathBuf,
    pub static_max_age_secs: u64,
    pub shutdown_grace_secs: u64,
}

#[derive(Debug, Clone, Deserialize)]
pub struct DatabaseConfig {
    pub url: String,
    pub max_connections: u32,
    pub acquire_timeout_secs: u64,
    pub embedded_dir: PathBuf,
}

#[derive(Debug, Clone, Deserialize)]
pub struct SessionConfig {
    pub idle_timeout_minutes: i64,
    pub absolute_lifetime_hours: i64,
}

#[derive(Debug, Clone, Deserialize)]
pub struct AuthConfig {
    pub max_failures_per_account: i64,
    pub max_failures_per_address: i64,
    pub throttle_window_minutes: i64,
}

#[derive(Debug, Clone, Deserialize)]
pub struct LogConfig {
    pub filter: String,
    pub json: bool,
}

#[derive(Debug, Clone, Deserialize)]
pub struct DemoConfig {
    pub create_on_empty: bool,
    pub logins_file: PathBuf,
}

#[derive(Debug, Clone, Deserialize)]
pub struct EvidenceConfig {
    pub dir: PathBuf,
    pub max_bytes: u64,
    pub upload_timeout_secs: u64,
    pub retention_days: i64,
    pub s3_bucket: String,
    pub s3_endpoint: String,
    pub s3_region: String,
    pub s3_access_key_id: String,
    pub s3_secret_access_key: String,
    pub s3_allow_http: bool,
}

#[derive(Debug, Clone, Deserialize)]
pub struct DocumentsConfig {
    /// Folders searched (with their subfolders) for the fonts documents are typeset in.
    pub font_dirs: Vec<PathBuf>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ComplaintsConfig {
    /// CMP-13: the pg_trgm similarity from which an open complaint is shown as similar
    pub similarity: f32,
    /// complaints one client address may file on the public form in an hour
    pub public_per_hour: u32,
    /// wrong tracking codes one client address may try in an hour
    pub track_failures_per_hour: u32,
    /// CMP-02: files (photos from the phone's camera) the public form takes with a complaint
    pub public_files: usize,
    /// the largest such file, in bytes
    pub public_file_bytes: u64,
    /// CMP-08: working days after assignment within which the unit signs for a complaint before
    /// the scheduled job records the receipt (at least 1)
    pub sign_within_working_days: u32,
}

#[derive(Debug, Clone, Deserialize)]
pub struct MailConfig {
    /// The SMTP server notifications are mailed through; empty for no mail.
    pub smtp_url: String,
    /// The sender of that mail.
    pub from: String,
}

impl Config {
    /// Loads the layered configuration; `extra` is a file given with `--config`.
    pub fn load(extra: Option<&Path>) -> anyhow::Result<Self> {
        let mut builder = config::Config::builder()
            .add_source(File::from_str(DEFAULTS, FileFormat::Toml))
            .add_source(File::new("config/default.toml", FileFormat::Toml).required(false))
            .add_source(File::new("config/local.toml", FileFormat::Toml).required(false));
        if let Some(path) = extra {
            builder = builder.add_source(File::from(path).format(FileFormat::Toml));
        }
        let built = builder
            .add_source(
                Environment::with_prefix("XIAONENG")
                    .prefix_separator("__")
                    .separator("__")
                    .list_separator(",")
                    .with_list_parse_key("server.trusted_origins")
                    .with_list_parse_key("documents.font_dirs")
                    .try_parsing(true),
            )
            .build()?;
        let mut config: Config = built.try_deserialize()?;
        if config.database.url.is_empty()
            && let Ok(url) = std::env::var("DATABASE_URL")
        {
            config.database.url = url;
        }
        Ok(config)
    }

    /// The built-in defaults alone, ignoring files and the environment (for tests).
    pub fn defaults() -> anyhow::Result<Self> {
        let built = config::Config::builder()
            .add_source(File::from_str(DEFAULTS, FileFormat::Toml))
            .build()?;
        Ok(built.try_deserialize()?)
    }

    /// The session cookie's name: `__Host-` prefixed when served over TLS.
    pub fn session_cookie_name(&self) -> &'static str {
        if self.server.tls {
            "__Host-xiaoneng"
        } else {
            "xiaoneng"
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_parse_and_are_sane() {
        let config = Config::defaults().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(config.server.listen, "127.0.0.1:8080");
        assert_eq!(config.session_cookie_name(), "xiaoneng");
        assert!(config.auth.max_failures_per_account > 0);
    }
}
