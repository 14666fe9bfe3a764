//! Facts of the request every page may need: the client's address and the path the browser asked
//! for. The page shell finds them once per request.

use axum::extract::{FromRequestParts, OriginalUri};
use axum::http::Uri;
use axum::http::request::Parts;

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
