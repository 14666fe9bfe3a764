//! Assessment years and the deduction catalog (INS-01, INS-15).

use axum::http::StatusCode;

use crate::common::spawn_app;

#[tokio::test]
async fn ins_15_a_first_year_opens_with_the_default_catalog() {
    let app = spawn_app().await;
    app.office_with_users("alpha").await;
    let mut admin = app.logged_in("alpha", "office_admin").await;
    let opened = admin.post("/alpha/years", &[("year", "2026")]).await;
    assert_eq!(opened.status, StatusCode::SEE_OTHER);
    assert_eq!(opened.location(), "/alpha/years/2026/catalog");
    let catalog = admin.get("/alpha/years/2026/catalog").await;
    catalog.assert_contains("2026 年度扣分项目");
    catalog.assert_contains("未成立效能考评工作领导小组");
    catalog.assert_contains("未按季报送自查报告");
    catalog.assert_contains("−1 ~ −5"); // X01, discretionary
    catalog.assert_contains("取消评优资格");
    assert_eq!(
        app.scalar_i64("select count(*) from deduction_item").await,
        23
    );
    let s01 = app
        .scalar_i64("select (points_min * 100)::bigint from deduction_item where code = 'S01'")
        .await;
    assert_eq!(s01, 300, "INS-04: −3");
}

