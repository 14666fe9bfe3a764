//! The `xiaoneng` command: the web server and the platform operator's tools.

use std::io::{IsTerminal, Read};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};
use sqlx::PgPool;
use tokio::net::TcpListener;

use xiaoneng::audit::Actor;
use xiaoneng::config::Config;
use xiaoneng::core::Clock;
use xiaoneng::db::embedded::{self, EmbeddedCluster};
use xiaoneng::registry::users::{self, model::NewUserInput};
use xiaoneng::{AppState, db, demo, telemetry};
use xiaoneng::{apikeys, registry};

#[derive(Parser)]
#[command(
    name = "xiaoneng",
    version,
    about = "效能督查平台: efficiency supervision for government offices"
)]
struct Cli {
    /// A configuration file read after config/default.toml and config/local.toml.
    #[arg(long, global = true, env = "XIAONENG_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

/// How `xiaoneng scores` prints.
#[derive(Clone, Copy, clap::ValueEnum)]
enum ScoresFormat {
    Table,
    Csv,
    Json,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the web application (the default).
    Serve {
        /// Address and port, e.g. 0.0.0.0:8080 (default: server.listen).
        #[arg(long)]
        listen: Option<String>,
    },
    /// Apply database migrations.
    Migrate,
    /// Offices (tenants).
    Tenant {
        #[command(subcommand)]
        command: TenantCommand,
    },
    /// Users of an office.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// An office's API keys for other systems (CMP-03).
    Apikey {
        #[command(subcommand)]
        command: ApikeyCommand,
    },
    /// Create the demo office and its users where missing, and print their logins.
    Demo {
        /// Give every demo user a new password.
        #[arg(long)]
        reset_passwords: bool,
    },
    /// The audit log.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Scheduled work.
    Jobs {
        #[command(subcommand)]
        command: JobsCommand,
    },
    /// Every unit's score and rank for an assessment year (INS-08), as the pages compute them.
    Scores {
        /// The office's code.
        #[arg(long)]
        office: String,
        /// The assessment year.
        #[arg(long)]
        year: i32,
        /// table (for people), csv or json.
        #[arg(long, default_value = "table")]
        format: ScoresFormat,
    },
    /// Working days (CAL-1, CAL-2).
    Calendar {
        #[command(subcommand)]
        command: CalendarCommand,
    },
    /// Official documents typeset to PDF (notices, bulletins, interview records).
    Documents {
        #[command(subcommand)]
        command: DocumentsCommand,
    },
}

#[derive(Subcommand)]
enum DocumentsCommand {
    /// Typeset a sample notice with the configured fonts: exits 1, naming the package to install,
    /// when the CJK fonts are missing; prints how long one document takes.
    Check {
        /// Also write the sample PDF here.
        #[arg(long)]
        out: Option<std::path::PathBuf>,
        /// How many times to typeset it (the first also reads the fonts).
        #[arg(long, default_value_t = 5)]
        times: u32,
    },
}

#[derive(Subcommand)]
enum JobsCommand {
    /// Run one round of the scheduled jobs now (the server runs them every hour).
    Run {
        /// Run as if today were this date (YYYY-MM-DD), in every office.
        #[arg(long)]
        today: Option<chrono::NaiveDate>,
    },
}

#[derive(Subcommand)]
enum CalendarCommand {
    /// Print the due date N working days after a date (ISO), by the official calendars or an
    /// office's own; exit 1 when a year it needs has no calendar.
    Due {
        #[arg(long)]
        from: chrono::NaiveDate,
        #[arg(long)]
        working_days: u32,
        /// Use this office's calendar (with its corrections) instead of the official one.
        #[arg(long)]
        office: Option<String>,
    },
}

#[derive(Subcommand)]
enum TenantCommand {
    /// Create an office: its code is the first part of its URLs.
    Create {
        /// 2–32 of a-z, 0-9 and '-'.
        #[arg(long)]
        code: String,
        #[arg(long)]
        name: String,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create a user. The password is read from standard input when it is piped; otherwise one is
    /// generated and printed once (and must be changed at first login).
    Create {
        #[arg(long)]
        office: String,
        #[arg(long)]
        username: String,
        /// office_admin, office_staff, leader, supervisor or liaison.
        #[arg(long)]
        role: String,
        /// The unit's code (liaisons only).
        #[arg(long)]
        unit: Option<String>,
        /// The name shown in the application (default: the username).
        #[arg(long)]
        name: Option<String>,
    },
}

#[derive(Subcommand)]
enum ApikeyCommand {
    /// Create a key and print it once (only its hash is kept).
    Create {
        #[arg(long)]
        office: String,
        /// Which system uses the key, e.g. "12345 hotline".
        #[arg(long)]
        name: String,
    },
    /// List the office's keys: prefix, name, created, last used, revoked.
    List {
        #[arg(long)]
        office: String,
    },
    /// Revoke a key at once, named by its prefix (`xn_` and 16 hex digits).
    Revoke {
        #[arg(long)]
        office: String,
        #[arg(long)]
        prefix: String,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Re-walk each office's hash chain; exit 1 and name the first broken link if any.
    Verify {
        #[arg(long)]
        office: Option<String>,
    },
}

/// The database this run uses, and the embedded cluster when we started one.
struct Database {
    pool: PgPool,
    cluster: Option<EmbeddedCluster>,
}

impl Database {
    async fn open(config: &Config) -> anyhow::Result<Self> {
        if !config.database.url.is_empty() {
            let options = db::options_from_url(&config.database.url)?;
            let pool = db::connect_with(&config.database, options)
                .await
                .context("could not connect to the configured database")?;
            return Ok(Self {
                pool,
                cluster: None,
            });
        }
        let dir = config.database.embedded_dir.clone();
        let cluster = tokio::task::spawn_blocking(move || EmbeddedCluster::ensure(&dir)).await??;
        let admin = db::connect_with(&config.database, cluster.connect_options("postgres")).await?;
        db::embedded::create_database_if_missing(&admin, embedded::DATABASE).await?;
        admin.close().await;
        let pool = db::connect_with(
            &config.database,
            cluster.connect_options(embedded::DATABASE),
        )
        .await?;
        tracing::info!(dir = %cluster.dir().display(), "using the embedded PostgreSQL cluster");
        Ok(Self {
            pool,
            cluster: Some(cluster),
        })
    }

