//! The year's scores read from the deductions ledger: every unit on the year's list with its
//! effective deductions (INS-04, INS-08, INS-12).

use axum::http::StatusCode;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use uuid::Uuid;
use xiaoneng::scoring::{db, model};

use crate::common::{TestApp, spawn_app};
use crate::tasks::id_of;

/// An office with 2026 open and units u1 (the liaison's) and u2 on its list; the office's id.
pub async fn office_with_year(app: &TestApp) -> Uuid {
    let office = app.office_with_users("alpha").await;
    app.create_unit(&office, "u2", "第二单位").await;
    let mut admin = app.logged_in("alpha", "office_admin").await;
    admin.post("/alpha/years", &[("year", "2026")]).await;
    sqlx::query("insert into assessment_unit (tenant_id, assessment_year_id, unit_id) select u.tenant_id, y.id, u.id from unit u, assessment_year y")
        .execute(&app.pool)
        .await
        .unwrap();
    office.id
}

async fn year_id(app: &TestApp) -> Uuid {
    sqlx::query_scalar("select id from assessment_year where year = 2026")
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

/// The year's tallies as the office reads them, by unit code.
async fn tallies(app: &TestApp, office_id: Uuid) -> Vec<(String, Decimal, bool)> {
    let year = year_id(app).await;
    let mut tx = xiaoneng::db::begin_tenant(&app.pool, office_id)
        .await
        .unwrap();
    let rows = db::year_tallies(&mut tx, year).await.unwrap();
    rows.into_iter()
        .map(|t| (t.code, t.deducted, t.excellence_lost))
        .collect()
}

#[tokio::test]
async fn ins_04_an_s01_counts_with_its_points() {
    let app = spawn_app().await;
    let office_id = office_with_year(&app).await;
    let day = NaiveDate::from_ymd_opt(2026, 4, 16).unwrap();
    let round = app.run_jobs(day).await;
    assert_eq!(round.deductions, 2, "both units missed Q1");
    assert_eq!(app.scalar_i64(TALLY_DRIFT).await, 0);

    let got = tallies(&app, office_id).await;
    assert_eq!(
        got,
        [
            ("u1".into(), Decimal::from(3), false),
            ("u2".into(), Decimal::from(3), false)
        ]
    );
    let mut tx = xiaoneng::db::begin_tenant(&app.pool, office_id)
        .await
        .unwrap();
    let rules = db::score_rules(&mut tx, year_id(&app).await).await.unwrap();
    assert_eq!(
        rules,
        model::ScoreRules::default(),
        "100 and 0 unless the office sets them"
    );
    assert_eq!(rules.score(got[0].1), Decimal::from(97));
}

#[tokio::test]
async fn ins_08_a_standing_x01_counts_with_its_points_and_costs_excellence_until_reversed() {
    let app = spawn_app().await;
    let office_id = office_with_year(&app).await;
    let year = year_id(&app).await;
    let (unit_id, item_id): (Uuid, Uuid) = sqlx::query_as(
        "select u.id, i.id from unit u, deduction_item i where u.code = 'u2' and i.code = 'X01'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();

    let mut tx = xiaoneng::db::begin_tenant(&app.pool, office_id)
        .await
        .unwrap();
    let deduction = db::deduct_once(
        &mut tx,
        office_id,
        &db::NewDeduction {
            year_id: year,
            unit_id,
            item_id,
            points: Decimal::from(4),
            source_type: "finding",
            source_key: "x01-test",
            reason: "阻拦检查",
            at: app.clock.now(),
        },
    )
    .await
    .unwrap()
    .unwrap();
    tx.commit().await.unwrap();
    let got = tallies(&app, office_id).await;
    assert_eq!(got[1], ("u2".into(), Decimal::from(4), true));
    assert_eq!(got[0], ("u1".into(), Decimal::ZERO, false));

    // INS-12: the reversal gives back exactly its points, and the eligibility with them.
    let mut tx = xiaoneng::db::begin_tenant(&app.pool, office_id)
        .await
        .unwrap();
    db::reverse(&mut tx, office_id, deduction, ("异议成立", app.clock.now()))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let got = tallies(&app, office_id).await;
    assert_eq!(got[1], ("u2".into(), Decimal::ZERO, false));
    // the running sums the scores read agree with the ledger, entry by entry
    assert_eq!(app.scalar_i64(TALLY_DRIFT).await, 0);
}

/// Units whose running sum differs from their ledger's entries summed.
const TALLY_DRIFT: &str = "select count(*) from (
         select tenant_id, assessment_year_id, unit_id,
                sum(case when entry_kind = 'deduct' then points else -points end) as deducted
           from deduction group by 1, 2, 3) l
    full join unit_year_tally t using (tenant_id, assessment_year_id, unit_id)
    where l.deducted is distinct from t.deducted";

/// The score a page states for a unit (`<dt>得分</dt><dd><strong>…</strong>`).
fn stated_score(body: &str) -> String {
    let (_, rest) = body
        .split_once("<dt>得分</dt><dd><strong>")
        .unwrap_or_else(|| panic!("no score on the page:\n{body}"));
    rest.split_once("</strong>").unwrap().0.to_string()
}

#[tokio::test]
async fn ins_12_an_upheld_appeal_raises_the_units_score_back_by_exactly_the_reversed_points() {
    let app = spawn_app().await;
    let (notice, mut staff) = crate::notices::appealed_and_reported(&app).await;
    let u1 = id_of(&app, "select id from unit where code = 'u1'").await;
    let sheet = format!("/alpha/units/{u1}/score?year=2026");
    let before = staff.get(&sheet).await;
    assert_eq!(
        stated_score(&before.body),
        "99",
        "100 less the confirmed D06"
    );
    before.assert_contains("D06");
    before.assert_contains("/alpha/findings/");

    crate::notices::decide(&mut staff, notice, "appeal", crate::notices::UPHOLD).await;

    let after = staff.get(&sheet).await;
    assert_eq!(
        stated_score(&after.body),
        "100",
        "exactly the reversed point back"
    );
    after.assert_contains("已撤销");
    after.assert_contains("复核属实");
    // the liaison reads its own unit's sheet and no other unit's
    let mut liaison = app.logged_in("alpha", "liaison").await;
    assert_eq!(stated_score(&liaison.get(&sheet).await.body), "100");
    let u2 = id_of(&app, "select id from unit where code = 'u2'").await;
    let other = liaison.get(&format!("/alpha/units/{u2}/score")).await;
    assert_eq!(other.status, StatusCode::NOT_FOUND);
    let mut supervisor = app.logged_in("alpha", "supervisor").await;
    assert_eq!(supervisor.get(&sheet).await.status, StatusCode::NOT_FOUND);
}

/// The year's lines as `scoring::year_ranking` reads them for the office `alpha`.
async fn ranking(app: &TestApp) -> Vec<model::Ranked> {
    let office: Uuid = sqlx::query_scalar("select id from office where code = 'alpha'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let mut tx = xiaoneng::db::begin_tenant(&app.pool, office).await.unwrap();
    xiaoneng::scoring::year_ranking(&mut tx, year_id(app).await)
        .await
        .unwrap()
}

/// The excellence form filled as proposed: every eligible unit, the proposed ones ticked.
fn proposal(lines: &[model::Ranked]) -> Vec<(&'static str, String)> {
    let mut form = Vec::new();
    for l in lines.iter().filter(|l| l.excellence.is_eligible()) {
        form.push(("unit", l.unit_id.to_string()));
        form.push(("reason", String::new()));
        if l.excellence == model::Excellence::Proposed {
            form.push(("confirm", l.unit_id.to_string()));
        }
    }
    form
}

/// A form of owned values as the client sends it.
pub fn pairs<'a>(form: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    form.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

const SNAPSHOT: &str = "select string_agg(code || ':' || score || ':' || rank_overall || ':' || excellence, ',' order by code)
                          from year_snapshot_line";

/// The digest of the year's lines as `scoring::year_ranking` reads them, under the default rules.
async fn recomputed_digest(app: &TestApp) -> String {
    let lines = ranking(app).await;
    model::digest(
        &model::ScoreRules::default(),
        model::ExcellenceRules::default(),
        &lines,
    )
}

#[tokio::test]
async fn ins_08_a_closed_years_snapshot_does_not_change_when_a_deduction_is_attempted_afterwards() {
    let app = spawn_app().await;
    let (task, finding, mut supervisor) = crate::findings::task_with_draft(&app).await;
    let mut admin = app.logged_in("alpha", "office_admin").await;

    // INS-04: not while a unit's fourth-quarter self-report is neither filed nor deducted
    let early = admin.post("/alpha/years/2026/close", &[]).await;
    assert_eq!(early.status, StatusCode::UNPROCESSABLE_ENTITY);
    early.assert_contains("第四季度自查报告既未报送也未扣分的单位 3 个");
    sqlx::query(
        "insert into self_report (tenant_id, id, assessment_year_id, unit_id, quarter, content, submitted_by)
         select a.tenant_id, gen_random_uuid(), a.assessment_year_id, a.unit_id, 4, '第四季度自查',
                (select id from app_user where username = 'liaison')
           from assessment_unit a",
    )
    .execute(&app.pool)
    .await
    .unwrap();
    // INS-08: nor before the office has decided the excellence list
    let undecided = admin.post("/alpha/years/2026/close", &[]).await;
    assert_eq!(undecided.status, StatusCode::UNPROCESSABLE_ENTITY);
    undecided.assert_contains("关闭年度前，须先确认本年度评优名单");
    assert_eq!(
        app.scalar_i64("select count(*) from year_snapshot").await,
        0
    );

    let form = proposal(&ranking(&app).await);
    let decided = admin
        .post("/alpha/years/2026/excellence", &pairs(&form))
        .await;
    assert_eq!(decided.status, StatusCode::SEE_OTHER, "{}", decided.body);
    let closed = admin.post("/alpha/years/2026/close", &[]).await;
    assert_eq!(closed.status, StatusCode::SEE_OTHER, "{}", closed.body);
    let frozen: String = sqlx::query_scalar(SNAPSHOT)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(
        frozen,
        "u1:100.00:1:confirmed,u2:100.00:1:eligible,u3:100.00:1:eligible"
    );
    // the snapshot's digest is in the audit log, and recomputes from its lines
    let digest: String = sqlx::query_scalar("select digest from year_snapshot")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let logged: String =
        sqlx::query_scalar("select detail->>'digest' from audit_event where action = 'year.close'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(logged, digest);
    assert_eq!(
        recomputed_digest(&app).await,
        digest,
        "reports read the snapshot"
    );
    let page = admin.get("/alpha/years/2026/ranking").await;
    page.assert_contains(&digest[..12]);
    page.assert_contains("确认优秀");

    // a finding filed late reaches the office, whose confirmation is refused with the reason
    crate::notices::submit_d06(&app, &mut supervisor, task, finding).await;
    let mut staff = app.logged_in("alpha", "office_staff").await;
    let refused = staff
        .post(
            &format!("/alpha/findings/{finding}/decision"),
            &[("decision", "confirm")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    refused.assert_contains("2026 年度已关闭，得分已封存");
    assert_eq!(app.scalar_i64("select count(*) from deduction").await, 0);
    assert_eq!(
        app.scalar_i64("select count(*) from finding where status = 'submitted'")
            .await,
        1
    );
    // and the database refuses it too, whoever asks
    let direct = sqlx::query(
        "insert into deduction (tenant_id, id, assessment_year_id, unit_id, deduction_item_id,
                                entry_kind, points, source_type, source_key, reason)
         select u.tenant_id, gen_random_uuid(), y.id, u.id, i.id, 'deduct', 1, 'finding', 'x', '补扣'
           from unit u, assessment_year y, deduction_item i where u.code = 'u2' and i.code = 'D06'",
    )
    .execute(&app.pool)
    .await;
    assert!(
        format!("{direct:?}").contains("assessment_year_closed"),
        "{direct:?}"
    );
    let after: String = sqlx::query_scalar(SNAPSHOT)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(after, frozen);
    assert_eq!(recomputed_digest(&app).await, digest);
}

#[tokio::test]
async fn ins_12_a_year_with_an_appeal_still_possible_does_not_close() {
    let app = spawn_app().await;
    let (task, finding, mut staff) = crate::notices::confirmed_finding(&app).await;
    crate::notices::issue(&mut staff, &app, task, finding).await;
    let mut admin = app.logged_in("alpha", "office_admin").await;
    admin
        .post(
            "/alpha/years/2026/excellence",
            &pairs(&proposal(&ranking(&app).await)),
        )
        .await;
    let refused = admin.post("/alpha/years/2026/close", &[]).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    refused.assert_contains("待决定或仍在异议期内的整改通知书 1 份");
    assert_eq!(
        app.scalar_i64("select count(*) from assessment_year where status = 'closed'")
            .await,
        0
    );
}

#[tokio::test]
async fn sys_8_a_warning_unit_is_shown_on_rankings_and_cannot_be_confirmed_excellent() {
    let app = spawn_app().await;
    office_with_year(&app).await;
    let u1 = id_of(&app, "select id from unit where code = 'u1'").await;
    let mut staff = app.logged_in("alpha", "office_staff").await;
    // nothing typed is lost when a field is missing
    let blank = staff
        .post(
            "/alpha/years/2026/warnings",
            &[
                ("unit_id", &u1.to_string()),
                ("reason", "推诿扯皮造成严重后果"),
            ],
        )
        .await;
    assert_eq!(blank.status, StatusCode::UNPROCESSABLE_ENTITY);
    blank.assert_contains("请写明依据的记录");
    blank.assert_contains("推诿扯皮造成严重后果");
    let done = staff
        .post(
            "/alpha/years/2026/warnings",
            &[
                ("unit_id", &u1.to_string()),
                ("reason", "推诿扯皮造成严重后果"),
                ("basis", "效整〔2026〕3号"),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let stranger = uuid::Uuid::new_v4().to_string();
    let unknown = staff
        .post(
            "/alpha/years/2026/warnings",
            &[
                ("unit_id", stranger.as_str()),
                ("reason", "x"),
                ("basis", "y"),
            ],
        )
        .await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    unknown.assert_contains("该单位不在本年度名单上");
    let mut leader = app.logged_in("alpha", "leader").await;
    let page = leader.get("/alpha/years/2026/ranking").await;
    page.assert_contains("警示单位");
    let lines = ranking(&app).await;
    let line = |code: &str| lines.iter().find(|l| l.code == code).unwrap().clone();
    assert!(line("u1").warning);
    assert_eq!(line("u1").excellence, model::Excellence::No);
    assert_eq!(line("u2").excellence, model::Excellence::Proposed);
    let warnings = leader.get("/alpha/years/2026/warnings").await;
    warnings.assert_contains("效整〔2026〕3号");

    // INS-08: a warning unit cannot be confirmed; a proposed unit is left out only with a reason
    let mut admin = app.logged_in("alpha", "office_admin").await;
    let u2 = line("u2").unit_id.to_string();
    let forced = admin
        .post(
            "/alpha/years/2026/excellence",
            &[
                ("unit", u2.as_str()),
                ("reason", ""),
                ("confirm", &u1.to_string()),
            ],
        )
        .await;
    assert_eq!(forced.status, StatusCode::UNPROCESSABLE_ENTITY);
    forced.assert_contains("u1 不具备评优资格");
    forced.assert_contains("u2 为拟评优秀单位，不列入须填写理由");
    let left_out = admin
        .post(
            "/alpha/years/2026/excellence",
            &[("unit", u2.as_str()), ("reason", "年内发生重大舆情")],
        )
        .await;
    assert_eq!(left_out.status, StatusCode::SEE_OTHER, "{}", left_out.body);
    let reason: String =
        sqlx::query_scalar("select reason from excellence_choice where not confirmed")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(reason, "年内发生重大舆情");
    assert!(
        ranking(&app)
            .await
            .iter()
            .all(|l| l.excellence != model::Excellence::Confirmed)
    );
}

#[tokio::test]
async fn the_administrator_sets_the_years_base_and_floor_and_a_bad_value_keeps_the_form() {
    let app = spawn_app().await;
    office_with_year(&app).await;
    let mut admin = app.logged_in("alpha", "office_admin").await;
    let upside_down = admin
        .post(
            "/alpha/years/2026/rules",
            &[("base", "120"), ("floor", "130")],
        )
        .await;
    assert_eq!(upside_down.status, StatusCode::UNPROCESSABLE_ENTITY);
    upside_down.assert_contains("最低分须低于基础分");
    upside_down.assert_contains("value=\"130\"");
    let saved = admin
        .post(
            "/alpha/years/2026/rules",
            &[
                ("base", "120"),
                ("floor", "60"),
                ("category", ""),
                ("category_base", ""),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let lines = ranking(&app).await;
    assert!(lines.iter().all(|l| l.score == Decimal::from(120)));
    // staff read the rules but do not change them
    let mut staff = app.logged_in("alpha", "office_staff").await;
    let page = staff.get("/alpha/years/2026/ranking").await;
    page.assert_contains("基础分 120 分");
    let refused = staff
        .post("/alpha/years/2026/rules", &[("base", "90"), ("floor", "0")])
        .await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_score_sheet_and_the_ranking_table_come_as_pdfs_a4_and_a4_landscape() {
    let app = spawn_app().await;
    office_with_year(&app).await;
    let u1 = id_of(&app, "select id from unit where code = 'u1'").await;
    let mut leader = app.logged_in("alpha", "leader").await;
    for (path, landscape) in [
        (format!("/alpha/units/{u1}/score/pdf?year=2026"), false),
        ("/alpha/years/2026/ranking/pdf".to_string(), true),
    ] {
        let (status, headers, pdf) = leader.get_bytes(&path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert_eq!(headers["content-type"], "application/pdf");
        let (text, _) = crate::notices::pdf_text_and_fonts(&pdf);
        let flat: String = text.split_whitespace().collect();
        assert!(flat.contains("第一单位"), "{path}: {text}");
        let (width, height) = crate::notices::pdf_page_size(&pdf);
        assert_eq!(width > height, landscape, "{path}: {width}×{height}");
    }
}

#[tokio::test]
async fn ins_08_the_ranking_exports_the_rows_the_page_shows_in_the_same_order() {
    let app = spawn_app().await;
    office_with_year(&app).await;
    let mut leader = app.logged_in("alpha", "leader").await;
    let page = leader.get("/alpha/years/2026/ranking?view=overall").await;
    page.assert_contains("/alpha/years/2026/ranking/export.xlsx");
    // the overall table: its codes and scores, in order
    let overall = page.body.rsplit("<table").next().unwrap();
    let cell = |label: &str| -> Vec<String> {
        overall
            .split(&format!("<td data-label=\"{label}\">"))
            .skip(1)
            .map(|rest| {
                let text = rest.split("</td>").next().unwrap();
                text.replace("<strong>", "").replace("</strong>", "")
            })
            .collect()
    };
    let codes = cell("单位代码");
    assert_eq!(codes, ["u1", "u2"]);
    let (status, headers, bytes) = leader
        .get_bytes("/alpha/years/2026/ranking/export.xlsx")
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["cache-control"], "no-store");
    let mut rows = crate::exports::xlsx_rows(&bytes);
    let header = rows.remove(0);
    assert_eq!(header[1], "单位代码");
    let exported: Vec<(String, String)> =
        rows.iter().map(|r| (r[1].clone(), r[7].clone())).collect();
    let shown: Vec<(String, String)> = codes.into_iter().zip(cell("得分")).collect();
    assert_eq!(exported, shown);
    // a liaison reads no ranking, and no export of it
    let mut liaison = app.logged_in("alpha", "liaison").await;
    let refused = liaison.get("/alpha/years/2026/ranking/export.csv").await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND);
}
