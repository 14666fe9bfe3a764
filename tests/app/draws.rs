//! The covert-inspection draw (INS-07).

use axum::http::StatusCode;
use sqlx::Connection;

use crate::common::{Client, TestApp, spawn_app};

/// An office with 2026 open and eight listed units in two categories; returns the admin.
async fn office_with_list(app: &TestApp) -> Client {
    app.office_with_users("alpha").await;
    let mut admin = app.logged_in("alpha", "office_admin").await;
    admin.post("/alpha/years", &[("year", "2026")]).await;
    let mut csv = String::from("code,name,category\n");
    for n in 1..=8 {
        let category = if n % 2 == 0 { "经济类" } else { "执法类" };
        csv.push_str(&format!("d{n},单位{n},{category}\n"));
    }
    let done = admin
        .post_file(
            "/alpha/units/import",
            &[("kind", "units"), ("list", "on")],
            "u.csv",
            csv.as_bytes(),
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    admin
}

#[tokio::test]
async fn ins_07_a_draw_keeps_pool_seed_and_result_and_verifies() {
    let app = spawn_app().await;
    office_with_list(&app).await;
    let mut staff = app.logged_in("alpha", "office_staff").await;
    let drawn = staff
        .post(
            "/alpha/years/2026/draws",
            &[
                ("category", "经济类"),
                ("exclusions", "d2 上月刚检查过"),
                ("count", "2"),
                ("note", "第三季度"),
            ],
        )
        .await;
    assert_eq!(drawn.status, StatusCode::SEE_OTHER, "{}", drawn.body);
    let page = staff.get(drawn.location()).await;
    page.assert_contains("抽签完成");
    page.assert_contains("d2 单位2：上月刚检查过");
    page.assert_contains("抽签范围（3）");
    let verified = staff.get(&format!("{}?verify=1", drawn.location())).await;
    verified.assert_contains("核验一致");
    let (pool, result, seed): (Vec<uuid::Uuid>, Vec<uuid::Uuid>, String) =
        sqlx::query_as("select pool, result, seed from inspection_draw")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(pool.len(), 3, "economic units d4, d6, d8");
    assert_eq!(result.len(), 2);
    assert!(result.iter().all(|r| pool.contains(r)));
    assert_eq!(seed.len(), 64);
    // Re-running the documented algorithm by hand gives the stored result.
    let seed = xiaoneng::inspections::draws::model::parse_seed(&seed).unwrap();
    assert_eq!(
        xiaoneng::inspections::draws::model::draw(&pool, seed, 2),
        result
    );
    let logged = app
        .scalar_i64("select count(*) from audit_event where action = 'draw.create'")
        .await;
    assert_eq!(logged, 1);
}

#[tokio::test]
async fn ins_07_a_stored_draw_cannot_be_changed_and_a_forged_result_fails_verification() {
    let app = spawn_app().await;
    office_with_list(&app).await;
    let mut staff = app.logged_in("alpha", "office_staff").await;
    let drawn = staff
        .post("/alpha/years/2026/draws", &[("count", "3")])
        .await;
    let refused = sqlx::query("update inspection_draw set result = pool[1:3]")
        .execute(&app.pool)
        .await;
    assert!(
        refused
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default()
            .contains("append-only")
    );
    // Someone with superuser powers forges it anyway.
    let mut conn = app.connection().await;
    let mut tx = conn.begin().await.unwrap();
    sqlx::query("set local session_replication_role = replica")
        .execute(&mut *tx)
        .await
        .unwrap();
    sqlx::query("update inspection_draw set result = array(select unnest(pool) except select unnest(result) limit 3)")
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let page = staff.get(&format!("{}?verify=1", drawn.location())).await;
    page.assert_contains("核验不一致");
}

#[tokio::test]
async fn ins_07_a_draw_with_bad_input_is_refused_and_keeps_what_was_typed() {
    let app = spawn_app().await;
    office_with_list(&app).await;
    let mut staff = app.logged_in("alpha", "office_staff").await;
    let too_many = staff
        .post(
            "/alpha/years/2026/draws",
            &[("category", "执法类"), ("count", "9")],
        )
        .await;
    assert_eq!(too_many.status, StatusCode::UNPROCESSABLE_ENTITY);
    too_many.assert_contains("抽取数量不能超过抽签范围内的单位数（4 个）");
    too_many.assert_contains("value=\"执法类\" checked");
    let no_reason = staff
        .post(
            "/alpha/years/2026/draws",
            &[("exclusions", "d1\nzz 不存在"), ("count", "1")],
        )
        .await;
    no_reason.assert_contains("排除单位须写明理由");
    no_reason.assert_contains("zz 不在本年度考评名单中");
    no_reason.assert_contains("d1\nzz 不存在");
    assert_eq!(
        app.scalar_i64("select count(*) from inspection_draw").await,
        0
    );
}

#[tokio::test]
async fn ins_07_draws_are_hidden_from_supervisors_and_units_and_leaders_only_read_them() {
    let app = spawn_app().await;
    office_with_list(&app).await;
    let mut staff = app.logged_in("alpha", "office_staff").await;
    let drawn = staff
        .post("/alpha/years/2026/draws", &[("count", "2")])
        .await;
    for role in ["supervisor", "liaison"] {
        let mut client = app.logged_in("alpha", role).await;
        assert_eq!(
            client.get("/alpha/years/2026/draws").await.status,
            StatusCode::NOT_FOUND,
            "{role}"
        );
        assert_eq!(
            client.get(drawn.location()).await.status,
            StatusCode::NOT_FOUND,
            "{role}"
        );
    }
    let mut leader = app.logged_in("alpha", "leader").await;
    assert_eq!(leader.get(drawn.location()).await.status, StatusCode::OK);
    assert_eq!(
        leader
            .post("/alpha/years/2026/draws", &[("count", "1")])
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}
