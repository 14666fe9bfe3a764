//! Routing a complaint to a unit (CMP-08): the forwarding slip, printable and as PDF; the unit's
//! liaisons hear of every assignment, transfer and urge in their inbox; and the scheduled job
//! records the receipt when nobody signs in time.

use axum::http::StatusCode;
use uuid::Uuid;

use crate::common::{Client, TestApp, spawn_app};
use crate::complaints::{act, by_phone, log, office_with_units};
use crate::home::at;
use crate::tasks::id_of;

/// The office with u1 and u2 on the year's list, and u2's own liaison (`liaison_u2`): (u1, u2).
async fn office_with_two_liaisons(app: &TestApp) -> (Uuid, Uuid) {
    office_with_units(app).await;
    let u1 = id_of(app, "select id from unit where code = 'u1'").await;
    let u2 = id_of(app, "select id from unit where code = 'u2'").await;
    let alpha = xiaoneng::db::offices::find_office_by_code(&app.pool, "alpha")
        .await
        .unwrap()
        .unwrap();
    app.create_user(&alpha, "liaison_u2", "liaison", Some(u2))
        .await;
    (u1, u2)
}

/// Staff log a complaint with `form` and assign it to `unit`; its id.
async fn complaint_assigned(
    app: &TestApp,
    staff: &mut Client,
    form: &[(&'static str, String)],
    unit: Uuid,
) -> Uuid {
    let id = log(app, staff, form).await;
    let unit = unit.to_string();
    let done = act(staff, id, &[("do", "assign"), ("unit_id", &unit)]).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    id
}

#[tokio::test]
async fn cmp_08_the_slip_shows_number_unit_and_matter_and_the_contact_only_when_allowed() {
    let app = spawn_app().await;
    let (u1, _) = office_with_two_liaisons(&app).await;
    let mut staff = app.logged_in("alpha", "office_staff").await;
    // not yet assigned: no slip
    let waiting = log(&app, &mut staff, &by_phone(u1, "窗口推诿扯皮")).await;
    let none = staff
        .get(&format!("/alpha/complaints/{waiting}/slip"))
        .await;
    assert_eq!(none.status, StatusCode::NOT_FOUND);
    let u1s = u1.to_string();
    let done = act(&mut staff, waiting, &[("do", "assign"), ("unit_id", &u1s)]).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let page = staff.get(&format!("/alpha/complaints/{waiting}")).await;
    page.assert_contains(&format!("/alpha/complaints/{waiting}/slip"));
    let slip = staff
        .get(&format!("/alpha/complaints/{waiting}/slip"))
        .await;
    assert_eq!(slip.status, StatusCode::OK);
    for words in [
        "效能投诉转办单",
        "效投〔2026〕0001号",
        "第一单位",
        "窗口推诿扯皮",
        "承诺5个工作日办结",
        "投诉人不同意向被投诉单位公开联系方式",
        "《市直单位效能投诉处理暂行办法》第十条",
        "10个工作日内办结",
    ] {
        slip.assert_contains(words);
    }
    // the slip goes to the unit: even the office's copy leaves out what the unit may not have
    assert!(!slip.body.contains("13800000000"));
    assert!(!slip.body.contains("CMP-"));
    let views = "select count(*) from audit_event where action = 'complaint.contact_view'";
    let before = app.scalar_i64(views).await;
    // allowed: name and phone are on it, and the view is logged
    let mut open = by_phone(u1, "办事大厅无人值守");
    open.push(("contact_allowed", "on".into()));
    let id = complaint_assigned(&app, &mut staff, &open, u1).await;
    let mut liaison = app.logged_in("alpha", "liaison").await;
    let slip = liaison.get(&format!("/alpha/complaints/{id}/slip")).await;
    assert_eq!(slip.status, StatusCode::OK);
    slip.assert_contains("张三");
    slip.assert_contains("13800000000");
    assert!(!slip.body.contains("不同意"));
    assert_eq!(app.scalar_i64(views).await, before + 1);
    // leaders read it; a liaison of another unit does not find it
    let mut leader = app.logged_in("alpha", "leader").await;
    let read = leader.get(&format!("/alpha/complaints/{id}/slip")).await;
    assert_eq!(read.status, StatusCode::OK);
    let mut other = app.logged_in("alpha", "liaison_u2").await;
    for path in ["slip", "slip.pdf"] {
        let (status, _, _) = other
            .get_bytes(&format!("/alpha/complaints/{id}/{path}"))
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
    }
}

#[tokio::test]
async fn cmp_08_the_slip_as_pdf_is_an_a4_page_with_the_number_and_the_unit() {
    let app = spawn_app().await;
    let (u1, _) = office_with_two_liaisons(&app).await;
    let mut staff = app.logged_in("alpha", "office_staff").await;
    let form = by_phone(u1, "不动产登记超时");
    let id = complaint_assigned(&app, &mut staff, &form, u1).await;
    let mut liaison = app.logged_in("alpha", "liaison").await;
    let (status, headers, pdf) = liaison
        .get_bytes(&format!("/alpha/complaints/{id}/slip.pdf"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-type"], "application/pdf");
    crate::notices::keep_pdf("complaint-slip.pdf", &pdf);
    let (width, height) = crate::notices::pdf_page_size(&pdf);
    assert!(
        (width - 595.3).abs() < 1.0 && (height - 841.9).abs() < 1.0,
        "A4: {width} × {height}"
    );
    let (text, _) = crate::notices::pdf_text_and_fonts(&pdf);
    let flat: String = text.split_whitespace().collect();
    for words in [
        "效能投诉转办单",
        "效投〔2026〕0001号",
        "第一单位",
        "不动产登记超时",
        "办理要求",
    ] {
        assert!(flat.contains(words), "{words} is not in the PDF:\n{text}");
    }
}

/// The notifications of `username` of this kind.
async fn notified(app: &TestApp, username: &str, kind: &str) -> i64 {
    sqlx::query_scalar(
        "select count(*) from notification n join app_user u on u.id = n.user_id
          where u.username = $1 and n.kind = $2",
    )
    .bind(username)
    .bind(kind)
    .fetch_one(&app.pool)
    .await
    .unwrap()
}

#[tokio::test]
async fn cmp_08_assign_transfer_and_every_urge_notify_the_liaisons_of_the_unit_concerned() {
    let app = spawn_app().await;
    let (u1, u2) = office_with_two_liaisons(&app).await;
    let mut staff = app.logged_in("alpha", "office_staff").await;
    let id = complaint_assigned(&app, &mut staff, &by_phone(u1, "窗口推诿"), u1).await;
    assert_eq!(notified(&app, "liaison", "complaint_assigned").await, 1);
    let mut liaison = app.logged_in("alpha", "liaison").await;
    let inbox = liaison.get("/alpha/inbox").await;
    inbox.assert_contains("收到交办的效能投诉 效投〔2026〕0001号，请及时签收");
    let link: String =
        sqlx::query_scalar("select link from notification where kind = 'complaint_assigned'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(link, format!("/complaints/{id}"), "it opens the complaint");
    // two urges the same day: each is listed and each notifies the unit
    for message in ["请加快办理", "再次催办，请本周内答复"] {
        let urged = act(&mut staff, id, &[("do", "urge"), ("note", message)]).await;
        assert_eq!(urged.status, StatusCode::SEE_OTHER, "{}", urged.body);
    }
    assert_eq!(notified(&app, "liaison", "complaint_urged").await, 2);
    let page = staff.get(&format!("/alpha/complaints/{id}")).await;
    page.assert_contains("请加快办理");
    page.assert_contains("再次催办，请本周内答复");
    liaison
        .get("/alpha/inbox")
        .await
        .assert_contains("效能办催办效能投诉 效投〔2026〕0001号");
    // a transfer tells the new unit, not the one it leaves
    let u2s = u2.to_string();
    let moved = act(
        &mut staff,
        id,
        &[
            ("do", "transfer"),
            ("unit_id", &u2s),
            ("note", "属第二单位职责"),
        ],
    )
    .await;
    assert_eq!(moved.status, StatusCode::SEE_OTHER, "{}", moved.body);
    assert_eq!(
        notified(&app, "liaison_u2", "complaint_transferred").await,
        1
    );
    assert_eq!(notified(&app, "liaison", "complaint_transferred").await, 0);
    let urged = act(
        &mut staff,
        id,
        &[("do", "urge"), ("note", "请第二单位抓紧")],
    )
    .await;
    assert_eq!(urged.status, StatusCode::SEE_OTHER);
    assert_eq!(notified(&app, "liaison_u2", "complaint_urged").await, 1);
    assert_eq!(notified(&app, "liaison", "complaint_urged").await, 2);
    // a suggestion passed on for reference is news too; the office hears of none of it
    let mut anonymous = by_phone(u1, "建议延长午间办公时间");
    for field in anonymous.iter_mut().filter(|f| f.0 == "relation") {
        field.1 = "anonymous".into();
    }
    let suggestion = log(&app, &mut staff, &anonymous).await;
    let u1s = u1.to_string();
    let forwarded = act(
        &mut staff,
        suggestion,
        &[("do", "forward"), ("unit_id", &u1s)],
    )
    .await;
    assert_eq!(
        forwarded.status,
        StatusCode::SEE_OTHER,
        "{}",
        forwarded.body
    );
    assert_eq!(notified(&app, "liaison", "suggestion_forwarded").await, 1);
    let to_office = app
        .scalar_i64(
            "select count(*) from notification n join app_user u on u.id = n.user_id
              where u.role <> 'liaison'",
        )
        .await;
    assert_eq!(to_office, 0);
}

/// The complaint's status and when it was signed for.
async fn receipt(app: &TestApp, id: Uuid) -> (String, Option<chrono::DateTime<chrono::Utc>>) {
    sqlx::query_as("select status, signed_at from complaint where id = $1")
        .bind(id)
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

fn day(s: &str) -> chrono::NaiveDate {
    s.parse().unwrap()
}

#[tokio::test]
async fn cmp_08_unsigned_after_its_working_day_the_job_records_the_receipt_once_across_a_weekend() {
    // assigned on Friday 4 December 2026: working day 1 is Monday 7 (the weekend does not
    // count), so the receipt is due by its end and recorded by the round of Tuesday 8
    let app = spawn_app().await;
    app.clock.set(at("2026-12-04 10:00"));
    let (u1, u2) = office_with_two_liaisons(&app).await;
    let mut staff = app.logged_in("alpha", "office_staff").await;
    let form = by_phone(u1, "窗口推诿");
    let friday = complaint_assigned(&app, &mut staff, &form, u1).await;
    // another, assigned the same Friday, is transferred on Monday: its day counts from then
    let moved = complaint_assigned(&app, &mut staff, &form, u1).await;
    for (now, today) in [
        ("2026-12-05 09:00", "2026-12-05"),
        ("2026-12-07 10:00", "2026-12-07"),
    ] {
        app.clock.set(at(now));
        let round = app.run_jobs(day(today)).await;
        assert_eq!(round.receipts, 0, "{today}: not before the day has passed");
    }
    assert_eq!(receipt(&app, friday).await, ("assigned".into(), None));
    let mut staff = app.logged_in("alpha", "office_staff").await;
    let u2s = u2.to_string();
    let done = act(
        &mut staff,
        moved,
        &[
            ("do", "transfer"),
            ("unit_id", &u2s),
            ("note", "属第二单位职责"),
        ],
    )
    .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    app.clock.set(at("2026-12-08 08:00"));
    let round = app.run_jobs(day("2026-12-08")).await;
    assert_eq!(round.receipts, 1);
    let monday_end = at("2026-12-07 23:59") + chrono::Duration::seconds(59);
    assert_eq!(
        receipt(&app, friday).await,
        ("signed".into(), Some(monday_end))
    );
    assert_eq!(receipt(&app, moved).await.0, "assigned");
    // a second round finds it signed: one receipt, one step, one audit entry
    assert_eq!(app.run_jobs(day("2026-12-08")).await.receipts, 0);
    let steps =
        "select count(*) from complaint_event where action = 'complaint.sign' and actor_id is null";
    assert_eq!(app.scalar_i64(steps).await, 1);
    let audited = "select count(*) from audit_event where action = 'complaint.sign' and actor_user_id is null";
    assert_eq!(app.scalar_i64(audited).await, 1);
    assert_eq!(
        notified(&app, "liaison", "complaint_signed_automatically").await,
        1
    );
    // the timeline says it was recorded by the system, and the unit may still return it
    let mut liaison = app.logged_in("alpha", "liaison").await;
    let page = liaison.get(&format!("/alpha/complaints/{friday}")).await;
    page.assert_contains("系统自动记录签收");
    // the transferred one is due by the end of Tuesday, its first working day at u2
    app.clock.set(at("2026-12-09 08:00"));
    assert_eq!(app.run_jobs(day("2026-12-09")).await.receipts, 1);
    let tuesday_end = at("2026-12-08 23:59") + chrono::Duration::seconds(59);
    assert_eq!(
        receipt(&app, moved).await,
        ("signed".into(), Some(tuesday_end))
    );
}
