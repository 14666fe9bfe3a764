//! The demo office's year so far, lived through the product: the office sets its channels, units
//! send their quarterly self-reports (a few miss one and lose the S01 points, INS-04), the first
//! group inspects units and files findings with photos (INS-05, INS-09), units sign (INS-10), the
//! office confirms and issues rectification notices (INS-11), units appeal and report (INS-12),
//! a bulletin goes out and an interview is held with its follow-ups (INS-13). Every step is a
//! request through the product's own router, sent by the user who would send it, with the
//! application's clock set to the moment it happens; nothing is written around the product.
//!
//! The year is laid out from early January up to the day the demo is made, so that a newcomer sees
//! an office in the middle of its work: some notices still open, one overdue, one appeal and one
//! report waiting for the office, findings to review, and the supervisor's tasks for this week.

use std::collections::HashMap;

use anyhow::Context;
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use sqlx::PgPool;
use uuid::Uuid;

use super::cast::{Cast, channels, liaison_of, photo, plan_task, sign_in};
use super::pictures::signature;
use super::script::{Aftermath, COMPLAINTS, Fate, Intake, MISSED, VISITS, When};
use super::world::World;
use crate::AppState;
use crate::config::Config;
use crate::inspections::self_reports::model::quarter_end;

/// One thing a user does on a day, at a time; the story sorts them and plays them in order.
struct Step {
    at: (NaiveDate, (u32, u32)),
    act: Act,
}

enum Act {
    Channels,
    SelfReport {
        unit: String,
        quarter: u32,
    },
    /// the scheduled jobs' round of a day (a missed self-report's points, reminders)
    Jobs(NaiveDate),
    PlanVisit(usize),
    Inspect(usize),
    Review(usize),
    Issue(usize),
    Appeal(usize),
    DecideAppeal(usize),
    Report(usize),
    CheckReport(usize),
    Bulletin,
    ReadBulletin(String),
    ScheduleInterview,
    HoldInterview,
    /// a complaint comes in (CMP-02, CMP-03)
    Complain(usize),
    /// the office decides on it (CMP-05, CMP-08, CMP-13)
    Route(usize),
    /// the unit answers for it: signs, returns, acknowledges (CMP-08, CMP-11)
    Answer(usize),
    /// the office's next step: urge or transfer (CMP-08)
    FollowComplaint(usize),
    /// SYS-8 (accountability rule, art. 3): the interviewed unit becomes a warning unit
    DesignateWarning,
    FollowUp,
    PlanWeek,
}

/// Lives the demo office's year through the product. `cast` are its signed-in users.
pub async fn live(
    pool: &PgPool,
    config: &Config,
    office_id: Uuid,
    now: DateTime<Utc>,
    logins: &[(String, String)],
) -> anyhow::Result<()> {
    let state = AppState::new(pool.clone(), config.clone())?;
    let router = crate::router(state.clone());
    let mut tx = crate::db::begin_tenant(pool, office_id).await?;
    let calendar = crate::calendar::load(&mut tx).await?;
    let tz: Tz = crate::registry::settings::db::get_settings(&mut tx)
        .await?
        .time_zone
        .parse()
        .unwrap_or(chrono_tz::Asia::Shanghai);
    let year = crate::registry::years::db::find_year(&mut tx, super::DEMO_YEAR)
        .await?
        .context("the demo year")?;
    let dues = crate::inspections::self_reports::quarter_dues(&mut tx, year.year).await?;
    tx.rollback().await?;
    let today = crate::core::time::local_date(tz, now)
        .min(NaiveDate::from_ymd_opt(year.year, 12, 31).unwrap_or_default());
    let first = NaiveDate::from_ymd_opt(year.year, 1, 5)
        .unwrap_or(today)
        .min(today);
    let world = World {
        state,
        office_id,
        calendar,
        tz,
        year: year.year,
        year_id: year.id,
        first,
        today,
    };
    // signing in happens now, as the story's first moment
    world.set_clock(first, (8, 30));
    let mut cast = sign_in(&router, pool, (office_id, world.state.clock.now()), logins).await?;
    let mut steps = plan(&world, &dues);
    steps.sort_by_key(|s| s.at);
    let mut story = Story::default();
    for step in steps {
        world.set_clock(step.at.0, step.at.1);
        story
            .play(&world, &mut cast, pool, (step.at.0, step.act))
            .await
            .with_context(|| format!("the demo office's day {}", step.at.0))?;
    }
    Ok(())
}

