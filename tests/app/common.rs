//! The test harness: every test gets its own database, cloned from a template migrated once per
//! run, and the real router over it. PostgreSQL is `DATABASE_URL` when set (a superuser or a role
//! that may create databases), otherwise the same embedded cluster `cargo run` uses (`var/pg`).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::OnceLock;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use sha2::Digest;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{ConnectOptions, Connection, PgConnection, PgPool};
use tower::ServiceExt;
use uuid::Uuid;

use xiaoneng::config::Config;
use xiaoneng::core::Office;
use xiaoneng::db::embedded::EmbeddedCluster;
use xiaoneng::registry::{self, users::model::NewUserInput};
use xiaoneng::{AppState, audit};

pub const PASSWORD: &str = "correct horse battery";

/// How to reach a database of the test cluster by name (for the CLI tests).
type UrlFor = Box<dyn Fn(&str) -> String + Send + Sync>;

struct Setup {
    admin: PgConnectOptions,
    url_for: UrlFor,
    template: String,
}

static SETUP: OnceLock<Result<Setup, String>> = OnceLock::new();

fn setup() -> &'static Setup {
    let result = SETUP.get_or_init(|| {
        // Its own thread and runtime: each #[tokio::test] has a runtime that ends with the test.
        std::thread::spawn(|| {
            let runtime = tokio::runtime::Runtime::new().map_err(|e| e.to_string())?;
            runtime.block_on(prepare()).map_err(|e| format!("{e:#}"))
        })
        .join()
        .unwrap_or_else(|_| Err("the test setup panicked".into()))
    });
    match result {
        Ok(setup) => setup,
        Err(error) => panic!("cannot prepare the test database: {error}"),
    }
}

async fn prepare() -> anyhow::Result<Setup> {
    let (admin, url_for): (PgConnectOptions, UrlFor) = match std::env::var("DATABASE_URL") {
        Ok(url) if !url.is_empty() => {
            let base = url::Url::parse(&url)?;
            let options: PgConnectOptions = url.parse()?;
            let url_for = move |name: &str| {
                let mut u = base.clone();
                u.set_path(&format!("/{name}"));
                u.to_string()
            };
            (options, Box::new(url_for))
        }
        _ => {
            let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("var/pg");
            let cluster = EmbeddedCluster::ensure(&dir)?;
            let admin = cluster.connect_options("postgres");
            (admin, Box::new(move |name: &str| cluster.url(name)))
        }
    };
    let digest = {
        let mut hasher = sha2::Sha256::new();
        for migration in xiaoneng::db::MIGRATOR.iter() {
            hasher.update(&migration.checksum);
        }
        hex::encode(hasher.finalize())
    };
    let template = format!("xiaoneng_tmpl_{}", &digest[..16]);
    let mut conn = admin.connect().await?;
    // One process at a time builds the template; the others wait and reuse it.
    sqlx::query("select pg_advisory_lock(727274)")
        .execute(&mut conn)
        .await?;
    let exists: bool =
        sqlx::query_scalar("select exists(select 1 from pg_database where datname = $1)")
            .bind(&template)
            .fetch_one(&mut conn)
            .await?;
    if !exists {
        let building = format!("{template}_building");
        sqlx::raw_sql(&format!("drop database if exists {building}"))
            .execute(&mut conn)
            .await?;
        sqlx::raw_sql(&format!("create database {building}"))
            .execute(&mut conn)
            .await?;
        let mut tmpl = admin.clone().database(&building).connect().await?;
        xiaoneng::db::MIGRATOR.run(&mut tmpl).await?;
        tmpl.close().await?;
        sqlx::raw_sql(&format!("alter database {building} rename to {template}"))
            .execute(&mut conn)
            .await?;
        // Templates of earlier migrations are not used again; one in use right now (another
        // checkout's run) refuses to go and is left for next time.
        let stale = sqlx::query_scalar(
            "select datname from pg_database where datname ~ '^xiaoneng_tmpl_[0-9a-f]{16}$' and datname <> $1",
        )
        .bind(&template);
        drop_databases(&mut conn, stale, "").await?;
    }
    // Databases of earlier runs (named xt_<unix seconds>_...) go after an hour.
    let cutoff = chrono::Utc::now().timestamp() - 3600;
    let old = sqlx::query_scalar(
        "select datname from pg_database where datname ~ '^xt_[0-9]+_' and split_part(datname, '_', 2)::bigint < $1",
    )
    .bind(cutoff);
    drop_databases(&mut conn, old, "with (force)").await?;
    sqlx::query("select pg_advisory_unlock(727274)")
        .execute(&mut conn)
        .await?;
    conn.close().await?;
    Ok(Setup {
        admin,
        url_for,
        template,
    })
}

