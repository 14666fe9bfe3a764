//! Role guards and user administration.

use axum::http::StatusCode;
use uuid::Uuid;

use crate::common::{PASSWORD, spawn_app};

#[tokio::test]
async fn each_route_admits_exactly_its_roles_and_denies_the_others_with_404() {
    let app = spawn_app().await;
    app.office_with_users("alpha").await;
    let cases = [
        (
            "/alpha",
            [
                "office_admin",
                "office_staff",
                "leader",
                "supervisor",
                "liaison",
            ]
            .as_slice(),
        ),
        (
            "/alpha/account/password",
            &[
                "office_admin",
                "office_staff",
                "leader",
                "supervisor",
                "liaison",
            ],
        ),
        ("/alpha/users", &["office_admin"]),
        ("/alpha/users/new", &["office_admin"]),
        ("/alpha/api-keys", &["office_admin"]),
        ("/alpha/audit", &["office_admin", "office_staff"]),
    ];
    for role in [
        "office_admin",
        "office_staff",
        "leader",
        "supervisor",
        "liaison",
    ] {
        let mut client = app.logged_in("alpha", role).await;
        for (path, admitted) in cases {
            let page = client.get(path).await;
            let expected = if admitted.contains(&role) {
                StatusCode::OK
            } else {
                StatusCode::NOT_FOUND
            };
            assert_eq!(page.status, expected, "{role} GET {path}");
        }
    }
}

#[tokio::test]
async fn the_navigation_shows_each_role_only_what_it_may_open() {
    let app = spawn_app().await;
    app.office_with_users("alpha").await;
    let mut admin = app.logged_in("alpha", "office_admin").await;
    let page = admin.get("/alpha").await;
    page.assert_contains("href=\"/alpha/users\"");
    page.assert_contains("href=\"/alpha/audit\"");
    let mut liaison = app.logged_in("alpha", "liaison").await;
    let page = liaison.get("/alpha").await;
    assert!(!page.body.contains("href=\"/alpha/users\""));
    assert!(!page.body.contains("href=\"/alpha/audit\""));
    page.assert_contains("href=\"/alpha/account/password\"");
}

