//! The upload steps behind the handlers: record a pending upload and sign where its bytes go;
//! verify what arrived and make it available (or refuse it).

use std::time::Duration;

use serde_json::{Value, json};
use uuid::Uuid;

use crate::artifact::db::{self, NewArtifact};
use crate::artifact::model::{
    Artifact, ArtifactRow, CompleteRequest, FileRefusal, MULTIPART_METADATA_KEY, MultipartState,
    UploadInstructions, UploadMode, UploadPart, UploadResponse, ValidFile,
};
use crate::audit::{self, AuditEntry};
use crate::auth::CurrentUser;
use crate::entity::EntityType;
use crate::error::{ApiError, ErrorCode};
use crate::http::extract::RequestMeta;
use crate::state::AppState;
use crate::storage::{StorageError, object_key};

/// A new upload: of a new file (`chain` None) or a new version of the file rooted at `chain`.
pub struct StartUpload {
    pub owner: (EntityType, Uuid),
    pub file: ValidFile,
    pub name: String,
    pub descr: Option<String>,
    pub chain: Option<Uuid>,
}

/// The answer to a declaration that broke a rule: 422 per field, 413 too large, 415 type refused.
pub fn refusal(refusal: FileRefusal, allowed: &[String]) -> ApiError {
    match refusal {
        FileRefusal::Invalid(fields) => {
            ApiError::validation("the upload is invalid", Value::Object(fields))
        }
        FileRefusal::TooLarge { max } => ApiError::new(
            ErrorCode::PayloadTooLarge,
            format!("files may be at most {max} bytes"),
        )
        .with_details(json!({ "max_upload_bytes": max })),
        FileRefusal::TypeNotAllowed { content_type } => ApiError::new(
            ErrorCode::UnsupportedMediaType,
            format!("files of type {content_type} are not accepted"),
        )
        .with_details(json!({ "content_type": content_type, "allowed_content_types": allowed })),
    }
}

/// Storage trouble is the dependency's, not the caller's: 503, cause logged.
pub fn storage_unavailable(err: StorageError) -> ApiError {
    match err {
        StorageError::Unsupported(what) => {
            ApiError::Internal(anyhow::anyhow!("storage backend does not support {what}"))
        }
        other => {
            tracing::error!(error = %other, "object storage request failed");
            ApiError::service_unavailable("object storage is unavailable; try again shortly")
        }
    }
}

fn conflict(message: impl Into<String>) -> ApiError {
    ApiError::new(ErrorCode::Conflict, message)
}

/// Records the pending upload (artifact, registry entry, owner link, audit: one transaction) and
/// signs the URL(s) the bytes go to.
pub async fn start_upload(
    state: &AppState,
    user: &CurrentUser,
    meta: &RequestMeta,
    start: StartUpload,
) -> Result<UploadResponse, ApiError> {
    let settings = &state.config.storage;
    let storage = &state.storage;
    let id = Uuid::new_v4();
    let key = object_key(
        &user.tenant_id,
        start.owner.0.as_str(),
        start.owner.1,
        &start.file.extension,
    );
    let multipart =
        if storage.supports_multipart() && start.file.size > settings.multipart_threshold_bytes {
            let upload_id = storage
                .start_multipart(&key, &start.file.content_type)
                .await
                .map_err(storage_unavailable)?;
            let part_count = u32::try_from(start.file.size.div_ceil(settings.part_size_bytes))
                .map_err(|_| ApiError::Internal(anyhow::anyhow!("part count out of range")))?;
            Some(MultipartState {
                multipart_upload_id: upload_id,
                part_size_bytes: settings.part_size_bytes,
                part_count,
            })
        } else {
            None
        };
    let outcome = record_and_sign(state, user, meta, &start, id, &key, multipart.as_ref()).await;
    if let (Err(_), Some(multipart)) = (&outcome, &multipart)
        && let Err(err) = storage
            .abort_multipart(&key, &multipart.multipart_upload_id)
            .await
    {
        tracing::warn!(error = %err, "could not abort the multipart upload of a refused upload");
    }
    outcome
}

