//! The year's scores read from the deductions ledger: every unit on the year's list with its
//! effective deductions (INS-04, INS-08, INS-12).

use chrono::NaiveDate;
use rust_decimal::Decimal;
use uuid::Uuid;
use xiaoneng::scoring::{db, model};

use crate::common::{TestApp, spawn_app};

/// An office with 2026 open and units u1 (the liaison's) and u2 on its list; the office's id.
async fn office_with_year(app: &TestApp) -> Uuid {
    let office = app.office_with_users("alpha").await;
    app.create_unit(&office, "u2", "第二单位").await;
    let mut admin = app.logged_in("alpha", "office_admin").await;
    admin.post("/alpha/years", &[("year", "2026")]).await;
    sqlx::query("insert into assessment_unit (tenant_id, assessment_year_id, unit_id) select u.tenant_id, y.id, u.id from unit u, assessment_year y")
        .execute(&app.pool)
        .await
        .unwrap();
    office.id
}

async fn year_id(app: &TestApp) -> Uuid {
    sqlx::query_scalar("select id from assessment_year where year = 2026")
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

/// The year's tallies as the office reads them, by unit code.
async fn tallies(app: &TestApp, office_id: Uuid) -> Vec<(String, Decimal, bool)> {
    let year = year_id(app).await;
    let mut tx = xiaoneng::db::begin_tenant(&app.pool, office_id)
        .await
        .unwrap();
    let rows = db::year_tallies(&mut tx, year).await.unwrap();
    rows.into_iter()
        .map(|t| (t.code, t.deducted, t.excellence_lost))
        .collect()
}

#[tokio::test]
async fn ins_04_an_s01_counts_with_its_points() {
    let app = spawn_app().await;
    let office_id = office_with_year(&app).await;
    let day = NaiveDate::from_ymd_opt(2026, 4, 16).unwrap();
    let round = app.run_jobs(day).await;
    assert_eq!(round.deductions, 2, "both units missed Q1");

    let got = tallies(&app, office_id).await;
    assert_eq!(
        got,
        [
            ("u1".into(), Decimal::from(3), false),
            ("u2".into(), Decimal::from(3), false)
        ]
    );
    let mut tx = xiaoneng::db::begin_tenant(&app.pool, office_id)
        .await
        .unwrap();
    let rules = db::score_rules(&mut tx, year_id(&app).await).await.unwrap();
    assert_eq!(
        rules,
        model::ScoreRules::default(),
        "100 and 0 unless the office sets them"
    );
    assert_eq!(rules.score(got[0].1), Decimal::from(97));
}

#[tokio::test]
async fn ins_08_a_standing_x01_counts_with_its_points_and_costs_excellence_until_reversed() {
    let app = spawn_app().await;
    let office_id = office_with_year(&app).await;
    let year = year_id(&app).await;
    let (unit_id, item_id): (Uuid, Uuid) = sqlx::query_as(
        "select u.id, i.id from unit u, deduction_item i where u.code = 'u2' and i.code = 'X01'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();

    let mut tx = xiaoneng::db::begin_tenant(&app.pool, office_id)
        .await
        .unwrap();
    let deduction = db::deduct_once(
        &mut tx,
        office_id,
        &db::NewDeduction {
            year_id: year,
            unit_id,
            item_id,
            points: Decimal::from(4),
            source_type: "finding",
            source_key: "x01-test",
            reason: "阻拦检查",
            at: app.clock.now(),
        },
    )
    .await
    .unwrap()
    .unwrap();
    tx.commit().await.unwrap();
    let got = tallies(&app, office_id).await;
    assert_eq!(got[1], ("u2".into(), Decimal::from(4), true));
    assert_eq!(got[0], ("u1".into(), Decimal::ZERO, false));

    // INS-12: the reversal gives back exactly its points, and the eligibility with them.
    let mut tx = xiaoneng::db::begin_tenant(&app.pool, office_id)
        .await
        .unwrap();
    db::reverse(&mut tx, office_id, deduction, ("异议成立", app.clock.now()))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let got = tallies(&app, office_id).await;
    assert_eq!(got[1], ("u2".into(), Decimal::ZERO, false));
}
