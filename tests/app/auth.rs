//! Login, logout, throttling, disabled users, session expiry and passwords.

use axum::http::StatusCode;

use crate::common::{PASSWORD, spawn_app, spawn_app_with};

#[tokio::test]
async fn each_role_lands_on_its_home_page_in_chinese_after_login() {
    let app = spawn_app().await;
    app.office_with_users("alpha").await;
    for (role, label) in [
        ("office_admin", "效能办管理员"),
        ("office_staff", "效能办工作人员"),
        ("leader", "市领导"),
        ("supervisor", "效能监督员"),
        ("liaison", "单位联络员"),
    ] {
        let mut client = app.client();
        let login = client.login("alpha", role, PASSWORD).await;
        assert_eq!(login.status, StatusCode::SEE_OTHER);
        assert_eq!(login.location(), "/alpha");
        let home = client.get("/alpha").await;
        assert_eq!(home.status, StatusCode::OK);
        home.assert_contains("<html lang=\"zh-CN\">");
        home.assert_contains(&format!("您好，{role} 姓名"));
        home.assert_contains(label);
    }
}

#[tokio::test]
async fn english_is_chosen_by_the_switch_and_remembered_or_by_accept_language() {
    let app = spawn_app().await;
    app.office_with_users("alpha").await;
    let mut client = app.logged_in("alpha", "leader").await;
    let english = client.get("/alpha?lang=en").await;
    english.assert_contains("<html lang=\"en\">");
    english.assert_contains("Hello, leader 姓名");
    assert_eq!(client.cookies.get("lang").map(String::as_str), Some("en"));
    client.get("/alpha").await.assert_contains("Log out");

    let mut browser = app.client();
    browser
        .headers
        .push(("accept-language".into(), "en-GB,en;q=0.9".into()));
    browser.get("/alpha/login").await.assert_contains("Log in");
}

#[tokio::test]
async fn a_wrong_password_keeps_the_username_and_says_nothing_specific() {
    let app = spawn_app().await;
    app.office_with_users("alpha").await;
    let mut client = app.client();
    let page = client
        .login("alpha", "office_staff", "wrong password")
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    page.assert_contains("用户名或密码不正确，或尝试过于频繁");
    page.assert_contains("value=\"office_staff\"");
    let unknown = client.login("alpha", "nobody", "wrong password").await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    unknown.assert_contains("用户名或密码不正确，或尝试过于频繁");
    assert!(
        client.session_cookie().is_none(),
        "no session for a failed login"
    );
}

#[tokio::test]
async fn logout_ends_the_session() {
    let app = spawn_app().await;
    app.office_with_users("alpha").await;
    let mut client = app.logged_in("alpha", "office_staff").await;
    let stolen = client.clone();
    assert_eq!(client.get("/alpha").await.status, StatusCode::OK);
    let out = client.post("/alpha/logout", &[]).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert_eq!(out.location(), "/alpha/login");
    client
        .get("/alpha/login")
        .await
        .assert_contains("您已安全退出");
    let mut replay = stolen;
    let page = replay.get("/alpha").await;
    assert_eq!(
        page.status,
        StatusCode::SEE_OTHER,
        "the old cookie no longer signs in"
    );
}

#[tokio::test]
async fn the_session_id_changes_at_login() {
    let app = spawn_app().await;
    app.office_with_users("alpha").await;
    let mut client = app.logged_in("alpha", "leader").await;
    // Logging out leaves an anonymous session (carrying the goodbye message) in the browser.
    client.post("/alpha/logout", &[]).await;
    let before = client
        .session_cookie()
        .cloned()
        .expect("an anonymous session");
    let login = client.login("alpha", "leader", PASSWORD).await;
    assert_eq!(login.status, StatusCode::SEE_OTHER);
    let after = client
        .session_cookie()
        .cloned()
        .expect("a session after login");
    assert_ne!(before, after, "login must issue a new session id");
    let mut fixated = app.client();
    fixated.cookies.insert("xiaoneng".into(), before);
    assert_eq!(
        fixated.get("/alpha").await.status,
        StatusCode::SEE_OTHER,
        "the old id signs nobody in"
    );
}

#[tokio::test]
async fn session_cookies_are_http_only_and_same_site_lax() {
    let app = spawn_app().await;
    app.office_with_users("alpha").await;
    let mut client = app.client();
    let login = client.login("alpha", "leader", PASSWORD).await;
    let cookie = login
        .headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("xiaoneng="))
        .unwrap_or_default()
        .to_string();
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    assert!(
        !cookie.contains("Secure"),
        "no Secure flag without TLS: {cookie}"
    );
}

