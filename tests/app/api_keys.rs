//! Per-office API keys (CMP-03): created by an office admin or on the command line, shown once,
//! stored hashed, revoked; the API answers 401 with a JSON error for anything but a live key of
//! the path's office, and writes nothing then.

use axum::http::{Method, StatusCode};
use uuid::Uuid;

use crate::cli::{text, xiaoneng};
use crate::common::{Client, Page, TestApp, spawn_app};

/// The key on the page that shows it once.
fn shown_key(page: &Page) -> String {
    let start = page.body.find("xn_").expect("a key on the page");
    page.body[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect()
}

/// `GET path` with `authorization` (none: no header), as another system calls.
async fn call(app: &TestApp, path: &str, authorization: Option<&str>) -> Page {
    let mut client: Client = app.client();
    client.headers = vec![("accept".into(), "application/json".into())];
    if let Some(value) = authorization {
        client.headers.push(("authorization".into(), value.into()));
    }
    client.request(Method::GET, path, None).await
}

/// What the office's log and keys hold, to see that a refused call wrote nothing.
async fn writes(app: &TestApp) -> (i64, i64) {
    (
        app.scalar_i64("select count(*) from audit_event").await,
        app.scalar_i64("select count(*) from api_key where last_used_at is not null")
            .await,
    )
}

async fn admin_creates_key(app: &TestApp, office: &str, name: &str) -> String {
    let mut admin = app.logged_in(office, "office_admin").await;
    let page = admin
        .post(&format!("/{office}/api-keys"), &[("name", name)])
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    shown_key(&page)
}

#[track_caller]
fn assert_unauthorized(page: &Page, case: &str) {
    assert_eq!(
        page.status,
        StatusCode::UNAUTHORIZED,
        "{case}: {}",
        page.body
    );
    assert_eq!(page.header("www-authenticate"), "Bearer", "{case}");
    assert!(
        page.header("content-type").starts_with("application/json"),
        "{case}"
    );
    let body: serde_json::Value = serde_json::from_str(&page.body).expect("a JSON body");
    assert_eq!(body["error"]["code"], "unauthorized", "{case}");
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty())
    );
}

#[tokio::test]
async fn an_admin_creates_a_key_that_is_shown_once_and_stored_only_hashed() {
    let app = spawn_app().await;
    app.office_with_users("alpha").await;
    let mut admin = app.logged_in("alpha", "office_admin").await;
    let home = admin.get("/alpha").await;
    home.assert_contains("href=\"/alpha/api-keys\"");
    let form = admin.get("/alpha/api-keys/new").await;
    assert_eq!(form.status, StatusCode::OK);

    let issued = admin
        .post("/alpha/api-keys", &[("name", "12345 热线平台")])
        .await;
    assert_eq!(issued.status, StatusCode::OK);
    let key = shown_key(&issued);
    assert_eq!(key.len(), 3 + 16 + 1 + 64, "{key}");
    let prefix = &key[..19];

    let list = admin.get("/alpha/api-keys").await;
    assert_eq!(list.status, StatusCode::OK);
    list.assert_contains("12345 热线平台");
    list.assert_contains(prefix);
    assert!(
        !list.body.contains(&key),
        "the list never shows the key again"
    );
    let stored = app
        .scalar_string("select encode(secret_hash, 'hex') from api_key")
        .await;
    assert!(!key.contains(&stored) && stored.len() == 64);
    let whoami = call(&app, "/api/v1/alpha/whoami", Some(&format!("Bearer {key}"))).await;
    assert_eq!(whoami.status, StatusCode::OK, "{}", whoami.body);
    let body: serde_json::Value = serde_json::from_str(&whoami.body).unwrap();
    assert_eq!(
        body,
        serde_json::json!({ "office": "alpha", "key": "12345 热线平台" })
    );
    assert_eq!(
        app.scalar_i64("select count(*) from api_key where last_used_at is not null")
            .await,
        1
    );
    assert_eq!(
        app.scalar_i64("select count(*) from audit_event where action = 'api_key.call'")
            .await,
        1
    );
}

#[tokio::test]
async fn a_key_form_with_a_blank_or_long_name_keeps_what_was_typed() {
    let app = spawn_app().await;
    app.office_with_users("alpha").await;
    let mut admin = app.logged_in("alpha", "office_admin").await;
    let blank = admin.post("/alpha/api-keys", &[("name", "   ")]).await;
    assert_eq!(blank.status, StatusCode::UNPROCESSABLE_ENTITY);
    blank.assert_contains("请填写名称");
    let long = "长".repeat(101);
    let refused = admin.post("/alpha/api-keys", &[("name", &long)]).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    refused.assert_contains(&long);
    refused.assert_contains("名称不能超过 100 个字");
    assert_eq!(app.scalar_i64("select count(*) from api_key").await, 0);
}

