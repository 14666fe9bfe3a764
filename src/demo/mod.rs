//! The demo office `demo`: forty units in four categories with their staff, the 2026 assessment
//! year open with the default catalog, and one user per role, so a newcomer can log in as each
//! role right after `cargo run`. Idempotent: what exists is kept. Generated passwords are kept in
//! `demo.logins_file` (mode 0600) so each start can print them again.

use std::fs;
use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::Path;

use anyhow::Context;
use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

mod cast;
mod pictures;
mod script;
mod story;
mod visitor;
mod world;

use crate::audit::Actor;
use crate::auth::password;
use crate::core::Role;
use crate::registry::supervisors::{db as supervisors_db, model as supervisors_model};
use crate::registry::units::{db as units_db, model::StaffInput, model::UnitInput};
use crate::registry::users::{db as users_db, model::NewUserInput};
use crate::registry::{self, years};

/// The year the demo office assesses.
const DEMO_YEAR: i32 = 2026;

pub const DEMO_CODE: &str = "demo";

/// The group the demo supervisor leads; it makes the demo's inspections.
const FIRST_GROUP: &str = "第一督查组";

/// One demo login, as printed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoLogin {
    pub role: Role,
    pub username: String,
    pub password: Option<String>,
}

/// Forty units in four ranking groups, as a city's assessment list might read.
const UNITS: [(&str, &str, &str); 40] = [
    ("u001", "市政务服务管理局", "社会事业类"),
    ("u002", "市市场监督管理局", "执法类"),
    ("u003", "市委办公室", "党群类"),
    ("u004", "市委组织部", "党群类"),
    ("u005", "市委宣传部", "党群类"),
    ("u006", "市委统战部", "党群类"),
    ("u007", "市总工会", "党群类"),
    ("u008", "团市委", "党群类"),
    ("u009", "市妇联", "党群类"),
    ("u010", "市档案馆", "党群类"),
    ("u011", "市发展和改革委员会", "经济类"),
    ("u012", "市经济和信息化局", "经济类"),
    ("u013", "市财政局", "经济类"),
    ("u014", "市商务局", "经济类"),
    ("u015", "市自然资源和规划局", "经济类"),
    ("u016", "市住房和城乡建设局", "经济类"),
    ("u017", "市交通运输局", "经济类"),
    ("u018", "市农业农村局", "经济类"),
    ("u019", "市水利局", "经济类"),
    ("u020", "市统计局", "经济类"),
    ("u021", "市教育体育局", "社会事业类"),
    ("u022", "市科学技术局", "社会事业类"),
    ("u023", "市民政局", "社会事业类"),
    ("u024", "市人力资源和社会保障局", "社会事业类"),
    ("u025", "市卫生健康委员会", "社会事业类"),
    ("u026", "市文化和旅游局", "社会事业类"),
    ("u027", "市退役军人事务局", "社会事业类"),
    ("u028", "市医疗保障局", "社会事业类"),
    ("u029", "市数据资源局", "社会事业类"),
    ("u030", "市公安局", "执法类"),
    ("u031", "市司法局", "执法类"),
    ("u032", "市生态环境局", "执法类"),
    ("u033", "市应急管理局", "执法类"),
    ("u034", "市城市管理局", "执法类"),
    ("u035", "市税务局", "执法类"),
    ("u036", "市林业局", "执法类"),
    ("u037", "市审计局", "执法类"),
    ("u038", "市人防办", "执法类"),
    ("u039", "市住房公积金管理中心", "经济类"),
    ("u040", "市机关事务管理局", "社会事业类"),
];

const SURNAMES: [&str; 16] = [
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "胡", "朱", "高", "何",
];
const GIVEN: [&str; 16] = [
    "伟", "芳", "娜", "敏", "静", "磊", "洋", "勇", "艳", "杰", "涛", "明", "超", "霞", "平", "刚",
];
const POSTS: [&str; 6] = [
    "窗口受理",
    "综合科",
    "业务科",
    "办公室",
    "审批科",
    "执法大队",
];
const KINDS: [&str; 8] = [
    "regular",
    "regular",
    "regular",
    "regular",
    "seconded",
    "borrowed",
    "attached",
    "contracted",
];

/// The name of the demo's supervisor number `n` (from 0); the first is the demo supervisor.
fn supervisor_name(n: usize) -> String {
    format!(
        "{}{}{}",
        SURNAMES[(n * 5 + 3) % 16],
        GIVEN[(n * 7 + 1) % 16],
        GIVEN[(n * 3 + 5) % 16]
    )
}

