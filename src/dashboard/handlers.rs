//! The dashboard's one page.

use axum::Extension;
use axum::response::Response;

use super::db;
use super::model::BarChart;
use super::views::DashboardPage;
use crate::core::clock::Now;
use crate::core::{AppResult, CurrentUser, Role};
use crate::db::Tx;
use crate::inbox::views::Tile;
use crate::web::{PageCtx, render};

/// How many units the "most deducted" chart names.
const UNITS_SHOWN: i64 = 10;

/// INS-13: the leaders' dashboard of the latest open year.
pub async fn show_dashboard(
    user: CurrentUser,
    Now(now): Now,
    ctx: PageCtx,
    counted: Option<Extension<crate::inbox::Inbox>>,
    mut tx: Tx,
) -> AppResult<Response> {
    // the key numbers as the leader's home shows them, each linking to its list; a leader's were
    // counted for the navigation already
    let counts = match counted {
        Some(Extension(inbox)) if user.role == Role::Leader => inbox.counts,
        _ => crate::inbox::key_numbers(&mut tx, &user, now, ctx.time_zone()).await?,
    };
    let tiles = Tile::leader(&ctx, &counts);
    let year = crate::inspections::db::open_years(&mut tx)
        .await?
        .last()
        .copied();
    let mut charts = Vec::new();
    if let Some((year_id, assessed)) = year {
        let tz = ctx.time_zone();
        let items: Vec<_> = db::points_by_item(&mut tx, year_id)
            .await?
            .into_iter()
            .map(|(code, title, points)| (format!("{code} {title}"), points))
            .collect();
        let months: Vec<_> = db::points_by_month(&mut tx, year_id, tz.name())
            .await?
            .into_iter()
            .map(|(y, month, points)| {
                let label = match y == assessed {
                    true => ctx.tf("dashboard.month", &month.to_string()),
                    false => ctx.tf("dashboard.year_month", &format!("{y}-{month:02}")),
                };
                (label, points)
            })
            .collect();
        let units: Vec<_> = db::units_most_deducted(&mut tx, year_id, UNITS_SHOWN)
            .await?
            .into_iter()
            .map(|(_, name, points)| (name, points))
            .collect();
        charts = vec![
            BarChart::new(ctx.t("dashboard.by_item"), &items),
            BarChart::new(ctx.t("dashboard.by_month"), &months),
            BarChart::new(ctx.t("dashboard.by_unit"), &units),
        ];
    }
    drop(tx);
    render(&DashboardPage {
        ctx,
        year: year.map(|y| y.1),
        tiles,
        charts,
    })
}
