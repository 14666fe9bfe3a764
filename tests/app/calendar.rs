//! CAL-1 and CAL-2 through the page and the command line.

use std::process::Command;

use axum::http::StatusCode;

use crate::common::spawn_app;

fn due(args: &[&str], db_url: Option<&str>) -> (Option<i32>, String, String) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_xiaoneng"));
    command
        .args(["calendar", "due"])
        .args(args)
        .env("XIAONENG__LOG__FILTER", "warn");
    match db_url {
        Some(url) => command.env("DATABASE_URL", url),
        None => command.env_remove("DATABASE_URL"),
    };
    let out = command.output().expect("run xiaoneng calendar due");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).trim().to_string(),
        String::from_utf8_lossy(&out.stderr).trim().to_string(),
    )
}

#[test]
fn cal_2_the_cli_counts_working_days_by_the_official_calendar() {
    assert_eq!(
        due(&["--from", "2026-09-30", "--working-days", "10"], None).1,
        "2026-10-20"
    );
    assert_eq!(
        due(&["--from", "2026-02-13", "--working-days", "2"], None).1,
        "2026-02-24"
    );
    assert_eq!(
        due(&["--from", "2025-01-24", "--working-days", "2"], None).1,
        "2025-01-27",
        "Sunday 2025-01-26 is a make-up working day"
    );
}

#[test]
fn cal_1_the_cli_refuses_a_year_without_a_calendar() {
    let (code, stdout, stderr) = due(&["--from", "2026-12-28", "--working-days", "10"], None);
    assert_eq!(code, Some(1));
    assert!(stdout.is_empty());
    assert!(stderr.contains("2027"), "{stderr}");
}

#[tokio::test]
async fn cal_1_an_offices_correction_changes_its_deadlines_and_no_other_offices() {
    let app = spawn_app().await;
    app.office_with_users("alpha").await;
    app.office_with_users("beta").await;
    // A local holiday in alpha on Friday 2026-10-16.
    let mut admin = app.logged_in("alpha", "office_admin").await;
    let saved = admin
        .post(
            "/alpha/calendar/days",
            &[
                ("day", "2026-10-16"),
                ("kind", "holiday"),
                ("note", "地方性假日"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    let args = ["--from", "2026-09-30", "--working-days", "10"];
    let (_, alpha, _) = due(
        &[&args[..], &["--office", "alpha"]].concat(),
        Some(&app.db_url),
    );
    let (_, beta, _) = due(
        &[&args[..], &["--office", "beta"]].concat(),
        Some(&app.db_url),
    );
    assert_eq!(alpha, "2026-10-21");
    assert_eq!(beta, "2026-10-20");
    let logged = app
        .scalar_i64("select count(*) from audit_event where action = 'calendar.day_set'")
        .await;
    assert_eq!(logged, 1);
}

#[tokio::test]
async fn cal_2_staff_work_out_a_due_date_on_the_calendar_page() {
    let app = spawn_app().await;
    app.office_with_users("alpha").await;
    let mut staff = app.logged_in("alpha", "office_staff").await;
    let page = staff
        .get("/alpha/calendar?from=2026-09-30&working_days=10")
        .await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_contains("截止日期：");
    page.assert_contains("<strong>2026-10-20 周二</strong>");
    let refused = staff
        .get("/alpha/calendar?from=2026-12-20&working_days=30")
        .await;
    refused.assert_contains("没有 2027 年的工作日历");
    let year = staff.get("/alpha/calendar?year=2026").await;
    year.assert_contains("2026-02-14 周六");
    year.assert_contains("调休上班");
    assert!(
        !year.body.contains("/alpha/calendar/days"),
        "staff cannot correct the calendar"
    );
}

#[tokio::test]
async fn cal_1_an_administrator_adds_2027_and_deadlines_may_reach_into_it() {
    let app = spawn_app().await;
    app.office_with_users("alpha").await;
    let mut admin = app.logged_in("alpha", "office_admin").await;
    let weekday_make_up = admin
        .post(
            "/alpha/calendar/years",
            &[
                ("year", "2027"),
                ("holidays", "2027-01-01"),
                ("make_up_workdays", "2027-01-04"),
            ],
        )
        .await;
    assert_eq!(weekday_make_up.status, StatusCode::UNPROCESSABLE_ENTITY);
    weekday_make_up.assert_contains("日历有误：调休上班日 2027-01-04 不是周六或周日");
    let added = admin
        .post(
            "/alpha/calendar/years",
            &[
                ("year", "2027"),
                ("source", "测试"),
                ("holidays", "2027-01-01, 2027-01-02\n2027-01-03"),
                ("make_up_workdays", ""),
            ],
        )
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER);
    let page = admin
        .get("/alpha/calendar?from=2026-12-28&working_days=5")
        .await;
    page.assert_contains("<strong>2027-01-05 周二</strong>");
    let again = admin
        .post(
            "/alpha/calendar/years",
            &[("year", "2027"), ("holidays", "")],
        )
        .await;
    again.assert_contains("2027 年的日历已存在");
}

#[tokio::test]
async fn cal_1_a_make_up_day_must_be_a_weekend_and_its_year_must_exist() {
    let app = spawn_app().await;
    app.office_with_users("alpha").await;
    let mut admin = app.logged_in("alpha", "office_admin").await;
    let weekday = admin
        .post(
            "/alpha/calendar/days",
            &[("day", "2026-10-14"), ("kind", "make_up_workday")],
        )
        .await;
    assert_eq!(weekday.status, StatusCode::UNPROCESSABLE_ENTITY);
    weekday.assert_contains("调休上班日只能是周六或周日");
    let no_year = admin
        .post(
            "/alpha/calendar/days",
            &[("day", "2028-01-03"), ("kind", "holiday")],
        )
        .await;
    no_year.assert_contains("没有 2028 年的工作日历");
    let normal = admin
        .post(
            "/alpha/calendar/days",
            &[("day", "2026-10-10"), ("kind", "normal")],
        )
        .await;
    assert_eq!(normal.status, StatusCode::SEE_OTHER);
    let mut leader = app.logged_in("alpha", "leader").await;
    assert_eq!(
        leader.get("/alpha/calendar").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        leader
            .post(
                "/alpha/calendar/days",
                &[("day", "2026-10-12"), ("kind", "holiday")]
            )
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}
