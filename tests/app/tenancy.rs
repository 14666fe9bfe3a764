//! Isolation between offices: URLs, row-level security, the restricted role, pooled connections.

use axum::http::{Method, StatusCode};
use sqlx::Connection;
use uuid::Uuid;

use crate::common::{Page, spawn_app};

/// The error page without its reference (the request id differs on every request).
fn without_reference(page: &Page) -> String {
    let mut body = page.body.clone();
    if let Some(start) = body.find("<code>")
        && let Some(end) = body[start..].find("</code>")
    {
        body.replace_range(start..start + end, "<code>");
    }
    // The language switch links to the page itself.
    match (
        body.find("class=\"lang-switch\" href=\""),
        body.find("hreflang="),
    ) {
        (Some(start), Some(end)) if start < end => body.replace_range(start..end, ""),
        _ => {}
    }
    body
}

#[tokio::test]
async fn a_user_of_one_office_gets_the_missing_page_404_on_every_route_of_another() {
    let app = spawn_app().await;
    app.office_with_users("alpha").await;
    app.office_with_users("beta").await;
    let beta_user: Uuid = sqlx::query_scalar(
        "select u.id from app_user u join office o on o.id = u.tenant_id where o.code = 'beta' and u.username = 'leader'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let mut beta_admin = app.logged_in("beta", "office_admin").await;
    beta_admin.post("/beta/years", &[("year", "2026")]).await;
    let beta_item: Uuid = sqlx::query_scalar("select id from deduction_item where code = 'D01'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let beta_unit: Uuid = sqlx::query_scalar(
        "select u.id from unit u join office o on o.id = u.tenant_id where o.code = 'beta'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let mut admin = app.logged_in("alpha", "office_admin").await;
    let missing = admin.get("/alpha/no-such-page").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    let expected = without_reference(&missing);

    // Every route of routes.rs, with office beta's own ids.
    let user = format!("/beta/users/{beta_user}");
    let routes: Vec<(Method, String)> = vec![
        (Method::GET, "/beta".into()),
        (Method::GET, "/beta/".into()),
        (Method::GET, "/beta/login".into()),
        (Method::POST, "/beta/login".into()),
        (Method::POST, "/beta/logout".into()),
        (Method::GET, "/beta/account/password".into()),
        (Method::POST, "/beta/account/password".into()),
        (Method::GET, "/beta/users".into()),
        (Method::POST, "/beta/users".into()),
        (Method::GET, "/beta/users/new".into()),
        (Method::GET, user.clone()),
        (Method::POST, format!("{user}/disable")),
        (Method::POST, format!("{user}/enable")),
        (Method::POST, format!("{user}/reset-password")),
        (Method::POST, format!("{user}/unit")),
        (Method::GET, "/beta/audit".into()),
        (Method::GET, "/beta/audit/export.csv".into()),
        (Method::GET, "/beta/years".into()),
        (Method::POST, "/beta/years".into()),
        (Method::POST, "/beta/years/2026/close".into()),
        (Method::POST, "/beta/years/2026/reopen".into()),
        (Method::GET, "/beta/years/2026/catalog".into()),
        (Method::POST, "/beta/years/2026/catalog".into()),
        (Method::GET, "/beta/years/2026/catalog/new".into()),
        (Method::GET, format!("/beta/years/2026/catalog/{beta_item}")),
        (
            Method::POST,
            format!("/beta/years/2026/catalog/{beta_item}"),
        ),
        (
            Method::POST,
            format!("/beta/years/2026/catalog/{beta_item}/retire"),
        ),
        (
            Method::POST,
            format!("/beta/years/2026/catalog/{beta_item}/restore"),
        ),
        (Method::GET, "/beta/units".into()),
        (Method::POST, "/beta/units".into()),
        (Method::GET, "/beta/units/new".into()),
        (Method::GET, "/beta/units/import".into()),
        (Method::POST, "/beta/units/import".into()),
        (Method::GET, "/beta/units/export.csv".into()),
        (Method::GET, "/beta/staff/export.csv".into()),
        (Method::GET, format!("/beta/units/{beta_unit}")),
        (Method::POST, format!("/beta/units/{beta_unit}")),
        (Method::GET, format!("/beta/units/{beta_unit}/edit")),
        (Method::POST, format!("/beta/units/{beta_unit}/listing")),
        (Method::POST, format!("/beta/units/{beta_unit}/staff")),
        (
            Method::POST,
            format!("/beta/units/{beta_unit}/staff/{beta_unit}/leave"),
        ),
        (
            Method::POST,
            format!("/beta/units/{beta_unit}/staff/{beta_unit}/return"),
        ),
        (Method::GET, "/beta/supervisors".into()),
        (Method::GET, "/beta/supervisors/export.xlsx".into()),
        (Method::POST, "/beta/supervisors".into()),
        (Method::GET, "/beta/supervisors/new".into()),
        (Method::GET, format!("/beta/supervisors/{beta_unit}")),
        (
            Method::POST,
            format!("/beta/supervisors/{beta_unit}/approve"),
        ),
        (
            Method::POST,
            format!("/beta/supervisors/{beta_unit}/decline"),
        ),
        (
            Method::POST,
            format!("/beta/supervisors/{beta_unit}/revoke"),
        ),
        (Method::POST, format!("/beta/supervisors/{beta_unit}/user")),
        (
            Method::GET,
            format!("/beta/supervisors/{beta_unit}/certificate"),
        ),
        (
            Method::GET,
            format!("/beta/supervisors/{beta_unit}/certificate/qr.svg"),
        ),
        (Method::GET, "/beta/groups".into()),
        (Method::POST, "/beta/groups".into()),
        (Method::GET, "/beta/verify".into()),
        (Method::GET, "/beta/verify/2026-001".into()),
        (Method::GET, "/beta/years/2026/draws".into()),
        (Method::POST, "/beta/years/2026/draws".into()),
        (Method::GET, format!("/beta/draws/{beta_unit}")),
        (Method::GET, "/beta/self-reports".into()),
        (Method::POST, "/beta/self-reports".into()),
        (Method::GET, "/beta/years/2026/self-reports".into()),
        (
            Method::GET,
            "/beta/years/2026/self-reports/export.csv".into(),
        ),
        (Method::GET, "/beta/years/2026/tasks".into()),
        (Method::POST, "/beta/years/2026/tasks".into()),
        (Method::GET, "/beta/years/2026/coverage".into()),
        (Method::GET, "/beta/years/2026/coverage/export.xlsx".into()),
        (Method::GET, "/beta/years/2026/rounds".into()),
        (Method::POST, "/beta/years/2026/rounds".into()),
        (Method::GET, format!("/beta/rounds/{beta_unit}")),
        (Method::POST, format!("/beta/rounds/{beta_unit}/omissions")),
        (Method::POST, format!("/beta/rounds/{beta_unit}/fix")),
        (Method::GET, "/beta/tasks".into()),
        (Method::GET, format!("/beta/tasks/{beta_unit}")),
        (Method::POST, format!("/beta/tasks/{beta_unit}/findings")),
        (Method::POST, format!("/beta/tasks/{beta_unit}/signoff")),
        (Method::POST, format!("/beta/tasks/{beta_unit}/submit")),
        (Method::GET, format!("/beta/findings/{beta_unit}")),
        (Method::POST, format!("/beta/findings/{beta_unit}")),
        (Method::POST, format!("/beta/findings/{beta_unit}/withdraw")),
        (Method::POST, format!("/beta/findings/{beta_unit}/evidence")),
        (Method::POST, format!("/beta/findings/{beta_unit}/decision")),
        (Method::GET, format!("/beta/evidence/{beta_unit}")),
        (Method::GET, format!("/beta/evidence/{beta_unit}/content")),
        (Method::GET, format!("/beta/evidence/{beta_unit}/thumbnail")),
        (Method::GET, "/beta/review".into()),
        (Method::GET, "/beta/dashboard".into()),
        (Method::GET, "/beta/years/2026/ranking".into()),
        (Method::GET, "/beta/years/2026/findings".into()),
        (Method::GET, "/beta/notices".into()),
        (Method::GET, "/beta/overview".into()),
        (Method::GET, format!("/beta/notices/{beta_unit}")),
        (Method::GET, format!("/beta/notices/{beta_unit}/pdf")),
        (Method::GET, format!("/beta/interviews/{beta_unit}/pdf")),
        (Method::GET, format!("/beta/bulletins/{beta_unit}/pdf")),
        (Method::POST, format!("/beta/notices/{beta_unit}/reports")),
        (
            Method::POST,
            format!("/beta/notices/{beta_unit}/report/decision"),
        ),
        (Method::GET, "/beta/inbox".into()),
        (Method::POST, "/beta/inbox/read".into()),
        (Method::POST, "/beta/inbox/email".into()),
        (Method::POST, format!("/beta/inbox/{beta_unit}/open")),
        (Method::POST, format!("/beta/notices/{beta_unit}/appeal")),
        (
            Method::POST,
            format!("/beta/notices/{beta_unit}/appeal/decision"),
        ),
        (Method::GET, format!("/beta/tasks/{beta_unit}/notice")),
        (Method::POST, format!("/beta/tasks/{beta_unit}/notice")),
        (Method::GET, "/beta/unit-findings".into()),
        (Method::GET, "/beta/interviews".into()),
        (Method::GET, "/beta/interviews/export.csv".into()),
        (Method::POST, "/beta/interviews".into()),
        (Method::GET, "/beta/interviews/new".into()),
        (Method::GET, format!("/beta/interviews/{beta_unit}")),
        (Method::POST, format!("/beta/interviews/{beta_unit}")),
        (Method::GET, format!("/beta/interviews/{beta_unit}/edit")),
        (
            Method::POST,
            format!("/beta/interviews/{beta_unit}/minutes"),
        ),
        (Method::POST, format!("/beta/interviews/{beta_unit}/cancel")),
        (
            Method::POST,
            format!("/beta/interviews/{beta_unit}/actions"),
        ),
        (
            Method::POST,
            format!("/beta/interviews/{beta_unit}/actions/{beta_unit}/done"),
        ),
        (Method::GET, "/beta/bulletins".into()),
        (Method::GET, "/beta/bulletins/export.xlsx".into()),
        (
            Method::GET,
            format!("/beta/bulletins/{beta_unit}/receipts/export.csv"),
        ),
        (Method::POST, "/beta/bulletins".into()),
        (Method::GET, "/beta/bulletins/new".into()),
        (Method::GET, format!("/beta/bulletins/{beta_unit}")),
        (Method::POST, format!("/beta/bulletins/{beta_unit}")),
        (Method::GET, format!("/beta/bulletins/{beta_unit}/edit")),
        (Method::POST, format!("/beta/bulletins/{beta_unit}/publish")),
        (Method::GET, "/beta/api-keys".into()),
        (Method::POST, "/beta/api-keys".into()),
        (Method::GET, "/beta/api-keys/new".into()),
        (Method::POST, format!("/beta/api-keys/{beta_unit}/revoke")),
        (Method::GET, "/beta/settings".into()),
        (Method::POST, "/beta/settings".into()),
        (Method::GET, "/beta/channels".into()),
        (Method::GET, "/beta/calendar".into()),
        (Method::POST, "/beta/calendar/days".into()),
        (Method::POST, "/beta/calendar/years".into()),
        (Method::GET, "/beta/no-such-page".into()),
    ];
    for (method, path) in routes {
        let form =
            (method == Method::POST).then_some(&[("username", "leader"), ("password", "x")][..]);
        let page = admin.request(method.clone(), &path, form).await;
        let page = if path == "/beta/" {
            // The trailing-slash form redirects to the office home, which is then 404 too.
            assert_eq!(page.status, StatusCode::PERMANENT_REDIRECT);
            admin.get(page.location()).await
        } else {
            page
        };
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{method} {path}");
        assert_eq!(
            without_reference(&page),
            expected,
            "{method} {path} must look like a missing page"
        );
    }
    // Nothing of beta changed.
    let disabled = app
        .scalar_i64("select count(*) from app_user where disabled_at is not null")
        .await;
    assert_eq!(disabled, 0);
    // And beta's objects are not reachable through alpha's URLs either.
    assert_eq!(
        admin.get(&format!("/alpha/users/{beta_user}")).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        admin
            .post(&format!("/alpha/users/{beta_user}/disable"), &[])
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn an_unknown_office_is_a_404() {
    let app = spawn_app().await;
    let page = app.client().get("/nowhere/login").await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    page.assert_contains("页面不存在");
}

#[tokio::test]
async fn every_table_with_tenant_id_has_forced_row_level_security_with_using_and_with_check() {
    let app = spawn_app().await;
    let tables: Vec<(String, bool, bool)> = sqlx::query_as(
        "select c.relname::text, c.relrowsecurity, c.relforcerowsecurity
           from pg_class c
           join pg_namespace n on n.oid = c.relnamespace
          where n.nspname = 'public' and c.relkind in ('r', 'p')
            and exists (select 1 from pg_attribute a
                         where a.attrelid = c.oid and a.attname = 'tenant_id' and not a.attisdropped)",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert!(tables.len() >= 4, "found {tables:?}");
    for (table, enabled, forced) in &tables {
        assert!(
            *enabled && *forced,
            "{table}: row-level security must be enabled and forced"
        );
        let policies: Vec<(Option<String>, Option<String>)> = sqlx::query_as(
            "select qual, with_check from pg_policies where schemaname = 'public' and tablename = $1 and cmd = 'ALL'",
        )
        .bind(table)
        .fetch_all(&app.pool)
        .await
        .unwrap();
        assert!(
            !policies.is_empty(),
            "{table} has no policy for all commands"
        );
        for (using, check) in policies {
            let using = using.unwrap_or_default();
            let check = check.unwrap_or_default();
            assert!(
                using.contains("app_tenant_id()") && check.contains("app_tenant_id()"),
                "{table}: {using} / {check}"
            );
        }
        // The key leads with tenant_id (DESIGN.md: the Citus co-location key).
        let key: String = sqlx::query_scalar(
            "select pg_get_constraintdef(oid) from pg_constraint where conrelid = $1::regclass and contype = 'p'",
        )
        .bind(table)
        .fetch_one(&app.pool)
        .await
        .unwrap();
        assert!(
            key.starts_with("PRIMARY KEY (tenant_id, ") || key == "PRIMARY KEY (tenant_id)",
            "{table}: {key}"
        );
    }
}

#[tokio::test]
async fn every_foreign_key_between_tenant_tables_includes_tenant_id() {
    let app = spawn_app().await;
    let keys: Vec<(String, String)> = sqlx::query_as(
        "select conrelid::regclass::text, pg_get_constraintdef(oid) from pg_constraint
          where contype = 'f' and connamespace = 'public'::regnamespace and confrelid <> 'office'::regclass",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert!(!keys.is_empty());
    for (table, def) in keys {
        assert!(
            def.starts_with("FOREIGN KEY (tenant_id, "),
            "{table}: {def}"
        );
    }
}

#[tokio::test]
async fn the_request_role_cannot_bypass_row_level_security_and_owns_nothing() {
    let app = spawn_app().await;
    let (superuser, bypass): (bool, bool) = sqlx::query_as(
        "select rolsuper, rolbypassrls from pg_roles where rolname = 'xiaoneng_app'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert!(!superuser && !bypass);
    let owned = app
        .scalar_i64(
            "select (select count(*) from pg_class where relowner = r.oid)
                  + (select count(*) from pg_proc where proowner = r.oid)
                  + (select count(*) from pg_namespace where nspowner = r.oid)
               from pg_roles r where r.rolname = 'xiaoneng_app'",
        )
        .await;
    assert_eq!(owned, 0);
}

#[tokio::test]
async fn the_request_role_reads_only_the_session_whose_id_the_request_holds_and_writes_none() {
    let app = spawn_app().await;
    let alpha = app.office_with_users("alpha").await;
    sqlx::query(
        "insert into session (id, data, expires_at) values
           ('held', '{}', now() + interval '1 hour'),
           ('other', '{}', now() + interval '1 hour')",
    )
    .execute(&app.pool)
    .await
    .unwrap();
    let sessions =
        || sqlx::query_scalar::<_, String>("select coalesce(string_agg(id, ','), '') from session");
    let mut tx = xiaoneng::db::begin_tenant(&app.pool, alpha.id)
        .await
        .unwrap();
    let seen = sessions().fetch_one(&mut *tx).await.unwrap();
    assert_eq!(
        seen, "",
        "a transaction that holds no session id reads none"
    );
    sqlx::query("select set_config('app.session_id', 'held', true)")
        .execute(&mut *tx)
        .await
        .unwrap();
    let seen = sessions().fetch_one(&mut *tx).await.unwrap();
    assert_eq!(seen, "held");
    let refused = sqlx::query("update session set data = '{}' where id = 'held'")
        .execute(&mut *tx)
        .await;
    let message = refused.err().map(|e| e.to_string()).unwrap_or_default();
    assert!(message.contains("permission denied"), "{message}");
}

#[tokio::test]
async fn a_transaction_without_a_tenant_sees_no_rows_even_for_a_superuser_connection() {
    let app = spawn_app().await;
    app.office_with_users("alpha").await;
    assert_eq!(
        app.scalar_i64("select count(*) from app_user").await,
        5,
        "the superuser sees all"
    );
    let mut conn = app.connection().await;
    let mut tx = conn.begin().await.unwrap();
    sqlx::query("select set_config('role', 'xiaoneng_app', true)")
        .execute(&mut *tx)
        .await
        .unwrap();
    let seen: i64 = sqlx::query_scalar("select count(*) from app_user")
        .fetch_one(&mut *tx)
        .await
        .unwrap();
    assert_eq!(seen, 0);
    let units: i64 = sqlx::query_scalar("select count(*) from unit")
        .fetch_one(&mut *tx)
        .await
        .unwrap();
    assert_eq!(units, 0);
}

#[tokio::test]
async fn no_tenant_setting_or_role_survives_a_transaction_on_a_pooled_connection() {
    let app = spawn_app().await;
    let alpha = app.office_with_users("alpha").await;
    let pool = sqlx::postgres::PgPoolOptions::new()
        .max_connections(1)
        .connect(&app.db_url)
        .await
        .unwrap();
    let mut tx = xiaoneng::db::begin_tenant(&pool, alpha.id).await.unwrap();
    let seen: i64 = sqlx::query_scalar("select count(*) from app_user")
        .fetch_one(&mut *tx)
        .await
        .unwrap();
    assert_eq!(seen, 5);
    let backend: i32 = sqlx::query_scalar("select pg_backend_pid()")
        .fetch_one(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();

    // The same physical connection, next transaction.
    let mut conn = pool.acquire().await.unwrap();
    let again: i32 = sqlx::query_scalar("select pg_backend_pid()")
        .fetch_one(&mut *conn)
        .await
        .unwrap();
    assert_eq!(backend, again, "the pool handed back the same connection");
    let (setting, user): (Option<String>, String) = sqlx::query_as(
        "select nullif(current_setting('app.tenant_id', true), ''), current_user::text",
    )
    .fetch_one(&mut *conn)
    .await
    .unwrap();
    assert_eq!(setting, None);
    assert_ne!(user, "xiaoneng_app");
    let mut tx = conn.begin().await.unwrap();
    sqlx::query("select set_config('role', 'xiaoneng_app', true)")
        .execute(&mut *tx)
        .await
        .unwrap();
    let seen: i64 = sqlx::query_scalar("select count(*) from app_user")
        .fetch_one(&mut *tx)
        .await
        .unwrap();
    assert_eq!(seen, 0, "no rows without a tenant");
}

#[tokio::test]
async fn a_tenant_transaction_cannot_write_a_row_for_another_office() {
    let app = spawn_app().await;
    let alpha = app.office_with_users("alpha").await;
    let beta = app.office_with_users("beta").await;
    let mut tx = xiaoneng::db::begin_tenant(&app.pool, alpha.id)
        .await
        .unwrap();
    let refused =
        sqlx::query("insert into unit (tenant_id, id, code, name) values ($1, $2, 'x', 'x')")
            .bind(beta.id)
            .bind(Uuid::now_v7())
            .execute(&mut *tx)
            .await;
    let message = refused.err().map(|e| e.to_string()).unwrap_or_default();
    assert!(message.contains("row-level security"), "{message}");
    drop(tx);

    let mut tx = xiaoneng::db::begin_tenant(&app.pool, alpha.id)
        .await
        .unwrap();
    let moved = sqlx::query("update app_user set tenant_id = $1")
        .bind(beta.id)
        .execute(&mut *tx)
        .await;
    assert!(moved.is_err(), "moving rows to another office is refused");
}

#[tokio::test]
async fn the_database_refuses_a_user_that_points_at_another_offices_unit() {
    let app = spawn_app().await;
    let alpha = app.office_with_users("alpha").await;
    let beta = app.create_office("beta", "乙").await;
    let beta_unit = app.create_unit(&beta, "b1", "乙单位").await;
    // Even the unrestricted user cannot: the foreign key includes tenant_id.
    let refused = sqlx::query(
        "insert into app_user (tenant_id, id, username, display_name, role, unit_id, password_hash)
         values ($1, $2, 'cross', 'x', 'liaison', $3, 'x')",
    )
    .bind(alpha.id)
    .bind(Uuid::now_v7())
    .bind(beta_unit)
    .execute(&app.pool)
    .await;
    let message = refused.err().map(|e| e.to_string()).unwrap_or_default();
    assert!(message.contains("app_user_unit_fkey"), "{message}");
}

#[tokio::test]
async fn inside_a_request_an_office_sees_only_its_own_office_row() {
    let app = spawn_app().await;
    let alpha = app.office_with_users("alpha").await;
    app.office_with_users("beta").await;
    let mut tx = xiaoneng::db::begin_tenant(&app.pool, alpha.id)
        .await
        .unwrap();
    let codes: Vec<String> = sqlx::query_scalar("select code from office")
        .fetch_all(&mut *tx)
        .await
        .unwrap();
    assert_eq!(codes, vec!["alpha".to_string()]);
}
