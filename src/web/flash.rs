//! Flash messages: set before a redirect, shown once on the next page. Kept in the session as a
//! catalog key (and one argument), so they appear in whatever language the next page uses.

use serde::{Deserialize, Serialize};
use tower_sessions::Session;

use crate::i18n::Lang;

const KEY: &str = "flash";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FlashKind {
    Success,
    Info,
    Error,
}

impl FlashKind {
    pub fn css_class(self) -> &'static str {
        match self {
            Self::Success => "flash-success",
            Self::Info => "flash-info",
            Self::Error => "flash-error",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Flash {
    pub kind: FlashKind,
    pub key: String,
    pub arg: Option<String>,
}

impl Flash {
    /// A change went through.
    pub fn success(key: &str) -> Self {
        Self {
            kind: FlashKind::Success,
            key: key.into(),
            arg: None,
        }
    }

    /// Something to know (a thing withdrawn, dismissed, or nothing to do).
    pub fn info(key: &str) -> Self {
        Self {
            kind: FlashKind::Info,
            ..Self::success(key)
        }
    }

    /// Something refused, said on the page the user comes back to.
    pub fn error(key: &str) -> Self {
        Self {
            kind: FlashKind::Error,
            ..Self::success(key)
        }
    }

    /// The message with `arg` in place of its `{}`.
    pub fn with(self, arg: impl Into<String>) -> Self {
        Self {
            arg: Some(arg.into()),
            ..self
        }
    }

    pub fn text(&self, lang: Lang) -> String {
        let text = lang.t(&self.key);
        match &self.arg {
            Some(arg) => text.replacen("{}", arg, 1),
            None => text.to_string(),
        }
    }
}

/// Queues a message for the next page.
pub async fn push(session: &Session, kind: FlashKind, key: &str, arg: Option<String>) {
    queue(
        session,
        Flash {
            kind,
            key: key.into(),
            arg,
        },
    )
    .await
}

/// Queues `flash` for the next page.
pub async fn queue(session: &Session, flash: Flash) {
    let mut queued: Vec<Flash> = session.get(KEY).await.ok().flatten().unwrap_or_default();
    queued.push(flash);
    if let Err(error) = session.insert(KEY, queued).await {
        tracing::warn!(%error, "could not keep a flash message");
    }
}

/// Takes (and removes) the queued messages. A session without any is left unmodified, so that an
/// ordinary page view does not write the session back.
pub async fn take(session: &Session) -> Vec<Flash> {
    let queued: Vec<Flash> = session.get(KEY).await.ok().flatten().unwrap_or_default();
    if !queued.is_empty() {
        let _removed = session.remove_value(KEY).await;
    }
    queued
}
