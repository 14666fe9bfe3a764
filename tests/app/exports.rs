//! Exports (issue 12, item 8): every list's CSV and XLSX hold exactly the rows its page shows for
//! the same filter and the same role, with the header in the reader's language, and no cache
//! keeps them.

use axum::http::StatusCode;

use crate::common::{Client, TestApp, spawn_app};
use crate::findings::task_with_draft;
use crate::notices::{confirmed_finding, issue, submitted_finding};
use crate::tasks::id_of;

/// The first sheet of a workbook, every cell as text, the header first.
pub fn xlsx_rows(bytes: &[u8]) -> Vec<Vec<String>> {
    use calamine::{Reader, Xlsx, open_workbook_from_rs};
    let mut book: Xlsx<_> = open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
    let range = book.worksheet_range_at(0).unwrap().unwrap();
    range
        .rows()
        .map(|row| row.iter().map(|cell| cell.to_string()).collect())
        .collect()
}

/// The texts of every `<tag>…</tag>` in a page, in order.
fn texts_in(body: &str, tag: &str) -> Vec<String> {
    texts_between(body, &format!("<{tag}>"), &format!("</{tag}>"))
}

/// The texts between every `open` and the `close` after it, in order.
fn texts_between(body: &str, open: &str, close: &str) -> Vec<String> {
    body.split(open)
        .skip(1)
        .filter_map(|rest| rest.split_once(close).map(|(text, _)| text.to_string()))
        .collect()
}

/// A list's workbook as `client` downloads it: (its header, its rows), after checking that it is
/// an uncached XLSX download.
async fn workbook(client: &mut Client, path: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let (status, headers, bytes) = client.get_bytes(path).await;
    assert_eq!(status, StatusCode::OK, "{path}");
    assert_eq!(headers["cache-control"], "no-store", "{path}");
    let content_type = headers["content-type"].to_str().unwrap();
    assert!(content_type.contains("spreadsheetml"), "{path}");
    let mut rows = xlsx_rows(&bytes);
    let header = rows.remove(0);
    (header, rows)
}

/// A list's CSV as `client` downloads it, after checking that it is an uncached UTF-8 download
/// that starts with the byte-order mark.
async fn csv_text(client: &mut Client, path: &str) -> String {
    let page = client.get(path).await;
    assert_eq!(page.status, StatusCode::OK, "{path}");
    assert_eq!(page.header("cache-control"), "no-store", "{path}");
    assert!(
        page.header("content-type")
            .starts_with("text/csv; charset=utf-8")
    );
    assert!(
        page.body.starts_with('\u{feff}'),
        "{path}: no byte-order mark"
    );
    page.body
}

/// Two notices: u1's from a confirmed finding (效整〔2026〕1号, standing), and u2's, long overdue
/// (效整〔2026〕2号, the unit the task helpers make beside u1). Returns the office staff client.
async fn two_units_notices(app: &TestApp) -> Client {
    let (task, finding, mut staff) = confirmed_finding(app).await;
    issue(&mut staff, app, task, finding).await;
    let u2 = id_of(app, "select id from unit where code = 'u2'").await;
    sqlx::query(
        "insert into rectification_notice (tenant_id, id, assessment_year_id, unit_id, number, basis,
                                           requirements, working_days, due_at, appeal_until, issued_by)
         select tenant_id, gen_random_uuid(), assessment_year_id, $1, '效整〔2026〕2号', basis,
                requirements, working_days, '2001-01-10', '2001-01-03', issued_by
           from rectification_notice",
    )
    .bind(u2)
    .execute(&app.pool)
    .await
    .unwrap();
    staff
}