/// Every step of the year, unsorted.
fn plan(
    world: &World,
    dues: &[Result<NaiveDate, crate::calendar::model::CalendarError>],
) -> Vec<Step> {
    let mut steps = vec![Step {
        at: (world.first, (8, 40)),
        act: Act::Channels,
    }];
    // INS-04: each quarter's self-report, sent in the days after the quarter ends
    for (q, due) in dues.iter().enumerate() {
        let quarter = q as u32 + 1;
        let Ok(due) = *due else { continue };
        let Some(ended) = quarter_end(world.year, quarter) else {
            continue;
        };
        if ended >= world.today {
            continue;
        }
        for (n, (code, ..)) in super::UNITS.iter().enumerate() {
            if MISSED.contains(&(code, quarter)) {
                continue;
            }
            let day = world.after(ended, 1 + (n as u32 * 7) % 9).min(due);
            if day > world.today {
                continue;
            }
            let minute = (n as u32 * 13) % 50;
            steps.push(Step {
                at: (day, (9 + (n as u32 % 7), minute)),
                act: Act::SelfReport {
                    unit: (*code).into(),
                    quarter,
                },
            });
        }
        let next = world.after(due, 1);
        if next <= world.today {
            steps.push(Step {
                at: (next, (2, 0)),
                act: Act::Jobs(next),
            });
        }
    }
    for (i, visit) in VISITS.iter().enumerate() {
        let day = world.day_of(visit.when);
        let planned = world.days_ago_from(day, 3);
        steps.push(Step {
            at: (planned, (15, 10 + i as u32)),
            act: Act::PlanVisit(i),
        });
        steps.push(Step {
            at: (day, (9, 30)),
            act: Act::Inspect(i),
        });
        if visit.then == Aftermath::AwaitingReview || visit.then == Aftermath::Clean {
            continue;
        }
        let decided = world.after(day, 1);
        let issued = world.after(day, 2);
        steps.push(Step {
            at: (decided, (10, 0)),
            act: Act::Review(i),
        });
        steps.push(Step {
            at: (issued, (9, 30)),
            act: Act::Issue(i),
        });
        let appeal = [
            step(world.after(issued, 1), (16, 20), Act::Appeal(i)),
            step(world.after(issued, 3), (10, 30), Act::DecideAppeal(i)),
        ];
        let report = [
            step(world.after(issued, 8), (15, 0), Act::Report(i)),
            step(world.after(issued, 10), (11, 0), Act::CheckReport(i)),
        ];
        match visit.then {
            Aftermath::AppealRejected => steps.extend(appeal.into_iter().chain(report)),
            Aftermath::AppealUpheld => steps.extend(appeal),
            Aftermath::AppealWaiting => steps.extend(appeal.into_iter().take(1)),
            Aftermath::Rectified => steps.extend(report),
            Aftermath::ReportWaiting => {
                steps.push(step(world.days_ago(1), (15, 0), Act::Report(i)));
            }
            _ => {}
        }
    }
    // INS-13: a bulletin of the third quarter, read by most units; an interview with the unit
    // whose notice ran out, and its follow-ups
    let bulletin = world.day_of(When::Share(0.82));
    steps.push(Step {
        at: (bulletin, (14, 0)),
        act: Act::Bulletin,
    });
    for (n, (code, ..)) in super::UNITS.iter().enumerate().filter(|(n, _)| n % 3 != 2) {
        let day = world.after(bulletin, 1 + n as u32 % 4).min(world.today);
        steps.push(Step {
            at: (day, (9 + n as u32 % 8, (n as u32 * 7) % 60)),
            act: Act::ReadBulletin((*code).into()),
        });
    }
    let interview = world.day_of(When::Share(0.86));
    steps.push(Step {
        at: (interview, (10, 0)),
        act: Act::ScheduleInterview,
    });
    steps.push(Step {
        at: (world.after(interview, 3), (16, 30)),
        act: Act::HoldInterview,
    });
    steps.push(Step {
        at: (world.after(interview, 5).min(world.today), (11, 20)),
        act: Act::DesignateWarning,
    });
    steps.push(Step {
        at: (world.after(interview, 9).min(world.today), (10, 15)),
        act: Act::FollowUp,
    });
    steps.push(Step {
        at: (world.days_ago(1), (16, 40)),
        act: Act::PlanWeek,
    });
    // CMP-02 to CMP-13: the year's complaints, each taken as far as it has come
    for (i, c) in COMPLAINTS.iter().enumerate() {
        let day = world.day_of(c.when);
        steps.push(step(day, (10, 5 + i as u32), Act::Complain(i)));
        if c.then == Fate::Waiting {
            continue;
        }
        steps.push(step(day, (15, 20 + i as u32), Act::Route(i)));
        if matches!(c.then, Fate::Refused | Fate::Assigned) {
            continue;
        }
        let next = world.after(day, 1).min(world.today);
        steps.push(step(next, (9, 10 + i as u32), Act::Answer(i)));
        if matches!(c.then, Fate::Urged | Fate::Transferred(_)) {
            let later = world.after(day, 2).min(world.today);
            steps.push(step(later, (11, 15 + i as u32), Act::FollowComplaint(i)));
        }
    }
    steps
}

