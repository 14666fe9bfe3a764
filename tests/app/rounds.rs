//! Rounds of open inspections (INS-06): units whose last inspection had confirmed findings must be
//! in the next round, or left out with a recorded reason the round shows.

use axum::http::StatusCode;

use crate::common::{Client, TestApp, spawn_app};
use crate::tasks::id_of;

/// u1 inspected on 2026-12-03 with a confirmed D06 finding; a round from 12-10 to 12-31.
/// Returns (round id, office staff client).
async fn round_after_a_confirmed_finding(app: &TestApp) -> (uuid::Uuid, Client) {
    let (_task, _finding, mut staff) = crate::notices::confirmed_finding(app).await;
    let created = staff
        .post(
            "/alpha/years/2026/rounds",
            &[
                ("name", "十二月明查"),
                ("starts_on", "2026-12-10"),
                ("ends_on", "2026-12-31"),
            ],
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let round = id_of(app, "select id from inspection_round").await;
    (round, staff)
}

#[tokio::test]
async fn ins_06_a_round_cannot_leave_out_a_unit_with_confirmed_findings_without_a_recorded_reason()
{
    let app = spawn_app().await;
    let (round, mut staff) = round_after_a_confirmed_finding(&app).await;
    let u1 = id_of(&app, "select id from unit where code = 'u1'").await;
    let coverage = staff.get("/alpha/years/2026/coverage").await;
    coverage.assert_contains("下一轮必须检查（1）");
    let page = staff.get(&format!("/alpha/rounds/{round}")).await;
    page.assert_contains("未安排");
    page.assert_contains("已确认问题 1 项");

    let refused = staff.post(&format!("/alpha/rounds/{round}/fix"), &[]).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    refused.assert_contains("上次检查有已确认问题，须列入本轮或记录不列入的理由");
    assert_eq!(
        app.scalar_i64("select count(*) from round_plan_fixed")
            .await,
        0
    );

    let no_reason = staff
        .post(
            &format!("/alpha/rounds/{round}/omissions"),
            &[("unit_id", &u1.to_string()), ("reason", " ")],
        )
        .await;
    assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
    no_reason.assert_contains("请填写不列入本轮的理由");
    let omitted = staff
        .post(
            &format!("/alpha/rounds/{round}/omissions"),
            &[
                ("unit_id", &u1.to_string()),
                ("reason", "该单位正在搬迁，下月专项检查"),
            ],
        )
        .await;
    assert_eq!(omitted.status, StatusCode::SEE_OTHER, "{}", omitted.body);
    let page = staff.get(&format!("/alpha/rounds/{round}")).await;
    page.assert_contains("该单位正在搬迁，下月专项检查");
    let fixed = staff.post(&format!("/alpha/rounds/{round}/fix"), &[]).await;
    assert_eq!(fixed.status, StatusCode::SEE_OTHER, "{}", fixed.body);
    let page = staff.get(&format!("/alpha/rounds/{round}")).await;
    page.assert_contains("计划已确定");
    page.assert_contains("确定轮次计划");
    // a leader reads it, a supervisor does not
    let mut leader = app.logged_in("alpha", "leader").await;
    leader
        .get(&format!("/alpha/rounds/{round}"))
        .await
        .assert_contains("该单位正在搬迁");
    let mut supervisor = app.logged_in("alpha", "supervisor").await;
    assert_eq!(
        supervisor
            .get(&format!("/alpha/rounds/{round}"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn ins_06_a_task_planned_in_the_round_covers_the_unit_and_must_fall_inside_the_round() {
    let app = spawn_app().await;
    let (round, mut staff) = round_after_a_confirmed_finding(&app).await;
    let u1 = id_of(&app, "select id from unit where code = 'u1'").await;
    let group = id_of(&app, "select id from supervisor_group where name = '甲组'").await;
    let form = staff
        .get(&format!(
            "/alpha/years/2026/tasks?unit_id={u1}&round_id={round}"
        ))
        .await;
    form.assert_contains(&format!("<option value=\"{round}\" selected>"));
    let outside = staff
        .post(
            "/alpha/years/2026/tasks",
            &[
                ("round_id", &round.to_string()),
                ("unit_id", &u1.to_string()),
                ("group_id", &group.to_string()),
                ("kind", "open"),
                ("focus", "duty"),
                ("scheduled_on", "2026-12-05"),
            ],
        )
        .await;
    assert_eq!(outside.status, StatusCode::UNPROCESSABLE_ENTITY);
    outside.assert_contains("轮次中的任务须为明查，且日期在轮次起止日期内");
    let inside = staff
        .post(
            "/alpha/years/2026/tasks",
            &[
                ("round_id", &round.to_string()),
                ("unit_id", &u1.to_string()),
                ("group_id", &group.to_string()),
                ("kind", "open"),
                ("focus", "duty"),
                ("scheduled_on", "2026-12-15"),
            ],
        )
        .await;
    assert_eq!(inside.status, StatusCode::SEE_OTHER, "{}", inside.body);
    let page = staff.get(&format!("/alpha/rounds/{round}")).await;
    page.assert_contains("已列入本轮");
    let fixed = staff.post(&format!("/alpha/rounds/{round}/fix"), &[]).await;
    assert_eq!(fixed.status, StatusCode::SEE_OTHER);
}
