//! Supervisors, their certificates and groups (INS-02, INS-08), pure: the recommendation's fields,
//! the decision, certificate validity on a day, and recusal.

use chrono::NaiveDate;
use uuid::Uuid;

use crate::core::FieldErrors;

/// Where a supervisor stands (INS-02: recommended by a department, approved by the office).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SupervisorStatus {
    Recommended,
    Approved,
    Declined,
    Revoked,
}

impl SupervisorStatus {
    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "recommended" => Some(Self::Recommended),
            "approved" => Some(Self::Approved),
            "declined" => Some(Self::Declined),
            "revoked" => Some(Self::Revoked),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Recommended => "recommended",
            Self::Approved => "approved",
            Self::Declined => "declined",
            Self::Revoked => "revoked",
        }
    }

    pub fn label_key(self) -> &'static str {
        match self {
            Self::Recommended => "supervisors.status_recommended",
            Self::Approved => "supervisors.status_approved",
            Self::Declined => "supervisors.status_declined",
            Self::Revoked => "supervisors.status_revoked",
        }
    }

    /// INS-02: only a pending recommendation is decided; only an approved certificate is revoked.
    pub fn decide(self, decision: Decision) -> Result<SupervisorStatus, &'static str> {
        match (self, decision) {
            (Self::Recommended, Decision::Approve) => Ok(Self::Approved),
            (Self::Recommended, Decision::Decline) => Ok(Self::Declined),
            (Self::Approved, Decision::Revoke) => Ok(Self::Revoked),
            _ => Err("error.supervisor_decided"),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Approve,
    Decline,
    Revoke,
}

/// What a certificate says on a given day (INS-08: the unit can verify it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CertificateState {
    Valid,
    NotYetValid,
    Expired,
    Revoked,
}

/// The state of a certificate of `status`, valid `from`..=`until`, on `today`.
pub fn certificate_state(
    status: SupervisorStatus,
    from: NaiveDate,
    until: NaiveDate,
    today: NaiveDate,
) -> CertificateState {
    match status {
        SupervisorStatus::Revoked | SupervisorStatus::Declined | SupervisorStatus::Recommended => {
            CertificateState::Revoked
        }
        SupervisorStatus::Approved if today < from => CertificateState::NotYetValid,
        SupervisorStatus::Approved if today > until => CertificateState::Expired,
        SupervisorStatus::Approved => CertificateState::Valid,
    }
}

/// A name with its middle hidden: 张三 → 张*, 欧阳明辉 → 欧**辉.
pub fn mask_name(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    match chars.len() {
        0 | 1 => name.to_string(),
        2 => format!("{}*", chars[0]),
        n => format!("{}{}{}", chars[0], "*".repeat(n - 2), chars[n - 1]),
    }
}

/// The certificate number of the `seq`th certificate of `year`.
pub fn certificate_number(year: i32, seq: i32) -> String {
    format!("{year}-{seq:03}")
}

/// A recommendation's fields, as typed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RecommendationInput {
    pub name: String,
    pub phone: String,
    pub work_unit_id: Option<Uuid>,
    pub recommended_by_unit_id: Option<Uuid>,
    pub recommendation: String,
}

impl RecommendationInput {
    pub fn validate(&self) -> Result<RecommendationInput, FieldErrors> {
        let mut errors = FieldErrors::new();
        let name = self.name.trim().to_string();
        if name.is_empty() || name.chars().count() > 50 {
            errors.push(("name", "error.staff_name"));
        }
        if self.phone.trim().chars().count() > 50 {
            errors.push(("phone", "error.too_long"));
        }
        if self.recommended_by_unit_id.is_none() {
            errors.push(("recommended_by_unit_id", "error.recommending_unit"));
        }
        if self.recommendation.trim().chars().count() > 500 {
            errors.push(("recommendation", "error.too_long"));
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(RecommendationInput {
            name,
            phone: self.phone.trim().to_string(),
            recommendation: self.recommendation.trim().to_string(),
            ..self.clone()
        })
    }
}

/// A validity period typed at approval: from ≤ until, at most five years.
pub fn parse_validity(from: &str, until: &str) -> Result<(NaiveDate, NaiveDate), &'static str> {
    let from = NaiveDate::parse_from_str(from.trim(), "%Y-%m-%d").map_err(|_| "error.validity")?;
    let until =
        NaiveDate::parse_from_str(until.trim(), "%Y-%m-%d").map_err(|_| "error.validity")?;
    if until < from || (until - from).num_days() > 5 * 366 {
        return Err("error.validity");
    }
    Ok((from, until))
}