fn step(day: NaiveDate, time: (u32, u32), act: Act) -> Step {
    Step {
        at: (day, time),
        act,
    }
}

/// The demo unit `code`.
async fn unit_of(
    world: &World,
    pool: &PgPool,
    code: &str,
) -> anyhow::Result<crate::registry::units::db::UnitRow> {
    let mut tx = crate::db::begin_tenant(pool, world.office_id).await?;
    let unit = crate::registry::units::db::find_unit_by_code(&mut tx, code)
        .await?
        .with_context(|| format!("the demo unit {code}"))?;
    tx.rollback().await?;
    Ok(unit)
}

/// The id of the demo unit `code`.
async fn unit_id(world: &World, pool: &PgPool, code: &str) -> anyhow::Result<Uuid> {
    Ok(unit_of(world, pool, code).await?.id)
}

/// The visit whose notice ran out without a report, and its unit (interviewed, then warned).
async fn overdue_unit(
    world: &World,
    pool: &PgPool,
) -> anyhow::Result<Option<(usize, crate::registry::units::db::UnitRow)>> {
    let Some(i) = VISITS.iter().position(|v| v.then == Aftermath::Overdue) else {
        return Ok(None);
    };
    Ok(Some((i, unit_of(world, pool, VISITS[i].unit).await?)))
}

/// What the story learned as it went: the records each visit made.
#[derive(Default)]
struct Story {
    tasks: HashMap<usize, Uuid>,
    findings: HashMap<usize, Vec<Uuid>>,
    notices: HashMap<usize, Uuid>,
    bulletin: Option<Uuid>,
    interview: Option<Uuid>,
    complaints: HashMap<usize, Uuid>,
}

