//! Outbox delivery: takes due `app.mail_outbox` rows and sends them over SMTP (or into the
//! development mailbox when no SMTP is configured and a row was queued without immediate delivery).
//!
//! Exactly once in normal operation, with any number of instances: a row is claimed by moving its
//! `next_attempt_ts` past a lease inside `FOR UPDATE SKIP LOCKED`, so no other instance sees it
//! until this one has recorded the outcome. Failures are retried with exponential backoff
//! (`mail.retry_base_secs` doubling up to `mail.retry_max_secs`); after `mail.max_attempts`, or at
//! once for a permanent SMTP refusal (5xx, bad address), the row becomes `failed`. The
//! `Message-ID` is derived from the outbox id, so if an instance dies between the SMTP server's
//! "250 OK" and recording it, the one redelivery carries the same id for receivers to collapse.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use lettre::message::header::ContentType;
use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use secrecy::ExposeSecret;
use sqlx::PgPool;
use uuid::Uuid;

use crate::config::Config;
use crate::jobs::queue::backoff;

/// How long a readiness answer about SMTP is reused (probes come every few seconds).
const CHECK_CACHE: Duration = Duration::from_secs(15);

/// Where mail goes.
pub struct Transport {
    kind: TransportKind,
    from: Mailbox,
    last_check: tokio::sync::Mutex<Option<(Instant, Result<(), String>)>>,
}

enum TransportKind {
    DevMailbox,
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
}

impl Transport {
    /// SMTP when `mail.smtp_url` is set, else the development mailbox. A URL lettre cannot use is
    /// a start-up error naming the key; an unreachable server is not (mail waits in the outbox).
    pub fn from_config(config: &Config) -> anyhow::Result<Arc<Transport>> {
        let from: Mailbox = config.mail.from_address.parse().map_err(|err| {
            anyhow::anyhow!("configuration key `mail.from_address` is not an address: {err}")
        })?;
        let kind = match &config.mail.smtp_url {
            None => TransportKind::DevMailbox,
            Some(url) => {
                let builder = AsyncSmtpTransport::<Tokio1Executor>::from_url(url.expose_secret())
                    .map_err(|err| {
                    anyhow::anyhow!("configuration key `mail.smtp_url` is not usable: {err}")
                })?;
                TransportKind::Smtp(
                    builder
                        .timeout(Some(Duration::from_secs(config.mail.smtp_timeout_secs)))
                        .build(),
                )
            }
        };
        Ok(Arc::new(Transport {
            kind,
            from,
            last_check: tokio::sync::Mutex::new(None),
        }))
    }

    pub fn name(&self) -> &'static str {
        match self.kind {
            TransportKind::DevMailbox => "dev-mailbox",
            TransportKind::Smtp(_) => "smtp",
        }
    }

    /// Readiness: SMTP answers (connect, EHLO, NOOP), remembered for a few seconds. The development
    /// mailbox is a database table, so it is as ready as the database.
    pub async fn check(&self, db: &PgPool) -> Result<(), String> {
        match &self.kind {
            TransportKind::DevMailbox => sqlx::query("SELECT 1 FROM app.dev_mailbox LIMIT 1")
                .execute(db)
                .await
                .map(|_| ())
                .map_err(|err| err.to_string()),
            TransportKind::Smtp(smtp) => {
                let mut last = self.last_check.lock().await;
                if let Some((at, result)) = last.as_ref()
                    && at.elapsed() < CHECK_CACHE
                {
                    return result.clone();
                }
                let result = match tokio::time::timeout(
                    Duration::from_secs(2),
                    smtp.test_connection(),
                )
                .await
                {
                    Ok(Ok(true)) => Ok(()),
                    Ok(Ok(false)) => Err("the SMTP server did not answer NOOP".to_owned()),
                    Ok(Err(err)) => Err(format!("SMTP: {err}")),
                    Err(_) => Err("SMTP: no answer within 2 s".to_owned()),
                };
                *last = Some((Instant::now(), result.clone()));
                result
            }
        }
    }
}

/// A claimed message.
#[derive(Debug, sqlx::FromRow)]
struct Claimed {
    id: Uuid,
    tenant_id: String,
    to_address: String,
    subject: String,
    body_text: String,
    body_html: Option<String>,
    attempts: i32,
}

/// What one delivery round did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct DeliveryReport {
    pub sent: usize,
    pub retried: usize,
    pub failed: usize,
}

impl DeliveryReport {
    pub fn total(&self) -> usize {
        self.sent + self.retried + self.failed
    }
}

