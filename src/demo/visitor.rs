//! A user of the demo office at work: requests sent through the product's own router, in this
//! process, as a browser would send them (a session cookie, forms, files), so that everything the
//! demo holds was made the way real use makes it, by the same handlers, rules and audit log.

use std::net::SocketAddr;

use anyhow::{Context, bail};
use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Method, Request, StatusCode, header};
use tower::ServiceExt;
use uuid::Uuid;

/// The largest page the demo reads back.
const MAX_PAGE: usize = 8 * 1024 * 1024;

/// A file sent with a form: its name, declared type and bytes.
pub struct Upload {
    pub name: String,
    pub media_type: &'static str,
    pub bytes: Vec<u8>,
}

/// What came back.
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub location: Option<String>,
    pub body: String,
}

impl Answer {
    /// The id at the end of the redirect's address (`/demo/findings/{id}`), if the answer is one.
    pub fn location_id(&self) -> Option<Uuid> {
        let location = self.location.as_deref()?;
        let path = location.split(['?', '#']).next()?;
        path.split('/')
            .rev()
            .find_map(|part| Uuid::parse_str(part).ok())
    }
}

/// A signed-in user of the office `office`.
pub struct Visitor {
    router: Router,
    office: String,
    cookies: std::collections::BTreeMap<String, String>,
    /// who this is, for the messages of a step that went wrong
    who: String,
    /// to sign in again when the session has ended (a user comes back days later)
    password: String,
}

impl Visitor {
    /// Logs `username` in to `office` with `password`, as the login form does.
    pub async fn log_in(
        router: &Router,
        office: &str,
        username: &str,
        password: &str,
    ) -> anyhow::Result<Self> {
        let mut visitor = Self {
            router: router.clone(),
            office: office.into(),
            cookies: std::collections::BTreeMap::new(),
            who: username.into(),
            password: password.into(),
        };
        visitor.sign_in().await?;
        Ok(visitor)
    }

    /// Someone who does not log in (a citizen on the public complaint form).
    pub fn anonymous(router: &Router, office: &str) -> Self {
        Self {
            router: router.clone(),
            office: office.into(),
            cookies: std::collections::BTreeMap::new(),
            who: "citizen".into(),
            password: String::new(),
        }
    }

    async fn sign_in(&mut self) -> anyhow::Result<()> {
        self.cookies.clear();
        let fields = form(&[("username", &self.who), ("password", &self.password)]);
        let answer = self.exchange(Method::POST, "/login", Some(fields)).await?;
        if answer.status != StatusCode::SEE_OTHER || self.cookies.is_empty() {
            bail!(
                "{} could not log in to the demo office ({})",
                self.who,
                answer.status
            );
        }
        Ok(())
    }

    /// A page of the office (`path` below `/{office}`).
    pub async fn get(&mut self, path: &str) -> anyhow::Result<Answer> {
        let answer = self.send(Method::GET, path, None).await?;
        if !answer.status.is_success() {
            bail!("{} GET {path}: {}", self.who, answer.status);
        }
        Ok(answer)
    }

    /// Sends a form that is meant to succeed (a redirect after the write); anything else is an
    /// error naming the step and what the page said.
    pub async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> anyhow::Result<Answer> {
        let answer = self.send(Method::POST, path, Some(form(fields))).await?;
        self.succeeded(path, answer)
    }

    /// Sends a form with files, as the evidence forms do.
    pub async fn post_files(
        &mut self,
        path: &str,
        fields: &[(&str, &str)],
        files: &[Upload],
    ) -> anyhow::Result<Answer> {
        let answer = self
            .send(Method::POST, path, Some(multipart(fields, files)))
            .await?;
        self.succeeded(path, answer)
    }

    fn succeeded(&self, path: &str, answer: Answer) -> anyhow::Result<Answer> {
        if answer.status == StatusCode::SEE_OTHER || answer.status.is_success() {
            return Ok(answer);
        }
        let said: String = answer
            .body
            .split(['<', '>'])
            .filter(|part| part.contains("flash") || part.contains('：') || part.contains('。'))
            .take(6)
            .collect::<Vec<_>>()
            .join(" | ");
        bail!("{} POST {path}: {} {said}", self.who, answer.status)
    }

    /// Sends a request; when the session has ended in the meantime (the answer sends the user to
    /// the login page), signs in again and sends it once more.
    async fn send(
        &mut self,
        method: Method,
        path: &str,
        body: Option<(String, Vec<u8>)>,
    ) -> anyhow::Result<Answer> {
        let answer = self.exchange(method.clone(), path, body.clone()).await?;
        let to_login = answer.status == StatusCode::SEE_OTHER
            && answer
                .location
                .as_deref()
                .is_some_and(|l| l.contains("/login"));
        if !to_login {
            return Ok(answer);
        }
        self.sign_in().await?;
        self.exchange(method, path, body).await
    }

    async fn exchange(
        &mut self,
        method: Method,
        path: &str,
        body: Option<(String, Vec<u8>)>,
    ) -> anyhow::Result<Answer> {
        let uri = format!("/{}{path}", self.office);
        let mut request = Request::builder()
            .method(method)
            .uri(&uri)
            .header(header::ACCEPT, "text/html,application/xhtml+xml,*/*;q=0.8")
            .header(header::ACCEPT_LANGUAGE, "zh-CN,zh;q=0.9");
        if !self.cookies.is_empty() {
            let pairs: Vec<String> = self
                .cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            request = request.header(header::COOKIE, pairs.join("; "));
        }
        let body = match body {
            Some((content_type, bytes)) => {
                request = request.header(header::CONTENT_TYPE, content_type);
                Body::from(bytes)
            }
            None => Body::empty(),
        };
        let mut request = request.body(body).context("a demo request")?;
        request
            .extensions_mut()
            .insert(ConnectInfo(SocketAddr::from(([127, 0, 0, 1], 0))));
        let response = self
            .router
            .clone()
            .oneshot(request)
            .await
            .context("the router answered nothing")?;
        for value in response.headers().get_all(header::SET_COOKIE) {
            let Some(pair) = value.to_str().ok().and_then(|v| v.split(';').next()) else {
                continue;
            };
            if let Some((name, value)) = pair.split_once('=') {
                self.cookies.insert(name.trim().into(), value.trim().into());
            }
        }
        let status = response.status();
        let location = response
            .headers()
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .map(String::from);
        let bytes = axum::body::to_bytes(response.into_body(), MAX_PAGE)
            .await
            .context("reading a demo answer")?;
        Ok(Answer {
            status,
            location,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        })
    }
}

fn form(fields: &[(&str, &str)]) -> (String, Vec<u8>) {
    let encoded = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(fields)
        .finish();
    (
        "application/x-www-form-urlencoded".into(),
        encoded.into_bytes(),
    )
}

fn multipart(fields: &[(&str, &str)], files: &[Upload]) -> (String, Vec<u8>) {
    let boundary = format!("xiaoneng-demo-{}", Uuid::new_v4().simple());
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    for file in files {
        body.extend(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{}\"\r\nContent-Type: {}\r\n\r\n",
                file.name, file.media_type
            )
            .as_bytes(),
        );
        body.extend(&file.bytes);
        body.extend(b"\r\n");
    }
    body.extend(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}