/// Twelve approved supervisors with 2026 certificates, in three groups of four with one leader
/// each (INS-02, INS-08). Each works at, and was recommended by, a unit of the list.
async fn demo_supervisors(
    tx: &mut sqlx::PgConnection,
    tenant_id: uuid::Uuid,
) -> anyhow::Result<()> {
    let units = units_db::list_units(tx).await?;
    let (from, until) = (
        chrono::NaiveDate::from_ymd_opt(DEMO_YEAR, 1, 1).unwrap_or_default(),
        chrono::NaiveDate::from_ymd_opt(DEMO_YEAR, 12, 31).unwrap_or_default(),
    );
    let mut ids = Vec::new();
    for n in 0..12 {
        let unit = units.get((n * 3 + 2) % units.len().max(1)).map(|u| u.id);
        let input = supervisors_model::RecommendationInput {
            name: supervisor_name(n),
            phone: format!("139{:08}", 56_300_000 + n),
            work_unit_id: unit,
            recommended_by_unit_id: unit,
            recommendation: "政治素质好，熟悉政务服务，作风正派。".into(),
        };
        let id = supervisors_db::insert_supervisor(tx, tenant_id, &input).await?;
        let seq = crate::db::numbers::next_number(tx, tenant_id, "certificate", DEMO_YEAR).await?;
        let number = supervisors_model::certificate_number(DEMO_YEAR, seq);
        supervisors_db::decide_supervisor(
            tx,
            id,
            "recommended",
            "approved",
            "同意",
            Some((&number, from, until)),
        )
        .await?;
        ids.push(id);
    }
    for (g, members) in ids.chunks(4).enumerate() {
        let name = format!("第{}督查组", ["一", "二", "三"][g % 3]);
        let period = (
            chrono::NaiveDate::from_ymd_opt(DEMO_YEAR, 1, 1),
            chrono::NaiveDate::from_ymd_opt(DEMO_YEAR, 12, 31),
        );
        let new = supervisors_db::NewGroup {
            name: &name,
            purpose: "2026年度明查暗访",
            unit_id: None,
            starts_on: period.0,
            ends_on: period.1,
        };
        let group = supervisors_db::insert_group(tx, tenant_id, &new).await?;
        for (k, member) in members.iter().enumerate() {
            supervisors_db::insert_group_member(tx, tenant_id, group, *member, k == 0).await?;
        }
    }
    Ok(())
}

/// The demo staff of unit number `n` (1-based): three to six people, mostly regular employees.
fn demo_staff(n: usize) -> Vec<StaffInput> {
    (0..3 + n % 4)
        .map(|k| {
            let i = n * 7 + k * 3;
            StaffInput {
                name: format!(
                    "{}{}{}",
                    SURNAMES[i % 16],
                    GIVEN[(i / 3) % 16],
                    GIVEN[(i + k) % 16]
                ),
                post: POSTS[(n + k) % POSTS.len()].into(),
                employment: KINDS[(n + k * 5) % KINDS.len()].into(),
                phone: format!("0563-{:07}", 2_000_000 + n * 100 + k),
            }
        })
        .collect()
}