/// Drops every database `names` lists (`how`: the drop's options); one that refuses (in use) stays.
async fn drop_databases<'q>(
    conn: &mut sqlx::PgConnection,
    names: sqlx::query::QueryScalar<'q, sqlx::Postgres, String, sqlx::postgres::PgArguments>,
    how: &str,
) -> Result<(), sqlx::Error> {
    for name in names.fetch_all(&mut *conn).await? {
        let _ = sqlx::raw_sql(&format!("drop database if exists {name} {how}"))
            .execute(&mut *conn)
            .await;
    }
    Ok(())
}

/// The application under test, over its own fresh database.
pub struct TestApp {
    pub router: Router,
    pub pool: PgPool,
    pub db_url: String,
    /// This test's own evidence store (under target/, removed with `cargo clean`).
    pub evidence_dir: PathBuf,
    /// The app's clock: the system's until the test sets it.
    pub clock: xiaoneng::core::clock::Clock,
    /// The app's count of committed changes per office (the jobs a test runs move it).
    pub changes: xiaoneng::db::Changes,
    /// This test's own database, dropped with the app.
    db_name: String,
}

impl Drop for TestApp {
    /// A test's database and evidence go with it, whether it passed or panicked: nothing is left
    /// behind in the cluster or under target/. The database is dropped from a thread of its own
    /// (the test's runtime may be ending), its connections ended by force.
    fn drop(&mut self) {
        let name = self.db_name.clone();
        let admin = setup().admin.clone();
        let evidence = self.evidence_dir.clone();
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| e.to_string())?;
            runtime.block_on(async move {
                let mut conn = admin.connect().await.map_err(|e| e.to_string())?;
                sqlx::raw_sql(&format!("drop database if exists {name} with (force)"))
                    .execute(&mut conn)
                    .await
                    .map_err(|e| e.to_string())?;
                conn.close().await.map_err(|e| e.to_string())
            })?;
            std::fs::remove_dir_all(&evidence).or_else(|e| match e.kind() {
                std::io::ErrorKind::NotFound => Ok(()),
                _ => Err(e.to_string()),
            })
        })
        .join();
        if let Ok(Err(error)) | Err(error) = dropped.map_err(|_| "panicked".to_string()) {
            eprintln!("could not drop the test database {}: {error}", self.db_name);
        }
    }
}

/// A fresh app with the default configuration (and X-Forwarded-For trusted, so tests can speak
/// from several client addresses).
pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

pub async fn spawn_app_with(adjust: impl FnOnce(&mut Config)) -> TestApp {
    // Warnings and errors of the app appear in a failing test's output.
    xiaoneng::telemetry::init(&xiaoneng::config::LogConfig {
        filter: "warn".into(),
        json: false,
    });
    let setup = setup();
    let name = format!(
        "xt_{}_{}",
        chrono::Utc::now().timestamp(),
        Uuid::new_v4().simple()
    );
    let mut admin = setup
        .admin
        .connect()
        .await
        .expect("connect to the test cluster");
    sqlx::raw_sql(&format!(
        "create database {name} template {}",
        setup.template
    ))
    .execute(&mut admin)
    .await
    .expect("create the test database");
    admin.close().await.ok();
    let pool = PgPoolOptions::new()
        .max_connections(8)
        .connect_with(xiaoneng::db::tuned(setup.admin.clone().database(&name)))
        .await
        .expect("connect to the test database");
    let mut config = Config::defaults().expect("default configuration");
    config.server.static_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("static");
    config.server.trust_forwarded_for = true;
    config.evidence.dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("evidence")
        .join(&name);
    adjust(&mut config);
    let evidence_dir = config.evidence.dir.clone();
    let state = AppState::new(pool.clone(), config).expect("open the evidence store");
    let clock = state.clock.clone();
    let changes = state.changes.clone();
    TestApp {
        router: xiaoneng::router(state),
        pool,
        db_url: (setup.url_for)(&name),
        evidence_dir,
        clock,
        changes,
        db_name: name,
    }
}

impl TestApp {
    /// One round of the scheduled jobs, as the server runs them, on `today`.
    pub async fn run_jobs(&self, today: chrono::NaiveDate) -> xiaoneng::jobs::Round {
        self.run_jobs_mailing(today, None).await
    }

