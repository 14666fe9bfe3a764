//! Quarterly self-reports and the automatic deduction for a missed one (INS-04).

use std::process::Command;

use axum::http::StatusCode;
use chrono::NaiveDate;

use crate::common::{TestApp, spawn_app};

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// An office with `year` open and units u1 (the liaison's) and u2 on its list.
pub async fn office_with_year(app: &TestApp, year: &str) {
    let office = app.office_with_users("alpha").await;
    app.create_unit(&office, "u2", "第二单位").await;
    let mut admin = app.logged_in("alpha", "office_admin").await;
    admin.post("/alpha/years", &[("year", year)]).await;
    sqlx::query("insert into assessment_unit (tenant_id, assessment_year_id, unit_id) select u.tenant_id, y.id, u.id from unit u, assessment_year y")
        .execute(&app.pool)
        .await
        .unwrap();
}

#[tokio::test]
async fn ins_04_a_liaison_files_each_quarters_report_once() {
    let app = spawn_app().await;
    office_with_year(&app, "2026").await;
    let mut liaison = app.logged_in("alpha", "liaison").await;
    let page = liaison.get("/alpha/self-reports").await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_contains("2026-04-15"); // Q1 due: 10 working days after 31 March
    page.assert_contains("2026-10-20"); // Q3 due: across the National Day holiday
    let empty = liaison
        .post_files(
            "/alpha/self-reports",
            &[("quarter", "3"), ("content", " ")],
            &[],
        )
        .await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    empty.assert_contains("请填写自查情况");
    let filed = liaison
        .post_files(
            "/alpha/self-reports",
            &[
                ("quarter", "3"),
                ("content", "本季度开展自查三次，发现问题两个，已整改。"),
            ],
            &[],
        )
        .await;
    assert_eq!(filed.status, StatusCode::SEE_OTHER);
    liaison
        .get("/alpha/self-reports")
        .await
        .assert_contains("第 3 季度自查报告已报送");
    let twice = liaison
        .post_files(
            "/alpha/self-reports",
            &[("quarter", "3"), ("content", "再报一次")],
            &[],
        )
        .await;
    twice.assert_contains("该季度已经报送过了");
    assert_eq!(app.scalar_i64("select count(*) from self_report").await, 1);
    let mut staff = app.logged_in("alpha", "office_staff").await;
    assert_eq!(
        staff
            .post_files(
                "/alpha/self-reports",
                &[("quarter", "2"), ("content", "x")],
                &[]
            )
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        liaison.get("/alpha/years/2026/self-reports").await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn ins_04_a_quarter_that_has_not_ended_cannot_be_reported() {
    let app = spawn_app().await;
    office_with_year(&app, "2100").await;
    let mut liaison = app.logged_in("alpha", "liaison").await;
    let early = liaison
        .post_files(
            "/alpha/self-reports",
            &[("quarter", "1"), ("content", "提前报送")],
            &[],
        )
        .await;
    assert_eq!(early.status, StatusCode::UNPROCESSABLE_ENTITY);
    early.assert_contains("该季度尚未结束");
    early.assert_contains("提前报送");
}

#[tokio::test]
async fn ins_04_a_missed_report_costs_three_points_once_with_its_reason() {
    let app = spawn_app().await;
    office_with_year(&app, "2026").await;
    let mut liaison = app.logged_in("alpha", "liaison").await;
    liaison
        .post_files(
            "/alpha/self-reports",
            &[("quarter", "1"), ("content", "第一季度自查情况")],
            &[],
        )
        .await;

    // On Q1's due date nothing is deducted yet; the day after, u2 loses the points.
    let round = app.run_jobs(day("2026-04-15")).await;
    assert_eq!(round.deductions, 0);
    let round = app.run_jobs(day("2026-04-16")).await;
    assert_eq!(round.deductions, 1);

    // In late November: Q2 and Q3 missed by both units, Q1 by u2 (already deducted); Q4 is due
    // in 2027, which has no calendar, so it waits (CAL-1).
    let round = app.run_jobs(day("2026-11-27")).await;
    assert_eq!(round.deductions, 4);
    let again = app.run_jobs(day("2026-11-27")).await;
    assert_eq!(again.deductions, 0, "exactly once");
    assert_eq!(
        app.scalar_i64(
            "select count(*) from deduction where points = 3 and source_type = 'self_report'"
        )
        .await,
        5
    );
    let reason: String =
        sqlx::query_scalar("select reason from deduction where reason like '%第2季度%' limit 1")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(reason, "2026年第2季度自查报告未按期报送（截止 2026-07-14）");
    assert_eq!(
        app.scalar_i64(
            "select count(*) from audit_event where action = 'deduction.self_report_missed'"
        )
        .await,
        5
    );
    let mut staff = app.logged_in("alpha", "office_staff").await;
    let matrix = staff.get("/alpha/years/2026/self-reports").await;
    matrix.assert_contains("逾期未报");
    matrix.assert_contains("已报送");
    let refused = sqlx::query("delete from deduction")
        .execute(&app.pool)
        .await;
    assert!(
        refused
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default()
            .contains("append-only")
    );
}

#[tokio::test]
async fn ins_04_the_operator_runs_the_jobs_from_the_command_line() {
    let app = spawn_app().await;
    office_with_year(&app, "2026").await;
    let out = Command::new(env!("CARGO_BIN_EXE_xiaoneng"))
        .args(["jobs", "run", "--today", "2026-11-27"])
        .env("DATABASE_URL", &app.db_url)
        .env("XIAONENG__LOG__FILTER", "error")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("jobs done: 6 deductions raised"),
        "{stdout}"
    );
}

#[tokio::test]
async fn ins_04_a_self_report_carries_attachments_and_a_refused_one_files_nothing() {
    let app = spawn_app().await;
    app.office_with_users("alpha").await;
    let mut admin = app.logged_in("alpha", "office_admin").await;
    admin.post("/alpha/years", &[("year", "2026")]).await;
    sqlx::query("insert into assessment_unit (tenant_id, assessment_year_id, unit_id) select u.tenant_id, y.id, u.id from unit u, assessment_year y")
        .execute(&app.pool)
        .await
        .unwrap();
    let mut liaison = app.logged_in("alpha", "liaison").await;
    let pdf = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n";
    let refused = liaison
        .post_files(
            "/alpha/self-reports",
            &[("quarter", "1"), ("content", "第一季度自查情况")],
            &[
                ("自查报告.pdf", "application/pdf", pdf),
                ("x.html", "text/html", b"<html><body>x</body></html>"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    refused.assert_contains("有附件未被接受，自查报告尚未报送");
    refused.assert_contains("x.html");
    refused.assert_contains("第一季度自查情况");
    assert_eq!(app.scalar_i64("select count(*) from self_report").await, 0);
    assert_eq!(app.scalar_i64("select count(*) from evidence").await, 0);
    let filed = liaison
        .post_files(
            "/alpha/self-reports",
            &[("quarter", "1"), ("content", "第一季度自查情况")],
            &[("自查报告.pdf", "application/pdf", pdf)],
        )
        .await;
    assert_eq!(filed.status, StatusCode::SEE_OTHER, "{}", filed.body);
    let page = liaison.get("/alpha/self-reports").await;
    page.assert_contains("自查报告.pdf");
    let evidence: uuid::Uuid =
        sqlx::query_scalar("select id from evidence where purpose = 'self_report'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    let content = liaison
        .get(&format!("/alpha/evidence/{evidence}/content"))
        .await;
    assert_eq!(content.status, StatusCode::OK);
    assert_eq!(content.header("content-type"), "application/pdf");
    let mut staff = app.logged_in("alpha", "office_staff").await;
    assert_eq!(
        staff
            .get(&format!("/alpha/evidence/{evidence}"))
            .await
            .status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn ins_04_a_unit_that_has_not_reported_is_reminded_the_working_day_before_the_due_date() {
    let app = spawn_app().await;
    office_with_year(&app, "2026").await;
    let u2 = crate::tasks::id_of(&app, "select id from unit where code = 'u2'").await;
    let office = xiaoneng::core::Office {
        id: crate::tasks::id_of(&app, "select id from office where code = 'alpha'").await,
        code: "alpha".into(),
        name: String::new(),
        short_name: String::new(),
        time_zone: "Asia/Shanghai".into(),
        is_demo: false,
    };
    app.create_user(&office, "liaison_u2", "liaison", Some(u2))
        .await;
    let mut liaison = app.logged_in("alpha", "liaison").await;
    let filed = liaison
        .post_files(
            "/alpha/self-reports",
            &[("quarter", "3"), ("content", "第三季度自查情况")],
            &[],
        )
        .await;
    assert_eq!(filed.status, StatusCode::SEE_OTHER, "{}", filed.body);
    let reminded = || async {
        sqlx::query_scalar::<_, String>(
            "select u.username from notification n join app_user u on u.id = n.user_id
              where n.kind = 'self_report_due_tomorrow' order by 1",
        )
        .fetch_all(&app.pool)
        .await
        .unwrap()
    };
    // Q3 is due on Tuesday 2026-10-20 (CAL-2): Friday the 16th is too early, Monday the 19th
    // reminds the unit that has not reported, once
    app.run_jobs(day("2026-10-16")).await;
    assert!(reminded().await.is_empty());
    app.run_jobs(day("2026-10-19")).await;
    app.run_jobs(day("2026-10-19")).await;
    assert_eq!(reminded().await, vec!["liaison_u2".to_string()]);
    let mut other = app.logged_in("alpha", "liaison_u2").await;
    other
        .get("/alpha/inbox")
        .await
        .assert_contains("2026年第3季度自查报告的报送期限为下一个工作日（2026-10-20）");
}
