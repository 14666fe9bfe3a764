//! Every home page is a work page: each role's work, counted, each count or item linking to the
//! list or page where it is done; the leaders' overview never says "none" while there are some.

use axum::http::StatusCode;
use chrono::TimeZone;

use crate::common::{Client, spawn_app};
use crate::findings::task_with_draft;
use crate::notices::{
    appeal_and_report, appealed_and_reported, confirmed_finding, issue, submitted_finding,
};
use crate::tasks::{id_of, setup};

/// A moment in the office's zone, `2026-12-01 10:00`.
/// A moment given in the office's time, `2026-12-01 10:00`.
pub fn at(s: &str) -> chrono::DateTime<chrono::Utc> {
    let local = chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap();
    chrono_tz::Asia::Shanghai
        .from_local_datetime(&local)
        .unwrap()
        .with_timezone(&chrono::Utc)
}

/// The link in `body` whose text holds `text`, with what it says: (href, the whole link).
#[track_caller]
fn link_with(body: &str, text: &str) -> (String, String) {
    let at = body
        .find(text)
        .unwrap_or_else(|| panic!("{text:?} in the page:\n{body}"));
    let start = body[..at]
        .rfind("<a href=\"")
        .unwrap_or_else(|| panic!("a link around {text:?}:\n{body}"));
    let end = at + body[at..].find("</a>").expect("the link's end");
    let link = body[start..end].to_string();
    let href = link["<a href=\"".len()..]
        .split('"')
        .next()
        .unwrap_or_default()
        .to_string();
    (href, link)
}

/// The home page's `<main>`, without the navigation (which links to lists of its own).
async fn home(client: &mut Client) -> String {
    let page = client.get("/alpha").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let main = page.body.find("<main").expect("main");
    page.body[main..].to_string()
}

#[tokio::test]
async fn ins_11_the_office_staffs_home_counts_its_queue_and_each_count_links_to_its_list() {
    let app = spawn_app().await;
    app.clock.set(at("2026-12-01 10:00"));
    let (task, finding, _) = submitted_finding(&app).await;
    let mut staff = app.logged_in("alpha", "office_staff").await;
    let (href, link) = link_with(&home(&mut staff).await, "待审核的问题");
    assert_eq!(href, "/alpha/review");
    assert!(link.contains(">1</span>"), "{link}");
    staff
        .get(&href)
        .await
        .assert_contains("门厅未设置效能提示牌");
    staff
        .post(
            &format!("/alpha/findings/{finding}/decision"),
            &[("decision", "confirm")],
        )
        .await;
    let notice = issue(&mut staff, &app, task, finding).await;
    appeal_and_report(&app, notice).await;
    let queue = home(&mut staff).await;
    for (label, list) in [
        ("待处理的异议", "/alpha/notices?show=appealed"),
        ("待审核的整改报告", "/alpha/notices?show=reported"),
    ] {
        let (href, link) = link_with(&queue, label);
        assert_eq!(href, list);
        assert!(link.contains(">1</span>"), "{link}");
        let listed = staff.get(&href).await;
        listed.assert_contains("效整〔2026〕1号");
        listed.assert_contains("aria-current=\"page\"");
    }
    assert!(!queue.contains("待审核的问题"), "{queue}");

    // the report comes back, the deadline passes: the notice is overdue, and listed as such
    staff
        .post(
            &format!("/alpha/notices/{notice}/report/decision"),
            &[("decision", "returned"), ("reason", "缺少排查情况")],
        )
        .await;
    app.clock.set(at("2027-01-20 10:00"));
    let mut staff = app.logged_in("alpha", "office_staff").await;
    let (href, link) = link_with(&home(&mut staff).await, "逾期未整改的通知书");
    assert_eq!(href, "/alpha/notices?show=overdue");
    assert!(link.contains(">1</span>"), "{link}");
    staff.get(&href).await.assert_contains("效整〔2026〕1号");
    let none = staff.get("/alpha/notices?show=reported").await;
    none.assert_contains("没有处于这一状态的整改通知书");
}

