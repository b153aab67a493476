//! Logging: pretty in development, JSON in production, optionally also to daily-rotated files.

use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

use crate::config::Config;

/// Keeps the background log writer alive; dropping it flushes the file.
pub struct LogGuard {
    _file: Option<WorkerGuard>,
}

/// Installs the global subscriber. `default_level` is used when the configuration keeps its
/// default (`info`) — CLI commands pass `warn` so their output stays readable.
pub fn init(config: &Config, quiet: bool) -> anyhow::Result<LogGuard> {
    let level = if quiet && config.log.level == "info" {
        "warn"
    } else {
        config.log.level.as_str()
    };
    let filter = EnvFilter::try_new(level)?;
    let json = config.log_as_json();

    let stderr_layer = if json {
        tracing_subscriber::fmt::layer()
            .json()
            .with_current_span(true)
            .with_writer(std::io::stderr)
            .boxed()
    } else {
        tracing_subscriber::fmt::layer()
            .with_writer(std::io::stderr)
            .boxed()
    };

    let (file_layer, guard) = match &config.log.file {
        Some(dir) => {
            let dir = config.data_path(dir);
            std::fs::create_dir_all(&dir)?;
            let appender = tracing_appender::rolling::Builder::new()
                .rotation(tracing_appender::rolling::Rotation::DAILY)
                .filename_prefix("pmo")
                .filename_suffix("log")
                .max_log_files(config.log.file_keep.max(1))
                .build(&dir)?;
            let (writer, guard) = tracing_appender::non_blocking(appender);
            // Files are always JSON: they are read by tools, not people.
            let layer = tracing_subscriber::fmt::layer()
                .json()
                .with_current_span(true)
                .with_writer(writer)
                .boxed();
            (Some(layer), Some(guard))
        }
        None => (None, None),
    };

    tracing_subscriber::registry()
        .with(filter)
        .with(stderr_layer)
        .with(file_layer)
        .try_init()?;
    Ok(LogGuard { _file: guard })
}

use tracing_subscriber::Layer as _;
