//! Pages of the registry: users.

use askama::Template;

use super::db::{UnitRow, UserSummary};
use crate::audit::views::TimelineEntry;
use crate::auth::Role;
use crate::web::PageCtx;

/// Time as the office reads it (Asia/Shanghai until office settings choose another zone).
pub fn local_time(ctx: &PageCtx, t: &chrono::DateTime<chrono::Utc>) -> String {
    t.with_timezone(&ctx.time_zone())
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

pub struct UserListItem {
    pub href: String,
    pub username: String,
    pub display_name: String,
    pub role_label: &'static str,
    pub unit_name: String,
    pub disabled: bool,
    pub last_login: String,
}

impl UserListItem {
    pub fn new(ctx: &PageCtx, u: UserSummary) -> Self {
        Self {
            href: ctx.href(&format!("/users/{}", u.id)),
            role_label: Role::parse(&u.role)
                .map(|r| ctx.t(r.label_key()))
                .unwrap_or(""),
            username: u.username,
            display_name: u.display_name,
            unit_name: u.unit_name.unwrap_or_default(),
            disabled: u.disabled_at.is_some(),
            last_login: u
                .last_login_at
                .as_ref()
                .map(|t| local_time(ctx, t))
                .unwrap_or_default(),
        }
    }
}

/// Every role as (value, label), for the role pickers.
fn role_options(ctx: &PageCtx) -> Vec<(&'static str, &'static str)> {
    Role::ALL
        .iter()
        .map(|r| (r.as_str(), ctx.t(r.label_key())))
        .collect()
}

#[derive(Template)]
#[template(path = "admin/users.html")]
pub struct UsersPage {
    pub ctx: PageCtx,
    pub users: Vec<UserListItem>,
    pub q: String,
    pub role: String,
    pub total: i64,
    pub page: i64,
    pub pages: i64,
}

impl UsersPage {
    pub fn roles(&self) -> Vec<(&'static str, &'static str)> {
        role_options(&self.ctx)
    }

    /// The link to page `page` with the current filters.
    pub fn page_href(&self, page: &i64) -> String {
        let query: String = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("q", &self.q)
            .append_pair("role", &self.role)
            .append_pair("page", &page.to_string())
            .finish();
        format!("{}?{}", self.ctx.href("/users"), query)
    }
}

#[derive(Template)]
#[template(path = "admin/user_new.html")]
pub struct NewUserPage {
    pub ctx: PageCtx,
    pub units: Vec<UnitRow>,
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub unit_id: String,
    pub errors: Vec<(&'static str, &'static str)>,
}

impl NewUserPage {
    pub fn roles(&self) -> Vec<(&'static str, &'static str)> {
        role_options(&self.ctx)
    }

    pub fn error_for(&self, field: &str) -> Option<&'static str> {
        self.ctx.field_error(&self.errors, field)
    }
}

#[derive(Template)]
#[template(path = "admin/user.html")]
pub struct UserPage {
    pub ctx: PageCtx,
    pub user: UserListItem,
    pub id: String,
    /// For a liaison: the units it may be moved to, and its own.
    pub units: Vec<UnitRow>,
    pub unit_id: String,
    pub is_self: bool,
    pub must_change_password: bool,
    pub created: String,
    pub history: Vec<TimelineEntry>,
}

/// The one page that shows a generated password: after creating a user or resetting a password.
#[derive(Template)]
#[template(path = "admin/password_issued.html")]
pub struct PasswordIssuedPage {
    pub ctx: PageCtx,
    pub username: String,
    pub password: String,
    pub user_href: String,
    /// A new user (or else a reset).
    pub created: bool,
}

/// A year as the years page lists it.
pub struct YearView {
    pub year: i32,
    pub open: bool,
    pub opened: String,
    pub closed: String,
    pub units: i64,
    pub items: i64,
}

