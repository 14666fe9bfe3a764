//! Pages of the office's settings and its public complaint channels.

use askama::Template;

use crate::web::PageCtx;

#[derive(Template)]
#[template(path = "registry/settings.html")]
pub struct SettingsPage {
    pub ctx: PageCtx,
    pub s: super::model::Settings,
    pub errors: Vec<(&'static str, &'static str)>,
    pub complaint_preview: String,
    pub notice_preview: String,
}

impl SettingsPage {
    pub fn new(
        ctx: PageCtx,
        s: super::model::Settings,
        errors: Vec<(&'static str, &'static str)>,
    ) -> Self {
        Self {
            complaint_preview: super::model::preview(&s.complaint_number_format),
            notice_preview: super::model::preview(&s.notice_number_format),
            ctx,
            s,
            errors,
        }
    }

    pub fn error_for(&self, field: &str) -> Option<&'static str> {
        self.ctx.field_error(&self.errors, field)
    }
}

#[derive(Template)]
#[template(path = "registry/channels.html")]
pub struct ChannelsPage {
    pub ctx: PageCtx,
    pub settings: super::model::Settings,
}

impl ChannelsPage {
    /// CMP-03: whether the office has published any channel of its own (besides 12345).
    pub fn any_configured(&self) -> bool {
        let s = &self.settings;
        [
            &s.complaint_hotline,
            &s.office_phone,
            &s.address,
            &s.visiting_hours,
            &s.email,
        ]
        .iter()
        .any(|c| !c.is_empty())
    }
}