async fn record_and_sign(
    state: &AppState,
    user: &CurrentUser,
    meta: &RequestMeta,
    start: &StartUpload,
    id: Uuid,
    key: &str,
    multipart: Option<&MultipartState>,
) -> Result<UploadResponse, ApiError> {
    let tenant = user.tenant_id.as_str();
    let file = &start.file;
    let mut tx = state.db.begin().await?;
    let (root, file_version, is_latest_version) = match start.chain {
        Some(root) => {
            db::lock_chain(&mut tx, tenant, root).await?;
            (
                Some(root),
                db::next_file_version(&mut tx, tenant, root).await?,
                false,
            )
        }
        None => (None, 1, true),
    };
    let metadata = match multipart {
        Some(multipart) => json!({ MULTIPART_METADATA_KEY: multipart }),
        None => json!({}),
    };
    let size =
        i64::try_from(file.size).map_err(|_| ApiError::malformed("size_bytes is out of range"))?;
    let row = db::insert_pending(
        &mut tx,
        &NewArtifact {
            tenant,
            id,
            owner: start.owner,
            name: &start.name,
            descr: start.descr.as_deref(),
            artifact_type: file.artifact_type,
            file_name: &file.file_name,
            file_format: &file.extension,
            content_type: &file.content_type,
            size,
            sha256: file.sha256.as_deref(),
            storage_key: key,
            root,
            file_version,
            is_latest_version,
            metadata,
            actor: user.employee_id,
            cache: user.cache.as_ref(),
        },
    )
    .await?;
    audit::record(
        &mut *tx,
        meta,
        AuditEntry {
            tenant_id: Some(tenant),
            actor: Some(user.employee_id),
            action: if start.chain.is_some() { "artifact.version_started" } else { "artifact.upload_started" },
            target_type: Some("artifact"),
            target_id: Some(id.to_string()),
            after: Some(json!({
                "file_name": file.file_name, "content_type": file.content_type, "size_bytes": file.size,
                "owner_type": start.owner.0, "owner_id": start.owner.1,
                "root_artifact_id": row.artifact.root_artifact_id, "file_version": file_version,
                "multipart": multipart.is_some(),
            })),
            ..AuditEntry::default()
        },
    )
    .await?;
    let upload = sign_upload(state, &row, file, multipart).await?;
    tx.commit().await?;
    Ok(UploadResponse {
        artifact: row.artifact,
        upload,
    })
}

async fn sign_upload(
    state: &AppState,
    row: &ArtifactRow,
    file: &ValidFile,
    multipart: Option<&MultipartState>,
) -> Result<UploadInstructions, ApiError> {
    let storage = &state.storage;
    let ttl = Duration::from_secs(state.config.storage.presign_put_ttl_secs);
    let complete_url = format!("/api/v1/artifact/{}/complete", row.artifact.id);
    let key = &row.storage_key;
    match multipart {
        None => {
            let signed = storage
                .presign_put(key, &file.content_type, file.size, ttl)
                .await
                .map_err(storage_unavailable)?;
            Ok(UploadInstructions {
                mode: UploadMode::Single,
                method: signed.method.to_owned(),
                url: Some(signed.url),
                headers: signed.headers,
                parts: Vec::new(),
                part_size_bytes: None,
                expires_at: signed.expires_at,
                complete_url,
            })
        }
        Some(multipart) => {
            let mut parts = Vec::with_capacity(multipart.part_count as usize);
            let mut expires_at = chrono::Utc::now();
            for part_number in 1..=multipart.part_count {
                let offset = u64::from(part_number - 1) * multipart.part_size_bytes;
                let signed = storage
                    .presign_part(key, &multipart.multipart_upload_id, part_number, ttl)
                    .await
                    .map_err(storage_unavailable)?;
                expires_at = signed.expires_at;
                parts.push(UploadPart {
                    part_number,
                    url: signed.url,
                    size_bytes: multipart.part_size_bytes.min(file.size - offset),
                });
            }
            Ok(UploadInstructions {
                mode: UploadMode::Multipart,
                method: "PUT".to_owned(),
                url: None,
                headers: Default::default(),
                parts,
                part_size_bytes: Some(multipart.part_size_bytes),
                expires_at,
                complete_url,
            })
        }
    }
}

