//! What a workflow's state machine answers: a [`Transition`] the rules allow, or a refusal by a
//! rule of the regulations ([`RuleError`]): the rule's ID (for logs and tests) and the catalog key
//! of the reason the user reads (which cites the regulation by its article, never the ID).

use chrono::{DateTime, Utc};

/// A state change the rules allow: from where to where, the action the audit log records, and
/// when (the application's clock).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transition<S> {
    pub from: S,
    pub to: S,
    pub action: &'static str,
    pub at: DateTime<Utc>,
}

impl<S: Copy> Transition<S> {
    /// From `from` to `to`, logged as `action`, at `at`.
    pub fn new(from: S, to: S, action: &'static str, at: DateTime<Utc>) -> Self {
        Self {
            from,
            to,
            action,
            at,
        }
    }
}

/// Why a workflow refused an event: the rule it enforces (`INS-12`) and the reason in words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleError {
    /// The rule's ID in RULES.md (`INS-12`).
    pub rule: &'static str,
    /// The catalog key of the reason the user reads.
    pub key: &'static str,
    /// What goes into the reason's `{}` (a date, a number), if anything.
    pub arg: Option<String>,
}

impl RuleError {
    pub const fn new(rule: &'static str, key: &'static str) -> Self {
        Self {
            rule,
            key,
            arg: None,
        }
    }

    /// The same refusal with `arg` for the reason's `{}`.
    pub fn with(self, arg: impl Into<String>) -> Self {
        Self {
            arg: Some(arg.into()),
            ..self
        }
    }
}

impl std::fmt::Display for RuleError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.rule, self.key)
    }
}

impl std::error::Error for RuleError {}