    /// A jobs round that mails notifications through the SMTP server at `smtp_url`, if given.
    pub async fn run_jobs_mailing(
        &self,
        today: chrono::NaiveDate,
        smtp_url: Option<&str>,
    ) -> xiaoneng::jobs::Round {
        let mut config = Config::defaults().expect("default configuration");
        config.evidence.dir = self.evidence_dir.clone();
        config.mail.smtp_url = smtp_url.unwrap_or_default().into();
        let store = xiaoneng::evidence::Store::from_config(&config.evidence).expect("store");
        let mailer =
            xiaoneng::inbox::mail::Mailer::from_config(&config.mail, "https://xiaoneng.example")
                .expect("mail settings");
        let jobs = xiaoneng::jobs::JobContext {
            pool: &self.pool,
            evidence: &store,
            retention_days: config.evidence.retention_days,
            mailer: mailer.as_ref(),
            clock: &self.clock,
            changes: &self.changes,
            sign_within_working_days: config.complaints.sign_within_working_days,
        };
        xiaoneng::jobs::run_round(&jobs, Some(today))
            .await
            .expect("jobs round")
    }

    pub async fn create_office(&self, code: &str, name: &str) -> Office {
        registry::create_office(&self.pool, code, name, false, self.clock.now())
            .await
            .expect("create office")
    }

    pub async fn create_unit(&self, office: &Office, code: &str, name: &str) -> Uuid {
        let mut tx = xiaoneng::db::begin_tenant(&self.pool, office.id)
            .await
            .expect("tx");
        let id = registry::units::db::insert_unit(&mut tx, office.id, code, name)
            .await
            .expect("unit");
        tx.commit().await.expect("commit");
        id
    }

    /// A user with password [`PASSWORD`] who need not change it.
    pub async fn create_user(
        &self,
        office: &Office,
        username: &str,
        role: &str,
        unit_id: Option<Uuid>,
    ) -> Uuid {
        let mut tx = xiaoneng::db::begin_tenant(&self.pool, office.id)
            .await
            .expect("tx");
        let input = NewUserInput {
            username: username.into(),
            display_name: format!("{username} 姓名"),
            role: role.into(),
            unit_id,
            password: PASSWORD.into(),
        };
        let actor = audit::Actor::system("test", self.clock.now());
        let user = registry::users::create_user(&mut tx, office.id, &actor, &input, false)
            .await
            .expect("create user");
        tx.commit().await.expect("commit");
        user.id
    }

    /// An office with one unit and one user per role, named `<role>` (the liaison in unit u1).
    pub async fn office_with_users(&self, code: &str) -> Office {
        let office = self.create_office(code, &format!("{code} 效能办")).await;
        let unit = self.create_unit(&office, "u1", "第一单位").await;
        for role in [
            "office_admin",
            "office_staff",
            "leader",
            "supervisor",
            "liaison",
        ] {
            let unit_id = (role == "liaison").then_some(unit);
            self.create_user(&office, role, role, unit_id).await;
        }
        office
    }

    pub fn client(&self) -> Client {
        Client {
            router: self.router.clone(),
            cookies: BTreeMap::new(),
            addr: "192.0.2.10".into(),
            // what a browser sends when it navigates to a page
            headers: vec![(
                "accept".into(),
                "text/html,application/xhtml+xml,*/*;q=0.8".into(),
            )],
        }
    }

    /// A client already logged in as `username` of `office`.
    pub async fn logged_in(&self, office: &str, username: &str) -> Client {
        let mut client = self.client();
        let page = client.login(office, username, PASSWORD).await;
        assert_eq!(
            page.status,
            StatusCode::SEE_OTHER,
            "login of {username}: {}",
            page.body
        );
        client
    }

    /// A single value from the database, as the configured (unrestricted) user.
    pub async fn scalar_i64(&self, sql: &str) -> i64 {
        sqlx::query_scalar::<_, i64>(sql)
            .fetch_one(&self.pool)
            .await
            .expect(sql)
    }

    /// A single text value from the database, as the configured (unrestricted) user.
    pub async fn scalar_string(&self, sql: &str) -> String {
        sqlx::query_scalar::<_, String>(sql)
            .fetch_one(&self.pool)
            .await
            .expect(sql)
    }

    pub async fn connection(&self) -> PgConnection {
        self.pool.acquire().await.expect("connection").detach()
    }
}

/// What a browser would get back.
#[derive(Debug)]
pub struct Page {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Page {
    pub fn location(&self) -> &str {
        self.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    #[track_caller]
    pub fn assert_contains(&self, text: &str) {
        assert!(
            self.body.contains(text),
            "expected {text:?} in the page ({}):\n{}",
            self.status,
            self.body
        );
    }
}

/// A browser-like client: keeps cookies, sends forms, does not follow redirects.
#[derive(Clone)]
pub struct Client {
    router: Router,
    pub cookies: BTreeMap<String, String>,
    pub addr: String,
    pub headers: Vec<(String, String)>,
}

impl Client {
    pub async fn request(
        &mut self,
        method: Method,
        path: &str,
        form: Option<&[(&str, &str)]>,
    ) -> Page {
        let body = match form {
            Some(fields) => {
                let encoded = url::form_urlencoded::Serializer::new(String::new())
                    .extend_pairs(fields)
                    .finish();
                self.headers.push((
                    "content-type".into(),
                    "application/x-www-form-urlencoded".into(),
                ));
                let page = self.request_body(method, path, Body::from(encoded)).await;
                self.headers.pop();
                return page;
            }
            None => Body::empty(),
        };
        self.request_body(method, path, body).await
    }