#[tokio::test]
async fn ins_13_the_leaders_home_shows_key_numbers_as_tiles_that_link_to_the_lists_behind_them() {
    let app = spawn_app().await;
    app.clock.set(at("2026-12-01 10:00"));
    appealed_and_reported(&app).await;
    let mut leader = app.logged_in("alpha", "leader").await;
    let page = home(&mut leader).await;
    for (label, count, list, shows) in [
        (
            "2026年度已确认问题",
            1,
            "/alpha/years/2026/findings",
            "门厅未设置效能提示牌",
        ),
        (
            "整改中的通知书",
            1,
            "/alpha/notices?show=standing",
            "效整〔2026〕1号",
        ),
        (
            "申诉待决定",
            1,
            "/alpha/notices?show=appealed",
            "效整〔2026〕1号",
        ),
        (
            "逾期未整改",
            0,
            "/alpha/notices?show=overdue",
            "没有处于这一状态",
        ),
        (
            "已发布通报",
            0,
            "/alpha/bulletins",
            "效能办发布的通报会列在这里",
        ),
        ("待进行的约谈", 0, "/alpha/interviews", "效能办安排约谈后"),
    ] {
        let (href, link) = link_with(&page, label);
        assert_eq!(href, list, "{label}");
        assert!(
            link.contains(&format!("<strong>{count}</strong>")),
            "{link}"
        );
        let behind = leader.get(&href).await;
        assert_eq!(behind.status, StatusCode::OK, "{href}");
        behind.assert_contains(shows);
    }
    let (href, _) = link_with(&page, "查看督查概览");
    assert_eq!(href, "/alpha/overview");
}

#[tokio::test]
async fn ins_02_the_supervisors_home_lists_todays_tasks_and_the_rest_of_this_week_with_links() {
    let app = spawn_app().await;
    // Thursday 3 December 2026: the week runs from Monday 30 November to Sunday 6 December
    app.clock.set(at("2026-12-03 08:30"));
    let (task, _, mut supervisor) = task_with_draft(&app).await;
    let mut staff = app.logged_in("alpha", "office_staff").await;
    let u2 = id_of(&app, "select id from unit where code = 'u2'").await;
    let group = id_of(&app, "select id from supervisor_group where name = '甲组'").await;
    for day in ["2026-12-05", "2026-12-08"] {
        let created = staff
            .post(
                "/alpha/years/2026/tasks",
                &[
                    ("unit_id", &u2.to_string()),
                    ("group_id", &group.to_string()),
                    ("kind", "open"),
                    ("focus", "duty"),
                    ("scheduled_on", day),
                ],
            )
            .await;
        assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    }
    let saturday = id_of(
        &app,
        "select id from inspection_task where scheduled_on = '2026-12-05'",
    )
    .await;
    let page = home(&mut supervisor).await;
    let today = &page[page.find("今天的督查任务").unwrap()..page.find("本周其他督查任务").unwrap()];
    let (href, link) = link_with(today, "第一单位");
    assert_eq!(href, format!("/alpha/tasks/{task}"));
    assert!(
        link.contains("2026-12-03") && link.contains("明查"),
        "{link}"
    );
    let week = &page[page.find("本周其他督查任务").unwrap()..];
    let (href, link) = link_with(week, "第二单位");
    assert_eq!(href, format!("/alpha/tasks/{saturday}"));
    assert!(link.contains("2026-12-05"), "{link}");
    assert!(
        !page.contains("2026-12-08"),
        "next week's task is not this week's:\n{page}"
    );
    let (href, link) = link_with(&page, "尚未提交的问题草稿");
    assert_eq!(href, "/alpha/tasks");
    assert!(link.contains(">1</span>"), "{link}");

    // on Monday the new week has only the task of the 8th, and today is empty
    app.clock.set(at("2026-12-07 08:30"));
    let mut supervisor = app.logged_in("alpha", "supervisor").await;
    let page = home(&mut supervisor).await;
    page.assert_says("今天没有督查任务。效能办给本组安排的任务，会在当天列在这里。");
    assert!(
        page.contains("2026-12-08") && !page.contains("2026-12-05"),
        "{page}"
    );
}

