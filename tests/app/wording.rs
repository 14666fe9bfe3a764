//! What people read speaks their language: a rule by its article (never its ID, INS-05…), a
//! person by their name (never a username), a value by its label (never `true`, `covert`, a hash
//! or a UUID).

use axum::http::StatusCode;

use crate::common::{TestApp, spawn_app};
use crate::notices::{confirmed_finding, issue, pdf_text_and_fonts};

const INSPECTIONS: &str = "《宣城市直单位效能考评明查暗访暂行办法》";
const RULE_PREFIXES: [&str; 4] = ["INS-", "CMP-", "SYS-", "CAL-"];

fn shows_a_rule_id(text: &str) -> Option<&'static str> {
    RULE_PREFIXES.into_iter().find(|p| text.contains(p))
}

/// What a browser shows of a page: its text without the tags (an option's value, a link's
/// address are not read).
fn visible_text(html: &str) -> String {
    let mut text = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            _ if !in_tag => text.push(c),
            _ => {}
        }
    }
    text
}

fn assert_no_rule_id(what: &str, text: &str) {
    if let Some(prefix) = shows_a_rule_id(text) {
        panic!("{what} shows a rule ID ({prefix}…):\n{text}");
    }
}

/// Every template, outside its `{# #}` comments.
fn templates() -> Vec<(std::path::PathBuf, String)> {
    let mut found = Vec::new();
    let mut stack = vec![std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            let mut outside = String::new();
            let mut rest = text.as_str();
            while let Some(start) = rest.find("{#") {
                outside.push_str(&rest[..start]);
                rest = rest[start..]
                    .find("#}")
                    .map_or("", |end| &rest[start + end + 2..]);
            }
            outside.push_str(rest);
            found.push((path, outside));
        }
    }
    found
}

#[test]
fn no_template_and_no_catalog_string_shows_a_rule_id() {
    let templates = templates();
    assert!(templates.len() > 50, "the templates are read");
    for (path, text) in templates {
        assert_no_rule_id(&path.display().to_string(), &text);
    }
    let catalog: toml::Table = toml::from_str(include_str!("../../src/i18n/catalog.toml")).unwrap();
    let strings = catalog["strings"].as_table().unwrap();
    assert!(strings.len() > 500, "the catalog is read");
    for (key, both) in strings {
        for text in both.as_array().unwrap() {
            assert_no_rule_id(key, text.as_str().unwrap());
        }
    }
}

#[tokio::test]
async fn ins_11_a_notice_and_its_pdf_cite_the_measures_by_article_and_show_no_rule_id() {
    let app = spawn_app().await;
    let (task, finding, mut staff) = confirmed_finding(&app).await;
    // the basis a new notice proposes: the article on rectification notices
    let form = staff.get(&format!("/alpha/tasks/{task}/notice")).await;
    form.assert_contains(&format!("依据{INSPECTIONS}第八条"));
    assert_no_rule_id("the notice form", &visible_text(&form.body));
    let notice = issue(&mut staff, &app, task, finding).await;
    let page = staff.get(&format!("/alpha/notices/{notice}")).await;
    // D06 rests on INS-05 (art. 4); the unit may object under INS-12 (art. 9)
    page.assert_contains(&format!(
        "D06 未在门厅等显眼位置设置效能提示牌，{INSPECTIONS}第四条"
    ));
    let text = visible_text(&page.body);
    assert_no_rule_id("the notice", &text);
    let mut liaison = app.logged_in("alpha", "liaison").await;
    let unit_page = liaison.get(&format!("/alpha/notices/{notice}")).await;
    unit_page.assert_contains(&format!("{INSPECTIONS}第九条"));
    assert_no_rule_id("the unit's notice", &visible_text(&unit_page.body));
    let english = staff.get(&format!("/alpha/notices/{notice}?lang=en")).await;
    english.assert_contains("Art. 4 of the Provisional Measures for Open and Covert Inspections");
    assert_no_rule_id("the English notice", &visible_text(&english.body));

    let (status, _, pdf) = staff
        .get_bytes(&format!("/alpha/notices/{notice}/pdf?lang=zh"))
        .await;
    assert_eq!(status, StatusCode::OK);
    let (text, _) = pdf_text_and_fonts(&pdf);
    let flat: String = text.split_whitespace().collect();
    assert!(
        flat.contains(&format!("{INSPECTIONS}第四条")),
        "the PDF does not cite the article:\n{text}"
    );
    assert_no_rule_id("the notice's PDF", &text);
}

