//! The command line, as the platform operator uses it, against the test's own database.

use std::io::Write;
use std::process::{Command, Output, Stdio};

use axum::http::StatusCode;

use crate::common::{TestApp, spawn_app};

pub(crate) fn xiaoneng(app: &TestApp, args: &[&str], stdin: Option<&str>) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_xiaoneng"));
    command
        .args(args)
        .env("DATABASE_URL", &app.db_url)
        .env("XIAONENG__LOG__FILTER", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        });
    let mut child = command.spawn().expect("run xiaoneng");
    if let Some(text) = stdin {
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(text.as_bytes())
            .expect("write stdin");
    }
    child.wait_with_output().expect("xiaoneng output")
}

pub(crate) fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

#[tokio::test]
async fn tenant_create_makes_an_office_and_refuses_bad_or_taken_codes() {
    let app = spawn_app().await;
    let ok = xiaoneng(
        &app,
        &[
            "tenant",
            "create",
            "--code",
            "xuancheng",
            "--name",
            "宣城市直效能办",
        ],
        None,
    );
    assert!(ok.status.success(), "{}", text(&ok));
    assert!(text(&ok).contains("/xuancheng"));
    assert_eq!(
        app.scalar_i64("select count(*) from office where code = 'xuancheng'")
            .await,
        1
    );

    for (code, message) in [
        ("admin", "reserved"),
        ("Xuan", "lower-case"),
        ("x", "2 to 32"),
        ("xuancheng", "exists already"),
    ] {
        let refused = xiaoneng(
            &app,
            &["tenant", "create", "--code", code, "--name", "x"],
            None,
        );
        assert!(!refused.status.success(), "{code} accepted");
        assert!(
            text(&refused).contains(message),
            "{code}: {}",
            text(&refused)
        );
    }
}

