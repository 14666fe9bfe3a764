//! Interviews (INS-13): scheduled with a unit that has prominent problems, held (minutes) or
//! cancelled, with follow-up actions; read-only for leaders and the unit's liaison.

use axum::http::StatusCode;
use uuid::Uuid;

use crate::common::{Client, TestApp, spawn_app};
use crate::notices::confirmed_finding;
use crate::tasks::id_of;

/// The fields of a complete interview with `unit`.
fn interview_form(unit: &str) -> Vec<(&str, &str)> {
    vec![
        ("unit_id", unit),
        ("scheduled_at", "2026-12-10T09:30"),
        ("place", "效能办三楼会议室"),
        ("office_name", "李主任"),
        ("office_post", "效能办主任"),
        ("office_name", "赵科长"),
        ("office_post", "督查科科长"),
        ("unit_name", "王局长"),
        ("unit_post", "局长"),
        ("unit_name", ""),
        ("unit_post", ""),
        ("problems", "门厅未设置效能提示牌，整改不力"),
    ]
}

/// Schedules an interview with `unit` as office staff; returns its id.
pub async fn schedule(app: &TestApp, staff: &mut Client, unit: Uuid) -> Uuid {
    let unit = unit.to_string();
    let created = staff
        .post("/alpha/interviews", &interview_form(&unit))
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    id_of(
        app,
        "select id from interview order by created_at desc limit 1",
    )
    .await
}

/// An interview scheduled with u1 of an office that also has u2 and its liaison `liaison_u2`;
/// returns the interview and the office staff's client.
pub async fn interview_beside_another_unit(app: &TestApp) -> (Uuid, Client) {
    let office = app.office_with_users("alpha").await;
    let u1 = id_of(app, "select id from unit where code = 'u1'").await;
    let u2 = app.create_unit(&office, "u2", "第二单位").await;
    app.create_user(&office, "liaison_u2", "liaison", Some(u2))
        .await;
    let mut staff = app.logged_in("alpha", "office_staff").await;
    let interview = schedule(app, &mut staff, u1).await;
    (interview, staff)
}

