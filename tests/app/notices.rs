//! Rectification notices and appeals (INS-11, INS-12).

use axum::http::StatusCode;
use uuid::Uuid;

use crate::common::{Client, TestApp, spawn_app};
use crate::findings::{item, sign_and_submit, submit_obstruction, task_with_draft};
use crate::tasks::id_of;

/// A task on u1 with a confirmed D06 finding; returns (task, finding, office staff client).
pub async fn confirmed_finding(app: &TestApp) -> (Uuid, Uuid, Client) {
    let (task, finding, _) = submitted_finding(app).await;
    let mut staff = app.logged_in("alpha", "office_staff").await;
    staff
        .post(
            &format!("/alpha/findings/{finding}/decision"),
            &[("decision", "confirm")],
        )
        .await;
    (task, finding, staff)
}

/// A task on u1 whose D06 finding was signed for and submitted to the office; returns (task,
/// finding, supervisor client).
pub async fn submitted_finding(app: &TestApp) -> (Uuid, Uuid, Client) {
    let (task, finding, mut supervisor) = task_with_draft(app).await;
    submit_d06(app, &mut supervisor, task, finding).await;
    (task, finding, supervisor)
}

/// The supervisor completes the draft `finding` as a D06 and submits its task, signed for.
pub async fn submit_d06(app: &TestApp, supervisor: &mut Client, task: Uuid, finding: Uuid) {
    let d06 = item(app, "D06").await;
    supervisor
        .post(
            &format!("/alpha/findings/{finding}"),
            &[
                ("item_id", &d06.to_string()),
                ("description", "门厅未设置效能提示牌"),
            ],
        )
        .await;
    sign_and_submit(supervisor, task).await;
}

pub async fn issue(staff: &mut Client, app: &TestApp, task: Uuid, finding: Uuid) -> Uuid {
    let form = staff.get(&format!("/alpha/tasks/{task}/notice")).await;
    form.assert_contains("门厅未设置效能提示牌");
    form.assert_contains("举一反三");
    let issued = staff
        .post(
            &format!("/alpha/tasks/{task}/notice"),
            &[
                ("finding", &finding.to_string()),
                ("basis", "《效能督查办法》第八条"),
                ("requirements", "立即整改，举一反三。"),
                ("working_days", "10"),
            ],
        )
        .await;
    assert_eq!(issued.status, StatusCode::SEE_OTHER, "{}", issued.body);
    id_of(
        app,
        "select id from rectification_notice order by issued_at desc limit 1",
    )
    .await
}