#[tokio::test]
async fn ins_11_and_ins_12_the_liaisons_home_lists_notices_to_answer_with_days_left_and_what_waits_for_the_office()
 {
    let app = spawn_app().await;
    app.clock.set(at("2026-12-01 10:00"));
    let (task, finding, mut staff) = confirmed_finding(&app).await;
    let mut liaison = app.logged_in("alpha", "liaison").await;
    let before = home(&mut liaison).await;
    before.assert_says("暂无待整改的通知书。效能办下达整改通知书后，会列在这里");
    // INS-04: the year's ended quarters not yet reported, each with its due date
    let (href, link) = link_with(&before, "报送2026年第3季度自查报告");
    assert_eq!(href, "/alpha/self-reports");
    assert!(before.contains("2026-10-20"), "{before}");
    assert!(link.contains("2026年第3季度"), "{link}");

    let notice = issue(&mut staff, &app, task, finding).await;
    let page = home(&mut liaison).await;
    let answer =
        &page[page.find("待整改回复的通知书").unwrap()..page.find("等待效能办决定").unwrap()];
    let (href, link) = link_with(answer, "效整〔2026〕1号");
    assert_eq!(href, format!("/alpha/notices/{notice}"));
    assert!(link.contains("还剩 10 个工作日"), "{link}");
    assert!(link.contains("可在 2026-12-03 23:59 前提出申诉"), "{link}");
    let (href, link) = link_with(&page, "待整改并报送的通知书");
    assert_eq!(href, "/alpha/notices?show=to_rectify");
    assert!(link.contains(">1</span>"), "{link}");
    page.assert_says("没有等待效能办决定的申诉或整改报告");

    appeal_and_report(&app, notice).await;
    let page = home(&mut liaison).await;
    page.assert_says("暂无待整改的通知书");
    let waiting = &page[page.find("等待效能办决定").unwrap()..];
    for what in ["申诉待效能办决定", "整改报告待效能办审核"] {
        let (href, _) = link_with(waiting, what);
        assert_eq!(href, format!("/alpha/notices/{notice}"));
    }

    // returned, and the deadline passed: overdue, by how many days
    staff
        .post(
            &format!("/alpha/notices/{notice}/report/decision"),
            &[("decision", "returned"), ("reason", "缺少排查情况")],
        )
        .await;
    app.clock.set(at("2026-12-20 10:00"));
    let mut liaison = app.logged_in("alpha", "liaison").await;
    let page = home(&mut liaison).await;
    let (_, link) = link_with(&page, "效整〔2026〕1号");
    assert!(link.contains("已逾期 5 天"), "{link}");
    assert!(link.contains("整改报告被退回"), "{link}");
}

#[tokio::test]
async fn the_administrators_home_keeps_the_accounts_with_links_and_a_short_queue() {
    let app = spawn_app().await;
    app.office_with_users("alpha").await;
    let mut admin = app.logged_in("alpha", "office_admin").await;
    let page = home(&mut admin).await;
    page.assert_says("在用账号");
    let (href, link) = link_with(&page, "效能办工作人员");
    assert_eq!(href, "/alpha/users?role=office_staff");
    assert!(link.contains("<strong>1</strong>"), "{link}");
    page.assert_says("眼下没有待处理的事项");
    let listed = admin.get(&href).await;
    listed.assert_contains("office_staff 姓名");
}

#[tokio::test]
async fn ins_13_an_overview_box_never_says_none_while_the_office_has_such_items() {
    let app = spawn_app().await;
    app.clock.set(at("2026-12-01 10:00"));
    let (task, finding, mut staff) = confirmed_finding(&app).await;
    issue(&mut staff, &app, task, finding).await;
    let mut leader = app.logged_in("alpha", "leader").await;
    let page = leader.get("/alpha/overview").await;
    assert_eq!(page.status, StatusCode::OK);
    // one notice stands, not overdue and not appealed: its boxes say what would be there
    page.assert_contains("<strong>1</strong><span>整改中</span>");
    assert!(!page.body.contains("暂无整改通知书"), "{}", page.body);
    page.assert_contains("没有逾期未整改的通知书。");
    page.assert_contains("没有待决定的申诉。");
    assert!(!page.body.contains("暂无记录"), "{}", page.body);
}

/// What a page's text says, in words a test reads.
trait Says {
    fn assert_says(&self, text: &str);
}

