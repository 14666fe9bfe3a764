//! What every page is made with: [`PageCtx`] (language, office, user, navigation, flash messages
//! and the office's time), and rendering a page as a success or as a refused form.

use askama::Template;
use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{Html, IntoResponse, Response};
use chrono::{DateTime, NaiveDate, Utc};
use tower_sessions::Session;

use super::flash::{self, Flash};
use super::nav::{NAV, NavItem};
use crate::core::error::AppError;
use crate::core::{CurrentUser, MaybeUser, Office, Role, full_path, time};
use crate::i18n::Lang;

/// How many things await the signed-in user: the inbox's count, found by the office context for
/// the pages a browser navigates to.
#[derive(Debug, Clone, Copy)]
pub struct InboxCount(pub i64);

/// What every page template needs: language, office, user, navigation, flash messages.
#[derive(Debug, Clone)]
pub struct PageCtx {
    pub lang: Lang,
    pub office: Option<Office>,
    pub user: Option<CurrentUser>,
    pub flashes: Vec<Flash>,
    pub path: String,
    /// The inbox's count, when it was counted for this request.
    pub inbox: Option<i64>,
}

impl PageCtx {
    /// A context with no office and no user (error pages, the front page).
    pub fn bare(lang: Lang, path: &str) -> Self {
        Self {
            lang,
            office: None,
            user: None,
            flashes: Vec::new(),
            path: path.to_string(),
            inbox: None,
        }
    }

    pub fn t(&self, key: &str) -> &'static str {
        self.lang.t(key)
    }

    /// A catalog string with `{}` replaced by `arg`.
    pub fn tf(&self, key: &str, arg: &str) -> String {
        self.lang.t(key).replacen("{}", arg, 1)
    }

    /// A catalog string with each `{}` replaced by the next of `args`, in one pass: an argument
    /// that itself holds `{}` (a name a user typed) stays as typed.
    pub fn tfn(&self, key: &str, args: &[&str]) -> String {
        let mut out = String::new();
        let mut rest = self.lang.t(key);
        for arg in args {
            let Some((head, tail)) = rest.split_once("{}") else {
                break;
            };
            out.push_str(head);
            out.push_str(arg);
            rest = tail;
        }
        out.push_str(rest);
        out
    }

    /// The rule `rule_id` as its reader cites it, by article (never by the ID); empty for what is
    /// no rule.
    pub fn cite(&self, rule_id: &str) -> String {
        crate::core::citation(rule_id, self.lang).unwrap_or_default()
    }

    /// Why a rule refused, in this language (the reason cites the regulation, not the rule's ID).
    pub fn refusal(&self, error: &crate::core::RuleError) -> String {
        match &error.arg {
            Some(arg) => self.tf(error.key, arg),
            None => self.t(error.key).to_string(),
        }
    }

    /// The message for `field` among a form's errors (field name, catalog key), in this language.
    pub fn field_error(
        &self,
        errors: &[(&str, &'static str)],
        field: &str,
    ) -> Option<&'static str> {
        errors.iter().find(|e| e.0 == field).map(|e| self.t(e.1))
    }

    /// The office's time zone (Asia/Shanghai outside an office).
    pub fn time_zone(&self) -> chrono_tz::Tz {
        self.office
            .as_ref()
            .map(Office::tz)
            .unwrap_or(chrono_tz::Asia::Shanghai)
    }

    /// A moment as the office reads it: `2026-11-30 14:05`.
    pub fn local_time(&self, t: &DateTime<Utc>) -> String {
        time::local_time(self.time_zone(), t)
    }

    /// The day a moment falls on in the office's time zone.
    pub fn local_date(&self, t: DateTime<Utc>) -> NaiveDate {
        time::local_date(self.time_zone(), t)
    }

    /// An office-relative link: `/{office}{rel}`.
    pub fn href(&self, rel: &str) -> String {
        match &self.office {
            Some(office) => office.path(rel),
            None => rel.to_string(),
        }
    }

    pub fn asset(&self, path: &str) -> String {
        format!("/static/{path}?v={}", super::asset_version())
    }

    /// The same page in the other language.
    pub fn lang_switch_href(&self) -> String {
        // Relative, so that no path (not even `//host/...`) can make it point elsewhere.
        format!("?lang={}", self.lang.other().code())
    }

    pub fn lang_switch_label(&self) -> &'static str {
        match self.lang {
            Lang::Zh => "English",
            Lang::En => "中文",
        }
    }

    pub fn role_label(&self) -> &'static str {
        self.user
            .as_ref()
            .map(|u| self.t(u.role.label_key()))
            .unwrap_or("")
    }

    /// The navigation for the signed-in user's role (see `routes::NAV`).
    pub fn nav(&self) -> Vec<NavItem> {
        let Some(user) = &self.user else {
            return Vec::new();
        };
        NAV.iter()
            .filter(|entry| entry.roles.contains(&user.role))
            .map(|entry| {
                let href = self.href(entry.path);
                let active = if entry.path == "/" {
                    self.path == href
                } else {
                    self.path.starts_with(&href)
                };
                NavItem {
                    href,
                    label: self.t(entry.label_key),
                    active,
                    count: self.inbox.filter(|n| *n > 0 && entry.path == "/inbox"),
                }
            })
            .chain(
                user.unit_id
                    .filter(|_| user.role == Role::Liaison)
                    .map(|unit| {
                        // A liaison's own unit, after the shared entries.
                        let href = self.href(&format!("/units/{unit}"));
                        NavItem {
                            active: self.path.starts_with(&href),
                            href,
                            label: self.t("nav.my_unit"),
                            count: None,
                        }
                    }),
            )
            .collect()
    }

    /// Flash messages with their text in the page's language.
    pub fn flash_texts(&self) -> Vec<(&'static str, String)> {
        self.flashes
            .iter()
            .map(|f| (f.kind.css_class(), f.text(self.lang)))
            .collect()
    }
}

