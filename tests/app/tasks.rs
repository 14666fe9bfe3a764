//! Inspection tasks (INS-02, INS-03, INS-07) and open-inspection coverage (INS-06).

use axum::http::StatusCode;
use uuid::Uuid;

use crate::common::{Client, TestApp, spawn_app};

pub async fn id_of(app: &TestApp, sql: &str) -> Uuid {
    sqlx::query_scalar(sql).fetch_one(&app.pool).await.unwrap()
}

/// Recommends (by `unit`) and approves a supervisor; returns its id.
async fn supervisor(app: &TestApp, staff: &mut Client, name: &str, unit: Uuid) -> Uuid {
    let page = staff
        .post(
            "/alpha/supervisors",
            &[
                ("name", name),
                ("recommended_by_unit_id", &unit.to_string()),
            ],
        )
        .await;
    let path = page.location().to_string();
    staff
        .post(
            &format!("{path}/approve"),
            &[("valid_from", "2026-01-01"), ("valid_until", "2026-12-31")],
        )
        .await;
    id_of(
        app,
        &format!("select id from supervisor where name = '{name}'"),
    )
    .await
}

/// 2026 open with u1, u2 and u3 listed; group 甲组 (led by the demo supervisor account's record,
/// recommended by u3) and group 乙组 (recommended by u1). Returns (u1, u2, group A, group B).
pub async fn setup(app: &TestApp) -> (Uuid, Uuid, Uuid, Uuid) {
    let office = app.office_with_users("alpha").await;
    let u1 = id_of(app, "select id from unit where code = 'u1'").await;
    let u2 = app.create_unit(&office, "u2", "第二单位").await;
    let u3 = app.create_unit(&office, "u3", "第三单位").await;
    let mut admin = app.logged_in("alpha", "office_admin").await;
    admin.post("/alpha/years", &[("year", "2026")]).await;
    sqlx::query("insert into assessment_unit (tenant_id, assessment_year_id, unit_id) select u.tenant_id, y.id, u.id from unit u, assessment_year y")
        .execute(&app.pool)
        .await
        .unwrap();
    let a = supervisor(app, &mut admin, "甲组长", u3).await;
    let b = supervisor(app, &mut admin, "乙组长", u1).await;
    let account = id_of(app, "select id from app_user where username = 'supervisor'").await;
    admin
        .post(
            &format!("/alpha/supervisors/{a}/user"),
            &[("user_id", &account.to_string())],
        )
        .await;
    admin
        .post(
            "/alpha/groups",
            &[("name", "甲组"), ("leader", &a.to_string())],
        )
        .await;
    admin
        .post(
            "/alpha/groups",
            &[("name", "乙组"), ("leader", &b.to_string())],
        )
        .await;
    let group_a = id_of(app, "select id from supervisor_group where name = '甲组'").await;
    let group_b = id_of(app, "select id from supervisor_group where name = '乙组'").await;
    (u1, u2, group_a, group_b)
}