impl Story {
    async fn play(
        &mut self,
        world: &World,
        cast: &mut Cast,
        pool: &PgPool,
        (day, act): (NaiveDate, Act),
    ) -> anyhow::Result<()> {
        let y = world.year;
        match act {
            Act::Channels => channels(world, cast, pool).await?,
            Act::SelfReport { unit, quarter } => {
                let Some(liaison) = cast.liaisons.get_mut(&unit) else {
                    return Ok(());
                };
                let q = quarter.to_string();
                let content = format!(
                    "{y}年第{quarter}季度效能建设自查情况：本季度对照效能考评明查暗访内容逐项自查，\
                     窗口纪律、首问负责、一次性告知和AB岗制度执行正常，发现问题已当场整改。"
                );
                liaison
                    .post_files(
                        "/self-reports",
                        &[("quarter", &q), ("content", &content)],
                        &[],
                    )
                    .await?;
            }
            Act::Jobs(on) => {
                let store = crate::evidence::Store::from_config(&world.state.config.evidence)?;
                let jobs = crate::jobs::JobContext {
                    pool,
                    evidence: &store,
                    retention_days: world.state.config.evidence.retention_days,
                    mailer: None,
                    clock: &world.state.clock,
                    changes: &world.state.changes,
                    sign_within_working_days: world
                        .state
                        .config
                        .complaints
                        .sign_within_working_days,
                };
                // the demo office's own round only: no other office is touched
                let office = crate::db::offices::find_office_by_code(pool, super::DEMO_CODE)
                    .await?
                    .context("the demo office")?;
                let mut round = crate::jobs::Round::default();
                crate::jobs::run_office(&jobs, &office, Some(on), &mut round).await?;
            }
            Act::PlanVisit(i) => {
                let visit = &VISITS[i];
                let on = world.day_of(visit.when);
                let task = plan_task(world, cast, pool, visit.unit, on, "service").await?;
                self.tasks.insert(i, task);
            }
            Act::Inspect(i) => self.inspect(world, cast, pool, i).await?,
            Act::Review(i) => {
                for finding in self.findings.get(&i).cloned().unwrap_or_default() {
                    cast.staff
                        .post(
                            &format!("/findings/{finding}/decision"),
                            &[("decision", "confirm")],
                        )
                        .await?;
                }
            }
            Act::Issue(i) => {
                let task = self.task(i)?;
                let findings = self.findings.get(&i).cloned().unwrap_or_default();
                let mut fields: Vec<(&str, String)> = findings
                    .iter()
                    .map(|f| ("finding", f.to_string()))
                    .collect();
                fields.push((
                    "basis",
                    "《宣城市直单位效能考评明查暗访暂行办法》第八条".into(),
                ));
                fields.push((
                    "requirements",
                    "请于期限内完成整改，举一反三排查同类问题，并将整改情况书面报市直效能办。"
                        .into(),
                ));
                fields.push(("working_days", "10".into()));
                let pairs: Vec<(&str, &str)> =
                    fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
                let answer = cast
                    .staff
                    .post(&format!("/tasks/{task}/notice"), &pairs)
                    .await?;
                let notice = answer.location_id().context("the notice issued")?;
                self.notices.insert(i, notice);
            }
            Act::Appeal(i) => {
                let notice = self.notice(i)?;
                let liaison = liaison_of(cast, VISITS[i].unit)?;
                let reasons = match VISITS[i].then {
                    Aftermath::AppealUpheld => {
                        "检查当日提示牌因门厅保洁临时移至侧墙，保洁结束后即已复位，附当日监控截图及保洁记录。"
                    }
                    Aftermath::AppealWaiting => {
                        "当班人员离岗系陪同行动不便的群众前往检验科，属服务行为，附陪同记录及群众说明。"
                    }
                    _ => "工作人员当时正在电话联系承办科室，并非拒绝解答，请复核。",
                };
                liaison
                    .post_files(
                        &format!("/notices/{notice}/appeal"),
                        &[("reasons", reasons)],
                        &[photo("申诉材料", i as u32 + 20)],
                    )
                    .await?;
            }
            Act::DecideAppeal(i) => {
                let notice = self.notice(i)?;
                let (decision, reason) = match VISITS[i].then {
                    Aftermath::AppealUpheld => (
                        "upheld",
                        "经复核监控录像，检查时提示牌确在侧墙显眼位置，异议成立，收回整改通知书。",
                    ),
                    _ => (
                        "rejected",
                        "经复核现场录像，工作人员未联系承办科室即让群众离开，异议不成立。",
                    ),
                };
                cast.staff
                    .post(
                        &format!("/notices/{notice}/appeal/decision"),
                        &[("decision", decision), ("reason", reason)],
                    )
                    .await?;
            }
            Act::Report(i) => {
                let notice = self.notice(i)?;
                let liaison = liaison_of(cast, VISITS[i].unit)?;
                liaison
                    .post_files(
                        &format!("/notices/{notice}/reports"),
                        &[(
                            "content",
                            "已对相关人员进行批评教育，在全单位通报；修订窗口工作制度，增设效能提示，\
                             并由分管领导每周抽查执行情况。整改前后照片附后。",
                        )],
                        &[photo("整改后现场", i as u32 + 40)],
                    )
                    .await?;
            }
            Act::CheckReport(i) => {
                let notice = self.notice(i)?;
                cast.staff
                    .post(
                        &format!("/notices/{notice}/report/decision"),
                        &[("decision", "accepted"), ("reason", "")],
                    )
                    .await?;
            }
            Act::Bulletin => self.bulletin(world, cast).await?,
            Act::ReadBulletin(unit) => {
                if let (Some(bulletin), Some(liaison)) =
                    (self.bulletin, cast.liaisons.get_mut(&unit))
                {
                    liaison.get(&format!("/bulletins/{bulletin}")).await?;
                }
            }
            Act::ScheduleInterview => self.schedule_interview(world, cast, pool).await?,
            Act::HoldInterview => {
                let interview = self.interview.context("the interview")?;
                cast.staff
                    .post(
                        &format!("/interviews/{interview}/minutes"),
                        &[("minutes", "市直效能办通报了明查暗访发现的推诿问题及整改逾期情况；\
                            被约谈单位主要负责人作表态发言，承认整改不及时，承诺十个工作日内完成整改并建立科室协同机制。")],
                    )
                    .await?;
                let due_one = world.after(day, 5).to_string();
                let due_two = world.after(day, 15).to_string();
                cast.staff
                    .post(
                        &format!("/interviews/{interview}/actions"),
                        &[
                            ("action_content", "建立学籍转接事项首办负责和科室协同机制"),
                            ("action_responsible", "分管副局长"),
                            ("action_due", &due_one),
                            ("action_content", "向市直效能办书面报告整改落实情况"),
                            ("action_responsible", "办公室主任"),
                            ("action_due", &due_two),
                        ],
                    )
                    .await?;
            }
            Act::DesignateWarning => self.designate_warning(world, cast, pool).await?,
            Act::Complain(i) => self.complain(world, cast, pool, i).await?,
            Act::Route(i) => self.route(world, cast, pool, i).await?,
            Act::Answer(i) => self.answer(cast, i).await?,
            Act::FollowComplaint(i) => self.follow_complaint(world, cast, pool, i).await?,
            Act::FollowUp => {
                let interview = self.interview.context("the interview")?;
                let mut tx = crate::db::begin_tenant(pool, world.office_id).await?;
                let actions = crate::notices::interviews::db::actions(&mut tx, interview).await?;
                tx.rollback().await?;
                if let Some(first) = actions.first() {
                    cast.staff
                        .post(
                            &format!("/interviews/{interview}/actions/{}/done", first.id),
                            &[],
                        )
                        .await?;
                }
            }
            Act::PlanWeek => {
                // the supervisor's work for this week: today, in two days, next week
                for (code, days, focus) in [
                    ("u033", 0, "service"),
                    ("u027", 2, "duty"),
                    ("u034", 6, "discipline"),
                ] {
                    let on = world.working(world.today + Duration::days(days));
                    if on.year() == world.year {
                        plan_task(world, cast, pool, code, on, focus).await?;
                    }
                }
            }
        }
        Ok(())
    }

