//! The local backend's presigned URLs, served by the API itself: `PUT` and `GET
//! /api/v1/storage/local/{token}`. The token is the authorisation (no bearer token): it names one
//! method on one key until it expires, and is HMAC-signed by the server (see `storage`).

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures::StreamExt;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::artifact::db;
use crate::artifact::flow::storage_unavailable;
use crate::artifact::model::essence;
use crate::error::{ApiError, ErrorCode, ErrorEnvelope};
use crate::http::extract::AppPath;
use crate::state::AppState;
use crate::storage::{
    LocalMethod, LocalUrlError, LocalWriteError, StorageError, content_disposition, tenant_of_key,
};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(put_local_object, get_local_object))
}

fn refused(err: LocalUrlError) -> ApiError {
    match err {
        LocalUrlError::Malformed => ApiError::malformed(err.to_string()),
        LocalUrlError::NotLocal => ApiError::not_found("storage link"),
        LocalUrlError::BadSignature | LocalUrlError::Expired | LocalUrlError::WrongMethod => {
            ApiError::forbidden(err.to_string())
        }
    }
}

/// Upload target of the local backend (the URL `POST /api/v1/artifact/upload` returns). Send the
/// exact bytes declared, with the declared `Content-Type`. Only while the upload is pending.
#[utoipa::path(put, path = "/api/v1/storage/local/{token}", tag = "artifact", operation_id = "put_local_object",
    params(("token" = String, Path, description = "signed upload token")),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 200, description = "stored"), (status = 400, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope),
        (status = 404, body = ErrorEnvelope), (status = 409, body = ErrorEnvelope), (status = 413, body = ErrorEnvelope),
        (status = 415, body = ErrorEnvelope), (status = 503, body = ErrorEnvelope)))]
async fn put_local_object(
    State(state): State<AppState>,
    AppPath(token): AppPath<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<StatusCode, ApiError> {
    let claims = state
        .storage
        .verify_local_token(&token, LocalMethod::Put)
        .map_err(refused)?;
    let size = claims
        .size
        .ok_or_else(|| refused(LocalUrlError::Malformed))?;
    let sent_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !essence(sent_type).eq_ignore_ascii_case(essence(&claims.content_type)) {
        return Err(ApiError::new(
            ErrorCode::UnsupportedMediaType,
            format!(
                "this upload must be sent with `Content-Type: {}`",
                claims.content_type
            ),
        ));
    }
    if let Some(length) = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
    {
        if length > size {
            return Err(ApiError::new(
                ErrorCode::PayloadTooLarge,
                format!("this upload takes exactly {size} bytes"),
            ));
        }
        if length < size {
            return Err(ApiError::malformed(format!(
                "this upload takes exactly {size} bytes, not {length}"
            )));
        }
    }
    let tenant = tenant_of_key(&claims.key).ok_or_else(|| refused(LocalUrlError::Malformed))?;
    // A link stays valid until it expires, but the bytes of a completed (or failed, or purged)
    // upload can never be replaced through it.
    match db::status_by_key(&state.db, tenant, &claims.key).await? {
        None => return Err(ApiError::not_found("upload")),
        Some((status, active)) if status != "pending" || !active => {
            return Err(ApiError::new(
                ErrorCode::Conflict,
                format!("this upload is no longer pending (it is {status})"),
            ));
        }
        Some(_) => {}
    }
    state
        .storage
        .write_local(&claims.key, body.into_data_stream(), size)
        .await
        .map_err(|err| match err {
            LocalWriteError::TooLong { .. } => {
                ApiError::new(ErrorCode::PayloadTooLarge, err.to_string())
            }
            LocalWriteError::TooShort { .. } | LocalWriteError::Body(_) => {
                ApiError::malformed(err.to_string())
            }
            LocalWriteError::Storage(err) => storage_unavailable(err),
        })?;
    Ok(StatusCode::OK)
}

/// Download target of the local backend (the URL `GET /api/v1/artifact/{id}/download` returns):
/// the file, as an attachment under its original name.
#[utoipa::path(get, path = "/api/v1/storage/local/{token}", tag = "artifact", operation_id = "get_local_object",
    params(("token" = String, Path, description = "signed download token")),
    responses((status = 200, description = "the file", content_type = "application/octet-stream"), (status = 400, body = ErrorEnvelope),
        (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope), (status = 503, body = ErrorEnvelope)))]
async fn get_local_object(
    State(state): State<AppState>,
    AppPath(token): AppPath<String>,
) -> Result<Response, ApiError> {
    let claims = state
        .storage
        .verify_local_token(&token, LocalMethod::Get)
        .map_err(refused)?;
    let object = match state.storage.read_local(&claims.key).await {
        Ok(object) => object,
        Err(StorageError::NotFound) => return Err(ApiError::not_found("file")),
        Err(err) => return Err(storage_unavailable(err)),
    };
    let size = object.meta.size;
    let file_name = claims.file_name.as_deref().unwrap_or("download");
    let header_value = |value: String| {
        HeaderValue::from_str(&value).map_err(|err| ApiError::Internal(anyhow::anyhow!(err)))
    };
    let mut response = Body::from_stream(
        object
            .into_stream()
            .map(|chunk| chunk.map_err(std::io::Error::other)),
    )
    .into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        header_value(claims.content_type.clone())?,
    );
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(size));
    headers.insert(
        header::CONTENT_DISPOSITION,
        header_value(content_disposition(file_name))?,
    );
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    Ok(response)
}
