//! Supervisors, certificates and groups (INS-02, INS-08).

use axum::http::StatusCode;
use sqlx::Connection;
use uuid::Uuid;

use crate::common::{Client, TestApp, spawn_app};

async fn id_of(app: &TestApp, sql: &str) -> Uuid {
    sqlx::query_scalar(sql).fetch_one(&app.pool).await.unwrap()
}

/// Recommends `name` for unit u1 as office staff; returns the supervisor page's path.
pub async fn recommend(
    staff: &mut Client,
    unit: Uuid,
    work_unit: Option<Uuid>,
    name: &str,
) -> String {
    let unit = unit.to_string();
    let work = work_unit.map(|u| u.to_string()).unwrap_or_default();
    let page = staff
        .post(
            "/alpha/supervisors",
            &[
                ("name", name),
                ("recommended_by_unit_id", &unit),
                ("work_unit_id", &work),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    page.location().to_string()
}

pub async fn approve(staff: &mut Client, path: &str, from: &str, until: &str) {
    let page = staff
        .post(
            &format!("{path}/approve"),
            &[("valid_from", from), ("valid_until", until)],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
}

#[tokio::test]
async fn ins_02_a_recommendation_is_approved_once_with_a_numbered_certificate() {
    let app = spawn_app().await;
    app.office_with_users("alpha").await;
    let unit = id_of(&app, "select id from unit where code = 'u1'").await;
    let mut staff = app.logged_in("alpha", "office_staff").await;
    let first = recommend(&mut staff, unit, None, "陈一").await;
    let second = recommend(&mut staff, unit, None, "陈二").await;
    staff.get(&first).await.assert_contains("待审核");
    approve(&mut staff, &first, "2026-01-01", "2026-12-31").await;
    approve(&mut staff, &second, "2026-03-01", "2027-02-28").await;
    let page = staff.get(&first).await;
    page.assert_contains("2026-001");
    page.assert_contains("已批准");
    staff.get(&second).await.assert_contains("2026-002");
    let again = staff
        .post(
            &format!("{first}/approve"),
            &[("valid_from", "2026-01-01"), ("valid_until", "2026-12-31")],
        )
        .await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    again.assert_contains("该监督员的状态已变化");
    let third = recommend(&mut staff, unit, None, "陈三").await;
    let no_reason = staff
        .post(&format!("{third}/decline"), &[("note", "")])
        .await;
    no_reason.assert_contains("请填写理由");
    staff
        .post(&format!("{third}/decline"), &[("note", "不符合条件")])
        .await;
    staff.get(&third).await.assert_contains("未通过");
    let actions: Vec<String> = sqlx::query_scalar(
        "select action from audit_event where action like 'supervisor.%' order by seq",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(
        actions
            .iter()
            .filter(|a| *a == "supervisor.approve")
            .count(),
        2
    );
    assert_eq!(
        actions
            .iter()
            .filter(|a| *a == "supervisor.decline")
            .count(),
        1
    );
}

#[tokio::test]
async fn ins_02_a_liaison_recommends_for_its_own_unit_only_and_sees_only_those() {
    let app = spawn_app().await;
    let office = app.office_with_users("alpha").await;
    let own = id_of(&app, "select id from unit where code = 'u1'").await;
    let other = app.create_unit(&office, "u2", "第二单位").await;
    let mut staff = app.logged_in("alpha", "office_staff").await;
    let theirs = recommend(&mut staff, other, None, "外单位推荐").await;
    let mut liaison = app.logged_in("alpha", "liaison").await;
    let form = liaison.get("/alpha/supervisors/new").await;
    form.assert_contains("第一单位");
    let refused = liaison
        .post(
            "/alpha/supervisors",
            &[
                ("name", "冒名"),
                ("recommended_by_unit_id", &other.to_string()),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND);
    let ok = liaison
        .post("/alpha/supervisors", &[("name", "本单位推荐")])
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    let stored = id_of(
        &app,
        "select recommended_by_unit_id from supervisor where name = '本单位推荐'",
    )
    .await;
    assert_eq!(stored, own);
    let list = liaison.get("/alpha/supervisors").await;
    list.assert_contains("本单位推荐");
    assert!(!list.body.contains("外单位推荐"));
    assert_eq!(liaison.get(&theirs).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        liaison
            .post(
                &format!("{theirs}/approve"),
                &[("valid_from", "2026-01-01"), ("valid_until", "2026-12-31")]
            )
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn ins_08_anyone_verifies_a_certificate_and_learns_whether_it_is_valid_today() {
    let app = spawn_app().await;
    app.office_with_users("alpha").await;
    let unit = id_of(&app, "select id from unit where code = 'u1'").await;
    let mut staff = app.logged_in("alpha", "office_staff").await;
    let valid = recommend(&mut staff, unit, None, "有效证").await;
    approve(&mut staff, &valid, "2026-01-01", "2030-12-31").await;
    let expired = recommend(&mut staff, unit, None, "过期证").await;
    approve(&mut staff, &expired, "2021-01-01", "2021-12-31").await;
    let revoked = recommend(&mut staff, unit, None, "撤销证").await;
    approve(&mut staff, &revoked, "2026-01-01", "2030-12-31").await;
    staff
        .post(&format!("{revoked}/revoke"), &[("note", "人员调离")])
        .await;

    let mut public = app.client();
    let form = public.get("/alpha/verify?number=2026-001").await;
    assert_eq!(form.location(), "/alpha/verify/2026-001");
    let ok = public.get("/alpha/verify/2026-001").await;
    assert_eq!(ok.status, StatusCode::OK);
    ok.assert_contains("有效。");
    ok.assert_contains("有*证"); // half hidden
    assert!(!ok.body.contains("有效证"));
    public
        .get("/alpha/verify/2021-001")
        .await
        .assert_contains("已过期");
    public
        .get("/alpha/verify/2026-002")
        .await
        .assert_contains("已撤销");
    public
        .get("/alpha/verify/1999-999")
        .await
        .assert_contains("查无此证");
    // A certificate of another office is not this office's.
    let beta = app.office_with_users("beta").await;
    let _ = beta;
    public
        .get("/beta/verify/2026-001")
        .await
        .assert_contains("查无此证");
}

#[tokio::test]
async fn ins_08_the_printable_certificate_carries_a_qr_code_to_the_verification_page() {
    let app = spawn_app().await;
    app.office_with_users("alpha").await;
    let unit = id_of(&app, "select id from unit where code = 'u1'").await;
    let mut staff = app.logged_in("alpha", "office_staff").await;
    let path = recommend(&mut staff, unit, None, "打印证").await;
    approve(&mut staff, &path, "2026-01-01", "2026-12-31").await;
    staff
        .headers
        .push(("host".into(), "xiaoneng.example.gov.cn".into()));
    let page = staff.get(&format!("{path}/certificate")).await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_contains("效能督查工作证");
    page.assert_contains("http://xiaoneng.example.gov.cn/alpha/verify/2026-001");
    page.assert_contains("/certificate/qr.svg");
    let card = staff.get(&format!("{path}/certificate?size=card")).await;
    card.assert_contains("certificate card-size");
    let qr = staff.get(&format!("{path}/certificate/qr.svg")).await;
    assert_eq!(qr.header("content-type"), "image/svg+xml");
    assert!(qr.body.contains("<svg"));
    staff
        .post(&format!("{path}/revoke"), &[("note", "调离")])
        .await;
    assert_eq!(
        staff.get(&format!("{path}/certificate")).await.status,
        StatusCode::NOT_FOUND,
        "revoked: never printed again"
    );
}

#[tokio::test]
async fn ins_02_the_database_refuses_a_group_with_no_leader_or_two() {
    let app = spawn_app().await;
    let office = app.office_with_users("alpha").await;
    let unit = id_of(&app, "select id from unit where code = 'u1'").await;
    let mut staff = app.logged_in("alpha", "office_staff").await;
    for name in ["甲", "乙"] {
        let path = recommend(&mut staff, unit, None, name).await;
        approve(&mut staff, &path, "2026-01-01", "2026-12-31").await;
    }
    let a = id_of(&app, "select id from supervisor where name = '甲'").await;
    let b = id_of(&app, "select id from supervisor where name = '乙'").await;
    for leaders in [(false, false), (true, true)] {
        let mut conn = app.connection().await;
        let mut tx = conn.begin().await.unwrap();
        xiaoneng::db::enter_tenant(&mut tx, office.id)
            .await
            .unwrap();
        let group = Uuid::now_v7();
        sqlx::query("insert into supervisor_group (tenant_id, id, name) values ($1, $2, 'x')")
            .bind(office.id)
            .bind(group)
            .execute(&mut *tx)
            .await
            .unwrap();
        let mut refused = false;
        for (member, leader) in [(a, leaders.0), (b, leaders.1)] {
            let inserted = sqlx::query("insert into group_member (tenant_id, group_id, supervisor_id, is_leader) values ($1, $2, $3, $4)")
                .bind(office.id)
                .bind(group)
                .bind(member)
                .bind(leader)
                .execute(&mut *tx)
                .await;
            refused |= inserted.is_err();
        }
        let committed = if refused {
            Err(())
        } else {
            tx.commit().await.map_err(|_| ())
        };
        assert!(committed.is_err(), "leaders {leaders:?} must be refused");
    }
    assert_eq!(
        app.scalar_i64("select count(*) from supervisor_group")
            .await,
        0
    );
}

#[tokio::test]
async fn ins_02_a_group_is_formed_with_one_leader_and_recusal_is_enforced() {
    let app = spawn_app().await;
    let office = app.office_with_users("alpha").await;
    let u1 = id_of(&app, "select id from unit where code = 'u1'").await;
    let u2 = app.create_unit(&office, "u2", "第二单位").await;
    let mut staff = app.logged_in("alpha", "office_staff").await;
    for (name, work) in [("张组长", None), ("李队员", Some(u2))] {
        let path = recommend(&mut staff, u1, work, name).await;
        approve(&mut staff, &path, "2026-01-01", "2026-12-31").await;
    }
    let leader = id_of(&app, "select id from supervisor where name = '张组长'")
        .await
        .to_string();
    let member = id_of(&app, "select id from supervisor where name = '李队员'")
        .await
        .to_string();
    let no_leader = staff
        .post(
            "/alpha/groups",
            &[("name", "第一组"), ("member", &leader), ("member", &member)],
        )
        .await;
    assert_eq!(no_leader.status, StatusCode::UNPROCESSABLE_ENTITY);
    no_leader.assert_contains("每个小组必须有且只有一名组长");
    no_leader.assert_contains("value=\"第一组\"");
    let recused = staff
        .post(
            "/alpha/groups",
            &[
                ("name", "第二单位检查组"),
                ("unit_id", &u2.to_string()),
                ("member", &member),
                ("leader", &leader),
            ],
        )
        .await;
    assert_eq!(recused.status, StatusCode::UNPROCESSABLE_ENTITY);
    recused.assert_contains("李队员 在被查单位工作或由该单位推荐，须回避");
    let recommended_by = staff
        .post(
            "/alpha/groups",
            &[
                ("name", "第一单位检查组"),
                ("unit_id", &u1.to_string()),
                ("leader", &leader),
            ],
        )
        .await;
    recommended_by.assert_contains("张组长 在被查单位工作或由该单位推荐，须回避");
    let bad_period = staff
        .post(
            "/alpha/groups",
            &[
                ("name", "第一组"),
                ("leader", &leader),
                ("starts_on", "2026-12-31"),
                ("ends_on", "2026-01-01"),
            ],
        )
        .await;
    bad_period.assert_contains("请填写有效的起止日期");
    let formed = staff
        .post(
            "/alpha/groups",
            &[
                ("name", "第一组"),
                ("member", &member),
                ("leader", &leader),
                ("starts_on", "2026-03-01"),
                ("ends_on", "2026-06-30"),
            ],
        )
        .await;
    assert_eq!(formed.status, StatusCode::SEE_OTHER);
    let list = staff.get("/alpha/groups").await;
    list.assert_contains("第一组");
    list.assert_contains("<td data-label=\"组长\">张组长</td>");
    list.assert_contains("2026-03-01 ~ 2026-06-30");
    assert_eq!(app.scalar_i64("select count(*) from group_member").await, 2);
    let mut leader_role = app.logged_in("alpha", "leader").await;
    assert_eq!(
        leader_role.get("/alpha/groups").await.status,
        StatusCode::OK
    );
    assert_eq!(
        leader_role
            .post("/alpha/groups", &[("name", "x"), ("leader", &leader)])
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn an_administrator_links_a_supervisor_to_a_supervisor_account() {
    let app = spawn_app().await;
    app.office_with_users("alpha").await;
    let unit = id_of(&app, "select id from unit where code = 'u1'").await;
    let mut admin = app.logged_in("alpha", "office_admin").await;
    let path = recommend(&mut admin, unit, None, "账号关联").await;
    approve(&mut admin, &path, "2026-01-01", "2026-12-31").await;
    let account = id_of(
        &app,
        "select id from app_user where username = 'supervisor'",
    )
    .await
    .to_string();
    let wrong = id_of(&app, "select id from app_user where username = 'leader'")
        .await
        .to_string();
    admin
        .post(&format!("{path}/user"), &[("user_id", &wrong)])
        .await;
    admin
        .get(&path)
        .await
        .assert_contains("该账号不是监督员账号");
    admin
        .post(&format!("{path}/user"), &[("user_id", &account)])
        .await;
    let page = admin.get(&path).await;
    // the linked account by its person's name, not its login name
    page.assert_contains("<dd>supervisor 姓名</dd>");
    let mut supervisor = app.logged_in("alpha", "supervisor").await;
    assert_eq!(
        supervisor.get("/alpha/supervisors").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        supervisor
            .post(&format!("{path}/revoke"), &[("note", "x")])
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}
