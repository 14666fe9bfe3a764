//! One error type for every handler. Errors become a bare status here; the page shell renders the
//! error page in the user's language with a reference (the request id) and never shows internals.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

/// Marks a response produced by an error, so the request transaction is rolled back.
#[derive(Debug, Clone, Copy)]
pub struct ErrorResponse;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Missing, or not allowed: inside an office both answer the same 404.
    #[error("not found")]
    NotFound,
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("template error: {0}")]
    Template(#[from] askama::Error),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

pub type AppResult<T> = Result<T, AppError>;

/// A form's errors: (field name, catalog key), shown next to each field. Validation is not an
/// error of the application: the form comes back with these.
pub type FieldErrors = Vec<(&'static str, &'static str)>;

/// The answer for anything missing or not allowed.
pub fn not_found() -> AppError {
    AppError::NotFound
}

impl AppError {
    pub fn status(&self) -> StatusCode {
        match self {
            Self::NotFound | Self::Database(sqlx::Error::RowNotFound) => StatusCode::NOT_FOUND,
            Self::Database(sqlx::Error::PoolTimedOut) => StatusCode::SERVICE_UNAVAILABLE,
            // the database refused a change to a closed assessment year (its results are frozen)
            Self::Database(sqlx::Error::Database(e))
                if e.constraint() == Some("assessment_year_closed") =>
            {
                StatusCode::CONFLICT
            }
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = self.status();
        if status.is_server_error() {
            // Logged inside the request's span, which carries the request id shown to the user.
            tracing::error!(error = ?self, "request failed");
        }
        let mut response = status.into_response();
        response.extensions_mut().insert(ErrorResponse);
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn row_not_found_is_a_404_and_other_database_errors_are_500() {
        assert_eq!(
            AppError::from(sqlx::Error::RowNotFound).status(),
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            AppError::from(sqlx::Error::PoolTimedOut).status(),
            StatusCode::SERVICE_UNAVAILABLE
        );
        assert_eq!(
            AppError::from(anyhow::anyhow!("boom")).status(),
            StatusCode::INTERNAL_SERVER_ERROR
        );
    }

    #[test]
    fn an_error_response_carries_no_internal_text() {
        let response = AppError::from(anyhow::anyhow!("secret detail")).into_response();
        assert!(response.extensions().get::<ErrorResponse>().is_some());
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    }
}
