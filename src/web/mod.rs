//! The page shell around every response: the language (`?lang=`, cookie, Accept-Language), the
//! client address, security headers, and error pages rendered in the user's language with a
//! reference (the request id) instead of any internal detail. Also the pieces every page uses:
//! [`PageCtx`] for templates, flash messages, and the office context middleware.

pub mod flash;
pub mod office;
pub mod pages;

use std::net::SocketAddr;

use askama::Template;
use axum::body::Body;
use axum::extract::{ConnectInfo, FromRequestParts, OriginalUri, Request, State};
use axum::http::header::{self, HeaderMap, HeaderValue};
use axum::http::request::Parts;
use axum::http::{StatusCode, Uri};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use tower_http::csrf::ProtectionError;
use tower_sessions::Session;

use crate::AppState;
use crate::auth::{CurrentUser, Role};
use crate::error::{AppError, ErrorResponse};
use crate::i18n::Lang;
use crate::registry::Office;

pub use flash::{Flash, FlashKind};
pub use office::{MaybeUser, office_context};

/// A digest of the static files, computed once at start: asset URLs change whenever a file
/// changes, so browsers may keep them for long and still never run stale CSS or JS.
static ASSET_VERSION: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// Computes the asset version from the files under `dir` (first call wins).
pub fn init_asset_version(dir: &std::path::Path) {
    ASSET_VERSION.get_or_init(|| {
        use sha2::Digest;
        let mut files = Vec::new();
        let mut stack = vec![dir.to_path_buf()];
        while let Some(folder) = stack.pop() {
            for entry in std::fs::read_dir(&folder).into_iter().flatten().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    stack.push(path)
                } else {
                    files.push(path)
                }
            }
        }
        files.sort();
        let mut hasher = sha2::Sha256::new();
        for file in files {
            hasher.update(file.to_string_lossy().as_bytes());
            hasher.update(std::fs::read(&file).unwrap_or_default());
        }
        hex::encode(hasher.finalize())[..10].to_string()
    });
}

fn asset_version() -> &'static str {
    ASSET_VERSION
        .get()
        .map(String::as_str)
        .unwrap_or(env!("CARGO_PKG_VERSION"))
}

const LANG_COOKIE: &str = "lang";

/// The client's address: the TCP peer, or the last X-Forwarded-For entry when
/// `server.trust_forwarded_for` is set (the address our load balancer saw).
#[derive(Debug, Clone)]
pub struct ClientAddr(pub String);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(parts
            .extensions
            .get::<ClientAddr>()
            .cloned()
            .unwrap_or(ClientAddr("unknown".into())))
    }
}

/// The request's path as the browser sent it (inside `/{office}` axum strips the prefix from
/// `uri`; `OriginalUri` keeps it).
pub fn full_path<'a>(extensions: &'a axum::http::Extensions, uri: &'a Uri) -> &'a str {
    extensions
        .get::<OriginalUri>()
        .map(|u| u.0.path())
        .unwrap_or(uri.path())
}

fn client_addr(request: &Request, trust_forwarded_for: bool) -> ClientAddr {
    let forwarded = trust_forwarded_for
        .then(|| request.headers().get("x-forwarded-for")?.to_str().ok())
        .flatten()
        .and_then(|v| v.rsplit(',').map(str::trim).find(|s| !s.is_empty()));
    if let Some(addr) = forwarded {
        return ClientAddr(addr.chars().take(64).collect());
    }
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_string());
    ClientAddr(peer.unwrap_or_else(|| "unknown".into()))
}

fn choose_lang(uri: &Uri, headers: &HeaderMap) -> (Lang, bool) {
    let from_query = uri.query().and_then(|q| {
        url::form_urlencoded::parse(q.as_bytes())
            .find(|(k, _)| k == "lang")
            .and_then(|(_, v)| Lang::parse(&v))
    });
    if let Some(lang) = from_query {
        return (lang, true);
    }
    let from_cookie = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().strip_prefix("lang="))
        .find_map(Lang::parse);
    if let Some(lang) = from_cookie {
        return (lang, false);
    }
    let accept = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    (Lang::from_accept_language(accept), false)
}

/// The outermost application middleware: language, client address, security headers, error pages.
pub async fn shell(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let (lang, remember) = choose_lang(request.uri(), request.headers());
    let addr = client_addr(&request, state.config.server.trust_forwarded_for);
    let path = request.uri().path().to_string();
    let request_id = request
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-")
        .to_string();
    request.extensions_mut().insert(lang);
    request.extensions_mut().insert(addr);

    let mut response = next.run(request).await;
    if needs_error_page(&response) {
        response = render_error_page(&response, lang, &path, &request_id);
    }
    let headers = response.headers_mut();
    if remember {
        let secure = if state.config.server.tls {
            "; Secure"
        } else {
            ""
        };
        let cookie = format!(
            "{LANG_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax{secure}",
            lang.code()
        );
        if let Ok(value) = HeaderValue::from_str(&cookie) {
            headers.append(header::SET_COOKIE, value);
        }
    }
    set_security_headers(headers, state.config.server.tls);
    response
}

