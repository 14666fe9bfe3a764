//! Pages that belong to no office: the front page, health checks and the fallback 404.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::{PageCtx, Query, render};
use crate::core::{AppResult, OfficeCode, not_found, office_path};

#[derive(Template)]
#[template(path = "home/front.html")]
pub struct FrontPage {
    pub ctx: PageCtx,
    pub office: String,
    /// Why the typed code is not one (a catalog key).
    pub invalid: Option<&'static str>,
}

#[derive(Debug, Deserialize)]
pub struct FrontQuery {
    pub office: Option<String>,
}

/// The front page: offices do not see each other, so it lists none; a user types their office's
/// code (or follows the link the office gave them).
pub async fn front_page(ctx: PageCtx, Query(query): Query<FrontQuery>) -> AppResult<Response> {
    let typed = query.office.unwrap_or_default().trim().to_lowercase();
    if typed.is_empty() {
        return render(&FrontPage {
            ctx,
            office: typed,
            invalid: None,
        });
    }
    match OfficeCode::parse(&typed) {
        Ok(code) => {
            let login = office_path(code.as_str(), "/login");
            Ok(Redirect::to(&login).into_response())
        }
        Err(reason) => super::render_invalid(&FrontPage {
            ctx,
            office: typed,
            invalid: Some(reason),
        }),
    }
}

/// Liveness: the process answers.
pub async fn healthz() -> &'static str {
    "ok"
}

/// Readiness: the database answers too.
pub async fn readyz(State(pool): State<sqlx::PgPool>) -> Response {
    if crate::db::ping(&pool).await {
        "ready".into_response()
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "database unreachable").into_response()
    }
}

/// `/{office}/` is the office's home `/{office}`.
pub async fn office_home_slash(Path(office): Path<String>) -> Response {
    match OfficeCode::parse(&office) {
        Ok(code) => Redirect::permanent(&office_path(code.as_str(), "/")).into_response(),
        Err(_) => not_found().into_response(),
    }
}

pub async fn not_found_page() -> Response {
    not_found().into_response()
}
