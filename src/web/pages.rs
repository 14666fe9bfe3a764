//! Pages that belong to no domain module: the front page, each role's home page, health checks
//! and the fallback 404.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::{PageCtx, render};
use crate::AppState;
use crate::auth::{CurrentUser, Role};
use crate::db::Tx;
use crate::error::{AppResult, not_found};
use crate::registry::model::OfficeCode;

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
            let login = crate::registry::office_path(code.as_str(), "/login");
            Ok(Redirect::to(&login).into_response())
        }
        Err(reason) => super::render_invalid(&FrontPage {
            ctx,
            office: typed,
            invalid: Some(reason),
        }),
    }
}

/// A count shown on the home page.
pub struct Figure {
    pub label: &'static str,
    pub value: i64,
}

#[derive(Template)]
#[template(path = "home/home.html")]
pub struct HomePage {
    pub ctx: PageCtx,
    pub display_name: String,
    pub role: Role,
    pub figures: Vec<Figure>,
}

impl HomePage {
    /// What this role does here, from the catalog.
    pub fn role_intro(&self) -> &'static str {
        self.ctx.t(match self.role {
            Role::OfficeAdmin => "home.intro.office_admin",
            Role::OfficeStaff => "home.intro.office_staff",
            Role::Leader => "home.intro.leader",
            Role::Supervisor => "home.intro.supervisor",
            Role::Liaison => "home.intro.liaison",
        })
    }
}

/// Each role's landing page after login.
pub async fn show_home(user: CurrentUser, ctx: PageCtx, mut tx: Tx) -> AppResult<Response> {
    let figures = if user.role == Role::OfficeAdmin {
        let counts = crate::registry::db::count_users_by_role(&mut tx).await?;
        Role::ALL
            .iter()
            .map(|r| Figure {
                label: ctx.t(r.label_key()),
                value: counts
                    .iter()
                    .find(|c| c.0 == r.as_str())
                    .map(|c| c.1)
                    .unwrap_or(0),
            })
            .collect()
    } else {
        Vec::new()
    };
    drop(tx);
    render(&HomePage {
        ctx,
        display_name: user.display_name,
        role: user.role,
        figures,
    })
}

/// Liveness: the process answers.
pub async fn healthz() -> &'static str {
    "ok"
}

/// Readiness: the database answers too.
pub async fn readyz(State(state): State<AppState>) -> Response {
    if crate::db::ping(&state.db).await {
        "ready".into_response()
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "database unreachable").into_response()
    }
}

/// `/{office}/` is the office's home `/{office}`.
pub async fn office_home_slash(Path(office): Path<String>) -> Response {
    match OfficeCode::parse(&office) {
        Ok(code) => {
            Redirect::permanent(&crate::registry::office_path(code.as_str(), "/")).into_response()
        }
        Err(_) => not_found().into_response(),
    }
}

pub async fn not_found_page() -> Response {
    not_found().into_response()
}