    /// Sends `body` with the client's cookies and headers.
    pub async fn request_body(&mut self, method: Method, path: &str, body: Body) -> Page {
        let (status, headers, bytes) = self.send(method, path, body).await;
        Page {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    /// A GET answered with bytes that are not text (a PDF, a file).
    pub async fn get_bytes(&mut self, path: &str) -> (StatusCode, HeaderMap, Vec<u8>) {
        let (status, headers, bytes) = self.send(Method::GET, path, Body::empty()).await;
        (status, headers, bytes.to_vec())
    }

    async fn send(
        &mut self,
        method: Method,
        path: &str,
        body: Body,
    ) -> (StatusCode, HeaderMap, axum::body::Bytes) {
        let mut builder = Request::builder()
            .method(method)
            .uri(path)
            .header("x-forwarded-for", &self.addr);
        if !self.cookies.is_empty() {
            let cookie: Vec<String> = self
                .cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            builder = builder.header(header::COOKIE, cookie.join("; "));
        }
        for (name, value) in &self.headers {
            builder = builder.header(name.as_str(), value.as_str());
        }
        let response = self
            .router
            .clone()
            .oneshot(builder.body(body).expect("request"))
            .await
            .expect("response");
        for value in response.headers().get_all(header::SET_COOKIE) {
            let Ok(text) = value.to_str() else { continue };
            let Some((pair, attributes)) = text.split_once(';').or(Some((text, ""))) else {
                continue;
            };
            let Some((name, value)) = pair.split_once('=') else {
                continue;
            };
            let expired = attributes.to_ascii_lowercase().contains("max-age=0") || value.is_empty();
            if expired {
                self.cookies.remove(name.trim());
            } else {
                self.cookies.insert(name.trim().into(), value.trim().into());
            }
        }
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes();
        (status, headers, bytes)
    }

    pub async fn get(&mut self, path: &str) -> Page {
        self.request(Method::GET, path, None).await
    }

    pub async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Page {
        self.request(Method::POST, path, Some(form)).await
    }

    /// Posts a multipart form with text fields and one file field named `file`.
    pub async fn post_file(
        &mut self,
        path: &str,
        fields: &[(&str, &str)],
        filename: &str,
        content: &[u8],
    ) -> Page {
        let boundary = "xiaoneng-test-boundary";
        let mut body = Vec::new();
        for (name, value) in fields {
            body.extend(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").as_bytes());
        }
        body.extend(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\nContent-Type: text/csv\r\n\r\n")
                .as_bytes(),
        );
        body.extend(content);
        body.extend(format!("\r\n--{boundary}--\r\n").as_bytes());
        self.headers.push((
            "content-type".into(),
            format!("multipart/form-data; boundary={boundary}"),
        ));
        let page = self
            .request_body(Method::POST, path, Body::from(body))
            .await;
        self.headers.pop();
        page
    }

    /// Posts a multipart form: text fields first, then each file as a `file` field with its
    /// name, declared type and bytes.
    pub async fn post_files(
        &mut self,
        path: &str,
        fields: &[(&str, &str)],
        files: &[(&str, &str, &[u8])],
    ) -> Page {
        let boundary = "xiaoneng-test-boundary-7d1f";
        let mut body = Vec::new();
        for (name, value) in fields {
            body.extend(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").as_bytes());
        }
        for (filename, content_type, content) in files {
            body.extend(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\nContent-Type: {content_type}\r\n\r\n").as_bytes());
            body.extend(*content);
            body.extend(b"\r\n");
        }
        body.extend(format!("--{boundary}--\r\n").as_bytes());
        self.headers.push((
            "content-type".into(),
            format!("multipart/form-data; boundary={boundary}"),
        ));
        let page = self
            .request_body(Method::POST, path, Body::from(body))
            .await;
        self.headers.pop();
        page
    }

    pub async fn login(&mut self, office: &str, username: &str, password: &str) -> Page {
        self.post(
            &format!("/{office}/login"),
            &[("username", username), ("password", password)],
        )
        .await
    }

    pub fn session_cookie(&self) -> Option<&String> {
        self.cookies.get("xiaoneng")
    }
}
