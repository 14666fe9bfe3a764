//! Bulletins (INS-13): a draft from the period's confirmed findings, edited, published once to
//! every unit, read by liaisons with receipts the office sees.

use axum::http::StatusCode;
use uuid::Uuid;

use crate::common::{Client, TestApp, spawn_app};
use crate::findings::{item, sign_and_submit, task_with_draft};
use crate::tasks::id_of;

/// Fills a finding of the task (the given draft, or a new one) with an item, facts and the time
/// it was observed; returns its id.
async fn file(
    app: &TestApp,
    supervisor: &mut Client,
    task: Uuid,
    draft: Option<Uuid>,
    code: &str,
    description: &str,
    observed_at: &str,
) -> Uuid {
    let finding = match draft {
        Some(finding) => finding,
        None => {
            let created = supervisor
                .post(&format!("/alpha/tasks/{task}/findings"), &[])
                .await;
            assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
            let location = created.location();
            location[location.len() - 36..].parse().unwrap()
        }
    };
    let saved = supervisor
        .post(
            &format!("/alpha/findings/{finding}"),
            &[
                ("item_id", &item(app, code).await.to_string()),
                ("description", description),
                ("observed_at", observed_at),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    finding
}

async fn decide(staff: &mut Client, finding: Uuid, decision: &str) {
    let decided = staff
        .post(
            &format!("/alpha/findings/{finding}/decision"),
            &[("decision", decision), ("reason", "复核后不予认定")],
        )
        .await;
    assert_eq!(decided.status, StatusCode::SEE_OTHER, "{}", decided.body);
}

/// November 2026 at u1: D06 once and D10 twice confirmed, one D07 dismissed; at u2: D15 confirmed,
/// D14 left unconfirmed (the group submitted, the office has not decided), and a D11 confirmed
/// but observed in October.
async fn november_findings(app: &TestApp) -> Client {
    let (task, draft, mut supervisor) = task_with_draft(app).await;
    let day = "2026-11-10T09:30";
    file(
        app,
        &mut supervisor,
        task,
        Some(draft),
        "D06",
        "门厅未设置效能提示牌",
        day,
    )
    .await;
    let mut confirm = vec![draft];
    for fact in ["窗口人员离岗未挂牌", "工作时间玩手机游戏"] {
        confirm.push(file(app, &mut supervisor, task, None, "D10", fact, day).await);
    }
    let dismissed = file(
        app,
        &mut supervisor,
        task,
        None,
        "D07",
        "未公示投诉电话",
        day,
    )
    .await;
    sign_and_submit(&mut supervisor, task).await;

    let u2 = id_of(app, "select id from unit where code = 'u2'").await;
    let group = id_of(app, "select id from supervisor_group where name = '甲组'").await;
    let mut staff = app.logged_in("alpha", "office_staff").await;
    let created = staff
        .post(
            "/alpha/years/2026/tasks",
            &[
                ("unit_id", &u2.to_string()),
                ("group_id", &group.to_string()),
                ("kind", "open"),
                ("focus", "service"),
                ("scheduled_on", "2026-12-04"),
            ],
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let task2 = id_of(
        app,
        &format!("select id from inspection_task where unit_id = '{u2}'"),
    )
    .await;
    confirm.push(
        file(
            app,
            &mut supervisor,
            task2,
            None,
            "D15",
            "对办事群众态度生硬",
            day,
        )
        .await,
    );
    file(
        app,
        &mut supervisor,
        task2,
        None,
        "D14",
        "推诿扯皮未决",
        day,
    )
    .await;
    let october = file(
        app,
        &mut supervisor,
        task2,
        None,
        "D11",
        "十月会议过多",
        "2026-10-20T10:00",
    )
    .await;
    confirm.push(october);
    sign_and_submit(&mut supervisor, task2).await;
    for finding in confirm {
        decide(&mut staff, finding, "confirm").await;
    }
    decide(&mut staff, dismissed, "dismiss").await;
    staff
}

/// Drafts a bulletin for the period as office staff; returns its id.
pub async fn draft(app: &TestApp, staff: &mut Client, from: &str, to: &str) -> Uuid {
    let created = staff
        .post(
            "/alpha/bulletins",
            &[("period_from", from), ("period_to", to)],
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let id = id_of(
        app,
        "select id from bulletin order by created_at desc limit 1",
    )
    .await;
    assert!(
        created
            .location()
            .ends_with(&format!("/bulletins/{id}/edit"))
    );
    id
}

/// Publishes the bulletin at `page` as office staff.
pub async fn publish(staff: &mut Client, page: &str) {
    let published = staff.post(&format!("{page}/publish"), &[]).await;
    assert_eq!(
        published.status,
        StatusCode::SEE_OTHER,
        "{}",
        published.body
    );
}

#[tokio::test]
async fn ins_13_a_bulletin_draft_groups_the_periods_confirmed_findings_by_unit_and_item_and_leaves_out_the_rest()
 {
    let app = spawn_app().await;
    let mut staff = november_findings(&app).await;
    let bad = staff
        .post(
            "/alpha/bulletins",
            &[("period_from", "2026-11-30"), ("period_to", "2026-11-01")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    bad.assert_contains("起始不晚于截止");
    bad.assert_contains("value=\"2026-11-30\"");
    let bulletin = draft(&app, &mut staff, "2026-11-01", "2026-11-30").await;
    let page = staff
        .get(&format!("/alpha/bulletins/{bulletin}/edit"))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_contains("关于2026年11月1日至2026年11月30日效能督查情况的通报");
    page.assert_contains("共确认问题4个，涉及2个单位");
    page.assert_contains("一、第一单位（3个问题，扣3分）");
    page.assert_contains("（一）D06 ");
    page.assert_contains("：2个问题，扣2分。窗口人员离岗未挂牌；工作时间玩手机游戏");
    page.assert_contains("二、第二单位（1个问题，扣1分）");
    page.assert_contains("（一）D15 ");
    for left_out in ["未公示投诉电话", "推诿扯皮未决", "十月会议过多"] {
        assert!(
            !page.body.contains(left_out),
            "{left_out} is not circulated"
        );
    }
    // the order of the body: the first unit before the second, D06 before D10
    let at = |text: &str| page.body.find(text).unwrap_or(usize::MAX);
    assert!(at("（一）D06") < at("（二）D10") && at("（二）D10") < at("二、第二单位"));
}

#[tokio::test]
async fn ins_13_a_draft_is_edited_then_published_once_to_every_liaison_who_each_leave_one_receipt()
{
    let app = spawn_app().await;
    let office = app.office_with_users("alpha").await;
    let u2 = app.create_unit(&office, "u2", "第二单位").await;
    app.create_unit(&office, "u3", "第三单位").await;
    app.create_user(&office, "liaison_u2", "liaison", Some(u2))
        .await;
    let mut staff = app.logged_in("alpha", "office_staff").await;
    let bulletin = draft(&app, &mut staff, "2026-10-01", "2026-10-31").await;
    let page = format!("/alpha/bulletins/{bulletin}");
    staff
        .get(&format!("{page}/edit"))
        .await
        .assert_contains("本期督查未确认需要通报的问题。");

    // bad input keeps what was typed
    let empty_title = staff
        .post(
            &page,
            &[
                ("title", " "),
                ("lead", "导语"),
                ("body", "一、改写后的正文"),
                ("closing", "结束"),
            ],
        )
        .await;
    assert_eq!(empty_title.status, StatusCode::UNPROCESSABLE_ENTITY);
    empty_title.assert_contains("请填写标题");
    empty_title.assert_contains("一、改写后的正文");
    let saved = staff
        .post(
            &page,
            &[
                ("title", "关于十月份效能督查情况的通报"),
                ("lead", "现将十月份督查情况通报如下："),
                ("body", "一、各单位总体情况良好。"),
                ("closing", "请各单位继续保持。"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);

    // a draft is the office's only
    let mut leader = app.logged_in("alpha", "leader").await;
    let mut liaison = app.logged_in("alpha", "liaison").await;
    for client in [&mut leader, &mut liaison] {
        assert!(
            !client
                .get("/alpha/bulletins")
                .await
                .body
                .contains("关于十月份效能督查情况的通报")
        );
        assert_eq!(client.get(&page).await.status, StatusCode::NOT_FOUND);
        assert_eq!(
            client.post(&format!("{page}/publish"), &[]).await.status,
            StatusCode::NOT_FOUND
        );
    }

    publish(&mut staff, &page).await;
    assert_eq!(
        app.scalar_i64("select count(*) from bulletin_unit").await,
        3,
        "sent to every unit of the office"
    );

    // every liaison sees it; opening it records one receipt, however often
    let list = liaison.get("/alpha/bulletins").await;
    list.assert_contains("关于十月份效能督查情况的通报");
    list.assert_contains("未阅");
    for _ in 0..2 {
        let read = liaison.get(&page).await;
        assert_eq!(read.status, StatusCode::OK);
        read.assert_contains("一、各单位总体情况良好。");
        read.assert_contains("效能督查通报");
    }
    assert_eq!(
        app.scalar_i64("select count(*) from bulletin_read").await,
        1
    );
    liaison
        .get("/alpha/bulletins")
        .await
        .assert_contains("已阅");
    let mut other = app.logged_in("alpha", "liaison_u2").await;
    assert_eq!(other.get(&page).await.status, StatusCode::OK);
    assert_eq!(
        app.scalar_i64("select count(*) from bulletin_read").await,
        2
    );
    assert_eq!(
        app.scalar_i64(
            "select count(*) from audit_event where action = 'bulletin.read' and subject_id is not null"
        )
        .await,
        2
    );

    // the office sees per unit who has read it and who has not
    let u3 = id_of(&app, "select id from unit where code = 'u3'").await;
    app.create_user(&office, "liaison_u3", "liaison", Some(u3))
        .await;
    let receipts = staff.get(&page).await;
    receipts.assert_contains("阅读情况");
    receipts.assert_contains("已阅单位 2/3");
    receipts.assert_contains("liaison 姓名 · ");
    receipts.assert_contains("liaison_u2 姓名 · ");
    receipts.assert_contains("<span class=\"badge badge-warn\">未阅</span> liaison_u3 姓名");
    receipts.assert_contains("联络员阅读通报");
    // leaders read it and the receipts, and change nothing
    let read = leader.get(&page).await;
    assert_eq!(read.status, StatusCode::OK);
    read.assert_contains("已阅单位 2/3");
    assert!(!read.body.contains("/publish\""));
    assert_eq!(
        app.scalar_i64("select count(*) from bulletin_read").await,
        2,
        "a leader's reading is no liaison's receipt"
    );

    // INS-13: published is read-only, in the handler and in the database
    let again = staff.post(&format!("{page}/publish"), &[]).await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    again.assert_contains("通报已发布，不能再修改");
    let edit = staff
        .post(&page, &[("title", "改标题"), ("body", "改正文")])
        .await;
    assert_eq!(edit.status, StatusCode::UNPROCESSABLE_ENTITY);
    edit.assert_contains("通报已发布，不能再修改");
    edit.assert_contains("改正文");
    let refused = sqlx::query("update bulletin set title = '改标题'")
        .execute(&app.pool)
        .await
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(refused.contains("published and read-only"), "{refused}");
    assert_eq!(
        app.scalar_i64(
            "select count(*) from bulletin where title = '关于十月份效能督查情况的通报' and status = 'published'"
        )
        .await,
        1
    );
}

#[tokio::test]
async fn ins_13_another_office_sees_nothing_of_an_offices_bulletins() {
    let app = spawn_app().await;
    app.office_with_users("alpha").await;
    app.office_with_users("beta").await;
    let mut staff = app.logged_in("alpha", "office_staff").await;
    let bulletin = draft(&app, &mut staff, "2026-10-01", "2026-10-31").await;
    staff
        .post(&format!("/alpha/bulletins/{bulletin}/publish"), &[])
        .await;
    for user in ["office_staff", "leader", "liaison"] {
        let mut beta = app.logged_in("beta", user).await;
        assert!(
            !beta
                .get("/beta/bulletins")
                .await
                .body
                .contains("效能督查情况的通报"),
            "{user}"
        );
        assert_eq!(
            beta.get(&format!("/beta/bulletins/{bulletin}"))
                .await
                .status,
            StatusCode::NOT_FOUND,
            "{user}"
        );
    }
    assert_eq!(
        app.scalar_i64("select count(*) from bulletin_read").await,
        0
    );
}

#[tokio::test]
async fn ins_13_the_published_bulletin_prints_to_pdf_and_a_liaisons_download_counts_as_reading_it()
{
    let app = spawn_app().await;
    let mut staff = november_findings(&app).await;
    let bulletin = draft(&app, &mut staff, "2026-11-01", "2026-11-30").await;
    let page = format!("/alpha/bulletins/{bulletin}");
    // a draft is the office's alone, in PDF too
    let mut liaison = app.logged_in("alpha", "liaison").await;
    let (status, _, _) = liaison.get_bytes(&format!("{page}/pdf")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let published = staff.post(&format!("{page}/publish"), &[]).await;
    assert_eq!(published.status, StatusCode::SEE_OTHER);
    staff
        .get(&page)
        .await
        .assert_contains(&format!("{page}/pdf"));
    // the unit's inbox shows it unread until it is opened
    liaison
        .get("/alpha/inbox")
        .await
        .assert_contains("未读的通报");
    let (status, headers, pdf) = liaison.get_bytes(&format!("{page}/pdf")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-type"], "application/pdf");
    crate::notices::keep_pdf("bulletin-server.pdf", &pdf);
    let (text, fonts) = crate::notices::pdf_text_and_fonts(&pdf);
    let flat: String = text.split_whitespace().collect();
    for words in [
        "关于2026年11月1日至2026年11月30日效能督查情况的通报",
        "各考评单位",
        "一、第一单位（3个问题，扣3分）",
        "二、第二单位（1个问题，扣1分）",
        "门厅未设置效能提示牌",
    ] {
        assert!(flat.contains(words), "{words} is not in the PDF:\n{text}");
    }
    assert!(fonts.contains("NotoSerifCJK"), "{fonts}");
    assert_eq!(
        app.scalar_i64("select count(*) from bulletin_read").await,
        1,
        "the liaison's download is its reading"
    );
    assert!(
        !liaison
            .get("/alpha/inbox")
            .await
            .body
            .contains("未读的通报")
    );
}