impl PageCtx {
    /// The context of a request as the shell and the office context left it, without taking
    /// the session's flash messages (a refused form shows none and keeps them for later).
    pub fn of_request(parts: &Parts) -> Self {
        let extensions = &parts.extensions;
        Self {
            lang: extensions.get::<Lang>().copied().unwrap_or_default(),
            office: extensions.get::<Office>().cloned(),
            user: extensions.get::<MaybeUser>().and_then(|m| m.0.clone()),
            flashes: Vec::new(),
            path: full_path(extensions, &parts.uri).to_string(),
            inbox: extensions.get::<InboxCount>().map(|c| c.0),
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for PageCtx {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let mut ctx = Self::of_request(parts);
        if let Some(session) = parts.extensions.get::<Session>() {
            ctx.flashes = flash::take(session).await;
        }
        Ok(ctx)
    }
}

/// Renders a template as a 200 page.
pub fn render(page: &impl Template) -> Result<Response, AppError> {
    Ok(Html(rendered(page)?).into_response())
}

/// The page's HTML, written into one buffer sized for a list page: the template's own estimate
/// counts its text once, not once per row, and growing from it copies a long page several times.
fn rendered<T: Template>(page: &T) -> Result<String, askama::Error> {
    let mut html = String::with_capacity(T::SIZE_HINT.max(32 * 1024));
    page.render_into(&mut html)?;
    Ok(html)
}

/// Renders a form page again with its errors: 422, and everything typed kept by the template.
/// The request's writes are rolled back.
pub fn render_invalid(page: &impl Template) -> Result<Response, AppError> {
    Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(rendered(page)?)).into_response())
}

/// Like [`render_invalid`], but the writes made so far are kept (a refused login's attempt).
pub fn render_refused(page: &impl Template) -> Result<Response, AppError> {
    let mut response = render_invalid(page)?;
    response.extensions_mut().insert(crate::db::KeepWrites);
    Ok(response)
}