    fn task(&self, i: usize) -> anyhow::Result<Uuid> {
        self.tasks.get(&i).copied().context("the visit's task")
    }

    fn notice(&self, i: usize) -> anyhow::Result<Uuid> {
        self.notices.get(&i).copied().context("the visit's notice")
    }
}

impl Story {
    /// INS-05, INS-09, INS-10, INS-02: the group visits the unit, files what it found with a
    /// photo of each, the unit's representative signs, and the group leader submits.
    async fn inspect(
        &mut self,
        world: &World,
        cast: &mut Cast,
        pool: &PgPool,
        i: usize,
    ) -> anyhow::Result<()> {
        let visit = &VISITS[i];
        let task = self.task(i)?;
        let day = world.day_of(visit.when);
        let mut tx = crate::db::begin_tenant(pool, world.office_id).await?;
        let unit = crate::registry::units::db::find_unit_by_code(&mut tx, visit.unit)
            .await?
            .context("the visited unit")?;
        let staff = crate::inspections::findings::db::current_staff(&mut tx, unit.id).await?;
        let mut items = Vec::new();
        for (code, ..) in visit.found {
            let item = crate::inspections::db::catalog_item(&mut tx, world.year_id, code)
                .await?
                .with_context(|| format!("the catalog item {code}"))?;
            items.push(item.0);
        }
        tx.rollback().await?;
        let mut filed = Vec::new();
        for (k, ((_, description, place), item)) in visit.found.iter().zip(items).enumerate() {
            let minute = 30 + k as u32 * 10;
            world.set_clock(day, (9, minute));
            let answer = cast
                .supervisor
                .post(&format!("/tasks/{task}/findings"), &[])
                .await?;
            let finding = answer.location_id().context("the new finding")?;
            let observed = format!("{day}T09:{:02}", minute - 5);
            let item = item.to_string();
            let person = staff.get(k % staff.len().max(1)).map(|s| s.0.to_string());
            let mut fields = vec![
                ("item_id", item.as_str()),
                ("description", *description),
                ("place", *place),
                ("observed_at", observed.as_str()),
            ];
            if let Some(person) = &person {
                fields.push(("staff_id", person.as_str()));
            }
            world.set_clock(day, (9, minute + 3));
            cast.supervisor
                .post(&format!("/findings/{finding}"), &fields)
                .await?;
            world.set_clock(day, (9, minute + 5));
            let taken = world
                .at(day, (9, minute - 5))
                .timestamp_millis()
                .to_string();
            cast.supervisor
                .post_files(
                    &format!("/findings/{finding}/evidence"),
                    &[("taken_at_ms", taken.as_str())],
                    &[photo("现场", (i * 7 + k) as u32)],
                )
                .await?;
            filed.push(finding);
        }
        self.findings.insert(i, filed);
        // INS-10: the unit's representative signs the record
        world.set_clock(day, (10, 20));
        let (signer, post) = staff
            .first()
            .map(|s| (s.1.clone(), s.2.clone()))
            .unwrap_or_else(|| ("单位负责人".into(), String::new()));
        let drawn = signature(i as u32);
        cast.supervisor
            .post(
                &format!("/tasks/{task}/signoff"),
                &[
                    ("outcome", "signed"),
                    ("signer_name", signer.as_str()),
                    ("signer_post", post.as_str()),
                    ("signature", drawn.as_str()),
                    ("typed_signature", ""),
                ],
            )
            .await?;
        world.set_clock(day, (10, 35));
        cast.supervisor
            .post(&format!("/tasks/{task}/submit"), &[])
            .await?;
        Ok(())
    }