#[tokio::test]
async fn ins_13_staff_schedule_an_interview_record_its_minutes_and_follow_ups_and_mark_one_done() {
    let app = spawn_app().await;
    let (_, _, mut staff) = confirmed_finding(&app).await;
    let u1 = id_of(&app, "select id from unit where code = 'u1'").await;
    // the unit's confirmed findings of the open year prefill the problems
    let form = staff
        .get(&format!("/alpha/interviews/new?unit_id={u1}"))
        .await;
    assert_eq!(form.status, StatusCode::OK);
    form.assert_contains("1. 门厅未设置效能提示牌（D06 ");
    // bad input: a clear message, and nothing typed is lost
    let unit = u1.to_string();
    let mut bad = interview_form(&unit);
    bad.retain(|(k, _)| !matches!(*k, "place" | "unit_name" | "unit_post"));
    let refused = staff.post("/alpha/interviews", &bad).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    refused.assert_contains("请填写约谈地点");
    refused.assert_contains("请至少填写一名被约谈单位参加人员");
    refused.assert_contains("value=\"赵科长\"");
    refused.assert_contains("门厅未设置效能提示牌，整改不力");
    refused.assert_contains("value=\"2026-12-10T09:30\"");
    assert_eq!(app.scalar_i64("select count(*) from interview").await, 0);

    let interview = schedule(&app, &mut staff, u1).await;
    assert_eq!(
        app.scalar_i64("select count(*) from interview_attendee")
            .await,
        3
    );
    let page = staff.get(&format!("/alpha/interviews/{interview}")).await;
    page.assert_contains("效能约谈记录");
    page.assert_contains("李主任（效能办主任）、赵科长（督查科科长）");
    page.assert_contains("王局长（局长）");
    page.assert_contains("2026-12-10 09:30");
    page.assert_contains("待约谈");

    // corrected while scheduled
    let mut moved = interview_form(&unit);
    moved.retain(|(k, _)| *k != "place");
    moved.push(("place", "市政府二号楼会议室"));
    let edited = staff
        .post(&format!("/alpha/interviews/{interview}"), &moved)
        .await;
    assert_eq!(edited.status, StatusCode::SEE_OTHER, "{}", edited.body);
    staff
        .get(&format!("/alpha/interviews/{interview}/edit"))
        .await
        .assert_contains("value=\"市政府二号楼会议室\"");

    // minutes are required; a half-typed action is refused and kept
    let minutes = format!("/alpha/interviews/{interview}/minutes");
    let no_minutes = staff
        .post(
            &minutes,
            &[
                ("minutes", " "),
                ("action_content", "全面排查提示牌"),
                ("action_responsible", ""),
                ("action_due", ""),
            ],
        )
        .await;
    assert_eq!(no_minutes.status, StatusCode::UNPROCESSABLE_ENTITY);
    no_minutes.assert_contains("请填写约谈纪要");
    no_minutes.assert_contains("每项后续事项须填写事项、责任方和完成时限");
    no_minutes.assert_contains("value=\"全面排查提示牌\"");
    let held = staff
        .post(
            &minutes,
            &[
                ("minutes", "王局长表示立即整改，举一反三。"),
                ("action_content", "在门厅设置效能提示牌"),
                ("action_responsible", "办公室"),
                ("action_due", "2026-01-05"),
                ("action_content", "报送整改情况报告"),
                ("action_responsible", "王局长"),
                ("action_due", "2099-12-31"),
                ("action_content", ""),
                ("action_responsible", ""),
                ("action_due", ""),
            ],
        )
        .await;
    assert_eq!(held.status, StatusCode::SEE_OTHER, "{}", held.body);
    let page = staff.get(&format!("/alpha/interviews/{interview}")).await;
    page.assert_contains("已约谈");
    page.assert_contains("王局长表示立即整改，举一反三。");
    page.assert_contains("在门厅设置效能提示牌");
    page.assert_contains("已逾期");
    page.assert_contains("记录约谈纪要");
    assert_eq!(
        app.scalar_i64("select count(*) from interview_action where done_at is null")
            .await,
        2
    );

    // INS-13: once held, the details are fixed, in the handler and in the database
    let late = staff
        .post(&format!("/alpha/interviews/{interview}"), &moved)
        .await;
    assert_eq!(late.status, StatusCode::UNPROCESSABLE_ENTITY);
    late.assert_contains("不能再修改");
    let refused = sqlx::query("update interview set place = 'x'")
        .execute(&app.pool)
        .await
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(refused.contains("cannot go from held"), "{refused}");
    let refused = sqlx::query("delete from interview_attendee")
        .execute(&app.pool)
        .await
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(refused.contains("fixed once it is held"), "{refused}");

    // one action done, once; more can be added
    let action = id_of(
        &app,
        "select id from interview_action where responsible = '办公室'",
    )
    .await;
    let done = format!("/alpha/interviews/{interview}/actions/{action}/done");
    assert_eq!(staff.post(&done, &[]).await.status, StatusCode::SEE_OTHER);
    let again = staff.post(&done, &[]).await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    again.assert_contains("该事项已标记完成");
    let added = staff
        .post(
            &format!("/alpha/interviews/{interview}/actions"),
            &[
                ("action_content", "组织全员学习考评办法"),
                ("action_responsible", "人事科"),
                ("action_due", "2099-06-30"),
            ],
        )
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    let page = staff.get(&format!("/alpha/interviews/{interview}")).await;
    page.assert_contains("已完成");
    page.assert_contains("组织全员学习考评办法");
    assert!(!page.body.contains("已逾期"), "the overdue action is done");
    // every change is on the timeline
    for action in [
        "安排约谈",
        "修改约谈安排",
        "记录约谈纪要",
        "后续事项完成",
        "添加后续事项",
    ] {
        page.assert_contains(action);
    }
    assert_eq!(
        app.scalar_i64("select count(*) from audit_event where subject_type = 'interview'")
            .await,
        5
    );
}

