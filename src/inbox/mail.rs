//! Mail for notifications, when `mail.smtp_url` is set: the scheduled job sends each new
//! notification to its reader's address (if they gave one) and marks it mailed. Nothing depends
//! on mail arriving; the inbox is the record.

use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use sqlx::PgPool;

use crate::config::MailConfig;
use crate::core::Office;
use crate::i18n::Lang;

pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    public_url: String,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailer")
            .field("from", &self.from)
            .finish_non_exhaustive()
    }
}

impl Mailer {
    /// None when no SMTP server is configured. `public_url` starts the links in the mail.
    pub fn from_config(config: &MailConfig, public_url: &str) -> anyhow::Result<Option<Self>> {
        if config.smtp_url.trim().is_empty() {
            return Ok(None);
        }
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(config.smtp_url.trim())
            .map_err(|e| anyhow::anyhow!("mail.smtp_url is not a usable SMTP address: {e}"))?
            .timeout(Some(std::time::Duration::from_secs(20)))
            .build();
        let from = config
            .from
            .parse()
            .map_err(|e| anyhow::anyhow!("mail.from is not a mail address: {e}"))?;
        Ok(Some(Self {
            transport,
            from,
            public_url: public_url.trim_end_matches('/').to_string(),
        }))
    }

    /// Sends the office's notifications not yet mailed; how many went. Each is claimed (marked
    /// mailed) in a short transaction of its own before it is sent, so no lock is held while the
    /// server talks to SMTP and no mail goes twice; a failed send gives its claim back and stops
    /// this round for the office (the rest wait for the next round).
    pub async fn send_pending(&self, pool: &PgPool, office: &Office) -> anyhow::Result<u32> {
        let pending = {
            let mut tx = crate::db::begin_tenant(pool, office.id).await?;
            let pending = super::db::unmailed(&mut tx).await?;
            tx.commit().await?;
            pending
        };
        let mut sent = 0;
        for n in pending {
            let Ok(to) = n.email.parse::<Mailbox>() else {
                tracing::warn!(office = %office.code, notification = %n.id, "a user's mail address does not parse");
                continue;
            };
            let text = super::message(Lang::Zh, &n.kind, &n.detail);
            let link = format!(
                "{}{}",
                self.public_url,
                crate::core::office_path(&office.code, &n.link)
            );
            let message = Message::builder()
                .from(self.from.clone())
                .to(to)
                .subject(format!("【{}】{}", office.name, text))
                .header(lettre::message::header::ContentType::TEXT_PLAIN)
                .body(format!(
                    "{text}\n\n{link}\n\n{}\n",
                    Lang::Zh.t("inbox.mail_footer")
                ))?;
            if !claim(pool, office, n.id, true).await? {
                continue; // another round took it, or the user read it meanwhile
            }
            if let Err(error) = self.transport.send(message).await {
                tracing::warn!(office = %office.code, %error, "mail could not be sent; trying again next round");
                claim(pool, office, n.id, false).await?;
                break;
            }
            sent += 1;
        }
        Ok(sent)
    }
}

/// Marks one notification mailed (`take`), or gives the mark back, in a transaction of its own;
/// whether it changed.
async fn claim(pool: &PgPool, office: &Office, id: uuid::Uuid, take: bool) -> anyhow::Result<bool> {
    let mut tx = crate::db::begin_tenant(pool, office.id).await?;
    let changed = super::db::mark_mailed(&mut tx, id, take).await?;
    tx.commit().await?;
    Ok(changed)
}