    /// INS-13: the office's bulletin of the third quarter, written and published.
    async fn bulletin(&mut self, world: &World, cast: &mut Cast) -> anyhow::Result<()> {
        let y = world.year;
        let (from, to) = (format!("{y}-07-01"), format!("{y}-09-30"));
        let answer = cast
            .staff
            .post(
                "/bulletins",
                &[("period_from", from.as_str()), ("period_to", to.as_str())],
            )
            .await?;
        let bulletin = answer.location_id().context("the new bulletin")?;
        cast.staff
            .post(
                &format!("/bulletins/{bulletin}"),
                &[
                    ("title", &format!("关于{y}年第三季度效能明查暗访情况的通报")),
                    (
                        "lead",
                        "为持续改进机关作风，提升服务效能，市直效能办组织效能监督员对市直单位开展了明查暗访。现将有关情况通报如下。",
                    ),
                    (
                        "body",
                        "本季度共检查市直单位窗口和服务场所若干处。总体看，多数单位效能制度落实较好，窗口服务规范有序。\
                         但仍有个别单位存在工作人员上班时间玩手机、离岗未安排顶岗、推诿扯皮等问题，相关单位已按要求整改。",
                    ),
                    (
                        "closing",
                        "各单位要引以为戒，举一反三，切实加强效能建设，确保各项效能制度落到实处。",
                    ),
                ],
            )
            .await?;
        cast.staff
            .post(&format!("/bulletins/{bulletin}/publish"), &[])
            .await?;
        self.bulletin = Some(bulletin);
        Ok(())
    }

