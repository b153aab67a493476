//! `/api/v1/artifact/...`: upload, complete, new version, versions, download.

use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use serde_json::{Map, json};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use crate::artifact::db;
use crate::artifact::flow::{self, StartUpload};
use crate::artifact::model::{
    Artifact, ArtifactRow, CompleteRequest, DownloadResponse, NewVersionRequest, UploadRequest,
    UploadResponse, VersionList,
};
use crate::auth::CurrentUser;
use crate::auth::permissions::{self, Level};
use crate::entity::EntityType;
use crate::error::{ApiError, ErrorCode, ErrorEnvelope};
use crate::http::extract::{AppJson, AppPath, RequestMeta};
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(upload_artifact))
        .routes(routes!(complete_artifact_upload))
        .routes(routes!(create_artifact_version))
        .routes(routes!(list_artifact_versions))
        .routes(routes!(download_artifact))
}

/// Start uploading a file to a record: declare it (name, type, size, optional SHA-256) and get a
/// presigned URL to send the bytes to (or one per part for large files on S3). The file stays
/// `pending` until `POST /api/v1/artifact/{id}/complete`. Needs Edit on the record.
#[utoipa::path(post, path = "/api/v1/artifact/upload", tag = "artifact", operation_id = "upload_artifact",
    security(("bearer" = [])), request_body = UploadRequest,
    responses((status = 201, body = UploadResponse), (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope),
        (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope), (status = 413, body = ErrorEnvelope),
        (status = 415, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope), (status = 503, body = ErrorEnvelope)))]
async fn upload_artifact(
    State(state): State<AppState>,
    meta: RequestMeta,
    user: CurrentUser,
    AppJson(request): AppJson<UploadRequest>,
) -> Result<(StatusCode, axum::Json<UploadResponse>), ApiError> {
    let mut fields = Map::new();
    let owner_type = request.entity_type.parse::<EntityType>();
    match &owner_type {
        Err(_) => {
            fields.insert("entity_type".into(), json!("unknown entity type"));
        }
        Ok(owner) if !owner.registry().allows_child(EntityType::Artifact) => {
            fields.insert(
                "entity_type".into(),
                json!(format!("files cannot be attached to a {owner}")),
            );
        }
        Ok(_) => {}
    }
    if let Some(reason) = request.name.as_deref().and_then(check_display_name) {
        fields.insert("name".into(), json!(reason));
    }
    if request
        .descr
        .as_deref()
        .is_some_and(|d| d.chars().count() > 10_000)
    {
        fields.insert("descr".into(), json!("must be at most 10000 characters"));
    }
    let settings = &state.config.storage;
    let file = request
        .file()
        .validate(settings, &mut fields)
        .map_err(|r| flow::refusal(r, &settings.allowed_content_types))?;
    let owner_type = owner_type.map_err(|_| {
        ApiError::validation(
            "the upload is invalid",
            json!({ "entity_type": "unknown entity type" }),
        )
    })?;

    // Uploading needs Edit on the record the file is attached to (404 when missing or invisible).
    if !db::owner_exists(&state.db, &user.tenant_id, owner_type, request.entity_id).await? {
        return Err(ApiError::not_found(owner_type.as_str()));
    }
    permissions::require_instance_level(
        &state.db,
        &user,
        owner_type,
        request.entity_id,
        Level::Edit,
    )
    .await?;

    let name = request
        .name
        .clone()
        .unwrap_or_else(|| file.file_name.clone());
    let start = StartUpload {
        owner: (owner_type, request.entity_id),
        file,
        name,
        descr: request.descr.clone(),
        chain: None,
    };
    let response = flow::start_upload(&state, &user, &meta, start).await?;
    Ok((StatusCode::CREATED, axum::Json(response)))
}

