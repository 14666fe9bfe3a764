//! The pages of complaints.

use askama::Template;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::db::{
    ComplaintRow, EventRow, ListFilter, ListRow, PublicStep, RulingRow, SimilarRow, StaffChoice,
    TrackedRow, UnitChoice,
};
use super::model::{Category, Channel, ComplaintInput, RefusalReason, Relation, Status, Track};
use crate::config::ComplaintsConfig;
use crate::core::paging::PageRequest;
use crate::core::{CurrentUser, FieldErrors, Pager};
use crate::evidence::views::{EvidenceView, human_size};
use crate::web::PageCtx;

/// The catalog key of a stored enum value, or the value itself when unknown.
fn label<T: Copy>(
    value: &str,
    parse: fn(&str) -> Option<T>,
    key: fn(T) -> &'static str,
) -> &'static str {
    parse(value).map(key).unwrap_or("complaints.unknown")
}

pub fn status_key(status: &str) -> &'static str {
    label(status, Status::parse, Status::label_key)
}

pub fn channel_key(channel: &str) -> &'static str {
    label(channel, Channel::parse, Channel::label_key)
}

pub fn category_key(category: &str) -> &'static str {
    label(category, Category::parse, Category::label_key)
}

#[derive(Template)]
#[template(path = "complaints/list.html")]
pub struct ListPage {
    pub ctx: PageCtx,
    pub can_log: bool,
    pub filter: ListFilter,
    pub rows: Vec<ListRow>,
    /// the open year's units to filter by (none for a liaison)
    pub units: Vec<UnitChoice>,
    /// the period's days as typed (`YYYY-MM-DD`), and whether only the overdue are shown
    pub from: String,
    pub to: String,
    pub overdue: bool,
    pub pager: Pager,
    pub total: i64,
    /// the filters as the export's query string
    pub export_query: String,
}

impl ListPage {
    pub fn new(
        ctx: PageCtx,
        user: &CurrentUser,
        filter: ListFilter,
        rows: Vec<ListRow>,
        units: Vec<UnitChoice>,
        (from, to): (String, String),
        (request, total): (PageRequest, i64),
    ) -> Self {
        let overdue = filter.overdue_at.is_some();
        let query = filter_query(&filter, (&from, &to), overdue);
        let export_query = format!("?{}", query.trim_end_matches('&'));
        let base = ctx.href("/complaints");
        let pager = Pager::new(request, total, |n| format!("{base}?{query}page={n}"));
        Self {
            can_log: user.of_office(),
            ctx,
            filter,
            rows,
            units,
            from,
            to,
            overdue,
            pager,
            total,
            export_query,
        }
    }

    pub fn when(&self, at: &DateTime<Utc>) -> String {
        self.ctx.local_time(at)
    }

    pub fn statuses(&self) -> &'static [Status] {
        Status::ALL
    }

    pub fn channels(&self) -> &'static [Channel] {
        Channel::ALL
    }

    pub fn categories(&self) -> &'static [Category] {
        Category::ALL
    }

    pub fn unit_chosen(&self, id: &Uuid) -> bool {
        self.filter.unit == Some(*id)
    }

    pub fn suggestion(&self, row: &ListRow) -> bool {
        Track::parse(&row.track) == Track::Suggestion
    }
}

/// The filters as a query string prefix (`status=…&`), for the pager's links.
fn filter_query(f: &ListFilter, (from, to): (&str, &str), overdue: bool) -> String {
    let mut q = String::new();
    for (k, v) in [
        ("status", f.status.as_str()),
        ("channel", f.channel.as_str()),
        ("category", f.category.as_str()),
        ("from", from),
        ("to", to),
        ("overdue", if overdue { "1" } else { "" }),
    ] {
        if !v.is_empty() {
            q.push_str(&format!("{k}={v}&"));
        }
    }
    if let Some(unit) = f.unit {
        q.push_str(&format!("unit={unit}&"));
    }
    q
}

#[derive(Template)]
#[template(path = "complaints/form.html")]
pub struct FormPage {
    pub ctx: PageCtx,
    pub units: Vec<UnitChoice>,
    /// the chosen unit's staff, to tick those named
    pub staff: Vec<StaffChoice>,
    pub input: ComplaintInput,
    pub errors: FieldErrors,
    /// each refused file with why
    pub file_errors: Vec<String>,
    /// how large a file may be
    pub max_size: String,
}

/// The staff of a unit as ticks on the intake form (also sent alone when the unit changes).
#[derive(Template)]
#[template(path = "complaints/_staff.html")]
pub struct StaffChoicesPart {
    pub ctx: PageCtx,
    pub staff: Vec<StaffChoice>,
    pub chosen: Vec<String>,
}

impl StaffChoicesPart {
    pub fn is_chosen(&self, id: &Uuid) -> bool {
        self.chosen.iter().any(|c| c.trim() == id.to_string())
    }
}

