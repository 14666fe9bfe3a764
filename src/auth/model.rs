//! Pure rules of authentication: roles, usernames, password length, login throttling and when a
//! session stops being valid. No I/O here.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A username: 2 to 64 of a-z, 0-9, '.', '_', '-', '@', stored lower-case so that logins ignore case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Username(String);

impl Username {
    pub fn parse(value: &str) -> Result<Self, &'static str> {
        let value = value.trim().to_lowercase();
        if value.chars().count() < 2 || value.chars().count() > 64 {
            return Err("error.username_length");
        }
        if !value
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-@".contains(c))
        {
            return Err("error.username_chars");
        }
        Ok(Self(value))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

pub const PASSWORD_MIN_CHARS: usize = 8;
pub const PASSWORD_MAX_CHARS: usize = 128;

/// Checks a new password: 8 to 128 characters (counted as characters, not bytes).
pub fn check_new_password(password: &str) -> Result<(), &'static str> {
    let n = password.chars().count();
    if n < PASSWORD_MIN_CHARS {
        Err("error.password_too_short")
    } else if n > PASSWORD_MAX_CHARS {
        Err("error.password_too_long")
    } else {
        Ok(())
    }
}

/// Login throttling limits (config `auth.*`).
#[derive(Debug, Clone, Copy)]
pub struct ThrottleLimits {
    pub per_account: i64,
    pub per_address: i64,
    pub window: Duration,
}

impl From<&crate::config::AuthConfig> for ThrottleLimits {
    fn from(config: &crate::config::AuthConfig) -> Self {
        Self {
            per_account: config.max_failures_per_account,
            per_address: config.max_failures_per_address,
            window: Duration::minutes(config.throttle_window_minutes),
        }
    }
}

/// Recent failures counted in the database, across every instance.
#[derive(Debug, Clone, Copy)]
pub struct RecentFailures {
    /// Failures of this username since its last success, within the window.
    pub account: i64,
    /// Failures from this client address within the window.
    pub address: i64,
}

impl ThrottleLimits {
    /// Whether a login attempt must be refused before the password is even checked.
    pub fn refuses(&self, failures: RecentFailures) -> bool {
        failures.account >= self.per_account || failures.address >= self.per_address
    }
}

/// What the session keeps about the signed-in user.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SessionAuth {
    pub tenant_id: Uuid,
    pub user_id: Uuid,
    /// The user's `session_version` at login; raising it ends every session at once.
    pub version: i32,
    pub authenticated_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
}

/// Session lifetime limits (config `session.*`).
#[derive(Debug, Clone, Copy)]
pub struct SessionLimits {
    pub idle: Duration,
    pub absolute: Duration,
}

impl From<&crate::config::SessionConfig> for SessionLimits {
    fn from(config: &crate::config::SessionConfig) -> Self {
        Self {
            idle: Duration::minutes(config.idle_timeout_minutes),
            absolute: Duration::hours(config.absolute_lifetime_hours),
        }
    }
}

/// How often an active session's `last_seen_at` is written back (and its expiry pushed out).
pub const TOUCH_EVERY: Duration = Duration::minutes(1);

impl SessionAuth {
    /// Still valid at `now`: inside both the idle timeout and the absolute lifetime.
    pub fn is_live(&self, limits: SessionLimits, now: DateTime<Utc>) -> bool {
        now - self.last_seen_at < limits.idle && now - self.authenticated_at < limits.absolute
    }

    /// Whether `last_seen_at` is stale enough to be written back.
    pub fn needs_touch(&self, now: DateTime<Utc>) -> bool {
        now - self.last_seen_at >= TOUCH_EVERY
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_are_lowercased_and_checked() {
        assert_eq!(
            Username::parse(" Admin ").map(|u| u.0),
            Ok("admin".to_string())
        );
        assert_eq!(Username::parse("a"), Err("error.username_length"));
        assert_eq!(Username::parse("张三"), Err("error.username_chars"));
        assert_eq!(
            Username::parse("zhang.san@x"),
            Ok(Username("zhang.san@x".into()))
        );
        assert!(Username::parse(&"a".repeat(65)).is_err());
    }

    #[test]
    fn passwords_must_have_8_to_128_characters() {
        assert_eq!(
            check_new_password("1234567"),
            Err("error.password_too_short")
        );
        assert!(check_new_password("12345678").is_ok());
        assert!(check_new_password(&"密".repeat(128)).is_ok());
        assert_eq!(
            check_new_password(&"x".repeat(129)),
            Err("error.password_too_long")
        );
    }

    #[test]
    fn throttling_refuses_at_the_limit_of_either_count() {
        let limits = ThrottleLimits {
            per_account: 5,
            per_address: 20,
            window: Duration::minutes(15),
        };
        assert!(!limits.refuses(RecentFailures {
            account: 4,
            address: 19
        }));
        assert!(limits.refuses(RecentFailures {
            account: 5,
            address: 0
        }));
        assert!(limits.refuses(RecentFailures {
            account: 0,
            address: 20
        }));
    }

    #[test]
    fn a_session_ends_after_idle_time_or_absolute_lifetime() {
        let t0 = DateTime::from_timestamp(1_800_000_000, 0).unwrap_or_default();
        let limits = SessionLimits {
            idle: Duration::minutes(30),
            absolute: Duration::hours(12),
        };
        let auth = SessionAuth {
            tenant_id: Uuid::nil(),
            user_id: Uuid::nil(),
            version: 1,
            authenticated_at: t0,
            last_seen_at: t0,
        };
        assert!(auth.is_live(limits, t0 + Duration::minutes(29)));
        assert!(!auth.is_live(limits, t0 + Duration::minutes(30)));
        let active = SessionAuth {
            last_seen_at: t0 + Duration::hours(12),
            ..auth.clone()
        };
        assert!(!active.is_live(limits, t0 + Duration::hours(12) + Duration::minutes(1)));
        assert!(auth.needs_touch(t0 + Duration::minutes(1)));
        assert!(!auth.needs_touch(t0 + Duration::seconds(59)));
    }
}
