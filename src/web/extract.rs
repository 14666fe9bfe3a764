//! The extractors every handler reads its input with. Each refuses, once for every form, query
//! and path, text that no field may hold: a NUL byte (PostgreSQL stores none) and bytes that are
//! not UTF-8. A refused form or query answers with a page
//! that shows what was typed, without the refused characters, ready to be sent again: nothing
//! typed is lost, and nothing reaches a handler or the database. A path that does not fit its
//! route answers the same 404 as a missing record.
//!
//! Forms and queries are read with `serde_html_form`, so a field sent several times (a notice's
//! findings, an interview's attendees) reads into a `Vec`.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, RawPathParams, Request};
use axum::http::request::Parts;
use axum::http::{Method, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use serde::de::DeserializeOwned;

use super::page::PageCtx;
use crate::core::error::{AppError, not_found};

/// A form body (`application/x-www-form-urlencoded`), checked at the edge.
#[derive(Debug, Clone)]
pub struct Form<T>(pub T);

/// A query string, checked at the edge.
#[derive(Debug, Clone)]
pub struct Query<T>(pub T);

/// The path's parameters: anything that does not fit (not a UUID where one is expected, a NUL
/// byte) is the not-found page.
#[derive(Debug, Clone)]
pub struct Path<T>(pub T);

/// Whether a character may stand in a text field: anything but NUL, which no PostgreSQL text
/// holds (other control characters are the fields' own validation's to judge).
fn allowed(c: char) -> bool {
    c != '\0'
}

/// The fields of an urlencoded text as sent, decoded, with whatever may not stand in a field
/// removed; and whether anything had to be removed (or was not UTF-8).
fn decode(raw: &[u8]) -> (Vec<(String, String)>, bool) {
    let mut refused = false;
    let mut text = |bytes: &[u8]| {
        let plus_as_space: Vec<u8> = bytes
            .iter()
            .map(|&b| if b == b'+' { b' ' } else { b })
            .collect();
        let decoded: Vec<u8> = percent_encoding::percent_decode(&plus_as_space).collect();
        let text = match String::from_utf8(decoded) {
            Ok(text) => text,
            Err(error) => {
                refused = true;
                String::from_utf8_lossy(error.as_bytes()).into_owned()
            }
        };
        if text.chars().all(allowed) {
            text
        } else {
            refused = true;
            text.chars().filter(|&c| allowed(c)).collect()
        }
    };
    let fields = raw
        .split(|&b| b == b'&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let mut halves = pair.splitn(2, |&b| b == b'=');
            let name = text(halves.next().unwrap_or_default());
            let value = text(halves.next().unwrap_or_default());
            (name, value)
        })
        .collect();
    (fields, refused)
}

/// The page for a form or query holding what no field may hold: what was typed, cleaned, ready to
/// be sent again to the same address.
#[derive(Template)]
#[template(path = "errors/bad_input.html")]
struct BadInputPage {
    ctx: PageCtx,
    action: String,
    method: &'static str,
    fields: Vec<(String, String)>,
}

fn bad_input(parts: &Parts, method: &'static str, fields: Vec<(String, String)>) -> Response {
    let ctx = PageCtx::of_request(parts);
    let page = BadInputPage {
        action: ctx.path.clone(),
        ctx,
        method,
        // the page's own language switch is no field of the form; a password is typed again,
        // never shown
        fields: fields
            .into_iter()
            .filter(|(k, _)| k != "lang")
            .map(|(k, v)| {
                if k.contains("password") {
                    (k, String::new())
                } else {
                    (k, v)
                }
            })
            .collect(),
    };
    let status = if method == "post" {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::BAD_REQUEST
    };
    match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(error) => AppError::from(error).into_response(),
    }
}

/// A request that is not what its route reads (a field missing, a body of another type): the
/// error page says so; a browser on our pages never sends one.
fn malformed() -> Response {
    StatusCode::BAD_REQUEST.into_response()
}

impl<T, S> FromRequest<S> for Form<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = Response;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let urlencoded = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
        if !urlencoded || request.method() == Method::GET {
            return Err(StatusCode::UNSUPPORTED_MEDIA_TYPE.into_response());
        }
        let (parts, body) = request.into_parts();
        let head = Parts::clone(&parts);
        let bytes = Bytes::from_request(Request::from_parts(parts, body), state)
            .await
            .map_err(IntoResponse::into_response)?;
        let (fields, refused) = decode(&bytes);
        if refused {
            return Err(bad_input(&head, "post", fields));
        }
        serde_html_form::from_bytes(&bytes)
            .map(Form)
            .map_err(|_| malformed())
    }
}

impl<T, S> FromRequestParts<S> for Query<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let raw = parts.uri.query().unwrap_or_default();
        let (fields, refused) = decode(raw.as_bytes());
        if refused {
            return Err(bad_input(parts, "get", fields));
        }
        serde_html_form::from_str(raw)
            .map(Query)
            .map_err(|_| malformed())
    }
}

impl<T, S> FromRequestParts<S> for Path<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let raw = RawPathParams::from_request_parts(parts, state)
            .await
            .map_err(|_| not_found())?;
        if raw.iter().any(|(_, value)| !value.chars().all(allowed)) {
            return Err(not_found());
        }
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Path(value)| Path(value))
            .map_err(|_| not_found())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_fields_decode_as_sent() {
        let (fields, refused) = decode(b"name=%E7%8E%8B+%E4%BA%94&notes=a%0D%0Ab%09c&empty=");
        assert!(!refused);
        assert_eq!(
            fields,
            vec![
                ("name".into(), "王 五".into()),
                ("notes".into(), "a\r\nb\tc".into()),
                ("empty".into(), String::new()),
            ]
        );
    }

    #[test]
    fn a_nul_byte_is_refused_and_removed_from_what_is_shown() {
        let (fields, refused) = decode(b"username=ad%00min&note=x%07y");
        assert!(refused);
        assert_eq!(fields[0], ("username".into(), "admin".into()));
        assert_eq!(fields[1], ("note".into(), "x\u{7}y".into()));
        assert!(!decode(b"note=x%07y").1);
    }

    #[test]
    fn bytes_that_are_not_utf8_are_refused() {
        let (fields, refused) = decode(b"q=%FF%FEabc");
        assert!(refused);
        assert!(fields[0].1.ends_with("abc"));
    }
}
