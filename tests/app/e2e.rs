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

pub(crate) async fn page_width(client: &Client) -> u64 {
    let width = client
        .execute("return document.documentElement.scrollWidth", vec![])
        .await
        .expect("width");
    width.as_u64().unwrap_or(u64::MAX)
}

/// Scrolls `element` to the middle of the screen, for a screenshot that shows it.
async fn show(client: &Client, element: &fantoccini::elements::Element) {
    let element = serde_json::to_value(element).expect("an element reference");
    client
        .execute(
            "arguments[0].scrollIntoView({ block: 'center' })",
            vec![element],
        )
        .await
        .expect("scroll");
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
    pub(crate) async fn open_app(app: TestApp, phone: bool) -> Self {
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

    pub(crate) async fn fill(&self, css: &str, text: &str) {
        let field = self.client.find(Locator::Css(css)).await.expect(css);
        field.clear().await.expect("clear");
        field.send_keys(text).await.expect("type");
    }

    /// Picks the file at `path` with the file input `#id`.
    pub(crate) async fn pick(&self, id: &str, path: &Path) {
        self.client
            .find(Locator::Id(id))
            .await
            .expect(id)
            .send_keys(&path.display().to_string())
            .await
            .expect("pick the file");
    }

    /// The value of the field `#id`, once the page has it.
    async fn value(&self, id: &str) -> Option<String> {
        let field = self.wait_for(Locator::Id(id)).await;
        field.prop("value").await.expect("the field's value")
    }

    /// Waits for the draft's autosave status line to say `text`, and for the time field's error.
    async fn autosave_refuses_the_time(&self, text: &str) -> fantoccini::elements::Element {
        let status = format!("//p[@data-autosave-status][contains(., '{text}')]");
        self.wait_for(Locator::XPath(&status)).await;
        self.wait_for(Locator::Css("#observed_at + p.field-error[role=alert]"))
            .await
    }

    /// Presses a finding's "confirm and deduct": the question it asks first, left open.
    async fn press_confirm(&self) -> String {
        self.click("form[action$='/decision'] button[type=submit]")
            .await;
        self.client
            .get_alert_text()
            .await
            .expect("a confirmation first")
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

    /// Signs in to the office `alpha` as `username` and waits for the home page.
    async fn sign_in_to_alpha(&self, username: &str) {
        self.goto("/alpha/login").await;
        self.log_in(username).await;
        self.wait_for(Locator::Css(".whoami")).await;
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

    s.sign_in_to_alpha("supervisor").await;
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
    s.pick("files", &photo).await;
    // the photo goes up by itself once picked, with progress; the page then reloads with its
    // thumbnail
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
    assert_eq!(
        s.press_confirm().await,
        "确认后将对第一单位扣 1 分，记入扣分台账。确定确认吗？"
    );
    s.client.accept_alert().await.expect("confirm the finding");
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
    let (task, _finding, _staff) = crate::notices::confirmed_finding(&app).await;
    let pool = app.pool.clone();
    let s = Session::open_app(app, false).await;

    s.sign_in_to_alpha("office_staff").await;
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

/// Chromium's network throttle (chromedriver's own command): a phone's slow upload, in bytes a
/// second.
#[derive(Debug)]
struct SlowUpload(u64);

impl fantoccini::wd::WebDriverCompatibleCommand for SlowUpload {
    fn endpoint(
        &self,
        base: &url::Url,
        session: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        let session = session.unwrap_or_default();
        base.join(&format!("session/{session}/chromium/network_conditions"))
    }

    fn method_and_body(&self, _: &url::Url) -> (axum::http::Method, Option<String>) {
        let conditions = json!({ "network_conditions": {
            "offline": false, "latency": 0, "download_throughput": 50_000_000,
            "upload_throughput": self.0,
        } });
        (axum::http::Method::POST, Some(conditions.to_string()))
    }
}

/// A photo of some 200 KB: noise does not compress.
fn noisy_photo() -> Vec<u8> {
    let mut seed = 0x2545_f491_u32;
    let image = image::RgbImage::from_fn(480, 360, |_, _| {
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        let [r, g, b, _] = seed.to_le_bytes();
        image::Rgb([r, g, b])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    image
        .write_to(&mut out, image::ImageFormat::Jpeg)
        .expect("encode the photo");
    out.into_inner()
}

/// The page as a supervisor on a phone sees it: a task of their group with a draft finding open.
async fn supervisor_on_a_draft() -> (Session, uuid::Uuid, sqlx::PgPool) {
    let app = spawn_app().await;
    let (_, finding, _) = crate::findings::task_with_draft(&app).await;
    let pool = app.pool.clone();
    let s = Session::open_app(app, true).await;
    s.sign_in_to_alpha("supervisor").await;
    s.goto(&format!("/alpha/findings/{finding}")).await;
    s.wait_for(Locator::Id("finding-form")).await;
    (s, finding, pool)
}

/// INS-09 on a phone: a photo taken with the camera is listed at once and goes up by itself;
/// pressing "save draft" while it is on its way asks first, and nothing is lost: the photo and the
/// typed description both reach the server. A refused file stays listed with its reason.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ins_09_a_photo_taken_and_the_draft_saved_at_once_both_reach_the_server() {
    let (s, finding, pool) = supervisor_on_a_draft().await;
    let photo = std::env::temp_dir().join(format!("xiaoneng-e2e-{}.jpg", uuid::Uuid::new_v4()));
    let bytes = noisy_photo();
    std::fs::write(&photo, &bytes).expect("write the photo");
    // a phone's upload: the photo takes a few seconds
    let slow = (bytes.len() / 3) as u64;
    s.client
        .issue_cmd(SlowUpload(slow))
        .await
        .expect("slow the upload");
    s.fill("#description", "窗口无人值守，群众等候二十分钟")
        .await;
    s.pick("camera", &photo).await;
    // listed at once, with a preview and its size, and on its way
    let row = s
        .wait_for(Locator::Css("[data-upload-list] li[data-state=sending]"))
        .await;
    assert!(row.find(Locator::Css("img")).await.is_ok(), "a preview");
    let text = row.text().await.expect("the row");
    assert!(text.contains(" KB") && text.contains(".jpg"), "{text}");
    show(&s.client, &row).await;
    screenshot(&s.client, "finding-uploading-390x844.png").await;
    s.click("#finding-form button[type=submit]").await;
    let question = s
        .client
        .get_alert_text()
        .await
        .expect("saving while the photo is on its way asks first");
    assert!(question.contains("还有 1 个文件正在上传"), "{question}");
    s.client.dismiss_alert().await.expect("stay for the upload");
    // the upload ends in a reload that shows the stored photo
    s.wait_for(Locator::Css(".evidence-list img")).await;
    let (files, description): (i64, String) = sqlx::query_as(
        "select (select count(*) from evidence where finding_id = $1),
                (select description from finding where id = $1)",
    )
    .bind(finding)
    .fetch_one(&pool)
    .await
    .expect("the finding");
    assert_eq!(files, 1, "the photo is stored");
    assert_eq!(description, "窗口无人值守，群众等候二十分钟");
    assert_eq!(
        s.value("description").await.as_deref(),
        Some("窗口无人值守，群众等候二十分钟")
    );

    // a refused file stays listed with why
    let svg = std::env::temp_dir().join(format!("xiaoneng-e2e-{}.svg", uuid::Uuid::new_v4()));
    std::fs::write(&svg, "<svg xmlns='http://www.w3.org/2000/svg'></svg>").expect("write");
    s.pick("files", &svg).await;
    let refused = s
        .wait_for(Locator::XPath(
            "//li[@data-state='refused'][contains(., '不接受 SVG 文件')]",
        ))
        .await;
    assert!(refused.text().await.expect("text").contains(".svg"));
    show(&s.client, &refused).await;
    screenshot(&s.client, "finding-refused-file-390x844.png").await;
    let _ = std::fs::remove_file(&photo);
    let _ = std::fs::remove_file(&svg);
    s.close().await;
}

/// INS-09 on a phone: a time in the future is refused beside its field, in red, while the rest of
/// the draft is saved; a reload brings back from the server what was saved, and from the
/// browser's copy what was not.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ins_09_a_future_time_is_refused_beside_its_field_and_the_draft_survives_a_reload() {
    let (s, finding, pool) = supervisor_on_a_draft().await;
    s.fill("#description", "叫号机故障无人处理").await;
    s.client
        .execute(
            "const field = document.getElementById('observed_at');
             field.value = '2099-01-01T10:00';
             field.dispatchEvent(new Event('input', { bubbles: true }));",
            vec![],
        )
        .await
        .expect("type a time in the future");
    let error = s.autosave_refuses_the_time("其余内容已保存").await;
    assert_eq!(error.text().await.expect("text"), "发现时间不能晚于现在。");
    // plain red text (--err), not small grey
    let color = error.css_value("color").await.expect("color");
    assert!(color.contains("153, 27, 27"), "{color}");
    let description: String = sqlx::query_scalar("select description from finding where id = $1")
        .bind(finding)
        .fetch_one(&pool)
        .await
        .expect("the finding");
    assert_eq!(description, "叫号机故障无人处理");
    show(&s.client, &error).await;
    screenshot(&s.client, "finding-future-time-390x844.png").await;

    // a reload: the browser's copy puts the refused time back and saves again
    s.client.refresh().await.expect("reload");
    let error = s.autosave_refuses_the_time("已恢复尚未保存的内容").await;
    assert!(error.text().await.expect("text").contains("晚于现在"));
    assert_eq!(
        s.value("description").await.as_deref(),
        Some("叫号机故障无人处理")
    );
    // and without the browser's copy the description comes from the server
    s.client
        .execute("window.localStorage.clear()", vec![])
        .await
        .expect("forget the copy");
    s.client.refresh().await.expect("reload");
    assert_eq!(
        s.value("description").await.as_deref(),
        Some("叫号机故障无人处理")
    );
    s.close().await;
}

/// INS-11, INS-08 on a phone: confirming a finding writes a deduction to the ledger, so it asks
/// first, naming the unit and the points typed; declining confirms nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ins_11_confirming_a_finding_asks_first_naming_the_unit_and_the_points() {
    let app = spawn_app().await;
    let (task, finding, mut supervisor) = crate::findings::task_with_draft(&app).await;
    crate::findings::submit_obstruction(&app, &mut supervisor, (task, finding)).await;
    let pool = app.pool.clone();
    let s = Session::open_app(app, true).await;
    s.sign_in_to_alpha("office_staff").await;
    s.goto(&format!("/alpha/findings/{finding}")).await;
    s.fill("#confirm-points", "4").await;
    assert_eq!(
        s.press_confirm().await,
        "确认后将对第一单位扣 4 分，记入扣分台账。确定确认吗？"
    );
    s.client.dismiss_alert().await.expect("decline");
    let counts = || async {
        let row: (i64, String) =
            sqlx::query_as("select (select count(*) from deduction), (select status from finding)")
                .fetch_one(&pool)
                .await
                .expect("the ledger");
        row
    };
    assert_eq!(
        counts().await,
        (0, "submitted".to_string()),
        "declined: nothing confirmed"
    );
    s.press_confirm().await;
    s.client.accept_alert().await.expect("confirm");
    s.wait_for(Locator::Css(".flash")).await;
    assert_eq!(counts().await, (1, "confirmed".to_string()));
    let points: rust_decimal::Decimal =
        sqlx::query_scalar("select points from deduction where source_type = 'finding'")
            .fetch_one(&pool)
            .await
            .expect("the deduction");
    assert_eq!(points, rust_decimal::Decimal::from(4));
    s.close().await;
}
