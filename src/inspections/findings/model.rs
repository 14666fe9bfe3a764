//! What a supervisor types into a finding and a sign-off, validated (pure).

use std::str::FromStr;

use base64::Engine;
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::Deserialize;
use uuid::Uuid;

use super::db::{DraftFields, FindingRow, ItemChoice};
use crate::core::FieldErrors;
use crate::core::time::{datetime_input, parse_datetime_input};
use crate::inspections::model::SignoffOutcome;

/// How far ahead of the clock an observation may be dated (a phone's clock runs a little fast).
const CLOCK_SKEW_MINUTES: i64 = 5;

/// The longest description, and the longest place or typed name of a draft.
const DESCRIPTION_MAX: usize = 5000;
const LINE_MAX: usize = 200;

/// The typed values of a draft, as the form sent them.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct DraftForm {
    pub item_id: String,
    pub description: String,
    pub staff_id: String,
    pub staff_text: String,
    pub observed_at: String,
    pub place: String,
    pub points: String,
}

impl DraftForm {
    /// The form as stored, for the page (times in the office's zone `tz`).
    pub fn from_row(f: &FindingRow, tz: chrono_tz::Tz) -> Self {
        Self {
            item_id: f.item_id.map(|i| i.to_string()).unwrap_or_default(),
            description: f.description.clone(),
            staff_id: f.staff_id.map(|i| i.to_string()).unwrap_or_default(),
            staff_text: f.staff_text.clone(),
            observed_at: f
                .observed_at
                .map(|t| datetime_input(tz, &t))
                .unwrap_or_default(),
            place: f.place.clone(),
            points: f
                .points
                .map(|p| p.normalize().to_string())
                .unwrap_or_default(),
        }
    }

    /// Checks the draft against the task's catalog items and the unit's staff: the draft to save,
    /// and why each refused field was refused (field, catalog key). A draft may be incomplete, and
    /// one bad field never costs the others: each valid field is taken as typed, each invalid one
    /// keeps its `stored` value. INS-08: discretionary points stay in the item's range; INS-09: an
    /// observation is not dated after the clock.
    pub fn validate(
        &self,
        (items, staff): (&[ItemChoice], &[(Uuid, String, String)]),
        (tz, now): (chrono_tz::Tz, DateTime<Utc>),
        stored: &DraftFields,
    ) -> (DraftFields, FieldErrors) {
        let mut errors = FieldErrors::new();
        let mut draft = stored.clone();
        let item = match self.item_id.trim() {
            "" => {
                draft.item_id = None;
                None
            }
            id => match items.iter().find(|i| i.id.to_string() == id) {
                Some(item) => {
                    draft.item_id = Some(item.id);
                    Some(item)
                }
                None => {
                    errors.push(("item_id", "findings.error_item"));
                    items.iter().find(|i| Some(i.id) == stored.item_id)
                }
            },
        };
        draft.points = match (item, self.points.trim()) {
            (Some(i), text) if i.points_min != i.points_max && !text.is_empty() => {
                match Decimal::from_str(text) {
                    Ok(p) if i.allows(p) => Some(p),
                    _ => {
                        errors.push(("points", "findings.error_points"));
                        stored.points.filter(|p| i.allows(*p))
                    }
                }
            }
            // the stored item is no longer offered: its points stand with it
            (None, _) if draft.item_id.is_some() => stored.points,
            _ => None,
        };
        match self.staff_id.trim() {
            "" => draft.staff_id = None,
            id => match staff.iter().find(|s| s.0.to_string() == id) {
                Some(s) => draft.staff_id = Some(s.0),
                None => errors.push(("staff_id", "findings.error_staff")),
            },
        }
        let latest = now + chrono::Duration::minutes(CLOCK_SKEW_MINUTES);
        match self.observed_at.trim() {
            "" => draft.observed_at = None,
            text => match parse_datetime_input(text, tz) {
                Some(t) if t <= latest => draft.observed_at = Some(t),
                Some(_) => errors.push(("observed_at", "findings.error_observed_future")),
                None => errors.push(("observed_at", "findings.error_observed_at")),
            },
        }
        let texts = [
            (
                &self.description,
                DESCRIPTION_MAX,
                &mut draft.description,
                ("description", "findings.error_description_long"),
            ),
            (
                &self.staff_text,
                LINE_MAX,
                &mut draft.staff_text,
                ("staff_text", "error.too_long"),
            ),
            (
                &self.place,
                LINE_MAX,
                &mut draft.place,
                ("place", "error.too_long"),
            ),
        ];
        for (typed, max, kept, error) in texts {
            if typed.chars().count() > max {
                errors.push(error);
            } else {
                *kept = typed.trim().to_string();
            }
        }
        (draft, errors)
    }
}

