//! Complaints: the kinds, channels and relations of the regulation, the typed intake form and its
//! validation, and the workflow as a state machine (pure: no clock, no database).

use chrono::{DateTime, Utc};
use serde::Deserialize;
use uuid::Uuid;

use crate::core::{FieldErrors, RuleError, Transition};

/// Generates an enum stored and sent as text, with its catalog key for readers.
macro_rules! text_enum {
    ($(#[$meta:meta])* $name:ident, $area:literal {
        $($(#[$vmeta:meta])* $variant:ident => $text:literal),+ $(,)?
    }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name { $($(#[$vmeta])* $variant),+ }

        impl $name {
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $text),+ }
            }

            pub fn parse(value: &str) -> Option<Self> {
                match value { $($text => Some(Self::$variant),)+ _ => None }
            }

            /// The catalog key of its name for readers.
            pub fn label_key(self) -> &'static str {
                match self { $(Self::$variant => concat!($area, ".", $text)),+ }
            }
        }
    };
}

text_enum!(
    /// CMP-03: how a complaint came in.
    Channel, "complaints.channel" {
        Hotline12345 => "hotline_12345",
        ComplaintHotline => "complaint_hotline",
        Visit => "visit",
        Letter => "letter",
        Email => "email",
        Leader => "leader",
        Online => "online",
        Api => "api",
    }
);

impl Channel {
    /// CMP-03: the channels office staff log by hand (the public form and the APIs log
    /// themselves).
    pub const LOGGED_BY_STAFF: [Self; 6] = [
        Self::Hotline12345,
        Self::ComplaintHotline,
        Self::Visit,
        Self::Letter,
        Self::Email,
        Self::Leader,
    ];

    /// CMP-02: a complaint in person, by letter or online comes with evidence.
    pub fn needs_evidence(self) -> bool {
        matches!(self, Self::Visit | Self::Letter | Self::Online)
    }
}

text_enum!(
    /// CMP-04: the eight kinds of complaint the regulation accepts.
    Category, "complaints.category" {
        Delay => "delay",
        Notification => "notification",
        Refusal => "refusal",
        Shirking => "shirking",
        Attitude => "attitude",
        Favours => "favours",
        Neglect => "neglect",
        Other => "other",
    }
);

text_enum!(
    /// CMP-05: who the complainant is to the matter.
    Relation, "complaints.relation" {
        Recipient => "recipient",
        Interested => "interested",
        Unrelated => "none",
        Anonymous => "anonymous",
    }
);

text_enum!(
    /// CMP-13: why a complaint is not accepted.
    RefusalReason, "complaints.refusal" {
        InProgress => "in_progress",
        OtherRemedy => "other_remedy",
        InCourt => "in_court",
        Handled => "handled",
    }
);

/// CMP-05: a complaint is handled as a complaint, or only as a suggestion.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Track {
    Complaint,
    Suggestion,
}

impl Track {
    /// CMP-05: anonymous, or from someone neither served nor interested: a suggestion.
    pub fn of(relation: Relation) -> Self {
        match relation {
            Relation::Recipient | Relation::Interested => Self::Complaint,
            Relation::Unrelated | Relation::Anonymous => Self::Suggestion,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Complaint => "complaint",
            Self::Suggestion => "suggestion",
        }
    }

    pub fn parse(value: &str) -> Self {
        match value {
            "suggestion" => Self::Suggestion,
            _ => Self::Complaint,
        }
    }
}

text_enum!(
    /// Where a complaint stands.
    Status, "complaints.status" {
        /// logged, waiting for the office's decision
        Received => "received",
        /// CMP-13: not accepted, with the reason
        Refused => "refused",
        /// CMP-08: accepted and assigned to a unit, waiting for it to sign
        Assigned => "assigned",
        /// CMP-08: the unit signed for it; its handling period runs (part 2)
        Signed => "signed",
        /// CMP-11: the unit returned it as outside its remit; the office rules
        Returned => "returned",
        /// CMP-05: a suggestion passed to the unit for reference
        Forwarded => "forwarded",
        /// CMP-05: the unit acknowledged the suggestion
        Acknowledged => "acknowledged",
    }
);

/// CMP-09: the unit finishes a complaint within this many working days of signing for it.
pub const HANDLING_WORKING_DAYS: u32 = 10;

