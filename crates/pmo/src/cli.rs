//! The `pmo` command line. `main.rs` only parses and calls `run`.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use futures::TryStreamExt;
use sqlx::{Column, Either, Row};

use crate::cache::Invalidation;
use crate::config::{Config, ConfigSources};
use crate::db::{self, Database, Keep};
use crate::http::openapi::document_json;
use crate::http::router::openapi_document;
use crate::server::{self, ServeOptions};
use crate::{seed, telemetry, tenancy};

#[derive(Debug, Parser)]
#[command(
    name = "pmo",
    version,
    about = "PMO Enterprise Platform: API, web app and jobs in one binary"
)]
pub struct Cli {
    /// TOML configuration file (also PMO_CONFIG). Environment variables override it.
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the API and web app until Ctrl-C or SIGTERM.
    Serve(ServeArgs),
    /// Apply pending database migrations.
    Migrate,
    /// Load data into the database.
    Seed(SeedArgs),
    /// Manage tenants.
    #[command(subcommand)]
    Tenant(TenantCommand),
    /// Manage the employees who sign in.
    #[command(subcommand)]
    User(UserCommand),
    /// Benchmark: generate a large tenant, or measure a running server against it.
    #[command(subcommand)]
    Bench(BenchCommand),
    /// Print the OpenAPI document, or check a committed copy for drift.
    Openapi(OpenapiArgs),
    /// Run SQL against the configured database.
    #[command(subcommand)]
    Db(DbCommand),
    /// Object storage maintenance.
    #[command(subcommand)]
    Storage(StorageCommand),
    /// The background job queue: list jobs, run a dead one again.
    #[command(subcommand)]
    Jobs(crate::jobs::commands::JobsCommand),
    /// Encrypted database backups in object storage: create, list, restore, prune.
    #[command(subcommand)]
    Backup(crate::jobs::commands::BackupCommand),
    /// Show (and follow) the server's log files (needs log.file).
    Logs(crate::jobs::commands::LogsArgs),
}

#[derive(Debug, Subcommand)]
pub enum StorageCommand {
    /// Run the retention job once: delete the objects (and rows) of abandoned uploads and the
    /// objects of files deleted longer ago than storage.deleted_retention_secs; print what went.
    Purge,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Development mode: apply migrations before serving.
    #[arg(long)]
    pub dev: bool,
    /// Load the demo tenant before serving (idempotent).
    #[arg(long)]
    pub seed_demo: bool,
}

#[derive(Debug, Args)]
pub struct SeedArgs {
    /// Create or refresh the demo tenant `demo` (Huron Home Services).
    #[arg(long)]
    pub demo: bool,
}