#[tokio::test]
async fn ins_11_a_notice_is_issued_from_confirmed_findings_with_its_number_and_deadlines() {
    let app = spawn_app().await;
    let (task, finding, mut staff) = confirmed_finding(&app).await;
    let notice = issue(&mut staff, &app, task, finding).await;
    let page = staff.get(&format!("/alpha/notices/{notice}")).await;
    page.assert_contains("效整〔2026〕1号");
    page.assert_contains("效能督查整改通知书");
    page.assert_contains("D06");
    page.assert_contains("《宣城市直单位效能考评明查暗访暂行办法》第四条");
    page.assert_contains("还剩");
    // the deadlines are on the calendar: 10 and 2 working days from today, end of day
    let (due_days, appeal_days): (i32, i32) =
        sqlx::query_as("select working_days, 2 from rectification_notice where id = $1")
            .bind(notice)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!((due_days, appeal_days), (10, 2));
    // a finding goes into one notice only
    let again = staff
        .post(
            &format!("/alpha/tasks/{task}/notice"),
            &[
                ("finding", &finding.to_string()),
                ("basis", "x"),
                ("requirements", "y"),
                ("working_days", "10"),
            ],
        )
        .await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    again.assert_contains("请至少选择一项本任务尚未下达通知的已确认问题");
    // the unit reads it; a leader reads it and can issue nothing
    let mut liaison = app.logged_in("alpha", "liaison").await;
    liaison
        .get("/alpha/notices")
        .await
        .assert_contains("效整〔2026〕1号");
    liaison
        .get(&format!("/alpha/notices/{notice}"))
        .await
        .assert_contains("提出异议");
    let mut leader = app.logged_in("alpha", "leader").await;
    assert_eq!(
        leader.get(&format!("/alpha/notices/{notice}")).await.status,
        StatusCode::OK
    );
    assert_eq!(
        leader
            .post(&format!("/alpha/tasks/{task}/notice"), &[("finding", "x")])
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn ins_12_an_upheld_appeal_withdraws_the_notice_and_reverses_exactly_its_deductions() {
    let app = spawn_app().await;
    let (task, finding, mut staff) = confirmed_finding(&app).await;
    // another deduction of the unit, not on the notice, stays
    let u1 = id_of(&app, "select id from unit where code = 'u1'").await;
    sqlx::query(
        "insert into deduction (tenant_id, id, assessment_year_id, unit_id, deduction_item_id, entry_kind,
                                points, source_type, source_key, reason)
         select tenant_id, gen_random_uuid(), assessment_year_id, unit_id, deduction_item_id, 'deduct', 3,
                'self_report', 'other', '另一项扣分' from deduction limit 1",
    )
    .execute(&app.pool)
    .await
    .unwrap();
    let notice = issue(&mut staff, &app, task, finding).await;
    let mut liaison = app.logged_in("alpha", "liaison").await;
    let empty = liaison
        .post_files(
            &format!("/alpha/notices/{notice}/appeal"),
            &[("reasons", " ")],
            &[],
        )
        .await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    empty.assert_contains("请填写异议理由");
    let photo = crate::findings::jpeg(None);
    let appealed = liaison
        .post_files(
            &format!("/alpha/notices/{notice}/appeal"),
            &[("reasons", "提示牌已设置，见照片")],
            &[("照片.jpg", "image/jpeg", &photo)],
        )
        .await;
    assert_eq!(appealed.status, StatusCode::SEE_OTHER, "{}", appealed.body);
    // INS-12: the appeal carries its evidence, which the office opens from the notice
    assert_eq!(
        app.scalar_i64("select count(*) from evidence where purpose = 'appeal'")
            .await,
        1
    );
    let evidence = id_of(&app, "select id from evidence where purpose = 'appeal'").await;
    let notice_page = staff.get(&format!("/alpha/notices/{notice}")).await;
    notice_page.assert_contains("照片.jpg");
    notice_page.assert_contains(&format!("/alpha/evidence/{evidence}"));
    let (status, _, bytes) = staff
        .get_bytes(&format!("/alpha/evidence/{evidence}/content"))
        .await;
    assert_eq!((status, bytes), (StatusCode::OK, photo.clone()));
    let twice = liaison
        .post_files(
            &format!("/alpha/notices/{notice}/appeal"),
            &[("reasons", "再次")],
            &[],
        )
        .await;
    assert_eq!(twice.status, StatusCode::UNPROCESSABLE_ENTITY);
    twice.assert_contains("已提出过异议");
    // the unit does not decide its own appeal
    let own = liaison
        .post(
            &format!("/alpha/notices/{notice}/appeal/decision"),
            &[("decision", "upheld"), ("reason", "x")],
        )
        .await;
    assert_eq!(own.status, StatusCode::NOT_FOUND);
    let upheld = staff
        .post(
            &format!("/alpha/notices/{notice}/appeal/decision"),
            &[("decision", "upheld"), ("reason", "复核照片，提示牌在位")],
        )
        .await;
    assert_eq!(upheld.status, StatusCode::SEE_OTHER, "{}", upheld.body);
    assert_eq!(
        app.scalar_i64("select count(*) from rectification_notice where status = 'withdrawn'")
            .await,
        1
    );
    let reversed: Vec<(String, String)> = sqlx::query_as(
        "select d.source_key, r.reason from deduction r join deduction d on d.id = r.reverses_id",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(reversed.len(), 1);
    assert_eq!(reversed[0].0, finding.to_string());
    assert!(reversed[0].1.contains("效整〔2026〕1号"));
    let effective = app
        .scalar_i64(
            "select count(*) from deduction d where entry_kind = 'deduct'
               and not exists (select 1 from deduction r where r.reverses_id = d.id)",
        )
        .await;
    assert_eq!(effective, 1, "the other deduction stays");
    let page = staff.get(&format!("/alpha/notices/{notice}")).await;
    page.assert_contains("已撤销");
    page.assert_contains("异议成立，撤销通知");
    staff
        .get(&format!("/alpha/units/{u1}"))
        .await
        .assert_contains("已撤销");
}

#[tokio::test]
async fn ins_12_a_rejected_appeal_leaves_the_notice_standing_and_after_the_window_the_form_is_closed()
 {
    let app = spawn_app().await;
    let (task, finding, mut staff) = confirmed_finding(&app).await;
    let notice = issue(&mut staff, &app, task, finding).await;
    // three weeks on, the two working days are long past
    app.clock
        .set(chrono::Utc::now() + chrono::Duration::days(21));
    let mut liaison = app.logged_in("alpha", "liaison").await;
    let page = liaison.get(&format!("/alpha/notices/{notice}")).await;
    page.assert_contains("异议期限已于");
    assert!(!page.body.contains("提出异议</button>"));
    let late = liaison
        .post_files(
            &format!("/alpha/notices/{notice}/appeal"),
            &[("reasons", "晚了")],
            &[],
        )
        .await;
    assert_eq!(late.status, StatusCode::UNPROCESSABLE_ENTITY);
    late.assert_contains("不能再提出异议");
    assert_eq!(
        app.scalar_i64("select count(*) from notice_appeal").await,
        0
    );

    // another office, a notice appealed in time and rejected
    let app = spawn_app().await;
    let (task, finding, mut staff) = confirmed_finding(&app).await;
    let notice = issue(&mut staff, &app, task, finding).await;
    let mut liaison = app.logged_in("alpha", "liaison").await;
    liaison
        .post_files(
            &format!("/alpha/notices/{notice}/appeal"),
            &[("reasons", "有异议")],
            &[],
        )
        .await;
    let rejected = staff
        .post(
            &format!("/alpha/notices/{notice}/appeal/decision"),
            &[("decision", "rejected"), ("reason", "照片清楚显示未设置")],
        )
        .await;
    assert_eq!(rejected.status, StatusCode::SEE_OTHER);
    let page = liaison.get(&format!("/alpha/notices/{notice}")).await;
    page.assert_contains("异议不成立，须按通知整改");
    assert_eq!(
        app.scalar_i64("select count(*) from rectification_notice where status = 'issued'")
            .await,
        1
    );
    assert_eq!(
        app.scalar_i64("select count(*) from deduction where entry_kind = 'reverse'")
            .await,
        0
    );
}

/// A moment in the office's zone (Asia/Shanghai), "YYYY-MM-DD HH:MM".
fn shanghai(s: &str) -> chrono::DateTime<chrono::Utc> {
    use chrono::TimeZone;
    let local = chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap();
    chrono_tz::Asia::Shanghai
        .from_local_datetime(&local)
        .unwrap()
        .with_timezone(&chrono::Utc)
}

#[tokio::test]
async fn ins_12_an_appeal_on_the_2nd_working_day_is_accepted_and_on_the_3rd_refused() {
    // (issued, the last minute of the 2nd working day, a moment on the 3rd), on the shipped
    // calendar through the real router
    let cases = [
        // Thursday: Friday is the 1st working day, Monday (after the weekend) the 2nd
        ("2026-11-26 15:00", "2026-11-30 23:59", "2026-12-01 08:30"),
        // the day before the National Day holiday (10-01 to 10-07): 10-08 and 10-09 are the 1st
        // and 2nd working days; Saturday 10-10 is a make-up working day, the 3rd
        ("2026-09-30 10:00", "2026-10-09 23:59", "2026-10-10 09:00"),
    ];
    for (issued, last_minute, third_day) in cases {
        for (moment, in_time) in [(last_minute, true), (third_day, false)] {
            let app = spawn_app().await;
            let (task, finding, mut staff) = confirmed_finding(&app).await;
            app.clock.set(shanghai(issued));
            let notice = issue(&mut staff, &app, task, finding).await;
            app.clock.set(shanghai(moment));
            let mut liaison = app.logged_in("alpha", "liaison").await;
            let appeal = liaison
                .post_files(
                    &format!("/alpha/notices/{notice}/appeal"),
                    &[("reasons", "提示牌已设置")],
                    &[],
                )
                .await;
            let appeals = app.scalar_i64("select count(*) from notice_appeal").await;
            if in_time {
                assert_eq!(appeal.status, StatusCode::SEE_OTHER, "{issued} → {moment}");
                assert_eq!(appeals, 1);
            } else {
                assert_eq!(
                    appeal.status,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "{issued} → {moment}"
                );
                appeal.assert_contains("不能再提出异议");
                appeal.assert_contains("提示牌已设置");
                assert_eq!(appeals, 0);
            }
        }
    }
}

#[tokio::test]
async fn ins_11_notice_numbers_stay_unique_and_gapless_when_20_are_issued_concurrently() {
    let app = spawn_app().await;
    let office = app.office_with_users("alpha").await;
    let mut handles = Vec::new();
    for _ in 0..20 {
        let pool = app.pool.clone();
        let tenant = office.id;
        handles.push(tokio::spawn(async move {
            let mut tx = xiaoneng::db::begin_tenant(&pool, tenant).await.unwrap();
            let n = xiaoneng::db::numbers::next_number(&mut tx, tenant, "notice", 2026)
                .await
                .unwrap();
            // hold the number a moment, as issuing a notice does, before committing
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
            tx.commit().await.unwrap();
            n
        }));
    }
    let mut numbers = Vec::new();
    for handle in handles {
        numbers.push(handle.await.unwrap());
    }
    numbers.sort_unstable();
    assert_eq!(numbers, (1..=20).collect::<Vec<i32>>());
}

#[tokio::test]
async fn ins_11_a_returned_report_can_be_resubmitted_and_an_accepted_one_closes_the_notice() {
    let app = spawn_app().await;
    let (task, finding, mut staff) = confirmed_finding(&app).await;
    let notice = issue(&mut staff, &app, task, finding).await;
    let mut liaison = app.logged_in("alpha", "liaison").await;
    let path = format!("/alpha/notices/{notice}/reports");
    let pdf: &[u8] = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n";
    let bad = liaison
        .post_files(
            &path,
            &[("content", "已在门厅设置提示牌")],
            &[("x.svg", "image/svg+xml", b"<svg></svg>")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    bad.assert_contains("已在门厅设置提示牌");
    bad.assert_contains("不接受 SVG 文件");
    assert_eq!(
        app.scalar_i64("select count(*) from rectification_report")
            .await,
        0
    );
    let first = liaison
        .post_files(
            &path,
            &[("content", "已在门厅设置提示牌")],
            &[("整改照片.pdf", "application/pdf", pdf)],
        )
        .await;
    assert_eq!(first.status, StatusCode::SEE_OTHER, "{}", first.body);
    // one report awaits the office at a time
    let second = liaison.post_files(&path, &[("content", "再报")], &[]).await;
    assert_eq!(second.status, StatusCode::UNPROCESSABLE_ENTITY);
    let no_reason = staff
        .post(
            &format!("/alpha/notices/{notice}/report/decision"),
            &[("decision", "returned"), ("reason", "")],
        )
        .await;
    assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
    no_reason.assert_contains("退回须说明理由");
    let returned = staff
        .post(
            &format!("/alpha/notices/{notice}/report/decision"),
            &[("decision", "returned"), ("reason", "缺少举一反三排查情况")],
        )
        .await;
    assert_eq!(returned.status, StatusCode::SEE_OTHER);
    let page = liaison.get(&format!("/alpha/notices/{notice}")).await;
    page.assert_contains("缺少举一反三排查情况");
    page.assert_contains("整改照片.pdf");
    let again = liaison
        .post_files(&path, &[("content", "已设置提示牌，并排查全部窗口")], &[])
        .await;
    assert_eq!(again.status, StatusCode::SEE_OTHER, "{}", again.body);
    let accepted = staff
        .post(
            &format!("/alpha/notices/{notice}/report/decision"),
            &[("decision", "accepted")],
        )
        .await;
    assert_eq!(accepted.status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.scalar_i64("select count(*) from rectification_notice where status = 'closed'")
            .await,
        1
    );
    let page = staff.get(&format!("/alpha/notices/{notice}")).await;
    page.assert_contains("已办结");
    page.assert_contains("整改报告通过");
    // the attachment is evidence the unit and the office can open
    let evidence = id_of(&app, "select id from evidence where purpose = 'report'").await;
    assert_eq!(
        liaison
            .get(&format!("/alpha/evidence/{evidence}/content"))
            .await
            .status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn ins_12_a_liaison_of_another_unit_sees_nothing_of_the_notice_and_cannot_appeal_it() {
    let app = spawn_app().await;
    let (task, finding, mut staff) = confirmed_finding(&app).await;
    let notice = issue(&mut staff, &app, task, finding).await;
    let office: (Uuid,) = sqlx::query_as("select tenant_id from rectification_notice")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let u2 = id_of(&app, "select id from unit where code = 'u2'").await;
    let alpha = xiaoneng::core::Office {
        id: office.0,
        code: "alpha".into(),
        name: String::new(),
        short_name: String::new(),
        time_zone: "Asia/Shanghai".into(),
        is_demo: false,
    };
    app.create_user(&alpha, "liaison_u2", "liaison", Some(u2))
        .await;
    let mut other = app.logged_in("alpha", "liaison_u2").await;
    assert!(
        !other
            .get("/alpha/notices")
            .await
            .body
            .contains("效整〔2026〕1号")
    );
    assert_eq!(
        other.get(&format!("/alpha/notices/{notice}")).await.status,
        StatusCode::NOT_FOUND
    );
    let photo = crate::findings::jpeg(None);
    let appeal = other
        .post_files(
            &format!("/alpha/notices/{notice}/appeal"),
            &[("reasons", "不是我们")],
            &[("照片.jpg", "image/jpeg", &photo)],
        )
        .await;
    assert_eq!(appeal.status, StatusCode::NOT_FOUND);
    assert_eq!(
        app.scalar_i64("select count(*) from notice_appeal").await,
        0
    );
    // its file was never stored: the notice is checked before the upload is read
    let stored: Vec<_> = walk(&app.evidence_dir);
    assert!(stored.is_empty(), "{stored:?}");
}

/// Every file under `dir`, however deep.
fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .flatten()
        .flat_map(|e| {
            let path = e.path();
            if path.is_dir() {
                walk(&path)
            } else {
                vec![path]
            }
        })
        .collect()
}

#[tokio::test]
async fn ins_13_leaders_read_the_numbers_at_a_glance_and_change_nothing() {
    let app = spawn_app().await;
    let (task, finding, mut staff) = confirmed_finding(&app).await;
    let notice = issue(&mut staff, &app, task, finding).await;
    let mut leader = app.logged_in("alpha", "leader").await;
    let before = leader.get("/alpha/overview").await;
    assert!(!before.body.contains("效整〔2026〕1号"), "{}", before.body);
    let mut liaison = app.logged_in("alpha", "liaison").await;
    liaison
        .post_files(
            &format!("/alpha/notices/{notice}/appeal"),
            &[("reasons", "有异议")],
            &[],
        )
        .await;
    // the overview kept a moment ago is retired by the appeal
    let page = leader.get("/alpha/overview").await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_contains("督查概览");
    page.assert_contains("异议待处理");
    page.assert_contains("效整〔2026〕1号");
    // read-only: no decision, no notice, no finding decision
    for (path, form) in [
        (
            format!("/alpha/notices/{notice}/appeal/decision"),
            vec![("decision", "upheld"), ("reason", "x")],
        ),
        (
            format!("/alpha/tasks/{task}/notice"),
            vec![("finding", "x")],
        ),
        (
            format!("/alpha/findings/{finding}/decision"),
            vec![("decision", "confirm")],
        ),
    ] {
        assert_eq!(
            leader.post(&path, &form).await.status,
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    assert_eq!(
        liaison.get("/alpha/overview").await.status,
        StatusCode::NOT_FOUND
    );
}

/// Keeps a typeset document under target/e2e/, to be looked at.
pub fn keep_pdf(name: &str, pdf: &[u8]) {
    let kept = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/e2e");
    std::fs::create_dir_all(&kept).unwrap();
    std::fs::write(kept.join(name), pdf).unwrap();
}

/// The first page's width and height in points, read with pdfinfo.
pub fn pdf_page_size(pdf: &[u8]) -> (f64, f64) {
    let file = std::env::temp_dir().join(format!("xiaoneng-pdf-{}.pdf", Uuid::new_v4()));
    std::fs::write(&file, pdf).unwrap();
    let pdfinfo = crate::e2e::pdftotext().with_file_name("pdfinfo");
    let info = std::process::Command::new(pdfinfo)
        .arg(&file)
        .output()
        .unwrap();
    std::fs::remove_file(&file).ok();
    let text = String::from_utf8_lossy(&info.stdout).into_owned();
    let line = text
        .lines()
        .find(|l| l.starts_with("Page size:"))
        .unwrap_or_else(|| panic!("no page size in:\n{text}"));
    let numbers: Vec<f64> = line
        .split_whitespace()
        .filter_map(|w| w.parse().ok())
        .collect();
    (numbers[0], numbers[1])
}

/// The text of a PDF, read back with pdftotext, and the fonts it embeds, read with pdffonts.
pub fn pdf_text_and_fonts(pdf: &[u8]) -> (String, String) {
    let dir = std::env::temp_dir().join(format!("xiaoneng-pdf-{}", Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("notice.pdf");
    std::fs::write(&file, pdf).unwrap();
    let pdftotext = crate::e2e::pdftotext();
    let text = std::process::Command::new(&pdftotext)
        .args([file.to_str().unwrap(), "-"])
        .output()
        .unwrap();
    let pdffonts = pdftotext.with_file_name("pdffonts");
    let fonts = std::process::Command::new(pdffonts)
        .arg(&file)
        .output()
        .unwrap();
    std::fs::remove_dir_all(&dir).ok();
    assert!(text.status.success() && fonts.status.success());
    (
        String::from_utf8_lossy(&text.stdout).into_owned(),
        String::from_utf8_lossy(&fonts.stdout).into_owned(),
    )
}

#[tokio::test]
async fn ins_11_the_notice_pdf_is_typeset_in_the_cjk_font_with_every_word_of_the_notice() {
    let app = spawn_app().await;
    let (task, finding, mut staff) = confirmed_finding(&app).await;
    let notice = issue(&mut staff, &app, task, finding).await;
    staff
        .get(&format!("/alpha/notices/{notice}"))
        .await
        .assert_contains(&format!("/alpha/notices/{notice}/pdf"));
    let (status, headers, pdf) = staff
        .get_bytes(&format!("/alpha/notices/{notice}/pdf"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-type"], "application/pdf");
    assert!(
        headers["content-disposition"]
            .to_str()
            .unwrap()
            .contains("filename*=UTF-8''%E6%95%88%E6%95%B4"),
        "the file is named after the notice's number"
    );
    assert!(pdf.starts_with(b"%PDF-"));
    keep_pdf("notice-server.pdf", &pdf);
    let (text, fonts) = pdf_text_and_fonts(&pdf);
    // real glyphs: the words come back out of the PDF, and the CJK font is embedded
    let flat: String = text.split_whitespace().collect();
    let unit: String = sqlx::query_scalar(
        "select u.name from unit u join rectification_notice n on n.unit_id = u.id",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert!(
        flat.contains(&unit),
        "{unit} is not in the PDF's text:\n{text}"
    );
    for words in [
        "效能督查整改通知书",
        "效整〔2026〕1号",
        "门厅未设置效能提示牌",
        "《效能督查办法》第八条",
        "立即整改，举一反三。",
        "D06",
        "《宣城市直单位效能考评明查暗访暂行办法》第四条",
    ] {
        assert!(
            flat.contains(words),
            "{words} is not in the PDF's text:\n{text}"
        );
    }
    assert!(
        fonts
            .lines()
            .any(|l| l.contains("NotoSerifCJK") && l.contains(" yes ")),
        "Noto Serif CJK is not embedded:\n{fonts}"
    );
    // the unit has it too; a liaison of another unit does not
    let mut liaison = app.logged_in("alpha", "liaison").await;
    let (status, _, _) = liaison
        .get_bytes(&format!("/alpha/notices/{notice}/pdf"))
        .await;
    assert_eq!(status, StatusCode::OK);
    let u2 = id_of(&app, "select id from unit where code = 'u2'").await;
    let alpha = xiaoneng::core::Office {
        id: id_of(&app, "select tenant_id from rectification_notice").await,
        code: "alpha".into(),
        name: String::new(),
        short_name: String::new(),
        time_zone: "Asia/Shanghai".into(),
        is_demo: false,
    };
    app.create_user(&alpha, "liaison9", "liaison", Some(u2))
        .await;
    let mut outsider = app.logged_in("alpha", "liaison9").await;
    let (status, _, _) = outsider
        .get_bytes(&format!("/alpha/notices/{notice}/pdf"))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn ins_11_without_the_cjk_fonts_the_pdf_is_refused_naming_the_package_to_install() {
    let empty = std::env::temp_dir().join(format!("xiaoneng-nofonts-{}", Uuid::new_v4()));
    std::fs::create_dir_all(&empty).unwrap();
    let folder = empty.clone();
    let app = crate::common::spawn_app_with(move |config| {
        config.documents.font_dirs = vec![folder];
    })
    .await;
    let (task, finding, mut staff) = confirmed_finding(&app).await;
    let notice = issue(&mut staff, &app, task, finding).await;
    let page = staff.get(&format!("/alpha/notices/{notice}/pdf")).await;
    assert_eq!(page.status, StatusCode::SERVICE_UNAVAILABLE);
    page.assert_contains("fonts-noto-cjk");
    page.assert_contains("Noto Serif CJK SC");
    page.assert_contains(&empty.display().to_string());
    page.assert_contains(&format!("/alpha/notices/{notice}\""));
    std::fs::remove_dir_all(&empty).ok();
}

#[tokio::test]
async fn ins_08_an_upheld_appeal_withdrawing_a_notice_with_an_x01_deduction_restores_excellence() {
    let app = spawn_app().await;
    let (task, finding, mut supervisor) = task_with_draft(&app).await;
    submit_obstruction(&app, &mut supervisor, (task, finding)).await;
    let mut staff = app.logged_in("alpha", "office_staff").await;
    let confirmed = staff
        .post(
            &format!("/alpha/findings/{finding}/decision"),
            &[("decision", "confirm"), ("points", "3")],
        )
        .await;
    assert_eq!(
        confirmed.status,
        StatusCode::SEE_OTHER,
        "{}",
        confirmed.body
    );
    let u1 = id_of(&app, "select id from unit where code = 'u1'").await;
    staff
        .get(&format!("/alpha/units/{u1}"))
        .await
        .assert_contains("2026 年度不得评为优秀");
    let issued = staff
        .post(
            &format!("/alpha/tasks/{task}/notice"),
            &[
                ("finding", &finding.to_string()),
                ("basis", "《效能督查办法》第八条"),
                ("requirements", "立即整改。"),
                ("working_days", "10"),
            ],
        )
        .await;
    assert_eq!(issued.status, StatusCode::SEE_OTHER, "{}", issued.body);
    let notice = id_of(&app, "select id from rectification_notice").await;
    let mut liaison = app.logged_in("alpha", "liaison").await;
    let appealed = liaison
        .post_files(
            &format!("/alpha/notices/{notice}/appeal"),
            &[("reasons", "当日门禁故障，并非有意阻拦")],
            &[],
        )
        .await;
    assert_eq!(appealed.status, StatusCode::SEE_OTHER, "{}", appealed.body);
    let upheld = staff
        .post(
            &format!("/alpha/notices/{notice}/appeal/decision"),
            &[("decision", "upheld"), ("reason", "门禁故障属实")],
        )
        .await;
    assert_eq!(upheld.status, StatusCode::SEE_OTHER, "{}", upheld.body);
    // INS-08: the obstruction's deduction was reversed, so it no longer costs the unit its
    // excellence eligibility; the finding stays on record as the office decided it then
    assert_eq!(
        app.scalar_i64("select count(*) from deduction where entry_kind = 'reverse'")
            .await,
        1
    );
    let unit = staff.get(&format!("/alpha/units/{u1}")).await;
    assert_eq!(unit.status, StatusCode::OK);
    assert!(
        !unit.body.contains("年度不得评为优秀"),
        "the unit is eligible again: {}",
        unit.body
    );
}

/// A notice with its appeal and a report both waiting for the office; returns (notice, staff).
pub async fn appealed_and_reported(app: &TestApp) -> (Uuid, Client) {
    let (task, finding, mut staff) = confirmed_finding(app).await;
    let notice = issue(&mut staff, app, task, finding).await;
    appeal_and_report(app, notice).await;
    (notice, staff)
}

/// The unit appeals the notice and reports its rectification, both left to the office.
pub async fn appeal_and_report(app: &TestApp, notice: Uuid) {
    let mut liaison = app.logged_in("alpha", "liaison").await;
    for (path, field, text) in [
        (
            format!("/alpha/notices/{notice}/appeal"),
            "reasons",
            "提示牌已设置",
        ),
        (
            format!("/alpha/notices/{notice}/reports"),
            "content",
            "已补设提示牌",
        ),
    ] {
        let sent = liaison.post_files(&path, &[(field, text)], &[]).await;
        assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    }
}

pub async fn decide(staff: &mut Client, notice: Uuid, what: &str, form: &[(&str, &str)]) {
    let done = staff
        .post(&format!("/alpha/notices/{notice}/{what}/decision"), form)
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
}

const STANDING: &str = "select count(*) from deduction d where entry_kind = 'deduct'
                          and not exists (select 1 from deduction r where r.reverses_id = d.id)";
pub const UPHOLD: &[(&str, &str)] = &[("decision", "upheld"), ("reason", "复核属实")];

#[tokio::test]
async fn ins_12_an_appeal_upheld_after_the_report_closed_the_notice_still_reverses_its_deductions()
{
    let app = spawn_app().await;
    let (notice, mut staff) = appealed_and_reported(&app).await;
    decide(&mut staff, notice, "report", &[("decision", "accepted")]).await;
    decide(&mut staff, notice, "appeal", UPHOLD).await;
    let status = "select status from rectification_notice";
    assert_eq!(app.scalar_string(status).await, "closed");
    assert_eq!(app.scalar_i64(STANDING).await, 0);
    let open = "select count(*) from notice_appeal where decision is null";
    assert_eq!(app.scalar_i64(open).await, 0);
}

#[tokio::test]
async fn ins_11_a_report_that_waited_while_the_appeal_withdrew_the_notice_is_still_answered() {
    let app = spawn_app().await;
    let (notice, mut staff) = appealed_and_reported(&app).await;
    decide(&mut staff, notice, "appeal", UPHOLD).await;
    decide(&mut staff, notice, "report", &[("decision", "accepted")]).await;
    let status = "select status from rectification_notice";
    assert_eq!(app.scalar_string(status).await, "withdrawn");
    assert_eq!(app.scalar_i64(STANDING).await, 0);
    let open = "select count(*) from rectification_report where decision is null";
    assert_eq!(app.scalar_i64(open).await, 0);
}
