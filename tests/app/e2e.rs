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
    let root = std::fs::metadata("/proc/self")
        .map(|m| std::os::unix::fs::MetadataExt::uid(&m) == 0)
        .unwrap_or(false);
    if root && Path::new("/usr/bin/apt-get").exists() {
        eprintln!(
            "Chromium or chromedriver is missing; installing Debian's packages with apt-get..."
        );
        let update = Command::new("apt-get").args(["update", "-qq"]).status();
        let install = Command::new("apt-get")
            .args([
                "install",
                "-y",
                "-qq",
                "chromium",
                "chromium-driver",
                "fonts-noto-cjk",
            ])
            .env("DEBIAN_FRONTEND", "noninteractive")
            .status();
        if update.is_ok_and(|s| s.success())
            && install.is_ok_and(|s| s.success())
            && let Some(found) = find()
        {
            return found;
        }
    }
    panic!(
        "the browser tests need Chromium and chromedriver. Install them with:\n\n    {INSTALL}\n"
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

async fn screenshot(client: &Client, name: &str) -> PathBuf {
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_supervisor_logs_in_on_a_phone_sized_screen_in_chinese_and_switches_to_english() {
    let (chromium, driver_path) = browser_programs();
    let app = spawn_app().await;
    app.office_with_users("e2e").await;
    let addr = serve(&app).await;
    let driver_port = free_port();
    let _driver = start_driver(&driver_path, driver_port).await;
    let profile = std::env::temp_dir().join(format!("xiaoneng-e2e-{}", uuid::Uuid::new_v4()));
    let client = browser(&chromium, driver_port, &profile, true).await;

    let base = format!("http://{addr}");
    client
        .goto(&format!("{base}/e2e"))
        .await
        .expect("open the office");
    client
        .wait()
        .for_element(Locator::Css("form input#username"))
        .await
        .expect("the login form");
    assert!(
        client
            .current_url()
            .await
            .expect("url")
            .as_str()
            .starts_with(&format!("{base}/e2e/login"))
    );
    screenshot(&client, "login-390x844.png").await;
    assert!(
        page_width(&client).await <= 390,
        "the login page fits a 390 px screen"
    );

    client
        .find(Locator::Css("#username"))
        .await
        .expect("username")
        .send_keys("supervisor")
        .await
        .expect("type");
    client
        .find(Locator::Css("#password"))
        .await
        .expect("password")
        .send_keys(PASSWORD)
        .await
        .expect("type");
    client
        .find(Locator::Css("button[type=submit]"))
        .await
        .expect("submit")
        .click()
        .await
        .expect("click");
    let heading = client
        .wait()
        .for_element(Locator::XPath("//h1[starts-with(., '您好')]"))
        .await
        .expect("the home page in Chinese");
    assert_eq!(
        heading.text().await.expect("heading"),
        "您好，supervisor 姓名"
    );
    let source = client.source().await.expect("source");
    assert!(
        source.contains("效能监督员"),
        "the role is shown in Chinese"
    );
    assert!(
        page_width(&client).await <= 390,
        "the home page fits a 390 px screen"
    );
    let shot = screenshot(&client, "home-supervisor-zh-390x844.png").await;
    assert!(
        std::fs::metadata(&shot).map(|m| m.len()).unwrap_or(0) > 10_000,
        "a real picture"
    );

    client
        .find(Locator::Css("a.lang-switch"))
        .await
        .expect("switch")
        .click()
        .await
        .expect("click");
    client
        .wait()
        .for_element(Locator::XPath("//h1[starts-with(., 'Hello, ')]"))
        .await
        .expect("English");
    screenshot(&client, "home-supervisor-en-390x844.png").await;

    client
        .find(Locator::Css("form[action='/e2e/logout'] button"))
        .await
        .expect("logout")
        .click()
        .await
        .expect("click");
    client
        .wait()
        .for_element(Locator::XPath(
            "//div[contains(@class, 'flash')][contains(., 'logged out')]",
        ))
        .await
        .expect("back at login, in English");
    client.close().await.expect("close the browser");
    let _ = std::fs::remove_dir_all(&profile);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_administrator_at_a_desk_creates_a_user_and_reads_the_audit_log() {
    let (chromium, driver_path) = browser_programs();
    let app = spawn_app().await;
    app.office_with_users("desk").await;
    let addr = serve(&app).await;
    let driver_port = free_port();
    let _driver = start_driver(&driver_path, driver_port).await;
    let profile = std::env::temp_dir().join(format!("xiaoneng-e2e-{}", uuid::Uuid::new_v4()));
    let client = browser(&chromium, driver_port, &profile, false).await;
    let base = format!("http://{addr}");

    client
        .goto(&format!("{base}/desk/login?next=%2Fdesk%2Fusers"))
        .await
        .expect("login page");
    client
        .find(Locator::Css("#username"))
        .await
        .expect("username")
        .send_keys("office_admin")
        .await
        .expect("type");
    client
        .find(Locator::Css("#password"))
        .await
        .expect("password")
        .send_keys(PASSWORD)
        .await
        .expect("type");
    client
        .find(Locator::Css("button[type=submit]"))
        .await
        .expect("submit")
        .click()
        .await
        .expect("click");
    client
        .wait()
        .for_element(Locator::XPath("//h1[. = '用户管理']"))
        .await
        .expect("the user list");
    screenshot(&client, "users-desk.png").await;

    client
        .goto(&format!("{base}/desk/users/new"))
        .await
        .expect("new user form");
    client
        .find(Locator::Css("#username"))
        .await
        .expect("username")
        .send_keys("王五")
        .await
        .expect("type");
    client
        .find(Locator::Css("#display_name"))
        .await
        .expect("name")
        .send_keys("王五")
        .await
        .expect("type");
    client
        .find(Locator::Css("#role option[value=office_staff]"))
        .await
        .expect("role")
        .click()
        .await
        .expect("pick");
    client
        .find(Locator::Css("form.form button[type=submit]"))
        .await
        .expect("create")
        .click()
        .await
        .expect("click");
    let error = client
        .wait()
        .for_element(Locator::Css(".field-error"))
        .await
        .expect("an error");
    assert!(error.text().await.expect("text").contains("小写字母"));
    let kept = client
        .find(Locator::Css("#display_name"))
        .await
        .expect("name")
        .prop("value")
        .await
        .expect("value");
    assert_eq!(kept.as_deref(), Some("王五"), "what was typed is kept");
    screenshot(&client, "user-form-error-desk.png").await;

    let username = client
        .find(Locator::Css("#username"))
        .await
        .expect("username");
    username.clear().await.expect("clear");
    username.send_keys("wangwu").await.expect("type");
    client
        .find(Locator::Css("form.form button[type=submit]"))
        .await
        .expect("create")
        .click()
        .await
        .expect("click");
    let secret = client
        .wait()
        .for_element(Locator::Css("code.secret"))
        .await
        .expect("the password page");
    assert_eq!(secret.text().await.expect("password").len(), 16);
    screenshot(&client, "user-created-desk.png").await;

    client
        .goto(&format!("{base}/desk/audit"))
        .await
        .expect("audit log");
    client
        .wait()
        .for_element(Locator::XPath("//td[. = '创建用户']"))
        .await
        .expect("the creation is logged");
    screenshot(&client, "audit-desk.png").await;
    client.close().await.expect("close the browser");
    let _ = std::fs::remove_dir_all(&profile);
}
