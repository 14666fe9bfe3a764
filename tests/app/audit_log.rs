//! The audit log: written with each change, append-only, hash-chained, verifiable.

use std::process::Command;

use axum::http::StatusCode;
use sqlx::Connection;
use xiaoneng::audit::{self, Actor, Event, model::Break};

use crate::common::{PASSWORD, spawn_app};

#[tokio::test]
async fn logins_failures_and_user_changes_are_chained_in_order() {
    let app = spawn_app().await;
    let alpha = app.office_with_users("alpha").await;
    let mut client = app.client();
    client.login("alpha", "leader", "wrong").await;
    client.login("alpha", "leader", PASSWORD).await;
    client.post("/alpha/logout", &[]).await;
    let actions: Vec<String> =
        sqlx::query_scalar("select action from audit_event where tenant_id = $1 order by seq")
            .bind(alpha.id)
            .fetch_all(&app.pool)
            .await
            .unwrap();
    assert_eq!(actions.first().map(String::as_str), Some("office.create"));
    assert_eq!(actions.iter().filter(|a| *a == "user.create").count(), 5);
    assert_eq!(
        &actions[actions.len() - 3..],
        ["user.login_failed", "user.login", "user.logout"]
    );
    let mut tx = xiaoneng::db::begin_tenant(&app.pool, alpha.id)
        .await
        .unwrap();
    let report = audit::verify_chain(&mut tx).await.unwrap();
    assert_eq!(report.first_break, None);
    assert_eq!(report.checked, actions.len() as i64);
}

#[tokio::test]
async fn each_office_has_its_own_chain() {
    let app = spawn_app().await;
    let alpha = app.office_with_users("alpha").await;
    let beta = app.office_with_users("beta").await;
    for office in [alpha, beta] {
        let first: i64 =
            sqlx::query_scalar("select min(seq) from audit_event where tenant_id = $1")
                .bind(office.id)
                .fetch_one(&app.pool)
                .await
                .unwrap();
        assert_eq!(first, 1);
    }
}

#[tokio::test]
async fn the_audit_log_refuses_update_delete_and_truncate_even_for_a_superuser() {
    let app = spawn_app().await;
    app.office_with_users("alpha").await;
    for statement in [
        "update audit_event set action = 'nothing'",
        "delete from audit_event",
        "truncate audit_event",
    ] {
        let refused = sqlx::query(statement).execute(&app.pool).await;
        let message = refused.err().map(|e| e.to_string()).unwrap_or_default();
        assert!(message.contains("append-only"), "{statement}: {message}");
    }
}

/// The `n`th of a run of events a test records.
pub fn test_event(n: i32) -> Event<'static> {
    Event {
        action: "test.event",
        subject_type: "test",
        subject_id: None,
        detail: serde_json::json!({ "n": n }),
    }
}

#[tokio::test]
async fn concurrent_writers_keep_the_chain_whole() {
    let app = spawn_app().await;
    let alpha = app.create_office("alpha", "甲").await;
    let mut tasks = Vec::new();
    for n in 0..12 {
        let pool = app.pool.clone();
        let actor = Actor::system("test", app.clock.now());
        tasks.push(tokio::spawn(async move {
            let mut tx = xiaoneng::db::begin_tenant(&pool, alpha.id).await.unwrap();
            audit::record(&mut tx, alpha.id, &actor, test_event(n))
                .await
                .unwrap();
            tx.commit().await.unwrap();
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    let mut tx = xiaoneng::db::begin_tenant(&app.pool, alpha.id)
        .await
        .unwrap();
    let report = audit::verify_chain(&mut tx).await.unwrap();
    assert_eq!(report.first_break, None);
    assert_eq!(report.checked, 13);
}

#[tokio::test]
async fn a_row_changed_behind_the_logs_back_is_found_by_verify_and_by_the_cli() {
    let app = spawn_app().await;
    let alpha = app.office_with_users("alpha").await;
    app.office_with_users("beta").await;
    // Someone with the database's superuser powers switches the triggers off and edits a row.
    behind_the_logs_back(
        &app,
        "update audit_event set detail = '{\"username\":\"someone-else\"}' where tenant_id = $1 and seq = 3",
        alpha.id,
    )
    .await;

    let mut tx = xiaoneng::db::begin_tenant(&app.pool, alpha.id)
        .await
        .unwrap();
    let report = audit::verify_chain(&mut tx).await.unwrap();
    assert!(
        matches!(report.first_break, Some(Break::Altered { seq: 3, .. })),
        "{report:?}"
    );
    drop(tx);

    let output = Command::new(env!("CARGO_BIN_EXE_xiaoneng"))
        .args(["audit", "verify"])
        .env("DATABASE_URL", &app.db_url)
        .env("XIAONENG__LOG__FILTER", "warn")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(
        output.status.code(),
        Some(1),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("alpha: BROKEN at link 3"), "{stdout}");
    assert!(stdout.contains("beta: 6 links intact"), "{stdout}");

    let only_beta = Command::new(env!("CARGO_BIN_EXE_xiaoneng"))
        .args(["audit", "verify", "--office", "beta"])
        .env("DATABASE_URL", &app.db_url)
        .output()
        .unwrap();
    assert_eq!(only_beta.status.code(), Some(0));
}

#[tokio::test]
async fn a_deleted_row_is_found_as_a_missing_link() {
    let app = spawn_app().await;
    let alpha = app.office_with_users("alpha").await;
    behind_the_logs_back(
        &app,
        "delete from audit_event where tenant_id = $1 and seq = 2",
        alpha.id,
    )
    .await;
    let mut tx = xiaoneng::db::begin_tenant(&app.pool, alpha.id)
        .await
        .unwrap();
    let report = audit::verify_chain(&mut tx).await.unwrap();
    assert_eq!(
        report.first_break,
        Some(Break::Missing {
            expected_seq: 2,
            found_seq: 3
        })
    );
}

#[tokio::test]
async fn office_staff_read_the_audit_log_newest_first() {
    let app = spawn_app().await;
    app.office_with_users("alpha").await;
    let mut client = app.client();
    client.login("alpha", "liaison", "wrong").await;
    let mut staff = app.logged_in("alpha", "office_staff").await;
    let page = staff.get("/alpha/audit").await;
    assert_eq!(page.status, StatusCode::OK);
    let login = page
        .body
        .find("<td data-label=\"操作\" class=\"nowrap\">登录</td>")
        .unwrap();
    let failed = page.body.find("登录失败").unwrap();
    assert!(login < failed, "newest first");
    page.assert_contains("用户名: liaison");
    page.assert_contains("192.0.2.10");

    // the newest page, just read, shows the next event at once
    client.login("alpha", "leader", "wrong").await;
    let again = staff.get("/alpha/audit").await;
    again.assert_contains("用户名: leader");
}

/// Runs `statement` (with the office id as $1) with the append-only triggers switched off, as
/// only someone holding the database's superuser powers could.
async fn behind_the_logs_back(app: &crate::common::TestApp, statement: &str, office: uuid::Uuid) {
    let mut conn = app.connection().await;
    let mut tx = conn.begin().await.unwrap();
    sqlx::query("set local session_replication_role = replica")
        .execute(&mut *tx)
        .await
        .unwrap();
    sqlx::query(statement)
        .bind(office)
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
}