impl Says for String {
    #[track_caller]
    fn assert_says(&self, text: &str) {
        assert!(self.contains(text), "expected {text:?} in:\n{self}");
    }
}

#[tokio::test]
async fn ins_10_a_refused_sign_off_shows_the_task_page_again_with_each_error_by_its_field_and_what_was_typed()
 {
    let app = spawn_app().await;
    let (task, _, mut supervisor) = task_with_draft(&app).await;
    let path = format!("/alpha/tasks/{task}/signoff");
    let refused = supervisor
        .post(
            &path,
            &[
                ("outcome", "signed"),
                ("signer_name", " "),
                ("signer_post", "办公室主任"),
                ("typed_signature", ""),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let body = &refused.body;
    // the task's own page, not a page of its own
    refused.assert_contains("<h1>第一单位</h1>");
    assert!(!body.contains("未能办理"), "{body}");
    // the summary at the top, then each error right after its field, the typed values kept
    let summary = body.find("请修改下面标出的内容").expect("the summary");
    let name = body.find("id=\"signer_name\"").expect("the name field");
    let post = body.find("id=\"signer_post\"").expect("the post field");
    let typed = body
        .find("id=\"typed_signature\"")
        .expect("the typed signature");
    assert!(summary < name, "the summary is above the form");
    let name_error = body.find("请填写签字人姓名。").expect("the name's error");
    assert!(name < name_error && name_error < post, "{body}");
    let mark_error = body
        .find("请手写签名，或输入签名。")
        .expect("the signature's error");
    assert!(typed < mark_error, "{body}");
    refused.assert_contains("value=\"办公室主任\"");

    // a refusal without its reason: the refusal's form opens with the error by its field
    let no_reason = supervisor
        .post(&path, &[("outcome", "refused"), ("refusal_reason", " ")])
        .await;
    assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
    no_reason.assert_contains("<details class=\"refusal\" open>");
    let reason = no_reason.body.find("id=\"refusal_reason\"").unwrap();
    let error = no_reason.body.find("请说明拒签情况。").unwrap();
    assert!(reason < error, "{}", no_reason.body);
    assert_eq!(app.scalar_i64("select count(*) from task_signoff").await, 0);

    // signed once, a second sign-off is refused by the rule, said at the top of the same page
    let signed = supervisor
        .post(
            &path,
            &[
                ("outcome", "signed"),
                ("signer_name", "王主任"),
                ("typed_signature", "王主任"),
            ],
        )
        .await;
    assert_eq!(signed.status, StatusCode::SEE_OTHER, "{}", signed.body);
    let again = supervisor
        .post(
            &path,
            &[
                ("outcome", "signed"),
                ("signer_name", "李四"),
                ("typed_signature", "李四"),
            ],
        )
        .await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    again.assert_contains("<h1>第一单位</h1>");
    let error = again
        .body
        .find("该任务已签字确认或已报送。")
        .expect("the refusal");
    assert!(error < again.body.find("<h1>").unwrap(), "said at the top");
}

#[tokio::test]
async fn ins_11_the_task_page_links_to_the_notices_issued_from_it() {
    let app = spawn_app().await;
    let (task, finding, mut staff) = confirmed_finding(&app).await;
    let notice = issue(&mut staff, &app, task, finding).await;
    for role in ["office_staff", "leader"] {
        let mut reader = app.logged_in("alpha", role).await;
        let page = reader.get(&format!("/alpha/tasks/{task}")).await;
        let (href, _) = link_with(&page.body, "效整〔2026〕1号");
        assert_eq!(href, format!("/alpha/notices/{notice}"), "{role}");
    }
}

#[tokio::test]
async fn a_staff_members_move_away_is_a_button_that_reads_as_one() {
    let app = spawn_app().await;
    setup(&app).await;
    let u1 = id_of(&app, "select id from unit where code = 'u1'").await;
    let mut staff = app.logged_in("alpha", "office_staff").await;
    let added = staff
        .post(
            &format!("/alpha/units/{u1}/staff"),
            &[("name", "张三"), ("employment", "regular")],
        )
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    let page = staff.get(&format!("/alpha/units/{u1}")).await;
    page.assert_contains("class=\"button danger small\">标为已调离</button>");
}