fn set_security_headers(headers: &mut HeaderMap, tls: bool) {
    const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; \
                       media-src 'self' blob:; object-src 'none'; base-uri 'none'; form-action 'self'; \
                       frame-ancestors 'none'";
    let fixed = [
        (header::CONTENT_SECURITY_POLICY, CSP),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::REFERRER_POLICY, "same-origin"),
        (
            header::HeaderName::from_static("permissions-policy"),
            "geolocation=(self), camera=(self), microphone=()",
        ),
    ];
    for (name, value) in fixed {
        headers
            .entry(name)
            .or_insert(HeaderValue::from_static(value));
    }
    if tls {
        headers
            .entry(header::STRICT_TRANSPORT_SECURITY)
            .or_insert(HeaderValue::from_static("max-age=31536000"));
    }
    if !headers.contains_key(header::CACHE_CONTROL) {
        // Pages carry personal data: never kept by shared caches or the back-forward cache.
        let is_html = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/html"));
        if is_html {
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        }
    }
}

/// Marks an answer to the page's own script (a draft's autosave, one file's upload): its body is
/// for the script to read, so an error status keeps it instead of becoming an error page.
#[derive(Debug, Clone, Copy)]
pub struct ScriptAnswer;

/// An error status whose body is not already a page of ours (a 422 form re-render is).
fn needs_error_page(response: &Response) -> bool {
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return false;
    }
    if response.extensions().get::<ScriptAnswer>().is_some() {
        return false;
    }
    if response.extensions().get::<ErrorResponse>().is_some() {
        return true;
    }
    let is_html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    !is_html
}

#[derive(Template)]
#[template(path = "errors/error.html")]
struct ErrorPage {
    ctx: PageCtx,
    status: u16,
    title_key: &'static str,
    message_key: &'static str,
    reference: String,
}

fn render_error_page(response: &Response, lang: Lang, path: &str, request_id: &str) -> Response {
    let status = response.status();
    let (title_key, message_key) = match status {
        StatusCode::NOT_FOUND => ("error.not_found.title", "error.not_found.message"),
        StatusCode::FORBIDDEN if response.extensions().get::<ProtectionError>().is_some() => {
            ("error.csrf.title", "error.csrf.message")
        }
        StatusCode::FORBIDDEN => ("error.forbidden.title", "error.forbidden.message"),
        StatusCode::METHOD_NOT_ALLOWED => ("error.method.title", "error.method.message"),
        StatusCode::PAYLOAD_TOO_LARGE => ("error.too_large.title", "error.too_large.message"),
        StatusCode::REQUEST_TIMEOUT => ("error.timeout.title", "error.timeout.message"),
        StatusCode::SERVICE_UNAVAILABLE => ("error.unavailable.title", "error.unavailable.message"),
        s if s.is_client_error() => ("error.bad_request.title", "error.bad_request.message"),
        _ => ("error.internal.title", "error.internal.message"),
    };
    let page = ErrorPage {
        ctx: PageCtx::bare(lang, path),
        status: status.as_u16(),
        title_key,
        message_key,
        reference: request_id.to_string(),
    };
    let body = match page.render() {
        Ok(html) => Body::from(html),
        Err(error) => {
            tracing::error!(%error, "error page did not render");
            Body::from(format!("{} {}", status.as_u16(), lang.t(title_key)))
        }
    };
    let mut out = Response::new(body);
    *out.status_mut() = status;
    out.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    for name in [header::ALLOW, header::RETRY_AFTER, header::LOCATION] {
        if let Some(value) = response.headers().get(&name) {
            out.headers_mut().insert(name, value.clone());
        }
    }
    out
}

/// A link in the navigation bar.
#[derive(Debug, Clone)]
pub struct NavItem {
    pub href: String,
    pub label: &'static str,
    pub active: bool,
    /// How many things await the user (the inbox's entry only).
    pub count: Option<i64>,
}

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

    /// An office-relative link: `/{office}{rel}`.
    pub fn href(&self, rel: &str) -> String {
        match &self.office {
            Some(office) => office.path(rel),
            None => rel.to_string(),
        }
    }

    pub fn asset(&self, path: &str) -> String {
        format!("/static/{path}?v={}", asset_version())
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
        crate::routes::NAV
            .iter()
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

impl<S: Send + Sync> FromRequestParts<S> for PageCtx {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let lang = parts.extensions.get::<Lang>().copied().unwrap_or_default();
        let office = parts.extensions.get::<Office>().cloned();
        let user = parts
            .extensions
            .get::<MaybeUser>()
            .and_then(|m| m.0.clone());
        let flashes = match parts.extensions.get::<Session>() {
            Some(session) => flash::take(session).await,
            None => Vec::new(),
        };
        let path = full_path(&parts.extensions, &parts.uri).to_string();
        let inbox = parts.extensions.get::<InboxCount>().map(|c| c.0);
        Ok(Self {
            lang,
            office,
            user,
            flashes,
            path,
            inbox,
        })
    }
}

/// Renders a template as a 200 page.
pub fn render(page: &impl Template) -> Result<Response, AppError> {
    Ok(Html(page.render()?).into_response())
}

/// Renders a form page again with its errors: 422, and everything typed kept by the template.
/// The request's writes are rolled back.
pub fn render_invalid(page: &impl Template) -> Result<Response, AppError> {
    Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(page.render()?)).into_response())
}

/// Like [`render_invalid`], but the writes made so far are kept (a refused login's attempt).
pub fn render_refused(page: &impl Template) -> Result<Response, AppError> {
    let mut response = render_invalid(page)?;
    response.extensions_mut().insert(crate::db::KeepWrites);
    Ok(response)
}
