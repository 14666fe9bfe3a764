//! The complaints' APIs (CMP-03): the 12345 platform pushes work orders and reads them back
//! (`/api/v1/{office}/complaints`), and Open311 GeoReport v2 clients file and follow requests
//! (`/{office}/open311/v2/`). A key works only for its own office; bad input is refused by name
//! and records no complaint.

use axum::body::Body;
use axum::http::{Method, StatusCode};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::common::{Page, TestApp, spawn_app};
use crate::home::at;
use crate::tasks::id_of;

/// A key of `office` for another system, as an office admin creates it; the whole key.
async fn key_of(app: &TestApp, office: &str, name: &str) -> String {
    let office_id = id_of(
        app,
        &format!("select id from office where code = '{office}'"),
    )
    .await;
    let mut tx = xiaoneng::db::begin_tenant(&app.pool, office_id)
        .await
        .unwrap();
    let actor = xiaoneng::audit::Actor::system("test", app.clock.now());
    let created = xiaoneng::apikeys::create_key(&mut tx, office_id, &actor, None, name)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    created.issued.key
}

/// A call as another system makes it: `body` sent as `content_type`, with `key` as
/// `Authorization: Bearer`.
async fn call(
    app: &TestApp,
    (method, path): (Method, &str),
    key: Option<&str>,
    body: Option<(&str, Vec<u8>)>,
) -> Page {
    let mut client = app.client();
    client.headers = vec![("accept".into(), "application/json".into())];
    if let Some(key) = key {
        client
            .headers
            .push(("authorization".into(), format!("Bearer {key}")));
    }
    let body = match body {
        Some((content_type, bytes)) => {
            client
                .headers
                .push(("content-type".into(), content_type.into()));
            Body::from(bytes)
        }
        None => Body::empty(),
    };
    client.request_body(method, path, body).await
}

/// `POST /api/v1/alpha/complaints` with `order` as its JSON body.
async fn push(app: &TestApp, key: &str, order: &Value) -> Page {
    let body = serde_json::to_vec(order).unwrap();
    push_raw(app, key, body).await
}

async fn push_raw(app: &TestApp, key: &str, body: Vec<u8>) -> Page {
    let request = (Method::POST, "/api/v1/alpha/complaints");
    call(app, request, Some(key), Some(("application/json", body))).await
}

/// The answer's JSON, after checking it is JSON.
#[track_caller]
fn json_of(page: &Page) -> Value {
    assert!(
        page.header("content-type").starts_with("application/json"),
        "{} {}",
        page.status,
        page.body
    );
    serde_json::from_str(&page.body).expect("a JSON body")
}

/// The fields a JSON error names.
#[track_caller]
fn named_fields(page: &Page) -> Vec<String> {
    let body = json_of(page);
    body["error"]["fields"]
        .as_array()
        .map(|fields| {
            fields
                .iter()
                .map(|f| f["field"].as_str().unwrap_or_default().to_string())
                .collect()
        })
        .unwrap_or_default()
}

/// A work order from the 12345 platform about unit u1.
fn order(order_no: &str) -> Value {
    json!({
        "order_no": order_no,
        "unit": "u1",
        "matter": "办理不动产登记超过承诺时限",
        "reasons": "承诺5个工作日办结，实际等了15个工作日仍未办结。",
        "category": "delay",
        "received_at": "2026-12-01T09:30:00+08:00",
        "complainant": { "name": "张三", "phone": "13800000000", "relation": "recipient" }
    })
}

/// What the office holds: complaints, their timeline steps, and the audit log's entries.
async fn held(app: &TestApp) -> (i64, i64, i64) {
    (
        app.scalar_i64("select count(*) from complaint").await,
        app.scalar_i64("select count(*) from complaint_event").await,
        app.scalar_i64("select count(*) from audit_event").await,
    )
}

/// The office alpha with 2026 open, u1 and u2 on its list, the clock on 1 December 2026, and a
/// key for the 12345 platform.
async fn alpha_with_key(app: &TestApp) -> String {
    crate::scores::office_with_year(app).await;
    app.clock.set(at("2026-12-01 10:00"));
    key_of(app, "alpha", "12345 热线平台").await
}

