//! Database backups (seed: daily, 30-day retention, encrypted; RPO 24 h).
//!
//! `create`: `pg_dump --format=custom` of an exported snapshot → zstd → ChaCha20-Poly1305 in 1 MiB
//! chunks (a STREAM construction: each chunk's nonce carries its counter and a last-chunk flag, so
//! reordering, truncation and tampering are all detected) → the backup store at
//! `backups/db/<id>.dump.zst.enc`, then `backups/db/<id>.manifest.json` (time, sizes, SHA-256 of the
//! object, key fingerprint, schema version, and per-table row counts and checksums computed in the
//! same snapshot as the dump, which is what `restore --verify` compares against).
//!
//! The backup store is `Storage::backup_store`: the bucket named by `backup.s3_bucket` (on AWS the
//! backups bucket with Object Lock; uploads carry SHA-256 checksums) or, when that is unset, the
//! main file storage. `create`, `list`, `manifest`, `restore` and `prune` all use it.
//!
//! `restore`: checks the key (fingerprint) and the object's checksum, decrypts and decompresses
//! into a temporary file — all before the target database is touched — then refuses a non-empty
//! target unless `force`, and runs `pg_restore` in one transaction.
//!
//! pg_dump/pg_restore come from the PostgreSQL bin directory the managed cluster uses
//! (`managed_postgres::discover_binaries`), else from `PATH`.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::str::FromStr;
use std::time::{Duration, Instant};

use anyhow::Context;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use chrono::{DateTime, Utc};
use futures::StreamExt;
use hmac::{Hmac, Mac};
use indicatif::{ProgressBar, ProgressStyle};
use object_store::path::Path as ObjectPath;
use object_store::{ObjectStoreExt, WriteMultipart};
use rand::RngCore;
use secrecy::ExposeSecret;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sqlx::postgres::{PgConnectOptions, PgSslMode};
use sqlx::{Connection, PgConnection, PgPool};

use crate::config::Config;
use crate::storage::Storage;

/// Where backups live in object storage.
pub const PREFIX: &str = "backups/db";
const MAGIC: &[u8; 8] = b"PMOBAK01";
const CHUNK: usize = 1024 * 1024;
const TAG: usize = 16;
const NONCE_PREFIX: usize = 7;
const FINGERPRINT: usize = 8;
const HEADER: usize = MAGIC.len() + NONCE_PREFIX + FINGERPRINT;
const MANIFEST_FORMAT: &str = "pmo-backup/1";

/// Why a backup operation failed, in words an operator can act on.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error(
        "backup.encryption_key is not set (PMO_BACKUP__ENCRYPTION_KEY): backups are encrypted and need the key to be created or restored"
    )]
    NoKey,
    #[error(
        "backup {id} was encrypted with another key (fingerprint {backup}, the configured key's is {configured}); nothing was restored"
    )]
    WrongKey {
        id: String,
        backup: String,
        configured: String,
    },
    #[error("no backup `{0}` (see `pmo backup list`)")]
    NotFound(String),
    #[error("backup {id} is damaged: {reason}; nothing was restored")]
    Corrupt { id: String, reason: String },
    #[error(
        "database `{0}` is not empty; pass --force to replace everything in it (nothing was changed)"
    )]
    TargetNotEmpty(String),
    #[error("{0}")]
    Tool(String),
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

impl From<sqlx::Error> for BackupError {
    fn from(err: sqlx::Error) -> Self {
        BackupError::Other(err.into())
    }
}

impl From<std::io::Error> for BackupError {
    fn from(err: std::io::Error) -> Self {
        BackupError::Other(err.into())
    }
}

impl From<object_store::Error> for BackupError {
    fn from(err: object_store::Error) -> Self {
        BackupError::Other(err.into())
    }
}

/// The AEAD key, derived from the configured passphrase, and its public fingerprint.
#[derive(Clone)]
pub struct BackupKey {
    key: [u8; 32],
    fingerprint: [u8; FINGERPRINT],
}

impl BackupKey {
    pub fn from_config(config: &Config) -> Result<BackupKey, BackupError> {
        let secret = config
            .backup
            .encryption_key
            .as_ref()
            .ok_or(BackupError::NoKey)?;
        Ok(BackupKey::from_passphrase(secret.expose_secret().trim()))
    }

    pub fn from_passphrase(passphrase: &str) -> BackupKey {
        let key = hmac_sha256(passphrase.as_bytes(), b"pmo/backup/key/v1");
        let fp = hmac_sha256(&key, b"pmo/backup/fingerprint/v1");
        let mut fingerprint = [0u8; FINGERPRINT];
        fingerprint.copy_from_slice(&fp[..FINGERPRINT]);
        BackupKey { key, fingerprint }
    }

    pub fn fingerprint_hex(&self) -> String {
        hex(&self.fingerprint)
    }
}

fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    let mut mac = <Hmac<Sha256> as hmac::KeyInit>::new_from_slice(key)
        .unwrap_or_else(|_| unreachable!("HMAC accepts keys of any length"));
    mac.update(message);
    mac.finalize().into_bytes().into()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn chunk_nonce(prefix: &[u8], counter: u32, last: bool) -> Nonce {
    let mut nonce = [0u8; 12];
    nonce[..NONCE_PREFIX].copy_from_slice(prefix);
    nonce[NONCE_PREFIX..NONCE_PREFIX + 4].copy_from_slice(&counter.to_be_bytes());
    nonce[11] = u8::from(last);
    Nonce::from(nonce)
}

