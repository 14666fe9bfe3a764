//! The demo office `demo`: two units and one user per role, so a newcomer can log in as each role
//! right after `cargo run`. Idempotent: what exists is kept. Generated passwords are kept in
//! `demo.logins_file` (mode 0600) so each start can print them again.

use std::fs;
use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::Path;

use anyhow::Context;
use sqlx::PgPool;

use crate::audit::Actor;
use crate::auth::{Role, password};
use crate::registry::{self, db, model::NewUserInput};

pub const DEMO_CODE: &str = "demo";

/// One demo login, as printed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoLogin {
    pub role: Role,
    pub username: String,
    pub password: Option<String>,
}

const UNITS: [(&str, &str); 2] = [("u001", "市政务服务管理局"), ("u002", "市市场监督管理局")];

const USERS: [(&str, &str, Role); 5] = [
    ("admin", "王管理", Role::OfficeAdmin),
    ("staff", "李干事", Role::OfficeStaff),
    ("leader", "赵领导", Role::Leader),
    ("supervisor", "陈监督", Role::Supervisor),
    ("liaison", "周联络", Role::Liaison),
];

fn read_logins(file: &Path) -> Vec<(String, String)> {
    fs::read_to_string(file)
        .unwrap_or_default()
        .lines()
        .filter_map(|line| {
            let (user, pass) = line.split_once('\t')?;
            Some((user.to_string(), pass.to_string()))
        })
        .collect()
}

fn write_logins(file: &Path, logins: &[DemoLogin]) -> anyhow::Result<()> {
    if let Some(dir) = file.parent() {
        fs::create_dir_all(dir)?;
    }
    let text: String = logins
        .iter()
        .filter_map(|l| Some(format!("{}\t{}\n", l.username, l.password.as_ref()?)))
        .collect();
    // Readable by the operator only, from the moment it exists.
    let mut out = fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(file)
        .with_context(|| format!("writing {}", file.display()))?;
    fs::set_permissions(file, fs::Permissions::from_mode(0o600))?;
    out.write_all(text.as_bytes())?;
    Ok(())
}

/// Creates whatever of the demo office is missing; with `reset_passwords`, gives every demo user
/// a new password. Returns the logins, with passwords where they are known.
pub async fn ensure(
    pool: &PgPool,
    logins_file: &Path,
    reset_passwords: bool,
) -> anyhow::Result<Vec<DemoLogin>> {
    let office = match db::find_office_by_code(pool, DEMO_CODE).await? {
        Some(office) => office,
        None => registry::create_office(pool, DEMO_CODE, "示范市效能办", true).await?,
    };
    let known = read_logins(logins_file);
    let actor = Actor::system("demo");
    let mut tx = crate::db::begin_tenant(pool, office.id).await?;
    for (code, name) in UNITS {
        if db::find_unit_by_code(&mut tx, code).await?.is_none() {
            db::insert_unit(&mut tx, office.id, code, name).await?;
        }
    }
    let liaison_unit = db::find_unit_by_code(&mut tx, UNITS[0].0)
        .await?
        .map(|u| u.id);
    let mut logins = Vec::new();
    for (username, name, role) in USERS {
        let existing = db::find_user_id(&mut tx, username).await?;
        let password = match existing {
            None => {
                let input = NewUserInput {
                    username: username.into(),
                    display_name: name.into(),
                    role: role.as_str().into(),
                    unit_id: if role.needs_unit() {
                        liaison_unit
                    } else {
                        None
                    },
                    password: String::new(),
                };
                let created = registry::create_user(&mut tx, office.id, &actor, &input, false)
                    .await
                    .map_err(|e| anyhow::anyhow!("creating demo user {username}: {e}"))?;
                created.generated_password
            }
            Some(id) if reset_passwords => {
                let fresh = password::generate();
                let hash = password::hash(fresh.clone()).await?;
                crate::auth::db::set_password(&mut tx, id, &hash, false).await?;
                let event = crate::audit::Event {
                    action: "user.password_reset",
                    subject_type: "user",
                    subject_id: Some(id),
                    detail: serde_json::json!({}),
                };
                crate::audit::record(&mut tx, office.id, &actor, event).await?;
                Some(fresh)
            }
            Some(_) => known.iter().find(|k| k.0 == username).map(|k| k.1.clone()),
        };
        logins.push(DemoLogin {
            role,
            username: username.into(),
            password,
        });
    }
    tx.commit().await?;
    write_logins(logins_file, &logins)?;
    Ok(logins)
}

/// The lines printed at start: where to log in, and as whom.
pub fn describe(logins: &[DemoLogin], base_url: &str) -> String {
    let mut out = format!("Demo office 示范市效能办: {base_url}/{DEMO_CODE}/login\n");
    for login in logins {
        let password = login
            .password
            .as_deref()
            .unwrap_or("(unknown: run `xiaoneng demo --reset-passwords`)");
        out.push_str(&format!(
            "  {:<13} {:<11} {}\n",
            login.role.as_str(),
            login.username,
            password
        ));
    }
    out
}