#[tokio::test]
async fn every_notices_tab_exports_the_notices_it_shows() {
    let app = spawn_app().await;
    let mut staff = two_units_notices(&app).await;
    let tabs = [
        "",
        "standing",
        "to_rectify",
        "overdue",
        "appealed",
        "reported",
    ];
    for show in tabs {
        let query = if show.is_empty() {
            String::new()
        } else {
            format!("?show={show}")
        };
        let page = staff.get(&format!("/alpha/notices{query}")).await;
        assert_eq!(page.status, StatusCode::OK);
        page.assert_contains(&format!("href=\"/alpha/notices/export.xlsx{query}\""));
        page.assert_contains(&format!("href=\"/alpha/notices/export.csv{query}\""));
        let shown = texts_in(&page.body, "strong");
        let (header, rows) =
            workbook(&mut staff, &format!("/alpha/notices/export.xlsx{query}")).await;
        assert_eq!(
            header,
            [
                "通知书编号",
                "被查单位",
                "下达",
                "整改期限",
                "状态",
                "已逾期"
            ]
        );
        let exported: Vec<String> = rows.iter().map(|r| r[0].clone()).collect();
        assert_eq!(exported, shown, "tab {show:?}");
        let csv = csv_text(&mut staff, &format!("/alpha/notices/export.csv{query}")).await;
        assert_eq!(csv.lines().count(), shown.len() + 1, "tab {show:?}");
    }
    // the tabs do filter: the overdue one shows u2's notice alone, late
    let (_, overdue) = workbook(&mut staff, "/alpha/notices/export.xlsx?show=overdue").await;
    assert_eq!(overdue.len(), 1);
    assert_eq!(overdue[0][0], "效整〔2026〕2号");
    assert_eq!(overdue[0][1], "第二单位");
    assert_eq!(overdue[0][5], "已逾期");
    let (_, all) = workbook(&mut staff, "/alpha/notices/export.xlsx").await;
    assert_eq!(all.len(), 2);
}

#[tokio::test]
async fn a_notices_export_speaks_the_readers_language() {
    let app = spawn_app().await;
    let mut staff = two_units_notices(&app).await;
    let chinese = csv_text(&mut staff, "/alpha/notices/export.csv").await;
    assert!(chinese.starts_with("\u{feff}通知书编号,被查单位,下达,整改期限,状态,已逾期\n"));
    assert!(chinese.contains("效整〔2026〕1号,第一单位,"));
    let english = csv_text(&mut staff, "/alpha/notices/export.csv?lang=en").await;
    assert!(english.starts_with("\u{feff}Notice number,Unit,Issued,Due,Status,Overdue\n"));
    let mut browser = app.logged_in("alpha", "office_staff").await;
    browser
        .headers
        .push(("accept-language".into(), "en-GB,en;q=0.9".into()));
    let (header, _) = workbook(&mut browser, "/alpha/notices/export.xlsx").await;
    assert_eq!(header[0], "Notice number");
}

#[tokio::test]
async fn a_liaisons_notices_export_holds_only_its_units_and_others_are_refused_as_the_page_is() {
    let app = spawn_app().await;
    two_units_notices(&app).await;
    let mut liaison = app.logged_in("alpha", "liaison").await;
    let page = liaison.get("/alpha/notices").await;
    assert_eq!(texts_in(&page.body, "strong"), ["效整〔2026〕1号"]);
    let (_, rows) = workbook(&mut liaison, "/alpha/notices/export.xlsx").await;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0][..2], ["效整〔2026〕1号", "第一单位"]);
    let csv = csv_text(&mut liaison, "/alpha/notices/export.csv?show=overdue").await;
    assert!(!csv.contains("第二单位"));
    // a role that cannot read the list cannot take it away either
    let mut supervisor = app.logged_in("alpha", "supervisor").await;
    let refused = supervisor.get("/alpha/notices").await.status;
    assert_ne!(refused, StatusCode::OK);
    for path in ["/alpha/notices/export.csv", "/alpha/notices/export.xlsx"] {
        assert_eq!(supervisor.get(path).await.status, refused, "{path}");
    }
}

