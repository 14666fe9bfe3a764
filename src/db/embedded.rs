//! The embedded local cluster: when no database URL is configured, xiaoneng runs PostgreSQL itself
//! from the system's server binaries, in its own data folder (`var/pg` by default), listening only
//! on a Unix socket in that folder. As root it runs the server as the `postgres` user (PostgreSQL
//! refuses to run as root). The cluster is stopped on exit by whoever started it.

use std::fs;
use std::os::unix::fs::{DirBuilderExt, MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context, bail};
use sqlx::postgres::PgConnectOptions;

/// The database the application uses inside the embedded cluster.
pub const DATABASE: &str = "xiaoneng";
const PORT: u16 = 5432;
/// Unix socket paths longer than this are refused by the kernel (108 bytes with the file name).
const MAX_SOCKET_DIR_LEN: usize = 90;

#[derive(Debug)]
pub struct EmbeddedCluster {
    dir: PathBuf,
    bin: PathBuf,
    as_postgres_user: bool,
    started_here: bool,
}

impl EmbeddedCluster {
    /// Finds (or, as root with apt-get, installs) the server binaries, creates the cluster on first
    /// use and starts it unless it is running already.
    pub fn ensure(dir: &Path) -> anyhow::Result<Self> {
        let bin = find_server_binaries()?;
        let as_postgres_user = running_as_root();
        let dir = usable_dir(dir, as_postgres_user)?;
        let mut cluster = Self {
            dir,
            bin,
            as_postgres_user,
            started_here: false,
        };
        if !cluster.data_dir().join("PG_VERSION").exists() {
            cluster.init()?;
        }
        if !cluster.is_running() {
            cluster.start()?;
        }
        Ok(cluster)
    }

    /// The folder that holds the data folder, the log and the socket.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn data_dir(&self) -> PathBuf {
        self.dir.join("data")
    }

    /// Options to connect to `database` over the cluster's socket as `postgres`.
    pub fn connect_options(&self, database: &str) -> PgConnectOptions {
        PgConnectOptions::new()
            .socket(&self.dir)
            .port(PORT)
            .username("postgres")
            .database(database)
            .application_name("xiaoneng")
    }

    /// A URL for the same connection, for tools such as psql (`psql "$URL"`).
    pub fn url(&self, database: &str) -> String {
        format!(
            "postgres://postgres@localhost:{PORT}/{database}?host={}",
            self.dir.display()
        )
    }

    /// Whether this process started the server (and so should stop it).
    pub fn started_here(&self) -> bool {
        self.started_here
    }

    fn command(&self, program: &str) -> Command {
        let path = self.bin.join(program);
        if self.as_postgres_user {
            let mut command = Command::new("runuser");
            command.arg("-u").arg("postgres").arg("--").arg(path);
            command
        } else {
            Command::new(path)
        }
    }

    fn init(&self) -> anyhow::Result<()> {
        println!(
            "Creating the embedded PostgreSQL cluster in {}",
            self.dir.display()
        );
        run(self.command("initdb").arg("-D").arg(self.data_dir()).args([
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
        ]))
        .context("initdb failed")?;
        // Trust authentication is safe only because nobody else can reach the socket: no TCP,
        // a socket only its owner may use, in a folder only its owner may enter.
        let settings = format!(
            "\n# xiaoneng embedded cluster: socket only, owner only, in its own folder\n\
             listen_addresses = ''\nunix_socket_directories = '{}'\n\
             unix_socket_permissions = 0700\nport = {PORT}\n",
            self.dir.display()
        );
        let conf = self.data_dir().join("postgresql.conf");
        let mut text = fs::read_to_string(&conf).context("reading postgresql.conf")?;
        text.push_str(&settings);
        fs::write(&conf, text).context("writing postgresql.conf")?;
        Ok(())
    }

    fn is_running(&self) -> bool {
        self.command("pg_ctl")
            .arg("-D")
            .arg(self.data_dir())
            .arg("status")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    }

    fn start(&mut self) -> anyhow::Result<()> {
        let log = self.dir.join("postgres.log");
        let result = run(self
            .command("pg_ctl")
            .arg("-D")
            .arg(self.data_dir())
            .arg("-l")
            .arg(&log)
            .args(["-w", "-t", "60", "start"]));
        match result {
            Ok(()) => {
                self.started_here = true;
                Ok(())
            }
            // Another process (a parallel test binary) may have started it a moment ago.
            Err(_) if self.is_running() => Ok(()),
            Err(error) => Err(error).with_context(|| {
                format!("could not start PostgreSQL; its log is {}", log.display())
            }),
        }
    }

    /// Stops the server with a fast shutdown (open transactions are rolled back).
    pub fn stop(&self) -> anyhow::Result<()> {
        run(self
            .command("pg_ctl")
            .arg("-D")
            .arg(self.data_dir())
            .args(["-m", "fast", "-w", "stop"]))
    }
}

fn run(command: &mut Command) -> anyhow::Result<()> {
    let output = command
        .stdin(Stdio::null())
        .output()
        .context("could not run the command")?;
    if output.status.success() {
        Ok(())
    } else {
        bail!(
            "{} exited with {}: {}",
            command.get_program().to_string_lossy(),
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        )
    }
}

fn running_as_root() -> bool {
    fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0)
}