/// Confirm an upload once the bytes are in storage. The stored object is checked (it exists, its
/// size, its SHA-256 when one was declared); then the file becomes `available` (and the latest
/// version of its chain). A mismatch fails the upload and deletes the object (422). Multipart
/// uploads send `{"parts":[{"part_number":1,"etag":"…"},…]}`; single uploads send no body.
#[utoipa::path(post, path = "/api/v1/artifact/{id}/complete", tag = "artifact", operation_id = "complete_artifact_upload",
    security(("bearer" = [])), params(("id" = Uuid, Path, description = "artifact id")),
    request_body(content = CompleteRequest, description = "Only for multipart uploads; optional otherwise", content_type = "application/json"),
    responses((status = 200, body = Artifact), (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope),
        (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope), (status = 409, body = ErrorEnvelope),
        (status = 415, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope), (status = 503, body = ErrorEnvelope)))]
async fn complete_artifact_upload(
    State(state): State<AppState>,
    meta: RequestMeta,
    user: CurrentUser,
    AppPath(id): AppPath<Uuid>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<axum::Json<Artifact>, ApiError> {
    let request: CompleteRequest = optional_json(&headers, &body)?;
    let row = db::find_active(&state.db, &user.tenant_id, id)
        .await?
        .ok_or_else(|| ApiError::not_found("artifact"))?;
    // Completing is part of uploading: Edit on the record the file is attached to.
    let (entity, entity_id) = write_target(&row);
    permissions::require_instance_level(&state.db, &user, entity, entity_id, Level::Edit)
        .await
        .map_err(hide_as_artifact)?;
    let artifact = flow::complete_upload(&state, &user, &meta, row, request).await?;
    Ok(axum::Json(artifact))
}

/// Start uploading a new version of a file: a new `pending` record in the same chain (file
/// version + 1). When completed it becomes the latest version; earlier versions stay downloadable.
/// Needs Edit on the record the file is attached to.
#[utoipa::path(post, path = "/api/v1/artifact/{id}/new-version", tag = "artifact", operation_id = "create_artifact_version",
    security(("bearer" = [])), params(("id" = Uuid, Path, description = "any version of the file")), request_body = NewVersionRequest,
    responses((status = 201, body = UploadResponse), (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope),
        (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope), (status = 409, body = ErrorEnvelope),
        (status = 413, body = ErrorEnvelope), (status = 415, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope),
        (status = 503, body = ErrorEnvelope)))]
async fn create_artifact_version(
    State(state): State<AppState>,
    meta: RequestMeta,
    user: CurrentUser,
    AppPath(id): AppPath<Uuid>,
    AppJson(request): AppJson<NewVersionRequest>,
) -> Result<(StatusCode, axum::Json<UploadResponse>), ApiError> {
    let settings = &state.config.storage;
    let file = request
        .file()
        .validate(settings, &mut Map::new())
        .map_err(|r| flow::refusal(r, &settings.allowed_content_types))?;
    let row = db::find_active(&state.db, &user.tenant_id, id)
        .await?
        .ok_or_else(|| ApiError::not_found("artifact"))?;
    let (entity, entity_id) = write_target(&row);
    permissions::require_instance_level(&state.db, &user, entity, entity_id, Level::Edit)
        .await
        .map_err(hide_as_artifact)?;
    let owner = row.owner().ok_or_else(|| {
        ApiError::new(
            ErrorCode::Conflict,
            "this file is not attached to a record, so it cannot take new versions",
        )
    })?;

    let start = StartUpload {
        owner,
        file,
        name: row.artifact.name.clone(),
        descr: row.artifact.descr.clone(),
        chain: Some(row.artifact.root_artifact_id),
    };
    let response = flow::start_upload(&state, &user, &meta, start).await?;
    Ok((StatusCode::CREATED, axum::Json(response)))
}

/// Every version of a file (pending and failed uploads included), newest first. Needs View on the file.
#[utoipa::path(get, path = "/api/v1/artifact/{id}/versions", tag = "artifact", operation_id = "list_artifact_versions",
    security(("bearer" = [])), params(("id" = Uuid, Path, description = "any version of the file")),
    responses((status = 200, body = VersionList), (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope),
        (status = 404, body = ErrorEnvelope)))]