/// A table's column, by its cells' `data-label`: each cell's text without its tags.
fn column(body: &str, label: &str) -> Vec<String> {
    texts_between(body, &format!("<td data-label=\"{label}\""), "</td>")
        .into_iter()
        .map(|cell| {
            let mut text = String::new();
            let mut in_tag = true; // the rest of the <td …> tag comes first
            for c in cell.chars() {
                match c {
                    '<' => in_tag = true,
                    '>' => in_tag = false,
                    c if !in_tag => text.push(c),
                    _ => {}
                }
            }
            text.trim().to_string()
        })
        .collect()
}

/// The finding cards of a page: (the item as its heading shows it, the unit and date line).
fn finding_cards(body: &str) -> Vec<(String, String)> {
    let headings = texts_in(body, "strong");
    let units = texts_between(body, "<span class=\"task-unit\">", "</span>");
    headings.into_iter().zip(units).collect()
}

/// An export's findings as their cards show them.
fn exported_cards(rows: &[Vec<String>]) -> Vec<(String, String)> {
    rows.iter()
        .map(|r| (format!("{} {}", r[0], r[1]), format!("{} · {}", r[2], r[3])))
        .collect()
}

#[tokio::test]
async fn the_review_queue_and_the_years_findings_export_the_findings_they_show() {
    let app = spawn_app().await;
    submitted_finding(&app).await;
    let mut staff = app.logged_in("alpha", "office_staff").await;
    let queue = staff.get("/alpha/review").await;
    queue.assert_contains("href=\"/alpha/review/export.xlsx\"");
    let shown = finding_cards(&queue.body);
    assert_eq!(shown.len(), 1);
    let (header, rows) = workbook(&mut staff, "/alpha/review/export.xlsx").await;
    assert_eq!(
        header,
        [
            "项目编号",
            "扣分项目",
            "被查单位",
            "日期",
            "方式",
            "问题描述",
            "证据（件）"
        ]
    );
    assert_eq!(exported_cards(&rows), shown);
    assert_eq!(rows[0][4], "明查");
    assert_eq!(rows[0][5], "门厅未设置效能提示牌");
    let mut english = app.logged_in("alpha", "office_staff").await;
    let csv = csv_text(&mut english, "/alpha/review/export.csv?lang=en").await;
    assert!(csv.starts_with("\u{feff}Item code,Deduction item,Unit,Date,Kind,"));
    // nothing confirmed yet: the year's findings are empty, and so is their export
    let (_, none) = workbook(&mut staff, "/alpha/years/2026/findings/export.xlsx").await;
    assert!(none.is_empty());
    staff
        .post(
            &format!(
                "/alpha/findings/{}/decision",
                id_of(&app, "select id from finding").await
            ),
            &[("decision", "confirm")],
        )
        .await;
    let year = staff.get("/alpha/years/2026/findings").await;
    year.assert_contains("href=\"/alpha/years/2026/findings/export.csv\"");
    let (_, rows) = workbook(&mut staff, "/alpha/years/2026/findings/export.xlsx").await;
    assert_eq!(exported_cards(&rows), finding_cards(&year.body));
    assert_eq!(rows.len(), 1);
    let (_, queue) = workbook(&mut staff, "/alpha/review/export.xlsx").await;
    assert!(queue.is_empty());
    let csv = csv_text(&mut staff, "/alpha/years/2026/findings/export.csv").await;
    assert!(csv.starts_with("\u{feff}项目编号,扣分项目,被查单位,日期,方式,问题描述,证据（件）\n"));
    // a year that does not exist is not found, as its page is
    assert_eq!(
        staff
            .get("/alpha/years/1999/findings/export.csv")
            .await
            .status,
        staff.get("/alpha/years/1999/findings").await.status
    );
    // whoever cannot read a list cannot take it away
    for role in ["liaison", "supervisor", "leader"] {
        let mut other = app.logged_in("alpha", role).await;
        for (page, export) in [
            ("/alpha/review", "/alpha/review/export"),
            (
                "/alpha/years/2026/findings",
                "/alpha/years/2026/findings/export",
            ),
        ] {
            let status = other.get(page).await.status;
            for extension in ["csv", "xlsx"] {
                let answer = other.get(&format!("{export}.{extension}")).await.status;
                assert_eq!(answer, status, "{role} {export}.{extension}");
            }
        }
    }
}

