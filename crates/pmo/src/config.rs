//! Typed configuration: built-in defaults, then an optional TOML file, then environment variables.
//!
//! This is the only place that reads the environment. Every other module receives a `Config`
//! (through `AppState` or a function argument). Secrets are `SecretString`s, so they never show in
//! `Debug` output or logs.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use figment::Figment;
use figment::providers::{Format, Serialized, Toml};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

/// Environment variables that are not configuration keys themselves.
const RESERVED_ENV: &[&str] = &["config"];

/// Short `PMO_*` names documented in the README, mapped to their nested keys. Every other key is
/// reached with `__` between section and field, e.g. `PMO_HTTP__BODY_LIMIT_BYTES`.
const ENV_ALIASES: &[(&str, &str)] = &[
    ("database_url", "database.url"),
    ("database_replica_url", "database.replica_url"),
    ("redis_url", "cache.redis_url"),
    ("smtp_url", "mail.smtp_url"),
    ("demo_password", "demo.password"),
    ("log_level", "log.level"),
    ("log_format", "log.format"),
    ("log_file", "log.file"),
    ("token_secret", "auth.token_secret"),
];

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Address the HTTP API and web app listen on.
    pub listen: SocketAddr,
    /// Directory for the managed PostgreSQL cluster, local files and logs.
    pub data_dir: PathBuf,
    /// `development` (pretty logs) or `production` (JSON logs, stricter defaults).
    pub environment: Environment,
    /// Tenant used when a login names none.
    pub default_tenant: String,
    /// Address people use to reach the web app, for links in e-mails. Default: derived from `listen`.
    pub public_url: Option<String>,
    pub auth: AuthConfig,
    pub database: DatabaseConfig,
    pub managed_postgres: ManagedPostgresConfig,
    pub http: HttpConfig,
    pub log: LogConfig,
    pub storage: StorageConfig,
    pub cache: CacheConfig,
    pub mail: MailConfig,
    pub jobs: JobsConfig,
    pub metrics: MetricsConfig,
    pub backup: BackupConfig,
    pub demo: DemoConfig,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AuthConfig {
    /// Server secret from which every tenant's token-signing keys are derived (at least 32
    /// characters). Unset in development: generated once into `<data_dir>/secrets/`. Required in
    /// production, and the same on every instance.
    #[serde(serialize_with = "serialize_secret_option")]
    pub token_secret: Option<SecretString>,
    /// Lifetime of an access token (default 15 minutes; the seed's 24 h is 86400).
    pub access_token_ttl_secs: u64,
    /// Lifetime of a refresh token; each refresh issues a new one.
    pub refresh_token_ttl_secs: u64,
    /// Absolute lifetime of a session, however often it is refreshed.
    pub session_max_age_secs: u64,
    /// Failed logins in a row before an account is locked.
    pub max_failed_logins: u32,
    /// How long a locked account stays locked.
    pub lockout_secs: u64,
    /// Failed logins from one address within `lockout_secs` before the address is throttled.
    pub max_failed_logins_per_ip: u32,
    /// Lifetime of password-reset links.
    pub password_reset_ttl_secs: u64,
    /// Lifetime of invitation links.
    pub invitation_ttl_secs: u64,
}