/// Encrypts everything written to it into `inner`; `finish` writes the last chunk.
pub struct EncryptWriter<W: Write> {
    inner: W,
    cipher: ChaCha20Poly1305,
    header: [u8; HEADER],
    buffer: Vec<u8>,
    counter: u32,
}

impl<W: Write> EncryptWriter<W> {
    pub fn new(mut inner: W, key: &BackupKey) -> std::io::Result<Self> {
        let mut header = [0u8; HEADER];
        header[..MAGIC.len()].copy_from_slice(MAGIC);
        rand::rng().fill_bytes(&mut header[MAGIC.len()..MAGIC.len() + NONCE_PREFIX]);
        header[MAGIC.len() + NONCE_PREFIX..].copy_from_slice(&key.fingerprint);
        inner.write_all(&header)?;
        Ok(EncryptWriter {
            inner,
            cipher: ChaCha20Poly1305::new(&Key::from(key.key)),
            header,
            buffer: Vec::with_capacity(CHUNK),
            counter: 0,
        })
    }

    fn seal(&mut self, last: bool) -> std::io::Result<()> {
        let nonce = chunk_nonce(
            &self.header[MAGIC.len()..MAGIC.len() + NONCE_PREFIX],
            self.counter,
            last,
        );
        let sealed = self
            .cipher
            .encrypt(
                &nonce,
                Payload {
                    msg: &self.buffer,
                    aad: &self.header,
                },
            )
            .map_err(|_| std::io::Error::other("encryption failed"))?;
        self.inner.write_all(&sealed)?;
        self.buffer.clear();
        self.counter = self
            .counter
            .checked_add(1)
            .ok_or_else(|| std::io::Error::other("backup too large for one stream"))?;
        Ok(())
    }

    pub fn finish(mut self) -> std::io::Result<W> {
        self.seal(true)?;
        self.inner.flush()?;
        Ok(self.inner)
    }
}

impl<W: Write> Write for EncryptWriter<W> {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        let room = CHUNK - self.buffer.len();
        let taken = room.min(data.len());
        self.buffer.extend_from_slice(&data[..taken]);
        if self.buffer.len() == CHUNK {
            self.seal(false)?;
        }
        Ok(taken)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// Why decryption stopped.
#[derive(Debug, thiserror::Error)]
pub enum DecryptError {
    #[error("not a pmo backup (bad header)")]
    NotABackup,
    #[error("encrypted with another key (fingerprint {0})")]
    WrongKey(String),
    #[error("authentication failed at chunk {0}: the file was altered or the key is wrong")]
    Tampered(u32),
    #[error("the file ends early (truncated)")]
    Truncated,
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

/// Decrypts a stream written by `EncryptWriter` into `out`. Returns the plaintext size.
pub fn decrypt_stream(
    mut input: impl Read,
    mut out: impl Write,
    key: &BackupKey,
) -> Result<u64, DecryptError> {
    let mut header = [0u8; HEADER];
    input
        .read_exact(&mut header)
        .map_err(|_| DecryptError::NotABackup)?;
    if &header[..MAGIC.len()] != MAGIC {
        return Err(DecryptError::NotABackup);
    }
    let fingerprint = &header[MAGIC.len() + NONCE_PREFIX..];
    if fingerprint != key.fingerprint {
        return Err(DecryptError::WrongKey(hex(fingerprint)));
    }
    let cipher = ChaCha20Poly1305::new(&Key::from(key.key));
    let prefix = header[MAGIC.len()..MAGIC.len() + NONCE_PREFIX].to_vec();
    let mut current = read_block(&mut input, CHUNK + TAG)?;
    let mut counter: u32 = 0;
    let mut total = 0u64;
    loop {
        let next = if current.len() == CHUNK + TAG {
            read_block(&mut input, CHUNK + TAG)?
        } else {
            Vec::new()
        };
        let last = next.is_empty();
        if current.len() < TAG {
            return Err(DecryptError::Truncated);
        }
        let plain = cipher
            .decrypt(
                &chunk_nonce(&prefix, counter, last),
                Payload {
                    msg: &current,
                    aad: &header,
                },
            )
            // A stream cut at a chunk boundary fails here too: its final chunk is not flagged last.
            .map_err(|_| DecryptError::Tampered(counter))?;
        out.write_all(&plain)?;
        total += plain.len() as u64;
        if last {
            out.flush()?;
            return Ok(total);
        }
        current = next;
        counter = counter.checked_add(1).ok_or(DecryptError::Truncated)?;
    }
}

fn read_block(input: &mut impl Read, size: usize) -> std::io::Result<Vec<u8>> {
    let mut block = Vec::with_capacity(size);
    input.take(size as u64).read_to_end(&mut block)?;
    Ok(block)
}

/// Counts and hashes what passes through.
struct HashingWriter<W: Write> {
    inner: W,
    hasher: Sha256,
    written: u64,
}

impl<W: Write> Write for HashingWriter<W> {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(data)?;
        self.hasher.update(&data[..n]);
        self.written += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// Counts what is read, for progress.
struct CountingReader<R: Read> {
    inner: R,
    progress: ProgressBar,
    read: u64,
}

impl<R: Read> Read for CountingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        self.progress.inc(n as u64);
        Ok(n)
    }
}

/// Progress bars on a terminal (CLI), nothing in the server.
#[derive(Clone, Copy)]
pub struct Progress {
    visible: bool,
}

impl Progress {
    pub fn hidden() -> Progress {
        Progress { visible: false }
    }