#[tokio::test]
async fn the_years_tasks_export_the_tasks_they_list() {
    let app = spawn_app().await;
    task_with_draft(&app).await;
    let mut staff = app.logged_in("alpha", "office_staff").await;
    let page = staff.get("/alpha/years/2026/tasks").await;
    page.assert_contains("href=\"/alpha/years/2026/tasks/export.xlsx\"");
    let shown: Vec<Vec<String>> = ["日期", "被查单位", "方式", "督查小组"]
        .iter()
        .map(|label| column(&page.body, label))
        .collect();
    assert_eq!(shown[0].len(), 1);
    let (header, rows) = workbook(&mut staff, "/alpha/years/2026/tasks/export.xlsx").await;
    assert_eq!(header, ["日期", "被查单位", "方式", "检查内容", "督查小组"]);
    for (i, r) in rows.iter().enumerate() {
        let kind = format!("{}：{}", r[2], r[3]);
        let cells = [&r[0], &r[1], &kind, &r[4]];
        let on_page: Vec<&String> = shown.iter().map(|c| &c[i]).collect();
        assert_eq!(cells.to_vec(), on_page);
    }
    assert_eq!(rows.len(), shown[0].len());
    assert_eq!(rows[0][..3], ["2026-12-03", "第一单位", "明查"]);
    assert_eq!(rows[0][4], "甲组");
    let csv = csv_text(&mut staff, "/alpha/years/2026/tasks/export.csv").await;
    assert!(
        csv.starts_with("\u{feff}日期,被查单位,方式,检查内容,督查小组\n2026-12-03,第一单位,明查,")
    );
    let mut english = app.logged_in("alpha", "office_staff").await;
    let csv = csv_text(&mut english, "/alpha/years/2026/tasks/export.csv?lang=en").await;
    assert!(csv.starts_with("\u{feff}Date,Unit,Kind,What is checked,Group\n"));
    for role in ["liaison", "supervisor", "leader"] {
        let mut other = app.logged_in("alpha", role).await;
        let status = other.get("/alpha/years/2026/tasks").await.status;
        for extension in ["csv", "xlsx"] {
            let path = format!("/alpha/years/2026/tasks/export.{extension}");
            assert_eq!(other.get(&path).await.status, status, "{role} {path}");
        }
    }
}

/// Every cell of a table's rows as `column` reads them, row by row, for the labels given.
fn table(body: &str, labels: &[&str]) -> Vec<Vec<String>> {
    let columns: Vec<Vec<String>> = labels.iter().map(|label| column(body, label)).collect();
    let rows = columns.first().map(Vec::len).unwrap_or_default();
    (0..rows)
        .map(|r| columns.iter().map(|c| c[r].clone()).collect())
        .collect()
}

/// Whoever cannot read `page` cannot take its export away: both files answer as the page does.
async fn refused_as_the_page_is(app: &TestApp, roles: &[&str], page: &str, export: &str) {
    for role in roles {
        let mut other = app.logged_in("alpha", role).await;
        let status = other.get(page).await.status;
        assert_ne!(status, StatusCode::OK, "{role} {page}");
        for extension in ["csv", "xlsx"] {
            let path = format!("{export}.{extension}");
            assert_eq!(other.get(&path).await.status, status, "{role} {path}");
        }
    }
}

