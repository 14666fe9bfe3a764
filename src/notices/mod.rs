//! Rectification notices and appeals (INS-11, INS-12): the office issues a numbered notice to a
//! unit from its confirmed findings, with the rectification deadline and the appeal deadline
//! computed once on the working-day calendar; the unit may appeal until the end of the 2nd working
//! day after issue; the office upholds the appeal (the notice is withdrawn and every deduction it
//! carried is reversed) or rejects it (the unit must comply); the unit reports its rectification
//! and the office accepts it (the notice closes) or returns it. The workflow is the state machine
//! of `model`. Interviews and bulletins (INS-13) live in their own submodules.

pub mod bulletins;
pub mod db;
pub mod handlers;
pub mod interviews;
pub mod model;
pub mod views;

use uuid::Uuid;

use crate::core::{CurrentUser, Role};
use crate::i18n::Lang;

/// The basis a new notice states unless the office changes it: the measures' article on
/// rectification notices (INS-11), cited as the reader knows it.
pub fn default_basis(ctx: &crate::web::PageCtx) -> String {
    ctx.tf("notices.default_basis", &ctx.cite("INS-11"))
}

/// The requirements every notice states by default, drawing wider lessons included (举一反三).
pub const DEFAULT_REQUIREMENTS: &str = "一、对通知所列问题逐项整改到位；\n二、举一反三，全面排查同类问题，健全长效机制；\n三、在整改期限内书面报送整改情况，并附相关材料。";

/// The leaders' overview of each user (office, user) in each language, kept a short while ([`crate::db::Memo`]):
/// it reads five lists from three areas, and a leader comes back to it all day.
pub type OverviewCache = crate::db::Memo<(Uuid, Uuid, Lang), views::Overview>;

/// Who may read a notice: the office and leaders, and the liaison of the notice's unit.
pub fn may_read(user: &CurrentUser, notice: &db::NoticeRow) -> bool {
    user.role != Role::Supervisor && user.may_see_unit(notice.unit_id)
}

/// The part the user plays on a notice, for its workflow: the unit it is addressed to, or the
/// office (leaders read and change nothing; routes admit neither them nor supervisors to a change).
pub fn party(user: &CurrentUser, notice: &db::NoticeRow) -> Option<model::Who> {
    if user.of_office() {
        Some(model::Who::Office)
    } else if user.liaison_unit() == Some(notice.unit_id) {
        Some(model::Who::Unit)
    } else {
        None
    }
}