/// A supervisor as recusal sees them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub id: Uuid,
    pub name: String,
    pub work_unit_id: Option<Uuid>,
    pub recommended_by_unit_id: Option<Uuid>,
}

/// INS-02 (recusal): the members who may not inspect `unit` because they work there or it
/// recommended them.
pub fn recusals(members: &[Member], unit: Uuid) -> Vec<&Member> {
    members
        .iter()
        .filter(|m| m.work_unit_id == Some(unit) || m.recommended_by_unit_id == Some(unit))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default()
    }

    #[test]
    fn ins_02_a_recommendation_is_decided_once_and_only_an_approval_is_revoked() {
        use SupervisorStatus::*;
        assert_eq!(Recommended.decide(Decision::Approve), Ok(Approved));
        assert_eq!(Recommended.decide(Decision::Decline), Ok(Declined));
        assert_eq!(Approved.decide(Decision::Revoke), Ok(Revoked));
        assert!(Approved.decide(Decision::Approve).is_err());
        assert!(Declined.decide(Decision::Approve).is_err());
        assert!(Recommended.decide(Decision::Revoke).is_err());
    }

    #[test]
    fn ins_08_a_certificate_is_valid_only_inside_its_period_and_unrevoked() {
        use SupervisorStatus::*;
        let (from, until) = (day("2026-01-01"), day("2026-12-31"));
        assert_eq!(
            certificate_state(Approved, from, until, day("2026-06-01")),
            CertificateState::Valid
        );
        assert_eq!(
            certificate_state(Approved, from, until, day("2026-12-31")),
            CertificateState::Valid
        );
        assert_eq!(
            certificate_state(Approved, from, until, day("2027-01-01")),
            CertificateState::Expired
        );
        assert_eq!(
            certificate_state(Approved, from, until, day("2025-12-31")),
            CertificateState::NotYetValid
        );
        assert_eq!(
            certificate_state(Revoked, from, until, day("2026-06-01")),
            CertificateState::Revoked
        );
        assert_eq!(certificate_number(2026, 7), "2026-007");
        assert_eq!(mask_name("张三"), "张*");
        assert_eq!(mask_name("欧阳明辉"), "欧**辉");
    }

    #[test]
    fn ins_02_recusal_catches_the_workplace_and_the_recommending_unit() {
        let (a, b, c) = (Uuid::from_u128(1), Uuid::from_u128(2), Uuid::from_u128(3));
        let members = vec![
            Member {
                id: Uuid::from_u128(10),
                name: "甲".into(),
                work_unit_id: Some(a),
                recommended_by_unit_id: Some(b),
            },
            Member {
                id: Uuid::from_u128(11),
                name: "乙".into(),
                work_unit_id: Some(c),
                recommended_by_unit_id: Some(c),
            },
        ];
        assert_eq!(recusals(&members, a).len(), 1);
        assert_eq!(recusals(&members, b)[0].name, "甲");
        assert!(recusals(&members, Uuid::from_u128(4)).is_empty());
    }

    #[test]
    fn validity_periods_are_ordered_and_bounded() {
        assert!(parse_validity("2026-01-01", "2026-12-31").is_ok());
        assert_eq!(
            parse_validity("2026-12-31", "2026-01-01"),
            Err("error.validity")
        );
        assert_eq!(
            parse_validity("2026-01-01", "2036-01-01"),
            Err("error.validity")
        );
        assert_eq!(parse_validity("soon", "2026-01-01"), Err("error.validity"));
    }
}
