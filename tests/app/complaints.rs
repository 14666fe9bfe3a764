//! Complaints, part 1 (CMP-02 to CMP-13): office staff log complaints from every channel, accept
//! or refuse them with similar ones in view, and route them; the unit's liaison signs for them and
//! may return one out of remit within 3 working days.

use axum::http::StatusCode;
use uuid::Uuid;

use crate::common::{Client, TestApp, spawn_app};
use crate::scores::pairs;
use crate::tasks::id_of;

/// An office with 2026 open and u1 (the liaison's) and u2 on its list.
pub async fn office_with_units(app: &TestApp) {
    crate::scores::office_with_year(app).await;
}

use crate::home::at;

/// A complaint about `unit` by phone from a service recipient, with this matter.
pub fn by_phone(unit: Uuid, matter: &str) -> Vec<(&'static str, String)> {
    vec![
        ("channel", "complaint_hotline".into()),
        ("unit_id", unit.to_string()),
        ("matter", matter.into()),
        (
            "reasons",
            "承诺5个工作日办结，实际等了15个工作日仍未办结。".into(),
        ),
        ("category", "delay".into()),
        ("relation", "recipient".into()),
        ("complainant_name", "张三".into()),
        ("complainant_phone", "13800000000".into()),
    ]
}

/// Staff log the complaint; its id.
pub async fn log(app: &TestApp, staff: &mut Client, form: &[(&'static str, String)]) -> Uuid {
    let logged = send(staff, "/alpha/complaints", &pairs(form)).await;
    assert_eq!(logged.status, StatusCode::SEE_OTHER, "{}", logged.body);
    id_of(
        app,
        "select id from complaint order by created_at desc, number desc limit 1",
    )
    .await
}

/// Sends a form as the complaint forms do: multipart, here without files.
pub async fn send(client: &mut Client, path: &str, fields: &[(&str, &str)]) -> crate::common::Page {
    client.post_files(path, fields, &[]).await
}

pub async fn act(client: &mut Client, id: Uuid, form: &[(&str, &str)]) -> crate::common::Page {
    client
        .post(&format!("/alpha/complaints/{id}/act"), form)
        .await
}

#[tokio::test]
async fn cmp_02_a_complaint_without_unit_matter_or_reasons_is_refused_and_keeps_what_was_typed() {
    let app = spawn_app().await;
    office_with_units(&app).await;
    let mut staff = app.logged_in("alpha", "office_staff").await;
    let refused = send(
        &mut staff,
        "/alpha/complaints",
        &[
            ("channel", "complaint_hotline"),
            ("category", "attitude"),
            ("relation", "recipient"),
            ("complainant_name", "李四"),
            ("reasons", "窗口人员态度恶劣"),
        ],
    )
    .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    refused.assert_contains("请选择被投诉单位");
    refused.assert_contains("请填写投诉事项");
    refused.assert_contains("窗口人员态度恶劣");
    refused.assert_contains("李四");
    // CMP-02: in person, it comes with evidence
    let u1 = id_of(&app, "select id from unit where code = 'u1'").await;
    let mut visit = by_phone(u1, "办事大厅无人值守");
    visit[0].1 = "visit".into();
    let bare = send(&mut staff, "/alpha/complaints", &pairs(&visit)).await;
    assert_eq!(bare.status, StatusCode::UNPROCESSABLE_ENTITY);
    bare.assert_contains("来访、来信和网上投诉须提供证据");
    // a unit of another office is no unit of this one
    let other = app.office_with_users("beta").await;
    let theirs = app.create_unit(&other, "b1", "他办单位").await;
    let foreign = send(
        &mut staff,
        "/alpha/complaints",
        &pairs(&by_phone(theirs, "办理超时")),
    )
    .await;
    assert_eq!(foreign.status, StatusCode::UNPROCESSABLE_ENTITY);
    // nothing was recorded, and a 100,000-character field is refused, not cut
    let mut long = by_phone(u1, "办理超时");
    long[3].1 = "长".repeat(100_000);
    let too_long = send(&mut staff, "/alpha/complaints", &pairs(&long)).await;
    assert_eq!(too_long.status, StatusCode::UNPROCESSABLE_ENTITY);
    too_long.assert_contains("该栏内容过长");
    assert_eq!(app.scalar_i64("select count(*) from complaint").await, 0);
}

#[tokio::test]
async fn cmp_03_staff_log_a_complaint_with_its_channel_number_and_who_logged_it() {
    let app = spawn_app().await;
    office_with_units(&app).await;
    let u1 = id_of(&app, "select id from unit where code = 'u1'").await;
    let mut staff = app.logged_in("alpha", "office_staff").await;
    let mut form = by_phone(u1, "不动产登记超时");
    form[0].1 = "hotline_12345".into();
    let id = log(&app, &mut staff, &form).await;
    let page = staff.get(&format!("/alpha/complaints/{id}")).await;
    page.assert_contains("效投〔2026〕0001号");
    page.assert_contains("12345 热线");
    page.assert_contains("不动产登记超时");
    page.assert_contains("13800000000");
    let second = log(&app, &mut staff, &by_phone(u1, "另一件事")).await;
    staff
        .get(&format!("/alpha/complaints/{second}"))
        .await
        .assert_contains("效投〔2026〕0002号");
    // the list shows both, and filters by channel
    let list = staff.get("/alpha/complaints?channel=hotline_12345").await;
    list.assert_contains("不动产登记超时");
    assert!(!list.body.contains("另一件事"));
    // viewing the complainant's contact is logged
    assert!(
        app.scalar_i64("select count(*) from audit_event where action = 'complaint.contact_view'")
            .await
            >= 1
    );
    // a complaint is never deleted
    let deleted = sqlx::query("delete from complaint")
        .execute(&app.pool)
        .await;
    assert!(deleted.is_err());
}

#[tokio::test]
async fn cmp_05_an_anonymous_complaint_is_a_suggestion_passed_to_the_unit_for_reference() {
    let app = spawn_app().await;
    office_with_units(&app).await;
    let u1 = id_of(&app, "select id from unit where code = 'u1'").await;
    let mut staff = app.logged_in("alpha", "office_staff").await;
    let mut form = by_phone(u1, "建议延长午间办公时间");
    form[5].1 = "anonymous".into();
    let id = log(&app, &mut staff, &form).await;
    let page = staff.get(&format!("/alpha/complaints/{id}")).await;
    page.assert_contains("效能工作建议");
    assert!(
        !page.body.contains("13800000000"),
        "anonymous: no contact kept"
    );
    let u1s = u1.to_string();
    let assigned = act(&mut staff, id, &[("do", "assign"), ("unit_id", &u1s)]).await;
    assert_eq!(assigned.status, StatusCode::UNPROCESSABLE_ENTITY);
    assigned.assert_contains("这是效能工作建议");
    let forwarded = act(&mut staff, id, &[("do", "forward"), ("unit_id", &u1s)]).await;
    assert_eq!(
        forwarded.status,
        StatusCode::SEE_OTHER,
        "{}",
        forwarded.body
    );
    let mut liaison = app.logged_in("alpha", "liaison").await;
    let ack = act(&mut liaison, id, &[("do", "acknowledge")]).await;
    assert_eq!(ack.status, StatusCode::SEE_OTHER, "{}", ack.body);
    liaison
        .get(&format!("/alpha/complaints/{id}"))
        .await
        .assert_contains("单位已阅知");
}

#[tokio::test]
async fn cmp_08_the_office_assigns_the_unit_signs_and_the_office_urges_and_transfers() {
    let app = spawn_app().await;
    office_with_units(&app).await;
    let u1 = id_of(&app, "select id from unit where code = 'u1'").await;
    let u2 = id_of(&app, "select id from unit where code = 'u2'").await;
    let mut staff = app.logged_in("alpha", "office_staff").await;
    let id = log(&app, &mut staff, &by_phone(u1, "窗口推诿")).await;
    let mut liaison = app.logged_in("alpha", "liaison").await;
    let early = liaison.get(&format!("/alpha/complaints/{id}")).await;
    assert_eq!(
        early.status,
        StatusCode::NOT_FOUND,
        "not before it is assigned"
    );
    let u1s = u1.to_string();
    let assigned = act(&mut staff, id, &[("do", "assign"), ("unit_id", &u1s)]).await;
    assert_eq!(assigned.status, StatusCode::SEE_OTHER, "{}", assigned.body);
    let page = liaison.get(&format!("/alpha/complaints/{id}")).await;
    page.assert_contains("签收");
    assert!(
        !page.body.contains("13800000000"),
        "the complainant did not allow contact"
    );
    // the unit does not route, and the office does not sign
    assert_eq!(
        act(&mut liaison, id, &[("do", "urge"), ("note", "x")])
            .await
            .status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let signed = act(&mut liaison, id, &[("do", "sign")]).await;
    assert_eq!(signed.status, StatusCode::SEE_OTHER, "{}", signed.body);
    let status: String = sqlx::query_scalar("select status from complaint")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(status, "signed");
    let silent = act(&mut staff, id, &[("do", "urge"), ("note", " ")]).await;
    assert_eq!(silent.status, StatusCode::UNPROCESSABLE_ENTITY);
    let urged = act(&mut staff, id, &[("do", "urge"), ("note", "请加快办理")]).await;
    assert_eq!(urged.status, StatusCode::SEE_OTHER);
    let u2s = u2.to_string();
    let moved = act(
        &mut staff,
        id,
        &[
            ("do", "transfer"),
            ("unit_id", &u2s),
            ("note", "属第二单位职责"),
        ],
    )
    .await;
    assert_eq!(moved.status, StatusCode::SEE_OTHER, "{}", moved.body);
    let page = staff.get(&format!("/alpha/complaints/{id}")).await;
    for step in [
        "受理并交办",
        "单位签收",
        "催办",
        "请加快办理",
        "转办",
        "属第二单位职责",
    ] {
        page.assert_contains(step);
    }
    // the first unit holds it no more
    let gone = liaison.get(&format!("/alpha/complaints/{id}")).await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
    // leaders read and change nothing
    let mut leader = app.logged_in("alpha", "leader").await;
    leader
        .get(&format!("/alpha/complaints/{id}"))
        .await
        .assert_contains("窗口推诿");
    let by_leader = act(&mut leader, id, &[("do", "urge"), ("note", "x")]).await;
    assert_eq!(by_leader.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn cmp_11_a_return_on_the_3rd_working_day_is_accepted_and_on_the_4th_refused() {
    // signed on Wednesday 30 September 2026: the National Day holiday runs 1 to 7 October, then
    // Thursday 8 is working day 1, Friday 9 day 2, Saturday 10 (a make-up working day) day 3, and
    // Monday 12 day 4
    for (day, accepted) in [("2026-10-10 17:30", true), ("2026-10-12 09:00", false)] {
        let app = spawn_app().await;
        office_with_units(&app).await;
        let u1 = id_of(&app, "select id from unit where code = 'u1'").await;
        app.clock.set(at("2026-09-30 10:00"));
        let mut staff = app.logged_in("alpha", "office_staff").await;
        let id = log(&app, &mut staff, &by_phone(u1, "证照办理超时")).await;
        let u1s = u1.to_string();
        act(&mut staff, id, &[("do", "assign"), ("unit_id", &u1s)]).await;
        let mut liaison = app.logged_in("alpha", "liaison").await;
        act(&mut liaison, id, &[("do", "sign")]).await;
        liaison
            .get(&format!("/alpha/complaints/{id}"))
            .await
            .assert_contains("可在 2026-10-10 23:59 前退回");
        // days later: both sign in again
        app.clock.set(at(day));
        let mut liaison = app.logged_in("alpha", "liaison").await;
        let mut staff = app.logged_in("alpha", "office_staff").await;
        let returned = act(
            &mut liaison,
            id,
            &[("do", "return"), ("note", "该事项属第二单位职责")],
        )
        .await;
        if accepted {
            assert_eq!(
                returned.status,
                StatusCode::SEE_OTHER,
                "{day}: {}",
                returned.body
            );
            // the office rules it is the unit's after all
            let upheld = act(
                &mut staff,
                id,
                &[
                    ("do", "uphold"),
                    ("note", "经市委编办2026年10月12日认定，属本单位职责"),
                ],
            )
            .await;
            assert_eq!(upheld.status, StatusCode::SEE_OTHER, "{}", upheld.body);
            assert!(upheld.location().ends_with(&id.to_string()));
        } else {
            assert_eq!(returned.status, StatusCode::UNPROCESSABLE_ENTITY, "{day}");
            returned.assert_contains("已超过签收后 3 个工作日");
        }
        let status: String = sqlx::query_scalar("select status from complaint")
            .fetch_one(&app.pool)
            .await
            .unwrap();
        assert_eq!(status, "signed", "{day}");
    }
}

#[tokio::test]
async fn cmp_13_the_office_sees_similar_complaints_and_a_refused_one_is_kept_with_its_reason() {
    let app = spawn_app().await;
    office_with_units(&app).await;
    let u1 = id_of(&app, "select id from unit where code = 'u1'").await;
    let mut staff = app.logged_in("alpha", "office_staff").await;
    let first = log(
        &app,
        &mut staff,
        &by_phone(u1, "不动产登记办理超过承诺时限"),
    )
    .await;
    let mut again = by_phone(u1, "不动产登记办理超过承诺时限仍未办结");
    again[7].1 = "13900000000".into();
    let second = log(&app, &mut staff, &again).await;
    let page = staff.get(&format!("/alpha/complaints/{second}")).await;
    page.assert_contains("相似投诉");
    page.assert_contains(&format!("/alpha/complaints/{first}"));
    let refused = act(
        &mut staff,
        second,
        &[
            ("do", "refuse"),
            ("reason", "in_progress"),
            ("note", "同一事项已于效投〔2026〕0001号受理，正在办理"),
        ],
    )
    .await;
    assert_eq!(refused.status, StatusCode::SEE_OTHER, "{}", refused.body);
    let page = staff.get(&format!("/alpha/complaints/{second}")).await;
    page.assert_contains("已受理或正在办理");
    page.assert_contains("同一事项已于效投〔2026〕0001号受理");
    let kept: (String, String) =
        sqlx::query_as("select status, refusal_reason from complaint where id = $1")
            .bind(second)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(kept, ("refused".into(), "in_progress".into()));
    let bogus = act(&mut staff, first, &[("do", "refuse"), ("reason", "bored")]).await;
    assert_eq!(bogus.status, StatusCode::UNPROCESSABLE_ENTITY);
}

/// The public form's fields for a complaint about `unit` from a service recipient.
fn online(unit: Uuid) -> Vec<(&'static str, String)> {
    vec![
        ("unit_id", unit.to_string()),
        ("matter", "营业执照办理超过承诺时限".into()),
        (
            "reasons",
            "11月3日提交材料，承诺3个工作日，至今未办结。".into(),
        ),
        ("category", "delay".into()),
        ("evidence_note", "受理回执一张，在本人手中".into()),
        ("relation", "recipient".into()),
        ("complainant_name", "王五".into()),
        ("complainant_phone", "13700000000".into()),
        ("website", String::new()),
    ]
}

/// The tracking code a filed page shows.
fn code_on(body: &str) -> String {
    body.split("id=\"tracking-code\">")
        .nth(1)
        .and_then(|rest| rest.split('<').next())
        .expect("a tracking code on the page")
        .to_string()
}

#[tokio::test]
async fn cmp_03_anyone_files_online_and_follows_it_with_a_tracking_code_shown_once() {
    let app = spawn_app().await;
    office_with_units(&app).await;
    let u1 = id_of(&app, "select id from unit where code = 'u1'").await;
    let mut citizen = app.client();
    let form = citizen.get("/alpha/complain?unit=u1").await;
    assert_eq!(form.status, StatusCode::OK);
    form.assert_contains(&format!("<option value=\"{u1}\" selected>"));
    // CMP-02: online, it comes with evidence; what was typed is kept
    let mut bare = online(u1);
    bare[4].1 = String::new();
    let refused = send(&mut citizen, "/alpha/complain", &pairs(&bare)).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    refused.assert_contains("来访、来信和网上投诉须提供证据");
    refused.assert_contains("11月3日提交材料");
    let filed = send(&mut citizen, "/alpha/complain", &pairs(&online(u1))).await;
    assert_eq!(filed.status, StatusCode::CREATED, "{}", filed.body);
    assert_eq!(filed.header("cache-control"), "no-store");
    filed.assert_contains("效投〔2026〕0001号");
    let code = code_on(&filed.body);
    filed.assert_contains("<svg");
    // stored only as its digest
    let letters = code.replace('-', "");
    let stored = app
        .scalar_i64(&format!(
            "select count(*) from complaint where tracking_hash = encode(sha256('{letters}'), 'hex')
                and channel = 'online' and logged_by is null"
        ))
        .await;
    assert_eq!(stored, 1);
    assert_eq!(
        app.scalar_i64(&format!(
            "select count(*) from complaint where row_to_json(complaint)::text like '%{letters}%'"
        ))
        .await,
        0
    );
    let tracked = citizen.get(&format!("/alpha/track?code={code}")).await;
    assert_eq!(tracked.status, StatusCode::OK);
    tracked.assert_contains("效投〔2026〕0001号");
    tracked.assert_contains("待受理");
    // the office accepts and assigns; the tracking page shows it, never who did it
    let mut staff = app.logged_in("alpha", "office_staff").await;
    let id = id_of(&app, "select id from complaint").await;
    let u1s = u1.to_string();
    act(
        &mut staff,
        id,
        &[
            ("do", "assign"),
            ("unit_id", &u1s),
            ("note", "内部意见：从严"),
        ],
    )
    .await;
    let tracked = citizen
        .get(&format!("/alpha/track?code={}", code.to_lowercase()))
        .await;
    tracked.assert_contains("受理并交办");
    tracked.assert_contains("第一单位");
    assert!(
        !tracked.body.contains("office_staff 姓名"),
        "no staff names"
    );
    assert!(!tracked.body.contains("内部意见"), "no internal notes");
    assert!(!tracked.body.contains("13700000000"), "no contact details");
}

#[tokio::test]
async fn cmp_03_the_honeypot_and_floods_are_refused_and_wrong_codes_are_limited_alike() {
    let app = spawn_app().await;
    office_with_units(&app).await;
    let u1 = id_of(&app, "select id from unit where code = 'u1'").await;
    let mut robot = app.client();
    let mut form = online(u1);
    form[8].1 = "http://spam.example".into();
    let caught = send(&mut robot, "/alpha/complain", &pairs(&form)).await;
    assert_eq!(caught.status, StatusCode::BAD_REQUEST);
    assert_eq!(app.scalar_i64("select count(*) from complaint").await, 0);
    // ten an hour from one address, then the form says to wait and keeps what was typed
    let mut citizen = app.client();
    for _ in 0..10 {
        let filed = send(&mut citizen, "/alpha/complain", &pairs(&online(u1))).await;
        assert_eq!(filed.status, StatusCode::CREATED);
    }
    let flood = send(&mut citizen, "/alpha/complain", &pairs(&online(u1))).await;
    assert_eq!(flood.status, StatusCode::TOO_MANY_REQUESTS);
    flood.assert_contains("营业执照办理超过承诺时限");
    assert_eq!(app.scalar_i64("select count(*) from complaint").await, 10);
    // a malformed code and well-formed unknown ones answer alike, never echoing what was typed
    let mut first = None;
    for (i, code) in ["ABCD-EFGH-JKMN-PR", "xyz", "2345-6789-ABCD-EF"]
        .iter()
        .cycle()
        .take(20)
        .enumerate()
    {
        let page = citizen.get(&format!("/alpha/track?code={code}")).await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "try {i}");
        page.assert_contains("没有找到这个查询码对应的投诉");
        let answer = page.body;
        assert_eq!(first.get_or_insert(answer.clone()), &answer, "try {i}");
    }
    let limited = citizen.get("/alpha/track?code=ABCD-EFGH-JKMN-PQ").await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    limited.assert_contains("查询次数过多");
}

#[tokio::test]
async fn the_complaints_list_exports_what_its_filters_show_and_a_liaison_only_its_units() {
    let app = spawn_app().await;
    office_with_units(&app).await;
    let u1 = id_of(&app, "select id from unit where code = 'u1'").await;
    let u2 = id_of(&app, "select id from unit where code = 'u2'").await;
    let mut staff = app.logged_in("alpha", "office_staff").await;
    let mut hotline = by_phone(u1, "热线反映窗口推诿");
    hotline[0].1 = "hotline_12345".into();
    log(&app, &mut staff, &hotline).await;
    let id = log(&app, &mut staff, &by_phone(u2, "电话反映办理超时")).await;
    let page = staff.get("/alpha/complaints?channel=hotline_12345").await;
    page.assert_contains("/alpha/complaints/export.xlsx?channel=hotline_12345");
    let (status, _, bytes) = staff
        .get_bytes("/alpha/complaints/export.xlsx?channel=hotline_12345")
        .await;
    assert_eq!(status, StatusCode::OK);
    let rows = crate::exports::xlsx_rows(&bytes);
    assert_eq!(rows[0][0], "编号");
    assert_eq!(
        rows.len(),
        2,
        "the header and the one complaint the page shows"
    );
    assert_eq!(rows[1][0], "效投〔2026〕0001号");
    assert_eq!(rows[1][3], "热线反映窗口推诿");
    // the liaison of u1 exports only what its unit holds
    let u2s = u2.to_string();
    act(&mut staff, id, &[("do", "assign"), ("unit_id", &u2s)]).await;
    let mut liaison = app.logged_in("alpha", "liaison").await;
    let (_, _, bytes) = liaison.get_bytes("/alpha/complaints/export.xlsx").await;
    let rows = crate::exports::xlsx_rows(&bytes);
    assert!(
        rows.iter()
            .all(|r| !r.contains(&"电话反映办理超时".to_string()))
    );
}

#[tokio::test]
async fn cmp_03_a_tracking_code_of_another_office_leads_nowhere_here() {
    let app = spawn_app().await;
    office_with_units(&app).await;
    app.office_with_users("beta").await;
    let mut admin = app.logged_in("beta", "office_admin").await;
    admin.post("/beta/years", &[("year", "2026")]).await;
    sqlx::query(
        "insert into assessment_unit (tenant_id, assessment_year_id, unit_id)
         select u.tenant_id, y.id, u.id from unit u join assessment_year y on y.tenant_id = u.tenant_id
         on conflict do nothing",
    )
    .execute(&app.pool)
    .await
    .unwrap();
    let theirs: Uuid = sqlx::query_scalar(
        "select u.id from unit u join office o on o.id = u.tenant_id where o.code = 'beta'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let mut citizen = app.client();
    let filed = send(&mut citizen, "/beta/complain", &pairs(&online(theirs))).await;
    assert_eq!(filed.status, StatusCode::CREATED, "{}", filed.body);
    let code = code_on(&filed.body);
    let home = citizen.get(&format!("/beta/track?code={code}")).await;
    assert_eq!(home.status, StatusCode::OK);
    let elsewhere = citizen.get(&format!("/alpha/track?code={code}")).await;
    assert_eq!(elsewhere.status, StatusCode::UNPROCESSABLE_ENTITY);
    elsewhere.assert_contains("没有找到这个查询码对应的投诉");
    assert!(!elsewhere.body.contains("营业执照办理超过承诺时限"));
}

#[tokio::test]
async fn cmp_02_a_photo_filed_online_is_evidence_and_an_svg_is_refused_with_the_text_kept() {
    let app = spawn_app().await;
    office_with_units(&app).await;
    let u1 = id_of(&app, "select id from unit where code = 'u1'").await;
    let mut citizen = app.client();
    let form = citizen.get("/alpha/complain").await;
    form.assert_contains("enctype=\"multipart/form-data\"");
    form.assert_contains("最多 3 张");
    let mut fields = online(u1);
    fields[4].1 = String::new();
    // an SVG is no photo: refused by name, nothing stored, everything typed kept
    let svg: &[u8] = b"<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>";
    let refused = citizen
        .post_files(
            "/alpha/complain",
            &pairs(&fields),
            &[("poster.svg", "image/svg+xml", svg)],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    refused.assert_contains("poster.svg");
    refused.assert_contains("不接受 SVG 文件");
    refused.assert_contains("11月3日提交材料");
    assert_eq!(app.scalar_i64("select count(*) from complaint").await, 0);
    assert_eq!(app.scalar_i64("select count(*) from evidence").await, 0);
    // more files than the form takes
    let photo = crate::findings::jpeg(Some("2026:11:30 09:00:00"));
    let four = [
        ("1.jpg", "image/jpeg", photo.as_slice()),
        ("2.jpg", "image/jpeg", photo.as_slice()),
        ("3.jpg", "image/jpeg", photo.as_slice()),
        ("4.jpg", "image/jpeg", photo.as_slice()),
    ];
    let many = citizen
        .post_files("/alpha/complain", &pairs(&fields), &four)
        .await;
    assert_eq!(many.status, StatusCode::UNPROCESSABLE_ENTITY);
    many.assert_contains("最多可上传 3 个文件");
    assert_eq!(app.scalar_i64("select count(*) from evidence").await, 0);
    // a photo is the evidence (CMP-02): stored write-once with its hash, no user behind it
    let filed = citizen
        .post_files(
            "/alpha/complain",
            &pairs(&fields),
            &[("大厅.jpg", "image/jpeg", photo.as_slice())],
        )
        .await;
    assert_eq!(filed.status, StatusCode::CREATED, "{}", filed.body);
    let stored = app
        .scalar_i64(
            "select count(*) from evidence e join complaint c on c.id = e.complaint_id
              where e.purpose = 'complaint' and e.uploaded_by is null and e.client_addr <> ''
                and e.sha256 ~ '^[0-9a-f]{64}$' and e.original_name = '大厅.jpg'",
        )
        .await;
    assert_eq!(stored, 1);
    let id = id_of(&app, "select id from complaint").await;
    let file = id_of(&app, "select id from evidence").await;
    let mut staff = app.logged_in("alpha", "office_staff").await;
    staff
        .get(&format!("/alpha/complaints/{id}"))
        .await
        .assert_contains(&format!("/alpha/evidence/{file}"));
    assert_eq!(
        staff.get(&format!("/alpha/evidence/{file}")).await.status,
        StatusCode::OK
    );
    // the unit sees it once the complaint is its own, not before
    let mut liaison = app.logged_in("alpha", "liaison").await;
    let early = liaison.get(&format!("/alpha/evidence/{file}")).await;
    assert_eq!(early.status, StatusCode::NOT_FOUND);
    let u1s = u1.to_string();
    act(&mut staff, id, &[("do", "assign"), ("unit_id", &u1s)]).await;
    assert_eq!(
        liaison.get(&format!("/alpha/evidence/{file}")).await.status,
        StatusCode::OK
    );
    // INS-09: write-once
    let mut conn = app.connection().await;
    let changed = sqlx::query("update evidence set original_name = 'x.jpg'")
        .execute(&mut conn)
        .await;
    assert!(changed.is_err());
}

#[tokio::test]
async fn cmp_02_staff_pick_the_people_named_from_the_units_staff() {
    let app = spawn_app().await;
    office_with_units(&app).await;
    let u1 = id_of(&app, "select id from unit where code = 'u1'").await;
    let u2 = id_of(&app, "select id from unit where code = 'u2'").await;
    let mut conn = app.connection().await;
    let tenant = id_of(&app, "select id from office where code = 'alpha'").await;
    let (mine, theirs) = (Uuid::new_v4(), Uuid::new_v4());
    for (id, unit, name) in [(mine, u1, "窗口甲"), (theirs, u2, "他单位乙")] {
        sqlx::query(
            "insert into staff_member (tenant_id, id, unit_id, name, post, employment)
             values ($1, $2, $3, $4, '窗口受理员', 'regular')",
        )
        .bind(tenant)
        .bind(id)
        .bind(unit)
        .bind(name)
        .execute(&mut conn)
        .await
        .unwrap();
    }
    let mut staff = app.logged_in("alpha", "office_staff").await;
    let choices = staff
        .get(&format!("/alpha/complaints/staff?unit_id={u1}"))
        .await;
    assert_eq!(choices.status, StatusCode::OK);
    choices.assert_contains("窗口甲");
    assert!(!choices.body.contains("他单位乙"));
    let mut form = by_phone(u1, "窗口推诿");
    form.push(("staff_id", mine.to_string()));
    // a name of another unit's staff is not stored as this unit's
    form.push(("staff_id", theirs.to_string()));
    form.push(("people", "保安（姓名不详）".into()));
    let id = log(&app, &mut staff, &form).await;
    let named = app
        .scalar_string(&format!(
            "select string_agg(name || ':' || coalesce(staff_id::text, '-'), ',' order by position)
               from complaint_person where complaint_id = '{id}'"
        ))
        .await;
    assert_eq!(named, format!("窗口甲:{mine},保安（姓名不详）:-"));
    staff
        .get(&format!("/alpha/complaints/{id}"))
        .await
        .assert_contains("窗口甲、保安（姓名不详）");
}

#[tokio::test]
async fn cmp_11_the_staffing_commissions_ruling_is_recorded_and_routes_the_complaint() {
    let app = spawn_app().await;
    office_with_units(&app).await;
    let u1 = id_of(&app, "select id from unit where code = 'u1'").await;
    let u2 = id_of(&app, "select id from unit where code = 'u2'").await;
    app.clock.set(at("2026-11-30 10:00"));
    let mut staff = app.logged_in("alpha", "office_staff").await;
    let id = log(&app, &mut staff, &by_phone(u1, "不动产登记推诿")).await;
    let (u1s, u2s) = (u1.to_string(), u2.to_string());
    act(&mut staff, id, &[("do", "assign"), ("unit_id", &u1s)]).await;
    let mut liaison = app.logged_in("alpha", "liaison").await;
    act(&mut liaison, id, &[("do", "sign")]).await;
    let returned = act(
        &mut liaison,
        id,
        &[("do", "return"), ("note", "属第二单位职责")],
    )
    .await;
    assert_eq!(returned.status, StatusCode::SEE_OTHER, "{}", returned.body);
    // the ruling needs its date (not in the future) and document number
    let no_number = act(
        &mut staff,
        id,
        &[
            ("do", "rule"),
            ("unit_id", &u2s),
            ("ruled_on", "2026-11-29"),
        ],
    )
    .await;
    assert_eq!(no_number.status, StatusCode::UNPROCESSABLE_ENTITY);
    no_number.assert_contains("请填写认定文件的文号");
    let future = act(
        &mut staff,
        id,
        &[
            ("do", "rule"),
            ("unit_id", &u2s),
            ("ruled_on", "2026-12-30"),
            ("document_number", "宣编办〔2026〕12号"),
        ],
    )
    .await;
    assert_eq!(future.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        app.scalar_i64("select count(*) from complaint_ruling")
            .await,
        0
    );
    let ruled = act(
        &mut staff,
        id,
        &[
            ("do", "rule"),
            ("unit_id", &u2s),
            ("ruled_on", "2026-11-29"),
            ("document_number", "宣编办〔2026〕12号"),
            ("note", "经会商"),
        ],
    )
    .await;
    assert_eq!(ruled.status, StatusCode::SEE_OTHER, "{}", ruled.body);
    let row = app
        .scalar_string(&format!(
            "select r.ruled_on || ' ' || r.document_number || ' ' || b.code || '>' || u.code
               from complaint_ruling r join unit b on b.id = r.returned_by
               join unit u on u.id = r.competent_unit_id where r.complaint_id = '{id}'"
        ))
        .await;
    assert_eq!(row, "2026-11-29 宣编办〔2026〕12号 u1>u2");
    // the competent unit now has it to sign for; the page shows the ruling
    let status = app
        .scalar_string("select status || ' ' || (signed_at is null) from complaint")
        .await;
    assert_eq!(status, "assigned true");
    let page = staff.get(&format!("/alpha/complaints/{id}")).await;
    page.assert_contains("市委编办 宣编办〔2026〕12号 认定");
    page.assert_contains("2026年11月29日");
    // kept, never changed
    let mut conn = app.connection().await;
    assert!(
        sqlx::query("update complaint_ruling set document_number = 'x'")
            .execute(&mut conn)
            .await
            .is_err()
    );
}

#[tokio::test]
async fn cmp_09_signing_sets_the_handling_period_and_the_list_finds_the_overdue_and_the_period() {
    let app = spawn_app().await;
    office_with_units(&app).await;
    let u1 = id_of(&app, "select id from unit where code = 'u1'").await;
    // signed on Friday 20 November 2026: ten working days end on Friday 4 December
    app.clock.set(at("2026-11-20 09:00"));
    let mut staff = app.logged_in("alpha", "office_staff").await;
    let id = log(&app, &mut staff, &by_phone(u1, "社保转移超时")).await;
    let other = log(&app, &mut staff, &by_phone(u1, "窗口态度差")).await;
    let u1s = u1.to_string();
    act(&mut staff, id, &[("do", "assign"), ("unit_id", &u1s)]).await;
    let mut liaison = app.logged_in("alpha", "liaison").await;
    act(&mut liaison, id, &[("do", "sign")]).await;
    let page = liaison.get(&format!("/alpha/complaints/{id}")).await;
    page.assert_contains("2026-12-04 23:59");
    app.clock.set(at("2026-12-07 09:00"));
    let mut staff = app.logged_in("alpha", "office_staff").await;
    let overdue = staff.get("/alpha/complaints?overdue=1").await;
    overdue.assert_contains("社保转移超时");
    assert!(!overdue.body.contains("窗口态度差"));
    let export = staff.get("/alpha/complaints/export.csv?overdue=1").await;
    assert!(export.body.contains("社保转移超时") && !export.body.contains("窗口态度差"));
    // the period is in the office's days, both ends included
    let within = staff
        .get("/alpha/complaints?from=2026-11-20&to=2026-11-20")
        .await;
    within.assert_contains(&other.to_string());
    let before = staff.get("/alpha/complaints?to=2026-11-19").await;
    assert!(!before.body.contains(&other.to_string()));
    before.assert_contains("value=\"2026-11-19\"");
}
