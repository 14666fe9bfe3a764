//! The inbox: what awaits each user, counted in the navigation; the notifications handlers and
//! the scheduled job write (one working day before a due date, once overdue); mail over SMTP.

use axum::http::StatusCode;
use chrono::{Duration, NaiveDate};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use uuid::Uuid;

use crate::common::spawn_app;
use crate::notices::{confirmed_finding, issue};
use crate::tasks::id_of;

/// The count beside 待办 in the navigation, if shown.
fn nav_count(body: &str) -> Option<i64> {
    let nav = &body[body.find("class=\"mainnav\"")?..];
    let entry = &nav[nav.find("/inbox\"")?..];
    let entry = &entry[..entry.find("</a>")?];
    let badge = &entry[entry.find("badge-count")?..];
    let start = badge.find('>')? + 1;
    let end = badge.find("</span>")?;
    badge[start..end].trim().parse().ok()
}

#[tokio::test]
async fn ins_11_each_user_sees_what_awaits_them_with_the_count_in_the_navigation() {
    let app = spawn_app().await;
    let (task, finding, mut staff) = confirmed_finding(&app).await;
    let mut liaison = app.logged_in("alpha", "liaison").await;
    assert_eq!(nav_count(&liaison.get("/alpha").await.body), None);
    let notice = issue(&mut staff, &app, task, finding).await;

    // the unit: one notice to rectify (its news, unread, is not counted again)
    let home = liaison.get("/alpha").await;
    assert_eq!(nav_count(&home.body), Some(1), "{}", home.body);
    let inbox = liaison.get("/alpha/inbox").await;
    inbox.assert_contains("待整改并报送的通知书");
    inbox.assert_contains("收到整改通知书 效整〔2026〕1号");
    inbox.assert_contains("未读");
    let notification = id_of(
        &app,
        "select id from notification where kind = 'notice_issued'",
    )
    .await;
    // nobody else opens it
    let mut other_staff = app.logged_in("alpha", "office_staff").await;
    assert_eq!(
        other_staff
            .post(&format!("/alpha/inbox/{notification}/open"), &[])
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let opened = liaison
        .post(&format!("/alpha/inbox/{notification}/open"), &[])
        .await;
    assert_eq!(opened.status, StatusCode::SEE_OTHER);
    assert_eq!(opened.location(), format!("/alpha/notices/{notice}"));
    assert_eq!(nav_count(&liaison.get("/alpha").await.body), Some(1));

    // the unit appeals: the office has an appeal to decide
    let appealed = liaison
        .post_files(
            &format!("/alpha/notices/{notice}/appeal"),
            &[("reasons", "有异议")],
            &[],
        )
        .await;
    assert_eq!(appealed.status, StatusCode::SEE_OTHER);
    let inbox = staff.get("/alpha/inbox").await;
    inbox.assert_contains("待处理的异议");
    assert_eq!(nav_count(&inbox.body), Some(1));
    staff
        .post(
            &format!("/alpha/notices/{notice}/appeal/decision"),
            &[("decision", "rejected"), ("reason", "证据不足")],
        )
        .await;
    assert_eq!(nav_count(&staff.get("/alpha").await.body), None);
    // the unit hears the decision
    liaison
        .get("/alpha/inbox")
        .await
        .assert_contains("整改通知书 效整〔2026〕1号 的异议已处理：异议不成立，须按通知整改");
    let read = liaison.post("/alpha/inbox/read", &[]).await;
    assert_eq!(read.status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.scalar_i64("select count(*) from notification where read_at is null")
            .await,
        0
    );
    // a leader has nothing awaiting and changes nothing here but their own inbox
    let mut leader = app.logged_in("alpha", "leader").await;
    leader
        .get("/alpha/inbox")
        .await
        .assert_contains("目前没有待处理的事项");
}

#[tokio::test]
async fn reminders_come_one_working_day_before_the_deadline_and_once_when_it_has_passed() {
    let app = spawn_app().await;
    let (task, finding, mut staff) = confirmed_finding(&app).await;
    let notice = issue(&mut staff, &app, task, finding).await;
    let due: NaiveDate = sqlx::query_scalar(
        "select (due_at at time zone 'Asia/Shanghai')::date from rectification_notice",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    // CAL-2: the working day before the due date, on the shipped calendar
    let calendar = xiaoneng::calendar::Calendar::new(xiaoneng::calendar::shipped());
    let mut before = due - Duration::days(1);
    while !calendar.is_working_day(before).unwrap() {
        before -= Duration::days(1);
    }
    let mut day_before_that = before - Duration::days(1);
    while !calendar.is_working_day(day_before_that).unwrap() {
        day_before_that -= Duration::days(1);
    }
    let reminders = |app: &crate::common::TestApp| {
        let pool = app.pool.clone();
        async move {
            sqlx::query_as::<_, (String, String)>(
                "select n.kind, u.username from notification n join app_user u on u.id = n.user_id
                  where n.kind <> 'notice_issued' order by 1, 2",
            )
            .fetch_all(&pool)
            .await
            .unwrap()
        }
    };
    app.run_jobs(day_before_that).await;
    assert!(reminders(&app).await.is_empty(), "too early");
    let round = app.run_jobs(before).await;
    assert_eq!(round.reminders, 1);
    assert_eq!(
        reminders(&app).await,
        vec![("notice_due_tomorrow".into(), "liaison".into())]
    );
    // the next round of the same day, or the weekend after, reminds nobody again
    assert_eq!(app.run_jobs(before).await.reminders, 0);
    assert_eq!(app.run_jobs(due - Duration::days(1)).await.reminders, 0);
    let mut liaison = app.logged_in("alpha", "liaison").await;
    liaison.get("/alpha/inbox").await.assert_contains(&format!(
        "整改通知书 效整〔2026〕1号 的整改期限为下一个工作日（{due}）"
    ));
    // on the due date itself nothing new; the day after, the unit and the office hear, once
    assert_eq!(app.run_jobs(due).await.reminders, 0);
    let after = due + Duration::days(1);
    assert_eq!(app.run_jobs(after).await.reminders, 3);
    assert_eq!(app.run_jobs(after + Duration::days(1)).await.reminders, 0);
    assert_eq!(
        reminders(&app).await,
        vec![
            ("notice_due_tomorrow".into(), "liaison".into()),
            ("notice_overdue".into(), "liaison".into()),
            ("notice_overdue".into(), "office_admin".into()),
            ("notice_overdue".into(), "office_staff".into()),
        ]
    );
    staff.get("/alpha/inbox").await.assert_contains(&format!(
        "整改通知书 效整〔2026〕1号 已超过整改期限（{due}）"
    ));
    let _ = notice;
}

/// A one-connection SMTP server that keeps what it is told.
async fn smtp_server() -> (String, tokio::task::JoinHandle<String>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("smtp://{}", listener.local_addr().unwrap());
    let server = tokio::spawn(async move {
        let (stream, _) = listener.accept().await.unwrap();
        let (read, mut write) = stream.into_split();
        let mut lines = BufReader::new(read).lines();
        let mut transcript = String::new();
        write.write_all(b"220 test ESMTP\r\n").await.unwrap();
        let mut in_data = false;
        while let Ok(Some(line)) = lines.next_line().await {
            transcript.push_str(&line);
            transcript.push('\n');
            let reply: &[u8] = if in_data {
                if line != "." {
                    continue;
                }
                in_data = false;
                b"250 queued\r\n"
            } else {
                match line
                    .get(..4)
                    .unwrap_or_default()
                    .to_ascii_uppercase()
                    .as_str()
                {
                    "EHLO" => b"250-test\r\n250 8BITMIME\r\n",
                    "DATA" => {
                        in_data = true;
                        b"354 go ahead\r\n"
                    }
                    "QUIT" => {
                        write.write_all(b"221 bye\r\n").await.ok();
                        break;
                    }
                    _ => b"250 ok\r\n",
                }
            };
            write.write_all(reply).await.unwrap();
        }
        transcript
    });
    (url, server)
}

#[tokio::test]
async fn notifications_are_mailed_once_when_smtp_is_configured_and_the_user_gave_an_address() {
    let app = spawn_app().await;
    let (task, finding, mut staff) = confirmed_finding(&app).await;
    let mut liaison = app.logged_in("alpha", "liaison").await;
    let bad = liaison
        .post("/alpha/inbox/email", &[("email", "not an address")])
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    bad.assert_contains("邮箱格式不正确");
    bad.assert_contains("value=\"not an address\"");
    let saved = liaison
        .post("/alpha/inbox/email", &[("email", "liaison@unit.example")])
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    let notice = issue(&mut staff, &app, task, finding).await;
    let today = chrono::Utc::now().date_naive();
    // no SMTP configured: nothing is mailed, nothing is lost
    assert_eq!(app.run_jobs(today).await.mailed, 0);
    let (url, server) = smtp_server().await;
    let round = app.run_jobs_mailing(today, Some(&url)).await;
    assert_eq!(round.mailed, 1);
    let transcript = tokio::time::timeout(std::time::Duration::from_secs(10), server)
        .await
        .unwrap()
        .unwrap();
    assert!(
        transcript.contains("RCPT TO:<liaison@unit.example>"),
        "{transcript}"
    );
    assert!(transcript.contains("Subject: "), "{transcript}");
    assert_eq!(
        app.scalar_i64("select count(*) from notification where mailed_at is not null")
            .await,
        1
    );
    // mailed once: the next round finds nothing to send (and would fail if it tried: no server)
    assert_eq!(
        app.run_jobs_mailing(today, Some("smtp://127.0.0.1:9"))
            .await
            .mailed,
        0
    );
    let _: Uuid = notice;
}

#[tokio::test]
async fn ins_13_an_interviews_follow_up_reminds_office_and_unit_the_working_day_before_and_once_overdue()
 {
    let app = spawn_app().await;
    app.office_with_users("alpha").await;
    let u1 = id_of(&app, "select id from unit where code = 'u1'")
        .await
        .to_string();
    let mut staff = app.logged_in("alpha", "office_staff").await;
    let created = staff
        .post(
            "/alpha/interviews",
            &[
                ("unit_id", u1.as_str()),
                ("scheduled_at", "2026-11-20T09:30"),
                ("place", "效能办三楼会议室"),
                ("office_name", "李主任"),
                ("office_post", "效能办主任"),
                ("unit_name", "王局长"),
                ("unit_post", "局长"),
                ("problems", "整改不力"),
            ],
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let interview = id_of(&app, "select id from interview").await;
    // due on Friday 2026-11-27, a day before this test's real date: overdue now
    let held = staff
        .post(
            &format!("/alpha/interviews/{interview}/minutes"),
            &[
                ("minutes", "表态立即整改"),
                ("action_content", "全面排查提示牌"),
                ("action_responsible", "办公室"),
                ("action_due", "2026-11-27"),
            ],
        )
        .await;
    assert_eq!(held.status, StatusCode::SEE_OTHER, "{}", held.body);
    let inbox = staff.get("/alpha/inbox").await;
    inbox.assert_contains("逾期未完成的约谈后续事项");
    assert_eq!(nav_count(&inbox.body), Some(1));
    // an overdue deadline is news for a week, not for ever: a round long after writes nothing
    assert_eq!(
        app.run_jobs(NaiveDate::from_ymd_opt(2026, 12, 31).unwrap())
            .await
            .reminders,
        0
    );

    let reminders = |kind: &'static str| {
        let pool = app.pool.clone();
        async move {
            sqlx::query_scalar::<_, String>(
                "select u.username from notification n join app_user u on u.id = n.user_id
                  where n.kind = $1 order by 1",
            )
            .bind(kind)
            .fetch_all(&pool)
            .await
            .unwrap()
        }
    };
    let everyone = vec![
        "liaison".to_string(),
        "office_admin".to_string(),
        "office_staff".to_string(),
    ];
    // CAL-2: Wednesday the 25th is two working days before; Thursday the 26th is the one before
    app.run_jobs(NaiveDate::from_ymd_opt(2026, 11, 25).unwrap())
        .await;
    assert!(reminders("followup_due_tomorrow").await.is_empty());
    app.run_jobs(NaiveDate::from_ymd_opt(2026, 11, 26).unwrap())
        .await;
    assert_eq!(reminders("followup_due_tomorrow").await, everyone);
    assert!(reminders("followup_overdue").await.is_empty());
    // the due day itself is still in time; the next day it is overdue, once
    app.run_jobs(NaiveDate::from_ymd_opt(2026, 11, 27).unwrap())
        .await;
    assert!(reminders("followup_overdue").await.is_empty());
    app.run_jobs(NaiveDate::from_ymd_opt(2026, 11, 28).unwrap())
        .await;
    app.run_jobs(NaiveDate::from_ymd_opt(2026, 11, 30).unwrap())
        .await;
    assert_eq!(reminders("followup_overdue").await, everyone);
    staff
        .get("/alpha/inbox")
        .await
        .assert_contains("约谈后续事项“全面排查提示牌”已超过期限（2026-11-27）");
    // done: nothing awaits any more, and no reminder follows
    let action = id_of(&app, "select id from interview_action").await;
    staff
        .post(
            &format!("/alpha/interviews/{interview}/actions/{action}/done"),
            &[],
        )
        .await;
    assert!(
        !staff
            .get("/alpha/inbox")
            .await
            .body
            .contains("逾期未完成的约谈后续事项")
    );
}