    pub fn terminal() -> Progress {
        Progress { visible: true }
    }

    fn bytes(&self, total: Option<u64>, message: &str) -> ProgressBar {
        if !self.visible {
            return ProgressBar::hidden();
        }
        let bar = match total {
            Some(total) => ProgressBar::new(total).with_style(
                ProgressStyle::with_template(
                    "{msg:24} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} eta {eta}",
                )
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
            ),
            None => ProgressBar::new_spinner().with_style(
                ProgressStyle::with_template(
                    "{spinner} {msg:24} {bytes} {bytes_per_sec} {elapsed}",
                )
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            ),
        };
        bar.set_message(message.to_owned());
        bar.enable_steady_tick(Duration::from_millis(120));
        bar
    }

    fn step(&self, message: &str) -> ProgressBar {
        if !self.visible {
            return ProgressBar::hidden();
        }
        let bar = ProgressBar::new_spinner().with_style(
            ProgressStyle::with_template("{spinner} {msg} {elapsed}")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        bar.set_message(message.to_owned());
        bar.enable_steady_tick(Duration::from_millis(120));
        bar
    }
}

/// Row count and checksum of one table, computed in the dump's snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableStat {
    pub schema: String,
    pub table: String,
    pub rows: i64,
    /// Sum of `hashtextextended(row::text, 0)` over the rows: order-independent, changes with any value.
    pub checksum: String,
}

/// What `backups/db/<id>.manifest.json` holds.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Manifest {
    pub format: String,
    pub id: String,
    pub created_ts: DateTime<Utc>,
    pub object_key: String,
    /// Size of the encrypted object.
    pub size_bytes: u64,
    /// Size of the pg_dump archive before compression.
    pub dump_bytes: u64,
    /// SHA-256 of the encrypted object.
    pub sha256: String,
    pub key_fingerprint: String,
    /// Newest applied migration.
    pub schema_version: Option<i64>,
    pub postgres_version: String,
    pub pg_dump_version: String,
    pub duration_ms: u64,
    pub tables: Vec<TableStat>,
}

impl Manifest {
    pub fn total_rows(&self) -> i64 {
        self.tables.iter().map(|t| t.rows).sum()
    }
}

fn manifest_path(id: &str) -> ObjectPath {
    ObjectPath::from(format!("{PREFIX}/{id}.manifest.json"))
}

fn dump_key(id: &str) -> String {
    format!("{PREFIX}/{id}.dump.zst.enc")
}

/// The PostgreSQL tools of the right version.
struct PgTools {
    pg_dump: PathBuf,
    pg_restore: PathBuf,
}

fn find_tools(config: &Config) -> Result<PgTools, BackupError> {
    let mut dirs = Vec::new();
    if let Ok(found) =
        managed_postgres::discover_binaries(config.managed_postgres.bin_dir.as_deref())
    {
        dirs.push(found.bin_dir);
    }
    if let Some(path) = std::env::var_os("PATH") {
        dirs.extend(std::env::split_paths(&path));
    }
    for dir in dirs {
        let pg_dump = dir.join("pg_dump");
        let pg_restore = dir.join("pg_restore");
        if pg_dump.is_file() && pg_restore.is_file() {
            return Ok(PgTools {
                pg_dump,
                pg_restore,
            });
        }
    }
    Err(BackupError::Tool(
        "pg_dump and pg_restore were not found (PostgreSQL bin directory or PATH): install the PostgreSQL client tools (e.g. `apt-get install postgresql-client`) or set managed_postgres.bin_dir".to_owned(),
    ))
}

fn tool_version(tool: &Path) -> String {
    std::process::Command::new(tool)
        .arg("--version")
        .output()
        .ok()
        .map(|out| String::from_utf8_lossy(&out.stdout).trim().to_owned())
        .unwrap_or_default()
}

