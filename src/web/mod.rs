//! The page shell around every response: the language (`?lang=`, cookie, Accept-Language), the
//! client address, security headers, and error pages rendered in the user's language with a
//! reference (the request id) instead of any internal detail. Also the kit every page is made
//! with: [`PageCtx`] for templates, rendering, flash messages, the navigation and the extractors
//! that refuse bad input at the edge ([`Form`], [`Query`], [`Path`]).
//!
//! The shell knows the core and nothing of the domains: no route, no inbox, no registry.

pub mod api;
pub mod export;
pub mod extract;
pub mod flash;
pub mod limit;
pub mod nav;
pub mod page;
pub mod pages;

use std::net::SocketAddr;
use std::sync::Arc;

use askama::Template;
use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::header::{self, HeaderMap, HeaderValue};
use axum::http::{StatusCode, Uri};
use axum::middleware::Next;
use axum::response::Response;
use tower_http::csrf::ProtectionError;

use crate::config::Config;
use crate::core::ClientAddr;
use crate::core::error::ErrorResponse;
use crate::i18n::Lang;

pub use extract::{Form, Path, Query};
pub use flash::{Flash, FlashKind};
pub use page::{InboxCount, PageCtx, render, render_invalid, render_refused};

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
pub async fn shell(
    State(config): State<Arc<Config>>,
    mut request: Request,
    next: Next,
) -> Response {
    let (lang, remember) = choose_lang(request.uri(), request.headers());
    let addr = client_addr(&request, config.server.trust_forwarded_for);
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
        let secure = if config.server.tls { "; Secure" } else { "" };
        let cookie = format!(
            "{LANG_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax{secure}",
            lang.code()
        );
        if let Ok(value) = HeaderValue::from_str(&cookie) {
            headers.append(header::SET_COOKIE, value);
        }
    }
    set_security_headers(headers, config.server.tls);
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

/// Marks an answer read by a program, not a person: the page's own script (a draft's autosave,
/// one file's upload) or another system calling the JSON API. Its body is for the program to
/// read, so an error status keeps it (and its headers) instead of becoming an error page.
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
        StatusCode::CONFLICT => ("error.year_frozen.title", "error.year_frozen.message"),
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
