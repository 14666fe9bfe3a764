//! A document as the answer to a request: the PDF, or, when it cannot be typeset here, a page
//! that says why and what to install.

use std::sync::Arc;

use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};

use super::{Document, Documents};
use crate::core::{AppError, AppResult};
use crate::db::RequestTx;
use crate::web::PageCtx;

/// The page shown instead of a PDF that cannot be typeset here (the fonts are missing).
#[derive(askama::Template)]
#[template(path = "documents/unavailable.html")]
struct UnavailablePage {
    ctx: PageCtx,
    families: String,
    dirs: String,
    back: String,
}

/// Answers with the document as a PDF (`{name}.pdf`, shown in the browser), or, when the fonts
/// are missing, with a page that says which package to install and links back to the printable
/// page `back`. The request's transaction is committed first: no connection or lock is held while
/// the document is typeset.
pub async fn pdf_response(
    documents: &Arc<Documents>,
    request_tx: &RequestTx,
    ctx: PageCtx,
    document: &Document,
    name: &str,
    back: String,
) -> AppResult<Response> {
    request_tx.finish(true).await?;
    match documents.render(document).await {
        Ok(pdf) => {
            let disposition = format!(
                "inline; filename=\"document.pdf\"; filename*=UTF-8''{}.pdf",
                url::form_urlencoded::byte_serialize(name.as_bytes())
                    .collect::<String>()
                    .replace('+', "%20")
            );
            Ok((
                [
                    (header::CONTENT_TYPE, "application/pdf".to_string()),
                    (header::CONTENT_DISPOSITION, disposition),
                    (header::CACHE_CONTROL, "private, no-store".to_string()),
                ],
                pdf,
            )
                .into_response())
        }
        Err(error) => match error.missing_fonts() {
            Some((families, dirs)) => {
                tracing::error!(%error, "a document cannot be typeset");
                let page = UnavailablePage {
                    ctx,
                    families,
                    dirs,
                    back,
                };
                Ok((
                    StatusCode::SERVICE_UNAVAILABLE,
                    Html(askama::Template::render(&page)?),
                )
                    .into_response())
            }
            None => Err(AppError::Internal(anyhow::Error::new(error))),
        },
    }
}