/// Connection settings for libpq tools, passed through the environment (never on the command line,
/// where `ps` would show a password).
struct LibpqTarget {
    env: Vec<(&'static str, String)>,
}

fn libpq_target(options: &PgConnectOptions, config: &Config, database: &str) -> LibpqTarget {
    let mut env = Vec::new();
    match options.get_socket() {
        Some(dir) => env.push(("PGHOST", dir.to_string_lossy().into_owned())),
        None => env.push(("PGHOST", options.get_host().to_owned())),
    }
    env.push(("PGPORT", options.get_port().to_string()));
    env.push(("PGUSER", options.get_username().to_owned()));
    env.push(("PGDATABASE", database.to_owned()));
    env.push(("PGAPPNAME", "pmo-backup".to_owned()));
    env.push(("PGCONNECT_TIMEOUT", "10".to_owned()));
    let ssl = match options.get_ssl_mode() {
        PgSslMode::Disable => "disable",
        PgSslMode::Allow => "allow",
        PgSslMode::Prefer => "prefer",
        PgSslMode::Require => "require",
        PgSslMode::VerifyCa => "verify-ca",
        PgSslMode::VerifyFull => "verify-full",
    };
    env.push(("PGSSLMODE", ssl.to_owned()));
    if let Some(url) = &config.database.url
        && let Ok(parsed) = url::Url::parse(url.expose_secret())
        && let Some(password) = parsed.password()
    {
        let decoded = percent_decode(password);
        env.push(("PGPASSWORD", decoded));
    }
    LibpqTarget { env }
}

fn percent_decode(value: &str) -> String {
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let Some(byte) = std::str::from_utf8(&bytes[i + 1..i + 3])
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(byte);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Row counts and checksums of every table outside the system schemas, on `conn` (inside the
/// caller's snapshot when it holds one).
pub async fn table_stats(conn: &mut PgConnection) -> Result<Vec<TableStat>, sqlx::Error> {
    // Text forms of values depend on these settings; fix them so both sides compute alike.
    for setting in [
        "SET LOCAL TimeZone = 'UTC'",
        "SET LOCAL DateStyle = 'ISO, YMD'",
        "SET LOCAL IntervalStyle = 'postgres'",
        "SET LOCAL extra_float_digits = 3",
        "SET LOCAL bytea_output = 'hex'",
        "SET LOCAL statement_timeout = 0",
    ] {
        sqlx::query(setting).execute(&mut *conn).await?;
    }
    let tables: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT n.nspname::text, c.relname::text,
                format('SELECT count(*)::bigint, coalesce(sum(hashtextextended(t::text, 0)::numeric), 0)::text FROM %I.%I t',
                       n.nspname, c.relname)
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema')
           AND n.nspname NOT LIKE 'pg_toast%' AND n.nspname NOT LIKE 'pg_temp%'
         ORDER BY 1, 2",
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut stats = Vec::with_capacity(tables.len());
    for (schema, table, sql) in tables {
        // Identifiers were quoted by format('%I').
        let (rows, checksum): (i64, String) = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .fetch_one(&mut *conn)
            .await?;
        stats.push(TableStat {
            schema,
            table,
            rows,
            checksum,
        });
    }
    Ok(stats)
}

fn new_backup_id(now: DateTime<Utc>) -> String {
    let mut random = [0u8; 4];
    rand::rng().fill_bytes(&mut random);
    format!("{}-{}", now.format("%Y%m%dT%H%M%SZ"), hex(&random))
}

fn scratch_dir(config: &Config) -> Result<tempfile::TempDir, BackupError> {
    let base = config.data_dir.join("tmp");
    std::fs::create_dir_all(&base).with_context(|| format!("cannot create {}", base.display()))?;
    Ok(tempfile::Builder::new()
        .prefix("backup-")
        .tempdir_in(&base)?)
}

/// Dumps the database, compresses, encrypts and uploads it, then writes the manifest.
pub async fn create(
    db: &PgPool,
    config: &Config,
    storage: &Storage,
    progress: Progress,
) -> Result<Manifest, BackupError> {
    let started = Instant::now();
    let key = BackupKey::from_config(config)?;
    let tools = find_tools(config)?;
    let now = Utc::now();
    let id = new_backup_id(now);
    let scratch = scratch_dir(config)?;
    let encrypted_path = scratch.path().join(format!("{id}.dump.zst.enc"));

    // A snapshot shared by the statistics and pg_dump: both see exactly the same data.
    let mut snapshot = db.begin().await?;
    sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        .execute(&mut *snapshot)
        .await?;
    let snapshot_id: String = sqlx::query_scalar("SELECT pg_export_snapshot()")
        .fetch_one(&mut *snapshot)
        .await?;
    let postgres_version: String = sqlx::query_scalar("SELECT version()")
        .fetch_one(&mut *snapshot)
        .await?;
    let schema_version: Option<i64> = sqlx::query_scalar(
        "SELECT CASE WHEN to_regclass('public._sqlx_migrations') IS NULL THEN NULL
                ELSE (SELECT max(version) FROM public._sqlx_migrations WHERE success) END",
    )
    .fetch_one(&mut *snapshot)
    .await?;
    let database = db
        .connect_options()
        .get_database()
        .unwrap_or("postgres")
        .to_owned();
    let target = libpq_target(&db.connect_options(), config, &database);

    let bar = progress.bytes(None, "dumping");
    let mut command = std::process::Command::new(&tools.pg_dump);
    command
        .args(["--format=custom", "--compress=0", "--no-password"])
        .arg(format!("--snapshot={snapshot_id}"))
        .envs(target.env.iter().map(|(k, v)| (*k, v.as_str())))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let write_path = encrypted_path.clone();
    let pipe_bar = bar.clone();
    let pipe_key = key.clone();
    let pg_dump = tools.pg_dump.clone();
    // pg_dump → zstd → encryption → file, on a blocking thread (it is all synchronous I/O).
    let pipeline = tokio::task::spawn_blocking(move || -> anyhow::Result<DumpOutcome> {
        let mut child = command
            .spawn()
            .with_context(|| format!("cannot run {}", pg_dump.display()))?;
        let stdout = child
            .stdout
            .take()
            .context("pg_dump has no standard output")?;
        let mut stderr = child
            .stderr
            .take()
            .context("pg_dump has no standard error")?;
        let written = compress_and_encrypt(stdout, &write_path, &pipe_key, pipe_bar);
        let mut errors = String::new();
        let _ = stderr.read_to_string(&mut errors);
        let status = child.wait().context("waiting for pg_dump")?;
        Ok(DumpOutcome {
            status,
            errors,
            written,
        })
    });
    // Statistics run in the exported snapshot while pg_dump reads it.
    let (dumped, stats) = tokio::join!(pipeline, table_stats(&mut snapshot));
    bar.finish_and_clear();
    snapshot.rollback().await?;
    let dumped = dumped.context("the backup pipeline panicked")??;
    if !dumped.status.success() {
        return Err(BackupError::Tool(format!(
            "pg_dump failed ({}): {}",
            dumped.status,
            dumped.errors.trim()
        )));
    }
    let (dump_bytes, size_bytes, sha256) = dumped.written?;
    let tables = stats?;

    upload_file(
        storage,
        &encrypted_path,
        &dump_key(&id),
        size_bytes,
        progress,
    )
    .await?;
    let manifest = Manifest {
        format: MANIFEST_FORMAT.to_owned(),
        id: id.clone(),
        created_ts: now,
        object_key: dump_key(&id),
        size_bytes,
        dump_bytes,
        sha256,
        key_fingerprint: key.fingerprint_hex(),
        schema_version,
        postgres_version,
        pg_dump_version: tool_version(&tools.pg_dump),
        duration_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
        tables,
    };
    // The manifest goes last: a backup without one is incomplete and never listed.
    let body = serde_json::to_vec_pretty(&manifest).context("encoding the manifest")?;
    storage
        .backup_store()
        .put(&manifest_path(&id), body.into())
        .await?;
    crate::metrics::backup_finished(true, size_bytes, started.elapsed());
    tracing::info!(
        backup.id = %id,
        backup.bucket = storage.backup_bucket().unwrap_or(storage.bucket()),
        size_bytes,
        dump_bytes,
        rows = manifest.total_rows(),
        "backup created"
    );
    Ok(manifest)
}

struct DumpOutcome {
    status: std::process::ExitStatus,
    errors: String,
    /// (dump bytes read, encrypted bytes written, SHA-256 of the encrypted file)
    written: anyhow::Result<(u64, u64, String)>,
}

fn compress_and_encrypt(
    dump: impl Read,
    path: &Path,
    key: &BackupKey,
    progress: ProgressBar,
) -> anyhow::Result<(u64, u64, String)> {
    let mut reader = CountingReader {
        inner: dump,
        progress,
        read: 0,
    };
    let file = std::io::BufWriter::new(std::fs::File::create(path)?);
    let hashing = HashingWriter {
        inner: file,
        hasher: Sha256::new(),
        written: 0,
    };
    let mut encoder = zstd::stream::write::Encoder::new(EncryptWriter::new(hashing, key)?, 3)?;
    std::io::copy(&mut reader, &mut encoder)?;
    let mut hashing = encoder.finish()?.finish()?;
    hashing.flush()?;
    Ok((
        reader.read,
        hashing.written,
        hex(&hashing.hasher.finalize()),
    ))
}

async fn upload_file(
    storage: &Storage,
    file: &Path,
    key: &str,
    size: u64,
    progress: Progress,
) -> Result<(), BackupError> {
    let bar = progress.bytes(Some(size), "uploading");
    let upload = storage
        .backup_store()
        .put_multipart(&ObjectPath::from(key))
        .await?;
    let mut writer = WriteMultipart::new_with_chunk_size(upload, 8 * 1024 * 1024);
    let mut input = tokio::fs::File::open(file).await?;
    let mut buffer = vec![0u8; 1024 * 1024];
    loop {
        let n = tokio::io::AsyncReadExt::read(&mut input, &mut buffer).await?;
        if n == 0 {
            break;
        }
        writer.wait_for_capacity(4).await?;
        writer.write(&buffer[..n]);
        bar.inc(n as u64);
    }
    writer.finish().await?;
    bar.finish_and_clear();
    Ok(())
}

/// Every complete backup (one with a manifest), newest first.
pub async fn list(storage: &Storage) -> Result<Vec<Manifest>, BackupError> {
    let mut listing = storage.backup_store().list(Some(&ObjectPath::from(PREFIX)));
    let mut manifests = Vec::new();
    while let Some(meta) = listing.next().await {
        let meta = meta?;
        let name = meta.location.as_ref().to_owned();
        if !name.ends_with(".manifest.json") {
            continue;
        }
        let bytes = storage
            .backup_store()
            .get(&meta.location)
            .await?
            .bytes()
            .await?;
        match serde_json::from_slice::<Manifest>(&bytes) {
            Ok(manifest) => manifests.push(manifest),
            Err(err) => {
                tracing::warn!(object = %name, error = %err, "unreadable backup manifest skipped")
            }
        }
    }
    manifests.sort_by(|a, b| b.created_ts.cmp(&a.created_ts).then(b.id.cmp(&a.id)));
    Ok(manifests)
}

/// One backup's manifest; `latest` names the newest.
pub async fn manifest(storage: &Storage, id: &str) -> Result<Manifest, BackupError> {
    if id == "latest" {
        return list(storage)
            .await?
            .into_iter()
            .next()
            .ok_or_else(|| BackupError::NotFound(id.to_owned()));
    }
    if id.is_empty() || !id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
        return Err(BackupError::NotFound(id.to_owned()));
    }
    let bytes = match storage.backup_store().get(&manifest_path(id)).await {
        Ok(found) => found.bytes().await?,
        Err(object_store::Error::NotFound { .. }) => {
            return Err(BackupError::NotFound(id.to_owned()));
        }
        Err(err) => return Err(err.into()),
    };
    serde_json::from_slice(&bytes).map_err(|err| BackupError::Corrupt {
        id: id.to_owned(),
        reason: format!("unreadable manifest: {err}"),
    })
}

/// How `restore` should go.
pub struct RestoreOptions {
    /// Database name on the configured server (created when missing), or a postgres:// URL.
    pub into: String,
    /// Replace everything in a non-empty target.
    pub force: bool,
    /// Compare row counts and checksums with the manifest afterwards.
    pub verify: bool,
}

/// What a restore did.
#[derive(Debug)]
pub struct RestoreReport {
    pub manifest: Manifest,
    pub database: String,
    /// `None` without `--verify`; else every table that differs (empty: identical).
    pub mismatches: Option<Vec<String>>,
}

/// Restores a backup into another (or, with `force`, a non-empty) database.
pub async fn restore(
    db: &PgPool,
    config: &Config,
    storage: &Storage,
    id: &str,
    options: &RestoreOptions,
    progress: Progress,
) -> Result<RestoreReport, BackupError> {
    // Everything that can fail without touching the target comes first.
    let key = BackupKey::from_config(config)?;
    let manifest = manifest(storage, id).await?;
    let id = manifest.id.clone();
    if manifest.key_fingerprint != key.fingerprint_hex() {
        return Err(BackupError::WrongKey {
            id,
            backup: manifest.key_fingerprint,
            configured: key.fingerprint_hex(),
        });
    }
    let tools = find_tools(config)?;
    let (target_options, target_name, target_env) = restore_target(db, config, &options.into)?;
    let scratch = scratch_dir(config)?;
    let encrypted = scratch.path().join("backup.enc");
    let dump = scratch.path().join("backup.dump");

    let bar = progress.bytes(Some(manifest.size_bytes), "downloading");
    let mut stream = storage
        .backup_store()
        .get(&ObjectPath::from(manifest.object_key.as_str()))
        .await
        .map_err(|err| match err {
            object_store::Error::NotFound { .. } => BackupError::Corrupt {
                id: id.clone(),
                reason: "its dump object is missing".to_owned(),
            },
            other => other.into(),
        })?
        .into_stream();
    let mut file = tokio::fs::File::create(&encrypted).await?;
    let mut hasher = Sha256::new();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk?;
        hasher.update(&chunk);
        tokio::io::AsyncWriteExt::write_all(&mut file, &chunk).await?;
        bar.inc(chunk.len() as u64);
    }
    tokio::io::AsyncWriteExt::flush(&mut file).await?;
    drop(file);
    bar.finish_and_clear();
    if hex(&hasher.finalize()) != manifest.sha256 {
        return Err(BackupError::Corrupt {
            id,
            reason: "its SHA-256 does not match the manifest".to_owned(),
        });
    }

    let bar = progress.bytes(Some(manifest.dump_bytes), "decrypting");
    let (input, output, decrypt_key, decrypt_bar) =
        (encrypted.clone(), dump.clone(), key.clone(), bar.clone());
    let decrypted = tokio::task::spawn_blocking(move || -> Result<u64, DecryptError> {
        let reader = std::io::BufReader::new(std::fs::File::open(&input)?);
        let out = std::io::BufWriter::new(std::fs::File::create(&output)?);
        let progress_out = ProgressWriter {
            inner: out,
            bar: decrypt_bar,
        };
        let mut decoder = zstd::stream::write::Decoder::new(progress_out)?;
        decrypt_stream(reader, &mut decoder, &decrypt_key)?;
        decoder.flush()?;
        let mut out = decoder.into_inner().inner;
        out.flush()?;
        drop(out);
        Ok(std::fs::metadata(&output)?.len())
    })
    .await
    .context("the decryption task panicked")?;
    bar.finish_and_clear();
    let dump_size = decrypted.map_err(|err| BackupError::Corrupt {
        id: id.clone(),
        reason: err.to_string(),
    })?;
    if dump_size != manifest.dump_bytes {
        return Err(BackupError::Corrupt {
            id,
            reason: format!(
                "the dump has {dump_size} bytes, the manifest says {}",
                manifest.dump_bytes
            ),
        });
    }

    // Now the target.
    ensure_database(db, &target_options, &target_name).await?;
    let mut target = PgConnection::connect_with(&target_options)
        .await
        .with_context(|| format!("cannot connect to the target database `{target_name}`"))?;
    let occupied = user_objects(&mut target).await?;
    if occupied > 0 {
        if !options.force {
            return Err(BackupError::TargetNotEmpty(target_name));
        }
        wipe(&mut target).await?;
    }
    let bar = progress.step(&format!("restoring into {target_name}"));
    let output = tokio::process::Command::new(&tools.pg_restore)
        .args([
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
            "--no-password",
        ])
        .arg(format!("--dbname={target_name}"))
        .arg(&dump)
        .envs(target_env.env.iter().map(|(k, v)| (*k, v.as_str())))
        .stdin(Stdio::null())
        .output()
        .await
        .with_context(|| format!("cannot run {}", tools.pg_restore.display()))?;
    bar.finish_and_clear();
    if !output.status.success() {
        return Err(BackupError::Tool(format!(
            "pg_restore failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        )));
    }

    let mismatches = if options.verify {
        let bar = progress.step("verifying row counts and checksums");
        let mut tx = target.begin().await?;
        let restored = table_stats(&mut tx).await?;
        tx.rollback().await?;
        bar.finish_and_clear();
        Some(compare_stats(&manifest.tables, &restored))
    } else {
        None
    };
    target.close().await.ok();
    tracing::info!(backup.id = %manifest.id, database = %target_name, "backup restored");
    Ok(RestoreReport {
        manifest,
        database: target_name,
        mismatches,
    })
}

struct ProgressWriter<W: Write> {
    inner: W,
    bar: ProgressBar,
}

impl<W: Write> Write for ProgressWriter<W> {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(data)?;
        self.bar.inc(n as u64);
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// Differences between the manifest's tables and the restored ones, one line each.
pub fn compare_stats(expected: &[TableStat], actual: &[TableStat]) -> Vec<String> {
    let actual: BTreeMap<(&str, &str), &TableStat> = actual
        .iter()
        .map(|t| ((t.schema.as_str(), t.table.as_str()), t))
        .collect();
    let mut problems = Vec::new();
    for table in expected {
        match actual.get(&(table.schema.as_str(), table.table.as_str())) {
            None => problems.push(format!("{}.{}: missing", table.schema, table.table)),
            Some(found) if found.rows != table.rows => problems.push(format!(
                "{}.{}: {} rows, expected {}",
                table.schema, table.table, found.rows, table.rows
            )),
            Some(found) if found.checksum != table.checksum => problems.push(format!(
                "{}.{}: same row count, different contents",
                table.schema, table.table
            )),
            Some(_) => {}
        }
    }
    problems
}

/// The target's connection options, name and libpq settings: a database name on the configured
/// server, or a full postgres:// URL.
fn restore_target(
    db: &PgPool,
    config: &Config,
    into: &str,
) -> Result<(PgConnectOptions, String, LibpqTarget), BackupError> {
    if into.starts_with("postgres://") || into.starts_with("postgresql://") {
        let options = PgConnectOptions::from_str(into).map_err(|err| {
            BackupError::Tool(format!("--into is not a usable PostgreSQL URL: {err}"))
        })?;
        let name = options.get_database().unwrap_or("postgres").to_owned();
        let mut target = libpq_target(&options, config, &name);
        target.env.retain(|(k, _)| *k != "PGPASSWORD");
        if let Ok(parsed) = url::Url::parse(into)
            && let Some(password) = parsed.password()
        {
            target.env.push(("PGPASSWORD", percent_decode(password)));
        }
        return Ok((options, name, target));
    }
    let valid = !into.is_empty()
        && into.len() <= 63
        && into
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b == b'.');
    // (No spaces or '=': libpq would read such a name as connection parameters.)
    if !valid {
        return Err(BackupError::Tool(
            "--into must be a database name (letters, digits, '_', '-' and '.', at most 63) or a postgres:// URL".to_owned(),
        ));
    }
    let base = db.connect_options();
    let options = (*base).clone().database(into);
    let target = libpq_target(&base, config, into);
    Ok((options, into.to_owned(), target))
}

/// Creates the target database when it does not exist (needs CREATEDB on the configured role).
async fn ensure_database(
    db: &PgPool,
    target: &PgConnectOptions,
    name: &str,
) -> Result<(), BackupError> {
    if PgConnection::connect_with(target).await.is_ok() {
        return Ok(());
    }
    let exists: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)")
            .bind(name)
            .fetch_one(db)
            .await?;
    if exists {
        return Err(BackupError::Tool(format!(
            "cannot connect to the existing database `{name}`"
        )));
    }
    let quoted: String = sqlx::query_scalar("SELECT quote_ident($1)")
        .bind(name)
        .fetch_one(db)
        .await?;
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {quoted}")))
        .execute(db)
        .await
        .with_context(|| {
            format!("cannot create the database `{name}` (the role needs CREATEDB)")
        })?;
    Ok(())
}

/// Tables, views, sequences … outside the system schemas.
async fn user_objects(conn: &mut PgConnection) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
           AND n.nspname NOT LIKE 'pg_toast%' AND n.nspname NOT LIKE 'pg_temp%'
           AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')",
    )
    .fetch_one(conn)
    .await
}

/// Drops every non-system schema (with everything in it) and recreates an empty `public`.
async fn wipe(conn: &mut PgConnection) -> Result<(), BackupError> {
    let mut tx = conn.begin().await?;
    let schemas: Vec<String> = sqlx::query_scalar(
        "SELECT quote_ident(nspname) FROM pg_namespace
         WHERE nspname NOT IN ('pg_catalog', 'information_schema')
           AND nspname NOT LIKE 'pg_toast%' AND nspname NOT LIKE 'pg_temp%'",
    )
    .fetch_all(&mut *tx)
    .await?;
    for schema in schemas {
        sqlx::query(sqlx::AssertSqlSafe(format!("DROP SCHEMA {schema} CASCADE")))
            .execute(&mut *tx)
            .await
            .with_context(|| format!("cannot drop schema {schema} of the target"))?;
    }
    sqlx::query("CREATE SCHEMA IF NOT EXISTS public")
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// What `prune` removed and kept.
#[derive(Debug, Default)]
pub struct PruneReport {
    pub deleted: Vec<String>,
    pub kept: usize,
}

/// Deletes backups older than `keep_days`, always keeping the newest one, and incomplete uploads
/// (objects without a manifest) of the same age.
pub async fn prune(storage: &Storage, keep_days: u32) -> Result<PruneReport, BackupError> {
    let cutoff = Utc::now() - chrono::Duration::days(i64::from(keep_days));
    let manifests = list(storage).await?;
    let mut report = PruneReport::default();
    let mut known = std::collections::HashSet::new();
    for (index, manifest) in manifests.iter().enumerate() {
        known.insert(manifest.object_key.clone());
        if index == 0 || manifest.created_ts >= cutoff {
            report.kept += 1;
            continue;
        }
        delete_quietly(storage, &manifest.object_key).await?;
        delete_quietly(storage, manifest_path(&manifest.id).as_ref()).await?;
        report.deleted.push(manifest.id.clone());
    }
    let mut listing = storage.backup_store().list(Some(&ObjectPath::from(PREFIX)));
    let mut orphans = Vec::new();
    while let Some(meta) = listing.next().await {
        let meta = meta?;
        let name = meta.location.as_ref().to_owned();
        if name.ends_with(".dump.zst.enc") && !known.contains(&name) && meta.last_modified < cutoff
        {
            orphans.push(name);
        }
    }
    for orphan in orphans {
        delete_quietly(storage, &orphan).await?;
        report.deleted.push(orphan);
    }
    Ok(report)
}

async fn delete_quietly(storage: &Storage, key: &str) -> Result<(), BackupError> {
    match storage.backup_store().delete(&ObjectPath::from(key)).await {
        Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
        Err(err) => Err(err.into()),
    }
}

/// Records a backup made outside the job worker (the CLI) as a finished job, so the backup-age
/// metric and `pmo jobs list` see it.
pub async fn record_cli_backup(db: &PgPool, manifest: &Manifest) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO app.job (kind, payload, status, attempts, max_attempts, finished_ts, locked_by)
         VALUES ('backup.create', $1, 'done', 1, 1, now(), 'cli')",
    )
    .bind(serde_json::json!({ "backup_id": manifest.id, "source": "cli", "size_bytes": manifest.size_bytes }))
    .execute(db)
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn roundtrip(size: usize) {
        let key = BackupKey::from_passphrase("0123456789abcdef0123456789abcdef");
        let plain: Vec<u8> = (0..size).map(|i| (i % 251) as u8).collect();
        let mut sealed = Vec::new();
        let mut writer = EncryptWriter::new(&mut sealed, &key).unwrap();
        writer.write_all(&plain).unwrap();
        writer.finish().unwrap();
        let mut opened = Vec::new();
        assert_eq!(
            decrypt_stream(&sealed[..], &mut opened, &key).unwrap(),
            size as u64
        );
        assert_eq!(opened, plain);
    }

