//! Pages of authentication: the login form and the password change form.

use askama::Template;

use crate::web::PageCtx;

#[derive(Template)]
#[template(path = "auth/login.html")]
pub struct LoginPage {
    pub ctx: PageCtx,
    pub username: String,
    pub next: String,
    /// The one generic message for any failure (unknown user, wrong password, throttled).
    pub failed: bool,
}

#[derive(Template)]
#[template(path = "auth/password.html")]
pub struct PasswordPage {
    pub ctx: PageCtx,
    pub must_change: bool,
    pub errors: Vec<(&'static str, &'static str)>,
}

impl PasswordPage {
    pub fn error_for(&self, field: &str) -> Option<&'static str> {
        self.ctx.field_error(&self.errors, field)
    }
}
