//! The browser harness: the real server on a loopback port, Debian's headless Chromium driven
//! through chromedriver at a phone's 390×844 viewport. Screenshots go to `target/e2e/`.
//! Chromium and chromedriver are installed with apt-get when missing and we are root; otherwise
//! the test fails with the one command to run. It never skips.

use std::net::{SocketAddr, TcpListener as StdListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::json;

use crate::common::{PASSWORD, TestApp, spawn_app};

const INSTALL: &str = "sudo apt-get install chromium chromium-driver fonts-noto-cjk";

fn find_program(names: &[&str]) -> Option<PathBuf> {
    let paths = std::env::var_os("PATH").unwrap_or_default();
    let mut dirs: Vec<PathBuf> = std::env::split_paths(&paths).collect();
    dirs.extend(["/usr/bin", "/usr/lib/chromium"].map(PathBuf::from));
    names
        .iter()
        .flat_map(|n| dirs.iter().map(move |d| d.join(n)))
        .find(|p| p.is_file())
}

fn browser_programs() -> (PathBuf, PathBuf) {
    let find = || {
        let chromium = find_program(&["chromium", "chromium-browser"])?;
        let driver = find_program(&["chromedriver"])?;
        Some((chromium, driver))
    };
    if let Some(found) = find() {
        return found;
    }
    if install(&["chromium", "chromium-driver", "fonts-noto-cjk"])
        && let Some(found) = find()
    {
        return found;
    }
    panic!(
        "the browser tests need Chromium and chromedriver. Install them with:\n\n    {INSTALL}\n"
    );
}

/// Installs Debian's `packages` with apt-get when we are root; whether that was done.
fn install(packages: &[&str]) -> bool {
    let root = std::fs::metadata("/proc/self")
        .map(|m| std::os::unix::fs::MetadataExt::uid(&m) == 0)
        .unwrap_or(false);
    if !root || !Path::new("/usr/bin/apt-get").exists() {
        return false;
    }
    eprintln!("installing Debian's {packages:?} with apt-get...");
    let update = Command::new("apt-get").args(["update", "-qq"]).status();
    let install = Command::new("apt-get")
        .args(["install", "-y", "-qq"])
        .args(packages)
        .env("DEBIAN_FRONTEND", "noninteractive")
        .status();
    update.is_ok_and(|s| s.success()) && install.is_ok_and(|s| s.success())
}

/// pdftotext (Debian's poppler-utils), to read back the PDFs the server typesets, with the CJK
/// fonts they are typeset in; installed like the browser when missing.
pub fn pdftotext() -> PathBuf {
    let fonts = || Path::new("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc").is_file();
    if let Some(found) = find_program(&["pdftotext"]).filter(|_| fonts()) {
        return found;
    }
    if install(&["poppler-utils", "fonts-noto-cjk"])
        && let Some(found) = find_program(&["pdftotext"]).filter(|_| fonts())
    {
        return found;
    }
    panic!(
        "the document tests need pdftotext and the CJK fonts. Install them with:\n\n    sudo apt-get install poppler-utils fonts-noto-cjk\n"
    );
}

fn free_port() -> u16 {
    StdListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// chromedriver, stopped when dropped.
struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

async fn start_driver(driver: &Path, port: u16) -> Driver {
    let child = Command::new(driver)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromedriver");
    let started = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "chromedriver did not start"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Driver(child)
}

async fn serve(app: &TestApp) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("address");
    let service = app
        .router
        .clone()
        .into_make_service_with_connect_info::<SocketAddr>();
    tokio::spawn(async move { axum::serve(listener, service).await });
    addr
}

/// A phone (390×844) or a desk (1280×900) browser, set to Chinese.
async fn browser(chromium: &Path, driver_port: u16, profile: &Path, phone: bool) -> Client {
    let screen = if phone {
        json!({ "mobileEmulation": { "deviceMetrics": { "width": 390, "height": 844, "pixelRatio": 2.0 } } })
    } else {
        json!({ "args": ["--window-size=1280,900"] })
    };
    let mut capabilities = json!({
        "goog:chromeOptions": {
            "binary": chromium,
            "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
                "--lang=zh-CN", format!("--user-data-dir={}", profile.display()),
            ],
            // A browser set to Chinese, as most of the platform's users have.
            "prefs": { "intl": { "accept_languages": "zh-CN,zh" } },
        }
    });
    let options = &mut capabilities["goog:chromeOptions"];
    if let Some(emulation) = screen.get("mobileEmulation") {
        options["mobileEmulation"] = emulation.clone();
    }
    if let (Some(args), Some(extra)) = (options["args"].as_array_mut(), screen["args"].as_array()) {
        args.extend(extra.iter().cloned());
    }
    let serde_json::Value::Object(capabilities) = capabilities else {
        unreachable!()
    };
    ClientBuilder::new(HttpConnector::new())
        .capabilities(capabilities)
        .connect(&format!("http://127.0.0.1:{driver_port}"))
        .await
        .expect("a WebDriver session with headless Chromium")
}

