//! What every domain needs and nothing else: the office (the tenant), the signed-in user and the
//! roles, the application's clock, the office's local time and date formats, paging, the request's
//! client address, the one error type, and how a rule is cited. The core imports nothing of the
//! application outside it but the string catalog (`i18n`, which imports nothing), so every other
//! module may import it.

pub mod citation;
pub mod clock;
pub mod error;
pub mod office;
pub mod paging;
pub mod request;
pub mod rule;
pub mod time;
pub mod user;

pub use citation::citation;
pub use clock::{Clock, Now};
pub use error::{AppError, AppResult, FieldErrors, not_found};
pub use office::{Office, OfficeCode, office_path};
pub use paging::Pager;
pub use request::{ClientAddr, full_path};
pub use rule::{RuleError, Transition};
pub use user::{CurrentUser, MaybeUser, Role};