impl Default for AuthConfig {
    fn default() -> Self {
        Self {
            token_secret: None,
            access_token_ttl_secs: 15 * 60,
            refresh_token_ttl_secs: 14 * 24 * 3600,
            session_max_age_secs: 30 * 24 * 3600,
            max_failed_logins: 5,
            lockout_secs: 15 * 60,
            max_failed_logins_per_ip: 50,
            password_reset_ttl_secs: 3600,
            invitation_ttl_secs: 7 * 24 * 3600,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Environment {
    Development,
    Production,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DatabaseConfig {
    /// External PostgreSQL URL. Unset: the binary manages a cluster in the data directory.
    #[serde(serialize_with = "serialize_secret_option")]
    pub url: Option<SecretString>,
    /// Optional read replica: accepted and validated, not read from yet (`Database::open` warns).
    #[serde(serialize_with = "serialize_secret_option")]
    pub replica_url: Option<SecretString>,
    pub max_connections: u32,
    /// Size of the second pool, whose statements run on cached generic plans (`db::cached_plan_pool`).
    pub cached_plan_connections: u32,
    /// Connections each pool of a server keeps open, capped at the pool's size. Unset: all of
    /// them, opened at start-up — a fixed-size pool, so a burst after a quiet spell never waits
    /// for new connections (`db::Keep`).
    pub min_connections: Option<u32>,
    /// Idle connections above `min_connections` are closed after this long.
    pub idle_timeout_secs: u64,
    pub acquire_timeout_secs: u64,
    pub connect_timeout_secs: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ManagedPostgresConfig {
    /// Directory holding `initdb`, `pg_ctl` and `postgres`; found automatically when unset.
    pub bin_dir: Option<PathBuf>,
    /// Operating-system user the cluster runs as when `pmo` is started as root.
    pub run_as_user: String,
    /// Seconds to wait for the cluster to start.
    pub start_timeout_secs: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HttpConfig {
    /// Largest accepted request body.
    pub body_limit_bytes: usize,
    /// A request still running after this long is answered with 503.
    pub request_timeout_secs: u64,
    /// Exact origins allowed to call the API cross-origin (none: the web app is same-origin).
    pub cors_allowed_origins: Vec<String>,
    /// Seconds in-flight requests get to finish after a shutdown signal.
    pub shutdown_grace_secs: u64,
    /// API requests served at once by this instance; beyond it a request is answered at once with
    /// 503 and Retry-After instead of queueing (health checks are never refused). Bounds memory and
    /// latency when more is offered than the box can serve.
    pub max_in_flight: usize,
    /// Proxies (CIDR ranges; a bare address is one host) whose `X-Forwarded-For` is believed. A
    /// request from one of them is attributed to the rightmost address in that header that is not
    /// itself trusted. None by default: the TCP peer is the client. See docs/SECURITY.md.
    #[serde(
        serialize_with = "serialize_ip_ranges",
        deserialize_with = "deserialize_ip_ranges"
    )]
    pub trusted_proxies: Vec<ipnet::IpNet>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LogConfig {
    /// A `tracing` filter such as `info` or `pmo=debug,sqlx=warn`.
    pub level: String,
    pub format: LogFormat,
    /// Also write logs to daily-rotated files in this directory (relative paths are under the data directory).
    pub file: Option<PathBuf>,
    /// How many rotated log files to keep.
    pub file_keep: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Pretty in development, JSON in production.
    Auto,
    Pretty,
    Json,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct StorageConfig {
    /// `local` (a folder in the data directory) or `s3`.
    pub backend: StorageBackend,
    /// Folder of the local backend (relative paths are under the data directory).
    pub local_dir: PathBuf,
    /// Bucket name reported by the health check (and used by the S3 backend).
    pub bucket: String,
    /// S3 endpoint URL for MinIO, Garage and other S3-compatible stores. Unset: AWS S3.
    pub endpoint: Option<String>,
    /// S3 region (Garage's default is `garage`).
    pub region: String,
    /// S3 access key id. Unset (with the secret unset too): the instance role / AWS environment.
    pub access_key_id: Option<String>,
    #[serde(serialize_with = "serialize_secret_option")]
    pub secret_access_key: Option<SecretString>,
    /// Path-style requests (`endpoint/bucket/key`), needed by MinIO and Garage.
    pub path_style: bool,
    /// Lifetime of a presigned upload (PUT) URL.
    pub presign_put_ttl_secs: u64,
    /// Lifetime of a presigned download (GET) URL.
    pub download_url_ttl_secs: u64,
    /// Largest file accepted for upload.
    pub max_upload_bytes: u64,
    /// Media types accepted for upload: exact (`application/pdf`) or `type/*`; `*/*` allows any.
    pub allowed_content_types: Vec<String>,
    /// S3 only: files larger than this are uploaded in presigned parts (multipart upload).
    pub multipart_threshold_bytes: u64,
    /// S3 only: size of each part of a multipart upload (at least 5 MiB, S3's minimum).
    pub part_size_bytes: u64,
    /// Uploads never confirmed are removed (row and object) after this long (7 days, as the seed's
    /// abort-incomplete-multipart lifecycle rule).
    pub pending_upload_ttl_secs: u64,
    /// Objects of deleted artifacts are purged this long after the delete.
    pub deleted_retention_secs: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StorageBackend {
    Local,
    S3,
}

impl StorageConfig {
    /// The storage rules of `Config::validate`, each naming its key.
    fn validate(&self) -> Result<(), ConfigError> {
        let invalid = |key, message: &str| {
            Err(ConfigError::Invalid {
                key,
                message: message.to_owned(),
            })
        };
        const MIB: u64 = 1024 * 1024;
        const MAX_PRESIGN_SECS: u64 = 7 * 24 * 3600;
        if !is_s3_bucket_name(&self.bucket) {
            return invalid(
                "storage.bucket",
                "must be an S3 bucket name: 3–63 lowercase letters, digits, '-' and '.'",
            );
        }
        if let Some(endpoint) = &self.endpoint {
            let parsed = url::Url::parse(endpoint).map_err(|err| ConfigError::Invalid {
                key: "storage.endpoint",
                message: format!("not a URL: {err}"),
            })?;
            if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
                return invalid(
                    "storage.endpoint",
                    "must be an http:// or https:// URL such as http://127.0.0.1:3900",
                );
            }
        }
        if self.region.trim().is_empty() {
            return invalid(
                "storage.region",
                "must name a region (e.g. us-east-1; Garage: garage)",
            );
        }
        if self.access_key_id.is_some() != self.secret_access_key.is_some() {
            return invalid(
                "storage.access_key_id",
                "set both storage.access_key_id and storage.secret_access_key, or neither (instance role)",
            );
        }
        if self
            .access_key_id
            .as_deref()
            .is_some_and(|id| id.trim().is_empty())
        {
            return invalid("storage.access_key_id", "must not be empty");
        }
        if self.presign_put_ttl_secs == 0 || self.presign_put_ttl_secs > MAX_PRESIGN_SECS {
            return invalid(
                "storage.presign_put_ttl_secs",
                "must be between 1 second and 7 days (S3's limit)",
            );
        }
        if self.download_url_ttl_secs == 0 || self.download_url_ttl_secs > MAX_PRESIGN_SECS {
            return invalid(
                "storage.download_url_ttl_secs",
                "must be between 1 second and 7 days (S3's limit)",
            );
        }
        if self.max_upload_bytes == 0 || self.max_upload_bytes > 5 * 1024 * 1024 * MIB {
            return invalid(
                "storage.max_upload_bytes",
                "must be between 1 byte and 5 TiB (S3's object limit)",
            );
        }
        if self.allowed_content_types.is_empty() {
            return invalid(
                "storage.allowed_content_types",
                "must list at least one media type (\"*/*\" allows any)",
            );
        }
        if let Some(bad) = self
            .allowed_content_types
            .iter()
            .find(|t| !is_media_type_pattern(t))
        {
            return Err(ConfigError::Invalid {
                key: "storage.allowed_content_types",
                message: format!(
                    "`{bad}` is not a lowercase media type such as application/pdf, image/* or */*"
                ),
            });
        }
        if self.part_size_bytes < 5 * MIB || self.part_size_bytes > 5 * 1024 * MIB {
            return invalid(
                "storage.part_size_bytes",
                "must be between 5 MiB and 5 GiB (S3's part limits)",
            );
        }
        if self.multipart_threshold_bytes < self.part_size_bytes {
            return invalid(
                "storage.multipart_threshold_bytes",
                "must be at least storage.part_size_bytes",
            );
        }
        if self.max_upload_bytes.div_ceil(self.part_size_bytes) > 10_000 {
            return invalid(
                "storage.part_size_bytes",
                "too small for storage.max_upload_bytes: S3 allows at most 10000 parts",
            );
        }
        if self.pending_upload_ttl_secs < self.presign_put_ttl_secs {
            return invalid(
                "storage.pending_upload_ttl_secs",
                "must be at least storage.presign_put_ttl_secs (an upload URL must expire before its upload is purged)",
            );
        }
        Ok(())
    }
}

/// `type/subtype` in lowercase token characters, `type/*`, or `*/*`.
fn is_media_type_pattern(value: &str) -> bool {
    let token = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"!#$&-^_.+".contains(&b))
    };
    match value.split_once('/') {
        Some(("*", "*")) => true,
        Some((kind, "*")) => token(kind),
        Some((kind, subtype)) => token(kind) && token(subtype),
        None => false,
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CacheConfig {
    /// Shared Redis cache. Unset: an in-process cache.
    #[serde(serialize_with = "serialize_secret_option")]
    pub redis_url: Option<SecretString>,
    /// Entries kept by the in-process cache.
    pub max_entries: u64,
    /// Bytes of per-instance answers (sessions, permission sets) each instance keeps in memory,
    /// whichever backend is configured.
    pub local_max_bytes: u64,
    /// Prefix of every Redis key this platform writes (several deployments may share one Redis).
    pub redis_key_prefix: String,
    /// A Redis command slower than this counts as a failure: the caller reads the database instead.
    pub redis_timeout_ms: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MailConfig {
    /// SMTP server URL. Unset: mail goes to the development mailbox in the database.
    #[serde(serialize_with = "serialize_secret_option")]
    pub smtp_url: Option<SecretString>,
    pub from_address: String,
    /// Connecting to and talking with the SMTP server may take this long per message.
    pub smtp_timeout_secs: u64,
    /// Delivery attempts before a message is marked failed.
    pub max_attempts: u32,
    /// Wait before the first retry; doubled after every failed attempt, up to `retry_max_secs`.
    pub retry_base_secs: u64,
    pub retry_max_secs: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct JobsConfig {
    /// Run the job worker, the mailer and the scheduler inside `pmo serve`.
    pub worker: bool,
    /// How often an idle worker looks for due jobs and mail.
    pub poll_interval_ms: u64,
    /// Attempts before a job is dead-lettered (status `dead`), unless the job says otherwise.
    pub max_attempts: u32,
    /// Wait before the first retry; doubled after every failed attempt, up to `backoff_max_secs`.
    pub backoff_base_secs: u64,
    pub backoff_max_secs: u64,
    /// A running job whose worker has not finished it after this long is handed out again.
    pub stale_after_secs: u64,
    /// Finished (`done`, `dead`) jobs and sent mail are deleted after this many days.
    pub keep_finished_days: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MetricsConfig {
    /// Address of the Prometheus listener (`GET /metrics`), separate from the API. Empty: off.
    pub listen: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BackupConfig {
    /// Key material that encrypts backups (at least 32 characters, e.g. `openssl rand -base64 32`).
    /// Needed to create and to restore; without it the daily backup does not run.
    #[serde(serialize_with = "serialize_secret_option")]
    pub encryption_key: Option<SecretString>,
    /// `pmo backup prune` and the daily job delete backups older than this.
    pub keep_days: u32,
    /// The server backs up once a day (once per cluster, whatever the number of instances).
    pub schedule_enabled: bool,
    /// Hour of the day (UTC) the daily backup becomes due.
    pub schedule_hour: u32,
    /// S3 bucket of its own for backups (on AWS the backups bucket Terraform creates, with Object
    /// Lock), reached with the `storage` section's endpoint, region, addressing style and
    /// credentials; uploads carry an `x-amz-checksum-sha256` header, as Object Lock requires.
    /// Unset: backups go to the main file storage. Either way under `backups/db/`.
    pub s3_bucket: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DemoConfig {
    /// Password of every demo-tenant account created by `pmo seed --demo`.
    #[serde(serialize_with = "serialize_secret")]
    pub password: SecretString,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 4000)),
            data_dir: PathBuf::from("./data"),
            environment: Environment::Development,
            default_tenant: "demo".to_owned(),
            public_url: None,
            auth: AuthConfig::default(),
            database: DatabaseConfig::default(),
            managed_postgres: ManagedPostgresConfig::default(),
            http: HttpConfig::default(),
            log: LogConfig::default(),
            storage: StorageConfig::default(),
            cache: CacheConfig::default(),
            mail: MailConfig::default(),
            jobs: JobsConfig::default(),
            metrics: MetricsConfig::default(),
            backup: BackupConfig::default(),
            demo: DemoConfig::default(),
        }
    }
}

impl Default for DatabaseConfig {
    fn default() -> Self {
        // The seed's pool size (20). Its idle timeout (30 s) applies only to connections above a
        // `min_connections` set lower than the pool: unset, a server keeps every connection open.
        Self {
            url: None,
            replica_url: None,
            max_connections: 20,
            cached_plan_connections: 8,
            min_connections: None,
            idle_timeout_secs: 30,
            acquire_timeout_secs: 5,
            connect_timeout_secs: 5,
        }
    }
}

impl Default for ManagedPostgresConfig {
    fn default() -> Self {
        Self {
            bin_dir: None,
            run_as_user: "postgres".to_owned(),
            start_timeout_secs: 60,
        }
    }
}

impl Default for HttpConfig {
    fn default() -> Self {
        Self {
            body_limit_bytes: 2 * 1024 * 1024,
            request_timeout_secs: 30,
            cors_allowed_origins: Vec::new(),
            shutdown_grace_secs: 20,
            max_in_flight: 512,
            trusted_proxies: Vec::new(),
        }
    }
}

impl Default for LogConfig {
    fn default() -> Self {
        Self {
            level: "info".to_owned(),
            format: LogFormat::Auto,
            file: None,
            file_keep: 14,
        }
    }
}

/// Media types accepted for upload by default: office documents, PDFs, images, video, text and
/// archives. Types a browser would render as active content (HTML, SVG, JavaScript) are left out.
pub const DEFAULT_CONTENT_TYPES: &[&str] = &[
    "application/pdf",
    "application/msword",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.ms-excel",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.ms-powerpoint",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
    "application/vnd.oasis.opendocument.presentation",
    "application/rtf",
    "application/zip",
    "application/gzip",
    "application/x-7z-compressed",
    "application/json",
    "application/octet-stream",
    "text/plain",
    "text/csv",
    "text/markdown",
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "image/heic",
    "image/tiff",
    "video/mp4",
    "video/quicktime",
    "audio/mpeg",
];

impl Default for StorageConfig {
    fn default() -> Self {
        Self {
            backend: StorageBackend::Local,
            local_dir: PathBuf::from("files"),
            bucket: "pmo-attachments".to_owned(),
            endpoint: None,
            region: "us-east-1".to_owned(),
            access_key_id: None,
            secret_access_key: None,
            path_style: false,
            presign_put_ttl_secs: 15 * 60,
            download_url_ttl_secs: 5 * 60,
            max_upload_bytes: 100 * 1024 * 1024,
            allowed_content_types: DEFAULT_CONTENT_TYPES
                .iter()
                .map(|t| (*t).to_owned())
                .collect(),
            multipart_threshold_bytes: 64 * 1024 * 1024,
            part_size_bytes: 16 * 1024 * 1024,
            pending_upload_ttl_secs: 7 * 24 * 3600,
            deleted_retention_secs: 30 * 24 * 3600,
        }
    }
}

impl Default for CacheConfig {
    fn default() -> Self {
        Self {
            redis_url: None,
            max_entries: 100_000,
            local_max_bytes: 32 * 1024 * 1024,
            redis_key_prefix: "pmo:".to_owned(),
            redis_timeout_ms: 250,
        }
    }
}

impl Default for MailConfig {
    fn default() -> Self {
        Self {
            smtp_url: None,
            from_address: "PMO <no-reply@localhost>".to_owned(),
            smtp_timeout_secs: 10,
            max_attempts: 10,
            retry_base_secs: 30,
            retry_max_secs: 3600,
        }
    }
}

impl Default for JobsConfig {
    fn default() -> Self {
        Self {
            worker: true,
            poll_interval_ms: 1000,
            max_attempts: 5,
            backoff_base_secs: 10,
            backoff_max_secs: 3600,
            stale_after_secs: 15 * 60,
            keep_finished_days: 14,
        }
    }
}

impl Default for MetricsConfig {
    fn default() -> Self {
        Self {
            listen: "127.0.0.1:9464".to_owned(),
        }
    }
}

impl Default for BackupConfig {
    fn default() -> Self {
        Self {
            encryption_key: None,
            keep_days: 30,
            schedule_enabled: true,
            schedule_hour: 3,
            s3_bucket: None,
        }
    }
}

impl Config {
    /// The platform-services rules of `validate` (cache, mail, jobs, metrics, backup), each naming its key.
    fn validate_platform(&self) -> Result<(), ConfigError> {
        let invalid = |key, message: &str| {
            Err(ConfigError::Invalid {
                key,
                message: message.to_owned(),
            })
        };
        if let Some(url) = &self.cache.redis_url {
            let parsed =
                url::Url::parse(url.expose_secret()).map_err(|err| ConfigError::Invalid {
                    key: "cache.redis_url",
                    message: format!("not a URL: {err}"),
                })?;
            if !matches!(parsed.scheme(), "redis" | "rediss") || parsed.host_str().is_none() {
                return invalid(
                    "cache.redis_url",
                    "must be a redis:// or rediss:// URL such as redis://127.0.0.1:6379",
                );
            }
        }
        let prefix = &self.cache.redis_key_prefix;
        if prefix.is_empty()
            || prefix.len() > 64
            || !prefix
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_:.".contains(&b))
        {
            return invalid(
                "cache.redis_key_prefix",
                "must be 1–64 letters, digits, '-', '_', ':' or '.'",
            );
        }
        if self.cache.redis_timeout_ms == 0 {
            return invalid("cache.redis_timeout_ms", "must be at least 1");
        }
        if let Some(url) = &self.mail.smtp_url {
            let parsed =
                url::Url::parse(url.expose_secret()).map_err(|err| ConfigError::Invalid {
                    key: "mail.smtp_url",
                    message: format!("not a URL: {err}"),
                })?;
            if !matches!(parsed.scheme(), "smtp" | "smtps") || parsed.host_str().is_none() {
                return invalid(
                    "mail.smtp_url",
                    "must be smtp://host:port (add ?tls=required for STARTTLS) or smtps://host:465",
                );
            }
        }
        if self
            .mail
            .from_address
            .parse::<lettre::message::Mailbox>()
            .is_err()
        {
            return invalid(
                "mail.from_address",
                "must be an address such as `PMO <no-reply@example.com>`",
            );
        }
        if self.mail.smtp_timeout_secs == 0 || self.mail.max_attempts == 0 {
            return invalid(
                "mail.max_attempts",
                "mail.max_attempts and mail.smtp_timeout_secs must be at least 1",
            );
        }
        if self.mail.retry_base_secs == 0 || self.mail.retry_base_secs > self.mail.retry_max_secs {
            return invalid(
                "mail.retry_base_secs",
                "must be at least 1 and at most mail.retry_max_secs",
            );
        }
        let jobs = &self.jobs;
        if jobs.poll_interval_ms < 50 || jobs.poll_interval_ms > 60_000 {
            return invalid("jobs.poll_interval_ms", "must be between 50 and 60000");
        }
        if jobs.max_attempts == 0 {
            return invalid("jobs.max_attempts", "must be at least 1");
        }
        if jobs.backoff_base_secs == 0 || jobs.backoff_base_secs > jobs.backoff_max_secs {
            return invalid(
                "jobs.backoff_base_secs",
                "must be at least 1 and at most jobs.backoff_max_secs",
            );
        }
        if jobs.stale_after_secs < 60 {
            return invalid("jobs.stale_after_secs", "must be at least 60");
        }
        if jobs.keep_finished_days == 0 {
            return invalid("jobs.keep_finished_days", "must be at least 1");
        }
        if !self.metrics.listen.trim().is_empty() {
            let address: SocketAddr =
                self.metrics
                    .listen
                    .trim()
                    .parse()
                    .map_err(|err| ConfigError::Invalid {
                        key: "metrics.listen",
                        message: format!(
                            "not an address such as 127.0.0.1:9464 (empty turns metrics off): {err}"
                        ),
                    })?;
            if address == self.listen {
                return invalid(
                    "metrics.listen",
                    "must differ from `listen`: metrics have their own listener",
                );
            }
        }
        if let Some(key) = &self.backup.encryption_key
            && key.expose_secret().trim().len() < 32
        {
            return invalid(
                "backup.encryption_key",
                "must be at least 32 characters (e.g. `openssl rand -base64 32`)",
            );
        }
        if self.backup.keep_days == 0 {
            return invalid("backup.keep_days", "must be at least 1");
        }
        if self.backup.schedule_hour > 23 {
            return invalid(
                "backup.schedule_hour",
                "must be an hour of the day, 0–23 (UTC)",
            );
        }
        if let Some(bucket) = &self.backup.s3_bucket {
            if !is_s3_bucket_name(bucket) {
                return invalid(
                    "backup.s3_bucket",
                    "must be an S3 bucket name: 3–63 lowercase letters, digits, '-' and '.' (unset: backups go to the main storage)",
                );
            }
            if self.storage.backend == StorageBackend::S3 && *bucket == self.storage.bucket {
                return invalid(
                    "backup.s3_bucket",
                    "must differ from storage.bucket (unset it to keep backups in the main storage)",
                );
            }
        }
        Ok(())
    }

    /// The metrics listener's address, or None when metrics are off.
    pub fn metrics_listen(&self) -> Option<SocketAddr> {
        self.metrics.listen.trim().parse().ok()
    }
}

/// S3's bucket naming rule: 3–63 lowercase letters, digits, '-' and '.', starting and ending with a
/// letter or digit.
fn is_s3_bucket_name(name: &str) -> bool {
    (3..=63).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.')
        && name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name.ends_with(|c: char| c.is_ascii_alphanumeric())
}

impl Default for DemoConfig {
    fn default() -> Self {
        Self {
            password: SecretString::from("password123"),
        }
    }
}

/// A configuration problem, naming the key it is about.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("configuration file {path}: {message}")]
    File { path: PathBuf, message: String },
    #[error("configuration: {0}")]
    Parse(String),
    #[error("configuration key `{key}`: {message}")]
    Invalid { key: &'static str, message: String },
}

/// Where configuration comes from. Tests pass their own environment instead of the process's.
pub struct ConfigSources<'a> {
    pub file: Option<&'a Path>,
    pub env: Vec<(String, String)>,
}

impl ConfigSources<'_> {
    /// The process environment plus an optional `--config` file (else `PMO_CONFIG`).
    pub fn from_process(file: Option<&Path>) -> ConfigSources<'_> {
        ConfigSources {
            file,
            env: std::env::vars().collect(),
        }
    }
}

impl Config {
    /// Loads defaults → file → environment, then validates.
    pub fn load(sources: &ConfigSources<'_>) -> Result<Config, ConfigError> {
        let env_file = sources
            .env
            .iter()
            .find(|(k, _)| k == "PMO_CONFIG")
            .map(|(_, v)| PathBuf::from(v));
        let file = sources.file.map(Path::to_path_buf).or(env_file);

        let mut figment = Figment::from(Serialized::defaults(Config::default()));
        if let Some(path) = &file {
            if !path.is_file() {
                return Err(ConfigError::File {
                    path: path.clone(),
                    message: "not found or not a file".to_owned(),
                });
            }
            figment = figment.merge(Toml::file_exact(path));
        }
        // The conventional unprefixed names are honoured below their PMO_ equivalents.
        figment = figment.merge(env_provider(&sources.env, Unprefixed));
        figment = figment.merge(env_provider(&sources.env, Prefixed));

        let config: Config = figment
            .extract()
            .map_err(|err| describe_figment_error(&err))?;
        config.validate()?;
        Ok(config)
    }

    /// Checks what serde cannot: ranges, formats and combinations.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let invalid = |key, message: &str| {
            Err(ConfigError::Invalid {
                key,
                message: message.to_owned(),
            })
        };
        if self.database.max_connections == 0 || self.database.max_connections > 500 {
            return invalid("database.max_connections", "must be between 1 and 500");
        }
        if self.database.cached_plan_connections == 0 || self.database.cached_plan_connections > 500
        {
            return invalid(
                "database.cached_plan_connections",
                "must be between 1 and 500",
            );
        }
        if self
            .database
            .min_connections
            .is_some_and(|min| min > self.database.max_connections)
        {
            return invalid(
                "database.min_connections",
                "must not exceed database.max_connections",
            );
        }
        if self.database.acquire_timeout_secs == 0 || self.database.connect_timeout_secs == 0 {
            return invalid(
                "database.connect_timeout_secs",
                "timeouts must be at least 1 second",
            );
        }
        for (key, url) in [
            ("database.url", &self.database.url),
            ("database.replica_url", &self.database.replica_url),
        ] {
            if let Some(url) = url {
                let parsed =
                    url::Url::parse(url.expose_secret()).map_err(|err| ConfigError::Invalid {
                        key,
                        message: format!("not a URL: {err}"),
                    })?;
                if !matches!(parsed.scheme(), "postgres" | "postgresql") {
                    return invalid(key, "must start with postgres:// or postgresql://");
                }
            }
        }
        if self.database.replica_url.is_some() && self.database.url.is_none() {
            return invalid(
                "database.replica_url",
                "needs database.url (the managed cluster has no replica)",
            );
        }
        if !is_tenant_slug(&self.default_tenant) {
            return invalid(
                "default_tenant",
                "must be a tenant slug: lowercase letters, digits and '-', 2–63 characters",
            );
        }
        if self.http.body_limit_bytes < 1024 {
            return invalid("http.body_limit_bytes", "must be at least 1024");
        }
        // (tokio's semaphore panics past usize::MAX >> 3 permits; no box serves 100,000 at once.)
        if !(1..=100_000).contains(&self.http.max_in_flight) {
            return invalid("http.max_in_flight", "must be between 1 and 100000");
        }
        if self.http.request_timeout_secs == 0 {
            return invalid("http.request_timeout_secs", "must be at least 1");
        }
        for origin in &self.http.cors_allowed_origins {
            let parsed = url::Url::parse(origin).map_err(|err| ConfigError::Invalid {
                key: "http.cors_allowed_origins",
                message: format!("`{origin}` is not an origin: {err}"),
            })?;
            if parsed.origin().ascii_serialization() != origin.trim_end_matches('/') {
                return invalid(
                    "http.cors_allowed_origins",
                    "entries must be exact origins such as https://app.example.com (scheme, host and port only)",
                );
            }
        }
        if tracing_subscriber::EnvFilter::try_new(&self.log.level).is_err() {
            return invalid(
                "log.level",
                "not a valid filter (examples: info, debug, pmo=debug,sqlx=warn)",
            );
        }
        let auth = &self.auth;
        if auth.access_token_ttl_secs < 30 || auth.access_token_ttl_secs > 7 * 24 * 3600 {
            return invalid(
                "auth.access_token_ttl_secs",
                "must be between 30 seconds and 7 days",
            );
        }
        if auth.refresh_token_ttl_secs < auth.access_token_ttl_secs {
            return invalid(
                "auth.refresh_token_ttl_secs",
                "must be at least auth.access_token_ttl_secs",
            );
        }
        if auth.session_max_age_secs < auth.refresh_token_ttl_secs {
            return invalid(
                "auth.session_max_age_secs",
                "must be at least auth.refresh_token_ttl_secs",
            );
        }
        if auth.max_failed_logins == 0 || auth.max_failed_logins_per_ip == 0 {
            return invalid("auth.max_failed_logins", "must be at least 1");
        }
        if auth.lockout_secs == 0
            || auth.password_reset_ttl_secs < 60
            || auth.invitation_ttl_secs < 60
        {
            return invalid(
                "auth.lockout_secs",
                "lockout and link lifetimes must be positive (links: at least 60 s)",
            );
        }
        match &auth.token_secret {
            Some(secret) if secret.expose_secret().len() < 32 => {
                return invalid(
                    "auth.token_secret",
                    "must be at least 32 characters (e.g. `openssl rand -base64 48`)",
                );
            }
            None if self.environment == Environment::Production => {
                return invalid(
                    "auth.token_secret",
                    "must be set in production, identical on every instance (e.g. `openssl rand -base64 48`)",
                );
            }
            _ => {}
        }
        if let Some(public_url) = &self.public_url {
            let parsed = url::Url::parse(public_url).map_err(|err| ConfigError::Invalid {
                key: "public_url",
                message: format!("not a URL: {err}"),
            })?;
            if !matches!(parsed.scheme(), "http" | "https") {
                return invalid("public_url", "must be an http:// or https:// URL");
            }
        }
        if self.managed_postgres.run_as_user.trim().is_empty() {
            return invalid(
                "managed_postgres.run_as_user",
                "must name an operating-system user",
            );
        }
        if self.demo.password.expose_secret().len() < 8 {
            return invalid("demo.password", "must be at least 8 characters");
        }
        self.storage.validate()?;
        self.validate_platform()?;
        Ok(())
    }

    /// Resolves a path that may be relative to the data directory.
    pub fn data_path(&self, path: &Path) -> PathBuf {
        if path.is_absolute() {
            path.to_path_buf()
        } else {
            self.data_dir.join(path)
        }
    }

    /// Base URL for links in e-mails, without a trailing slash.
    pub fn public_base_url(&self) -> String {
        match &self.public_url {
            Some(url) => url.trim_end_matches('/').to_owned(),
            None => format!("http://{}", self.listen),
        }
    }

    /// Whether the binary manages its own PostgreSQL cluster (no database URL configured).
    pub fn uses_managed_postgres(&self) -> bool {
        self.database.url.is_none()
    }

    pub fn log_as_json(&self) -> bool {
        match self.log.format {
            LogFormat::Json => true,
            LogFormat::Pretty => false,
            LogFormat::Auto => self.environment == Environment::Production,
        }
    }
}

/// Tenant slugs: lowercase letters, digits and hyphens, starting with a letter or digit.
pub fn is_tenant_slug(value: &str) -> bool {
    let bytes = value.as_bytes();
    (2..=63).contains(&bytes.len())
        && bytes[0].is_ascii_alphanumeric()
        && bytes
            .iter()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-')
}

#[derive(Clone, Copy)]
struct Prefixed;
#[derive(Clone, Copy)]
struct Unprefixed;

trait EnvFlavour: Copy {
    /// The config key for an environment variable, or None when the variable is not ours.
    fn key(self, name: &str) -> Option<String>;
    fn describe(self) -> &'static str;
}

impl EnvFlavour for Prefixed {
    fn key(self, name: &str) -> Option<String> {
        let rest = name.strip_prefix("PMO_")?.to_ascii_lowercase();
        // PMO_TEST_* variables belong to the test suites (service addresses), not to configuration.
        if RESERVED_ENV.contains(&rest.as_str()) || rest.starts_with("test_") {
            return None;
        }
        let aliased = ENV_ALIASES
            .iter()
            .find(|(alias, _)| *alias == rest)
            .map(|(_, key)| (*key).to_owned());
        Some(aliased.unwrap_or_else(|| rest.replace("__", ".")))
    }

    fn describe(self) -> &'static str {
        "PMO_* environment variables"
    }
}

impl EnvFlavour for Unprefixed {
    fn key(self, name: &str) -> Option<String> {
        match name {
            "DATABASE_URL" => Some("database.url".to_owned()),
            "REDIS_URL" => Some("cache.redis_url".to_owned()),
            _ => None,
        }
    }

