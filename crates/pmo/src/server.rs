//! `pmo serve`: bind, connect, optionally migrate and seed, serve until a shutdown signal, then
//! finish in-flight requests and stop the managed database cleanly.

use std::time::Duration;

use anyhow::Context;
use tokio::net::TcpListener;

use crate::config::Config;
use crate::db::{self, Database, Keep};
use crate::seed;
use crate::state::AppState;

pub struct ServeOptions {
    /// Apply pending migrations before serving (`serve --dev`).
    pub migrate: bool,
    /// Load the demo tenant before serving (`make run`).
    pub seed_demo: bool,
}

pub async fn serve(config: Config, options: ServeOptions) -> anyhow::Result<()> {
    // Bind first: a busy port fails in milliseconds, before a database is started for nothing.
    let listener = TcpListener::bind(config.listen).await.map_err(|err| {
        anyhow::anyhow!(
            "cannot listen on {}: {err} (set PMO_LISTEN or `listen` in the config file to another address)",
            config.listen
        )
    })?;
    let address = listener.local_addr()?;
    // The metrics listener too. A busy port stops a production server (naming `metrics.listen`);
    // in development (several local servers, tests) it only turns metrics off for this process.
    let metrics_listener = match config.metrics_listen() {
        Some(metrics_address) => match crate::metrics::bind(metrics_address).await {
            Ok(bound) => Some(bound),
            Err(err) if config.environment == crate::config::Environment::Production => {
                return Err(err);
            }
            Err(err) => {
                tracing::warn!(error = %err, "metrics are off for this process");
                None
            }
        },
        None => None,
    };

    let database = Database::open(&config, Keep::Configured).await?;
    tracing::info!(database = %database.description, "database connected");
    let outcome = run(config, options, listener, metrics_listener, &database).await;
    database.close().await;
    outcome.map(|()| tracing::info!(%address, "stopped"))
}

async fn run(
    config: Config,
    options: ServeOptions,
    listener: TcpListener,
    metrics_listener: Option<TcpListener>,
    database: &Database,
) -> anyhow::Result<()> {
    let pool = database.pool.clone();
    if options.migrate {
        let applied = db::migrate(&pool).await?;
        tracing::info!(applied, "migrations applied");
    }
    if options.seed_demo {
        let report = seed::seed_demo(&pool, &config)
            .await
            .context("loading the demo data failed")?;
        tracing::info!(
            employees = report.employees,
            projects = report.projects,
            tasks = report.tasks,
            "demo data ready"
        );
    }
    let grace = Duration::from_secs(config.http.shutdown_grace_secs);
    let state = AppState::new(config.clone(), pool.clone(), database.cached_plans.clone())?;
    // Job worker, mailer, scheduler and cache invalidation listener run beside the HTTP server.
    let background = crate::jobs::BackgroundTasks::start(&state)?;
    let (metrics_stop, metrics_stopped) = tokio::sync::watch::channel(false);
    let metrics = metrics_listener.map(|metrics_listener| {
        if let Ok(metrics_address) = metrics_listener.local_addr() {
            tracing::info!(%metrics_address, "metrics listening on /metrics");
        }
        tokio::spawn(crate::metrics::serve(
            metrics_listener,
            pool,
            database.cached_plans.clone(),
            metrics_stopped,
        ))
    });
    let app = crate::build_app(state);
    let address = listener.local_addr()?;

    tracing::info!(%address, "listening");
    // The banner goes to stdout so `make run` shows it whatever the log settings are.
    println!("PMO is running at http://{address}/");
    if options.seed_demo {
        println!("{}", seed::demo_login(&config));
    }

    let (signal_tx, mut signal_rx) = tokio::sync::watch::channel(false);
    let server = axum::serve(
        listener,
        app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(async move {
        shutdown_signal().await;
        tracing::info!("shutdown signal received; finishing in-flight requests");
        let _ = signal_tx.send(true);
    });

    // In-flight requests get `grace` to finish after the signal; then we stop regardless.
    let deadline = async move {
        let _ = signal_rx.wait_for(|received| *received).await;
        tokio::time::sleep(grace).await;
    };
    let served = tokio::select! {
        result = server => result.context("the HTTP server failed"),
        () = deadline => {
            tracing::warn!(grace_secs = grace.as_secs(), "requests still running after the grace period; stopping");
            Ok(())
        }
    };
    // Background work stops at a safe point (a running job gets the same grace), then metrics.
    background.shutdown().await;
    let _ = metrics_stop.send(true);
    if let Some(metrics) = metrics {
        match metrics.await {
            Ok(Err(err)) => tracing::warn!(error = %err, "the metrics listener failed"),
            Err(err) => tracing::warn!(error = %err, "the metrics listener ended abnormally"),
            Ok(Ok(())) => {}
        }
    }
    served
}

/// Completes on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
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
