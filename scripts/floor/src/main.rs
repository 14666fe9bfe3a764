//! The floor: the least a server-rendered page of this stack can cost. One axum handler reads 12
//! units with sqlx (one statement, no transaction) and renders them with askama. The product's
//! pages are measured against it by `scripts/bench-pages.sh`.
//!
//! `DATABASE_URL` names the demo office's database; `FLOOR_LISTEN` the address (127.0.0.1:18182).

use std::env;

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use sqlx::PgPool;
use sqlx::postgres::PgPoolOptions;

#[derive(sqlx::FromRow)]
struct Unit {
    code: String,
    name: String,
    category: String,
}

#[derive(Template)]
#[template(path = "units.html")]
struct UnitsPage {
    units: Vec<Unit>,
}

async fn units(State(pool): State<PgPool>) -> Response {
    let rows =
        sqlx::query_as::<_, Unit>("select code, name, category from unit order by code limit 12")
            .fetch_all(&pool)
            .await;
    match rows.map(|units| UnitsPage { units }.render()) {
        Ok(Ok(html)) => Html(html).into_response(),
        _ => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let url = env::var("DATABASE_URL")?;
    let listen = env::var("FLOOR_LISTEN").unwrap_or_else(|_| "127.0.0.1:18182".into());
    let pool = PgPoolOptions::new()
        .max_connections(10)
        .connect(&url)
        .await?;
    let app = Router::new().route("/", get(units)).with_state(pool);
    let listener = tokio::net::TcpListener::bind(&listen).await?;
    axum::serve(listener, app).await?;
    Ok(())
}