    fn describe(self) -> &'static str {
        "DATABASE_URL/REDIS_URL environment variables"
    }
}

/// Environment variables as a figment provider. Figment's own `Env` reads the process environment;
/// this one reads the list it is given, so tests can pass their own.
struct EnvList {
    name: &'static str,
    vars: Vec<(String, String)>,
}

fn env_provider(vars: &[(String, String)], flavour: impl EnvFlavour) -> EnvList {
    let vars = vars
        .iter()
        .filter_map(|(name, value)| flavour.key(name).map(|key| (key, value.clone())))
        .collect();
    EnvList {
        name: flavour.describe(),
        vars,
    }
}

impl figment::Provider for EnvList {
    fn metadata(&self) -> figment::Metadata {
        figment::Metadata::named(self.name)
    }

    fn data(
        &self,
    ) -> Result<figment::value::Map<figment::Profile, figment::value::Dict>, figment::Error> {
        let mut dict = figment::value::Dict::new();
        for (key, raw) in &self.vars {
            // Same value parsing as figment's `Env`: numbers, booleans and arrays are recognised.
            let value: figment::value::Value = raw.parse().unwrap_or_else(|_| raw.clone().into());
            insert_at_path(&mut dict, key, value);
        }
        Ok(figment::Profile::Default.collect(dict))
    }
}

