//! The retention job: deletes objects nobody can reach any more.
//!
//! - Abandoned uploads: `pending` (never confirmed) or `failed` (refused) uploads older than
//!   `storage.pending_upload_ttl_secs` (7 days). Their object (and any unfinished multipart upload)
//!   is deleted, then their rows — artifact, registry entry, links, grants — in one transaction. A
//!   row other versions use as their chain's root stays, marked failed.
//! - Deleted files: artifacts soft-deleted more than `storage.deleted_retention_secs` ago. Their
//!   object is deleted; the record stays for history (`upload_status` failed,
//!   `metadata.storage_purged_ts` set), so restoring it later gives a record without bytes.
//!
//! `pmo storage purge` runs it once; the jobs scheduler calls `purge`.

use serde::Serialize;
use serde_json::json;
use sqlx::PgPool;
use uuid::Uuid;

use crate::artifact::db::{self, PurgeCandidate};
use crate::audit::{self, AuditEntry};
use crate::config::StorageConfig;
use crate::http::extract::RequestMeta;
use crate::storage::Storage;

/// Rows fetched per round trip.
const BATCH: i64 = 200;

#[derive(Debug, Clone, Default, Serialize)]
pub struct PurgeReport {
    /// Abandoned uploads removed (object and rows; a chain root keeps its row).
    pub abandoned_uploads: Vec<PurgedObject>,
    /// Deleted files whose object was removed.
    pub deleted_files: Vec<PurgedObject>,
    /// What could not be purged this time (tried again on the next run).
    pub failures: Vec<String>,
}

impl PurgeReport {
    pub fn is_empty(&self) -> bool {
        self.abandoned_uploads.is_empty()
            && self.deleted_files.is_empty()
            && self.failures.is_empty()
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct PurgedObject {
    pub tenant_id: String,
    pub artifact_id: Uuid,
    pub storage_key: String,
    /// The upload state the record had.
    pub upload_status: String,
    /// Whether the row was removed (abandoned uploads that are no chain's root).
    pub row_removed: bool,
}

fn job_meta() -> RequestMeta {
    RequestMeta {
        ip: None,
        user_agent: Some("pmo retention job".to_owned()),
        request_id: None,
    }
}

/// Runs the retention rules once, over every tenant.
pub async fn purge(
    db: &PgPool,
    storage: &Storage,
    settings: &StorageConfig,
) -> anyhow::Result<PurgeReport> {
    let mut report = PurgeReport::default();
    let pending_ttl = i64::try_from(settings.pending_upload_ttl_secs).unwrap_or(i64::MAX);
    let deleted_ttl = i64::try_from(settings.deleted_retention_secs).unwrap_or(i64::MAX);

    let mut after: Option<(String, Uuid)> = None;
    loop {
        let batch = db::abandoned_uploads(
            db,
            pending_ttl,
            after.as_ref().map(|(t, id)| (t.as_str(), *id)),
            BATCH,
        )
        .await?;
        let Some(last) = batch.last() else { break };
        after = Some((last.tenant_id.clone(), last.id));
        for candidate in batch {
            match purge_abandoned(db, storage, &candidate).await {
                Ok(Some(purged)) => report.abandoned_uploads.push(purged),
                Ok(None) => {}
                Err(err) => report.failures.push(format!(
                    "{} artifact {}: {err:#}",
                    candidate.tenant_id, candidate.id
                )),
            }
        }
    }

    let mut after: Option<(String, Uuid)> = None;
    loop {
        let batch = db::expired_deletions(
            db,
            deleted_ttl,
            after.as_ref().map(|(t, id)| (t.as_str(), *id)),
            BATCH,
        )
        .await?;
        let Some(last) = batch.last() else { break };
        after = Some((last.tenant_id.clone(), last.id));
        for candidate in batch {
            match purge_deleted(db, storage, &candidate).await {
                Ok(purged) => report.deleted_files.push(purged),
                Err(err) => report.failures.push(format!(
                    "{} artifact {}: {err:#}",
                    candidate.tenant_id, candidate.id
                )),
            }
        }
    }
    tracing::info!(
        abandoned_uploads = report.abandoned_uploads.len(),
        deleted_files = report.deleted_files.len(),
        failures = report.failures.len(),
        "storage retention ran"
    );
    Ok(report)
}

/// Object first, rows after: a crash in between leaves a row whose object is gone (purged again
/// next time), never an object without a row.
async fn delete_object(storage: &Storage, candidate: &PurgeCandidate) -> anyhow::Result<()> {
    if let Some(upload_id) = &candidate.multipart_upload_id {
        storage
            .abort_multipart(&candidate.storage_key, upload_id)
            .await?;
    }
    storage.delete(&candidate.storage_key).await?;
    Ok(())
}

async fn purge_abandoned(
    db: &PgPool,
    storage: &Storage,
    candidate: &PurgeCandidate,
) -> anyhow::Result<Option<PurgedObject>> {
    delete_object(storage, candidate).await?;
    let mut tx = db.begin().await?;
    let row_removed = if candidate.is_root_of_others {
        db::mark_object_purged(&mut *tx, &candidate.tenant_id, candidate.id).await?;
        false
    } else {
        if !db::remove_abandoned(&mut tx, &candidate.tenant_id, candidate.id).await? {
            return Ok(None);
        }
        true
    };
    record(&mut tx, candidate, "abandoned_upload", row_removed).await?;
    tx.commit().await?;
    Ok(Some(purged(candidate, row_removed)))
}

async fn purge_deleted(
    db: &PgPool,
    storage: &Storage,
    candidate: &PurgeCandidate,
) -> anyhow::Result<PurgedObject> {
    delete_object(storage, candidate).await?;
    let mut tx = db.begin().await?;
    db::mark_object_purged(&mut *tx, &candidate.tenant_id, candidate.id).await?;
    record(&mut tx, candidate, "deleted_retention", false).await?;
    tx.commit().await?;
    Ok(purged(candidate, false))
}

async fn record(
    tx: &mut sqlx::PgConnection,
    candidate: &PurgeCandidate,
    reason: &str,
    row_removed: bool,
) -> Result<(), sqlx::Error> {
    audit::record(
        &mut *tx,
        &job_meta(),
        AuditEntry {
            tenant_id: Some(&candidate.tenant_id),
            actor: None,
            action: "artifact.purge",
            target_type: Some("artifact"),
            target_id: Some(candidate.id.to_string()),
            before: Some(json!({ "upload_status": candidate.upload_status })),
            details: Some(json!({ "reason": reason, "row_removed": row_removed, "storage_key": candidate.storage_key })),
            ..AuditEntry::default()
        },
    )
    .await
}

fn purged(candidate: &PurgeCandidate, row_removed: bool) -> PurgedObject {
    PurgedObject {
        tenant_id: candidate.tenant_id.clone(),
        artifact_id: candidate.id,
        storage_key: candidate.storage_key.clone(),
        upload_status: candidate.upload_status.clone(),
        row_removed,
    }
}
