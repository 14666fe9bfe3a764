//! Input no field may hold, refused at the edge for every form, query and path: a NUL byte (which
//! PostgreSQL stores nowhere) and bytes that are not UTF-8. The answer is a 4xx page, never a 500,
//! it keeps what was typed (but a password), and nothing reaches the database.

use axum::body::Body;
use axum::http::{Method, StatusCode};

use crate::common::spawn_app;

#[tokio::test]
async fn a_nul_byte_in_the_anonymous_login_form_is_refused_and_the_form_kept() {
    let app = spawn_app().await;
    app.office_with_users("alpha").await;
    let mut client = app.client();
    let page = client
        .post(
            "/alpha/login",
            &[
                ("username", "office\0_admin"),
                ("password", "secret\0word"),
                ("next", "/alpha"),
            ],
        )
        .await;
    assert_eq!(
        page.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        page.body
    );
    page.assert_contains("输入中有无法保存的字符");
    // what was typed comes back without the NUL, ready to send again; the password does not
    page.assert_contains(">office_admin</textarea>");
    page.assert_contains("action=\"/alpha/login\"");
    assert!(!page.body.contains("secretword"));
    assert_eq!(
        app.scalar_i64("select count(*) from login_attempt").await,
        0,
        "nothing reached the database"
    );
}

#[tokio::test]
async fn a_nul_byte_in_a_path_or_a_query_is_never_a_500() {
    let app = spawn_app().await;
    app.office_with_users("alpha").await;
    let mut client = app.client();
    // the public certificate check, by path and by query
    let by_path = client.get("/alpha/verify/2026-%00001").await;
    assert_eq!(by_path.status, StatusCode::NOT_FOUND);
    let by_query = client.get("/alpha/verify?number=2026%00-001").await;
    assert_eq!(by_query.status, StatusCode::BAD_REQUEST);
    by_query.assert_contains("2026-001");
    by_query.assert_contains("method=\"get\"");
    // an office code, and a record's id
    assert_eq!(
        client.get("/al%00pha/login").await.status,
        StatusCode::NOT_FOUND
    );
    let mut staff = app.logged_in("alpha", "office_staff").await;
    assert_eq!(
        staff.get("/alpha/findings/%00").await.status,
        StatusCode::NOT_FOUND
    );
    let search = staff.get("/alpha/units?q=%E5%B8%82%00").await;
    assert_eq!(search.status, StatusCode::BAD_REQUEST);
    search.assert_contains(">市</textarea>");
}

#[tokio::test]
async fn a_nul_byte_or_bytes_that_are_not_utf8_in_a_signed_in_form_change_nothing() {
    let app = spawn_app().await;
    app.office_with_users("alpha").await;
    let mut admin = app.logged_in("alpha", "office_admin").await;
    let before = app.scalar_i64("select count(*) from unit").await;
    let nul = admin
        .post(
            "/alpha/units",
            &[
                ("code", "X9"),
                ("name", "市\0税务局"),
                ("category", "经济类"),
            ],
        )
        .await;
    assert_eq!(nul.status, StatusCode::UNPROCESSABLE_ENTITY);
    nul.assert_contains(">市税务局</textarea>");
    admin.headers.push((
        "content-type".into(),
        "application/x-www-form-urlencoded".into(),
    ));
    let latin1 = admin
        .request_body(
            Method::POST,
            "/alpha/units",
            Body::from(&b"code=X9&name=%E5%B8%82%FF&category=x"[..]),
        )
        .await;
    assert_eq!(latin1.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.scalar_i64("select count(*) from unit").await, before);
}

#[tokio::test]
async fn a_nul_byte_in_a_multipart_form_is_refused_and_the_typed_reasons_kept() {
    let app = spawn_app().await;
    let (task, finding, mut staff) = crate::notices::confirmed_finding(&app).await;
    let notice = crate::notices::issue(&mut staff, &app, task, finding).await;
    let mut liaison = app.logged_in("alpha", "liaison").await;
    let page = liaison
        .post_files(
            &format!("/alpha/notices/{notice}/appeal"),
            &[("reasons", "提示牌\0已设置")],
            &[],
        )
        .await;
    assert_eq!(
        page.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        page.body
    );
    page.assert_contains("无法保存的字符");
    page.assert_contains("提示牌已设置");
    assert_eq!(
        app.scalar_i64("select count(*) from notice_appeal").await,
        0
    );
}
