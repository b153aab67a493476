//! The operator commands of the platform services: `pmo jobs`, `pmo backup` and `pmo logs`.
//! `cli.rs` parses; these run.

use std::io::{BufRead, Seek, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::{Args, Subcommand};

use crate::config::Config;
use crate::db::{Database, Keep};
use crate::jobs::backup::{self, BackupError, Progress, RestoreOptions};
use crate::jobs::queue::{self, JobFilter};
use crate::storage::Storage;

#[derive(Debug, Subcommand)]
pub enum JobsCommand {
    /// List jobs, newest first.
    List {
        /// Only jobs in this state: queued, running, done or dead.
        #[arg(long)]
        status: Option<String>,
        /// Only jobs of this kind, e.g. backup.create.
        #[arg(long)]
        kind: Option<String>,
        #[arg(long, default_value_t = 50)]
        limit: i64,
        /// JSON lines instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Run a dead job again (fresh attempts), or a job waiting out its backoff now.
    Retry { id: i64 },
}

#[derive(Debug, Subcommand)]
pub enum BackupCommand {
    /// Dump, compress, encrypt and upload the database (backups/db/ in object storage).
    Create,
    /// List complete backups, newest first.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Restore a backup (an id from `list`, or `latest`) into a database.
    Restore {
        id: String,
        /// Target: a database name on the configured server (created when missing) or a
        /// postgres:// URL.
        #[arg(long, value_name = "DATABASE")]
        into: String,
        /// Afterwards compare every table's row count and checksum with the backup's manifest.
        #[arg(long)]
        verify: bool,
        /// Replace everything in a non-empty target database.
        #[arg(long)]
        force: bool,
    },
    /// Delete backups older than N days (the newest one is always kept).
    Prune {
        /// Default: backup.keep_days (30).
        #[arg(long, value_name = "N")]
        keep_days: Option<u32>,
    },
}

#[derive(Debug, Args)]
pub struct LogsArgs {
    /// How many of the last lines to show.
    #[arg(short = 'n', long, default_value_t = 100)]
    pub lines: usize,
    /// Keep printing new lines as they are written (like `tail -f`), across daily rotation.
    #[arg(short, long)]
    pub follow: bool,
    /// Print the JSON lines as stored instead of one readable line each.
    #[arg(long)]
    pub json: bool,
    /// Only lines whose level is this or more severe (error, warn, info, debug, trace).
    #[arg(long)]
    pub level: Option<String>,
    /// Only lines of one request (its x-request-id).
    #[arg(long)]
    pub request_id: Option<String>,
}

async fn with_db<T>(
    config: &Config,
    work: impl AsyncFnOnce(&Database) -> anyhow::Result<T>,
) -> anyhow::Result<T> {
    let database = Database::open(config, Keep::OnDemand).await?;
    let outcome = work(&database).await;
    database.close().await;
    outcome
}

pub async fn jobs(config: &Config, command: JobsCommand) -> anyhow::Result<()> {
    with_db(config, async |db| match command {
        JobsCommand::List {
            status,
            kind,
            limit,
            json,
        } => {
            if let Some(status) = &status
                && !["queued", "running", "done", "dead"].contains(&status.as_str())
            {
                anyhow::bail!("--status must be queued, running, done or dead");
            }
            let rows = queue::list(
                &db.pool,
                &JobFilter {
                    status,
                    kind,
                    limit,
                },
            )
            .await?;
            let mut out = std::io::stdout().lock();
            if json {
                for row in &rows {
                    writeln!(out, "{}", serde_json::to_string(row)?)?;
                }
                return Ok(());
            }
            writeln!(
                out,
                "{:>8}  {:<18} {:<8} {:>8}  {:<20}  last error",
                "id", "kind", "status", "attempts", "run at"
            )?;
            for row in &rows {
                let error = row.last_error.as_deref().unwrap_or("");
                let error: String = error.chars().take(80).collect();
                writeln!(
                    out,
                    "{:>8}  {:<18} {:<8} {:>4}/{:<3}  {:<20}  {}",
                    row.id,
                    row.kind,
                    row.status,
                    row.attempts,
                    row.max_attempts,
                    row.run_at.format("%Y-%m-%d %H:%M:%S"),
                    error.replace('\n', " ")
                )?;
            }
            writeln!(
                out,
                "({} job{})",
                rows.len(),
                if rows.len() == 1 { "" } else { "s" }
            )?;
            Ok(())
        }
        JobsCommand::Retry { id } => {
            let row = queue::retry(&db.pool, id).await?;
            println!(
                "job {} ({}) queued again; a worker of `pmo serve` picks it up within {} ms",
                row.id, row.kind, config.jobs.poll_interval_ms
            );
            Ok(())
        }
    })
    .await
}

pub async fn backup(config: &Config, command: BackupCommand) -> anyhow::Result<()> {
    let storage = Storage::from_config(config)?;
    with_db(config, async |db| match command {
        BackupCommand::Create => {
            let manifest = backup::create(&db.pool, config, &storage, Progress::terminal()).await?;
            backup::record_cli_backup(&db.pool, &manifest).await?;
            println!(
                "backup {} created: {} encrypted ({} dump), {} tables, {} rows, schema version {}, {:.1} s",
                manifest.id,
                human_bytes(manifest.size_bytes),
                human_bytes(manifest.dump_bytes),
                manifest.tables.len(),
                manifest.total_rows(),
                manifest
                    .schema_version
                    .map_or_else(|| "none".to_owned(), |v| v.to_string()),
                manifest.duration_ms as f64 / 1000.0
            );
            Ok(())
        }
        BackupCommand::List { json } => {
            let manifests = backup::list(&storage).await?;
            let mut out = std::io::stdout().lock();
            if json {
                for manifest in &manifests {
                    let mut value = serde_json::to_value(manifest)?;
                    if let Some(object) = value.as_object_mut() {
                        object.remove("tables");
                    }
                    writeln!(out, "{value}")?;
                }
                return Ok(());
            }
            writeln!(out, "{:<26} {:<20} {:>10} {:>12} {:>8}", "id", "created (UTC)", "size", "rows", "schema")?;
            for manifest in &manifests {
                writeln!(
                    out,
                    "{:<26} {:<20} {:>10} {:>12} {:>8}",
                    manifest.id,
                    manifest.created_ts.format("%Y-%m-%d %H:%M:%S"),
                    human_bytes(manifest.size_bytes),
                    manifest.total_rows(),
                    manifest.schema_version.map_or_else(|| "-".to_owned(), |v| v.to_string())
                )?;
            }
            writeln!(out, "({} backup{})", manifests.len(), if manifests.len() == 1 { "" } else { "s" })?;
            Ok(())
        }
        BackupCommand::Restore {
            id,
            into,
            verify,
            force,
        } => {
            let options = RestoreOptions { into, force, verify };
            let report = backup::restore(&db.pool, config, &storage, &id, &options, Progress::terminal()).await?;
            println!(
                "backup {} restored into `{}` ({} tables, {} rows)",
                report.manifest.id,
                report.database,
                report.manifest.tables.len(),
                report.manifest.total_rows()
            );
            match report.mismatches {
                None => Ok(()),
                Some(problems) if problems.is_empty() => {
                    println!("verified: every table's row count and checksum match the backup");
                    Ok(())
                }
                Some(problems) => {
                    for problem in &problems {
                        eprintln!("mismatch: {problem}");
                    }
                    Err(BackupError::Tool(format!(
                        "verification failed: {} table(s) differ from the backup",
                        problems.len()
                    ))
                    .into())
                }
            }
        }
        BackupCommand::Prune { keep_days } => {
            let days = keep_days.unwrap_or(config.backup.keep_days);
            if days == 0 {
                anyhow::bail!("--keep-days must be at least 1");
            }
            let report = backup::prune(&storage, days).await?;
            for id in &report.deleted {
                println!("deleted {id}");
            }
            println!(
                "pruned {} backup(s) older than {days} day(s); {} kept",
                report.deleted.len(),
                report.kept
            );
            Ok(())
        }
    })
    .await
}

fn human_bytes(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

/// `pmo logs`: the seed's `logs-api.sh [lines]` / `-f`, over the rotated JSON files of `log.file`.
pub fn logs(config: &Config, args: &LogsArgs) -> anyhow::Result<()> {
    let dir = config.log.file.as_ref().map(|dir| config.data_path(dir)).ok_or_else(|| {
        anyhow::anyhow!(
            "log.file is not set, so logs only go to standard error (under systemd: `journalctl -u pmo -f`). Set PMO_LOG_FILE=logs to also keep rotated JSON files in <data_dir>/logs"
        )
    })?;
    let min_level = match args.level.as_deref() {
        None => 5,
        Some(level) => level_rank(level)
            .ok_or_else(|| anyhow::anyhow!("--level must be error, warn, info, debug or trace"))?,
    };
    let filter = |line: &str| -> Option<String> {
        let value: serde_json::Value = serde_json::from_str(line).ok()?;
        let level = value
            .get("level")
            .and_then(|l| l.as_str())
            .unwrap_or("INFO");
        if level_rank(level).unwrap_or(2) > min_level {
            return None;
        }
        if let Some(wanted) = &args.request_id {
            let found = value
                .pointer("/span/request.id")
                .or_else(|| value.pointer("/fields/request.id"))
                .and_then(|v| v.as_str());
            if found != Some(wanted.as_str()) {
                return None;
            }
        }
        Some(if args.json {
            line.to_owned()
        } else {
            readable(&value)
        })
    };
    let mut current = newest_log(&dir)?;
    let mut out = std::io::stdout().lock();
    let mut file = std::fs::File::open(&current)?;
    let tail = last_lines(&mut file, args.lines)?;
    for line in tail {
        if let Some(shown) = filter(&line) {
            writeln!(out, "{shown}")?;
        }
    }
    if !args.follow {
        return Ok(());
    }
    let mut reader = std::io::BufReader::new(file);
    let mut line = String::new();
    loop {
        line.clear();
        let read = reader.read_line(&mut line)?;
        if read > 0 && line.ends_with('\n') {
            if let Some(shown) = filter(line.trim_end()) {
                writeln!(out, "{shown}")?;
                out.flush()?;
            }
            continue;
        }
        if read > 0 {
            // A line still being written: read it again whole.
            reader.seek_relative(-(read as i64))?;
        }
        std::thread::sleep(Duration::from_millis(250));
        // Daily rotation starts a new file.
        if let Ok(newest) = newest_log(&dir)
            && newest != current
        {
            current = newest;
            reader = std::io::BufReader::new(std::fs::File::open(&current)?);
        }
    }
}

fn level_rank(level: &str) -> Option<u8> {
    match level.to_ascii_lowercase().as_str() {
        "error" => Some(1),
        "warn" => Some(2),
        "info" => Some(3),
        "debug" => Some(4),
        "trace" => Some(5),
        _ => None,
    }
}

fn newest_log(dir: &Path) -> anyhow::Result<PathBuf> {
    let mut files: Vec<(std::time::SystemTime, PathBuf)> = std::fs::read_dir(dir)
        .map_err(|err| anyhow::anyhow!("cannot read the log folder {}: {err}", dir.display()))?
        .filter_map(Result::ok)
        .filter(|entry| {
            let name = entry.file_name().to_string_lossy().into_owned();
            name.starts_with("pmo") && name.ends_with(".log")
        })
        .filter_map(|entry| Some((entry.metadata().ok()?.modified().ok()?, entry.path())))
        .collect();
    files.sort();
    files
        .pop()
        .map(|(_, path)| path)
        .ok_or_else(|| anyhow::anyhow!("no log files in {} yet", dir.display()))
}

/// The last `count` complete lines of a file, leaving the file positioned at its end.
fn last_lines(file: &mut std::fs::File, count: usize) -> anyhow::Result<Vec<String>> {
    let length = file.seek(std::io::SeekFrom::End(0))?;
    // Read back in blocks until enough newlines are seen.
    let mut start = length;
    let mut buffer = Vec::new();
    while start > 0 && buffer.iter().filter(|b| **b == b'\n').count() <= count {
        let step = start.min(64 * 1024);
        start -= step;
        file.seek(std::io::SeekFrom::Start(start))?;
        let mut block = vec![0u8; usize::try_from(step).unwrap_or(0)];
        std::io::Read::read_exact(file, &mut block)?;
        block.extend_from_slice(&buffer);
        buffer = block;
    }
    file.seek(std::io::SeekFrom::Start(length))?;
    let text = String::from_utf8_lossy(&buffer);
    let lines: Vec<String> = text.lines().map(str::to_owned).collect();
    let skip = lines.len().saturating_sub(count);
    Ok(lines.into_iter().skip(skip).collect())
}

/// `time LEVEL target: message key=value … [request.id tenant.id user.id]`.
fn readable(value: &serde_json::Value) -> String {
    let get = |key: &str| value.get(key).and_then(|v| v.as_str()).unwrap_or("");
    let mut line = format!("{} {:5} {}:", get("timestamp"), get("level"), get("target"));
    if let Some(fields) = value.get("fields").and_then(|f| f.as_object()) {
        if let Some(message) = fields.get("message").and_then(|m| m.as_str()) {
            line.push(' ');
            line.push_str(message);
        }
        for (key, field) in fields {
            if key != "message" {
                line.push_str(&format!(" {key}={}", plain(field)));
            }
        }
    }
    if let Some(span) = value.get("span").and_then(|s| s.as_object()) {
        let context: Vec<String> = ["request.id", "tenant.id", "user.id", "http.route", "job.id"]
            .iter()
            .filter_map(|key| span.get(*key).map(|v| format!("{key}={}", plain(v))))
            .collect();
        if !context.is_empty() {
            line.push_str(&format!(" [{}]", context.join(" ")));
        }
    }
    line
}

fn plain(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn last_lines_reads_back_from_the_end() {
        let mut file = tempfile::tempfile().unwrap();
        for i in 0..1000 {
            writeln!(file, "line {i}").unwrap();
        }
        let lines = last_lines(&mut file, 3).unwrap();
        assert_eq!(lines, vec!["line 997", "line 998", "line 999"]);
    }

    #[test]
    fn readable_lines_carry_the_request_context() {
        let value = serde_json::json!({
            "timestamp": "2026-11-26T10:00:00Z", "level": "INFO", "target": "pmo",
            "fields": {"message": "job done", "elapsed_ms": 3},
            "span": {"request.id": "r1", "tenant.id": "acme", "user.id": "u1"}
        });
        assert_eq!(
            readable(&value),
            "2026-11-26T10:00:00Z INFO  pmo: job done elapsed_ms=3 [request.id=r1 tenant.id=acme user.id=u1]"
        );
        assert_eq!(human_bytes(1536), "1.5 KiB");
    }
}
