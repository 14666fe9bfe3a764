//! The dashboard's one page.

use axum::Extension;
use axum::extract::State;
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

/// How many units of each category the dashboard's ranking shows.
const RANKED_SHOWN: usize = 5;

/// INS-13: the leaders' dashboard of the latest open year.
pub async fn show_dashboard(
    user: CurrentUser,
    Now(now): Now,
    State(state): State<crate::AppState>,
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
    let mut rankings = Vec::new();
    if let Some((year_id, assessed)) = year {
        let key = (user.tenant_id, year_id);
        let fresh = (state.changes.of(user.tenant_id), now);
        let cache = &state.year_results;
        let results = crate::scoring::cached_results(&mut tx, cache, key, fresh).await?;
        rankings = crate::scoring::views::ranking_groups(&ctx, &results.lines, false);
        for group in &mut rankings {
            group.lines.truncate(RANKED_SHOWN);
        }
        let zone = ctx.time_zone().name();
        let read = async {
            let spread = db::spread(&mut tx, year_id, zone, UNITS_SHOWN).await?;
            Ok::<_, sqlx::Error>(std::sync::Arc::new(spread))
        };
        let spread = state.spreads.read_through(key, fresh.0, now, read).await?;
        let items: Vec<_> = spread
            .by_item
            .iter()
            .map(|(code, title, points)| (format!("{code} {title}"), *points))
            .collect();
        let months: Vec<_> = spread
            .by_month
            .iter()
            .map(|&(y, month, points)| {
                let label = match y == assessed {
                    true => ctx.tf("dashboard.month", &month.to_string()),
                    false => ctx.tf("dashboard.year_month", &format!("{y}-{month:02}")),
                };
                (label, points)
            })
            .collect();
        let units = spread.by_unit.clone();
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
        rankings,
    })
}