/// CMP-11: a unit may return a complaint as outside its remit within this many working days of
/// signing for it.
pub const RETURN_WORKING_DAYS: u32 = 3;

/// What someone does to a complaint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// CMP-13, CMP-08: the office accepts it and assigns it to a unit
    Assign { unit: Uuid },
    /// CMP-13: the office does not accept it
    Refuse { reason: RefusalReason },
    /// CMP-08: the unit signs for it (or the job records the receipt)
    Sign,
    /// CMP-08: the office hands it to another unit, with the reason
    Transfer { unit: Uuid },
    /// CMP-08: the office urges the unit
    Urge,
    /// CMP-11: the unit returns it as outside its remit; `return_until` is the end of the third
    /// working day after it signed
    Return { return_until: DateTime<Utc> },
    /// CMP-11: the office rules it is within the unit's remit after all: back to the unit, still
    /// signed for
    Uphold,
    /// CMP-11: the staffing commission ruled which unit is competent: the unit that returned it
    /// (back to it, still signed for) or another (assigned to that one)
    Rule { unit: Uuid },
    /// CMP-05: the office passes a suggestion to the unit for reference
    Forward { unit: Uuid },
    /// CMP-05: the unit acknowledges the suggestion
    Acknowledge,
}

/// A complaint as its workflow sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Case {
    pub status: Status,
    pub track: Track,
    /// the unit it is with now
    pub unit: Uuid,
}

impl Case {
    /// The workflow (CMP-05, CMP-08, CMP-11, CMP-13): received → refused | assigned → signed
    /// → returned → transferred (assigned to another unit) | upheld (signed again); a suggestion
    /// goes received → forwarded → acknowledged. Urging is possible while a unit holds it.
    pub fn apply(
        &self,
        event: &Event,
        now: DateTime<Utc>,
    ) -> Result<Transition<Status>, RuleError> {
        use Status::*;
        let to = |to, action| Ok(Transition::new(self.status, to, action, now));
        let suggestion = self.track == Track::Suggestion;
        match (self.status, event) {
            (Received, Event::Assign { .. }) if suggestion => {
                Err(RuleError::new("CMP-05", "complaints.error_suggestion"))
            }
            (Received, Event::Assign { .. }) => to(Assigned, "complaint.assign"),
            (Received, Event::Refuse { .. }) => to(Refused, "complaint.refuse"),
            (Received, Event::Forward { .. }) if suggestion => to(Forwarded, "complaint.forward"),
            (Forwarded, Event::Acknowledge) => to(Acknowledged, "complaint.acknowledge"),
            (Assigned, Event::Sign) => to(Signed, "complaint.sign"),
            (Assigned | Signed | Returned, Event::Transfer { unit }) if *unit == self.unit => {
                Err(RuleError::new("CMP-08", "complaints.error_same_unit"))
            }
            (Assigned | Signed | Returned, Event::Transfer { .. }) => {
                to(Assigned, "complaint.transfer")
            }
            (Assigned | Signed, Event::Urge) => to(self.status, "complaint.urge"),
            (Signed, Event::Return { return_until }) if now > *return_until => {
                Err(RuleError::new("CMP-11", "complaints.error_return_late"))
            }
            (Signed, Event::Return { .. }) => to(Returned, "complaint.return"),
            (Returned, Event::Uphold) => to(Signed, "complaint.uphold"),
            (Returned, Event::Rule { unit }) if *unit == self.unit => to(Signed, "complaint.rule"),
            (Returned, Event::Rule { .. }) => to(Assigned, "complaint.rule"),
            _ => Err(RuleError::new("CMP-08", "complaints.error_state")),
        }
    }
}

/// The intake form as office staff (or the public form) send it.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ComplaintInput {
    pub channel: String,
    /// `YYYY-MM-DDTHH:MM` in the office's zone; empty: now
    pub received_at: String,
    pub unit_id: String,
    /// people named: picked from the unit's staff …
    pub staff_id: Vec<String>,
    /// … or typed, one per line
    pub people: String,
    pub matter: String,
    pub reasons: String,
    pub category: String,
    pub evidence_note: String,
    pub relation: String,
    pub complainant_name: String,
    pub complainant_phone: String,
    pub complainant_email: String,
    pub contact_allowed: Option<String>,
    /// the public form's hidden field: people leave it empty, robots fill it
    pub website: String,
}