/// The sign-off form as it was sent.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct SignoffForm {
    pub outcome: String,
    pub signer_name: String,
    pub signer_post: String,
    /// a `data:image/png;base64,` URL from the signature pad
    pub signature: String,
    pub typed_signature: String,
    pub refusal_reason: String,
}

/// How the unit's representative signed: a drawn signature (PNG bytes, kept as evidence), or a
/// typed name where the phone runs no script.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mark {
    Drawn(Vec<u8>),
    Typed(String),
}

/// A sign-off, valid (INS-10).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signoff {
    pub outcome: SignoffOutcome,
    pub signer_name: String,
    pub signer_post: String,
    /// the signature, for a signed sign-off
    pub mark: Option<Mark>,
    pub refusal_reason: String,
}

/// The longest name, post or typed signature, and the longest reason for refusing.
const NAME_MAX: usize = 100;
const REASON_MAX: usize = 2000;

impl TryFrom<&SignoffForm> for Signoff {
    type Error = Vec<&'static str>;

    /// INS-10: a signature needs the signer's name and a drawn or typed signature; a refusal
    /// needs its reason. Every problem is named at once (catalog keys).
    fn try_from(form: &SignoffForm) -> Result<Self, Self::Error> {
        let mut errors = Vec::new();
        let (signer_name, signer_post) = (form.signer_name.trim(), form.signer_post.trim());
        let (typed, reason) = (form.typed_signature.trim(), form.refusal_reason.trim());
        let drawn = form.signature.trim();
        let outcome = match form.outcome.as_str() {
            "signed" => Some(SignoffOutcome::Signed),
            "refused" => Some(SignoffOutcome::Refused),
            _ => None,
        };
        let mut mark = None;
        match outcome {
            Some(SignoffOutcome::Signed) => {
                if signer_name.is_empty() {
                    errors.push("signoff.error_name");
                }
                mark = match (drawn, typed) {
                    ("", "") => {
                        errors.push("signoff.error_signature_missing");
                        None
                    }
                    ("", typed) => Some(Mark::Typed(typed.to_string())),
                    (data, _) => match png(data) {
                        Some(bytes) => Some(Mark::Drawn(bytes)),
                        None => {
                            errors.push("signoff.error_signature");
                            None
                        }
                    },
                };
            }
            Some(SignoffOutcome::Refused) if reason.is_empty() => {
                errors.push("signoff.error_reason")
            }
            Some(SignoffOutcome::Refused) => {}
            None => errors.push("signoff.error_outcome"),
        }
        if [signer_name, signer_post, typed]
            .iter()
            .any(|s| s.chars().count() > NAME_MAX)
            || reason.chars().count() > REASON_MAX
        {
            errors.push("findings.error_too_long");
        }
        match outcome {
            Some(outcome) if errors.is_empty() => Ok(Self {
                outcome,
                signer_name: signer_name.to_string(),
                signer_post: signer_post.to_string(),
                mark,
                refusal_reason: reason.to_string(),
            }),
            _ => Err(errors),
        }
    }
}