#[tokio::test]
async fn the_supervisors_list_exports_the_supervisors_each_status_shows_to_each_reader() {
    use crate::supervisors::{approve, recommend};
    let app = spawn_app().await;
    let office = app.office_with_users("alpha").await;
    let u1 = id_of(&app, "select id from unit where code = 'u1'").await;
    let u2 = app.create_unit(&office, "u2", "第二单位").await;
    let mut staff = app.logged_in("alpha", "office_staff").await;
    let first = recommend(&mut staff, u1, Some(u2), "陈一").await;
    recommend(&mut staff, u1, None, "陈二").await;
    recommend(&mut staff, u2, None, "陈三").await;
    approve(&mut staff, &first, "2026-01-01", "2026-12-31").await;
    let labels = [
        "姓名",
        "状态",
        "工作证编号",
        "有效期",
        "工作单位",
        "推荐单位",
    ];
    for (role, status, count) in [
        ("office_staff", "", 3),
        ("office_staff", "approved", 1),
        ("office_staff", "recommended", 2),
        ("leader", "", 3),
        ("liaison", "", 2),
        ("liaison", "recommended", 1),
    ] {
        let mut reader = app.logged_in("alpha", role).await;
        let query = match status {
            "" => String::new(),
            status => format!("?status={status}"),
        };
        let page = reader.get(&format!("/alpha/supervisors{query}")).await;
        assert_eq!(page.status, StatusCode::OK);
        page.assert_contains(&format!("href=\"/alpha/supervisors/export.xlsx{query}\""));
        page.assert_contains(&format!("href=\"/alpha/supervisors/export.csv{query}\""));
        let shown = table(&page.body, &labels);
        assert_eq!(shown.len(), count, "{role} {status:?}");
        let path = format!("/alpha/supervisors/export.xlsx{query}");
        let (header, rows) = workbook(&mut reader, &path).await;
        assert_eq!(header, labels);
        assert_eq!(rows, shown, "{role} {status:?}");
    }
    let (_, approved) =
        workbook(&mut staff, "/alpha/supervisors/export.xlsx?status=approved").await;
    assert_eq!(
        approved[0],
        [
            "陈一",
            "已批准",
            "2026-001",
            "2026-01-01 ~ 2026-12-31",
            "第二单位",
            "第一单位"
        ]
    );
    let csv = csv_text(&mut staff, "/alpha/supervisors/export.csv?lang=en").await;
    assert!(
        csv.starts_with("\u{feff}Name,Status,Certificate number,Valid,Works at,Recommended by\n")
    );
    assert_eq!(csv.lines().count(), 4);
    refused_as_the_page_is(
        &app,
        &["supervisor"],
        "/alpha/supervisors",
        "/alpha/supervisors/export",
    )
    .await;
}

#[tokio::test]
async fn the_interviews_list_exports_the_interviews_each_reader_sees() {
    use crate::interviews::{interview_beside_another_unit, schedule};
    let app = spawn_app().await;
    let (_, mut staff) = interview_beside_another_unit(&app).await;
    let u2 = id_of(&app, "select id from unit where code = 'u2'").await;
    schedule(&app, &mut staff, u2).await;
    for (role, count) in [
        ("office_staff", 2),
        ("leader", 2),
        ("liaison", 1),
        ("liaison_u2", 1),
    ] {
        let mut reader = app.logged_in("alpha", role).await;
        let page = reader.get("/alpha/interviews").await;
        assert_eq!(page.status, StatusCode::OK);
        page.assert_contains("href=\"/alpha/interviews/export.xlsx\"");
        let units = texts_between(&page.body, "<span class=\"task-unit\">", "</span>");
        let (header, rows) = workbook(&mut reader, "/alpha/interviews/export.xlsx").await;
        assert_eq!(
            header,
            [
                "约谈单位",
                "约谈时间",
                "约谈地点",
                "状态",
                "未完成事项",
                "逾期事项"
            ]
        );
        let exported: Vec<&String> = rows.iter().map(|r| &r[0]).collect();
        assert_eq!(exported.len(), count, "{role}");
        assert_eq!(exported, units.iter().collect::<Vec<_>>(), "{role}");
        for r in &rows {
            page.assert_contains(&format!("{} · {}", r[1], r[2]));
            assert_eq!(r[2..], ["效能办三楼会议室", "待约谈", "0", "0"]);
        }
    }
    let mut liaison = app.logged_in("alpha", "liaison_u2").await;
    let csv = csv_text(&mut liaison, "/alpha/interviews/export.csv?lang=en").await;
    assert!(
        csv.starts_with("\u{feff}Unit,Date and time,Place,Status,Open actions,Overdue actions\n")
    );
    assert!(csv.contains("第二单位,"));
    assert!(!csv.contains("第一单位"));
    refused_as_the_page_is(
        &app,
        &["supervisor"],
        "/alpha/interviews",
        "/alpha/interviews/export",
    )
    .await;
}

