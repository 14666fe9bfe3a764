//! What the unit hears of the office's routing (CMP-08): a complaint assigned or transferred to
//! it, each urge, a suggestion forwarded for reference (CMP-05). The news goes to the inbox of
//! the unit's liaisons (and by mail when the office sends mail).

use chrono::NaiveDate;
use uuid::Uuid;

use super::db::{self, ComplaintRow};
use super::model::Event;
use crate::core::AppResult;
use crate::db::Tx;
use crate::inbox::{ComplaintNews, complaint_news};

/// The inbox kind of a routing step and the unit told of it; none for a step the unit takes
/// itself (signing, returning, acknowledging) or one it is not told of.
fn news_of(event: &Event, holder: Uuid) -> Option<(&'static str, Uuid)> {
    match event {
        Event::Assign { unit } => Some(("complaint_assigned", *unit)),
        Event::Transfer { unit } => Some(("complaint_transferred", *unit)),
        Event::Forward { unit } => Some(("suggestion_forwarded", *unit)),
        Event::Urge => Some(("complaint_urged", holder)),
        _ => None,
    }
}

/// CMP-08: tells the liaisons of the unit the step sends the complaint `c` to (or urges), once
/// the step is recorded on the timeline; `today` is the office's date. Each urge is news of its
/// own: two urges the same day are two notifications.
pub async fn tell_unit(
    tx: &mut Tx,
    tenant_id: Uuid,
    c: &ComplaintRow,
    event: &Event,
    today: NaiveDate,
) -> AppResult<()> {
    let Some((kind, unit)) = news_of(event, c.unit_id) else {
        return Ok(());
    };
    let step_id = match event {
        Event::Urge => db::latest_step(tx, c.id, "complaint.urge").await?,
        _ => None,
    };
    let news = ComplaintNews {
        kind,
        complaint_id: c.id,
        number: &c.number,
        step_id,
    };
    complaint_news(tx, tenant_id, unit, &news, today).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cmp_08_the_unit_routed_to_hears_of_it_and_the_holder_of_each_urge() {
        let (holder, other) = (Uuid::new_v4(), Uuid::new_v4());
        let transfer = Event::Transfer { unit: other };
        assert_eq!(
            news_of(&transfer, holder),
            Some(("complaint_transferred", other))
        );
        assert_eq!(
            news_of(&Event::Urge, holder),
            Some(("complaint_urged", holder))
        );
        assert_eq!(news_of(&Event::Sign, holder), None);
    }
}
