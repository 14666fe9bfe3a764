//! The JSON API's errors: `{"error": {"code": "...", "message": "..."}}` with the status that
//! fits, for other systems rather than people (English, no catalog, never internals).

use axum::Json;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// The largest body the APIs read. A complaint's longest texts (12,000 characters of CJK: 36 KB
/// as JSON, 108 KB form-encoded) fit many times over; so do two fields of 100,000 characters,
/// far longer than any allows, which are then refused by name rather than as an oversize body.
pub const BODY_LIMIT_BYTES: usize = 1024 * 1024;

/// An error answer of the JSON API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub status: StatusCode,
    /// Stable and machine-readable, e.g. `unauthorized`.
    pub code: &'static str,
    pub message: String,
    /// The fields at fault (the API's field name, what is wrong), when the request names them.
    pub fields: Vec<(String, String)>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            fields: Vec::new(),
        }
    }

    /// 400: the body cannot be read (not JSON, a field unknown or of the wrong type); `field`
    /// names where, when known.
    pub fn bad_request(field: Option<String>, message: impl Into<String>) -> Self {
        let message = message.into();
        let mut error = Self::new(StatusCode::BAD_REQUEST, "bad_request", message.clone());
        error.fields = field.map(|f| vec![(f, message)]).unwrap_or_default();
        error
    }

    /// 422: the request reads but breaks the rules; each field at fault with what is wrong.
    pub fn invalid(fields: Vec<(String, String)>) -> Self {
        let message = fields
            .iter()
            .map(|(field, problem)| format!("{field}: {problem}"))
            .collect::<Vec<_>>()
            .join("; ");
        let mut error = Self::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", message);
        error.fields = fields;
        error
    }

    /// 404: nothing of that name in this office.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", message)
    }

    /// 401: no key, or not a live key of this office. One answer for every case, so that a caller
    /// learns nothing about which keys exist.
    pub fn unauthorized() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "a valid API key of this office is required as `Authorization: Bearer KEY`",
        )
    }

    /// 500: logged by the caller; the answer names nothing of it.
    pub fn internal() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "the request could not be completed; try again later",
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut error = json!({ "code": self.code, "message": self.message });
        if !self.fields.is_empty() {
            error["fields"] = self
                .fields
                .iter()
                .map(|(field, message)| json!({ "field": field, "message": message }))
                .collect();
        }
        let body = json!({ "error": error });
        let mut response = (self.status, Json(body)).into_response();
        // for the calling system to read, not replaced by the error page
        response.extensions_mut().insert(super::ScriptAnswer);
        if self.status == StatusCode::UNAUTHORIZED {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(error: sqlx::Error) -> Self {
        tracing::error!(%error, "database error in an API call");
        Self::internal()
    }
}

/// Middleware of the JSON API: an error answer that is not the API's own (the body limit's 413,
/// a 405, a timeout, an extractor's rejection) becomes one, so that a calling system always reads
/// JSON, never an error page.
pub async fn json_errors(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    let status = response.status();
    let failed = status.is_client_error() || status.is_server_error();
    if !failed || response.extensions().get::<super::ScriptAnswer>().is_some() {
        return response;
    }
    let error = match status {
        StatusCode::PAYLOAD_TOO_LARGE => ApiError::new(
            status,
            "too_large",
            format!("the body is larger than the {BODY_LIMIT_BYTES} bytes this API reads"),
        ),
        StatusCode::METHOD_NOT_ALLOWED => ApiError::new(
            status,
            "method_not_allowed",
            "this address does not take that method",
        ),
        StatusCode::REQUEST_TIMEOUT => {
            ApiError::new(status, "timeout", "the request took too long; try again")
        }
        StatusCode::NOT_FOUND => ApiError::not_found("no such resource"),
        s if s.is_client_error() => ApiError::new(s, "bad_request", "the request cannot be read"),
        _ => ApiError::internal(),
    };
    let mut answer = error.into_response();
    if let Some(allow) = response.headers().get(header::ALLOW) {
        answer.headers_mut().insert(header::ALLOW, allow.clone());
    }
    answer
}