#[tokio::test]
async fn the_bulletins_and_a_bulletins_receipts_export_what_their_pages_show() {
    use crate::bulletins::{draft, publish};
    let app = spawn_app().await;
    let office = app.office_with_users("alpha").await;
    app.create_unit(&office, "u2", "第二单位").await;
    let mut staff = app.logged_in("alpha", "office_staff").await;
    draft(&app, &mut staff, "2026-09-01", "2026-09-30").await;
    let october = draft(&app, &mut staff, "2026-10-01", "2026-10-31").await;
    let page = format!("/alpha/bulletins/{october}");
    let receipts = format!("{page}/receipts/export");
    // a draft went to no one: it has no receipts to take away
    assert!(!staff.get(&page).await.body.contains(&receipts));
    assert_eq!(
        staff.get(&format!("{receipts}.xlsx")).await.status,
        StatusCode::NOT_FOUND
    );
    publish(&mut staff, &page).await;
    let mut liaison = app.logged_in("alpha", "liaison").await;
    assert_eq!(liaison.get(&page).await.status, StatusCode::OK); // read once

    for (role, header, count) in [
        (
            "office_staff",
            vec!["标题", "通报期间", "发布于", "状态", "已阅单位"],
            2,
        ),
        (
            "leader",
            vec!["标题", "通报期间", "发布于", "状态", "已阅单位"],
            1,
        ),
        ("liaison", vec!["标题", "通报期间", "发布于", "阅读情况"], 1),
    ] {
        let mut reader = app.logged_in("alpha", role).await;
        let list = reader.get("/alpha/bulletins").await;
        list.assert_contains("href=\"/alpha/bulletins/export.xlsx\"");
        let titles = texts_in(&list.body, "strong");
        let (exported_header, rows) = workbook(&mut reader, "/alpha/bulletins/export.xlsx").await;
        assert_eq!(exported_header, header, "{role}");
        let exported: Vec<String> = rows.iter().map(|r| r[0].clone()).collect();
        assert_eq!(exported.len(), count, "{role}");
        assert_eq!(exported, titles, "{role}");
        let last = rows
            .iter()
            .find(|r| r[1] == "2026-10-01 – 2026-10-31")
            .unwrap();
        let tail: Vec<&str> = last[3..].iter().map(String::as_str).collect();
        match role {
            "liaison" => assert_eq!(tail, ["已阅"]),
            _ => assert_eq!(tail, ["已发布", "1/2"]),
        }
    }

    // the receipts: a row a liaison, and a unit without one, as the page's table has them
    for role in ["office_staff", "leader"] {
        let mut reader = app.logged_in("alpha", role).await;
        let shown = reader.get(&page).await;
        shown.assert_contains(&format!("href=\"{receipts}.xlsx\""));
        let units = column(&shown.body, "单位");
        let (header, rows) = workbook(&mut reader, &format!("{receipts}.xlsx")).await;
        assert_eq!(header, ["单位", "联络员", "阅读情况", "首次阅读时间"]);
        let exported: Vec<String> = rows.iter().map(|r| r[0].clone()).collect();
        assert_eq!(exported, units, "{role}");
        assert_eq!(rows[0][..3], ["第一单位", "liaison 姓名", "已阅"]);
        shown.assert_contains(&format!("liaison 姓名 · {}", rows[0][3]));
        assert_eq!(rows[1], ["第二单位", "该单位无联络员账号", "", ""]);
    }
    let csv = csv_text(&mut staff, &format!("{receipts}.csv?lang=en")).await;
    assert!(csv.starts_with("\u{feff}Unit,Liaison,Read,First read\n"));
    // a liaison reads the bulletin but not who else has; a supervisor reads neither
    assert!(!liaison.get(&page).await.body.contains(&receipts));
    for extension in ["csv", "xlsx"] {
        let path = format!("{receipts}.{extension}");
        assert_eq!(liaison.get(&path).await.status, StatusCode::NOT_FOUND);
    }
    refused_as_the_page_is(&app, &["supervisor"], &page, &receipts).await;
    refused_as_the_page_is(
        &app,
        &["supervisor"],
        "/alpha/bulletins",
        "/alpha/bulletins/export",
    )
    .await;
}