fn insert_at_path(dict: &mut figment::value::Dict, path: &str, value: figment::value::Value) {
    match path.split_once('.') {
        None => {
            dict.insert(path.to_owned(), value);
        }
        Some((head, rest)) => {
            let entry = dict
                .entry(head.to_owned())
                .or_insert_with(|| figment::value::Value::from(figment::value::Dict::new()));
            if let figment::value::Value::Dict(_, inner) = entry {
                insert_at_path(inner, rest, value);
            } else {
                *entry = figment::util::nest(rest, value);
            }
        }
    }
}

fn describe_figment_error(err: &figment::Error) -> ConfigError {
    let key = if err.path.is_empty() {
        None
    } else {
        Some(err.path.join("."))
    };
    let message = err.kind.to_string();
    match key {
        Some(key) => ConfigError::Parse(format!("key `{key}`: {message}{}", source_suffix(err))),
        None => ConfigError::Parse(format!("{message}{}", source_suffix(err))),
    }
}

fn source_suffix(err: &figment::Error) -> String {
    err.metadata
        .as_ref()
        .map(|m| format!(" (from {})", m.name))
        .unwrap_or_default()
}

fn serialize_secret_option<S: serde::Serializer>(
    value: &Option<SecretString>,
    s: S,
) -> Result<S::Ok, S::Error> {
    value
        .as_ref()
        .map(|v| v.expose_secret().to_owned())
        .serialize(s)
}