    async fn close(self) {
        self.pool.close().await;
        if let Some(cluster) = self.cluster.filter(EmbeddedCluster::started_here) {
            let stopped = tokio::task::spawn_blocking(move || cluster.stop()).await;
            match stopped {
                Ok(Ok(())) => tracing::info!("embedded PostgreSQL stopped"),
                Ok(Err(error)) => eprintln!("could not stop the embedded PostgreSQL: {error:#}"),
                Err(error) => eprintln!("could not stop the embedded PostgreSQL: {error}"),
            }
        }
    }
}

/// mimalloc: a page view allocates and frees many small strings and rows across two threads;
/// measured with `scripts/bench-pages.sh` it serves more pages than the system allocator.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let config = match Config::load(cli.config.as_deref()) {
        Ok(config) => config,
        Err(error) => {
            eprintln!("configuration error: {error:#}");
            return ExitCode::from(2);
        }
    };
    telemetry::init(&config.log);
    let command = cli.command.unwrap_or(Command::Serve { listen: None });
    // The official calendars need no database.
    if let Command::Calendar {
        command:
            CalendarCommand::Due {
                from,
                working_days,
                office: None,
            },
    } = &command
    {
        let calendar = xiaoneng::calendar::Calendar::new(xiaoneng::calendar::shipped());
        return print_due(calendar.add_working_days(*from, *working_days));
    }
    // Neither do documents.
    if let Command::Documents {
        command: DocumentsCommand::Check { out, times },
    } = &command
    {
        return check_documents(&config, out.as_deref(), *times).await;
    }
    let database = match Database::open(&config).await {
        Ok(database) => database,
        Err(error) => {
            eprintln!("{error:#}");
            return ExitCode::from(2);
        }
    };
    let pool = database.pool.clone();
    let embedded = database.cluster.is_some();
    let outcome = run(command, config, pool, embedded).await;
    database.close().await;
    match outcome {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(2)
        }
    }
}

