//! The dashboard's one page.

use axum::Extension;
use axum::response::Response;

use super::db;
use super::model::BarChart;
use super::views::{DashboardPage, RankingGroup, RankingPage};
use crate::core::clock::Now;
use crate::core::{AppResult, CurrentUser, Role};
use crate::db::Tx;
use crate::inbox::views::Tile;
use crate::registry::years::handlers::{YearPath, year_of};
use crate::web::Path;
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
        let spread = db::spread(&mut tx, year_id, ctx.time_zone().name(), UNITS_SHOWN).await?;
        let items: Vec<_> = spread
            .by_item
            .into_iter()
            .map(|(code, title, points)| (format!("{code} {title}"), points))
            .collect();
        let months: Vec<_> = spread
            .by_month
            .into_iter()
            .map(|(y, month, points)| {
                let label = match y == assessed {
                    true => ctx.tf("dashboard.month", &month.to_string()),
                    false => ctx.tf("dashboard.year_month", &format!("{y}-{month:02}")),
                };
                (label, points)
            })
            .collect();
        let units = spread.by_unit;
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

/// INS-08: the year's ranking, by category and overall, scores from the ledger (provisional
/// while the year is open), with each unit's excellence mark.
pub async fn show_ranking(
    _user: CurrentUser,
    Path(YearPath { year }): Path<YearPath>,
    ctx: PageCtx,
    mut tx: Tx,
) -> AppResult<Response> {
    let assessed = year_of(&mut tx, year).await?;
    let lines = crate::scoring::year_ranking(&mut tx, assessed.id).await?;
    drop(tx);
    let mut categories: Vec<String> = lines.iter().map(|l| l.category.clone()).collect();
    categories.sort();
    categories.dedup();
    let mut groups: Vec<RankingGroup> = categories
        .into_iter()
        .map(|category| {
            let mut in_category: Vec<_> = lines
                .iter()
                .filter(|l| l.category == category)
                .cloned()
                .collect();
            in_category
                .sort_by(|a, b| (a.rank_in_category, &a.code).cmp(&(b.rank_in_category, &b.code)));
            RankingGroup {
                title: category,
                lines: in_category,
                overall: false,
            }
        })
        .collect();
    groups.push(RankingGroup {
        title: ctx.t("ranking.overall").into(),
        lines,
        overall: true,
    });
    render(&RankingPage {
        ctx,
        year,
        provisional: assessed.status == "open",
        groups,
    })
}