    /// A complaint of the year comes in: on the public form, or logged by office staff.
    async fn complain(
        &mut self,
        world: &World,
        cast: &mut Cast,
        pool: &PgPool,
        i: usize,
    ) -> anyhow::Result<()> {
        let c = &COMPLAINTS[i];
        let unit = unit_id(world, pool, c.unit).await?.to_string();
        let mut fields = vec![
            ("unit_id", unit.as_str()),
            ("matter", c.matter),
            ("reasons", c.reasons),
            ("category", c.category),
            ("relation", c.relation),
        ];
        let named = c.relation != "anonymous";
        if named {
            fields.extend([
                ("complainant_name", "陈先生"),
                ("complainant_phone", "13905630000"),
            ]);
        }
        let id = match c.intake {
            Intake::Online => {
                fields.push(("evidence_note", "办事回执一张，在本人手中"));
                fields.push(("contact_allowed", "on"));
                let photo = super::cast::photo("complaint", u32::try_from(i).unwrap_or(0));
                cast.citizen
                    .post_files("/complain", &fields, &[photo])
                    .await?;
                let mut tx = crate::db::begin_tenant(pool, world.office_id).await?;
                let filter = crate::complaints::db::ListFilter::default();
                let (newest, _) = crate::complaints::db::list(&mut tx, &filter, (1, 0)).await?;
                tx.rollback().await?;
                newest
                    .first()
                    .map(|r| r.id)
                    .context("the complaint filed online")?
            }
            Intake::Logged(channel) => {
                fields.push(("channel", channel));
                let answer = cast.staff.post_files("/complaints", &fields, &[]).await?;
                answer.location_id().context("the complaint logged")?
            }
        };
        self.complaints.insert(i, id);
        Ok(())
    }

    /// The office decides: assigns it, refuses it, or passes a suggestion on.
    async fn route(
        &mut self,
        world: &World,
        cast: &mut Cast,
        pool: &PgPool,
        i: usize,
    ) -> anyhow::Result<()> {
        let c = &COMPLAINTS[i];
        let id = self.complaints.get(&i).copied().context("the complaint")?;
        let unit = unit_id(world, pool, c.unit).await?.to_string();
        let path = format!("/complaints/{id}/act");
        let fields: Vec<(&str, &str)> = match c.then {
            Fate::Refused => vec![
                ("do", "refuse"),
                ("reason", "in_progress"),
                (
                    "note",
                    "您反映的问题已于此前受理并交办，正在办理期限内，请耐心等待答复。",
                ),
            ],
            Fate::Suggestion => vec![("do", "forward"), ("unit_id", unit.as_str())],
            _ => vec![
                ("do", "assign"),
                ("unit_id", unit.as_str()),
                ("note", "请核实情况，按期办结并答复投诉人。"),
            ],
        };
        cast.staff.post(&path, &fields).await?;
        Ok(())
    }

    /// The unit's liaison signs for it (or acknowledges a suggestion; or, outside its remit,
    /// returns it).
    async fn answer(&mut self, cast: &mut Cast, i: usize) -> anyhow::Result<()> {
        let c = &COMPLAINTS[i];
        let id = self.complaints.get(&i).copied().context("the complaint")?;
        let Some(liaison) = cast.liaisons.get_mut(c.unit) else {
            return Ok(());
        };
        let path = format!("/complaints/{id}/act");
        match c.then {
            Fate::Suggestion => {
                liaison.post(&path, &[("do", "acknowledge")]).await?;
            }
            Fate::Transferred(_) => {
                liaison.post(&path, &[("do", "sign")]).await?;
                let why = "河道淤积清理属城市管理部门职责，本局负责水利工程，不属本单位职责。";
                liaison
                    .post(&path, &[("do", "return"), ("note", why)])
                    .await?;
            }
            _ => {
                liaison.post(&path, &[("do", "sign")]).await?;
            }
        }
        Ok(())
    }

