//! File attachments (SPEC §6): files attached to records, uploaded and downloaded through presigned
//! URLs, with version chains and a retention job.
//!
//! - `POST /api/v1/artifact/upload` declares a file and records it `pending` (artifact row,
//!   registry entry and owner → artifact link in one transaction), answering with a presigned PUT
//!   URL (or presigned part URLs for large files on S3).
//! - The client sends the bytes straight to storage, then `POST /api/v1/artifact/{id}/complete`:
//!   the stored object is checked (exists, size, SHA-256 when declared) before the file becomes
//!   `available`; a mismatch fails the upload and deletes the object.
//! - `GET /api/v1/artifact/{id}/download` answers a short-lived presigned GET URL that saves the
//!   file under its original name.
//! - `POST /api/v1/artifact/{id}/new-version` starts the next upload of the same file (chain);
//!   `GET /api/v1/artifact/{id}/versions` lists them.
//! - `retention::purge` deletes the objects of abandoned uploads and of long-deleted files.
//!
//! Permissions go through `auth::permissions` only: uploading needs Edit on the record the file is
//! attached to; reading needs View on the file (reached by cascades from that record). Keys follow
//! the seed's layout `tenant_id={tenant}/entity={type}/entity_id={id}/{random}.{ext}` and are built
//! from the caller's tenant, so no URL is ever signed for another tenant's key.

pub mod db;
pub mod flow;
pub mod local;
pub mod model;
pub mod retention;
pub mod routes;

pub use retention::{PurgeReport, PurgedObject, purge};

use utoipa_axum::router::OpenApiRouter;

use crate::state::AppState;

/// The artifact routes and the local backend's signed-URL routes.
pub fn routes() -> OpenApiRouter<AppState> {
    routes::routes().merge(local::routes())
}