async fn list_artifact_versions(
    State(state): State<AppState>,
    user: CurrentUser,
    AppPath(id): AppPath<Uuid>,
) -> Result<axum::Json<VersionList>, ApiError> {
    let row = db::find_active(&state.db, &user.tenant_id, id)
        .await?
        .ok_or_else(|| ApiError::not_found("artifact"))?;
    permissions::require_instance_level(&state.db, &user, EntityType::Artifact, id, Level::View)
        .await?;
    let data = db::chain(&state.db, &user.tenant_id, row.artifact.root_artifact_id).await?;
    Ok(axum::Json(VersionList { data }))
}

/// A short-lived URL that downloads the file under its original name (`Content-Disposition:
/// attachment`). Only for `available` files (409 otherwise). Needs View on the file.
#[utoipa::path(get, path = "/api/v1/artifact/{id}/download", tag = "artifact", operation_id = "download_artifact",
    security(("bearer" = [])), params(("id" = Uuid, Path, description = "artifact id (any version)")),
    responses((status = 200, body = DownloadResponse), (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope),
        (status = 404, body = ErrorEnvelope), (status = 409, body = ErrorEnvelope), (status = 503, body = ErrorEnvelope)))]
async fn download_artifact(
    State(state): State<AppState>,
    user: CurrentUser,
    AppPath(id): AppPath<Uuid>,
) -> Result<axum::Json<DownloadResponse>, ApiError> {
    let row = db::find_active(&state.db, &user.tenant_id, id)
        .await?
        .ok_or_else(|| ApiError::not_found("artifact"))?;
    permissions::require_instance_level(&state.db, &user, EntityType::Artifact, id, Level::View)
        .await?;
    let artifact = &row.artifact;
    if artifact.upload_status != "available" {
        return Err(ApiError::new(
            ErrorCode::Conflict,
            format!(
                "the file cannot be downloaded: its upload is {}",
                artifact.upload_status
            ),
        ));
    }
    let ttl = Duration::from_secs(state.config.storage.download_url_ttl_secs);
    let signed = state
        .storage
        .presign_get(
            &row.storage_key,
            &artifact.file_name,
            &artifact.content_type,
            ttl,
        )
        .await
        .map_err(flow::storage_unavailable)?;
    Ok(axum::Json(DownloadResponse {
        url: signed.url,
        method: signed.method.to_owned(),
        expires_at: signed.expires_at,
        file_name: artifact.file_name.clone(),
        content_type: artifact.content_type.clone(),
        size_bytes: artifact.file_size_bytes,
    }))
}

/// Writes to a file are writes to the record it is attached to (the file itself when it has none).
fn write_target(row: &ArtifactRow) -> (EntityType, Uuid) {
    row.owner()
        .unwrap_or((EntityType::Artifact, row.artifact.id))
}

/// A caller who cannot see the file's record learns nothing about the file either.
fn hide_as_artifact(err: ApiError) -> ApiError {
    if err.code() == ErrorCode::NotFound {
        ApiError::not_found("artifact")
    } else {
        err
    }
}

fn check_display_name(name: &str) -> Option<&'static str> {
    if name.trim().is_empty() {
        Some("must not be blank")
    } else if name.chars().count() > 500 {
        Some("must be at most 500 characters")
    } else if name.chars().any(char::is_control) {
        Some("must not contain control characters")
    } else {
        None
    }
}

/// A JSON body that may be left out entirely (then the default applies).
fn optional_json<T: Default + serde::de::DeserializeOwned>(
    headers: &HeaderMap,
    body: &Bytes,
) -> Result<T, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(';')
                .next()
                .is_some_and(|essence| essence.trim().eq_ignore_ascii_case("application/json"))
        });
    if !is_json {
        return Err(ApiError::new(
            ErrorCode::UnsupportedMediaType,
            "expected a request body with `Content-Type: application/json`",
        ));
    }
    serde_json::from_slice(body).map_err(|err| match err.classify() {
        serde_json::error::Category::Data => ApiError::new(
            ErrorCode::ValidationFailed,
            format!("the request body does not match: {err}"),
        ),
        _ => ApiError::malformed(format!("the request body is not valid JSON: {err}")),
    })
}
