//! The draws' pages: the year's draws with the form for a new one, and a stored draw, verified on
//! request by running it again from its seed and pool (INS-07).

use axum::response::Response;
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use super::db::{self, NewDraw};
use super::model::{self, parse_exclusions};
use super::views::{DrawFormView, DrawListItem, DrawPage, DrawsPage};
use crate::audit::{Acting, Event};
use crate::core::{AppResult, CurrentUser};
use crate::db::{RequestTx, Tx};
use crate::inspections::db::{PoolUnit, listed_units, units_by_ids};
use crate::registry::years::db::YearRow;
use crate::registry::years::handlers::{YearPath, year_of};
use crate::registry::years::model::YearStatus;
use crate::web::{Flash, Form, PageCtx, Path, Query, render, render_invalid};

/// The longest note a draw carries.
const NOTE_MAX: usize = 500;

async fn draws_page(
    ctx: PageCtx,
    user: &CurrentUser,
    tx: &mut Tx,
    year: &YearRow,
    form: DrawFormView,
    errors: Vec<String>,
) -> AppResult<DrawsPage> {
    let listed = listed_units(tx, year.id).await?;
    let rows = db::list_draws(tx, year.id).await?;
    let mut drawn_ids: Vec<Uuid> = rows.iter().flat_map(|d| d.result.iter().copied()).collect();
    drawn_ids.sort();
    drawn_ids.dedup();
    let names = units_by_ids(tx, &drawn_ids).await?;
    let draws = rows
        .into_iter()
        .map(|d| DrawListItem {
            href: ctx.href(&format!("/draws/{}", d.id)),
            drawn_at: ctx.local_time(&d.drawn_at),
            drawn_by: d.drawn_by,
            count: d.draw_count,
            pool_size: d.pool.len(),
            drawn_units: d
                .result
                .iter()
                .filter_map(|id| names.iter().find(|u| u.id == *id).map(|u| u.name.as_str()))
                .collect::<Vec<_>>()
                .join("、"),
        })
        .collect();
    let mut categories: Vec<String> = listed.iter().map(|u| u.category.clone()).collect();
    categories.sort();
    categories.dedup();
    let open = YearStatus::parse(&year.status) == Some(YearStatus::Open);
    Ok(DrawsPage {
        can_draw: open && user.of_office(),
        year: year.year,
        draws,
        categories,
        listed: listed.len(),
        ctx,
        form,
        errors,
    })
}

pub async fn list_draws(
    user: CurrentUser,
    Path(YearPath { year }): Path<YearPath>,
    ctx: PageCtx,
    mut tx: Tx,
) -> AppResult<Response> {
    let year = year_of(&mut tx, year).await?;
    let form = DrawFormView {
        count: "3".into(),
        ..Default::default()
    };
    let page = draws_page(ctx, &user, &mut tx, &year, form, Vec::new()).await?;
    drop(tx);
    render(&page)
}