#[tokio::test]
async fn the_self_report_matrix_exports_a_row_a_unit_and_each_quarter_in_the_pages_words() {
    let app = spawn_app().await;
    crate::self_reports::office_with_year(&app, "2026").await;
    let mut liaison = app.logged_in("alpha", "liaison").await;
    let filed = liaison
        .post_files(
            "/alpha/self-reports",
            &[("quarter", "3"), ("content", "本季度开展自查三次。")],
            &[],
        )
        .await;
    assert_eq!(filed.status, StatusCode::SEE_OTHER);
    for role in ["office_staff", "leader"] {
        let mut reader = app.logged_in("alpha", role).await;
        let page = reader.get("/alpha/years/2026/self-reports").await;
        assert_eq!(page.status, StatusCode::OK);
        page.assert_contains("href=\"/alpha/years/2026/self-reports/export.xlsx\"");
        let shown = table(&page.body, &["单位名称", "Q1", "Q2", "Q3", "Q4"]);
        let path = "/alpha/years/2026/self-reports/export.xlsx";
        let (header, rows) = workbook(&mut reader, path).await;
        assert_eq!(header, ["单位代码", "单位名称", "Q1", "Q2", "Q3", "Q4"]);
        assert_eq!(rows.len(), 2);
        let as_shown: Vec<Vec<String>> = rows
            .iter()
            .map(|r| {
                let unit = format!("{} {}", r[1], r[0]);
                [unit].into_iter().chain(r[2..].iter().cloned()).collect()
            })
            .collect();
        assert_eq!(as_shown, shown, "{role}");
        assert!(rows[0][4].starts_with("已报送 2026-"), "{:?}", rows[0]);
        assert!(!rows[1][4].starts_with("已报送"), "{:?}", rows[1]);
    }
    let mut staff = app.logged_in("alpha", "office_staff").await;
    let csv = csv_text(
        &mut staff,
        "/alpha/years/2026/self-reports/export.csv?lang=en",
    )
    .await;
    assert!(csv.starts_with("\u{feff}Code,Name,Q1,Q2,Q3,Q4\nu1,第一单位,"));
    assert_eq!(
        staff
            .get("/alpha/years/1999/self-reports/export.xlsx")
            .await
            .status,
        staff.get("/alpha/years/1999/self-reports").await.status
    );
    refused_as_the_page_is(
        &app,
        &["liaison", "supervisor"],
        "/alpha/years/2026/self-reports",
        "/alpha/years/2026/self-reports/export",
    )
    .await;
}

/// The names of the units a coverage section lists, under the heading that starts `heading`.
fn units_under(body: &str, heading: &str) -> Vec<String> {
    let section = body
        .split(&format!("<h2>{heading}"))
        .nth(1)
        .and_then(|rest| rest.split("</section>").next())
        .unwrap_or_default();
    texts_between(section, "<li>", " <span")
}