#[tokio::test]
async fn user_create_reads_a_piped_password_and_the_user_can_log_in() {
    let app = spawn_app().await;
    let office = app.create_office("alpha", "甲").await;
    app.create_unit(&office, "u1", "第一单位").await;
    let made = xiaoneng(
        &app,
        &[
            "user",
            "create",
            "--office",
            "alpha",
            "--username",
            "chief",
            "--role",
            "office_admin",
        ],
        Some("a piped passphrase\n"),
    );
    assert!(made.status.success(), "{}", text(&made));
    assert!(
        !text(&made).contains("a piped passphrase"),
        "a piped password is never echoed"
    );
    let mut client = app.client();
    assert_eq!(
        client
            .login("alpha", "chief", "a piped passphrase")
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(client.get("/alpha/users").await.status, StatusCode::OK);

    let liaison = xiaoneng(
        &app,
        &[
            "user",
            "create",
            "--office",
            "alpha",
            "--username",
            "li",
            "--role",
            "liaison",
            "--unit",
            "u1",
        ],
        Some("another passphrase\n"),
    );
    assert!(liaison.status.success(), "{}", text(&liaison));

    for (args, message) in [
        (vec!["--username", "x1", "--role", "liaison"], "unit"),
        (
            vec!["--username", "x2", "--role", "liaison", "--unit", "nope"],
            "no unit with code nope",
        ),
        (vec!["--username", "x3", "--role", "king"], "choose a role"),
        (vec!["--username", "chief", "--role", "leader"], "taken"),
    ] {
        let mut all = vec!["user", "create", "--office", "alpha"];
        all.extend(args);
        let refused = xiaoneng(&app, &all, Some("long enough pass\n"));
        assert!(!refused.status.success());
        assert!(text(&refused).contains(message), "{}", text(&refused));
    }
    let unknown = xiaoneng(
        &app,
        &[
            "user",
            "create",
            "--office",
            "nowhere",
            "--username",
            "a1",
            "--role",
            "leader",
        ],
        Some("long enough pass\n"),
    );
    assert!(text(&unknown).contains("no office with code nowhere"));
}

#[tokio::test]
async fn demo_is_idempotent_and_prints_a_login_per_role() {
    let app = spawn_app().await;
    let file = std::env::temp_dir().join(format!("xiaoneng-demo-{}.txt", uuid::Uuid::new_v4()));
    let run = || {
        let mut command = Command::new(env!("CARGO_BIN_EXE_xiaoneng"));
        command
            .arg("demo")
            .env("DATABASE_URL", &app.db_url)
            .env("XIAONENG__DEMO__LOGINS_FILE", &file)
            .env("XIAONENG__EVIDENCE__DIR", &app.evidence_dir)
            .env("XIAONENG__LOG__FILTER", "error");
        command.output().expect("run demo")
    };
    let first = run();
    assert!(first.status.success(), "{}", text(&first));
    let second = run();
    assert!(second.status.success());
    assert_eq!(text(&first), text(&second), "the same logins both times");
    for role in [
        "office_admin",
        "office_staff",
        "leader",
        "supervisor",
        "liaison",
    ] {
        assert!(
            text(&first).contains(role),
            "{role} missing:\n{}",
            text(&first)
        );
    }
    assert_eq!(
        app.scalar_i64("select count(*) from office where code = 'demo'")
            .await,
        1
    );
    // the five printed logins, and a liaison for each of the other 39 units
    assert_eq!(app.scalar_i64("select count(*) from app_user").await, 44);
    // Realistic data: forty units in four categories with staff, 2026 open with the catalog.
    assert_eq!(app.scalar_i64("select count(*) from unit").await, 40);
    assert_eq!(
        app.scalar_i64("select count(distinct category) from unit")
            .await,
        4
    );
    assert!(app.scalar_i64("select count(*) from staff_member").await >= 120);
    assert_eq!(
        app.scalar_i64("select count(distinct employment) from staff_member")
            .await,
        5
    );
    assert_eq!(
        app.scalar_i64(
            "select count(*) from assessment_year where year = 2026 and status = 'open'"
        )
        .await,
        1
    );
    assert_eq!(
        app.scalar_i64("select count(*) from deduction_item").await,
        23
    );
    assert_eq!(
        app.scalar_i64("select count(*) from assessment_unit").await,
        40
    );
    assert_eq!(app.scalar_i64("select count(*) from supervisor where status = 'approved' and certificate_number is not null").await, 12);
    assert_eq!(
        app.scalar_i64("select count(*) from supervisor_group")
            .await,
        3
    );
    assert_eq!(
        app.scalar_i64("select count(*) from group_member where is_leader")
            .await,
        3
    );
    assert_eq!(
        app.scalar_i64("select count(*) from supervisor where user_id is not null")
            .await,
        1
    );
    assert!(
        app.scalar_i64("select count(*) from inspection_task where scheduled_on >= current_date")
            .await
            >= 1,
        "the demo supervisor has tasks this week"
    );
    let line = text(&first)
        .lines()
        .find(|l| l.contains("office_admin"))
        .unwrap_or_default()
        .to_string();
    let password = line
        .split_whitespace()
        .last()
        .unwrap_or_default()
        .to_string();
    let mut client = app.client();
    assert_eq!(
        client.login("demo", "admin", &password).await.status,
        StatusCode::SEE_OTHER
    );
    std::fs::remove_file(&file).ok();
}

/// The value of the overview's figure labelled `label`: the number in the `<strong>` before it.
fn figure(page: &str, label: &str) -> i64 {
    let at = page
        .find(&format!("{label}<"))
        .unwrap_or_else(|| panic!("no figure {label:?} in the page"));
    let before = &page[..at];
    let start = before.rfind("<strong>").expect("a figure's number") + "<strong>".len();
    let end = start + before[start..].find("</strong>").expect("the number's end");
    before[start..end].trim().parse().expect("a number")
}

/// A newcomer meets an office in the middle of its year, made by the product's own requests:
/// most units sent their self-reports (INS-04: a few missed one and lost the S01 points), the
/// first group inspected units with photos and signatures (INS-05, INS-09, INS-10), the office
/// confirmed and issued notices in every state (INS-11, INS-12), a bulletin went out and was
/// read, an interview was held with follow-ups (INS-13), and the channels are filled in.
#[tokio::test]
async fn ins_13_the_demo_office_is_met_in_the_middle_of_its_year() {
    let app = spawn_app().await;
    let file = std::env::temp_dir().join(format!("xiaoneng-demo-{}.txt", uuid::Uuid::new_v4()));
    let made = Command::new(env!("CARGO_BIN_EXE_xiaoneng"))
        .arg("demo")
        .env("DATABASE_URL", &app.db_url)
        .env("XIAONENG__DEMO__LOGINS_FILE", &file)
        .env("XIAONENG__EVIDENCE__DIR", &app.evidence_dir)
        .env("XIAONENG__LOG__FILTER", "error")
        .output()
        .expect("run demo");
    assert!(made.status.success(), "{}", text(&made));
    assert!(
        !text(&made).contains("stopped early"),
        "the whole year was lived: {}",
        text(&made)
    );
    let count = |sql: &'static str| app.scalar_i64(sql);
    let missed =
        count("select count(distinct unit_id) from deduction where source_type = 'self_report'")
            .await;
    assert!(
        (1..=10).contains(&missed),
        "a few units missed a self-report, not a quarter of forty: {missed}"
    );
    assert!(count("select count(*) from self_report").await >= 100);
    assert!(count("select count(*) from finding where status = 'confirmed'").await >= 5);
    assert!(count("select count(*) from finding where status = 'submitted'").await >= 1);
    for state in ["closed", "withdrawn", "issued"] {
        let n: i64 =
            sqlx::query_scalar("select count(*) from rectification_notice where status = $1")
                .bind(state)
                .fetch_one(&app.pool)
                .await
                .expect("notices");
        assert!(n >= 1, "a notice {state}");
    }
    assert!(
        count("select count(*) from evidence where purpose = 'finding' and media_type = 'jpeg'")
            .await
            >= 5
    );
    assert!(count("select count(*) from evidence where purpose = 'signature'").await >= 5);
    assert!(count("select count(*) from bulletin where status = 'published'").await >= 1);
    assert!(count("select count(*) from bulletin_read").await >= 10);
    assert!(count("select count(*) from interview where status = 'held'").await >= 1);
    // SYS-8 (accountability rule, art. 3): the interviewed unit is the year's warning unit
    assert_eq!(count("select count(*) from warning_unit").await, 1);
    // CMP-02 to CMP-13: complaints from the public form and staff, in every state so far
    assert_eq!(count("select count(*) from complaint").await, 7);
    assert_eq!(
        count("select count(distinct status) from complaint").await,
        5,
        "waiting, assigned (one of them transferred), signed (one urged), refused, acknowledged"
    );
    assert_eq!(
        count(
            "select count(*) from complaint where channel = 'online' and tracking_hash is not null"
        )
        .await,
        3
    );
    assert_eq!(
        app.scalar_string("select complaint_hotline from office_settings")
            .await,
        "0563-12345"
    );
    // the past is dated by the application's clock, not by the day the demo was made
    assert!(
        count("select count(*) from deduction where created_at < now() - interval '30 days'").await
            >= 3
    );

    let password = text(&made)
        .lines()
        .find(|l| l.contains("leader"))
        .and_then(|l| l.split_whitespace().last())
        .unwrap_or_default()
        .to_string();
    let mut leader = app.client();
    assert_eq!(
        leader.login("demo", "leader", &password).await.status,
        StatusCode::SEE_OTHER
    );
    let overview = leader.get("/demo/overview").await;
    assert_eq!(overview.status, StatusCode::OK);
    for label in ["已确认问题", "整改通知书", "已发布通报", "已约谈"] {
        assert!(
            figure(&overview.body, label) > 0,
            "{label} is not zero on the leader's overview"
        );
    }
    std::fs::remove_file(&file).ok();
}

#[tokio::test]
async fn two_offices_made_with_the_cli_cannot_see_each_other() {
    let app = spawn_app().await;
    for (code, name) in [("alpha", "甲市效能办"), ("beta", "乙市效能办")] {
        let office = xiaoneng(
            &app,
            &["tenant", "create", "--code", code, "--name", name],
            None,
        );
        assert!(office.status.success(), "{}", text(&office));
        let admin = xiaoneng(
            &app,
            &[
                "user",
                "create",
                "--office",
                code,
                "--username",
                "admin",
                "--role",
                "office_admin",
            ],
            Some(&format!("{code} admin passphrase\n")),
        );
        assert!(admin.status.success(), "{}", text(&admin));
    }
    let mut alpha = app.client();
    let login = alpha
        .login("alpha", "admin", "alpha admin passphrase")
        .await;
    assert_eq!(login.status, StatusCode::SEE_OTHER);
    assert_eq!(alpha.get("/alpha/users").await.status, StatusCode::OK);
    for path in [
        "/beta",
        "/beta/login",
        "/beta/users",
        "/beta/audit",
        "/beta/account/password",
    ] {
        assert_eq!(
            alpha.get(path).await.status,
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    // Same username, other office, other password: each office's admin is its own.
    assert_eq!(
        app.client()
            .login("beta", "admin", "alpha admin passphrase")
            .await
            .status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let mut beta = app.client();
    assert_eq!(
        beta.login("beta", "admin", "beta admin passphrase")
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    let users = beta.get("/beta/users").await;
    users.assert_contains("共 1 个用户");
}

/// INS-08: `xiaoneng scores` prints every listed unit's score and ranks from the same code as the
/// pages: a confirmed D06 costs its unit one point and the third place; the others tie for first.
#[tokio::test]
async fn ins_08_scores_prints_every_units_score_and_rank_as_csv() {
    let app = spawn_app().await;
    crate::notices::confirmed_finding(&app).await;
    let csv = xiaoneng(
        &app,
        &[
            "scores", "--office", "alpha", "--year", "2026", "--format", "csv",
        ],
        None,
    );
    assert!(csv.status.success(), "{}", text(&csv));
    let out = String::from_utf8_lossy(&csv.stdout).to_string();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines.first().copied(),
        Some("unit_code,unit_name,category,score,rank_in_category,rank_overall,excellence")
    );
    let row = |code: &str| {
        lines
            .iter()
            .find(|l| l.starts_with(&format!("{code},")))
            .map(|l| l.split(',').map(String::from).collect::<Vec<_>>())
            .unwrap_or_else(|| panic!("no row for {code}:\n{out}"))
    };
    let (u1, u2, u3) = (row("u1"), row("u2"), row("u3"));
    assert_eq!(u1[3], "99");
    assert_eq!((u2[3].as_str(), u3[3].as_str()), ("100", "100"));
    assert_eq!(
        (u2[5].as_str(), u3[5].as_str(), u1[5].as_str()),
        ("1", "1", "3")
    );
    assert!(["eligible", "proposed"].contains(&u1[6].as_str()));
    let json = xiaoneng(
        &app,
        &[
            "scores", "--office", "alpha", "--year", "2026", "--format", "json",
        ],
        None,
    );
    let rows: serde_json::Value = serde_json::from_slice(&json.stdout).expect("json");
    assert_eq!(rows.as_array().map(Vec::len), Some(lines.len() - 1));
    let missing = xiaoneng(
        &app,
        &["scores", "--office", "alpha", "--year", "2019"],
        None,
    );
    assert!(!missing.status.success());
    assert!(text(&missing).contains("no assessment year 2019"));
}