/// A complaint's fields, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComplaintFields {
    pub channel: Channel,
    pub unit_id: Uuid,
    pub staff: Vec<Uuid>,
    pub people: Vec<String>,
    pub matter: String,
    pub reasons: String,
    pub category: Category,
    pub evidence_note: String,
    pub relation: Relation,
    pub name: String,
    pub phone: String,
    pub email: String,
    pub contact_allowed: bool,
}

impl ComplaintFields {
    pub fn track(&self) -> Track {
        Track::of(self.relation)
    }
}

/// Text longer than its field holds is refused, never cut.
fn too_long(text: &str, max: usize) -> bool {
    text.chars().count() > max
}

impl ComplaintInput {
    /// The form as a multipart body sent it (the files aside): every field by its name, the
    /// staff picked as often as they were sent, unknown names ignored.
    pub fn from_fields(fields: &[(String, String)]) -> Self {
        let mut input = Self::default();
        for (name, value) in fields {
            let value = value.clone();
            match name.as_str() {
                "channel" => input.channel = value,
                "received_at" => input.received_at = value,
                "unit_id" => input.unit_id = value,
                "staff_id" => input.staff_id.push(value),
                "people" => input.people = value,
                "matter" => input.matter = value,
                "reasons" => input.reasons = value,
                "category" => input.category = value,
                "evidence_note" => input.evidence_note = value,
                "relation" => input.relation = value,
                "complainant_name" => input.complainant_name = value,
                "complainant_phone" => input.complainant_phone = value,
                "complainant_email" => input.complainant_email = value,
                "contact_allowed" => input.contact_allowed = Some(value),
                "website" => input.website = value,
                _ => {}
            }
        }
        input
    }

    /// The fields, or every fault by field (CMP-02: unit, matter and reasons are required, and a
    /// complaint in person, by letter or online names its evidence; `files` is how many files
    /// came with it).
    pub fn validate(&self, files: usize) -> Result<ComplaintFields, FieldErrors> {
        let mut errors = FieldErrors::new();
        let channel = Channel::parse(self.channel.trim());
        if channel.is_none() {
            errors.push(("channel", "complaints.error_channel"));
        }
        let unit_id = Uuid::parse_str(self.unit_id.trim()).ok();
        if unit_id.is_none() {
            errors.push(("unit_id", "complaints.error_unit"));
        }
        let matter = self.matter.trim();
        if matter.is_empty() {
            errors.push(("matter", "complaints.error_matter"));
        } else if too_long(matter, 2000) {
            errors.push(("matter", "complaints.error_matter_long"));
        }
        let reasons = self.reasons.trim();
        if reasons.is_empty() {
            errors.push(("reasons", "complaints.error_reasons"));
        } else if too_long(reasons, 10_000) {
            errors.push(("reasons", "complaints.error_reasons_long"));
        }
        let category = Category::parse(self.category.trim());
        if category.is_none() {
            errors.push(("category", "complaints.error_category"));
        }
        let evidence_note = self.evidence_note.trim();
        if too_long(evidence_note, 2000) {
            errors.push(("evidence_note", "complaints.error_evidence_long"));
        } else if channel.is_some_and(Channel::needs_evidence)
            && evidence_note.is_empty()
            && files == 0
        {
            errors.push(("evidence_note", "complaints.error_evidence"));
        }
        let relation = Relation::parse(self.relation.trim());
        if relation.is_none() {
            errors.push(("relation", "complaints.error_relation"));
        }
        let anonymous = relation == Some(Relation::Anonymous);
        let (name, phone, email) = (
            self.complainant_name.trim(),
            self.complainant_phone.trim(),
            self.complainant_email.trim(),
        );
        if too_long(name, 50) {
            errors.push(("complainant_name", "complaints.error_name"));
        }
        if too_long(phone, 30)
            || !phone
                .chars()
                .all(|c| c.is_ascii_digit() || "+- ()".contains(c))
        {
            errors.push(("complainant_phone", "complaints.error_phone"));
        }
        if too_long(email, 100) || (!email.is_empty() && !email.contains('@')) {
            errors.push(("complainant_email", "complaints.error_email"));
        }
        if !anonymous && relation.is_some() && name.is_empty() {
            errors.push(("complainant_name", "complaints.error_name_missing"));
        }
        let staff: Option<Vec<Uuid>> = self
            .staff_id
            .iter()
            .filter(|s| !s.trim().is_empty())
            .map(|s| Uuid::parse_str(s.trim()).ok())
            .collect();
        if staff.is_none() {
            errors.push(("staff_id", "complaints.error_staff"));
        }
        let people: Vec<String> = self
            .people
            .lines()
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(String::from)
            .collect();
        if people.len() > 20 || people.iter().any(|p| too_long(p, 50)) {
            errors.push(("people", "complaints.error_people"));
        }
        match (channel, unit_id, category, relation, staff) {
            (Some(channel), Some(unit_id), Some(category), Some(relation), Some(staff))
                if errors.is_empty() =>
            {
                Ok(ComplaintFields {
                    channel,
                    unit_id,
                    staff,
                    people,
                    matter: matter.to_string(),
                    reasons: reasons.to_string(),
                    category,
                    evidence_note: evidence_note.to_string(),
                    relation,
                    // CMP-05: an anonymous complainant leaves nothing to contact
                    name: if anonymous {
                        String::new()
                    } else {
                        name.to_string()
                    },
                    phone: if anonymous {
                        String::new()
                    } else {
                        phone.to_string()
                    },
                    email: if anonymous {
                        String::new()
                    } else {
                        email.to_string()
                    },
                    contact_allowed: !anonymous && self.contact_allowed.is_some(),
                })
            }
            _ => Err(errors),
        }
    }
}