pub(crate) async fn screenshot(client: &Client, name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/e2e");
    std::fs::create_dir_all(&dir).expect("target/e2e");
    let path = dir.join(name);
    let png = client.screenshot().await.expect("screenshot");
    std::fs::write(&path, png).expect("write screenshot");
    path
}

async fn page_width(client: &Client) -> u64 {
    let width = client
        .execute("return document.documentElement.scrollWidth", vec![])
        .await
        .expect("width");
    width.as_u64().unwrap_or(u64::MAX)
}

/// A browser on a fresh app with the office `office` (one user per role), ready to drive.
pub(crate) struct Session {
    pub(crate) client: Client,
    base: String,
    profile: PathBuf,
    _driver: Driver,
    _app: TestApp,
}

impl Session {
    pub(crate) async fn open(office: &str, phone: bool) -> Self {
        let app = spawn_app().await;
        app.office_with_users(office).await;
        Self::open_app(app, phone).await
    }

    /// A browser on an app the test has prepared.
    async fn open_app(app: TestApp, phone: bool) -> Self {
        let (chromium, driver_path) = browser_programs();
        let addr = serve(&app).await;
        let driver_port = free_port();
        let driver = start_driver(&driver_path, driver_port).await;
        let profile = std::env::temp_dir().join(format!("xiaoneng-e2e-{}", uuid::Uuid::new_v4()));
        let client = browser(&chromium, driver_port, &profile, phone).await;
        Self {
            client,
            base: format!("http://{addr}"),
            profile,
            _driver: driver,
            _app: app,
        }
    }

    pub(crate) async fn goto(&self, path: &str) {
        self.client
            .goto(&format!("{}{path}", self.base))
            .await
            .expect("navigate");
    }

    async fn fill(&self, css: &str, text: &str) {
        let field = self.client.find(Locator::Css(css)).await.expect(css);
        field.clear().await.expect("clear");
        field.send_keys(text).await.expect("type");
    }

    pub(crate) async fn click(&self, css: &str) {
        self.client
            .find(Locator::Css(css))
            .await
            .expect(css)
            .click()
            .await
            .expect("click");
    }

    /// Waits for an element: the page the last action led to.
    pub(crate) async fn wait_for(&self, locator: Locator<'_>) -> fantoccini::elements::Element {
        self.client
            .wait()
            .for_element(locator)
            .await
            .expect("the expected page")
    }

    pub(crate) async fn log_in(&self, username: &str) {
        self.fill("#username", username).await;
        self.fill("#password", PASSWORD).await;
        self.click("button[type=submit]").await;
    }