impl FormPage {
    /// The chosen unit's staff as the form shows them, those already ticked kept.
    pub fn staff_part(&self) -> StaffChoicesPart {
        StaffChoicesPart {
            ctx: self.ctx.clone(),
            staff: self.staff.clone(),
            chosen: self.input.staff_id.clone(),
        }
    }

    pub fn error_for(&self, field: &str) -> Option<&'static str> {
        self.ctx.field_error(&self.errors, field)
    }

    pub fn channels(&self) -> [Channel; 6] {
        Channel::LOGGED_BY_STAFF
    }

    pub fn categories(&self) -> &'static [Category] {
        Category::ALL
    }

    pub fn relations(&self) -> &'static [Relation] {
        Relation::ALL
    }

    pub fn chosen_unit(&self, id: &Uuid) -> bool {
        self.input.unit_id == id.to_string()
    }
}

/// A step of the timeline as the page shows it.
pub struct Step {
    pub at: String,
    pub what: &'static str,
    pub who: String,
    pub unit: String,
    pub note: String,
}

#[derive(Template)]
#[template(path = "complaints/complaint.html")]
pub struct ComplaintPage {
    pub ctx: PageCtx,
    pub c: ComplaintRow,
    pub people: Vec<String>,
    pub timeline: Vec<Step>,
    /// CMP-02: the files it came with
    pub files: Vec<EvidenceView>,
    /// CMP-11: the staffing commission's rulings on the unit's remit
    pub rulings: Vec<RulingRow>,
    /// CMP-09: when the unit's handling period ends
    pub due: Option<String>,
    /// CMP-13: earlier complaints like this one
    pub similar: Vec<SimilarRow>,
    /// the open year's units, for assigning and transferring
    pub units: Vec<UnitChoice>,
    pub shows_contact: bool,
    /// CMP-11: until when the unit may return it, for the unit
    pub return_until: Option<String>,
    pub errors: Vec<String>,
    pub by_office: bool,
    pub status: Status,
    pub suggestion: bool,
}

impl ComplaintPage {
    pub fn new(
        ctx: PageCtx,
        user: &CurrentUser,
        c: ComplaintRow,
        (people, events, files, rulings): (
            Vec<String>,
            Vec<EventRow>,
            Vec<EvidenceView>,
            Vec<RulingRow>,
        ),
        (similar, units): (Vec<SimilarRow>, Vec<UnitChoice>),
        (shows_contact, return_until): (bool, Option<Option<DateTime<Utc>>>),
        errors: Vec<String>,
    ) -> Self {
        let timeline = events
            .into_iter()
            .map(|e| Step {
                at: ctx.local_time(&e.at),
                what: action_key(&e.action),
                who: e.actor.unwrap_or_default(),
                unit: e.unit.unwrap_or_default(),
                note: e.note,
            })
            .collect();
        Self {
            status: Status::parse(&c.status).unwrap_or(Status::Received),
            suggestion: Track::parse(&c.track) == Track::Suggestion,
            by_office: user.of_office(),
            return_until: return_until.flatten().map(|t| ctx.local_time(&t)),
            due: c.due_at.map(|t| ctx.local_time(&t)),
            c,
            people,
            timeline,
            files,
            rulings,
            similar,
            units,
            shows_contact,
            errors,
            ctx,
        }
    }

    /// A hint that cites the complaints regulation's rule `CMP-{n}` by its article.
    pub fn cited(&self, key: &str, n: u8) -> String {
        self.ctx.tf(key, &self.ctx.cite(&format!("CMP-{n:02}")))
    }

    /// CMP-11: a ruling of the staffing commission in a line: when, its number, which unit.
    pub fn ruling_line(&self, r: &RulingRow) -> String {
        let date = crate::core::time::document_date(r.ruled_on);
        let args = [
            date.as_str(),
            r.document_number.as_str(),
            r.returned_by.as_str(),
            r.competent_unit.as_str(),
        ];
        self.ctx.tfn("complaints.ruling_line", &args)
    }

    /// CMP-11: until when the unit may return the complaint, citing the article.
    pub fn return_hint(&self, until: &str) -> String {
        let cited = self.ctx.cite("CMP-11");
        self.ctx.tfn("complaints.return_hint", &[until, &cited])
    }

    pub fn act_href(&self) -> String {
        self.ctx.href(&format!("/complaints/{}/act", self.c.id))
    }

    pub fn href_of(&self, id: &Uuid) -> String {
        self.ctx.href(&format!("/complaints/{id}"))
    }

    pub fn when(&self, at: &DateTime<Utc>) -> String {
        self.ctx.local_time(at)
    }