#[tokio::test]
async fn with_tls_the_cookie_is_secure_and_host_prefixed() {
    let app = spawn_app_with(|c| c.server.tls = true).await;
    app.office_with_users("alpha").await;
    let mut client = app.client();
    let login = client.login("alpha", "leader", PASSWORD).await;
    let cookie = login.header("set-cookie").to_string();
    assert!(cookie.starts_with("__Host-xiaoneng="), "{cookie}");
    assert!(
        cookie.contains("Secure") && cookie.contains("Path=/"),
        "{cookie}"
    );
    assert!(
        login
            .header("strict-transport-security")
            .contains("max-age")
    );
}

#[tokio::test]
async fn an_account_is_throttled_after_five_failures_even_with_the_right_password() {
    let app = spawn_app().await;
    app.office_with_users("alpha").await;
    for attempt in 0..5 {
        let mut client = app.client();
        client.addr = format!("198.51.100.{attempt}");
        let page = client.login("alpha", "leader", "not the password").await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let mut client = app.client();
    let page = client.login("alpha", "leader", PASSWORD).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    page.assert_contains("用户名或密码不正确，或尝试过于频繁");
    // Another account is not affected.
    assert_eq!(
        client.login("alpha", "supervisor", PASSWORD).await.status,
        StatusCode::SEE_OTHER
    );
    // The attempts are in the database, so every instance sees them.
    let failures = app
        .scalar_i64(
            "select count(*) from login_attempt where username = 'leader' and not succeeded",
        )
        .await;
    assert_eq!(
        failures, 5,
        "refused attempts are not counted, so hammering does not prolong a lock"
    );
}

#[tokio::test]
async fn a_client_address_is_throttled_after_too_many_failures_across_accounts() {
    let app = spawn_app_with(|c| c.auth.max_failures_per_address = 3).await;
    app.office_with_users("alpha").await;
    let mut client = app.client();
    client.addr = "203.0.113.7".into();
    for name in ["a1", "a2", "a3"] {
        client.login("alpha", name, "guess").await;
    }
    let page = client.login("alpha", "office_admin", PASSWORD).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    let mut elsewhere = app.client();
    elsewhere.addr = "203.0.113.8".into();
    assert_eq!(
        elsewhere
            .login("alpha", "office_admin", PASSWORD)
            .await
            .status,
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn a_success_clears_the_account_failure_count() {
    let app = spawn_app().await;
    app.office_with_users("alpha").await;
    let mut client = app.client();
    for _ in 0..4 {
        client.login("alpha", "leader", "nope").await;
    }
    assert_eq!(
        client.login("alpha", "leader", PASSWORD).await.status,
        StatusCode::SEE_OTHER
    );
    let mut again = app.client();
    for _ in 0..4 {
        again.login("alpha", "leader", "nope").await;
    }
    assert_eq!(
        again.login("alpha", "leader", PASSWORD).await.status,
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn a_disabled_user_cannot_log_in_and_their_open_sessions_end_at_once() {
    let app = spawn_app().await;
    app.office_with_users("alpha").await;
    let mut victim = app.logged_in("alpha", "office_staff").await;
    assert_eq!(victim.get("/alpha").await.status, StatusCode::OK);
    let mut admin = app.logged_in("alpha", "office_admin").await;
    let staff_id: uuid::Uuid =
        sqlx::query_scalar("select id from app_user where username = 'office_staff'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    let done = admin
        .post(&format!("/alpha/users/{staff_id}/disable"), &[])
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    let page = victim.get("/alpha").await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert!(page.location().starts_with("/alpha/login"));
    let mut fresh = app.client();
    assert_eq!(
        fresh.login("alpha", "office_staff", PASSWORD).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    // Enabled again, the user can log in.
    admin
        .post(&format!("/alpha/users/{staff_id}/enable"), &[])
        .await;
    assert_eq!(
        fresh.login("alpha", "office_staff", PASSWORD).await.status,
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn a_session_idle_past_the_timeout_must_log_in_again() {
    let app = spawn_app().await;
    app.office_with_users("alpha").await;
    let mut client = app.logged_in("alpha", "leader").await;
    sqlx::query(
        r#"update session set data = jsonb_set(data, '{auth,last_seen_at}', to_jsonb(to_char((now() - interval '31 minutes') at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')))"#,
    )
    .execute(&app.pool)
    .await
    .unwrap();
    let page = client.get("/alpha").await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(page.location(), "/alpha/login?next=%2Falpha");
    client
        .get("/alpha/login")
        .await
        .assert_contains("登录已超时或已失效");
}

#[tokio::test]
async fn a_session_older_than_its_absolute_lifetime_ends_even_when_active() {
    let app = spawn_app().await;
    app.office_with_users("alpha").await;
    let mut client = app.logged_in("alpha", "leader").await;
    sqlx::query(
        r#"update session set data = jsonb_set(data, '{auth,authenticated_at}', to_jsonb(to_char((now() - interval '13 hours') at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')))"#,
    )
    .execute(&app.pool)
    .await
    .unwrap();
    assert_eq!(client.get("/alpha").await.status, StatusCode::SEE_OTHER);
    client
        .get("/alpha/login")
        .await
        .assert_contains("登录已超时或已失效");
}

#[tokio::test]
async fn an_expired_session_row_is_not_loaded() {
    let app = spawn_app().await;
    app.office_with_users("alpha").await;
    let mut client = app.logged_in("alpha", "leader").await;
    sqlx::query("update session set expires_at = now() - interval '1 second'")
        .execute(&app.pool)
        .await
        .unwrap();
    assert_eq!(client.get("/alpha").await.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn a_session_kept_with_its_user_and_one_written_by_an_older_release_both_sign_in() {
    let app = spawn_app().await;
    app.office_with_users("alpha").await;
    let mut client = app.logged_in("alpha", "leader").await;
    let named = app
        .scalar_i64("select count(*) from session where user_id is not null")
        .await;
    assert_eq!(
        named, 1,
        "the store keeps the session's user in its own column"
    );
    // an older release wrote sessions without the column (a rolling upgrade)
    sqlx::query("update session set user_id = null")
        .execute(&app.pool)
        .await
        .unwrap();
    assert_eq!(client.get("/alpha").await.status, StatusCode::OK);
    assert_eq!(client.get("/alpha/overview").await.status, StatusCode::OK);
}

#[tokio::test]
async fn a_password_change_checks_the_current_one_and_ends_other_sessions() {
    let app = spawn_app().await;
    app.office_with_users("alpha").await;
    let mut phone = app.logged_in("alpha", "supervisor").await;
    let mut desk = app.logged_in("alpha", "supervisor").await;

    let wrong = desk
        .post(
            "/alpha/account/password",
            &[
                ("current_password", "bad"),
                ("new_password", "short"),
                ("confirm_password", "short"),
            ],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    wrong.assert_contains("当前密码不正确");
    wrong.assert_contains("密码至少需要 8 个字符");

    let mismatch = desk
        .post(
            "/alpha/account/password",
            &[
                ("current_password", PASSWORD),
                ("new_password", "a new passphrase"),
                ("confirm_password", "another"),
            ],
        )
        .await;
    mismatch.assert_contains("两次输入的新密码不一致");

    let ok = desk
        .post(
            "/alpha/account/password",
            &[
                ("current_password", PASSWORD),
                ("new_password", "a new passphrase"),
                ("confirm_password", "a new passphrase"),
            ],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    assert_eq!(
        desk.get("/alpha").await.status,
        StatusCode::OK,
        "this session carries on"
    );
    assert_eq!(
        phone.get("/alpha").await.status,
        StatusCode::SEE_OTHER,
        "the other session ended"
    );
    let mut fresh = app.client();
    assert_eq!(
        fresh
            .login("alpha", "supervisor", "a new passphrase")
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        app.client()
            .login("alpha", "supervisor", PASSWORD)
            .await
            .status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
}

#[tokio::test]
async fn after_an_admin_reset_the_user_must_set_a_new_password_first() {
    let app = spawn_app().await;
    app.office_with_users("alpha").await;
    let mut admin = app.logged_in("alpha", "office_admin").await;
    let id: uuid::Uuid = sqlx::query_scalar("select id from app_user where username = 'liaison'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let reset = admin
        .post(
            &format!("/alpha/users/{id}/reset-password"),
            &[("new_password", "temporary pass 1")],
        )
        .await;
    assert_eq!(reset.status, StatusCode::SEE_OTHER);
    admin
        .get(reset.location())
        .await
        .assert_contains("密码已重置");

    let mut liaison = app.client();
    assert_eq!(
        liaison
            .login("alpha", "liaison", "temporary pass 1")
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    let home = liaison.get("/alpha").await;
    assert_eq!(home.status, StatusCode::SEE_OTHER);
    assert_eq!(home.location(), "/alpha/account/password");
    liaison
        .get("/alpha/account/password")
        .await
        .assert_contains("请先设置您自己的密码");
    liaison
        .post(
            "/alpha/account/password",
            &[
                ("current_password", "temporary pass 1"),
                ("new_password", "my own passphrase"),
                ("confirm_password", "my own passphrase"),
            ],
        )
        .await;
    assert_eq!(liaison.get("/alpha").await.status, StatusCode::OK);
}

#[tokio::test]
async fn a_generated_reset_password_is_shown_once_and_never_stored_in_clear() {
    let app = spawn_app().await;
    app.office_with_users("alpha").await;
    let mut admin = app.logged_in("alpha", "office_admin").await;
    let id: uuid::Uuid = sqlx::query_scalar("select id from app_user where username = 'leader'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let shown = admin
        .post(
            &format!("/alpha/users/{id}/reset-password"),
            &[("new_password", "")],
        )
        .await;
    assert_eq!(shown.status, StatusCode::OK);
    shown.assert_contains("密码已重置");
    let start =
        shown.body.find("<code class=\"secret\">").unwrap() + "<code class=\"secret\">".len();
    let password: String = shown.body[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric())
        .collect();
    assert_eq!(password.len(), 16);
    let sessions: i64 =
        sqlx::query_scalar("select count(*) from session where data::text like '%' || $1 || '%'")
            .bind(&password)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(sessions, 0, "the password is in no session");
    let again = admin.get(&format!("/alpha/users/{id}")).await;
    assert!(!again.body.contains(&password));
    assert_eq!(
        app.client()
            .login("alpha", "leader", &password)
            .await
            .status,
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn guessing_the_current_password_is_throttled_and_the_new_one_must_differ() {
    let app = spawn_app().await;
    app.office_with_users("alpha").await;
    let mut thief = app.logged_in("alpha", "leader").await;
    let same = thief
        .post(
            "/alpha/account/password",
            &[
                ("current_password", PASSWORD),
                ("new_password", PASSWORD),
                ("confirm_password", PASSWORD),
            ],
        )
        .await;
    same.assert_contains("新密码不能与当前密码相同");
    for guess in 0..5 {
        let guess = format!("guess number {guess}");
        let page = thief
            .post(
                "/alpha/account/password",
                &[
                    ("current_password", &guess),
                    ("new_password", "taken over!"),
                    ("confirm_password", "taken over!"),
                ],
            )
            .await;
        page.assert_contains("当前密码不正确");
    }
    let locked = thief
        .post(
            "/alpha/account/password",
            &[
                ("current_password", PASSWORD),
                ("new_password", "taken over!"),
                ("confirm_password", "taken over!"),
            ],
        )
        .await;
    assert_eq!(locked.status, StatusCode::UNPROCESSABLE_ENTITY);
    locked.assert_contains("尝试次数过多");
}

#[tokio::test]
async fn the_login_page_only_returns_to_paths_inside_the_office() {
    let app = spawn_app().await;
    app.office_with_users("alpha").await;
    for (next, expected) in [
        ("/alpha/users", "/alpha/users"),
        ("//evil.example/alpha", "/alpha"),
        ("https://evil.example/", "/alpha"),
        ("/beta/users", "/alpha"),
        ("/alphabet", "/alpha"),
        ("/alpha/\u{1}x", "/alpha"),
    ] {
        let mut client = app.client();
        let page = client
            .post(
                "/alpha/login",
                &[
                    ("username", "office_admin"),
                    ("password", PASSWORD),
                    ("next", next),
                ],
            )
            .await;
        assert_eq!(page.location(), expected, "next={next}");
    }
}

#[tokio::test]
async fn an_anonymous_visitor_is_sent_to_the_office_login_page() {
    let app = spawn_app().await;
    app.office_with_users("alpha").await;
    let page = app.client().get("/alpha/users").await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(page.location(), "/alpha/login?next=%2Falpha%2Fusers");
    let mut client = app.client();
    let login = client
        .post(
            "/alpha/login",
            &[
                ("username", "office_admin"),
                ("password", PASSWORD),
                ("next", "/alpha/users"),
            ],
        )
        .await;
    assert_eq!(login.location(), "/alpha/users");
}