/// An office with the 2026 year open, its default catalog, and its administrator.
async fn year_2026(app: &TestApp) -> crate::common::Client {
    app.office_with_users("alpha").await;
    let mut admin = app.logged_in("alpha", "office_admin").await;
    let opened = admin.post("/alpha/years", &[("year", "2026")]).await;
    assert_eq!(opened.status, StatusCode::SEE_OTHER);
    admin
}

#[tokio::test]
async fn ins_15_the_catalog_cites_the_article_each_item_rests_on_and_no_rule_id() {
    let app = spawn_app().await;
    let mut admin = year_2026(&app).await;
    let page = admin.get("/alpha/years/2026/catalog").await;
    // D01… rest on INS-05 (art. 4), X01 on INS-08 (art. 5), X02 on INS-10 (art. 7)
    for article in ["第四条", "第五条", "第七条"] {
        page.assert_contains(&format!("{INSPECTIONS}{article}"));
    }
    assert_no_rule_id("the catalog", &page.body);
    let english = admin.get("/alpha/years/2026/catalog?lang=en").await;
    english.assert_contains("Art. 5 of the Provisional Measures for Open and Covert Inspections");
    assert_no_rule_id("the English catalog", &english.body);

    // the form offers the rules by their citation and what each is about
    let form = admin.get("/alpha/years/2026/catalog/new?lang=zh").await;
    form.assert_contains(&format!(
        "<option value=\"INS-05\">{INSPECTIONS}第四条（效能监督员上门核查）</option>"
    ));
    form.assert_contains("《市直单位效能工作八项制度》首问负责制");
    assert_no_rule_id("the item form", &visible_text(&form.body));
    let item = |rule_id: &'static str| {
        [
            ("code", "D21"),
            ("title", "窗口服务不规范"),
            ("for_open", "on"),
            ("points_min", "1"),
            ("rule_id", rule_id),
        ]
    };
    let refused = admin
        .post("/alpha/years/2026/catalog", &item("INS-99"))
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    refused.assert_contains("请从列表中选择该项目依据的条款");
    assert_no_rule_id("the refused form", &visible_text(&refused.body));
    let added = admin
        .post("/alpha/years/2026/catalog", &item("SYS-2"))
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    let page = admin.get("/alpha/years/2026/catalog").await;
    page.assert_contains("《市直单位效能工作八项制度》首问负责制");
    // the audit log keeps the rule's ID and shows its article
    let log = admin.get("/alpha/audit").await;
    log.assert_contains("依据: 《市直单位效能工作八项制度》首问负责制");
    assert_no_rule_id("the audit log", &log.body);
}

#[tokio::test]
async fn a_timeline_says_yes_or_no_and_names_people_and_records_by_their_names() {
    let app = spawn_app().await;
    let (_, finding, mut staff) = confirmed_finding(&app).await;
    // names change after the events were written: a timeline reads today's
    sqlx::query("update app_user set display_name = '李审核' where username = 'office_staff'")
        .execute(&app.pool)
        .await
        .unwrap();
    let page = staff.get(&format!("/alpha/findings/{finding}")).await;
    page.assert_contains("确认问题");
    page.assert_contains("取消评优资格: 否");
    page.assert_contains("· 李审核");
    assert!(
        !page.body.contains("· office_staff"),
        "a username on the timeline:\n{}",
        page.body
    );
    assert!(!page.body.contains(": false") && !page.body.contains(": true"));

    let log = staff.get("/alpha/audit").await;
    log.assert_contains(">李审核</td>");
    assert!(!log.body.contains(">office_staff</td>"), "{}", log.body);
    log.assert_contains("取消评优资格: 否");
    // the finding by its unit and item, the task by its unit and day, not by their UUIDs
    log.assert_contains("督查问题 第一单位 D06");
    log.assert_contains("任务: 第一单位 2026-12-03");
    assert!(!log.body.contains(": false") && !log.body.contains(": true"));
}