async fn run(
    command: Command,
    config: Config,
    pool: PgPool,
    embedded: bool,
) -> anyhow::Result<ExitCode> {
    match command {
        Command::Serve { listen } => serve(config, pool, listen, embedded).await?,
        Command::Migrate => {
            db::migrate(&pool).await?;
            println!("migrations applied");
        }
        Command::Tenant {
            command: TenantCommand::Create { code, name },
        } => {
            db::migrate(&pool).await?;
            let office =
                registry::create_office(&pool, &code, &name, false, Clock::default().now())
                    .await
                    .map_err(|e| describe_office_error(&e))?;
            println!(
                "created office {} ({}) at /{}",
                office.name, office.id, office.code
            );
        }
        Command::User {
            command:
                UserCommand::Create {
                    office,
                    username,
                    role,
                    unit,
                    name,
                },
        } => {
            db::migrate(&pool).await?;
            create_user(&pool, &office, username, role, unit, name).await?;
        }
        Command::Apikey { command } => {
            db::migrate(&pool).await?;
            return api_key_command(&pool, command).await;
        }
        Command::Demo { reset_passwords } => {
            db::migrate(&pool).await?;
            let logins =
                demo::ensure(&pool, &config, reset_passwords, Clock::default().now()).await?;
            print!(
                "{}",
                demo::describe(&logins, &format!("http://{}", config.server.listen))
            );
        }
        Command::Audit {
            command: AuditCommand::Verify { office },
        } => {
            return verify_audit(&pool, office.as_deref()).await;
        }
        Command::Jobs {
            command: JobsCommand::Run { today },
        } => {
            db::migrate(&pool).await?;
            jobs_round(&config, &pool, today).await?;
        }
        // answered in main, before any database is opened
        Command::Documents { .. } => bail!("the documents commands need no database"),
        Command::Calendar {
            command:
                CalendarCommand::Due {
                    from,
                    working_days,
                    office,
                },
        } => return due_date(&pool, office.unwrap_or_default(), from, working_days).await,
        Command::Scores {
            office,
            year,
            format,
        } => print_scores(&pool, &office, year, format).await?,
    }
    Ok(ExitCode::SUCCESS)
}

/// One round of the scheduled jobs, now (or as of `today`), unless another instance runs them.
async fn jobs_round(
    config: &Config,
    pool: &PgPool,
    today: Option<chrono::NaiveDate>,
) -> anyhow::Result<()> {
    let store = xiaoneng::evidence::Store::from_config(&config.evidence)?;
    let mailer =
        xiaoneng::inbox::mail::Mailer::from_config(&config.mail, &config.server.public_url)?;
    let jobs = xiaoneng::jobs::JobContext {
        pool,
        evidence: &store,
        retention_days: config.evidence.retention_days,
        mailer: mailer.as_ref(),
        clock: &Clock::default(),
        changes: &db::Changes::default(),
        sign_within_working_days: config.complaints.sign_within_working_days,
    };
    let round = xiaoneng::jobs::run_round(&jobs, today).await?;
    if round.ran {
        println!(
            "jobs done: {} deductions raised, {} evidence files purged, {} reminders, {} mails sent, {} complaint receipts recorded",
            round.deductions, round.purged, round.reminders, round.mailed, round.receipts
        );
    } else {
        println!("another instance is running the jobs; nothing done");
    }
    Ok(())
}

/// CAL-2: the due date `working_days` after `from` on the calendar of the office `code`.
async fn due_date(
    pool: &PgPool,
    code: String,
    from: chrono::NaiveDate,
    working_days: u32,
) -> anyhow::Result<ExitCode> {
    let Some(office) = db::offices::find_office_by_code(pool, &code).await? else {
        bail!("no office with code {code}");
    };
    let mut tx = db::begin_tenant(pool, office.id).await?;
    let calendar = xiaoneng::calendar::load(&mut tx).await?;
    tx.rollback().await?;
    Ok(print_due(calendar.add_working_days(from, working_days)))
}

/// CAL-2: the due date on stdout; CAL-1: a refused computation on stderr with exit 1.
fn print_due(due: Result<chrono::NaiveDate, xiaoneng::calendar::CalendarError>) -> ExitCode {
    match due {
        Ok(date) => {
            println!("{date}");
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("{error}");
            ExitCode::from(1)
        }
    }
}

fn describe_office_error(error: &registry::CreateOfficeError) -> anyhow::Error {
    match error {
        registry::CreateOfficeError::Invalid(key) => {
            anyhow::anyhow!("{}", xiaoneng::i18n::Lang::En.t(key))
        }
        other => anyhow::anyhow!("{other}"),
    }
}