    #[test]
    fn encryption_round_trips_at_chunk_boundaries() {
        for size in [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 2 * CHUNK, 2 * CHUNK + 17] {
            roundtrip(size);
        }
    }

    #[test]
    fn wrong_key_tampering_and_truncation_are_detected() {
        let key = BackupKey::from_passphrase("0123456789abcdef0123456789abcdef");
        let plain = vec![7u8; 2 * CHUNK + 10];
        let mut sealed = Vec::new();
        let mut writer = EncryptWriter::new(&mut sealed, &key).unwrap();
        writer.write_all(&plain).unwrap();
        writer.finish().unwrap();

        let other = BackupKey::from_passphrase("another-key-another-key-another-key");
        assert!(matches!(
            decrypt_stream(&sealed[..], std::io::sink(), &other),
            Err(DecryptError::WrongKey(_))
        ));
        let mut tampered = sealed.clone();
        tampered[HEADER + 100] ^= 1;
        assert!(matches!(
            decrypt_stream(&tampered[..], std::io::sink(), &key),
            Err(DecryptError::Tampered(0))
        ));
        // Cut exactly after a full chunk: the remaining last chunk is not flagged as last.
        let cut = &sealed[..HEADER + 2 * (CHUNK + TAG)];
        assert!(decrypt_stream(cut, std::io::sink(), &key).is_err());
        let short = &sealed[..HEADER + 5];
        assert!(decrypt_stream(short, std::io::sink(), &key).is_err());
    }

    #[test]
    fn stats_comparison_names_each_difference() {
        let table = |name: &str, rows, checksum: &str| TableStat {
            schema: "app".into(),
            table: name.into(),
            rows,
            checksum: checksum.into(),
        };
        let expected = vec![table("a", 1, "1"), table("b", 2, "2"), table("c", 3, "3")];
        let actual = vec![table("a", 1, "1"), table("b", 2, "9")];
        assert_eq!(
            compare_stats(&expected, &actual),
            vec![
                "app.b: same row count, different contents",
                "app.c: missing"
            ]
        );
    }
}