#[tokio::test]
async fn cmp_03_the_12345_platform_pushes_a_work_order_once() {
    let app = spawn_app().await;
    let key = alpha_with_key(&app).await;
    let first = push(&app, &key, &order("GD20261201001")).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    let body = json_of(&first);
    assert_eq!(body["number"], "效投〔2026〕0001号");
    assert_eq!(body["status"], "received");
    assert_eq!(body["track"], "complaint");
    assert_eq!(body["order_no"], "GD20261201001");
    assert_eq!(body["received_at"], "2026-12-01T09:30:00+08:00");
    let code = body["tracking_code"].as_str().expect("a tracking code");
    assert_eq!(code.len(), 17, "{code}");

    // recorded as a 12345 complaint by nobody in the office, with its order and its code's hash
    let row: (String, Option<Uuid>, String, String, Option<String>) = sqlx::query_as(
        "select channel, logged_by, order_no, complainant_name, tracking_hash from complaint",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(
        (row.0.as_str(), row.1, row.2.as_str(), row.3.as_str()),
        ("hotline_12345", None, "GD20261201001", "张三")
    );
    assert_eq!(row.4, xiaoneng::complaints::model::tracking_hash(code));
    // the complainant follows it with the code on the tracking page
    let mut anyone = app.client();
    let tracked = anyone.get(&format!("/alpha/track?code={code}")).await;
    tracked.assert_contains("效投〔2026〕0001号");

    // the same order again: the same complaint, 200, and no code this time
    let again = push(&app, &key, &order("GD20261201001")).await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.body);
    let body = json_of(&again);
    assert_eq!(body["number"], "效投〔2026〕0001号");
    assert_eq!(body["tracking_code"], Value::Null);
    assert_eq!(app.scalar_i64("select count(*) from complaint").await, 1);
    // each call is in the audit log with the key as the actor; the complaint's receipt once
    let calls: Vec<(String, String)> = sqlx::query_as(
        "select action, actor_name from audit_event
          where action in ('api_key.call', 'complaint.receive') order by seq",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    let actions: Vec<&str> = calls.iter().map(|c| c.0.as_str()).collect();
    assert_eq!(
        actions,
        ["complaint.receive", "api_key.call", "api_key.call"]
    );
    assert!(
        calls.iter().all(|c| c.1.contains("12345 热线平台")),
        "{calls:?}"
    );

    // another order is another complaint; the office's staff see it with its channel
    let other = push(&app, &key, &order("GD20261201002")).await;
    assert_eq!(other.status, StatusCode::CREATED);
    assert_eq!(json_of(&other)["number"], "效投〔2026〕0002号");
    let mut staff = app.logged_in("alpha", "office_staff").await;
    let list = staff.get("/alpha/complaints?channel=hotline_12345").await;
    list.assert_contains("效投〔2026〕0002号");
}

#[tokio::test]
async fn cmp_03_concurrent_pushes_of_one_work_order_record_one_complaint() {
    let app = spawn_app().await;
    let key = alpha_with_key(&app).await;
    let same = order("GD20261201009");
    let (a, b, c) = tokio::join!(
        push(&app, &key, &same),
        push(&app, &key, &same),
        push(&app, &key, &same)
    );
    let mut statuses = vec![a.status, b.status, c.status];
    statuses.sort();
    assert_eq!(
        statuses,
        [StatusCode::OK, StatusCode::OK, StatusCode::CREATED],
        "{} {} {}",
        a.body,
        b.body,
        c.body
    );
    let numbers: Vec<Value> = [&a, &b, &c]
        .iter()
        .map(|p| json_of(p)["number"].clone())
        .collect();
    assert!(numbers.iter().all(|n| *n == numbers[0]), "{numbers:?}");
    assert_eq!(app.scalar_i64("select count(*) from complaint").await, 1);
    assert_eq!(
        app.scalar_i64("select count(*) from complaint_event").await,
        1
    );
}

#[tokio::test]
async fn cmp_09_the_platform_reads_a_work_order_back_with_its_status_deadline_and_reply() {
    let app = spawn_app().await;
    let key = alpha_with_key(&app).await;
    push(&app, &key, &order("GD1")).await;
    push(&app, &key, &order("GD2")).await;
    let read = |order_no: &'static str| {
        let path = format!("/api/v1/alpha/complaints/{order_no}");
        let (app, key) = (&app, key.clone());
        async move { call(app, (Method::GET, &path), Some(&key), None).await }
    };
    let fresh = read("GD1").await;
    assert_eq!(fresh.status, StatusCode::OK, "{}", fresh.body);
    let body = json_of(&fresh);
    assert_eq!(body["status"], "received");
    assert_eq!(body["deadline"], Value::Null);
    assert_eq!(body["unit"], json!({ "code": "u1", "name": "第一单位" }));
    assert!(body.get("tracking_code").is_none());

    // the office assigns the first, the unit signs for it on Tuesday 1 December: 10 working days
    let id = id_of(&app, "select id from complaint where order_no = 'GD1'").await;
    let u1 = id_of(&app, "select id from unit where code = 'u1'")
        .await
        .to_string();
    let mut staff = app.logged_in("alpha", "office_staff").await;
    let path = format!("/alpha/complaints/{id}/act");
    let assigned = staff
        .post(&path, &[("do", "assign"), ("unit_id", &u1)])
        .await;
    assert_eq!(assigned.status, StatusCode::SEE_OTHER, "{}", assigned.body);
    let mut liaison = app.logged_in("alpha", "liaison").await;
    liaison.post(&path, &[("do", "sign")]).await;
    let signed = json_of(&read("GD1").await);
    assert_eq!(signed["status"], "signed");
    assert_eq!(signed["deadline"], "2026-12-15T23:59:59+08:00");
    let steps: Vec<&str> = signed["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["step"].as_str().unwrap())
        .collect();
    assert_eq!(steps, ["receive", "assign", "sign"]);
    assert_eq!(signed["timeline"][1]["unit"], "第一单位");

    // the second is refused: the note meant for the complainant is the reply
    let id = id_of(&app, "select id from complaint where order_no = 'GD2'").await;
    let refused = staff
        .post(
            &format!("/alpha/complaints/{id}/act"),
            &[
                ("do", "refuse"),
                ("reason", "in_progress"),
                ("note", "同一事项已受理，正在办理"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::SEE_OTHER, "{}", refused.body);
    let page = read("GD2").await;
    let body = json_of(&page);
    assert_eq!(body["status"], "refused");
    let reply = body["reply"].as_str().unwrap();
    assert!(reply.ends_with("：同一事项已受理，正在办理"), "{reply}");
    // never the staff, the complainant or their contact
    for secret in ["姓名", "张三", "13800000000", "office_staff", "liaison"] {
        assert!(!page.body.contains(secret), "{secret} in {}", page.body);
    }

    // an order the office does not have, or not an order number at all: 404, in JSON
    for missing in ["GD3", "%E5%B7%A5%E5%8D%95"] {
        let page = read(missing).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{missing}");
        assert_eq!(json_of(&page)["error"]["code"], "not_found");
    }
}

#[tokio::test]
async fn cmp_03_a_wrong_revoked_or_missing_key_gets_401_and_writes_nothing() {
    let app = spawn_app().await;
    let key = alpha_with_key(&app).await;
    let old = key_of(&app, "alpha", "old system").await;
    let office_id = id_of(&app, "select id from office where code = 'alpha'").await;
    let old_id = id_of(&app, "select id from api_key where name = 'old system'").await;
    let mut tx = xiaoneng::db::begin_tenant(&app.pool, office_id)
        .await
        .unwrap();
    let actor = xiaoneng::audit::Actor::system("test", app.clock.now());
    xiaoneng::apikeys::revoke_key(&mut tx, office_id, &actor, old_id, None)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    push(&app, &key, &order("GD1")).await;

    let mut wrong = key.clone();
    let last = if wrong.ends_with('0') { "1" } else { "0" };
    wrong.replace_range(wrong.len() - 1.., last);
    let before = held(&app).await;
    let last_used = app
        .scalar_string("select coalesce(max(last_used_at)::text, '') from api_key")
        .await;
    let body = serde_json::to_vec(&order("GD2")).unwrap();
    for (case, presented) in [
        ("wrong", Some(&wrong)),
        ("revoked", Some(&old)),
        ("none", None),
    ] {
        let pushed = call(
            &app,
            (Method::POST, "/api/v1/alpha/complaints"),
            presented.map(String::as_str),
            Some(("application/json", body.clone())),
        )
        .await;
        let read = call(
            &app,
            (Method::GET, "/api/v1/alpha/complaints/GD1"),
            presented.map(String::as_str),
            None,
        )
        .await;
        for page in [pushed, read] {
            assert_eq!(
                page.status,
                StatusCode::UNAUTHORIZED,
                "{case}: {}",
                page.body
            );
            assert_eq!(page.header("www-authenticate"), "Bearer", "{case}");
            assert_eq!(json_of(&page)["error"]["code"], "unauthorized", "{case}");
        }
    }
    assert_eq!(held(&app).await, before, "a refused call writes nothing");
    assert_eq!(
        app.scalar_string("select coalesce(max(last_used_at)::text, '') from api_key")
            .await,
        last_used
    );
}

#[tokio::test]
async fn cmp_03_a_key_of_one_office_neither_reads_nor_writes_another() {
    let app = spawn_app().await;
    let alpha_key = alpha_with_key(&app).await;
    let beta = app.office_with_users("beta").await;
    let beta_key = key_of(&app, "beta", "beta 12345").await;
    let pushed = push(&app, &alpha_key, &order("GD1")).await;
    let alpha_request: Uuid = id_of(&app, "select id from complaint where order_no = 'GD1'").await;
    assert_eq!(pushed.status, StatusCode::CREATED);
    let before = held(&app).await;

    // alpha's key on beta's paths: 401 (403 for Open311, as its spec has it)
    let body = serde_json::to_vec(&order("GD2")).unwrap();
    let on_beta = call(
        &app,
        (Method::POST, "/api/v1/beta/complaints"),
        Some(&alpha_key),
        Some(("application/json", body)),
    )
    .await;
    assert_eq!(on_beta.status, StatusCode::UNAUTHORIZED);
    let read = call(
        &app,
        (Method::GET, "/api/v1/beta/complaints/GD1"),
        Some(&alpha_key),
        None,
    )
    .await;
    assert_eq!(read.status, StatusCode::UNAUTHORIZED);
    let form = open311_form(&alpha_key, "u1");
    let filed = open311_post(&app, "beta", &form).await;
    assert_eq!(filed.status, StatusCode::FORBIDDEN, "{}", filed.body);
    assert_eq!(json_of(&filed)[0]["code"], 403);
    assert_eq!(held(&app).await, before, "nothing written");

    // beta's own key finds none of alpha's complaints
    let theirs = call(
        &app,
        (Method::GET, "/api/v1/beta/complaints/GD1"),
        Some(&beta_key),
        None,
    )
    .await;
    assert_eq!(theirs.status, StatusCode::NOT_FOUND, "{}", theirs.body);
    let mut anyone = app.client();
    let path = format!("/beta/open311/v2/requests/{alpha_request}.json?api_key={beta_key}");
    let open311 = anyone.get(&path).await;
    assert_eq!(open311.status, StatusCode::NOT_FOUND, "{}", open311.body);
    let listed = anyone
        .get(&format!(
            "/beta/open311/v2/requests.json?api_key={beta_key}"
        ))
        .await;
    assert_eq!(json_of(&listed), json!([]));
    assert_eq!(
        app.scalar_i64(&format!(
            "select count(*) from complaint where tenant_id = '{}'",
            beta.id
        ))
        .await,
        0
    );
}

#[tokio::test]
async fn cmp_02_a_work_order_that_breaks_the_rules_is_refused_by_name_and_records_nothing() {
    let app = spawn_app().await;
    let key = alpha_with_key(&app).await;
    let beta = app.office_with_users("beta").await;
    app.create_unit(&beta, "b1", "他办单位").await;
    let with = |change: &dyn Fn(&mut Value)| {
        let mut o = order("GD1");
        change(&mut o);
        o
    };
    let long = "长".repeat(100_000);
    let cases: Vec<(&str, Value, StatusCode, Vec<&str>)> = vec![
        (
            "missing unit, matter and reasons",
            with(&|o| {
                let o = o.as_object_mut().unwrap();
                o.remove("unit");
                o.insert("matter".into(), json!(" "));
                o.remove("reasons");
            }),
            StatusCode::UNPROCESSABLE_ENTITY,
            vec!["unit", "matter", "reasons"],
        ),
        (
            "a unit of another office",
            with(&|o| o["unit"] = json!("b1")),
            StatusCode::UNPROCESSABLE_ENTITY,
            vec!["unit"],
        ),
        (
            "an unknown category",
            with(&|o| o["category"] = json!("noise")),
            StatusCode::UNPROCESSABLE_ENTITY,
            vec!["category"],
        ),
        (
            "100,000-character fields",
            with(&|o| {
                o["matter"] = json!(long);
                o["reasons"] = json!(long);
            }),
            StatusCode::UNPROCESSABLE_ENTITY,
            vec!["matter", "reasons"],
        ),
        (
            "a 100,000-character name",
            with(&|o| o["complainant"]["name"] = json!(long)),
            StatusCode::UNPROCESSABLE_ENTITY,
            vec!["complainant.name"],
        ),
        (
            "an unknown relation",
            with(&|o| o["complainant"]["relation"] = json!("cousin")),
            StatusCode::UNPROCESSABLE_ENTITY,
            vec!["complainant.relation"],
        ),
        (
            "a time received that is no time",
            with(&|o| o["received_at"] = json!("2026-12-01 09:30")),
            StatusCode::UNPROCESSABLE_ENTITY,
            vec!["received_at"],
        ),
        (
            "a time received in the future",
            with(&|o| o["received_at"] = json!("2026-12-02T09:30:00+08:00")),
            StatusCode::UNPROCESSABLE_ENTITY,
            vec!["received_at"],
        ),
        (
            "an order number that is no order number",
            with(&|o| o["order_no"] = json!("工单/1")),
            StatusCode::UNPROCESSABLE_ENTITY,
            vec!["order_no"],
        ),
        (
            "an unknown field",
            with(&|o| o["colour"] = json!("red")),
            StatusCode::BAD_REQUEST,
            vec!["colour"],
        ),
        (
            "an unknown field of the complainant",
            with(&|o| o["complainant"]["id_card"] = json!("3401")),
            StatusCode::BAD_REQUEST,
            vec!["complainant.id_card"],
        ),
        (
            "a field of the wrong type",
            with(&|o| o["complainant"]["relation"] = json!(5)),
            StatusCode::BAD_REQUEST,
            vec!["complainant.relation"],
        ),
    ];
    for (case, body, status, fields) in cases {
        let page = push(&app, &key, &body).await;
        assert_eq!(page.status, status, "{case}: {}", page.body);
        assert_eq!(named_fields(&page), fields, "{case}");
        assert!(page.body.len() < 2000, "{case}: the input is not echoed");
    }
    for (case, raw) in [
        ("not JSON", b"{\"order_no\": \"GD1\",".to_vec()),
        ("not an object", b"[1, 2]".to_vec()),
        ("empty", Vec::new()),
    ] {
        let page = push_raw(&app, &key, raw).await;
        assert_eq!(
            page.status,
            StatusCode::BAD_REQUEST,
            "{case}: {}",
            page.body
        );
        assert_eq!(json_of(&page)["error"]["code"], "bad_request", "{case}");
    }
    // a body larger than the API reads: 413, in JSON
    let mut huge = order("GD1");
    huge["reasons"] = json!("长".repeat(400_000));
    let page = push(&app, &key, &huge).await;
    assert_eq!(page.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", page.body);
    assert_eq!(json_of(&page)["error"]["code"], "too_large");
    // a method the address does not take: 405, in JSON
    let delete = call(
        &app,
        (Method::DELETE, "/api/v1/alpha/complaints"),
        Some(&key),
        None,
    )
    .await;
    assert_eq!(delete.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(json_of(&delete)["error"]["code"], "method_not_allowed");

    assert_eq!(app.scalar_i64("select count(*) from complaint").await, 0);
    assert_eq!(
        app.scalar_i64("select count(*) from complaint_event").await,
        0
    );
    assert_eq!(
        app.scalar_i64("select count(*) from audit_event where action = 'complaint.receive'")
            .await,
        0
    );
    // the refused calls are recorded, with the fields at fault and never the body
    let refused: Vec<Value> = sqlx::query_scalar(
        "select detail from audit_event where action = 'api_key.call' order by seq",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(refused.len(), 15, "{refused:?}");
    assert_eq!(refused[0]["fields"], json!(["unit", "matter", "reasons"]));
    assert!(refused.iter().all(|d| !d.to_string().contains("张三")));
}

/// An Open311 request about `unit` as a client posts it, with `api_key`.
fn open311_form(api_key: &str, unit: &str) -> Vec<(String, String)> {
    [
        ("api_key", api_key),
        ("service_code", "attitude"),
        (
            "description",
            "窗口人员态度恶劣\n上午十点在二号窗口办理营业执照，被告知下午再来。",
        ),
        ("attribute[unit]", unit),
        ("first_name", "三"),
        ("last_name", "张"),
        ("phone", "13800000000"),
        ("lat", "30.94"),
        ("long", "118.75"),
        ("address_string", "宣城市政务服务中心"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

async fn open311_post(app: &TestApp, office: &str, form: &[(String, String)]) -> Page {
    let encoded = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(form)
        .finish();
    let path = format!("/{office}/open311/v2/requests.json");
    let body = ("application/x-www-form-urlencoded", encoded.into_bytes());
    call(app, (Method::POST, &path), None, Some(body)).await
}

#[tokio::test]
async fn cmp_03_an_open311_client_files_a_request_and_follows_it() {
    let app = spawn_app().await;
    let key = alpha_with_key(&app).await;
    let mut anyone = app.client();
    let services = json_of(&anyone.get("/alpha/open311/v2/services.json").await);
    let codes: Vec<&str> = services
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["service_code"].as_str().unwrap())
        .collect();
    assert_eq!(
        codes,
        [
            "delay",
            "notification",
            "refusal",
            "shirking",
            "attitude",
            "favours",
            "neglect",
            "other"
        ]
    );
    assert_eq!(services[4]["service_name"], "冷硬横推、态度恶劣");
    assert_eq!(services[4]["type"], "realtime");
    assert_eq!(services[4]["metadata"], true);
    let definition = json_of(&anyone.get("/alpha/open311/v2/services/attitude.json").await);
    assert_eq!(definition["attributes"][0]["code"], "unit");
    assert_eq!(definition["attributes"][0]["required"], true);
    assert_eq!(
        definition["attributes"][0]["values"][0],
        json!({ "key": "u1", "name": "第一单位" })
    );

    let filed = open311_post(&app, "alpha", &open311_form(&key, "u1")).await;
    assert_eq!(filed.status, StatusCode::OK, "{}", filed.body);
    let answer = json_of(&filed);
    let id = answer[0]["service_request_id"]
        .as_str()
        .unwrap()
        .to_string();
    let notice = answer[0]["service_notice"].as_str().unwrap();
    assert!(notice.contains("效投〔2026〕0001号"), "{notice}");
    let row: (Uuid, String, String, String, String, String) = sqlx::query_as(
        "select id, channel, relation, complainant_name, matter, category from complaint",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(row.0.to_string(), id);
    assert_eq!(
        (row.1.as_str(), row.2.as_str(), row.3.as_str()),
        ("api", "recipient", "张三")
    );
    assert_eq!(
        (row.4.as_str(), row.5.as_str()),
        ("窗口人员态度恶劣", "attitude")
    );
    // the notice's tracking code leads to the tracking page
    let start = notice.find("查询码 ").unwrap() + "查询码 ".len();
    let code: String = notice[start..].chars().take(17).collect();
    let tracked = anyone.get(&format!("/alpha/track?code={code}")).await;
    tracked.assert_contains("效投〔2026〕0001号");

    // anyone reads it back with the public-safe fields only
    let one = anyone
        .get(&format!("/alpha/open311/v2/requests/{id}.json"))
        .await;
    assert_eq!(one.status, StatusCode::OK, "{}", one.body);
    let request = &json_of(&one)[0];
    assert_eq!(request["service_request_id"], id.as_str());
    assert_eq!(request["status"], "open");
    assert_eq!(request["service_code"], "attitude");
    assert_eq!(request["agency_responsible"], "第一单位");
    assert_eq!(request["requested_datetime"], "2026-12-01T10:00:00+08:00");
    assert!(request.get("description").is_none());
    for secret in ["张三", "13800000000", "态度恶劣\n", "二号窗口"] {
        assert!(!one.body.contains(secret), "{secret} in {}", one.body);
    }
    // the office's key also reads the matter
    let keyed = anyone
        .get(&format!(
            "/alpha/open311/v2/requests/{id}.json?api_key={key}"
        ))
        .await;
    assert_eq!(json_of(&keyed)[0]["description"], "窗口人员态度恶劣");
    // and the list finds it by status and service, and not among the closed
    let open = anyone
        .get("/alpha/open311/v2/requests.json?status=open&service_code=attitude,delay")
        .await;
    assert_eq!(json_of(&open)[0]["service_request_id"], id.as_str());
    let closed = anyone
        .get("/alpha/open311/v2/requests.json?status=closed")
        .await;
    assert_eq!(json_of(&closed), json!([]));
    let by_id = anyone
        .get(&format!(
            "/alpha/open311/v2/requests.json?service_request_id={id}"
        ))
        .await;
    assert_eq!(json_of(&by_id).as_array().unwrap().len(), 1);
    // the calls made with the key are recorded; anyone's are not
    assert_eq!(
        app.scalar_i64("select count(*) from audit_event where action = 'api_key.call'")
            .await,
        2
    );
}

#[tokio::test]
async fn cmp_02_an_open311_request_that_breaks_the_rules_gets_the_specs_errors() {
    let app = spawn_app().await;
    let key = alpha_with_key(&app).await;
    let before = held(&app).await;
    let without = |field: &str| -> Vec<(String, String)> {
        open311_form(&key, "u1")
            .into_iter()
            .filter(|(k, _)| k != field)
            .collect()
    };
    let no_key = open311_post(&app, "alpha", &without("api_key")).await;
    assert_eq!(no_key.status, StatusCode::FORBIDDEN, "{}", no_key.body);
    assert_eq!(json_of(&no_key)[0]["code"], 403);
    assert_eq!(held(&app).await, before, "a refused key writes nothing");
    let unknown_office = open311_post(&app, "gamma", &open311_form(&key, "u1")).await;
    assert_eq!(unknown_office.status, StatusCode::FORBIDDEN);

    let mut other_service = open311_form(&key, "u1");
    other_service[1].1 = "noise".into();
    let mut long = open311_form(&key, "u1");
    long[2].1 = "长".repeat(100_000);
    let mut extra = open311_form(&key, "u1");
    extra.push(("colour".into(), "red".into()));
    let cases = [
        ("no unit", without("attribute[unit]"), "attribute[unit]"),
        (
            "a unit not on the list",
            open311_form(&key, "b1"),
            "attribute[unit]",
        ),
        ("no description", without("description"), "description"),
        ("an unknown service", other_service, "service_code"),
        ("a 100,000-character description", long, "description"),
        ("a field the spec does not have", extra, "colour"),
    ];
    for (case, form, field) in cases {
        let page = open311_post(&app, "alpha", &form).await;
        assert_eq!(
            page.status,
            StatusCode::BAD_REQUEST,
            "{case}: {}",
            page.body
        );
        let errors = json_of(&page);
        assert_eq!(errors[0]["code"], 400, "{case}");
        let named = errors.as_array().unwrap().iter().any(|e| {
            e["description"]
                .as_str()
                .unwrap()
                .starts_with(&format!("{field}: "))
        });
        assert!(named, "{case}: {errors}");
    }
    let mut huge = open311_form(&key, "u1");
    huge[2].1 = "长".repeat(400_000);
    let too_large = open311_post(&app, "alpha", &huge).await;
    assert_eq!(too_large.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(json_of(&too_large)[0]["code"], 413);

    let mut anyone = app.client();
    for (path, status) in [
        ("/gamma/open311/v2/services.json", StatusCode::NOT_FOUND),
        (
            "/alpha/open311/v2/services/noise.json",
            StatusCode::NOT_FOUND,
        ),
        ("/alpha/open311/v2/services.xml", StatusCode::NOT_FOUND),
        (
            "/alpha/open311/v2/requests/nothing.json",
            StatusCode::NOT_FOUND,
        ),
        (
            "/alpha/open311/v2/requests.json?status=pending",
            StatusCode::BAD_REQUEST,
        ),
        (
            "/alpha/open311/v2/requests.json?start_date=2026-01-01T00:00:00Z",
            StatusCode::OK,
        ),
        (
            "/alpha/open311/v2/requests.json?start_date=2025-01-01T00:00:00Z&end_date=2026-12-01T00:00:00Z",
            StatusCode::BAD_REQUEST,
        ),
    ] {
        let page = anyone.get(path).await;
        assert_eq!(page.status, status, "{path}: {}", page.body);
        json_of(&page);
    }
    assert_eq!(app.scalar_i64("select count(*) from complaint").await, 0);
}