/// The tracking code's letters: no 0/O, 1/I/L or U, so that it reads back without doubt.
const CODE_ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTVWXYZ";
/// 14 letters of 30: 68 bits.
const CODE_LEN: usize = 14;

/// A new tracking code from the operating system's random numbers, in groups of four
/// (`ABCD-EFGH-JKMN-PQ`), and the hash it is stored as.
pub fn new_tracking_code() -> Result<(String, String), rand::rand_core::OsError> {
    use rand::TryRngCore;
    let mut letters = Vec::with_capacity(CODE_LEN);
    let mut byte = [0u8; 1];
    while letters.len() < CODE_LEN {
        rand::rngs::OsRng.try_fill_bytes(&mut byte)?;
        // 240 = 8 × 30: taking bytes below it keeps every letter equally likely
        if byte[0] < 240 {
            letters.push(CODE_ALPHABET[(byte[0] % 30) as usize]);
        }
    }
    let code: String = letters
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join("-");
    let hash = tracking_hash(&code).unwrap_or_default();
    Ok((code, hash))
}

/// The hash a typed tracking code is looked up by (SHA-256 of its letters, in hex), or `None` for
/// text that cannot be a code. Case, spaces and dashes do not matter.
pub fn tracking_hash(typed: &str) -> Option<String> {
    use sha2::{Digest, Sha256};
    let letters: String = typed
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| c.to_ascii_uppercase())
        .collect();
    let valid = letters.len() == CODE_LEN && letters.bytes().all(|b| CODE_ALPHABET.contains(&b));
    valid.then(|| hex::encode(Sha256::digest(letters.as_bytes())))
}

