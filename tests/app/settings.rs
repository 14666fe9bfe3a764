//! Office settings and the public complaint channels (CMP-03).

use axum::http::StatusCode;

use crate::common::spawn_app;

fn form<'a>(name: &'a str, time_zone: &'a str, days: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("name", name),
        ("short_name", "宣直效能办"),
        ("time_zone", time_zone),
        ("complaint_number_format", "宣效投〔{year}〕{seq:04}号"),
        ("notice_number_format", "宣直效整〔{year}〕{seq}号"),
        ("rectification_working_days", days),
        ("self_report_due_working_days", "10"),
        ("excellence_min_score", "90"),
        ("excellence_max_share_percent", "20"),
        ("complaint_hotline", "0563-2020000"),
        ("address", "宣城市行政中心 3 号楼"),
        ("email", "xnb@xuancheng.example.gov.cn"),
    ]
}

#[tokio::test]
async fn an_administrator_sets_names_formats_deadlines_and_channels() {
    let app = spawn_app().await;
    app.office_with_users("alpha").await;
    let mut admin = app.logged_in("alpha", "office_admin").await;
    let page = admin.get("/alpha/settings").await;
    page.assert_contains("示例： 效投〔2026〕0001号");
    let bad = admin
        .post(
            "/alpha/settings",
            &form("宣城市直效能办", "Mars/Olympus", "0"),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    bad.assert_contains("请填写有效的时区名称");
    bad.assert_contains("请填写范围内的工作日数");
    bad.assert_contains("value=\"Mars/Olympus\"");
    let saved = admin
        .post(
            "/alpha/settings",
            &form("宣城市直效能办", "Asia/Urumqi", "15"),
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    let page = admin.get("/alpha/settings").await;
    page.assert_contains("示例： 宣效投〔2026〕0001号");
    page.assert_contains("value=\"15\"");
    // The new name heads every page, and times follow the office's zone.
    page.assert_contains("<span class=\"brand-text\">宣城市直效能办</span>");
    let logged = app
        .scalar_i64("select count(*) from audit_event where action = 'office.settings_change'")
        .await;
    assert_eq!(logged, 1);
    let mut staff = app.logged_in("alpha", "office_staff").await;
    assert_eq!(
        staff.get("/alpha/settings").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        staff
            .post("/alpha/settings", &form("x", "Asia/Shanghai", "10"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn cmp_03_anyone_reads_the_complaint_channels() {
    let app = spawn_app().await;
    app.office_with_users("alpha").await;
    let mut admin = app.logged_in("alpha", "office_admin").await;
    admin
        .post(
            "/alpha/settings",
            &form("宣城市直效能办", "Asia/Shanghai", "10"),
        )
        .await;
    let page = app.client().get("/alpha/channels").await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_contains("效能投诉渠道");
    page.assert_contains("12345");
    page.assert_contains("0563-2020000");
    page.assert_contains("宣城市行政中心 3 号楼");
    page.assert_contains("按效能工作建议处理");
}

#[tokio::test]
async fn cmp_03_the_public_pages_show_every_channel_configured_and_no_staff_only_footer() {
    let app = spawn_app().await;
    app.office_with_users("alpha").await;
    let mut admin = app.logged_in("alpha", "office_admin").await;
    let mut settings = form("宣城市直效能办", "Asia/Shanghai", "10");
    settings.extend([
        ("office_phone", "0563-2020001"),
        ("visiting_hours", "工作日 9:00-17:00"),
    ]);
    let saved = admin.post("/alpha/settings", &settings).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let mut citizen = app.client();
    let page = citizen.get("/alpha/channels").await;
    assert_eq!(page.status, StatusCode::OK);
    for channel in [
        "<a href=\"tel:12345\">12345</a>",
        "<a href=\"tel:0563-2020000\">0563-2020000</a>",
        "<a href=\"tel:0563-2020001\">0563-2020001</a>",
        "宣城市行政中心 3 号楼",
        "工作日 9:00-17:00",
        "<a href=\"mailto:xnb@xuancheng.example.gov.cn\">",
    ] {
        page.assert_contains(channel);
    }
    // no page for the public says it is for authorised staff only; the login page does
    for path in [
        "/alpha/channels",
        "/alpha/verify",
        "/alpha/verify/2026-001",
        "/",
    ] {
        let page = citizen.get(path).await;
        assert!(
            !page.body.contains("仅限授权人员使用"),
            "{path}: {}",
            page.body
        );
    }
    citizen
        .get("/alpha/channels")
        .await
        .assert_contains("href=\"/alpha/verify\"");
    citizen
        .get("/alpha/login")
        .await
        .assert_contains("仅限授权人员使用");
}

#[tokio::test]
async fn cmp_03_an_office_without_channels_of_its_own_points_to_12345() {
    let app = spawn_app().await;
    app.office_with_users("alpha").await;
    let page = app.client().get("/alpha/channels").await;
    page.assert_contains("12345");
    page.assert_contains("本效能办尚未公布自己的投诉电话和来访地址");
}