async fn create_user(
    pool: &PgPool,
    office_code: &str,
    username: String,
    role: String,
    unit: Option<String>,
    name: Option<String>,
) -> anyhow::Result<()> {
    let Some(office) = db::offices::find_office_by_code(pool, office_code).await? else {
        bail!("no office with code {office_code}");
    };
    let piped = !std::io::stdin().is_terminal();
    let password = if piped {
        let mut text = String::new();
        std::io::stdin().read_to_string(&mut text)?;
        text.lines().next().unwrap_or("").to_string()
    } else {
        String::new()
    };
    let mut tx = db::begin_tenant(pool, office.id).await?;
    let unit_id = match unit {
        Some(code) => match registry::units::db::find_unit_by_code(&mut tx, &code).await? {
            Some(unit) => Some(unit.id),
            None => bail!("office {office_code} has no unit with code {code}"),
        },
        None => None,
    };
    let input = NewUserInput {
        display_name: name.unwrap_or_else(|| username.clone()),
        username,
        role,
        unit_id,
        password,
    };
    let actor = Actor::system("cli", Clock::default().now());
    // A generated password was seen by the operator, so its owner must replace it.
    let must_change = input.password.is_empty();
    let created = users::create_user(&mut tx, office.id, &actor, &input, must_change).await;
    let created = match created {
        Ok(created) => created,
        Err(users::CreateUserError::Invalid(errors)) => {
            let lines: Vec<String> = errors
                .iter()
                .map(|(field, key)| format!("  {field}: {}", xiaoneng::i18n::Lang::En.t(key)))
                .collect();
            bail!("the user was not created:\n{}", lines.join("\n"));
        }
        Err(other) => return Err(other.into()),
    };
    tx.commit().await?;
    println!("created user {} in office {office_code}", created.username);
    if let Some(password) = created.generated_password {
        println!("password (shown once; to be changed at first login): {password}");
    }
    Ok(())
}