/// A complaint's number from the office's format (`效投〔{year}〕{seq:04}号`): `{year}`, and
/// `{seq}` or `{seq:0N}` (padded to N digits).
pub fn format_number(format: &str, year: i32, seq: i32) -> String {
    let mut out = format.replace("{year}", &year.to_string());
    if let Some(start) = out.find("{seq")
        && let Some(len) = out[start..].find('}')
    {
        let spec = &out[start + 4..start + len];
        let width: usize = spec.trim_start_matches(":0").parse().unwrap_or(0);
        let seq = format!("{seq:0width$}");
        out.replace_range(start..start + len + 1, &seq);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> ComplaintInput {
        ComplaintInput {
            channel: "complaint_hotline".into(),
            unit_id: Uuid::new_v4().to_string(),
            matter: "办理不动产登记超过承诺时限".into(),
            reasons: "承诺5个工作日办结，实际等了15个工作日仍未办结。".into(),
            category: "delay".into(),
            relation: "recipient".into(),
            complainant_name: "张三".into(),
            complainant_phone: "13800000000".into(),
            ..ComplaintInput::default()
        }
    }

    fn fields(errors: &FieldErrors) -> Vec<&str> {
        errors.iter().map(|e| e.0).collect()
    }

    #[test]
    fn cmp_02_a_complaint_names_its_unit_matter_and_reasons() {
        let blank = ComplaintInput {
            unit_id: String::new(),
            matter: " ".into(),
            reasons: String::new(),
            ..input()
        };
        let errors = blank.validate(0).unwrap_err();
        assert_eq!(fields(&errors), ["unit_id", "matter", "reasons"]);
        assert!(input().validate(0).is_ok());
    }

    #[test]
    fn cmp_02_in_person_by_letter_or_online_it_comes_with_evidence() {
        for channel in ["visit", "letter", "online"] {
            let bare = ComplaintInput {
                channel: channel.into(),
                ..input()
            };
            assert_eq!(fields(&bare.validate(0).unwrap_err()), ["evidence_note"]);
            assert!(bare.validate(1).is_ok(), "a file is evidence");
            let described = ComplaintInput {
                evidence_note: "排队叫号单照片一张".into(),
                ..bare
            };
            assert!(described.validate(0).is_ok(), "so is a written description");
        }
        assert!(input().validate(0).is_ok(), "by phone no evidence is asked");
    }

    #[test]
    fn the_multipart_form_reads_into_the_same_input_as_the_url_encoded_one() {
        let sent: Vec<(String, String)> = [
            ("channel", "visit"),
            ("staff_id", "a"),
            ("matter", "排队"),
            ("staff_id", "b"),
            ("contact_allowed", "on"),
            ("unknown", "x"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let input = ComplaintInput::from_fields(&sent);
        assert_eq!(input.channel, "visit");
        assert_eq!(input.staff_id, ["a", "b"]);
        assert_eq!(input.matter, "排队");
        assert!(input.contact_allowed.is_some());
    }

    #[test]
    fn cmp_04_the_category_is_one_of_the_eight_kinds() {
        assert_eq!(Category::ALL.len(), 8);
        let unknown = ComplaintInput {
            category: "noise".into(),
            ..input()
        };
        assert_eq!(fields(&unknown.validate(0).unwrap_err()), ["category"]);
    }

    #[test]
    fn cmp_05_anonymous_or_unrelated_complaints_are_suggestions() {
        assert_eq!(Track::of(Relation::Recipient), Track::Complaint);
        assert_eq!(Track::of(Relation::Interested), Track::Complaint);
        assert_eq!(Track::of(Relation::Unrelated), Track::Suggestion);
        assert_eq!(Track::of(Relation::Anonymous), Track::Suggestion);
        let anonymous = ComplaintInput {
            relation: "anonymous".into(),
            contact_allowed: Some("on".into()),
            ..input()
        };
        let f = anonymous.validate(0).unwrap();
        assert_eq!(f.track(), Track::Suggestion);
        assert_eq!((f.name.as_str(), f.phone.as_str()), ("", ""));
        assert!(!f.contact_allowed);
    }

    #[test]
    fn text_longer_than_its_field_is_refused_not_cut() {
        let long = ComplaintInput {
            reasons: "长".repeat(100_000),
            ..input()
        };
        assert_eq!(fields(&long.validate(0).unwrap_err()), ["reasons"]);
    }

    fn case(status: Status) -> Case {
        Case {
            status,
            track: Track::Complaint,
            unit: Uuid::nil(),
        }
    }

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn cmp_08_the_office_assigns_the_unit_signs_and_the_office_may_transfer_and_urge() {
        let now = at("2026-12-01T02:00:00Z");
        let other = Uuid::new_v4();
        let assign = Event::Assign { unit: other };
        assert_eq!(
            case(Status::Received).apply(&assign, now).unwrap().to,
            Status::Assigned
        );
        assert_eq!(
            case(Status::Assigned).apply(&Event::Sign, now).unwrap().to,
            Status::Signed
        );
        let urged = case(Status::Signed).apply(&Event::Urge, now).unwrap();
        assert_eq!((urged.to, urged.action), (Status::Signed, "complaint.urge"));
        let moved = case(Status::Signed).apply(&Event::Transfer { unit: other }, now);
        assert_eq!(
            moved.unwrap().to,
            Status::Assigned,
            "the new unit signs anew"
        );
        let same = case(Status::Signed).apply(&Event::Transfer { unit: Uuid::nil() }, now);
        assert_eq!(same.unwrap_err().rule, "CMP-08");
        assert!(case(Status::Refused).apply(&Event::Urge, now).is_err());
    }

    #[test]
    fn cmp_11_a_unit_returns_a_complaint_only_until_its_third_working_day() {
        let until = at("2026-12-03T15:59:59Z");
        let in_time = case(Status::Signed).apply(
            &Event::Return {
                return_until: until,
            },
            until,
        );
        assert_eq!(in_time.unwrap().to, Status::Returned);
        let late = case(Status::Signed).apply(
            &Event::Return {
                return_until: until,
            },
            at("2026-12-03T16:00:00Z"),
        );
        assert_eq!(late.unwrap_err().rule, "CMP-11");
        let upheld = case(Status::Returned).apply(&Event::Uphold, until).unwrap();
        assert_eq!(upheld.to, Status::Signed);
    }

    #[test]
    fn cmp_11_the_staffing_commissions_ruling_sends_it_back_or_to_the_competent_unit() {
        let now = at("2026-12-01T02:00:00Z");
        let back = case(Status::Returned).apply(&Event::Rule { unit: Uuid::nil() }, now);
        assert_eq!(
            back.unwrap().to,
            Status::Signed,
            "within its remit: still signed for"
        );
        let other = Event::Rule {
            unit: Uuid::new_v4(),
        };
        let moved = case(Status::Returned).apply(&other, now).unwrap();
        assert_eq!(
            (moved.to, moved.action),
            (Status::Assigned, "complaint.rule")
        );
        assert!(
            case(Status::Signed).apply(&other, now).is_err(),
            "only once returned"
        );
    }

    #[test]
    fn cmp_05_a_suggestion_is_forwarded_for_reference_not_assigned() {
        let now = at("2026-12-01T02:00:00Z");
        let suggestion = Case {
            track: Track::Suggestion,
            ..case(Status::Received)
        };
        let unit = Uuid::new_v4();
        assert_eq!(
            suggestion
                .apply(&Event::Assign { unit }, now)
                .unwrap_err()
                .rule,
            "CMP-05"
        );
        let forwarded = suggestion.apply(&Event::Forward { unit }, now).unwrap();
        assert_eq!(forwarded.to, Status::Forwarded);
        assert!(
            case(Status::Received)
                .apply(&Event::Forward { unit }, now)
                .is_err()
        );
    }

    #[test]
    fn cmp_13_the_office_may_refuse_with_a_reason_of_the_regulation() {
        let now = at("2026-12-01T02:00:00Z");
        let refused = case(Status::Received).apply(
            &Event::Refuse {
                reason: RefusalReason::InCourt,
            },
            now,
        );
        assert_eq!(refused.unwrap().to, Status::Refused);
        assert_eq!(RefusalReason::ALL.len(), 4);
    }

    #[test]
    fn a_tracking_code_has_over_60_bits_in_letters_that_read_back_without_doubt() {
        let (code, hash) = new_tracking_code().unwrap();
        assert_eq!(code.len(), 17, "four groups: {code}");
        assert!((CODE_LEN as f64 * 30f64.log2()) > 60.0);
        assert!(!code.contains(['0', 'O', '1', 'I', 'L', 'U']));
        assert_eq!(tracking_hash(&code), Some(hash.clone()));
        assert_eq!(
            tracking_hash(&code.to_lowercase().replace('-', " ")),
            Some(hash)
        );
        assert_eq!(tracking_hash("ABCD"), None);
        assert_eq!(tracking_hash("ABCD-EFGH-JKMN-P0"), None);
        assert_ne!(new_tracking_code().unwrap().0, code);
    }

    #[test]
    fn the_number_follows_the_offices_format() {
        assert_eq!(
            format_number("效投〔{year}〕{seq:04}号", 2026, 7),
            "效投〔2026〕0007号"
        );
        assert_eq!(
            format_number("宣效投{year}-{seq}", 2026, 12),
            "宣效投2026-12"
        );
    }
}