#[derive(Template)]
#[template(path = "registry/years.html")]
pub struct YearsPage {
    pub ctx: PageCtx,
    pub years: Vec<YearView>,
    pub can_manage: bool,
    /// The year the "open a year" form suggests, or what was typed.
    pub new_year: String,
    pub error: Option<&'static str>,
}

/// A catalog item as its list shows it.
pub struct ItemView {
    pub id: String,
    pub code: String,
    pub title: String,
    pub kinds: String,
    pub points: String,
    pub rule_id: String,
    pub costs_excellence: bool,
    pub retired: bool,
}

impl ItemView {
    pub fn new(ctx: &PageCtx, item: super::db::ItemRow) -> Self {
        let kinds: Vec<&str> = [
            (item.for_open, "catalog.kind_open"),
            (item.for_covert, "catalog.kind_covert"),
            (item.for_system, "catalog.kind_system"),
        ]
        .into_iter()
        .filter(|(on, _)| *on)
        .map(|(_, key)| ctx.t(key))
        .collect();
        let points = if item.points_min == item.points_max {
            format!("−{}", item.points_min.normalize())
        } else {
            format!(
                "−{} ~ −{}",
                item.points_min.normalize(),
                item.points_max.normalize()
            )
        };
        Self {
            id: item.id.to_string(),
            code: item.code,
            title: item.title,
            kinds: kinds.join(" / "),
            points,
            rule_id: item.rule_id,
            costs_excellence: item.costs_excellence,
            retired: item.retired_at.is_some(),
        }
    }
}

#[derive(Template)]
#[template(path = "registry/catalog.html")]
pub struct CatalogPage {
    pub ctx: PageCtx,
    pub year: i32,
    pub open: bool,
    pub can_edit: bool,
    pub items: Vec<ItemView>,
}

#[derive(Template)]
#[template(path = "registry/item_form.html")]
pub struct ItemFormPage {
    pub ctx: PageCtx,
    pub year: i32,
    /// The item being edited, or `None` for a new one.
    pub item_id: Option<String>,
    pub input: super::model::ItemInput,
    pub errors: Vec<(&'static str, &'static str)>,
}

impl ItemFormPage {
    pub fn error_for(&self, field: &str) -> Option<&'static str> {
        self.ctx.field_error(&self.errors, field)
    }

    pub fn action(&self) -> String {
        match &self.item_id {
            Some(id) => self.ctx.href(&format!("/years/{}/catalog/{id}", self.year)),
            None => self.ctx.href(&format!("/years/{}/catalog", self.year)),
        }
    }
}

/// A unit as the list shows it.
pub struct UnitItem {
    pub href: String,
    pub code: String,
    pub name: String,
    pub category: String,
    pub phone: String,
    pub staff: i64,
    pub listed: bool,
}

#[derive(Template)]
#[template(path = "registry/units.html")]
pub struct UnitsPage {
    pub ctx: PageCtx,
    pub units: Vec<UnitItem>,
    pub q: String,
    pub category: String,
    pub sort: String,
    pub categories: Vec<String>,
    pub total: i64,
    pub page: i64,
    pub pages: i64,
    /// The open year whose list the "listed" column shows.
    pub year: Option<i32>,
    pub can_edit: bool,
}

impl UnitsPage {
    fn query(&self, sort: &str, page: i64) -> String {
        url::form_urlencoded::Serializer::new(String::new())
            .append_pair("q", &self.q)
            .append_pair("category", &self.category)
            .append_pair("sort", sort)
            .append_pair("page", &page.to_string())
            .finish()
    }

    pub fn page_href(&self, page: &i64) -> String {
        format!(
            "{}?{}",
            self.ctx.href("/units"),
            self.query(&self.sort, *page)
        )
    }

    pub fn sort_href(&self, sort: &str) -> String {
        format!("{}?{}", self.ctx.href("/units"), self.query(sort, 1))
    }

    pub fn sorted_by(&self, sort: &str) -> bool {
        self.sort == sort
    }
}