/// `xiaoneng apikey ...`: creates (printing the key once), lists or revokes an office's keys, each
/// change recorded in the office's log with the command line as the actor.
async fn api_key_command(pool: &PgPool, command: ApikeyCommand) -> anyhow::Result<ExitCode> {
    let code = match &command {
        ApikeyCommand::Create { office, .. }
        | ApikeyCommand::List { office }
        | ApikeyCommand::Revoke { office, .. } => office.clone(),
    };
    let Some(office) = db::offices::find_office_by_code(pool, &code).await? else {
        bail!("no office with code {code}");
    };
    let mut tx = db::begin_tenant(pool, office.id).await?;
    let actor = Actor::system("cli", Clock::default().now());
    match command {
        ApikeyCommand::Create { name, .. } => {
            let created = match apikeys::create_key(&mut tx, office.id, &actor, None, &name).await {
                Err(apikeys::CreateKeyError::Invalid(key)) => {
                    bail!(
                        "the key was not created: {}",
                        xiaoneng::i18n::Lang::En.t(key)
                    )
                }
                other => other?,
            };
            tx.commit().await?;
            println!(
                "created API key {} ({}) for office {code}",
                created.issued.prefix, created.name
            );
            println!(
                "key (shown once; only its hash is kept): {}",
                created.issued.key
            );
        }
        ApikeyCommand::List { .. } => {
            let time = |t: Option<chrono::DateTime<chrono::Utc>>| {
                t.map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
                    .unwrap_or_else(|| "-".into())
            };
            println!("prefix\tname\tcreated\tlast used\trevoked");
            for key in apikeys::db::list_keys(&mut tx).await? {
                println!(
                    "{}\t{}\t{}\t{}\t{}",
                    key.prefix,
                    key.name,
                    time(Some(key.created_at)),
                    time(key.last_used_at),
                    time(key.revoked_at)
                );
            }
        }
        ApikeyCommand::Revoke { prefix, .. } => {
            let prefix = prefix.trim();
            if !apikeys::model::is_prefix(prefix) {
                bail!("{prefix} is not a key prefix (xn_ and 16 hex digits)");
            }
            let Some(key) = apikeys::db::find_by_prefix(&mut tx, prefix).await? else {
                bail!("office {code} has no API key {prefix}");
            };
            let revoked = apikeys::revoke_key(&mut tx, office.id, &actor, key.id, None).await?;
            if revoked != apikeys::Revoked::Now {
                println!("API key {prefix} was already revoked");
                return Ok(ExitCode::SUCCESS);
            }
            tx.commit().await?;
            println!("revoked API key {prefix} ({})", key.name);
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Prints every unit's score and rank of the office's year, from the same code as the pages.
async fn print_scores(
    pool: &PgPool,
    office: &str,
    year: i32,
    format: ScoresFormat,
) -> anyhow::Result<()> {
    let Some(found) = db::offices::find_office_by_code(pool, office).await? else {
        bail!("no office with code {office}");
    };
    let started = std::time::Instant::now();
    let mut tx = db::begin_tenant(pool, found.id).await?;
    let Some(assessed) = xiaoneng::registry::years::db::find_year(&mut tx, year).await? else {
        bail!("office {office} has no assessment year {year}");
    };
    let lines = xiaoneng::scoring::year_ranking(&mut tx, assessed.id).await?;
    tx.rollback().await?;
    let elapsed_ms = started.elapsed().as_secs_f64() * 1000.0;
    tracing::info!(units = lines.len(), elapsed_ms, "scores read and ranked");
    match format {
        ScoresFormat::Csv => {
            let mut out = csv::Writer::from_writer(std::io::stdout());
            out.write_record([
                "unit_code",
                "unit_name",
                "category",
                "score",
                "rank_in_category",
                "rank_overall",
                "excellence",
            ])?;
            for l in &lines {
                out.write_record([
                    l.code.clone(),
                    l.name.clone(),
                    l.category.clone(),
                    l.score.normalize().to_string(),
                    l.rank_in_category.to_string(),
                    l.rank_overall.to_string(),
                    l.excellence.as_str().to_string(),
                ])?;
            }
            out.flush()?;
        }
        ScoresFormat::Json => {
            let rows: Vec<serde_json::Value> = lines
                .iter()
                .map(|l| {
                    serde_json::json!({
                        "unit_code": l.code,
                        "unit_name": l.name,
                        "category": l.category,
                        "score": l.score.normalize().to_string(),
                        "rank_in_category": l.rank_in_category,
                        "rank_overall": l.rank_overall,
                        "excellence": l.excellence.as_str(),
                    })
                })
                .collect();
            println!("{}", serde_json::to_string_pretty(&rows)?);
        }
        ScoresFormat::Table => {
            match assessed.status.as_str() {
                "open" => println!("{office} {year}: provisional ranking (the year is still open)"),
                _ => println!("{office} {year}: ranking of the closed year"),
            }
            for l in &lines {
                println!(
                    "{:>4} {:>4}  {:<8} {:>7}  {}  {}  {}",
                    l.rank_overall,
                    l.rank_in_category,
                    l.code,
                    l.score.normalize().to_string(),
                    l.category,
                    l.name,
                    l.excellence.as_str()
                );
            }
        }
    }
    Ok(())
}

async fn verify_audit(pool: &PgPool, only: Option<&str>) -> anyhow::Result<ExitCode> {
    let offices = db::offices::list_offices(pool).await?;
    let offices: Vec<_> = offices
        .into_iter()
        .filter(|o| only.is_none_or(|c| o.code == c))
        .collect();
    if let Some(code) = only
        && offices.is_empty()
    {
        bail!("no office with code {code}");
    }
    let mut broken = false;
    for office in offices {
        let mut tx = db::begin_tenant(pool, office.id).await?;
        let report = xiaoneng::audit::verify_chain(&mut tx).await?;
        tx.rollback().await?;
        match report.first_break {
            None => println!("{}: {} links intact", office.code, report.checked),
            Some(link) => {
                broken = true;
                println!("{}: BROKEN at {link}", office.code);
            }
        }
    }
    Ok(if broken {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

async fn serve(
    config: Config,
    pool: PgPool,
    listen: Option<String>,
    embedded: bool,
) -> anyhow::Result<()> {
    db::migrate(&pool).await.context("migrating the database")?;
    xiaoneng::calendar::ensure_shipped_everywhere(&pool).await?;
    let listen = listen.unwrap_or_else(|| config.server.listen.clone());
    // Only the local, embedded setup gets the demo office on its own (DESIGN.md, running it): a
    // configured database is somebody's real one. There, `xiaoneng demo` creates it on request.
    let logins = if embedded && config.demo.create_on_empty {
        let empty = db::offices::count_offices(&pool).await? == 0;
        let demo_office = db::offices::find_office_by_code(&pool, demo::DEMO_CODE).await?;
        if empty || demo_office.is_some_and(|o| o.is_demo) {
            Some(demo::ensure(&pool, &config, false, Clock::default().now()).await?)
        } else {
            None
        }
    } else {
        None
    };

    let listener = TcpListener::bind(&listen)
        .await
        .with_context(|| format!("binding {listen}"))?;
    let grace = Duration::from_secs(config.server.shutdown_grace_secs);
    let state = AppState::new(pool.clone(), config)?;
    let app = xiaoneng::router(state.clone());

    let sweeper = tokio::spawn(sweep_sessions(pool.clone()));
    let jobs = tokio::spawn(run_jobs(state.clone()));
    if let Some(logins) = logins {
        print!("{}", demo::describe(&logins, &format!("http://{listen}")));
    }
    println!("xiaoneng is serving on http://{listen}  (Ctrl-C to stop)");

    let (stop_tx, mut stop_rx) = tokio::sync::watch::channel(false);
    let server = axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async move {
        shutdown_signal().await;
        tracing::info!("shutting down: finishing requests in flight");
        let _sent = stop_tx.send(true);
    });
    let deadline = async move {
        let _changed = stop_rx.changed().await;
        tokio::time::sleep(grace).await;
    };
    tokio::select! {
        result = server => result?,
        () = deadline => tracing::warn!("requests still running after the grace period; exiting"),
    }
    sweeper.abort();
    jobs.abort();
    Ok(())
}

async fn check_documents(
    config: &xiaoneng::config::Config,
    out: Option<&std::path::Path>,
    times: u32,
) -> ExitCode {
    let documents = std::sync::Arc::new(xiaoneng::documents::Documents::from_config(
        &config.documents,
    ));
    let mut millis = Vec::new();
    let mut pdf = Vec::new();
    for n in 0..times.max(1) {
        // each a different notice, typeset from scratch: the worst case
        let sample = xiaoneng::documents::sample(n);
        xiaoneng::documents::forget_memoized();
        let started = std::time::Instant::now();
        match documents.render(&sample).await {
            Ok(bytes) => pdf = bytes,
            Err(error) => {
                eprintln!("error: {error}");
                return ExitCode::from(1);
            }
        }
        millis.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    if let Some(out) = out
        && let Err(error) = std::fs::write(out, &pdf)
    {
        eprintln!("error: cannot write {}: {error}", out.display());
        return ExitCode::from(2);
    }
    let first = millis[0];
    let mut rest: Vec<f64> = millis[1..].to_vec();
    rest.sort_by(f64::total_cmp);
    match rest.get(rest.len() / 2) {
        Some(median) => println!(
            "typeset a sample notice ({} bytes): the first in {first:.0} ms (reading the fonts), then each of {} more, from scratch, in a median of {median:.0} ms",
            pdf.len(),
            rest.len()
        ),
        None => println!(
            "typeset a sample notice ({} bytes) in {first:.0} ms (reading the fonts)",
            pdf.len()
        ),
    }
    ExitCode::SUCCESS
}

/// Runs the scheduled jobs every hour (one instance at a time, by advisory lock).
async fn run_jobs(state: AppState) {
    let mut every = tokio::time::interval(Duration::from_secs(3600));
    let mailer = match xiaoneng::inbox::mail::Mailer::from_config(
        &state.config.mail,
        &state.config.server.public_url,
    ) {
        Ok(mailer) => mailer,
        Err(error) => {
            tracing::error!(%error, "mail is configured wrongly; notifications stay in the inbox only");
            None
        }
    };
    let jobs = xiaoneng::jobs::JobContext {
        pool: &state.db,
        evidence: &state.evidence,
        retention_days: state.config.evidence.retention_days,
        mailer: mailer.as_ref(),
        clock: &state.clock,
        changes: &state.changes,
        sign_within_working_days: state.config.complaints.sign_within_working_days,
    };
    loop {
        every.tick().await;
        match xiaoneng::jobs::run_round(&jobs, None).await {
            Ok(round)
                if round.deductions > 0
                    || round.purged > 0
                    || round.reminders > 0
                    || round.mailed > 0
                    || round.receipts > 0 =>
            {
                tracing::info!(
                    deductions = round.deductions,
                    purged = round.purged,
                    reminders = round.reminders,
                    mailed = round.mailed,
                    receipts = round.receipts,
                    "jobs done"
                )
            }
            Ok(_) => {}
            Err(error) => tracing::warn!(error = %error, "scheduled jobs failed"),
        }
    }
}

/// Deletes expired sessions every ten minutes.
async fn sweep_sessions(pool: PgPool) {
    let mut every = tokio::time::interval(Duration::from_secs(600));
    loop {
        every.tick().await;
        match xiaoneng::auth::db::delete_expired_sessions(&pool).await {
            Ok(n) if n > 0 => tracing::info!(deleted = n, "expired sessions removed"),
            Ok(_) => {}
            Err(error) => tracing::warn!(%error, "could not remove expired sessions"),
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