#[tokio::test]
async fn the_coverage_exports_every_listed_unit_as_the_page_sorts_it() {
    let app = spawn_app().await;
    confirmed_finding(&app).await;
    let mut staff = app.logged_in("alpha", "office_staff").await;
    let page = staff.get("/alpha/years/2026/coverage").await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_contains("href=\"/alpha/years/2026/coverage/export.xlsx\"");
    let uncovered = units_under(&page.body, "尚未安排明查");
    let covered = units_under(&page.body, "已安排明查");
    let mandatory = units_under(&page.body, "下一轮必须检查");
    assert_eq!(uncovered, ["第二单位", "第三单位"]);
    assert_eq!(covered, ["第一单位"]);
    assert_eq!(mandatory, ["第一单位"]);
    let (header, rows) = workbook(&mut staff, "/alpha/years/2026/coverage/export.xlsx").await;
    assert_eq!(
        header,
        [
            "单位代码",
            "单位名称",
            "类别",
            "覆盖情况",
            "明查日期",
            "下一轮必须检查"
        ]
    );
    let names: Vec<String> = rows.iter().map(|r| r[1].clone()).collect();
    assert_eq!(names, [uncovered, covered].concat());
    assert_eq!(rows[0][3..], ["尚未安排明查", "", ""]);
    assert_eq!(rows[2][3..], ["已安排明查", "2026-12-03", "是"]);
    page.assert_contains(&format!("{} <span class=\"muted small\">", rows[2][1]));
    let csv = csv_text(&mut staff, "/alpha/years/2026/coverage/export.csv?lang=en").await;
    assert!(csv.starts_with(
        "\u{feff}Code,Name,Category,Coverage,Open inspection dates,Must be inspected next\n"
    ));
    assert_eq!(csv.lines().count(), 4);
    refused_as_the_page_is(
        &app,
        &["liaison", "supervisor"],
        "/alpha/years/2026/coverage",
        "/alpha/years/2026/coverage/export",
    )
    .await;
}

#[tokio::test]
async fn the_audit_log_exports_the_events_it_lists_from_where_the_page_starts() {
    use crate::audit_log::test_event;
    use xiaoneng::audit::{self, Actor};
    let app = spawn_app().await;
    let alpha = app.office_with_users("alpha").await;
    let mut tx = xiaoneng::db::begin_tenant(&app.pool, alpha.id)
        .await
        .unwrap();
    let actor = Actor::system("test", app.clock.now());
    for n in 0..120 {
        audit::record(&mut tx, alpha.id, &actor, test_event(n))
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
    let mut staff = app.logged_in("alpha", "office_staff").await;
    let total = app.scalar_i64("select count(*) from audit_event").await as usize;
    assert!(total > 120);
    let labels = ["#", "时间", "操作人", "操作", "对象", "详情", "来源地址"];
    let first = staff.get("/alpha/audit").await;
    assert_eq!(first.status, StatusCode::OK);
    first.assert_contains("href=\"/alpha/audit/export.xlsx\"");
    first.assert_contains("10000");
    let shown = table(&first.body, &labels);
    assert_eq!(shown.len(), 100);
    let (header, rows) = workbook(&mut staff, "/alpha/audit/export.xlsx").await;
    assert_eq!(header, labels);
    // the page shows a hundred, a link away from the older ones; the export holds them all
    assert_eq!(rows.len(), total);
    assert_eq!(rows[..100], shown[..]);
    // an older page's export starts where that page does
    let before = &shown[99][0];
    let older = staff.get(&format!("/alpha/audit?before={before}")).await;
    older.assert_contains(&format!("href=\"/alpha/audit/export.csv?before={before}\""));
    let older_shown = table(&older.body, &labels);
    let path = format!("/alpha/audit/export.xlsx?before={before}");
    let (_, older_rows) = workbook(&mut staff, &path).await;
    assert_eq!(older_rows, older_shown);
    assert_eq!(older_rows.len(), total - 100);
    let csv = csv_text(&mut staff, "/alpha/audit/export.csv?lang=en").await;
    assert!(csv.starts_with("\u{feff}#,Time,By,Action,Subject,Detail,From\n"));
    assert_eq!(csv.lines().count(), total + 1);
    refused_as_the_page_is(
        &app,
        &["leader", "supervisor", "liaison"],
        "/alpha/audit",
        "/alpha/audit/export",
    )
    .await;
}
