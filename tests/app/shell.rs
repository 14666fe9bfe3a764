//! The page shell: security headers, error pages, CSRF, static files, health checks, limits.

use axum::http::StatusCode;

use crate::common::{PASSWORD, spawn_app, spawn_app_with};

#[tokio::test]
async fn pages_carry_the_security_headers() {
    let app = spawn_app().await;
    app.office_with_users("alpha").await;
    let page = app.client().get("/alpha/login").await;
    assert_eq!(page.status, StatusCode::OK);
    let csp = page.header("content-security-policy");
    assert!(
        csp.contains("default-src 'self'") && csp.contains("frame-ancestors 'none'"),
        "{csp}"
    );
    assert!(
        !csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"),
        "{csp}"
    );
    assert_eq!(page.header("x-content-type-options"), "nosniff");
    assert_eq!(page.header("referrer-policy"), "same-origin");
    assert_eq!(page.header("x-frame-options"), "DENY");
    assert_eq!(page.header("cache-control"), "no-store");
    assert!(!page.header("x-request-id").is_empty());
    assert!(!page.body.contains("<script>"), "no inline script");
    assert!(!page.body.contains("style=\""), "no inline style");
}

#[tokio::test]
async fn a_cross_site_form_post_is_refused_and_a_same_origin_one_accepted() {
    let app = spawn_app().await;
    app.office_with_users("alpha").await;
    let mut attacker = app.client();
    attacker
        .headers
        .push(("sec-fetch-site".into(), "cross-site".into()));
    attacker
        .headers
        .push(("origin".into(), "https://evil.example".into()));
    let page = attacker.login("alpha", "office_admin", PASSWORD).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    page.assert_contains("该表单来自其他网站");
    assert_eq!(
        app.scalar_i64("select count(*) from login_attempt").await,
        0,
        "nothing was processed"
    );

    let mut browser = app.client();
    browser
        .headers
        .push(("sec-fetch-site".into(), "same-origin".into()));
    browser
        .headers
        .push(("origin".into(), "http://localhost".into()));
    browser.headers.push(("host".into(), "localhost".into()));
    assert_eq!(
        browser
            .login("alpha", "office_admin", PASSWORD)
            .await
            .status,
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn a_logged_in_users_cross_site_post_changes_nothing() {
    let app = spawn_app().await;
    app.office_with_users("alpha").await;
    let mut admin = app.logged_in("alpha", "office_admin").await;
    admin
        .headers
        .push(("sec-fetch-site".into(), "cross-site".into()));
    let page = admin
        .post(
            "/alpha/users",
            &[
                ("username", "planted"),
                ("display_name", "x"),
                ("role", "office_admin"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert_eq!(
        app.scalar_i64("select count(*) from app_user where username = 'planted'")
            .await,
        0
    );
}

#[tokio::test]
async fn no_state_changes_on_get() {
    let app = spawn_app().await;
    app.office_with_users("alpha").await;
    let mut client = app.logged_in("alpha", "office_admin").await;
    let page = client.get("/alpha/logout").await;
    assert_eq!(page.status, StatusCode::METHOD_NOT_ALLOWED);
    page.assert_contains("该地址不支持这种请求方式");
    assert_eq!(
        client.get("/alpha").await.status,
        StatusCode::OK,
        "still logged in"
    );
}

#[tokio::test]
async fn an_internal_error_shows_a_reference_and_no_internals() {
    let app = spawn_app().await;
    app.office_with_users("alpha").await;
    sqlx::query("alter table login_attempt rename to login_attempt_gone")
        .execute(&app.pool)
        .await
        .unwrap();
    let page = app.client().login("alpha", "leader", PASSWORD).await;
    assert_eq!(page.status, StatusCode::INTERNAL_SERVER_ERROR);
    page.assert_contains("系统出错");
    page.assert_contains(page.header("x-request-id"));
    assert!(
        !page.body.contains("login_attempt") && !page.body.to_lowercase().contains("relation"),
        "{}",
        page.body
    );
}

#[tokio::test]
async fn static_files_are_served_with_cache_headers() {
    let app = spawn_app().await;
    let css = app.client().get("/static/css/app.css").await;
    assert_eq!(css.status, StatusCode::OK);
    assert!(css.header("content-type").starts_with("text/css"));
    assert_eq!(css.header("cache-control"), "public, max-age=86400");
    assert_eq!(
        app.client().get("/static/../Cargo.toml").await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn health_and_readiness() {
    let app = spawn_app().await;
    let health = app.client().get("/healthz").await;
    assert_eq!(
        (health.status, health.body.as_str()),
        (StatusCode::OK, "ok")
    );
    let ready = app.client().get("/readyz").await;
    assert_eq!(
        (ready.status, ready.body.as_str()),
        (StatusCode::OK, "ready")
    );
}

#[tokio::test]
async fn a_body_over_the_limit_is_refused_with_413() {
    let app = spawn_app_with(|c| c.server.body_limit_bytes = 1024).await;
    app.office_with_users("alpha").await;
    let big = "x".repeat(4096);
    let page = app
        .client()
        .post("/alpha/login", &[("username", &big), ("password", "x")])
        .await;
    assert_eq!(page.status, StatusCode::PAYLOAD_TOO_LARGE);
    page.assert_contains("内容过大");
}

#[tokio::test]
async fn responses_are_compressed_when_the_browser_accepts_gzip() {
    let app = spawn_app().await;
    let mut client = app.client();
    client
        .headers
        .push(("accept-encoding".into(), "gzip".into()));
    let css = client.get("/static/css/app.css").await;
    assert_eq!(css.header("content-encoding"), "gzip");
}

#[tokio::test]
async fn the_front_page_leads_to_an_office_login_without_listing_offices() {
    let app = spawn_app().await;
    app.office_with_users("alpha").await;
    let front = app.client().get("/").await;
    assert_eq!(front.status, StatusCode::OK);
    assert!(!front.body.contains("alpha"), "offices are not listed");
    let go = app.client().get("/?office=Alpha").await;
    assert_eq!(go.location(), "/alpha/login");
    let bad = app.client().get("/?office=%E5%AE%A3%E5%9F%8E").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    bad.assert_contains("效能办代码只能包含小写字母、数字和连字符");
    bad.assert_contains("value=\"宣城\"");
    let reserved = app.client().get("/?office=admin").await;
    reserved.assert_contains("该代码是系统保留字");
}

#[tokio::test]
async fn every_catalog_key_used_in_templates_and_code_exists() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut missing = Vec::new();
    let mut files = Vec::new();
    for dir in ["templates", "src"] {
        let mut stack = vec![root.join(dir)];
        while let Some(path) = stack.pop() {
            for entry in std::fs::read_dir(&path).unwrap().flatten() {
                let p = entry.path();
                if p.is_dir() {
                    stack.push(p);
                } else if p.extension().is_some_and(|e| e == "html" || e == "rs") {
                    files.push(p);
                }
            }
        }
    }
    let key = regex_lite_keys();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        for k in key(&text) {
            // Audit action names (`catalog.item_add`) are shown through `audit.<action>`.
            let shown =
                xiaoneng::i18n::has_key(&k) || xiaoneng::i18n::has_key(&format!("audit.{k}"));
            let file_name = [".toml", ".html", ".css", ".js", ".csv"]
                .iter()
                .any(|e| k.ends_with(e));
            if !shown && !file_name {
                missing.push(format!("{}: {k}", file.display()));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "missing catalog keys:\n{}",
        missing.join("\n")
    );
}

/// Finds string literals that look like catalog keys: `"area.name"` with a known area prefix.
fn regex_lite_keys() -> impl Fn(&str) -> Vec<String> {
    const AREAS: [&str; 50] = [
        "app.",
        "nav.",
        "role.",
        "front.",
        "login.",
        "auth.",
        "password.",
        "home.",
        "users.",
        "history.",
        "pager.",
        "form.",
        "error.",
        "audit.",
        "issued.",
        "subject.",
        "detail.",
        "reason.",
        "units.",
        "staff.",
        "employment.",
        "import.",
        "column.",
        "calendar.",
        "weekday.",
        "years.",
        "catalog.",
        "supervisors.",
        "certificate.",
        "verify.",
        "groups.",
        "settings.",
        "channels.",
        "draws.",
        "self_reports.",
        "tasks.",
        "coverage.",
        "findings.",
        "evidence.",
        "signoff.",
        "review.",
        "refused.",
        "rounds.",
        "deductions.",
        "notices.",
        "overview.",
        "inbox.",
        "documents.",
        "interviews.",
        "bulletins.",
    ];
    |text: &str| {
        text.split('"')
            .skip(1)
            .step_by(2)
            .filter(|s| AREAS.iter().any(|a| s.starts_with(a)))
            .filter(|s| {
                s.chars()
                    .all(|c| c.is_ascii_lowercase() || c == '.' || c == '_')
            })
            .filter(|s| !s.ends_with('.') && s.split('.').count() >= 2)
            .filter(|s| !s.starts_with("audit.") || s.split('.').count() >= 2)
            .map(str::to_string)
            .collect()
    }
}

#[tokio::test]
async fn the_request_id_is_always_the_servers_own() {
    let app = spawn_app().await;
    let mut client = app.client();
    client
        .headers
        .push(("x-request-id".into(), "forged-reference".into()));
    let page = client.get("/no-such-page").await;
    assert_ne!(page.header("x-request-id"), "forged-reference");
    assert!(!page.body.contains("forged-reference"));
}

#[tokio::test]
async fn the_language_switch_is_a_relative_link_that_cannot_leave_the_site() {
    let app = spawn_app().await;
    let page = app.client().get("//evil.example/").await;
    page.assert_contains("class=\"lang-switch\" href=\"?lang=en\"");
}