#[tokio::test]
async fn ins_02_a_supervisor_sees_only_its_own_groups_tasks() {
    let app = spawn_app().await;
    let (_, u2, group_a, group_b) = setup(&app).await;
    let mut staff = app.logged_in("alpha", "office_staff").await;
    let open = staff
        .post(
            "/alpha/years/2026/tasks",
            &[
                ("unit_id", &u2.to_string()),
                ("group_id", &group_a.to_string()),
                ("kind", "open"),
                ("focus", "duty"),
                ("focus", "service"),
                ("scheduled_on", "2026-12-03"),
            ],
        )
        .await;
    assert_eq!(open.status, StatusCode::SEE_OTHER, "{}", open.body);
    let covert = staff
        .post(
            "/alpha/years/2026/tasks",
            &[
                ("unit_id", &u2.to_string()),
                ("group_id", &group_b.to_string()),
                ("kind", "covert"),
                ("method", "mystery_visit"),
                ("scheduled_on", "2026-12-04"),
            ],
        )
        .await;
    assert_eq!(covert.status, StatusCode::SEE_OTHER, "{}", covert.body);
    let task_a = id_of(&app, "select id from inspection_task where kind = 'open'").await;
    let task_b = id_of(&app, "select id from inspection_task where kind = 'covert'").await;
    let mut supervisor = app.logged_in("alpha", "supervisor").await;
    let mine = supervisor.get("/alpha/tasks").await;
    mine.assert_contains("第二单位");
    mine.assert_contains("履职尽责和制度落实");
    assert!(
        !mine.body.contains("模拟办事"),
        "another group's covert task stays hidden"
    );
    assert_eq!(
        supervisor
            .get(&format!("/alpha/tasks/{task_a}"))
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        supervisor
            .get(&format!("/alpha/tasks/{task_b}"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        supervisor.get("/alpha/years/2026/tasks").await.status,
        StatusCode::NOT_FOUND
    );
    let mut liaison = app.logged_in("alpha", "liaison").await;
    assert_eq!(
        liaison.get(&format!("/alpha/tasks/{task_a}")).await.status,
        StatusCode::NOT_FOUND
    );
    let list = staff.get("/alpha/years/2026/tasks").await;
    list.assert_contains("暗访：模拟办事");
}

#[tokio::test]
async fn ins_02_a_group_is_never_sent_to_inspect_a_unit_a_member_must_stand_aside_from() {
    let app = spawn_app().await;
    let (u1, _, _, group_b) = setup(&app).await;
    let mut staff = app.logged_in("alpha", "office_staff").await;
    let refused = staff
        .post(
            "/alpha/years/2026/tasks",
            &[
                ("unit_id", &u1.to_string()),
                ("group_id", &group_b.to_string()),
                ("kind", "open"),
                ("focus", "duty"),
                ("scheduled_on", "2026-12-03"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    refused.assert_contains("乙组长 在被查单位工作或由该单位推荐，须回避");
    assert_eq!(
        app.scalar_i64("select count(*) from inspection_task").await,
        0
    );
}

#[tokio::test]
async fn ins_03_and_ins_07_a_task_states_its_focus_or_its_covert_method() {
    let app = spawn_app().await;
    let (_, u2, group_a, _) = setup(&app).await;
    let mut staff = app.logged_in("alpha", "office_staff").await;
    let no_focus = staff
        .post(
            "/alpha/years/2026/tasks",
            &[
                ("unit_id", &u2.to_string()),
                ("group_id", &group_a.to_string()),
                ("kind", "open"),
                ("scheduled_on", "2026-12-03"),
            ],
        )
        .await;
    no_focus.assert_contains("明查至少选择一项检查重点");
    let no_method = staff
        .post(
            "/alpha/years/2026/tasks",
            &[
                ("unit_id", &u2.to_string()),
                ("group_id", &group_a.to_string()),
                ("kind", "covert"),
                ("scheduled_on", "2027-01-05"),
            ],
        )
        .await;
    assert_eq!(no_method.status, StatusCode::UNPROCESSABLE_ENTITY);
    no_method.assert_contains("暗访须选择蹲点查岗、模拟办事或办件跟踪");
    no_method.assert_contains("请填写本考评年度内的日期");
    no_method.assert_contains("value=\"2027-01-05\"");
}

#[tokio::test]
async fn ins_06_coverage_lists_the_units_without_an_open_inspection() {
    let app = spawn_app().await;
    let (_, u2, group_a, _) = setup(&app).await;
    let mut staff = app.logged_in("alpha", "office_staff").await;
    staff
        .post(
            "/alpha/years/2026/tasks",
            &[
                ("unit_id", &u2.to_string()),
                ("group_id", &group_a.to_string()),
                ("kind", "open"),
                ("focus", "burden"),
                ("scheduled_on", "2026-12-07"),
            ],
        )
        .await;
    let page = staff.get("/alpha/years/2026/coverage").await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_contains("尚未安排明查（2 个）");
    page.assert_contains("已安排明查（1 个）");
    page.assert_contains("第二单位 <span class=\"muted small\">u2 · </span> — 2026-12-07");
}