/// Draws units for covert inspection (INS-07).
pub async fn create_draw(
    acting: Acting,
    Path(YearPath { year }): Path<YearPath>,
    ctx: PageCtx,
    request_tx: RequestTx,
    Form(form): Form<DrawFormView>,
) -> AppResult<Response> {
    let user = &acting.user;
    let mut tx = request_tx.acquire().await?;
    let year = year_of(&mut tx, year).await?;
    let mut errors: Vec<String> = Vec::new();
    if YearStatus::parse(&year.status) != Some(YearStatus::Open) {
        errors.push(ctx.tf("error.year_closed", &year.year.to_string()));
    }
    if form.note.trim().chars().count() > NOTE_MAX {
        errors.push(ctx.tf("error.text_too_long", &NOTE_MAX.to_string()));
    }
    let listed = listed_units(&mut tx, year.id).await?;
    let mut excluded: Vec<(Uuid, String)> = Vec::new();
    let (lines, bad_lines) = parse_exclusions(&form.exclusions);
    for (line, key) in bad_lines {
        errors.push(format!(
            "{} {}",
            ctx.tf("error.line", &line.to_string()),
            ctx.t(key)
        ));
    }
    for line in lines {
        match listed.iter().find(|u| u.code == line.code) {
            Some(unit) => excluded.push((unit.id, line.reason)),
            None => errors.push(ctx.tf("error.exclusion_unit", &line.code)),
        }
    }
    // INS-07: the pool, in the documented order (the year's list is sorted by code).
    let pool: Vec<&PoolUnit> = listed
        .iter()
        .filter(|u| form.categories.is_empty() || form.categories.contains(&u.category))
        .filter(|u| !excluded.iter().any(|(id, _)| *id == u.id))
        .collect();
    let count = form.count.trim().parse::<usize>().ok().filter(|n| *n >= 1);
    match count {
        None => errors.push(ctx.t("error.draw_count").into()),
        Some(n) if n > pool.len() => {
            errors.push(ctx.tf("error.draw_too_many", &pool.len().to_string()))
        }
        Some(_) => {}
    }
    let (Some(count), true) = (count, errors.is_empty()) else {
        let page = draws_page(ctx, user, &mut tx, &year, form, errors).await?;
        drop(tx);
        return render_invalid(&page);
    };
    let pool_ids: Vec<Uuid> = pool.iter().map(|u| u.id).collect();
    let seed = model::fresh_seed();
    let result = model::draw(&pool_ids, seed, count);
    let seed_hex = hex::encode(seed);
    let new = NewDraw {
        year_id: year.id,
        pool: &pool_ids,
        seed: &seed_hex,
        count: count as i32,
        result: &result,
        categories: &form.categories,
        note: form.note.trim(),
        drawn_by: user.id,
    };
    let draw_id = db::insert_draw(&mut tx, user.tenant_id, &new).await?;
    for (unit_id, reason) in &excluded {
        db::insert_exclusion(&mut tx, user.tenant_id, draw_id, *unit_id, reason).await?;
    }
    let detail = json!({
        "year": year.year,
        "seed": seed_hex,
        "pool": pool_ids.len(),
        "count": count,
        "excluded": excluded.len(),
    });
    let event = Event::new("draw.create", ("inspection_draw", draw_id), detail);
    let done = Flash::success("draws.done");
    acting
        .recorded(&mut tx, event, done, &format!("/draws/{draw_id}"))
        .await
}

#[derive(Debug, Deserialize)]
pub struct DrawPath {
    pub draw_id: Uuid,
}

#[derive(Debug, Deserialize, Default)]
pub struct VerifyQuery {
    #[serde(default)]
    pub verify: Option<String>,
}

/// A stored draw; with `?verify=1` it is re-run from its seed and pool and compared (INS-07).
pub async fn show_draw(
    _user: CurrentUser,
    Path(DrawPath { draw_id }): Path<DrawPath>,
    ctx: PageCtx,
    mut tx: Tx,
    Query(query): Query<VerifyQuery>,
) -> AppResult<Response> {
    let d = db::get_draw(&mut tx, draw_id).await?;
    let pool = units_by_ids(&mut tx, &d.pool).await?;
    let exclusions = db::draw_exclusions(&mut tx, draw_id).await?;
    drop(tx);
    let verified = query.verify.map(|_| {
        let rerun = model::parse_seed(&d.seed)
            .map(|seed| model::draw(&d.pool, seed, d.draw_count as usize));
        rerun.as_deref() == Some(d.result.as_slice())
    });
    let result = d
        .result
        .iter()
        .filter_map(|id| pool.iter().find(|u| u.id == *id).cloned())
        .collect();
    render(&DrawPage {
        href: ctx.href(&format!("/draws/{draw_id}")),
        drawn_at: ctx.local_time(&d.drawn_at),
        year: d.year,
        seed: d.seed,
        drawn_by: d.drawn_by,
        count: d.draw_count,
        categories: d.categories.join("、"),
        note: d.note,
        result,
        pool,
        exclusions,
        verified,
        ctx,
    })
}