#[tokio::test]
async fn a_leader_can_change_nothing_in_user_administration() {
    let app = spawn_app().await;
    app.office_with_users("alpha").await;
    let staff: Uuid = sqlx::query_scalar("select id from app_user where username = 'office_staff'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let mut leader = app.logged_in("alpha", "leader").await;
    for path in [
        format!("/alpha/users/{staff}/disable"),
        format!("/alpha/users/{staff}/reset-password"),
    ] {
        assert_eq!(
            leader
                .post(&path, &[("new_password", "whatever123")])
                .await
                .status,
            StatusCode::NOT_FOUND
        );
    }
    let created = leader
        .post(
            "/alpha/users",
            &[
                ("username", "sneaky"),
                ("display_name", "x"),
                ("role", "office_admin"),
            ],
        )
        .await;
    assert_eq!(created.status, StatusCode::NOT_FOUND);
    assert_eq!(
        app.scalar_i64(
            "select count(*) from app_user where disabled_at is not null or username = 'sneaky'"
        )
        .await,
        0
    );
}

#[tokio::test]
async fn an_admin_creates_a_user_whose_generated_password_is_shown_once_and_works() {
    let app = spawn_app().await;
    app.office_with_users("alpha").await;
    let mut admin = app.logged_in("alpha", "office_admin").await;
    let created = admin
        .post(
            "/alpha/users",
            &[
                ("username", "Zhang.San"),
                ("display_name", "张三"),
                ("role", "office_staff"),
                ("unit_id", ""),
                ("password", ""),
            ],
        )
        .await;
    // The generated password is on this response only.
    assert_eq!(created.status, StatusCode::OK);
    created.assert_contains("用户已创建");
    created.assert_contains("<code>zhang.san</code>");
    let marker = "<code class=\"secret\">";
    let start = created.body.find(marker).unwrap() + marker.len();
    let password: String = created.body[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric())
        .collect();
    assert_eq!(password.len(), 16);
    let user_page = created.body.find("href=\"/alpha/users/").unwrap() + "href=\"".len();
    let href: String = created.body[user_page..]
        .chars()
        .take_while(|c| *c != '"')
        .collect();
    let page = admin.get(&href).await;
    page.assert_contains("张三");
    page.assert_contains("效能办工作人员");
    assert!(!page.body.contains(&password), "shown once");
    page.assert_contains("创建用户"); // the history shows the creation
    let mut newcomer = app.client();
    assert_eq!(
        newcomer.login("alpha", "ZHANG.SAN", &password).await.status,
        StatusCode::SEE_OTHER
    );
    let first = newcomer.get("/alpha").await;
    assert_eq!(
        first.location(),
        "/alpha/account/password",
        "a password set by someone else must be changed"
    );
    let logged = app.scalar_i64("select count(*) from audit_event where action = 'user.create' and actor_name = 'office_admin'").await;
    assert_eq!(logged, 1);
}

#[tokio::test]
async fn a_user_form_with_errors_keeps_what_was_typed_and_names_each_problem() {
    let app = spawn_app().await;
    app.office_with_users("alpha").await;
    let mut admin = app.logged_in("alpha", "office_admin").await;
    let page = admin
        .post(
            "/alpha/users",
            &[
                ("username", "王五"),
                ("display_name", "王五"),
                ("role", "liaison"),
                ("unit_id", ""),
                ("password", "short"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    page.assert_contains("用户名只能包含小写字母、数字和 . _ - @");
    page.assert_contains("单位联络员须选择所属单位");
    page.assert_contains("密码至少需要 8 个字符");
    page.assert_contains("value=\"王五\"");
    page.assert_contains("<option value=\"liaison\" selected>");
    let taken = admin
        .post(
            "/alpha/users",
            &[
                ("username", "leader"),
                ("display_name", "重名"),
                ("role", "leader"),
                ("password", ""),
            ],
        )
        .await;
    assert_eq!(taken.status, StatusCode::UNPROCESSABLE_ENTITY);
    taken.assert_contains("该用户名已被使用");
    taken.assert_contains("value=\"重名\"");
    assert_eq!(app.scalar_i64("select count(*) from app_user").await, 5);
}

#[tokio::test]
async fn a_liaison_is_created_with_a_unit_of_the_office() {
    let app = spawn_app().await;
    app.office_with_users("alpha").await;
    let unit: Uuid = sqlx::query_scalar("select id from unit where code = 'u1'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let mut admin = app.logged_in("alpha", "office_admin").await;
    let form = admin.get("/alpha/users/new").await;
    form.assert_contains("u1 第一单位");
    let unit_text = unit.to_string();
    let created = admin
        .post(
            "/alpha/users",
            &[
                ("username", "lianluo2"),
                ("display_name", "联络二"),
                ("role", "liaison"),
                ("unit_id", &unit_text),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER);
    let stored: Option<Uuid> =
        sqlx::query_scalar("select unit_id from app_user where username = 'lianluo2'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(stored, Some(unit));
    let bogus = Uuid::now_v7().to_string();
    let refused = admin
        .post(
            "/alpha/users",
            &[
                ("username", "lianluo3"),
                ("display_name", "联络三"),
                ("role", "liaison"),
                ("unit_id", &bogus),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn an_admin_cannot_disable_their_own_account() {
    let app = spawn_app().await;
    app.office_with_users("alpha").await;
    let me: Uuid = sqlx::query_scalar("select id from app_user where username = 'office_admin'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let mut admin = app.logged_in("alpha", "office_admin").await;
    let page = admin.post(&format!("/alpha/users/{me}/disable"), &[]).await;
    admin
        .get(page.location())
        .await
        .assert_contains("不能停用您自己的账号");
    assert_eq!(
        app.scalar_i64("select count(*) from app_user where disabled_at is not null")
            .await,
        0
    );
}

#[tokio::test]
async fn the_user_list_searches_and_filters_by_role() {
    let app = spawn_app().await;
    app.office_with_users("alpha").await;
    let mut admin = app.logged_in("alpha", "office_admin").await;
    let all = admin.get("/alpha/users").await;
    all.assert_contains("共 5 个用户");
    let search = admin.get("/alpha/users?q=super").await;
    search.assert_contains("共 1 个用户");
    search.assert_contains(">supervisor<");
    let by_role = admin.get("/alpha/users?role=liaison").await;
    by_role.assert_contains("共 1 个用户");
    by_role.assert_contains("第一单位");
    let wildcard = admin.get("/alpha/users?q=%25").await;
    wildcard.assert_contains("共 0 个用户");
}

#[tokio::test]
async fn a_malformed_or_unknown_user_id_is_a_404_and_a_huge_page_number_is_harmless() {
    let app = spawn_app().await;
    app.office_with_users("alpha").await;
    let mut admin = app.logged_in("alpha", "office_admin").await;
    assert_eq!(
        admin.get("/alpha/users/not-a-uuid").await.status,
        StatusCode::NOT_FOUND
    );
    let unknown = format!("/alpha/users/{}", Uuid::now_v7());
    assert_eq!(admin.get(&unknown).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        admin.post(&format!("{unknown}/disable"), &[]).await.status,
        StatusCode::NOT_FOUND
    );
    let far = admin.get("/alpha/users?page=9223372036854775807").await;
    assert_eq!(far.status, StatusCode::OK);
}

#[tokio::test]
async fn a_form_posted_after_the_session_ended_returns_to_its_page_after_login() {
    let app = spawn_app().await;
    app.office_with_users("alpha").await;
    let staff: Uuid = sqlx::query_scalar("select id from app_user where username = 'office_staff'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let mut admin = app.logged_in("alpha", "office_admin").await;
    sqlx::query("delete from session")
        .execute(&app.pool)
        .await
        .unwrap();
    let page_of_form = format!("/alpha/users/{staff}");
    admin
        .headers
        .push(("referer".into(), format!("http://localhost{page_of_form}")));
    let posted = admin.post(&format!("{page_of_form}/disable"), &[]).await;
    assert_eq!(posted.status, StatusCode::SEE_OTHER);
    let next: String = url::form_urlencoded::byte_serialize(page_of_form.as_bytes()).collect();
    assert_eq!(posted.location(), format!("/alpha/login?next={next}"));
    assert_eq!(
        app.scalar_i64("select count(*) from app_user where disabled_at is not null")
            .await,
        0
    );
}

#[tokio::test]
async fn an_administrator_moves_a_liaison_to_another_unit() {
    let app = spawn_app().await;
    let office = app.office_with_users("alpha").await;
    let other = app.create_unit(&office, "u2", "第二单位").await;
    let liaison: Uuid = sqlx::query_scalar("select id from app_user where username = 'liaison'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let mut admin = app.logged_in("alpha", "office_admin").await;
    let page = admin.get(&format!("/alpha/users/{liaison}")).await;
    page.assert_contains("调整所属单位");
    let moved = admin
        .post(
            &format!("/alpha/users/{liaison}/unit"),
            &[("unit_id", &other.to_string())],
        )
        .await;
    assert_eq!(moved.status, StatusCode::SEE_OTHER);
    let stored: Option<Uuid> =
        sqlx::query_scalar("select unit_id from app_user where username = 'liaison'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(stored, Some(other));
    let mut liaison_client = app.logged_in("alpha", "liaison").await;
    assert_eq!(
        liaison_client
            .get(&format!("/alpha/units/{other}"))
            .await
            .status,
        StatusCode::OK
    );
    let staff: Uuid = sqlx::query_scalar("select id from app_user where username = 'office_staff'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    admin
        .post(
            &format!("/alpha/users/{staff}/unit"),
            &[("unit_id", &other.to_string())],
        )
        .await;
    assert_eq!(
        app.scalar_i64("select count(*) from app_user where unit_id is not null")
            .await,
        1,
        "only liaisons have units"
    );
}