#[derive(Template)]
#[template(path = "registry/unit_form.html")]
pub struct UnitFormPage {
    pub ctx: PageCtx,
    pub unit_id: Option<String>,
    pub input: super::units::UnitInput,
    pub errors: Vec<(&'static str, &'static str)>,
}

impl UnitFormPage {
    pub fn error_for(&self, field: &str) -> Option<&'static str> {
        self.ctx.field_error(&self.errors, field)
    }

    pub fn action(&self) -> String {
        match &self.unit_id {
            Some(id) => self.ctx.href(&format!("/units/{id}")),
            None => self.ctx.href("/units"),
        }
    }
}

pub struct StaffView {
    pub id: String,
    pub name: String,
    pub post: String,
    pub employment: &'static str,
    pub phone: String,
    pub left: bool,
}

#[derive(Template)]
#[template(path = "registry/unit.html")]
pub struct UnitPage {
    pub ctx: PageCtx,
    pub unit: super::db::UnitDetail,
    pub href: String,
    pub liaisons: Vec<String>,
    pub staff: Vec<StaffView>,
    /// The open year and whether the unit is on its list.
    pub year: Option<(i32, bool)>,
    pub can_edit_unit: bool,
    pub can_edit_staff: bool,
    pub staff_input: super::units::StaffInput,
    pub staff_errors: Vec<(&'static str, &'static str)>,
    pub history: Vec<TimelineEntry>,
    /// INS-08: the years in which a confirmed obstruction cost the unit its excellence eligibility
    pub excellence_lost: Vec<i32>,
    /// The deductions ledger's entries for the unit (INS-04, INS-11), newest first.
    pub deductions: Vec<crate::scoring::db::UnitDeduction>,
}

impl UnitPage {
    /// Where a deduction came from: the finding's page, when a finding caused it.
    pub fn deduction_href(&self, d: &crate::scoring::db::UnitDeduction) -> Option<String> {
        (d.source_type == "finding").then(|| self.ctx.href(&format!("/findings/{}", d.source_key)))
    }
}

impl UnitPage {
    pub fn staff_error(&self, field: &str) -> Option<&'static str> {
        self.ctx.field_error(&self.staff_errors, field)
    }

    pub fn employment_options(&self) -> Vec<(&'static str, &'static str)> {
        super::units::EMPLOYMENT
            .iter()
            .map(|(code, _, key)| (*code, self.ctx.t(key)))
            .collect()
    }
}

/// A bad row of an import, as the page lists it.
pub struct RowErrorView {
    pub line: usize,
    pub column: String,
    pub reason: &'static str,
}

#[derive(Template)]
#[template(path = "registry/import.html")]
pub struct ImportPage {
    pub ctx: PageCtx,
    pub kind: String,
    pub errors: Vec<RowErrorView>,
    pub year: Option<i32>,
}

/// A supervisor as lists and pages show them.
pub struct SupervisorView {
    pub href: String,
    pub name: String,
    pub phone: String,
    pub status: &'static str,
    pub pending: bool,
    pub approved: bool,
    pub work_unit: String,
    pub recommended_by: String,
    pub recommendation: String,
    pub decision_note: String,
    pub certificate: String,
    pub validity: String,
    pub username: String,
}

impl SupervisorView {
    pub fn new(ctx: &PageCtx, s: super::db::SupervisorRow) -> Self {
        let status = super::supervisors::SupervisorStatus::parse(&s.status);
        let validity = match (s.valid_from, s.valid_until) {
            (Some(from), Some(until)) => format!("{from} ~ {until}"),
            _ => String::new(),
        };
        Self {
            href: ctx.href(&format!("/supervisors/{}", s.id)),
            name: s.name,
            phone: s.phone,
            status: status.map(|st| ctx.t(st.label_key())).unwrap_or(""),
            pending: status == Some(super::supervisors::SupervisorStatus::Recommended),
            approved: status == Some(super::supervisors::SupervisorStatus::Approved),
            work_unit: s.work_unit.unwrap_or_default(),
            recommended_by: s.recommended_by.unwrap_or_default(),
            recommendation: s.recommendation,
            decision_note: s.decision_note,
            certificate: s.certificate_number.unwrap_or_default(),
            validity,
            username: s.username.unwrap_or_default(),
        }
    }
}