fn serialize_ip_ranges<S: serde::Serializer>(
    ranges: &[ipnet::IpNet],
    s: S,
) -> Result<S::Ok, S::Error> {
    s.collect_seq(ranges.iter().map(ToString::to_string))
}

/// CIDR ranges such as `10.0.0.0/16` or `2001:db8::/32`; a bare address is that one host. The
/// error names the offending entry (figment adds the key).
fn deserialize_ip_ranges<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Vec<ipnet::IpNet>, D::Error> {
    let entries = Vec::<String>::deserialize(d)?;
    entries
        .iter()
        .map(|entry| {
            let entry = entry.trim();
            entry
                .parse::<ipnet::IpNet>()
                .or_else(|_| entry.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                .map(|range| range.trunc())
                .map_err(|_| {
                    serde::de::Error::custom(format!(
                        "`{entry}` is not a CIDR range such as 10.0.0.0/16 or 2001:db8::/32"
                    ))
                })
        })
        .collect()
}

fn serialize_secret<S: serde::Serializer>(value: &SecretString, s: S) -> Result<S::Ok, S::Error> {
    value.expose_secret().serialize(s)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use std::io::Write;

    use secrecy::ExposeSecret;

    use super::*;

    fn load(file: Option<&Path>, env: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let env = env
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        Config::load(&ConfigSources { file, env })
    }

    fn toml_file(contents: &str) -> tempfile::NamedTempFile {
        let mut file = tempfile::NamedTempFile::new().unwrap();
        file.write_all(contents.as_bytes()).unwrap();
        file
    }

    #[test]
    fn defaults_need_no_configuration() {
        let config = load(None, &[]).unwrap();
        assert_eq!(config.listen.to_string(), "127.0.0.1:4000");
        assert_eq!(config.data_dir, PathBuf::from("./data"));
        assert!(config.uses_managed_postgres());
        assert_eq!(config.database.max_connections, 20);
        assert_eq!(config.database.idle_timeout_secs, 30);
        assert_eq!(
            config.database.min_connections, None,
            "a server keeps every connection"
        );
        assert!(config.http.cors_allowed_origins.is_empty());
    }

    #[test]
    fn file_then_environment_override_defaults() {
        let file = toml_file(
            "listen = \"127.0.0.1:5000\"\ndata_dir = \"/srv/pmo\"\n[database]\nmax_connections = 10\n",
        );
        let config = load(Some(file.path()), &[("PMO_LISTEN", "127.0.0.1:6000")]).unwrap();
        assert_eq!(
            config.listen.to_string(),
            "127.0.0.1:6000",
            "environment beats the file"
        );
        assert_eq!(
            config.data_dir,
            PathBuf::from("/srv/pmo"),
            "the file beats defaults"
        );
        assert_eq!(config.database.max_connections, 10);
    }

    #[test]
    fn pmo_config_variable_names_the_file() {
        let file = toml_file("default_tenant = \"acme\"\n");
        let config = load(None, &[("PMO_CONFIG", file.path().to_str().unwrap())]).unwrap();
        assert_eq!(config.default_tenant, "acme");
    }

    #[test]
    fn database_url_aliases_and_precedence() {
        let plain = load(None, &[("DATABASE_URL", "postgres://a@h1/db")]).unwrap();
        assert_eq!(
            plain.database.url.unwrap().expose_secret(),
            "postgres://a@h1/db"
        );
        let both = load(
            None,
            &[
                ("DATABASE_URL", "postgres://a@h1/db"),
                ("PMO_DATABASE_URL", "postgres://b@h2/db"),
            ],
        )
        .unwrap();
        assert_eq!(
            both.database.url.unwrap().expose_secret(),
            "postgres://b@h2/db"
        );
        let nested = load(
            None,
            &[(
                "PMO_HTTP__CORS_ALLOWED_ORIGINS",
                "[\"https://app.example.com\"]",
            )],
        )
        .unwrap();
        assert_eq!(
            nested.http.cors_allowed_origins,
            vec!["https://app.example.com"]
        );
    }

    #[test]
    fn unknown_keys_and_bad_values_are_named() {
        let file = toml_file("[database]\nmax_conections = 5\n");
        let err = load(Some(file.path()), &[]).unwrap_err().to_string();
        assert!(err.contains("max_conections"), "{err}");

        let err = load(None, &[("PMO_HTTP__REQUEST_TIMEOUT_SECS", "soon")])
            .unwrap_err()
            .to_string();
        assert!(err.contains("http.request_timeout_secs"), "{err}");
        let err = load(
            None,
            &[
                ("PMO_DATABASE__MAX_CONNECTIONS", "10"),
                ("PMO_DATABASE__MIN_CONNECTIONS", "11"),
            ],
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("database.min_connections"), "{err}");
        let fewer = load(None, &[("PMO_DATABASE__MIN_CONNECTIONS", "4")]).unwrap();
        assert_eq!(fewer.database.min_connections, Some(4));
        for bad in ["0", "100001", "4611686018427387904"] {
            let err = load(None, &[("PMO_HTTP__MAX_IN_FLIGHT", bad)])
                .unwrap_err()
                .to_string();
            assert!(err.contains("http.max_in_flight"), "{bad}: {err}");
            let err = load(None, &[("PMO_DATABASE__CACHED_PLAN_CONNECTIONS", bad)])
                .unwrap_err()
                .to_string();
            assert!(
                err.contains("database.cached_plan_connections"),
                "{bad}: {err}"
            );
        }

        let err = load(
            None,
            &[(
                "PMO_HTTP__CORS_ALLOWED_ORIGINS",
                "[\"https://a.example.com/path\"]",
            )],
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("http.cors_allowed_origins"), "{err}");

        let err = load(None, &[("PMO_DATABASE_REPLICA_URL", "postgres://r@h/db")])
            .unwrap_err()
            .to_string();
        assert!(err.contains("database.replica_url"), "{err}");
    }

    #[test]
    fn trusted_proxies_are_cidr_ranges_checked_at_start_up() {
        assert!(load(None, &[]).unwrap().http.trusted_proxies.is_empty());
        let config = load(
            None,
            &[(
                "PMO_HTTP__TRUSTED_PROXIES",
                "[\"10.0.0.0/16\", \"2001:db8::/32\", \"192.168.1.7\", \"172.16.5.4/12\"]",
            )],
        )
        .unwrap();
        let ranges: Vec<String> = config
            .http
            .trusted_proxies
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            ranges,
            [
                "10.0.0.0/16",
                "2001:db8::/32",
                "192.168.1.7/32",
                "172.16.0.0/12"
            ]
        );
        let file = toml_file("[http]\ntrusted_proxies = [\"10.1.0.0/16\"]\n");
        let config = load(Some(file.path()), &[]).unwrap();
        assert_eq!(config.http.trusted_proxies[0].to_string(), "10.1.0.0/16");

        for bad in [
            "[\"10.0.0.0/33\"]",
            "[\"10.0.0/16\"]",
            "[\"vpc\"]",
            "[\"10.0.0.0/16\", \"\"]",
        ] {
            let err = load(None, &[("PMO_HTTP__TRUSTED_PROXIES", bad)])
                .unwrap_err()
                .to_string();
            assert!(err.contains("http.trusted_proxies"), "{bad}: {err}");
            assert!(err.contains("not a CIDR range"), "{bad}: {err}");
        }
        let file = toml_file("[http]\ntrusted_proxies = [\"10.1.0.0/-1\"]\n");
        let err = load(Some(file.path()), &[]).unwrap_err().to_string();
        assert!(err.contains("http.trusted_proxies"), "{err}");
    }

    #[test]
    fn secrets_never_show_in_debug_output() {
        let config = load(
            None,
            &[
                ("PMO_DATABASE_URL", "postgres://app:hunter2-secret@db/app"),
                ("PMO_DEMO_PASSWORD", "demo-secret-pw"),
            ],
        )
        .unwrap();
        let debug = format!("{config:?}");
        assert!(
            !debug.contains("hunter2-secret") && !debug.contains("demo-secret-pw"),
            "{debug}"
        );
    }

    #[test]
    fn the_example_file_is_valid_and_matches_the_defaults() {
        let file = toml_file(include_str!("../../../pmo.example.toml"));
        let from_file = load(Some(file.path()), &[]).unwrap();
        let defaults = load(None, &[]).unwrap();
        assert_eq!(format!("{from_file:?}"), format!("{defaults:?}"));
    }

    #[test]
    fn platform_settings_are_validated_by_key() {
        for (env, key) in [
            (("PMO_REDIS_URL", "http://cache:6379"), "cache.redis_url"),
            (("PMO_SMTP_URL", "mailto:ops@example.com"), "mail.smtp_url"),
            (
                ("PMO_MAIL__FROM_ADDRESS", "not an address"),
                "mail.from_address",
            ),
            (("PMO_JOBS__POLL_INTERVAL_MS", "1"), "jobs.poll_interval_ms"),
            (("PMO_JOBS__MAX_ATTEMPTS", "0"), "jobs.max_attempts"),
            (("PMO_METRICS__LISTEN", "everywhere"), "metrics.listen"),
            (("PMO_METRICS__LISTEN", "127.0.0.1:4000"), "metrics.listen"),
            (
                ("PMO_BACKUP__ENCRYPTION_KEY", "short"),
                "backup.encryption_key",
            ),
            (("PMO_BACKUP__KEEP_DAYS", "0"), "backup.keep_days"),
            (("PMO_BACKUP__SCHEDULE_HOUR", "24"), "backup.schedule_hour"),
            (
                ("PMO_BACKUP__S3_BUCKET", "Backups_Bucket"),
                "backup.s3_bucket",
            ),
            (("PMO_BACKUP__S3_BUCKET", "ab"), "backup.s3_bucket"),
        ] {
            let err = load(None, &[env]).unwrap_err().to_string();
            assert!(err.contains(key), "{env:?}: {err}");
        }
        let off = load(None, &[("PMO_METRICS__LISTEN", "")]).unwrap();
        assert_eq!(off.metrics_listen(), None);
        let on = load(None, &[]).unwrap();
        assert_eq!(on.metrics_listen().unwrap().to_string(), "127.0.0.1:9464");
        let secret = load(
            None,
            &[(
                "PMO_BACKUP__ENCRYPTION_KEY",
                "backup-secret-0123456789abcdefghijkl",
            )],
        )
        .unwrap();
        assert!(!format!("{secret:?}").contains("backup-secret"));
        // Backups in their own bucket: any valid name but the main storage bucket.
        let own = load(None, &[("PMO_BACKUP__S3_BUCKET", "pmo-prod-backups")]).unwrap();
        assert_eq!(own.backup.s3_bucket.as_deref(), Some("pmo-prod-backups"));
        let err = load(
            None,
            &[
                ("PMO_STORAGE__BACKEND", "s3"),
                ("PMO_STORAGE__BUCKET", "pmo-files"),
                ("PMO_BACKUP__S3_BUCKET", "pmo-files"),
            ],
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("backup.s3_bucket") && err.contains("storage.bucket"),
            "{err}"
        );
    }

    #[test]
    fn tenant_slugs() {
        assert!(is_tenant_slug("demo") && is_tenant_slug("acme-2"));
        assert!(
            !is_tenant_slug("a")
                && !is_tenant_slug("-x")
                && !is_tenant_slug("Demo")
                && !is_tenant_slug("a b")
        );
    }
}