const USERS: [(&str, &str, Role); 5] = [
    ("admin", "王管理", Role::OfficeAdmin),
    ("staff", "李干事", Role::OfficeStaff),
    ("leader", "赵领导", Role::Leader),
    // the demo supervisor is the first supervisor of the register, under the same name
    ("supervisor", "", Role::Supervisor),
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
/// a new password. A new demo office then lives its year so far through the product (see
/// [`story`]). Returns the logins, with passwords where they are known.
pub async fn ensure(
    pool: &PgPool,
    config: &crate::config::Config,
    reset_passwords: bool,
    now: DateTime<Utc>,
) -> anyhow::Result<Vec<DemoLogin>> {
    let logins_file = &config.demo.logins_file;
    let office = match crate::db::offices::find_office_by_code(pool, DEMO_CODE).await? {
        Some(office) => office,
        None => registry::create_office(pool, DEMO_CODE, "示范市效能办", true, now).await?,
    };
    let known = read_logins(logins_file);
    let actor = Actor::system("demo", now);
    let mut tx = crate::db::begin_tenant(pool, office.id).await?;
    demo_units(&mut tx, office.id).await?;
    // The 2026 assessment year, open, with the default catalog and every unit on its list.
    if years::db::find_year(&mut tx, DEMO_YEAR).await?.is_none() {
        let year_id = years::open_year(&mut tx, office.id, &actor, DEMO_YEAR).await?;
        let codes: Vec<String> = UNITS.iter().map(|u| u.0.to_string()).collect();
        units_db::list_all(&mut tx, office.id, year_id, &codes).await?;
    }
    if supervisors_db::list_supervisors(&mut tx, None, None)
        .await?
        .is_empty()
    {
        demo_supervisors(&mut tx, office.id).await?;
    }
    let logins = demo_users(&mut tx, (office.id, &actor), &known, reset_passwords).await?;
    link_demo_supervisor(&mut tx).await?;
    let lived = match years::db::find_year(&mut tx, DEMO_YEAR).await? {
        Some(year) => !crate::inspections::db::year_tasks(&mut tx, year.id)
            .await?
            .is_empty(),
        None => true,
    };
    tx.commit().await?;
    write_logins(logins_file, &logins)?;
    let passwords: Vec<(String, String)> = logins
        .iter()
        .filter_map(|l| Some((l.username.clone(), l.password.clone()?)))
        .collect();
    // A story cut short (a rule changed under it, say) leaves what it made and is not tried
    // again: the office still works, and the log says where it stopped.
    if !lived && let Err(error) = story::live(pool, config, office.id, now, &passwords).await {
        tracing::warn!("the demo office's year stopped early: {error:#}");
    }
    Ok(logins)
}

/// The demo's units, each with its staff; a unit already there is left as it is.
async fn demo_units(tx: &mut PgConnection, office_id: Uuid) -> anyhow::Result<()> {
    for (n, (code, name, category)) in UNITS.iter().enumerate() {
        if units_db::find_unit_by_code(tx, code).await?.is_some() {
            continue;
        }
        let unit = UnitInput {
            code: (*code).into(),
            name: (*name).into(),
            category: (*category).into(),
            address: format!("宣城市行政中心{}号楼", n % 6 + 1),
            phone: format!("0563-{:07}", 3_000_000 + n),
            leaders: format!("{}局长", SURNAMES[n % 16]),
        };
        let Some(id) = units_db::insert_unit_fields(tx, office_id, &unit).await? else {
            continue;
        };
        for person in demo_staff(n + 1) {
            units_db::insert_staff(tx, office_id, id, &person).await?;
        }
    }
    Ok(())
}

/// One login per role (the liaison for the first unit), created through the product's own path
/// with a generated password; with `reset`, every existing one gets a new password. The logins,
/// with their passwords where they are known (from `known`, the file of the last start).
async fn demo_users(
    tx: &mut PgConnection,
    (office_id, actor): (Uuid, &Actor),
    known: &[(String, String)],
    reset: bool,
) -> anyhow::Result<Vec<DemoLogin>> {
    let liaison_unit = units_db::find_unit_by_code(tx, UNITS[0].0)
        .await?
        .map(|u| u.id);
    let mut logins = Vec::new();
    for (username, name, role) in USERS {
        let password = match users_db::find_user_id(tx, username).await? {
            None => {
                let input = NewUserInput {
                    username: username.into(),
                    display_name: match role {
                        Role::Supervisor => supervisor_name(0),
                        _ => name.into(),
                    },
                    role: role.as_str().into(),
                    unit_id: liaison_unit.filter(|_| role.needs_unit()),
                    password: String::new(),
                };
                let created = registry::users::create_user(tx, office_id, actor, &input, false)
                    .await
                    .map_err(|e| anyhow::anyhow!("creating demo user {username}: {e}"))?;
                created.generated_password
            }
            Some(id) if reset => Some(reset_password(tx, (office_id, actor), id).await?),
            Some(_) => known.iter().find(|k| k.0 == username).map(|k| k.1.clone()),
        };
        logins.push(DemoLogin {
            role,
            username: username.into(),
            password,
        });
    }
    Ok(logins)
}

/// A new generated password for the demo user `id`, recorded in the log.
async fn reset_password(
    tx: &mut PgConnection,
    (office_id, actor): (Uuid, &Actor),
    id: Uuid,
) -> anyhow::Result<String> {
    let fresh = password::generate();
    let hash = password::hash(fresh.clone()).await?;
    crate::auth::db::set_password(tx, id, &hash, false).await?;
    let event =
        crate::audit::Event::new("user.password_reset", ("user", id), serde_json::json!({}));
    crate::audit::record(tx, office_id, actor, event).await?;
    Ok(fresh)
}

/// The demo supervisor account is linked to the first demo supervisor, unless one is linked.
async fn link_demo_supervisor(tx: &mut PgConnection) -> anyhow::Result<()> {
    let supervisors = supervisors_db::list_supervisors(tx, Some("approved"), None).await?;
    if let (Some(user_id), Some(first)) = (
        users_db::find_user_id(tx, "supervisor").await?,
        supervisors.first(),
    ) && supervisors.iter().all(|s| s.username.is_none())
    {
        supervisors_db::link_supervisor_user(tx, first.id, Some(user_id)).await?;
    }
    Ok(())
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