/// The folder with `initdb`, `pg_ctl` and `postgres`: the newest of Debian's
/// `/usr/lib/postgresql/<version>/bin`, else `pg_config --bindir`, else the PATH.
fn find_server_binaries() -> anyhow::Result<PathBuf> {
    if let Some(bin) = locate_server_binaries() {
        return Ok(bin);
    }
    eprintln!("PostgreSQL's server binaries (initdb, pg_ctl, postgres) were not found.");
    if running_as_root() && Path::new("/usr/bin/apt-get").exists() {
        eprintln!("Installing Debian's `postgresql` package with apt-get; this takes a minute...");
        run(Command::new("apt-get").args(["update", "-qq"])).context("apt-get update failed")?;
        run(Command::new("apt-get")
            .args(["install", "-y", "-qq", "postgresql"])
            .env("DEBIAN_FRONTEND", "noninteractive"))
        .context("apt-get install postgresql failed")?;
        if let Some(bin) = locate_server_binaries() {
            return Ok(bin);
        }
    }
    bail!(
        "PostgreSQL's server binaries are missing. Install them with:\n\n    \
         sudo apt-get install postgresql\n\nor set DATABASE_URL to an existing database."
    )
}

fn locate_server_binaries() -> Option<PathBuf> {
    let mut debian: Vec<(u32, PathBuf)> = fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let version = entry.file_name().to_str()?.parse::<u32>().ok()?;
            let bin = entry.path().join("bin");
            bin.join("initdb").exists().then_some((version, bin))
        })
        .collect();
    debian.sort();
    if let Some((_, bin)) = debian.pop() {
        return Some(bin);
    }
    let from_pg_config = Command::new("pg_config")
        .arg("--bindir")
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()));
    let from_path = std::env::var_os("PATH")
        .map(|paths| std::env::split_paths(&paths).collect::<Vec<_>>())
        .unwrap_or_default();
    from_pg_config
        .into_iter()
        .chain(from_path)
        .find(|dir| dir.join("initdb").exists() && dir.join("pg_ctl").exists())
}

/// The cluster folder as an absolute path the server can use: owned by `postgres` when we run as
/// root, and short enough for a Unix socket. When the project folder cannot serve (a parent the
/// `postgres` user cannot enter, such as /root, or too long a path), a folder under /var/tmp named
/// after the project's path is used instead, and we say so.
fn usable_dir(dir: &Path, as_postgres_user: bool) -> anyhow::Result<PathBuf> {
    fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    fs::set_permissions(dir, fs::Permissions::from_mode(0o700))?;
    let dir = fs::canonicalize(dir)?;
    let fits = dir.as_os_str().len() <= MAX_SOCKET_DIR_LEN;
    if fits && (!as_postgres_user || postgres_can_use(&dir)?) {
        return Ok(dir);
    }
    let digest = sha2_hex(dir.to_string_lossy().as_bytes());
    let fallback = PathBuf::from(format!("/var/tmp/xiaoneng-pg-{}", &digest[..12]));
    eprintln!(
        "The embedded cluster cannot live in {} ({}); using {} instead.",
        dir.display(),
        if fits {
            "the postgres user cannot enter it"
        } else {
            "the path is too long for a socket"
        },
        fallback.display()
    );
    private_dir(&fallback)?;
    if as_postgres_user && !postgres_can_use(&fallback)? {
        bail!("the postgres user cannot use {}", fallback.display());
    }
    Ok(fallback)
}

/// Creates `dir` readable by its owner only, or accepts it when it exists as a real folder owned
/// by us or by `postgres` (never a link, never someone else's: /var/tmp is shared).
fn private_dir(dir: &Path) -> anyhow::Result<()> {
    match fs::symlink_metadata(dir) {
        Ok(meta) => {
            let me = fs::metadata("/proc/self")?.uid();
            let owners = [Some(me), postgres_uid()];
            if !meta.is_dir() || !owners.contains(&Some(meta.uid())) {
                bail!(
                    "{} exists but is not a folder of ours; remove it or set database.embedded_dir",
                    dir.display()
                );
            }
            Ok(())
        }
        Err(_) => fs::DirBuilder::new()
            .mode(0o700)
            .create(dir)
            .with_context(|| format!("creating {}", dir.display())),
    }
}

fn postgres_uid() -> Option<u32> {
    let out = Command::new("id").args(["-u", "postgres"]).output().ok()?;
    String::from_utf8_lossy(&out.stdout).trim().parse().ok()
}

fn postgres_can_use(dir: &Path) -> anyhow::Result<bool> {
    // Only the folder itself: initdb creates everything inside as `postgres` already.
    run(Command::new("chown").arg("postgres:postgres").arg(dir))
        .context("giving the cluster folder to the postgres user")?;
    Ok(Command::new("runuser")
        .args(["-u", "postgres", "--", "test", "-w"])
        .arg(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success()))
}

fn sha2_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

/// Creates `name` in the cluster unless it exists (CREATE DATABASE cannot run in a transaction).
pub async fn create_database_if_missing(
    admin: &sqlx::PgPool,
    name: &str,
) -> Result<(), sqlx::Error> {
    let exists = sqlx::query_scalar!(
        r#"select exists(select 1 from pg_database where datname = $1) as "e!""#,
        name
    )
    .fetch_one(admin)
    .await?;
    if !exists {
        // A database name cannot be a bind parameter; `name` is our own constant, quoted anyway.
        let statement = format!("create database \"{}\"", name.replace('"', "\"\""));
        match sqlx::raw_sql(&statement).execute(admin).await {
            Ok(_) => {}
            // A parallel process created it in the meantime.
            Err(sqlx::Error::Database(e)) if e.code().as_deref() == Some("42P04") => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}