#[tokio::test]
async fn ins_13_a_leader_reads_interviews_and_changes_nothing_and_a_liaison_sees_only_its_own_units()
 {
    let app = spawn_app().await;
    let (interview, _staff) = interview_beside_another_unit(&app).await;
    let page = format!("/alpha/interviews/{interview}");

    let mut leader = app.logged_in("alpha", "leader").await;
    leader
        .get("/alpha/interviews")
        .await
        .assert_contains("第一单位");
    let read = leader.get(&page).await;
    assert_eq!(read.status, StatusCode::OK);
    read.assert_contains("王局长（局长）");
    assert!(!read.body.contains("/minutes\""), "no minutes form");
    assert!(!read.body.contains("/cancel\""), "no cancel form");

    let mut liaison = app.logged_in("alpha", "liaison").await;
    liaison
        .get("/alpha/interviews")
        .await
        .assert_contains("第一单位");
    assert_eq!(liaison.get(&page).await.status, StatusCode::OK);

    for client in [&mut leader, &mut liaison] {
        assert_eq!(
            client.get("/alpha/interviews/new").await.status,
            StatusCode::NOT_FOUND
        );
        for (path, form) in [
            ("/alpha/interviews".to_string(), interview_form("x")),
            (page.clone(), interview_form("x")),
            (format!("{page}/minutes"), vec![("minutes", "纪要")]),
            (format!("{page}/cancel"), vec![("reason", "改期")]),
        ] {
            assert_eq!(
                client.post(&path, &form).await.status,
                StatusCode::NOT_FOUND,
                "{path}"
            );
        }
    }
    assert_eq!(
        app.scalar_i64(
            "select count(*) from interview where status = 'scheduled' and minutes = ''"
        )
        .await,
        1
    );

    // a liaison of another unit sees nothing of it
    let mut other = app.logged_in("alpha", "liaison_u2").await;
    assert!(
        !other
            .get("/alpha/interviews")
            .await
            .body
            .contains("第一单位")
    );
    assert_eq!(other.get(&page).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn ins_13_a_cancelled_interview_keeps_its_reason_and_changes_no_more() {
    let app = spawn_app().await;
    app.office_with_users("alpha").await;
    let u1 = id_of(&app, "select id from unit where code = 'u1'").await;
    let mut staff = app.logged_in("alpha", "office_staff").await;
    let interview = schedule(&app, &mut staff, u1).await;
    let cancel = format!("/alpha/interviews/{interview}/cancel");
    let no_reason = staff.post(&cancel, &[("reason", " ")]).await;
    assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
    no_reason.assert_contains("请填写取消原因");
    let cancelled = staff
        .post(&cancel, &[("reason", "被约谈单位主要负责人出差，另行安排")])
        .await;
    assert_eq!(
        cancelled.status,
        StatusCode::SEE_OTHER,
        "{}",
        cancelled.body
    );
    let page = staff.get(&format!("/alpha/interviews/{interview}")).await;
    page.assert_contains("已取消");
    page.assert_contains("被约谈单位主要负责人出差，另行安排");
    let minutes = staff
        .post(
            &format!("/alpha/interviews/{interview}/minutes"),
            &[("minutes", "纪要")],
        )
        .await;
    assert_eq!(minutes.status, StatusCode::UNPROCESSABLE_ENTITY);
    minutes.assert_contains("本次约谈已进行或已取消");
    assert_eq!(
        app.scalar_i64(
            "select count(*) from interview where status = 'cancelled' and minutes = ''"
        )
        .await,
        1
    );
}

#[tokio::test]
async fn ins_13_another_office_sees_nothing_of_an_offices_interviews() {
    let app = spawn_app().await;
    app.office_with_users("alpha").await;
    app.office_with_users("beta").await;
    let u1 = id_of(
        &app,
        "select u.id from unit u join office o on o.id = u.tenant_id where o.code = 'alpha'",
    )
    .await;
    let mut staff = app.logged_in("alpha", "office_staff").await;
    let interview = schedule(&app, &mut staff, u1).await;
    let mut beta = app.logged_in("beta", "office_staff").await;
    assert!(
        !beta
            .get("/beta/interviews")
            .await
            .body
            .contains("效能办三楼会议室")
    );
    for path in [
        format!("/beta/interviews/{interview}"),
        format!("/beta/interviews/{interview}/edit"),
    ] {
        assert_eq!(
            beta.get(&path).await.status,
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    let cancel = beta
        .post(
            &format!("/beta/interviews/{interview}/cancel"),
            &[("reason", "x")],
        )
        .await;
    assert_eq!(cancel.status, StatusCode::NOT_FOUND);
    // nor can beta schedule one with alpha's unit
    let unit = u1.to_string();
    let cross = beta.post("/beta/interviews", &interview_form(&unit)).await;
    assert_eq!(cross.status, StatusCode::UNPROCESSABLE_ENTITY);
    cross.assert_contains("请选择约谈单位");
    assert_eq!(
        app.scalar_i64("select count(*) from interview where status = 'scheduled'")
            .await,
        1
    );
}

#[tokio::test]
async fn ins_13_the_leaders_overview_shows_upcoming_interviews_overdue_actions_and_bulletin_readers()
 {
    let app = spawn_app().await;
    app.office_with_users("alpha").await;
    let u1 = id_of(&app, "select id from unit where code = 'u1'").await;
    let mut staff = app.logged_in("alpha", "office_staff").await;
    schedule(&app, &mut staff, u1).await;
    let held = schedule(&app, &mut staff, u1).await;
    staff
        .post(
            &format!("/alpha/interviews/{held}/minutes"),
            &[
                ("minutes", "约谈纪要"),
                ("action_content", "补设效能提示牌"),
                ("action_responsible", "办公室"),
                ("action_due", "2026-01-05"),
            ],
        )
        .await;
    staff
        .post(
            "/alpha/bulletins",
            &[("period_from", "2026-10-01"), ("period_to", "2026-10-31")],
        )
        .await;
    let bulletin = id_of(&app, "select id from bulletin").await;
    staff
        .post(&format!("/alpha/bulletins/{bulletin}/publish"), &[])
        .await;
    let mut liaison = app.logged_in("alpha", "liaison").await;
    liaison.get(&format!("/alpha/bulletins/{bulletin}")).await;

    let mut leader = app.logged_in("alpha", "leader").await;
    let page = leader.get("/alpha/overview").await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_contains("<strong>1</strong><span>待进行约谈</span>");
    page.assert_contains("<strong>1</strong><span>已约谈</span>");
    page.assert_contains("<strong>1</strong><span>约谈事项逾期</span>");
    page.assert_contains("<strong>1</strong><span>已发布通报</span>");
    page.assert_contains("待进行的约谈");
    page.assert_contains("补设效能提示牌");
    page.assert_contains("已阅单位 1/1");
}

#[tokio::test]
async fn ins_13_the_interview_record_prints_to_pdf_with_its_people_problems_minutes_and_follow_ups()
{
    let app = spawn_app().await;
    let (interview, mut staff) = interview_beside_another_unit(&app).await;
    let held = staff
        .post(
            &format!("/alpha/interviews/{interview}/minutes"),
            &[
                ("minutes", "单位主要负责人表态立即整改"),
                ("action_content", "全面排查提示牌"),
                ("action_responsible", "办公室"),
                ("action_due", "2026-12-20"),
            ],
        )
        .await;
    assert_eq!(held.status, StatusCode::SEE_OTHER, "{}", held.body);
    staff
        .get(&format!("/alpha/interviews/{interview}"))
        .await
        .assert_contains(&format!("/alpha/interviews/{interview}/pdf"));
    let (status, headers, pdf) = staff
        .get_bytes(&format!("/alpha/interviews/{interview}/pdf"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-type"], "application/pdf");
    crate::notices::keep_pdf("interview-server.pdf", &pdf);
    let (text, fonts) = crate::notices::pdf_text_and_fonts(&pdf);
    let flat: String = text.split_whitespace().collect();
    for words in [
        "效能约谈记录",
        "第一单位",
        "效能办三楼会议室",
        "李主任（效能办主任）",
        "王局长（局长）",
        "门厅未设置效能提示牌，整改不力",
        "单位主要负责人表态立即整改",
        "全面排查提示牌",
        "2026-12-20",
    ] {
        assert!(flat.contains(words), "{words} is not in the PDF:\n{text}");
    }
    assert!(fonts.contains("NotoSerifCJK"), "{fonts}");
    // the unit has it; another unit's liaison does not
    let mut liaison = app.logged_in("alpha", "liaison").await;
    let (status, _, _) = liaison
        .get_bytes(&format!("/alpha/interviews/{interview}/pdf"))
        .await;
    assert_eq!(status, StatusCode::OK);
    let mut other = app.logged_in("alpha", "liaison_u2").await;
    let (status, _, _) = other
        .get_bytes(&format!("/alpha/interviews/{interview}/pdf"))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