/// Delivers up to `limit` due messages. Safe to run on every instance at once.
pub async fn deliver_due(
    db: &PgPool,
    config: &Config,
    transport: &Transport,
    limit: i64,
) -> Result<DeliveryReport, sqlx::Error> {
    // The lease outlasts one SMTP conversation, so nobody else takes the row meanwhile.
    let lease = config
        .mail
        .smtp_timeout_secs
        .saturating_mul(3)
        .saturating_add(60);
    let claimed: Vec<Claimed> = sqlx::query_as(
        "UPDATE app.mail_outbox SET next_attempt_ts = now() + make_interval(secs => $2),
                attempts = attempts + 1
         WHERE id IN (SELECT id FROM app.mail_outbox
                      WHERE status = 'queued' AND next_attempt_ts <= now()
                      ORDER BY next_attempt_ts LIMIT $1 FOR UPDATE SKIP LOCKED)
         RETURNING id, tenant_id, to_address, subject, body_text, body_html, attempts",
    )
    .bind(limit)
    .bind(lease as f64)
    .fetch_all(db)
    .await?;
    let mut report = DeliveryReport::default();
    for message in claimed {
        let outcome = send(transport, &message).await;
        match outcome {
            Ok(()) => {
                sqlx::query(
                    "UPDATE app.mail_outbox SET status = 'sent', sent_ts = now(), last_error = NULL
                     WHERE id = $1 AND status = 'queued'",
                )
                .bind(message.id)
                .execute(db)
                .await?;
                report.sent += 1;
                crate::metrics::mail_attempt(transport.name(), "sent");
                tracing::info!(mail.id = %message.id, tenant.id = %message.tenant_id, transport = transport.name(), "mail delivered");
            }
            Err(failure) => {
                let attempts_left =
                    i64::from(config.mail.max_attempts) - i64::from(message.attempts);
                let give_up = failure.permanent || attempts_left <= 0;
                let retry_in = backoff(
                    message.attempts,
                    Duration::from_secs(config.mail.retry_base_secs),
                    Duration::from_secs(config.mail.retry_max_secs),
                );
                sqlx::query(
                    "UPDATE app.mail_outbox SET
                        status = CASE WHEN $2 THEN 'failed' ELSE 'queued' END,
                        next_attempt_ts = now() + make_interval(secs => $3),
                        last_error = left($4, 2000)
                     WHERE id = $1 AND status = 'queued'",
                )
                .bind(message.id)
                .bind(give_up)
                .bind(retry_in.as_secs_f64())
                .bind(&failure.message)
                .execute(db)
                .await?;
                if give_up {
                    report.failed += 1;
                    crate::metrics::mail_attempt(transport.name(), "failed");
                    tracing::error!(mail.id = %message.id, tenant.id = %message.tenant_id, attempts = message.attempts, error = %failure.message, "mail delivery failed for good");
                } else {
                    report.retried += 1;
                    crate::metrics::mail_attempt(transport.name(), "retry");
                    tracing::warn!(mail.id = %message.id, attempts = message.attempts, retry_in_secs = retry_in.as_secs(), error = %failure.message, "mail delivery failed; will retry");
                }
            }
        }
    }
    Ok(report)
}

struct SendFailure {
    message: String,
    /// Retrying cannot help (the server refused for good, or the message cannot be built).
    permanent: bool,
}

async fn send(transport: &Transport, message: &Claimed) -> Result<(), SendFailure> {
    match &transport.kind {
        // `deliver_round` sends development-mailbox rows through `deliver_due_to_dev_mailbox`.
        TransportKind::DevMailbox => Err(SendFailure {
            message: "the development mailbox is not an SMTP transport".to_owned(),
            permanent: false,
        }),
        TransportKind::Smtp(smtp) => {
            let email = build_message(&transport.from, message).map_err(|err| SendFailure {
                message: format!("cannot build the message: {err:#}"),
                permanent: true,
            })?;
            smtp.send(email)
                .await
                .map(|_| ())
                .map_err(|err| SendFailure {
                    permanent: err.is_permanent(),
                    message: err.to_string(),
                })
        }
    }
}

fn build_message(from: &Mailbox, message: &Claimed) -> anyhow::Result<Message> {
    let to: Mailbox = message
        .to_address
        .parse()
        .with_context(|| format!("`{}` is not an address", message.to_address))?;
    let builder = Message::builder()
        .from(from.clone())
        .to(to)
        .subject(message.subject.clone())
        .message_id(Some(format!("<{}@pmo.outbox>", message.id)));
    let email = match &message.body_html {
        Some(html) => builder.multipart(MultiPart::alternative_plain_html(
            message.body_text.clone(),
            html.clone(),
        ))?,
        None => builder
            .header(ContentType::TEXT_PLAIN)
            .body(message.body_text.clone())?,
    };
    Ok(email)
}

/// Delivers due rows into the development mailbox (no SMTP configured): rows written by code
/// that did not deliver them in its own transaction.
pub async fn deliver_due_to_dev_mailbox(
    db: &PgPool,
    config: &Config,
    limit: i64,
) -> Result<usize, sqlx::Error> {
    let due: Vec<Uuid> = sqlx::query_scalar(
        "SELECT id FROM app.mail_outbox WHERE status = 'queued' AND next_attempt_ts <= now()
         ORDER BY next_attempt_ts LIMIT $1",
    )
    .bind(limit)
    .fetch_all(db)
    .await?;
    let mut delivered = 0;
    for id in due {
        if crate::mail::deliver_to_dev_mailbox(db, id, &config.mail.from_address).await? {
            delivered += 1;
            crate::metrics::mail_attempt("dev-mailbox", "sent");
        }
    }
    Ok(delivered)
}

/// One round with whichever transport is configured.
pub async fn deliver_round(
    db: &PgPool,
    config: &Config,
    transport: &Transport,
) -> Result<usize, sqlx::Error> {
    match transport.kind {
        TransportKind::DevMailbox => deliver_due_to_dev_mailbox(db, config, 50).await,
        TransportKind::Smtp(_) => Ok(deliver_due(db, config, transport, 20).await?.total()),
    }
}

/// Deletes sent mail older than `keep_days` (failed mail stays until someone looks at it).
pub async fn cleanup(db: &PgPool, keep_days: u32) -> Result<u64, sqlx::Error> {
    let deleted = sqlx::query(
        "DELETE FROM app.mail_outbox WHERE status = 'sent' AND sent_ts < now() - make_interval(days => $1)",
    )
    .bind(i32::try_from(keep_days).unwrap_or(i32::MAX))
    .execute(db)
    .await?;
    Ok(deleted.rows_affected())
}