/// Checks what storage holds against the declaration and makes the upload available; a mismatch
/// fails the upload and deletes the object.
pub async fn complete_upload(
    state: &AppState,
    user: &CurrentUser,
    meta: &RequestMeta,
    row: ArtifactRow,
    request: CompleteRequest,
) -> Result<Artifact, ApiError> {
    match row.artifact.upload_status.as_str() {
        "pending" => {}
        "available" => return Err(conflict("this upload is already complete")),
        _ => return Err(conflict("this upload failed; start a new upload")),
    }
    let storage = &state.storage;
    let key = row.storage_key.as_str();
    let declared = row.artifact.file_size_bytes.unwrap_or(-1);
    match row.multipart() {
        Some(multipart) => {
            let etags = check_parts(&request, &multipart)?;
            if let Err(err) = storage
                .complete_multipart(key, &multipart.multipart_upload_id, etags)
                .await
            {
                tracing::warn!(error = %err, artifact = %row.artifact.id, "assembling a multipart upload failed");
                return Err(conflict(
                    "storage could not assemble the parts: upload every part to its URL, then complete with each part's ETag",
                ));
            }
        }
        None if !request.parts.is_empty() => {
            return Err(ApiError::validation(
                "the completion is invalid",
                json!({ "parts": "only multipart uploads list parts" }),
            ));
        }
        None => {}
    }
    let Some(object) = storage.head(key).await.map_err(storage_unavailable)? else {
        return Err(conflict(
            "nothing has been uploaded yet: PUT the file to the upload URL, then complete",
        ));
    };
    let stored = i64::try_from(object.size).unwrap_or(i64::MAX);
    if stored != declared {
        let reason = format!("declared {declared} bytes, but storage holds {stored}");
        return Err(refuse_upload(state, user, meta, &row, json!({ "size_bytes": reason })).await);
    }
    if let Some(expected) = row.artifact.sha256.as_deref() {
        let actual = storage.sha256_hex(key).await.map_err(storage_unavailable)?;
        if actual != expected {
            let reason = format!("declared {expected}, but the stored bytes hash to {actual}");
            return Err(refuse_upload(state, user, meta, &row, json!({ "sha256": reason })).await);
        }
    }

    let tenant = user.tenant_id.as_str();
    let artifact = &row.artifact;
    let mut tx = state.db.begin().await?;
    db::lock_chain(&mut tx, tenant, artifact.root_artifact_id).await?;
    let Some(done) = db::mark_available(
        &mut tx,
        tenant,
        artifact.id,
        stored,
        artifact.sha256.as_deref(),
        user.employee_id,
    )
    .await?
    else {
        return Err(conflict("this upload is no longer pending"));
    };
    let latest = db::promote_to_latest(
        &mut tx,
        tenant,
        artifact.root_artifact_id,
        artifact.id,
        artifact.file_version,
    )
    .await?;
    audit::record(
        &mut *tx,
        meta,
        AuditEntry {
            tenant_id: Some(tenant),
            actor: Some(user.employee_id),
            action: "artifact.upload_completed",
            target_type: Some("artifact"),
            target_id: Some(artifact.id.to_string()),
            before: Some(json!({ "upload_status": "pending" })),
            after: Some(json!({
                "upload_status": "available", "size_bytes": stored, "sha256": done.artifact.sha256,
                "file_version": artifact.file_version, "is_latest_version": latest,
            })),
            ..AuditEntry::default()
        },
    )
    .await?;
    let artifact = db::find_active(&mut *tx, tenant, artifact.id)
        .await?
        .map(|row| row.artifact)
        .unwrap_or(done.artifact);
    tx.commit().await?;
    Ok(artifact)
}

/// Every part, in order, each with a plausible ETag.
fn check_parts(
    request: &CompleteRequest,
    multipart: &MultipartState,
) -> Result<Vec<String>, ApiError> {
    let invalid = |reason: String| {
        ApiError::validation("the completion is invalid", json!({ "parts": reason }))
    };
    if request.parts.len() != multipart.part_count as usize {
        return Err(invalid(format!(
            "list all {} parts, in order, with their ETags",
            multipart.part_count
        )));
    }
    let mut etags = Vec::with_capacity(request.parts.len());
    for (index, part) in request.parts.iter().enumerate() {
        if part.part_number as usize != index + 1 {
            return Err(invalid(format!(
                "part {} is out of order: list parts 1 to {}",
                part.part_number, multipart.part_count
            )));
        }
        let etag = part.etag.trim();
        let plausible = (1..=256).contains(&etag.len())
            && etag
                .bytes()
                .all(|b| b.is_ascii_graphic() && !b"<>&'".contains(&b));
        if !plausible {
            return Err(invalid(format!(
                "part {} has no valid ETag",
                part.part_number
            )));
        }
        etags.push(etag.to_owned());
    }
    Ok(etags)
}

/// Fails a pending upload whose stored bytes do not match: deletes the object, marks the row
/// failed (audited), and answers 422 naming the mismatch.
async fn refuse_upload(
    state: &AppState,
    user: &CurrentUser,
    meta: &RequestMeta,
    row: &ArtifactRow,
    fields: Value,
) -> ApiError {
    if let Err(err) = state.storage.delete(&row.storage_key).await {
        // The retention job deletes it later (failed uploads are purged with abandoned ones).
        tracing::warn!(error = %err, artifact = %row.artifact.id, "could not delete a refused upload's object");
    }
    let recorded = async {
        let mut tx = state.db.begin().await?;
        db::mark_failed(&mut *tx, &user.tenant_id, row.artifact.id, user.employee_id).await?;
        audit::record(
            &mut *tx,
            meta,
            AuditEntry {
                tenant_id: Some(&user.tenant_id),
                actor: Some(user.employee_id),
                action: "artifact.upload_failed",
                target_type: Some("artifact"),
                target_id: Some(row.artifact.id.to_string()),
                before: Some(json!({ "upload_status": "pending" })),
                after: Some(json!({ "upload_status": "failed" })),
                details: Some(fields.clone()),
            },
        )
        .await?;
        tx.commit().await
    };
    if let Err(err) = recorded.await {
        return ApiError::from(err);
    }
    ApiError::validation(
        "the stored file does not match the upload's declaration; the upload failed, start a new one",
        fields,
    )
}