    /// The office urges the unit, or transfers a returned complaint to the competent unit.
    async fn follow_complaint(
        &mut self,
        world: &World,
        cast: &mut Cast,
        pool: &PgPool,
        i: usize,
    ) -> anyhow::Result<()> {
        let id = self.complaints.get(&i).copied().context("the complaint")?;
        let path = format!("/complaints/{id}/act");
        match COMPLAINTS[i].then {
            Fate::Transferred(to) => {
                let unit = unit_id(world, pool, to).await?.to_string();
                let why = "经核，河道日常清淤属城市管理部门职责，转市城市管理局办理。";
                cast.staff
                    .post(
                        &path,
                        &[
                            ("do", "transfer"),
                            ("unit_id", unit.as_str()),
                            ("note", why),
                        ],
                    )
                    .await?;
            }
            _ => {
                let note = "投诉人再次来电反映，请抓紧核实处理并及时答复。";
                cast.staff
                    .post(&path, &[("do", "urge"), ("note", note)])
                    .await?;
            }
        }
        Ok(())
    }

    /// SYS-8 (accountability rule, art. 3): the unit whose notice ran out, interviewed since, is
    /// designated a warning unit for the year, which costs it any excellent rating.
    async fn designate_warning(
        &mut self,
        world: &World,
        cast: &mut Cast,
        pool: &PgPool,
    ) -> anyhow::Result<()> {
        let Some((i, unit)) = overdue_unit(world, pool).await? else {
            return Ok(());
        };
        let mut tx = crate::db::begin_tenant(pool, world.office_id).await?;
        let notice = crate::notices::db::notices(&mut tx, None, Some(self.notice(i)?)).await?;
        tx.rollback().await?;
        let number = notice.first().map(|n| n.number.clone());
        let basis = format!(
            "整改通知书{}逾期未报送整改情况；约谈记录（主要负责人表态发言）；明查暗访问题记录及照片。",
            number.unwrap_or_default()
        );
        cast.staff
            .post(
                &format!("/years/{}/warnings", world.year),
                &[
                    ("unit_id", unit.id.to_string().as_str()),
                    (
                        "reason",
                        "科室间推诿扯皮致群众多次往返，整改逾期，造成不良影响",
                    ),
                    ("basis", basis.as_str()),
                ],
            )
            .await?;
        Ok(())
    }

    /// INS-13: an interview with the unit whose notice ran out without a report.
    async fn schedule_interview(
        &mut self,
        world: &World,
        cast: &mut Cast,
        pool: &PgPool,
    ) -> anyhow::Result<()> {
        let Some((_, unit)) = overdue_unit(world, pool).await? else {
            return Ok(());
        };
        let interview_on = world.after(world.day_of(When::Share(0.86)), 3);
        let at = format!("{interview_on}T15:00");
        let unit_id = unit.id.to_string();
        let answer = cast
            .staff
            .post(
                "/interviews",
                &[
                    ("unit_id", unit_id.as_str()),
                    ("scheduled_at", at.as_str()),
                    ("place", "市直效能办第一会议室"),
                    ("office_name", "李干事"),
                    ("office_post", "市直效能办督查科科长"),
                    (
                        "unit_name",
                        &format!(
                            "{}局长",
                            &unit
                                .name
                                .chars()
                                .nth(1)
                                .map(String::from)
                                .unwrap_or_default()
                        ),
                    ),
                    ("unit_post", "主要负责人"),
                    (
                        "problems",
                        "明查暗访发现科室间推诿扯皮，群众多次往返；整改通知书逾期未报送整改情况。",
                    ),
                ],
            )
            .await?;
        self.interview = Some(answer.location_id().context("the new interview")?);
        Ok(())
    }
}