#[tokio::test]
async fn a_wrong_revoked_missing_or_foreign_key_gets_401_and_writes_nothing() {
    let app = spawn_app().await;
    app.office_with_users("alpha").await;
    app.office_with_users("beta").await;
    let alpha_key = admin_creates_key(&app, "alpha", "alpha 12345").await;
    let beta_key = admin_creates_key(&app, "beta", "beta 12345").await;
    let revoked_key = admin_creates_key(&app, "alpha", "old system").await;
    let revoked_prefix = &revoked_key[..19];
    let revoked_id: Uuid = sqlx::query_scalar("select id from api_key where prefix = $1")
        .bind(revoked_prefix)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let mut admin = app.logged_in("alpha", "office_admin").await;
    let done = admin
        .post(&format!("/alpha/api-keys/{revoked_id}/revoke"), &[])
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    assert_eq!(done.location(), "/alpha/api-keys");
    admin.get("/alpha/api-keys").await.assert_contains("已吊销");

    // the same secret under another key's prefix, and a key one digit off
    let mut wrong = alpha_key.clone();
    let last = if wrong.ends_with('0') { "1" } else { "0" };
    wrong.replace_range(wrong.len() - 1.., last);
    let before = writes(&app).await;
    let cases = [
        ("missing header", "/api/v1/alpha/whoami", None),
        (
            "not bearer",
            "/api/v1/alpha/whoami",
            Some(format!("Basic {alpha_key}")),
        ),
        (
            "malformed",
            "/api/v1/alpha/whoami",
            Some("Bearer xn_nonsense".into()),
        ),
        (
            "wrong secret",
            "/api/v1/alpha/whoami",
            Some(format!("Bearer {wrong}")),
        ),
        (
            "revoked",
            "/api/v1/alpha/whoami",
            Some(format!("Bearer {revoked_key}")),
        ),
        (
            "another office's key",
            "/api/v1/alpha/whoami",
            Some(format!("Bearer {beta_key}")),
        ),
        (
            "on another office's path",
            "/api/v1/beta/whoami",
            Some(format!("Bearer {alpha_key}")),
        ),
        (
            "an unknown office",
            "/api/v1/gamma/whoami",
            Some(format!("Bearer {alpha_key}")),
        ),
    ];
    for (case, path, authorization) in cases {
        let page = call(&app, path, authorization.as_deref()).await;
        assert_unauthorized(&page, case);
    }
    assert_eq!(writes(&app).await, before, "a refused call writes nothing");

    // each key still works where it belongs
    for (office, key) in [("alpha", &alpha_key), ("beta", &beta_key)] {
        let page = call(
            &app,
            &format!("/api/v1/{office}/whoami"),
            Some(&format!("Bearer {key}")),
        )
        .await;
        assert_eq!(page.status, StatusCode::OK, "{office}");
    }
}

#[tokio::test]
async fn only_the_office_admin_reaches_the_api_keys() {
    let app = spawn_app().await;
    app.office_with_users("alpha").await;
    let key = admin_creates_key(&app, "alpha", "12345").await;
    let id: Uuid = sqlx::query_scalar("select id from api_key")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    for role in ["office_staff", "leader", "supervisor", "liaison"] {
        let mut client = app.logged_in("alpha", role).await;
        for path in ["/alpha/api-keys", "/alpha/api-keys/new"] {
            assert_eq!(
                client.get(path).await.status,
                StatusCode::NOT_FOUND,
                "{role} {path}"
            );
        }
        let home = client.get("/alpha").await;
        assert!(!home.body.contains("/alpha/api-keys"), "{role}");
        let create = client.post("/alpha/api-keys", &[("name", "mine")]).await;
        assert_eq!(create.status, StatusCode::NOT_FOUND, "{role}");
        let revoke = client
            .post(&format!("/alpha/api-keys/{id}/revoke"), &[])
            .await;
        assert_eq!(revoke.status, StatusCode::NOT_FOUND, "{role}");
    }
    assert_eq!(app.scalar_i64("select count(*) from api_key").await, 1);
    assert_eq!(
        app.scalar_i64("select count(*) from api_key where revoked_at is null")
            .await,
        1
    );
    let page = call(&app, "/api/v1/alpha/whoami", Some(&format!("Bearer {key}"))).await;
    assert_eq!(page.status, StatusCode::OK);
}