/// The bytes of a drawn signature sent as a `data:image/png;base64,` URL, when it is one.
fn png(data: &str) -> Option<Vec<u8>> {
    data.strip_prefix("data:image/png;base64,")
        .and_then(|b64| base64::engine::general_purpose::STANDARD.decode(b64).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(min: i64, max: i64) -> ItemChoice {
        ItemChoice {
            id: Uuid::nil(),
            code: "X01".into(),
            title: "阻拦".into(),
            points_min: Decimal::from(min),
            points_max: Decimal::from(max),
        }
    }

    fn empty() -> DraftFields {
        DraftFields {
            item_id: None,
            description: String::new(),
            staff_id: None,
            staff_text: String::new(),
            observed_at: None,
            place: String::new(),
            points: None,
        }
    }

    #[test]
    fn ins_08_discretionary_points_must_stay_inside_the_items_range() {
        let items = [item(1, 5)];
        let known = (&items[..], &[][..]);
        let tz = chrono_tz::Asia::Shanghai;
        let now = DateTime::from_timestamp(1_800_000_000, 0).unwrap_or_default();
        let mut form = DraftForm {
            item_id: Uuid::nil().to_string(),
            points: "3".into(),
            ..Default::default()
        };
        let (fields, errors) = form.validate(known, (tz, now), &empty());
        assert_eq!((fields.points, errors), (Some(Decimal::from(3)), vec![]));
        form.points = "6".into();
        let stored = fields;
        let (fields, errors) = form.validate(known, (tz, now), &stored);
        assert_eq!(errors, vec![("points", "findings.error_points")]);
        assert_eq!(
            fields.points,
            Some(Decimal::from(3)),
            "the stored points stay"
        );
        form.points = "0.5".into();
        let (fields, errors) = form.validate(known, (tz, now), &empty());
        assert_eq!(errors, vec![("points", "findings.error_points")]);
        assert_eq!((fields.item_id, fields.points), (Some(Uuid::nil()), None));
    }

    #[test]
    fn ins_09_an_observation_is_not_dated_after_the_clock() {
        let tz = chrono_tz::Asia::Shanghai;
        let now = parse_datetime_input("2026-11-30T10:00", tz).unwrap_or_default();
        let mut form = DraftForm {
            observed_at: "2026-11-30T10:04".into(),
            ..Default::default()
        };
        let (fields, errors) = form.validate((&[], &[]), (tz, now), &empty());
        assert!(errors.is_empty());
        assert!(fields.observed_at.is_some());
        form.observed_at = "2026-11-30T10:30".into();
        let (_, errors) = form.validate((&[], &[]), (tz, now), &empty());
        assert_eq!(
            errors,
            vec![("observed_at", "findings.error_observed_future")]
        );
        form.observed_at = "yesterday".into();
        let (_, errors) = form.validate((&[], &[]), (tz, now), &empty());
        assert_eq!(errors, vec![("observed_at", "findings.error_observed_at")]);
    }

    #[test]
    fn ins_09_a_refused_field_keeps_its_stored_value_and_every_valid_field_is_taken() {
        let tz = chrono_tz::Asia::Shanghai;
        let now = parse_datetime_input("2026-11-30T10:00", tz).unwrap_or_default();
        let stored = DraftFields {
            description: "旧的描述".into(),
            observed_at: parse_datetime_input("2026-11-30T09:00", tz),
            place: "一楼".into(),
            ..empty()
        };
        let form = DraftForm {
            item_id: Uuid::from_u128(7).to_string(),
            description: " 窗口无人值守 ".into(),
            staff_id: Uuid::from_u128(7).to_string(),
            staff_text: "值班人员".into(),
            observed_at: "2026-12-01T09:00".into(),
            place: "大".repeat(201),
            ..Default::default()
        };
        let (fields, errors) = form.validate((&[item(1, 5)], &[]), (tz, now), &stored);
        assert_eq!(
            errors,
            vec![
                ("item_id", "findings.error_item"),
                ("staff_id", "findings.error_staff"),
                ("observed_at", "findings.error_observed_future"),
                ("place", "error.too_long"),
            ]
        );
        assert_eq!(
            fields,
            DraftFields {
                description: "窗口无人值守".into(),
                staff_text: "值班人员".into(),
                ..stored
            }
        );
    }

    #[test]
    fn ins_10_a_signature_needs_a_name_and_a_mark_and_a_refusal_needs_its_reason() {
        let signed = SignoffForm {
            outcome: "signed".into(),
            ..Default::default()
        };
        assert_eq!(
            Signoff::try_from(&signed).err(),
            Some(vec![
                "signoff.error_name",
                "signoff.error_signature_missing"
            ])
        );
        let typed = SignoffForm {
            outcome: "signed".into(),
            signer_name: " 王五 ".into(),
            typed_signature: "王五".into(),
            ..Default::default()
        };
        let valid = Signoff::try_from(&typed).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(valid.signer_name, "王五");
        assert_eq!(valid.mark, Some(Mark::Typed("王五".into())));
        let refused = SignoffForm {
            outcome: "refused".into(),
            ..Default::default()
        };
        assert_eq!(
            Signoff::try_from(&refused).err(),
            Some(vec!["signoff.error_reason"])
        );
        let scribble = SignoffForm {
            signature: "data:image/gif;base64,R0lG".into(),
            ..typed
        };
        assert_eq!(
            Signoff::try_from(&scribble).err(),
            Some(vec!["signoff.error_signature"])
        );
    }
}