#[derive(Debug, Subcommand)]
pub enum TenantCommand {
    /// Create a tenant with its datalabel defaults and a first administrator.
    Create {
        /// Tenant id: lowercase letters, digits and '-'.
        slug: String,
        /// Display name, e.g. "Huron Home Services".
        #[arg(long)]
        name: String,
        #[arg(long, value_name = "EMAIL")]
        admin_email: String,
        /// Initial password; a random one is generated and printed when omitted.
        #[arg(long, value_name = "PASSWORD")]
        admin_password: Option<String>,
        #[arg(long, default_value = "Tenant")]
        admin_first_name: String,
        #[arg(long, default_value = "Administrator")]
        admin_last_name: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create an employee who can sign in.
    Create {
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        email: String,
        #[arg(long)]
        first_name: String,
        #[arg(long)]
        last_name: String,
        /// Initial password; a random one is generated and printed when omitted.
        #[arg(long)]
        password: Option<String>,
        /// Make the employee a tenant administrator (holds every permission).
        #[arg(long)]
        admin: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Build a large tenant (default 1M tasks) in one transaction, deterministically.
    Generate {
        #[arg(long, default_value = "bench")]
        tenant: String,
        #[arg(long, default_value_t = 1_000_000)]
        tasks: i64,
        #[arg(long, default_value_t = 10_000)]
        projects: i64,
        #[arg(long, default_value_t = 5_000)]
        employees: i64,
        #[arg(long, default_value_t = 2_000)]
        clients: i64,
        #[arg(long, default_value_t = 100_000)]
        artifacts: i64,
        #[arg(long, default_value_t = 100_000)]
        grants: i64,
        /// Seed of the random choices (between -1 and 1): same seed, same tenant.
        #[arg(long, default_value_t = 0.42, allow_negative_numbers = true)]
        seed: f64,
        /// Password of every generated account.
        #[arg(long, default_value = "bench-password")]
        password: String,
        /// Replace an existing tenant of that name.
        #[arg(long)]
        force: bool,
    },
    /// Measure the hot endpoints of a running server as the benchmark's non-admin user.
    Run {
        /// The server, e.g. http://127.0.0.1:4000
        #[arg(long, default_value = "http://127.0.0.1:4000")]
        url: String,
        #[arg(long, default_value = "bench")]
        tenant: String,
        #[arg(long, default_value = "bench-password")]
        password: String,
        /// Seconds per measurement.
        #[arg(long, default_value_t = 10)]
        seconds: u64,
        /// Closed-loop concurrency levels.
        #[arg(long, value_delimiter = ',', default_value = "1,16,64")]
        concurrency: Vec<usize>,
        /// Offered rate of the open-loop run (req/s); 0 skips it.
        #[arg(long, default_value_t = 1000)]
        rate: u32,
        /// Only endpoints whose name contains this text.
        #[arg(long)]
        only: Option<String>,
        /// Also write the results as a Markdown table to this file.
        #[arg(long)]
        markdown: Option<PathBuf>,
    },
}

#[derive(Debug, Args)]
pub struct OpenapiArgs {
    /// Write the document to this file instead of standard output.
    #[arg(long, value_name = "FILE", conflicts_with = "check")]
    pub output: Option<PathBuf>,
    /// Compare with this file and fail when they differ.
    #[arg(long, value_name = "FILE")]
    pub check: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum DbCommand {
    /// Run SQL and print the rows (read-only unless --write).
    Query {
        /// One or more SQL statements.
        sql: String,
        /// Allow statements that change data or schema.
        #[arg(long)]
        write: bool,
        /// Print rows as JSON lines instead of a table.
        #[arg(long)]
        json: bool,
    },
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    // `openapi` needs no configuration or database.
    if let Command::Openapi(args) = &cli.command {
        return openapi(args);
    }
    let config = Config::load(&ConfigSources::from_process(cli.config.as_deref()))?;
    let quiet = !matches!(cli.command, Command::Serve(_));
    let _log_guard = telemetry::init(&config, quiet)?;

    match cli.command {
        Command::Serve(args) => {
            server::serve(
                config,
                ServeOptions {
                    migrate: args.dev || args.seed_demo,
                    seed_demo: args.seed_demo,
                },
            )
            .await
        }
        Command::Migrate => {
            with_database(&config, Keep::OnDemand, |db| async move {
                let applied = db::migrate(&db.pool).await?;
                println!("{applied} migration(s) applied; the schema is up to date");
                Ok(())
            })
            .await
        }
        Command::Seed(args) => {
            if !args.demo {
                anyhow::bail!("nothing to seed: pass --demo to create the demo tenant");
            }
            let seed_config = config.clone();
            with_database(&config, Keep::OnDemand, |db| async move {
                db::migrate(&db.pool).await?;
                let report = seed::seed_demo(&db.pool, &seed_config).await?;
                println!(
                    "Demo tenant `{}` ready: {} employees, {} clients, {} projects, {} tasks, {} links, {} registry entries",
                    seed::DEMO_TENANT, report.employees, report.clients, report.projects, report.tasks, report.links, report.registry
                );
                println!("{}", seed::demo_login(&seed_config));
                Ok(())
            })
            .await
        }
        Command::Tenant(TenantCommand::Create {
            slug,
            name,
            admin_email,
            admin_password,
            admin_first_name,
            admin_last_name,
        }) => {
            let (password, generated) = password_or_generated(admin_password);
            with_database(&config, Keep::OnDemand, |db| async move {
                let admin = tenancy::create_tenant(
                    &db.pool,
                    tenancy::NewTenant {
                        slug: slug.clone(),
                        name,
                        admin: tenancy::NewEmployee {
                            email: admin_email,
                            first_name: admin_first_name,
                            last_name: admin_last_name,
                            password: password.clone(),
                            tenant_admin: true,
                        },
                    },
                )
                .await?;
                println!(
                    "Tenant `{slug}` created; administrator {} ({})",
                    admin.email, admin.id
                );
                if generated {
                    println!(
                        "Initial password: {password}  (shown once; change it after signing in)"
                    );
                }
                Ok(())
            })
            .await
        }
        Command::User(UserCommand::Create {
            tenant,
            email,
            first_name,
            last_name,
            password,
            admin,
        }) => {
            let (password, generated) = password_or_generated(password);
            with_database(&config, Keep::OnDemand, |db| async move {
                let created = tenancy::create_employee(
                    &db.pool,
                    &tenant,
                    tenancy::NewEmployee {
                        email,
                        first_name,
                        last_name,
                        password: password.clone(),
                        tenant_admin: admin,
                    },
                )
                .await?;
                println!(
                    "Employee {} created in tenant `{tenant}` ({})",
                    created.email, created.id
                );
                if generated {
                    println!(
                        "Initial password: {password}  (shown once; change it after signing in)"
                    );
                }
                Ok(())
            })
            .await
        }
        Command::Db(DbCommand::Query { sql, write, json }) => {
            with_database(&config, Keep::OnDemand, |db| async move {
                db_query(&db, &sql, write, json).await
            })
            .await
        }
        Command::Storage(StorageCommand::Purge) => {
            let storage = crate::storage::Storage::from_config(&config)?;
            let settings = config.storage.clone();
            with_database(&config, Keep::OnDemand, |db| async move {
                let report = crate::artifact::purge(&db.pool, &storage, &settings).await?;
                for item in report
                    .abandoned_uploads
                    .iter()
                    .map(|i| ("abandoned upload", i))
                    .chain(report.deleted_files.iter().map(|i| ("deleted file", i)))
                {
                    println!(
                        "removed {}: tenant {} artifact {} ({}) {}",
                        item.0,
                        item.1.tenant_id,
                        item.1.artifact_id,
                        item.1.upload_status,
                        item.1.storage_key
                    );
                }
                println!(
                    "Purged {} abandoned upload(s) and {} deleted file(s) from {} storage",
                    report.abandoned_uploads.len(),
                    report.deleted_files.len(),
                    storage.backend_name()
                );
                if !report.failures.is_empty() {
                    anyhow::bail!(
                        "{} item(s) could not be purged (tried again next run): {}",
                        report.failures.len(),
                        report.failures.join("; ")
                    );
                }
                Ok(())
            })
            .await
        }
        Command::Bench(command) => {
            // A run's direct-SQL floor loads the database as a server does, on connections
            // opened beforehand as a server's are.
            let keep = match command {
                BenchCommand::Run { .. } => Keep::Configured,
                _ => Keep::OnDemand,
            };
            with_database(&config, keep, |db| async move { bench(&db, command).await }).await
        }
        Command::Jobs(command) => crate::jobs::commands::jobs(&config, command).await,
        Command::Backup(command) => crate::jobs::commands::backup(&config, command).await,
        Command::Logs(args) => crate::jobs::commands::logs(&config, &args),
        Command::Openapi(_) => Ok(()),
    }
}

/// Opens the database, runs `work`, and always closes it (stopping the managed cluster when this
/// was its last user), whatever `work` returned.
async fn with_database<F, Fut>(config: &Config, keep: Keep, work: F) -> anyhow::Result<()>
where
    F: FnOnce(std::sync::Arc<Database>) -> Fut,
    Fut: Future<Output = anyhow::Result<()>>,
{
    let database = std::sync::Arc::new(Database::open(config, keep).await?);
    let outcome = work(database.clone()).await;
    match std::sync::Arc::try_unwrap(database) {
        Ok(database) => database.close().await,
        Err(_) => tracing::warn!("database handle still shared at exit"),
    }
    outcome
}

async fn bench(db: &Database, command: BenchCommand) -> anyhow::Result<()> {
    match command {
        BenchCommand::Generate {
            tenant,
            tasks,
            projects,
            employees,
            clients,
            artifacts,
            grants,
            seed,
            password,
            force,
        } => {
            if !(-1.0..=1.0).contains(&seed) {
                anyhow::bail!("--seed must be between -1 and 1");
            }
            if [tasks, projects, employees, clients, artifacts, grants]
                .iter()
                .any(|n| *n < 1)
                || projects > tasks
            {
                anyhow::bail!("sizes must be at least 1, and --projects at most --tasks");
            }
            let sizes = crate::bench::generate::Sizes {
                tasks,
                projects,
                employees,
                clients,
                artifacts,
                grants,
            };
            let options = crate::bench::generate::GenerateOptions {
                tenant,
                sizes,
                seed,
                force,
                password,
            };
            crate::bench::generate::generate(&db.pool, &options).await
        }
        BenchCommand::Run {
            url,
            tenant,
            password,
            seconds,
            concurrency,
            rate,
            only,
            markdown,
        } => {
            if seconds == 0
                || concurrency.is_empty()
                || concurrency.iter().any(|c| *c == 0 || *c > 1024)
            {
                anyhow::bail!(
                    "--seconds must be positive and --concurrency values between 1 and 1024"
                );
            }
            let options = crate::bench::run::RunOptions {
                url: url.trim_end_matches('/').to_owned(),
                tenant,
                password,
                duration: std::time::Duration::from_secs(seconds),
                concurrency,
                rate,
                only,
            };
            let results = crate::bench::run::run(&db.pool, &db.cached_plans, &options).await?;
            let table = crate::bench::run::markdown(&results);
            println!("{table}");
            if let Some(path) = markdown {
                std::fs::write(&path, table)
                    .with_context(|| format!("cannot write {}", path.display()))?;
            }
            let refused: u64 = results.iter().map(|m| m.refused).sum();
            if refused > 0 {
                eprintln!(
                    "{refused} request(s) were refused with 503: more was offered than the server serves at once (http.max_in_flight)"
                );
            }
            let errors: u64 = results.iter().map(|m| m.errors).sum();
            if errors > 0 {
                anyhow::bail!("{errors} request(s) failed during the run");
            }
            Ok(())
        }
    }
}

fn password_or_generated(given: Option<String>) -> (String, bool) {
    match given {
        Some(password) => (password, false),
        None => {
            use rand::distr::{Alphanumeric, SampleString};
            (Alphanumeric.sample_string(&mut rand::rng(), 20), true)
        }
    }
}

fn openapi(args: &OpenapiArgs) -> anyhow::Result<()> {
    let json = document_json(&openapi_document())?;
    if let Some(path) = &args.check {
        let committed = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        if committed != json {
            anyhow::bail!(
                "{} is out of date with the code; regenerate it with `pmo openapi --output {}`",
                path.display(),
                path.display()
            );
        }
        println!("{} matches the code", path.display());
        return Ok(());
    }
    match &args.output {
        Some(path) => {
            std::fs::write(path, json).with_context(|| format!("cannot write {}", path.display()))
        }
        None => std::io::stdout()
            .write_all(json.as_bytes())
            .context("cannot write to standard output"),
    }
}

/// The seed's `run_query` tool. Uses the simple query protocol, so every value arrives as text and
/// any statement (or several) can run; read-only unless `--write`.
async fn db_query(db: &Database, sql: &str, write: bool, json: bool) -> anyhow::Result<()> {
    let mut conn = db.pool.acquire().await?;
    let mode = if write { "off" } else { "on" };
    sqlx::query("SELECT set_config('default_transaction_read_only', $1, false)")
        .bind(mode)
        .execute(&mut *conn)
        .await?;
    let mut stream = sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_owned())).fetch_many(&mut *conn);
    let mut table = TextTable::default();
    let mut out = std::io::stdout().lock();
    while let Some(item) = stream.try_next().await.map_err(describe_sql_error)? {
        match item {
            Either::Left(result) => {
                table.flush(&mut out)?;
                if table.printed_rows.take().is_none() {
                    writeln!(out, "OK, {} row(s) affected", result.rows_affected())?;
                }
            }
            Either::Right(row) => {
                let names: Vec<String> =
                    row.columns().iter().map(|c| c.name().to_owned()).collect();
                let values: Vec<Option<String>> = (0..row.len())
                    .map(|i| {
                        row.try_get_raw(i).ok().and_then(|v| {
                            if sqlx::ValueRef::is_null(&v) {
                                None
                            } else {
                                v.as_str().ok().map(str::to_owned)
                            }
                        })
                    })
                    .collect();
                if json {
                    let object: serde_json::Map<String, serde_json::Value> = names
                        .into_iter()
                        .zip(values)
                        .map(|(k, v)| {
                            (
                                k,
                                v.map_or(serde_json::Value::Null, serde_json::Value::String),
                            )
                        })
                        .collect();
                    writeln!(out, "{}", serde_json::Value::Object(object))?;
                    table.printed_rows = Some(());
                } else {
                    table.push(names, values);
                }
            }
        }
    }
    table.flush(&mut out)?;
    drop(stream);
    if write {
        // Raw SQL may have changed grants, links, sessions, employees or datalabels behind the
        // servers' backs: every running instance forgets what it derived from them.
        for namespace in [
            crate::cache::PERMISSIONS,
            crate::cache::SESSIONS,
            crate::cache::DATALABELS,
        ] {
            crate::cache::notify(&mut *conn, &Invalidation::namespace(namespace, None)).await?;
        }
    }
    Ok(())
}

fn describe_sql_error(err: sqlx::Error) -> anyhow::Error {
    match err.as_database_error() {
        Some(db_err) if db_err.code().as_deref() == Some("25006") => {
            anyhow::anyhow!("{db_err} — the query ran read-only; pass --write to change data")
        }
        Some(db_err) => anyhow::anyhow!("{db_err}"),
        None => anyhow::Error::new(err),
    }
}

/// Rows of one result set, printed as an aligned table like psql's.
#[derive(Default)]
struct TextTable {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
    /// Set once a result set with rows was printed, so its command tag is not repeated.
    printed_rows: Option<()>,
}

impl TextTable {
    fn push(&mut self, names: Vec<String>, values: Vec<Option<String>>) {
        if self.header.is_empty() {
            self.header = names;
        }
        self.rows.push(
            values
                .into_iter()
                .map(|v| v.unwrap_or_else(|| "NULL".to_owned()))
                .collect(),
        );
    }

    fn flush(&mut self, out: &mut impl Write) -> std::io::Result<()> {
        if self.header.is_empty() {
            return Ok(());
        }
        let mut widths: Vec<usize> = self.header.iter().map(|h| h.chars().count()).collect();
        for row in &self.rows {
            for (width, cell) in widths.iter_mut().zip(row) {
                *width = (*width).max(cell.chars().count());
            }
        }
        let line = |cells: &[String]| {
            cells
                .iter()
                .zip(&widths)
                .map(|(c, w)| format!("{c:<w$}"))
                .collect::<Vec<_>>()
                .join(" | ")
        };
        writeln!(out, "{}", line(&self.header).trim_end())?;
        writeln!(
            out,
            "{}",
            widths
                .iter()
                .map(|w| "-".repeat(*w))
                .collect::<Vec<_>>()
                .join("-+-")
        )?;
        for row in &self.rows {
            writeln!(out, "{}", line(row).trim_end())?;
        }
        writeln!(
            out,
            "({} row{})",
            self.rows.len(),
            if self.rows.len() == 1 { "" } else { "s" }
        )?;
        self.header.clear();
        self.rows.clear();
        self.printed_rows = Some(());
        Ok(())
    }
}