#[tokio::test]
async fn the_audit_log_has_each_key_created_and_revoked() {
    let app = spawn_app().await;
    let alpha = app.office_with_users("alpha").await;
    admin_creates_key(&app, "alpha", "12345").await;
    let id: Uuid = sqlx::query_scalar("select id from api_key")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let mut admin = app.logged_in("alpha", "office_admin").await;
    admin
        .post(&format!("/alpha/api-keys/{id}/revoke"), &[])
        .await;
    // a second revocation changes and records nothing
    let again = admin
        .post(&format!("/alpha/api-keys/{id}/revoke"), &[])
        .await;
    assert_eq!(again.status, StatusCode::SEE_OTHER);
    // a key the office does not have is not found
    let missing = admin
        .post(&format!("/alpha/api-keys/{}/revoke", Uuid::now_v7()), &[])
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    let rows: Vec<(String, Option<Uuid>, String)> = sqlx::query_as(
        "select action, subject_id, actor_name from audit_event
         where tenant_id = $1 and subject_type = 'api_key' order by seq",
    )
    .bind(alpha.id)
    .fetch_all(&app.pool)
    .await
    .unwrap();
    let actions: Vec<&str> = rows.iter().map(|r| r.0.as_str()).collect();
    assert_eq!(actions, ["api_key.create", "api_key.revoke"]);
    assert!(
        rows.iter()
            .all(|r| r.1 == Some(id) && r.2 == "office_admin")
    );
    let log = admin.get("/alpha/audit").await;
    log.assert_contains("创建接口密钥");
    log.assert_contains("吊销接口密钥");
}

#[tokio::test]
async fn the_command_line_creates_lists_and_revokes_keys() {
    let app = spawn_app().await;
    app.office_with_users("alpha").await;
    let made = xiaoneng(
        &app,
        &[
            "apikey",
            "create",
            "--office",
            "alpha",
            "--name",
            "12345 平台",
        ],
        None,
    );
    assert!(made.status.success(), "{}", text(&made));
    let printed = text(&made);
    let start = printed.find("key (shown once").expect("the key printed");
    let key: String = printed[start..]
        .split_whitespace()
        .find(|w| w.starts_with("xn_") && w.len() == 84)
        .expect("the key")
        .to_string();
    let prefix = &key[..19];
    let whoami = call(&app, "/api/v1/alpha/whoami", Some(&format!("Bearer {key}"))).await;
    assert_eq!(whoami.status, StatusCode::OK, "{}", whoami.body);

    let listed = xiaoneng(&app, &["apikey", "list", "--office", "alpha"], None);
    assert!(listed.status.success(), "{}", text(&listed));
    assert!(text(&listed).contains(prefix) && text(&listed).contains("12345 平台"));
    assert!(
        !text(&listed).contains(&key),
        "the list never shows the key"
    );

    let revoked = xiaoneng(
        &app,
        &["apikey", "revoke", "--office", "alpha", "--prefix", prefix],
        None,
    );
    assert!(revoked.status.success(), "{}", text(&revoked));
    let whoami = call(&app, "/api/v1/alpha/whoami", Some(&format!("Bearer {key}"))).await;
    assert_unauthorized(&whoami, "revoked on the command line");
    assert_eq!(
        app.scalar_i64(
            "select count(*) from audit_event where actor_name = 'cli'
             and action in ('api_key.create', 'api_key.revoke')"
        )
        .await,
        2
    );

    for (args, message) in [
        (
            vec!["create", "--office", "alpha", "--name", " "],
            "Enter a name",
        ),
        (
            vec!["create", "--office", "nowhere", "--name", "x"],
            "no office",
        ),
        (
            vec!["revoke", "--office", "alpha", "--prefix", "abc"],
            "not a key prefix",
        ),
        (
            vec![
                "revoke",
                "--office",
                "alpha",
                "--prefix",
                "xn_0000000000000000",
            ],
            "no API key",
        ),
    ] {
        let mut all = vec!["apikey"];
        all.extend(args);
        let refused = xiaoneng(&app, &all, None);
        assert!(!refused.status.success(), "{all:?} accepted");
        assert!(
            text(&refused).contains(message),
            "{all:?}: {}",
            text(&refused)
        );
    }
}
