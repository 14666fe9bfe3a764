//! The office settings page (office_admin) and the public page of complaint channels (CMP-03).

use axum::response::Response;
use serde::Deserialize;
use serde_json::json;

use super::db;
use super::model::Settings;
use super::views::{ChannelsPage, SettingsPage};
use crate::audit::{Acting, Event};
use crate::core::{AppResult, CurrentUser};
use crate::db::{OfficeChanged, RequestTx, Tx};
use crate::web::{Flash, Form, PageCtx, render, render_invalid};

pub async fn settings_form(_user: CurrentUser, ctx: PageCtx, mut tx: Tx) -> AppResult<Response> {
    let settings = db::get_settings(&mut tx).await?;
    drop(tx);
    render(&SettingsPage::new(ctx, settings, Vec::new()))
}

#[derive(Debug, Deserialize)]
pub struct SettingsForm {
    pub name: String,
    #[serde(default)]
    pub short_name: String,
    pub time_zone: String,
    pub complaint_number_format: String,
    pub notice_number_format: String,
    pub rectification_working_days: String,
    pub self_report_due_working_days: String,
    pub excellence_min_score: String,
    pub excellence_max_share_percent: String,
    #[serde(default)]
    pub complaint_hotline: String,
    #[serde(default)]
    pub office_phone: String,
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub visiting_hours: String,
}

impl From<SettingsForm> for Settings {
    fn from(f: SettingsForm) -> Self {
        Self {
            name: f.name,
            short_name: f.short_name,
            time_zone: f.time_zone,
            complaint_number_format: f.complaint_number_format,
            notice_number_format: f.notice_number_format,
            rectification_working_days: f.rectification_working_days,
            self_report_due_working_days: f.self_report_due_working_days,
            excellence_min_score: f.excellence_min_score,
            excellence_max_share_percent: f.excellence_max_share_percent,
            complaint_hotline: f.complaint_hotline,
            office_phone: f.office_phone,
            address: f.address,
            email: f.email,
            visiting_hours: f.visiting_hours,
        }
    }
}

pub async fn update_settings(
    acting: Acting,
    ctx: PageCtx,
    request_tx: RequestTx,
    Form(form): Form<SettingsForm>,
) -> AppResult<Response> {
    let typed = Settings::from(form);
    let valid = match typed.validate() {
        Ok(valid) => valid,
        Err(errors) => return render_invalid(&SettingsPage::new(ctx, typed, errors)),
    };
    let office = acting.user.tenant_id;
    let mut tx = request_tx.acquire().await?;
    db::update_settings(&mut tx, office, &valid).await?;
    let detail = json!({
        "name": valid.name,
        "time_zone": valid.time_zone,
        "rectification_working_days": valid.rectification_working_days,
        "self_report_due_working_days": valid.self_report_due_working_days,
    });
    let event = Event::new("office.settings_change", ("office", office), detail);
    let mut done = acting
        .recorded(
            &mut tx,
            event,
            Flash::success("settings.saved"),
            "/settings",
        )
        .await?;
    // the office's name and time zone are read from the cache on every request
    done.extensions_mut().insert(OfficeChanged);
    Ok(done)
}

/// CMP-03: how to lodge an efficiency complaint with this office, for anyone.
pub async fn show_channels(ctx: PageCtx, mut tx: Tx) -> AppResult<Response> {
    let settings = db::get_settings(&mut tx).await?;
    drop(tx);
    render(&ChannelsPage { ctx, settings })
}