#[derive(Template)]
#[template(path = "registry/supervisors.html")]
pub struct SupervisorsPage {
    pub ctx: PageCtx,
    pub supervisors: Vec<SupervisorView>,
    pub status: String,
    pub can_recommend: bool,
}

#[derive(Template)]
#[template(path = "registry/supervisor_new.html")]
pub struct RecommendPage {
    pub ctx: PageCtx,
    pub units: Vec<UnitRow>,
    /// A liaison recommends for its own unit only.
    pub fixed_unit: Option<String>,
    pub name: String,
    pub phone: String,
    pub work_unit_id: String,
    pub recommended_by_unit_id: String,
    pub recommendation: String,
    pub errors: Vec<(&'static str, &'static str)>,
}

impl RecommendPage {
    pub fn error_for(&self, field: &str) -> Option<&'static str> {
        self.ctx.field_error(&self.errors, field)
    }
}

#[derive(Template)]
#[template(path = "registry/supervisor.html")]
pub struct SupervisorPage {
    pub ctx: PageCtx,
    pub supervisor: SupervisorView,
    pub can_decide: bool,
    pub can_link: bool,
    pub users: Vec<(String, String)>,
    pub default_from: String,
    pub default_until: String,
    pub error: Option<&'static str>,
}

#[derive(Template)]
#[template(path = "print/certificate.html")]
pub struct CertificatePage {
    pub ctx: PageCtx,
    pub office_name: String,
    pub name: String,
    pub number: String,
    pub validity: String,
    pub qr_href: String,
    pub verify_url: String,
    /// Card size (86 × 54 mm) instead of A4.
    pub card: bool,
}

#[derive(Template)]
#[template(path = "registry/verify.html")]
pub struct VerifyPage {
    pub ctx: PageCtx,
    pub number: String,
    /// The outcome, when a number was given: (catalog key of the state, name, validity).
    pub outcome: Option<(&'static str, bool, String, String)>,
}

pub struct GroupView {
    pub name: String,
    pub purpose: String,
    pub period: String,
    pub unit: String,
    pub leader: String,
    pub members: i64,
    pub member_names: String,
}

#[derive(Template)]
#[template(path = "registry/groups.html")]
pub struct GroupsPage {
    pub ctx: PageCtx,
    pub groups: Vec<GroupView>,
    pub can_form: bool,
    pub candidates: Vec<(String, String)>,
    pub units: Vec<UnitRow>,
    pub form: GroupFormView,
    pub errors: Vec<String>,
}

/// What was typed in the group form, kept on error.
#[derive(Default)]
pub struct GroupFormView {
    pub name: String,
    pub purpose: String,
    pub unit_id: String,
    pub members: Vec<String>,
    pub leader: String,
    pub starts_on: String,
    pub ends_on: String,
}

impl GroupsPage {
    pub fn is_member(&self, id: &str) -> bool {
        self.form.members.iter().any(|m| m == id)
    }
}

#[derive(Template)]
#[template(path = "registry/settings.html")]
pub struct SettingsPage {
    pub ctx: PageCtx,
    pub s: super::settings::Settings,
    pub errors: Vec<(&'static str, &'static str)>,
    pub complaint_preview: String,
    pub notice_preview: String,
}

impl SettingsPage {
    pub fn new(
        ctx: PageCtx,
        s: super::settings::Settings,
        errors: Vec<(&'static str, &'static str)>,
    ) -> Self {
        Self {
            complaint_preview: super::settings_handlers::preview(&s.complaint_number_format),
            notice_preview: super::settings_handlers::preview(&s.notice_number_format),
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
    pub settings: super::settings::Settings,
}