    pub fn refusals(&self) -> &'static [RefusalReason] {
        RefusalReason::ALL
    }

    pub fn relation_key(&self) -> &'static str {
        label(&self.c.relation, Relation::parse, Relation::label_key)
    }

    pub fn refusal_key(&self) -> &'static str {
        self.c
            .refusal_reason
            .as_deref()
            .map(|r| label(r, RefusalReason::parse, RefusalReason::label_key))
            .unwrap_or("complaints.unknown")
    }

    /// What the office may do now.
    pub fn may(&self, act: &str) -> bool {
        use Status::*;
        match (self.by_office, act) {
            (true, "decide") => self.status == Received,
            (true, "transfer") => matches!(self.status, Assigned | Signed | Returned),
            (true, "urge") => matches!(self.status, Assigned | Signed),
            (true, "uphold" | "rule") => self.status == Returned,
            (false, "sign") => self.status == Assigned,
            (false, "return") => self.status == Signed && self.return_until.is_some(),
            (false, "acknowledge") => self.status == Forwarded,
            _ => false,
        }
    }
}

/// The catalog key of a timeline step's action.
fn action_key(action: &str) -> &'static str {
    match action {
        "complaint.receive" => "complaints.step.receive",
        "complaint.assign" => "complaints.step.assign",
        "complaint.refuse" => "complaints.step.refuse",
        "complaint.sign" => "complaints.step.sign",
        "complaint.transfer" => "complaints.step.transfer",
        "complaint.urge" => "complaints.step.urge",
        "complaint.return" => "complaints.step.return",
        "complaint.uphold" => "complaints.step.uphold",
        "complaint.rule" => "complaints.step.rule",
        "complaint.forward" => "complaints.step.forward",
        "complaint.acknowledge" => "complaints.step.acknowledge",
        _ => "complaints.unknown",
    }
}

#[derive(Template)]
#[template(path = "complaints/public_form.html")]
pub struct PublicFormPage {
    pub ctx: PageCtx,
    pub units: Vec<UnitChoice>,
    pub input: ComplaintInput,
    pub errors: FieldErrors,
    /// why the form was not taken at all (too many from this address), if so
    pub message: Option<&'static str>,
    /// each refused file with why
    pub file_errors: Vec<String>,
    /// how many files it takes, and how large each may be
    pub max_files: usize,
    pub max_size: String,
}

impl PublicFormPage {
    pub fn new(
        ctx: PageCtx,
        config: &ComplaintsConfig,
        units: Vec<UnitChoice>,
        input: ComplaintInput,
    ) -> Self {
        Self {
            ctx,
            units,
            input,
            errors: Vec::new(),
            message: None,
            file_errors: Vec::new(),
            max_files: config.public_files,
            max_size: human_size(i64::try_from(config.public_file_bytes).unwrap_or(0)),
        }
    }

    /// The form again, with why it was not taken.
    pub fn refused(
        self,
        message: Option<&'static str>,
        errors: FieldErrors,
        file_errors: Vec<String>,
    ) -> Self {
        Self {
            message,
            errors,
            file_errors,
            ..self
        }
    }

    /// The hint under the file field: how many photos, how large.
    pub fn files_hint(&self) -> String {
        let most = self.max_files.to_string();
        self.ctx
            .tfn("complaints.files_public_hint", &[&most, &self.max_size])
    }

    pub fn error_for(&self, field: &str) -> Option<&'static str> {
        self.ctx.field_error(&self.errors, field)
    }

    pub fn categories(&self) -> &'static [Category] {
        Category::ALL
    }

    pub fn relations(&self) -> &'static [Relation] {
        Relation::ALL
    }

    pub fn chosen_unit(&self, id: &Uuid) -> bool {
        self.input.unit_id == id.to_string()
    }
}

#[derive(Template)]
#[template(path = "complaints/filed.html")]
pub struct FiledPage {
    pub ctx: PageCtx,
    pub number: String,
    pub code: String,
    pub link: String,
    /// the link as a QR code (SVG)
    pub qr: String,
}

/// A step of the public timeline as the tracking page shows it.
pub struct PublicStepView {
    pub at: String,
    pub what: &'static str,
    pub unit: String,
    pub text: String,
}

#[derive(Template)]
#[template(path = "complaints/track.html")]
pub struct TrackPage {
    pub ctx: PageCtx,
    pub complaint: Option<TrackedRow>,
    pub steps: Vec<PublicStepView>,
    pub message: Option<&'static str>,
}

impl TrackPage {
    pub fn empty(ctx: PageCtx) -> Self {
        Self {
            ctx,
            complaint: None,
            steps: Vec::new(),
            message: None,
        }
    }

    /// Shows the complaint and its public steps (never staff names or internal notes).
    pub fn show(&mut self, complaint: TrackedRow, steps: Vec<PublicStep>) {
        self.steps = steps
            .into_iter()
            .map(|s| PublicStepView {
                at: self.ctx.local_time(&s.at),
                what: action_key(&s.action),
                unit: s.unit.unwrap_or_default(),
                text: s.public_text,
            })
            .collect();
        self.complaint = Some(complaint);
    }

    pub fn when(&self, at: &DateTime<Utc>) -> String {
        self.ctx.local_time(at)
    }

    pub fn suggestion(&self, c: &TrackedRow) -> bool {
        Track::parse(&c.track) == Track::Suggestion
    }
}
