//! Pages of supervisors, their certificates (printable, with the public verification page) and
//! groups.

use askama::Template;
use serde::Deserialize;

use super::model::SupervisorStatus;
use crate::core::FieldErrors;
use crate::registry::units::db::UnitRow;
use crate::web::PageCtx;

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
    /// the linked account, by its person's name
    pub account: String,
}

impl SupervisorView {
    pub fn new(ctx: &PageCtx, s: super::db::SupervisorRow) -> Self {
        let status = SupervisorStatus::parse(&s.status);
        let validity = match (s.valid_from, s.valid_until) {
            (Some(from), Some(until)) => format!("{from} ~ {until}"),
            _ => String::new(),
        };
        Self {
            href: ctx.href(&format!("/supervisors/{}", s.id)),
            name: s.name,
            phone: s.phone,
            status: status.map(|st| ctx.t(st.label_key())).unwrap_or(""),
            pending: status == Some(SupervisorStatus::Recommended),
            approved: status == Some(SupervisorStatus::Approved),
            work_unit: s.work_unit.unwrap_or_default(),
            recommended_by: s.recommended_by.unwrap_or_default(),
            recommendation: s.recommendation,
            decision_note: s.decision_note,
            certificate: s.certificate_number.unwrap_or_default(),
            validity,
            account: s.account_name.unwrap_or_default(),
        }
    }

    /// The list's columns (catalog keys), in the order of [`Self::cells`]: its export's header.
    pub const COLUMNS: [&'static str; 6] = [
        "staff.name",
        "supervisors.status",
        "supervisors.certificate",
        "supervisors.validity",
        "supervisors.work_unit",
        "supervisors.recommended_by",
    ];

    /// The supervisor as an export's row: what the list's row shows, one column each.
    pub fn cells(self) -> Vec<String> {
        vec![
            self.name,
            self.status.to_string(),
            self.certificate,
            self.validity,
            self.work_unit,
            self.recommended_by,
        ]
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

impl SupervisorsPage {
    /// The export links keep the status shown: the query after the file name.
    pub fn export_query(&self) -> String {
        match self.status.as_str() {
            "" => String::new(),
            status => format!("?status={status}"),
        }
    }
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
    pub errors: FieldErrors,
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
#[derive(Debug, Default, Deserialize)]
pub struct GroupFormView {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub purpose: String,
    #[serde(default)]
    pub unit_id: String,
    /// the ticked members (the form's repeated `member` field)
    #[serde(default, rename = "member")]
    pub members: Vec<String>,
    #[serde(default)]
    pub leader: String,
    #[serde(default)]
    pub starts_on: String,
    #[serde(default)]
    pub ends_on: String,
}

impl GroupsPage {
    pub fn is_member(&self, id: &str) -> bool {
        self.form.members.iter().any(|m| m == id)
    }
}