#[tokio::test]
async fn ins_01_a_new_year_copies_the_previous_list_and_the_items_in_use() {
    let app = spawn_app().await;
    let office = app.office_with_users("alpha").await;
    let mut admin = app.logged_in("alpha", "office_admin").await;
    admin.post("/alpha/years", &[("year", "2025")]).await;
    let unit: uuid::Uuid = sqlx::query_scalar("select id from unit where code = 'u1'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    sqlx::query("insert into assessment_unit (tenant_id, assessment_year_id, unit_id) select $1, id, $2 from assessment_year where year = 2025")
        .bind(office.id)
        .bind(unit)
        .execute(&app.pool)
        .await
        .unwrap();
    let d20: uuid::Uuid = sqlx::query_scalar("select id from deduction_item where code = 'D20'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let retired = admin
        .post(&format!("/alpha/years/2025/catalog/{d20}/retire"), &[])
        .await;
    assert_eq!(retired.status, StatusCode::SEE_OTHER);
    admin.post("/alpha/years", &[("year", "2026")]).await;
    let items = app
        .scalar_i64("select count(*) from deduction_item i join assessment_year y on y.id = i.assessment_year_id where y.year = 2026")
        .await;
    assert_eq!(items, 22, "the retired item is not carried over");
    let listed = app
        .scalar_i64("select count(*) from assessment_unit a join assessment_year y on y.id = a.assessment_year_id where y.year = 2026")
        .await;
    assert_eq!(listed, 1);
    let years = admin.get("/alpha/years").await;
    years.assert_contains("<strong>2026</strong>");
    years.assert_contains("<strong>2025</strong>");
}

#[tokio::test]
async fn ins_15_items_are_edited_and_retired_but_never_deleted() {
    let app = spawn_app().await;
    app.office_with_users("alpha").await;
    let mut admin = app.logged_in("alpha", "office_admin").await;
    admin.post("/alpha/years", &[("year", "2026")]).await;
    let added = admin
        .post(
            "/alpha/years/2026/catalog",
            &[
                ("code", "d21"),
                ("title", "窗口服务不规范"),
                ("for_open", "on"),
                ("for_covert", "on"),
                ("points_min", "0.5"),
                ("rule_id", "INS-07"),
            ],
        )
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER);
    let page = admin.get("/alpha/years/2026/catalog").await;
    page.assert_contains("窗口服务不规范");
    page.assert_contains("−0.5");
    let bad = admin
        .post(
            "/alpha/years/2026/catalog",
            &[
                ("code", "D21"),
                ("title", "重复"),
                ("points_min", "2"),
                ("points_max", "1"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    bad.assert_contains("请至少选择一种适用的检查方式");
    bad.assert_contains("最高扣分不能小于扣分");
    bad.assert_contains("重复");
    let taken = admin
        .post(
            "/alpha/years/2026/catalog",
            &[
                ("code", "D21"),
                ("title", "重复"),
                ("for_open", "on"),
                ("points_min", "1"),
                ("rule_id", "INS-05"),
            ],
        )
        .await;
    taken.assert_contains("该年度已有相同编号的项目");

    let id: uuid::Uuid = sqlx::query_scalar("select id from deduction_item where code = 'D21'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let edited = admin
        .post(
            &format!("/alpha/years/2026/catalog/{id}"),
            &[
                ("code", "D21"),
                ("title", "窗口服务不规范（含着装）"),
                ("for_open", "on"),
                ("points_min", "1"),
                ("rule_id", "INS-05"),
            ],
        )
        .await;
    assert_eq!(edited.status, StatusCode::SEE_OTHER);
    admin
        .post(&format!("/alpha/years/2026/catalog/{id}/retire"), &[])
        .await;
    let page = admin.get("/alpha/years/2026/catalog").await;
    page.assert_contains("窗口服务不规范（含着装）");
    page.assert_contains("已停用");
    assert_eq!(
        app.scalar_i64(
            "select count(*) from deduction_item where code = 'D21' and retired_at is not null"
        )
        .await,
        1
    );
    let actions: Vec<String> = sqlx::query_scalar(
        "select action from audit_event where action like 'catalog.%' order by seq",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(
        actions,
        [
            "catalog.item_add",
            "catalog.item_change",
            "catalog.item_retire"
        ]
    );
}

#[tokio::test]
async fn the_request_role_cannot_delete_a_catalog_item() {
    let app = spawn_app().await;
    let office = app.office_with_users("alpha").await;
    let mut admin = app.logged_in("alpha", "office_admin").await;
    admin.post("/alpha/years", &[("year", "2026")]).await;
    let mut tx = xiaoneng::db::begin_tenant(&app.pool, office.id)
        .await
        .unwrap();
    let refused = sqlx::query("delete from deduction_item")
        .execute(&mut *tx)
        .await;
    let message = refused.err().map(|e| e.to_string()).unwrap_or_default();
    assert!(message.contains("permission denied"), "{message}");
}

#[tokio::test]
async fn a_closed_year_is_read_only() {
    let app = spawn_app().await;
    app.office_with_users("alpha").await;
    let mut admin = app.logged_in("alpha", "office_admin").await;
    admin.post("/alpha/years", &[("year", "2026")]).await;
    // INS-08: a year closes once the office has decided its excellence list (none, here)
    admin.post("/alpha/years/2026/excellence", &[]).await;
    let closed = admin.post("/alpha/years/2026/close", &[]).await;
    assert_eq!(closed.status, StatusCode::SEE_OTHER, "{}", closed.body);
    let page = admin.get("/alpha/years/2026/catalog").await;
    page.assert_contains("该年度已关闭，只能查看");
    assert!(!page.body.contains("/retire"), "no change offered");
    let refused = admin
        .post(
            "/alpha/years/2026/catalog",
            &[
                ("code", "D30"),
                ("title", "x"),
                ("for_open", "on"),
                ("points_min", "1"),
                ("rule_id", "INS-05"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::SEE_OTHER);
    admin
        .get(refused.location())
        .await
        .assert_contains("2026 年度已关闭，不能再修改");
    assert_eq!(
        app.scalar_i64("select count(*) from deduction_item where code = 'D30'")
            .await,
        0
    );
    admin.post("/alpha/years/2026/reopen", &[]).await;
    let reopened = admin
        .post(
            "/alpha/years/2026/catalog",
            &[
                ("code", "D30"),
                ("title", "x"),
                ("for_open", "on"),
                ("points_min", "1"),
                ("rule_id", "INS-05"),
            ],
        )
        .await;
    assert_eq!(reopened.status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.scalar_i64("select count(*) from deduction_item where code = 'D30'")
            .await,
        1
    );
}

#[tokio::test]
async fn a_year_is_opened_once_and_only_by_the_administrator() {
    let app = spawn_app().await;
    app.office_with_users("alpha").await;
    let mut admin = app.logged_in("alpha", "office_admin").await;
    admin.post("/alpha/years", &[("year", "2026")]).await;
    let twice = admin.post("/alpha/years", &[("year", "2026")]).await;
    assert_eq!(twice.status, StatusCode::UNPROCESSABLE_ENTITY);
    twice.assert_contains("该年度已经开设");
    let nonsense = admin.post("/alpha/years", &[("year", "二〇二六")]).await;
    nonsense.assert_contains("请填写 2000 至 2100 之间的年份");
    nonsense.assert_contains("value=\"二〇二六\"");
    let mut staff = app.logged_in("alpha", "office_staff").await;
    assert_eq!(
        staff.post("/alpha/years", &[("year", "2027")]).await.status,
        StatusCode::NOT_FOUND
    );
    let list = staff.get("/alpha/years").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(!list.body.contains("/alpha/years/2026/close"));
    let mut supervisor = app.logged_in("alpha", "supervisor").await;
    assert_eq!(
        supervisor.get("/alpha/years/2026/catalog").await.status,
        StatusCode::OK,
        "supervisors pick items"
    );
    assert_eq!(
        supervisor.get("/alpha/years").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        supervisor.get("/alpha/years/2031/catalog").await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn the_database_itself_refuses_changes_to_a_closed_years_catalog() {
    let app = spawn_app().await;
    let office = app.office_with_users("alpha").await;
    let mut admin = app.logged_in("alpha", "office_admin").await;
    admin.post("/alpha/years", &[("year", "2026")]).await;
    admin.post("/alpha/years/2026/excellence", &[]).await;
    admin.post("/alpha/years/2026/close", &[]).await;
    let mut tx = xiaoneng::db::begin_tenant(&app.pool, office.id)
        .await
        .unwrap();
    let refused = sqlx::query("update deduction_item set title = 'changed' where code = 'D01'")
        .execute(&mut *tx)
        .await;
    let message = refused.err().map(|e| e.to_string()).unwrap_or_default();
    assert!(message.contains("closed"), "{message}");
}
