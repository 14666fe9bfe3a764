//! The office admin's API keys (list, create, revoke) and the API's `whoami`, with which another
//! system tries its key.

use axum::Json;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use super::views::{ApiKeyIssuedPage, ApiKeyItem, ApiKeysPage, NewApiKeyPage};
use super::{ApiCaller, CreateKeyError, CreatedKey, Revoked, db};
use crate::audit::{Acting, Event};
use crate::core::{AppError, AppResult, CurrentUser, not_found};
use crate::db::{RequestTx, Tx};
use crate::web::api::ApiError;
use crate::web::{Flash, Form, PageCtx, Path, render, render_invalid};

/// `/{office}/api-keys/{api_key_id}`.
#[derive(Debug, Deserialize)]
pub struct ApiKeyPath {
    pub api_key_id: Uuid,
}

pub async fn list_api_keys(_user: CurrentUser, ctx: PageCtx, mut tx: Tx) -> AppResult<Response> {
    let rows = db::list_keys(&mut tx).await?;
    drop(tx);
    let keys = rows
        .into_iter()
        .map(|row| ApiKeyItem::new(&ctx, row))
        .collect();
    render(&ApiKeysPage { ctx, keys })
}

pub async fn new_api_key_form(_user: CurrentUser, ctx: PageCtx) -> AppResult<Response> {
    render(&NewApiKeyPage {
        ctx,
        name: String::new(),
        errors: Vec::new(),
    })
}

#[derive(Debug, Deserialize)]
pub struct NewApiKeyForm {
    #[serde(default)]
    pub name: String,
}

/// Creates a key and shows it on this one response: it is stored nowhere in clear (not even in
/// the session for a redirect), which is why this write answers 200 instead of 303.
pub async fn create_api_key(
    acting: Acting,
    ctx: PageCtx,
    request_tx: RequestTx,
    Form(form): Form<NewApiKeyForm>,
) -> AppResult<Response> {
    let mut tx = request_tx.acquire().await?;
    let (tenant, user) = (acting.user.tenant_id, Some(acting.user.id));
    match super::create_key(&mut tx, tenant, &acting.actor(), user, &form.name).await {
        Ok(CreatedKey { name, issued, .. }) => {
            drop(tx);
            let whoami_path = format!("/api/v1/{}/whoami", acting.user.office_code);
            render(&ApiKeyIssuedPage {
                ctx,
                name,
                key: issued.key,
                whoami_path,
            })
        }
        Err(CreateKeyError::Invalid(key)) => {
            drop(tx);
            render_invalid(&NewApiKeyPage {
                ctx,
                name: form.name,
                errors: vec![("name", key)],
            })
        }
        Err(CreateKeyError::Database(e)) => Err(e.into()),
        Err(CreateKeyError::NoRandomness(e)) => Err(AppError::Internal(e.into())),
    }
}

/// Revokes a key at once: every later call with it answers 401.
pub async fn revoke_api_key(
    acting: Acting,
    Path(ApiKeyPath { api_key_id }): Path<ApiKeyPath>,
    request_tx: RequestTx,
) -> AppResult<Response> {
    let mut tx = request_tx.acquire().await?;
    let (tenant, user) = (acting.user.tenant_id, Some(acting.user.id));
    let revoked = super::revoke_key(&mut tx, tenant, &acting.actor(), api_key_id, user).await?;
    let message = match revoked {
        Revoked::Now => Flash::success("apikeys.revoked"),
        Revoked::Already => Flash::info("apikeys.already_revoked"),
        Revoked::NotFound => return Err(not_found()),
    };
    Ok(acting.done(message, "/api-keys").await)
}

/// `GET /api/v1/{office}/whoami`: the office and the key's name, so that another system can try
/// its key. Recorded like every call.
pub async fn whoami(mut caller: ApiCaller) -> Result<Response, ApiError> {
    let detail = json!({ "call": "whoami" });
    let event = Event::new("api_key.call", ("api_key", caller.key_id), detail);
    caller.record(event).await?;
    let body = json!({ "office": caller.office.code, "key": caller.key_name });
    caller.commit().await?;
    Ok(Json(body).into_response())
}