    pub(crate) async fn close(self) {
        self.client.close().await.expect("close the browser");
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_supervisor_logs_in_on_a_phone_sized_screen_in_chinese_and_switches_to_english() {
    let s = Session::open("e2e", true).await;
    s.goto("/e2e").await;
    s.wait_for(Locator::Css("form input#username")).await;
    let url = s.client.current_url().await.expect("url");
    assert!(url.as_str().starts_with(&format!("{}/e2e/login", s.base)));
    screenshot(&s.client, "login-390x844.png").await;
    assert!(
        page_width(&s.client).await <= 390,
        "the login page fits a 390 px screen"
    );

    s.log_in("supervisor").await;
    let heading = s
        .wait_for(Locator::XPath("//h1[starts-with(., '您好')]"))
        .await;
    assert_eq!(
        heading.text().await.expect("heading"),
        "您好，supervisor 姓名"
    );
    let source = s.client.source().await.expect("source");
    assert!(
        source.contains("效能监督员"),
        "the role is shown in Chinese"
    );
    assert!(
        page_width(&s.client).await <= 390,
        "the home page fits a 390 px screen"
    );
    let shot = screenshot(&s.client, "home-supervisor-zh-390x844.png").await;
    assert!(
        std::fs::metadata(&shot).map(|m| m.len()).unwrap_or(0) > 10_000,
        "a real picture"
    );

    s.click("a.lang-switch").await;
    s.wait_for(Locator::XPath("//h1[starts-with(., 'Hello, ')]"))
        .await;
    screenshot(&s.client, "home-supervisor-en-390x844.png").await;

    s.click("form[action='/e2e/logout'] button").await;
    s.wait_for(Locator::XPath(
        "//div[contains(@class, 'flash')][contains(., 'logged out')]",
    ))
    .await;
    s.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_administrator_at_a_desk_creates_a_user_and_reads_the_audit_log() {
    let s = Session::open("desk", false).await;
    s.goto("/desk/login?next=%2Fdesk%2Fusers").await;
    s.log_in("office_admin").await;
    s.wait_for(Locator::XPath("//h1[. = '用户管理']")).await;
    screenshot(&s.client, "users-desk.png").await;

    s.goto("/desk/users/new").await;
    s.fill("#username", "王五").await;
    s.fill("#display_name", "王五").await;
    s.click("#role option[value=office_staff]").await;
    s.click("form.form button[type=submit]").await;
    let error = s.wait_for(Locator::Css(".field-error")).await;
    assert!(error.text().await.expect("text").contains("小写字母"));
    let name = s
        .client
        .find(Locator::Css("#display_name"))
        .await
        .expect("name");
    assert_eq!(
        name.prop("value").await.expect("value").as_deref(),
        Some("王五"),
        "input kept"
    );
    screenshot(&s.client, "user-form-error-desk.png").await;

    s.fill("#username", "wangwu").await;
    s.click("form.form button[type=submit]").await;
    let secret = s.wait_for(Locator::Css("code.secret")).await;
    assert_eq!(secret.text().await.expect("password").len(), 16);
    screenshot(&s.client, "user-created-desk.png").await;

    s.goto("/desk/audit").await;
    s.wait_for(Locator::XPath("//td[. = '创建用户']")).await;
    screenshot(&s.client, "audit-desk.png").await;
    s.close().await;
}

/// INS-05, INS-09, INS-10, INS-11 on a phone: a supervisor opens the task, files a finding with a
/// photo, collects a drawn signature and submits; office staff confirm; the deduction appears.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ins_11_a_supervisor_files_a_finding_with_a_photo_on_a_phone_and_the_office_confirms_it() {
    use fantoccini::actions::{InputSource, MOUSE_BUTTON_LEFT, MouseActions, PointerAction};
    let app = spawn_app().await;
    let (u1, _, group_a, _) = crate::tasks::setup(&app).await;
    let mut staff = app.logged_in("alpha", "office_staff").await;
    staff
        .post(
            "/alpha/years/2026/tasks",
            &[
                ("unit_id", &u1.to_string()),
                ("group_id", &group_a.to_string()),
                ("kind", "open"),
                ("focus", "duty"),
                ("scheduled_on", "2026-12-03"),
            ],
        )
        .await;
    let task = crate::tasks::id_of(&app, "select id from inspection_task").await;
    let d06 = crate::tasks::id_of(&app, "select id from deduction_item where code = 'D06'").await;
    let photo = std::env::temp_dir().join(format!("xiaoneng-e2e-{}.jpg", uuid::Uuid::new_v4()));
    std::fs::write(&photo, crate::findings::jpeg(None)).expect("write the photo");
    let pool = app.pool.clone();
    let s = Session::open_app(app, true).await;

    s.goto("/alpha/login").await;
    s.log_in("supervisor").await;
    s.wait_for(Locator::Css(".whoami")).await;
    s.goto(&format!("/alpha/tasks/{task}")).await;
    s.click("form[action$='/findings'] button[type=submit]")
        .await;
    s.wait_for(Locator::Id("finding-form")).await;
    s.client
        .find(Locator::Id("item_id"))
        .await
        .expect("item list")
        .select_by_value(&d06.to_string())
        .await
        .expect("choose D06");
    s.fill("#description", "门厅未设置效能提示牌").await;
    s.fill("#place", "一楼大厅").await;
    s.click("#finding-form button[type=submit]").await;
    s.wait_for(Locator::Css(".flash")).await;
    let files = s
        .client
        .find(Locator::Id("files"))
        .await
        .expect("file input");
    files
        .send_keys(&photo.display().to_string())
        .await
        .expect("choose the photo");
    s.click("form[data-upload] button[type=submit]").await;
    // the script uploads with progress, then reloads the page with the photo's thumbnail
    s.wait_for(Locator::Css(".evidence-list img")).await;
    screenshot(&s.client, "finding-390x844.png").await;
    assert!(page_width(&s.client).await <= 390, "no sideways scrolling");

    s.goto(&format!("/alpha/tasks/{task}")).await;
    s.fill("#signer_name", "王主任").await;
    let canvas = s
        .client
        .find(Locator::Css("[data-signature-pad] canvas"))
        .await
        .expect("signature pad");
    let strokes = MouseActions::new("pen".into())
        .then(PointerAction::MoveToElement {
            element: canvas.clone(),
            duration: None,
            x: -80.0,
            y: 0.0,
        })
        .then(PointerAction::Down {
            button: MOUSE_BUTTON_LEFT,
        })
        .then(PointerAction::MoveBy {
            duration: Some(Duration::from_millis(100)),
            x: 60.0,
            y: 20.0,
        })
        .then(PointerAction::MoveBy {
            duration: Some(Duration::from_millis(100)),
            x: 60.0,
            y: -30.0,
        })
        .then(PointerAction::Up {
            button: MOUSE_BUTTON_LEFT,
        });
    s.client.perform_actions(strokes).await.expect("sign");
    screenshot(&s.client, "signature-390x844.png").await;
    s.click("form[data-signoff] button[type=submit]").await;
    s.wait_for(Locator::Css("a[href*='/evidence/']")).await;
    s.click("form[action$='/submit'] button[type=submit]").await;
    s.client
        .accept_alert()
        .await
        .expect("confirm the submission");
    s.wait_for(Locator::Css(".badge-on")).await;
    screenshot(&s.client, "task-submitted-390x844.png").await;
    assert!(page_width(&s.client).await <= 390, "no sideways scrolling");

    s.click(".topbar form button").await;
    s.wait_for(Locator::Id("username")).await;
    s.log_in("office_staff").await;
    s.wait_for(Locator::Css(".whoami")).await;
    s.goto("/alpha/review").await;
    s.click(".task-card a").await;
    s.wait_for(Locator::Css("form[action$='/decision']")).await;
    s.click("form[action$='/decision'] button[type=submit]")
        .await;
    s.wait_for(Locator::Css(".flash")).await;
    screenshot(&s.client, "review-confirmed-390x844.png").await;
    // the deduction appears on the unit's page, linked to its finding
    s.goto(&format!("/alpha/units/{u1}")).await;
    let deduction = s
        .wait_for(Locator::XPath("//td[contains(., '门厅未设置效能提示牌')]"))
        .await;
    assert!(deduction.text().await.expect("text").contains("D06"));
    screenshot(&s.client, "unit-deduction-390x844.png").await;
    let (signature, points): (String, rust_decimal::Decimal) = sqlx::query_as(
        "select (select media_type from evidence where purpose = 'signature'),
                (select points from deduction where source_type = 'finding')",
    )
    .fetch_one(&pool)
    .await
    .expect("the signature and the deduction");
    assert_eq!(signature, "png");
    assert_eq!(points, rust_decimal::Decimal::from(1));
    let _ = std::fs::remove_file(&photo);
    s.close().await;
}

/// INS-11, INS-12 at a desk: staff issue a notice, the liaison appeals, staff reject, the liaison
/// reports, staff accept. Screenshots include the notice as printed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ins_12_a_notice_is_issued_appealed_rejected_reported_and_accepted_in_the_browser() {
    let app = spawn_app().await;
    let (task, finding, mut supervisor) = crate::findings::task_with_draft(&app).await;
    let d06 = crate::findings::item(&app, "D06").await;
    supervisor
        .post(
            &format!("/alpha/findings/{finding}"),
            &[
                ("item_id", &d06.to_string()),
                ("description", "门厅未设置效能提示牌"),
            ],
        )
        .await;
    crate::findings::sign_and_submit(&mut supervisor, task).await;
    let mut staff = app.logged_in("alpha", "office_staff").await;
    staff
        .post(
            &format!("/alpha/findings/{finding}/decision"),
            &[("decision", "confirm")],
        )
        .await;
    let pool = app.pool.clone();
    let s = Session::open_app(app, false).await;

    s.goto("/alpha/login").await;
    s.log_in("office_staff").await;
    s.wait_for(Locator::Css(".whoami")).await;
    s.goto(&format!("/alpha/tasks/{task}/notice")).await;
    s.click("form[action$='/notice'] button[type=submit]").await;
    s.client.accept_alert().await.expect("confirm the notice");
    s.wait_for(Locator::Css(".document")).await;
    s.client
        .set_window_size(1240, 1754)
        .await
        .expect("an A4-shaped window");
    screenshot(&s.client, "notice-document-a4.png").await;
    let pdf = s
        .client
        .print(fantoccini::wd::PrintConfiguration::default())
        .await
        .expect("print the notice");
    std::fs::write(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/e2e/notice-printed.pdf"),
        &pdf,
    )
    .expect("keep the printed notice");
    assert!(pdf.starts_with(b"%PDF"));
    let notice_url = s.client.current_url().await.expect("url").to_string();

    s.click(".topbar form button").await;
    s.wait_for(Locator::Id("username")).await;
    s.log_in("liaison").await;
    s.wait_for(Locator::Css(".whoami")).await;
    s.client.goto(&notice_url).await.expect("the notice");
    s.fill("#reasons", "提示牌已设置，见现场照片").await;
    s.click("form[action$='/appeal'] button[type=submit]").await;
    s.wait_for(Locator::XPath("//*[contains(., '待效能办处理')]"))
        .await;

    s.click(".topbar form button").await;
    s.wait_for(Locator::Id("username")).await;
    s.log_in("office_staff").await;
    s.wait_for(Locator::Css(".whoami")).await;
    s.client.goto(&notice_url).await.expect("the notice");
    s.fill("#decision_reason", "照片显示检查时未设置").await;
    s.click("form[action$='/appeal/decision'] button[type=submit]")
        .await;
    s.wait_for(Locator::XPath("//strong[contains(., '异议不成立')]"))
        .await;

    s.click(".topbar form button").await;
    s.wait_for(Locator::Id("username")).await;
    s.log_in("liaison").await;
    s.wait_for(Locator::Css(".whoami")).await;
    s.client.goto(&notice_url).await.expect("the notice");
    s.fill("#report_content", "已在门厅设置提示牌，并排查全部窗口")
        .await;
    s.click("form[action$='/reports'] button[type=submit]")
        .await;
    s.wait_for(Locator::XPath("//span[contains(., '待审核')]"))
        .await;

    s.click(".topbar form button").await;
    s.wait_for(Locator::Id("username")).await;
    s.log_in("office_staff").await;
    s.wait_for(Locator::Css(".whoami")).await;
    s.client.goto(&notice_url).await.expect("the notice");
    s.click("form[action$='/report/decision'] button[type=submit]")
        .await;
    s.wait_for(Locator::XPath("//span[contains(., '已办结')]"))
        .await;
    screenshot(&s.client, "notice-closed.png").await;
    let status: String = sqlx::query_scalar("select status from rectification_notice")
        .fetch_one(&pool)
        .await
        .expect("the notice");
    assert_eq!(status, "closed");
    s.close().await;
}
